"""Steering-group dashboards: where each partnership stands, without exposing anyone.

The numbers come from reporting/figures/ (the one place each figure is computed); this
module only arranges them into tables and charts, one builder per figure
(FIGURE_BUILDERS). Small numbers are protected by reporting/suppression.py: every count of people on a
page is a Cell of one Suppressor, which hides counts below the threshold and any cell
that could be worked out from a sum (see there).

Meetings, money, capacity and deadlines are about the partnership, not about people, and
are never suppressed. Nothing on a dashboard links to a participant.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from participants.models import ExitOutcome, Gender
from partnerships.deadlines import deadlines_for_user
from partnerships.models import Agreement, Indicator, IndicatorTarget, User, format_sek, round_money

from . import figures, figures_cache
from .charts import Datum, bar_chart, column_chart
from .suppression import Cell, Share, Suppressor, format_count, threshold

# Indicators the dashboard can measure, in the order they are shown.
MEASURED_SHARES = (
    Indicator.Metric.SHARE_TO_WORK,
    Indicator.Metric.SHARE_TO_STUDIES,
    Indicator.Metric.STEP_PROGRESSION,
    Indicator.Metric.OFF_INCOME_SUPPORT,
)
MEASURED_COUNTS = (
    Indicator.Metric.PARTICIPANTS,
    Indicator.Metric.CONTACTS,
    Indicator.Metric.OUTREACH,
)
NEXT_DEADLINES = 6


@dataclass
class Text:
    """Anything shown as it is: amounts, targets, labels."""

    display: str
    css: str = ""
    csv_value: str | None = None

    @property
    def csv(self) -> str:
        return self.display.replace("\u00a0", "") if self.csv_value is None else self.csv_value


def money(amount: Decimal | None) -> Text:
    if amount is None:
        return Text("–", "num", "")
    return Text(format_sek(amount), "num", f"{Decimal(amount):.2f}")


def mark(status: str | None) -> Text:
    """On track / behind / cannot tell, as words (never colour alone)."""
    if status == "ok":
        return Text(_("✓ I fas"), "mark ok", _("I fas"))
    if status == "behind":
        return Text(_("✗ Efter"), "mark bad", _("Efter"))
    if status == "none":
        return Text(_("Inget mål"), "mark muted", _("Inget mål"))
    return Text(_("För få för att bedöma"), "mark muted", _("För få för att bedöma"))


# --------------------------------------------------------------------------- layout


@dataclass
class Row:
    label: str
    values: list[Any]
    css: str = ""
    # The partnership's own dashboard, on the overview (never a link to people).
    url: str = ""


@dataclass
class Figure:
    key: str
    title: str
    columns: list[str]
    rows: list[Row]
    chart: Any = None
    note: str = ""
    footer: list[Row] = field(default_factory=list)


MONTHS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "maj",
    "jun",
    "jul",
    "aug",
    "sep",
    "okt",
    "nov",
    "dec",
)


def month_label(month: int) -> str:
    return _(MONTHS[month - 1])


def default_year(years: list[int], today: datetime.date) -> int:
    if today.year in years:
        return today.year
    earlier = [y for y in years if y < today.year]
    return max(earlier) if earlier else min(years)


def _genders(*sources: Any) -> list[tuple[str, str]]:
    """Women and men always; other genders when any figure has them."""
    seen: set[str] = set()

    def walk(obj: Any) -> None:
        if isinstance(obj, dict):
            for key, value in obj.items():
                if isinstance(key, str):
                    seen.add(key)
                walk(value)

    for source in sources:
        walk(source)
    return [
        (value, str(label))
        for value, label in Gender.choices
        if value in (Gender.WOMAN, Gender.MAN) or value in seen
    ]


# --------------------------------------------------------------------------- the dashboard


@dataclass
class Scope:
    """What a dashboard covers: one partnership, or all the user follows."""

    agreements: list[Agreement]
    year: int
    single: Agreement | None
    start: datetime.date
    end: datetime.date  # the period's last day
    today: datetime.date
    # Every partnership whose page the same user can open for the year (the overview's
    # set). Their pages and the overview are suppressed together, so that no hidden cell
    # can be worked out by subtracting one page from another.
    linked: list[Agreement] = field(default_factory=list)

    @property
    def until(self) -> datetime.date:
        """Figures are "so far": up to today within the current year."""
        return min(self.end, self.today)

    @property
    def started(self) -> bool:
        return self.start <= self.today

    @property
    def elapsed(self) -> Decimal:
        """How much of the period has passed (0–1), for "budget so far" and count targets."""
        if not self.started:
            return Decimal("0")
        days = (self.end - self.start).days + 1
        return Decimal((self.until - self.start).days + 1) / Decimal(days)


def scope_for(
    agreements: list[Agreement],
    year: int,
    today: datetime.date,
    single: Agreement | None = None,
    linked: list[Agreement] | None = None,
) -> Scope:
    if single is not None:
        start, end = figures.period(single, year)
    else:
        start = max(
            datetime.date(year, 1, 1),
            min((a.start_date for a in agreements), default=datetime.date(year, 1, 1)),
        )
        end = min(
            datetime.date(year, 12, 31),
            max((a.end_date for a in agreements), default=datetime.date(year, 12, 31)),
        )
    return Scope(
        agreements=agreements,
        year=year,
        single=single,
        start=start,
        end=end,
        today=today,
        linked=linked if linked is not None else list(agreements),
    )


def fetch_figures(scope: Scope, *, counts_only: bool = False) -> dict[str, Any]:
    """The figures a dashboard is built from, from reporting.figures (a fixed number of
    queries), kept for settings.IOP_DASHBOARD_CACHE_SECONDS.

    Counting a year of contacts of many partnerships takes the database a noticeable
    moment; steering groups look at the same figures again and again, and a few minutes'
    delay does not matter to them. The key holds the day, so "so far" moves on at midnight.
    `counts_only` fetches only the counts of people (for pages linked by link_pages).
    """
    seconds = settings.IOP_DASHBOARD_CACHE_SECONDS
    ids = ",".join(str(a.pk) for a in scope.agreements)
    kind = ("single" if scope.single else "all") + (":counts" if counts_only else "")
    digest = hashlib.sha256(f"{kind}:{ids}".encode()).hexdigest()[:32]
    key = f"dashboard:{digest}:{scope.year}:{scope.until.isoformat()}:{translation.get_language()}"
    if seconds:
        key = f"{key}:{_versions(scope)}"
        cached = cache.get(key)
        if cached is not None:
            return cached
    which: Any = scope.single if scope.single is not None else [a.pk for a in scope.agreements]
    start, until = scope.start, scope.until
    raw: dict[str, Any] = {
        "stats": None,
        "steps": {},
        "flow": {"months": [], "new": {}, "exited": {}},
        "activity": {"months": [], "contacts": {}, "anonymous": {}, "attendance": {}},
        "active_by_agreement": {},
        "targets": {} if counts_only else _targets(scope),
    }
    if scope.started:
        raw["stats"] = figures.participant_statistics(which, start, until)
        raw["steps"] = figures.step_progression_by_gender(which, start, until)
        raw["flow"] = figures.monthly_participant_flow(which, start, until)
        raw["activity"] = figures.monthly_activity(which, start, until)
        if Indicator.Metric.OUTREACH in raw["targets"]:
            raw["outreach"] = figures.outreach_visits_by_gender(which, start, until)
    if counts_only:
        if scope.single is None and scope.started:
            raw["active_by_agreement"] = figures.participants_active_by_agreement(which, until)
    elif scope.single is not None:
        raw["meetings"] = figures.meeting_statistics(scope.single, scope.year)
        try:
            budget = figures.budget_for(scope.single, scope.year)
        except ValidationError:  # no budget for the year yet: shown as such
            raw["account"] = None
        else:
            raw["account"] = figures.financial_account(budget)
    else:
        if scope.started:
            raw["active_by_agreement"] = figures.participants_active_by_agreement(which, until)
        raw["followups"] = figures.followups_by_agreement(scope.agreements, scope.year, scope.today)
        raw["budgets"] = figures.budget_by_agreement(which, scope.year)
    if seconds:
        cache.set(key, raw, seconds)
    return raw


def _versions(scope: Scope) -> str:
    """The versions of the scope's partnerships (and of the pages linked to it) in the
    shared cache, read once per page: a write to one of them makes every cached figure,
    deadline and built page of it a miss."""
    memo: dict[str, str] = scope.__dict__.setdefault("_versions", {})
    if "token" not in memo:
        # The linked pages' versions too: the built page (_built_page) depends on them, and
        # one read serves the figures, the deadlines and the page.
        ids = sorted({a.pk for a in scope.agreements} | {a.pk for a in scope.linked})
        memo["token"] = figures_cache.versions_token(ids)
    return memo["token"]


def _deadlines(scope: Scope, user: User) -> list[Any]:
    """The next deadlines of the scope's partnerships for this user, kept like the figures."""
    ids = {a.pk for a in scope.agreements}

    def compute() -> list[Any]:
        # A warning date that has passed ("six months left") is no longer a coming deadline.
        return [
            d
            for d in deadlines_for_user(user, today=scope.today)
            if d.agreement_id in ids and not (d.warning and d.date < scope.today)
        ][:NEXT_DEADLINES]

    seconds = settings.IOP_DASHBOARD_CACHE_SECONDS
    if not seconds:
        return compute()
    digest = hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()[:32]
    lang = translation.get_language()
    key = f"dashboard-deadlines:{user.pk}:{digest}:{scope.today}:{lang}:{_versions(scope)}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found


T = TypeVar("T")

# What the HTML page shows of a built page: kept as a cache entry of its own (see _built_page).
PAGE_PARTS = ("tiles", "figures_html")


def build_dashboard(scope: Scope, user: User, *, page_only: bool = False) -> dict[str, Any]:
    """Every table, chart and mark of one dashboard page, suppressed and ready to render.

    Runs a fixed number of queries whatever the number of partnerships or participants:
    the figures are fetched once, every count of people becomes a Cell of one Suppressor
    (collect_counts), hiding is applied to the whole page, and then each builder of
    FIGURE_BUILDERS lays out its table and chart. With `page_only`, the figures and the
    suppressor are left out: the HTML page shows only the tiles and the figures' HTML.
    """
    result: dict[str, Any] = {
        "scope": scope,
        "figures": [],
        "tiles": [],
        "not_started": not scope.started,
    }
    if not scope.agreements:
        return result
    result.update(_built_page(scope, page_only=page_only))
    result["deadlines"] = _deadlines(scope, user)
    result["threshold"] = threshold()
    return result


def _built_page(scope: Scope, *, page_only: bool) -> dict[str, Any]:
    """The page's tiles, figures and suppressor, kept in the shared cache like the figures.

    Suppressing and laying out a page together with every page linked to it (link_pages)
    costs more of the app server's time than reading the cached figures: half of a cached
    dashboard's CPU. None of it depends on who looks, only on the page, the linked set, the
    day, the language and the threshold, so the built page is kept under those and the
    versions of every partnership involved, and any write to one of them rebuilds it.

    The HTML page's part (PAGE_PARTS) is an entry of its own: a third of the bytes, with no
    figure or suppressor objects to unpickle, which was most of a cached page's own CPU.
    The whole page (for the CSV) is built and kept when it is asked for.
    """

    def build() -> dict[str, Any]:
        built = _build_page(scope)
        return {k: built[k] for k in PAGE_PARTS} if page_only else built

    return kept_with_page(scope, "html" if page_only else "page", build)


def kept_with_page(scope: Scope, kind: str, compute: Callable[[], T]) -> T:
    """`compute()`, kept in the shared cache as part `kind` of the page: under the page,
    the linked set, the day, the language, the threshold and the versions of every
    partnership involved, so that any write to one of them computes it afresh."""
    seconds = settings.IOP_DASHBOARD_CACHE_SECONDS
    if not seconds:
        return compute()
    agreements = ",".join(str(a.pk) for a in scope.agreements)
    linked = ",".join(str(a.pk) for a in scope.linked)
    what = f"{scope.single.pk if scope.single else 'all'}:{agreements}:{linked}"
    digest = hashlib.sha256(what.encode()).hexdigest()[:32]
    key = (
        f"dashboard-{kind}:{digest}:{scope.year}:{scope.today.isoformat()}:"
        f"{translation.get_language()}:{threshold()}:{_versions(scope)}"
    )
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found


def _build_page(scope: Scope) -> dict[str, Any]:
    s = Suppressor()
    raw = fetch_figures(scope)
    page = Page(scope=scope, raw=raw, counts=collect_counts(s, scope, raw))
    link_pages(s, scope, page.counts)
    s.apply()
    figures_shown = [f for f in (builder(page) for builder in FIGURE_BUILDERS) if f is not None]
    return {
        "tiles": _tiles(page),
        "figures": figures_shown,
        # Rendered once with the page: the same for everyone who opens it.
        "figures_html": render_to_string(
            "reporting/_dashboard_figures.html", {"figures": figures_shown}
        ),
        "suppressor": s,
    }


# --------------------------------------------------------------------------- the counts


@dataclass
class Counts:
    """The page's counts of people, as cells of one Suppressor.

    Rows are keyed by gender value and "total"; monthly tables by month, then the same.
    """

    genders: list[tuple[str, str]]
    months: list[int]
    people: dict[str, dict[str, Cell]]
    outcomes: dict[str, dict[str, Cell]]
    to_work: dict[str, Cell]
    to_studies: dict[str, Cell]
    assessed: dict[str, Cell]
    progressed: dict[str, Cell]
    on_support: Cell
    left_support: Cell
    new_by_month: dict[int, dict[str, Cell]]
    exits_by_month: dict[int, dict[str, Cell]]
    contacts_by_month: dict[int, dict[str, Cell]]
    contacts_year: dict[str, Cell]
    attendance_by_month: dict[int, dict[str, Cell]]
    attendance_year: dict[str, Cell]
    active_by_agreement: dict[int, Cell]
    # Outreach visits and anonymous outreach, by gender (when an indicator measures it).
    outreach_year: dict[str, Cell] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        """The gender values shown as columns."""
        return [g for g, _l in self.genders]

    @property
    def keys_and_total(self) -> list[str]:
        return [*self.keys, "total"]

    @property
    def gender_labels(self) -> list[str]:
        return [label for _v, label in self.genders]

    @property
    def month_labels(self) -> list[str]:
        return [month_label(m) for m in self.months]


@dataclass
class Page:
    """What every figure builder reads: the scope, the raw figures and the counts."""

    scope: Scope
    raw: dict[str, Any]
    counts: Counts


def collect_counts(s: Suppressor, scope: Scope, raw: dict[str, Any]) -> Counts:
    """Every count of people on the page, as cells of `s` with the sums between them.

    The order in which cells and sums are registered decides which cell secondary
    suppression hides when several would do, so it is kept fixed here.
    """
    stats, steps, flow, activity = raw["stats"], raw["steps"], raw["flow"], raw["activity"]
    raw_by_gender = _raw_participants(stats)
    genders = _genders(
        raw_by_gender,
        steps,
        flow["new"],
        flow["exited"],
        activity["contacts"],
        activity["anonymous"],
        activity["attendance"],
    )
    keys = [g for g, _l in genders]
    people = _people_cells(s, raw_by_gender, keys)
    outcomes, to_work, to_studies = _outcome_cells(s, stats, keys, people)
    # Step progression by gender.
    assessed = {g: s.cell(steps.get(g, {}).get("assessed", 0)) for g in keys}
    assessed["total"] = s.total(list(assessed.values()), breakdown=True)
    progressed = {g: s.cell(steps.get(g, {}).get("progressed", 0)) for g in keys}
    progressed["total"] = s.total(list(progressed.values()), breakdown=True)
    # Off income support: counted for all genders together by participant_statistics.
    on_support = s.cell(stats["on_income_support_at_start"] if stats else 0)
    left_support = s.cell(stats["left_income_support"] if stats else 0)
    months = flow["months"]
    new_by_month, exits_by_month = _flow_cells(s, flow, keys, people)
    contacts_by_month, contacts_year = _contact_cells(s, activity, months, keys)
    attendance_by_month, attendance_year = _attendance_cells(s, activity, months, keys)
    # Per partnership (overview): participants active now.
    active_by_agreement: dict[int, Cell] = {}
    if scope.single is None:
        raw_active = raw["active_by_agreement"]
        active_by_agreement = {a.pk: s.cell(raw_active.get(a.pk, 0)) for a in scope.agreements}
        s.relate(people["active_at_end"]["total"], list(active_by_agreement.values()))
    return Counts(
        genders=genders,
        months=months,
        people=people,
        outcomes=outcomes,
        to_work=to_work,
        to_studies=to_studies,
        assessed=assessed,
        progressed=progressed,
        on_support=on_support,
        left_support=left_support,
        new_by_month=new_by_month,
        exits_by_month=exits_by_month,
        contacts_by_month=contacts_by_month,
        contacts_year=contacts_year,
        attendance_by_month=attendance_by_month,
        attendance_year=attendance_year,
        active_by_agreement=active_by_agreement,
        outreach_year=_outreach_cells(s, raw, activity, keys),
    )


def _outreach_cells(
    s: Suppressor, raw: dict[str, Any], activity: dict[str, Any], keys: list[str]
) -> dict[str, Cell]:
    if "outreach" not in raw:
        return {}
    visits = raw["outreach"]
    anonymous: dict[str, int] = {}
    for by_gender in activity["anonymous"].values():
        for g, n in by_gender.items():
            anonymous[g] = anonymous.get(g, 0) + n
    cells = {g: s.cell(visits.get(g, 0) + anonymous.get(g, 0)) for g in keys}
    cells["total"] = s.total(list(cells.values()), breakdown=True)
    return cells


def link_pages(s: Suppressor, scope: Scope, counts: Counts) -> None:
    """Register the overview's and every linked partnership's counts in `s`, each overview
    cell the sum of the partnerships' cells, so that hiding holds across the pages.

    A user who sees the overview and each partnership's page could otherwise subtract:
    all partnerships' November exits 6 minus ThaiWISE's 5 gives Malmökraften's hidden 1.
    Each page computes the same joint suppression and shows its own part of it, so the
    overview and the partnerships' pages hide alike. Costs a fixed number of queries per
    linked partnership (the figures are cached).
    """
    linked = [a for a in scope.linked if a.covers_year(scope.year)]
    if len(linked) < 2:
        return
    if scope.single is None:
        overview = counts
    else:
        overview_scope = scope_for(linked, scope.year, scope.today)
        overview = collect_counts(
            s, overview_scope, fetch_figures(overview_scope, counts_only=True)
        )
    parts: dict[int, Counts] = {}
    for agreement in linked:
        if scope.single is not None and agreement.pk == scope.single.pk:
            parts[agreement.pk] = counts
            continue
        own = scope_for([agreement], scope.year, scope.today, single=agreement)
        if own.started:
            parts[agreement.pk] = collect_counts(s, own, fetch_figures(own, counts_only=True))
    flat_parts = [_flatten(c) for c in parts.values()]
    for path, cell in _flatten(overview).items():
        s.relate(cell, [f[path] for f in flat_parts if path in f])
    # The overview's table of partnerships shows each one's active participants.
    for pk, cell in overview.active_by_agreement.items():
        if pk in parts:
            s.relate(cell, [parts[pk].people["active_at_end"]["total"]])


def _flatten(counts: Counts) -> dict[tuple[Any, ...], Cell]:
    """Every cell of a page's counts by its path (figure, month, gender)."""
    flat: dict[tuple[Any, ...], Cell] = {}

    def walk(path: tuple[Any, ...], obj: Any) -> None:
        if isinstance(obj, Cell):
            flat[path] = obj
        elif isinstance(obj, dict):
            for key, value in obj.items():
                walk((*path, key), value)

    for name in (
        "people",
        "outcomes",
        "to_work",
        "to_studies",
        "assessed",
        "progressed",
        "on_support",
        "left_support",
        "new_by_month",
        "exits_by_month",
        "contacts_by_month",
        "contacts_year",
        "outreach_year",
        "attendance_by_month",
        "attendance_year",
    ):
        walk((name,), getattr(counts, name))
    return flat


PEOPLE_MEASURES = ("enrolled", "new", "active_at_end", "exited")


def _people_cells(
    s: Suppressor, raw_by_gender: dict[str, dict[str, int]], keys: list[str]
) -> dict[str, dict[str, Cell]]:
    """Participants by gender; the exits row is shared with the outcome table."""
    people: dict[str, dict[str, Cell]] = {}
    for key in PEOPLE_MEASURES:
        row = {g: s.cell(raw_by_gender.get(g, {}).get(key, 0)) for g in keys}
        row["total"] = s.total(list(row.values()), breakdown=True)
        people[key] = row
    return people


def _outcome_cells(
    s: Suppressor,
    stats: dict[str, Any] | None,
    keys: list[str],
    people: dict[str, dict[str, Cell]],
) -> tuple[dict[str, dict[str, Cell]], dict[str, Cell], dict[str, Cell]]:
    """Outcomes by gender (each gender's column adds up to its exits), and the exits to
    work and to studies."""
    outcomes: dict[str, dict[str, Cell]] = {}
    raw_outcomes = _raw_outcomes(stats)
    for value, _outcome_label in ExitOutcome.choices:
        row = {g: s.cell(raw_outcomes.get((value, g), 0)) for g in keys}
        row["total"] = s.total(list(row.values()), breakdown=True)
        outcomes[value] = row
    for g in [*keys, "total"]:
        s.relate(people["exited"][g], [outcomes[o][g] for o, _x in ExitOutcome.choices])
    to_work = {
        g: s.total([outcomes[ExitOutcome.WORK][g], outcomes[ExitOutcome.WORK_WITH_SUPPORT][g]])
        for g in [*keys, "total"]
    }
    s.relate(to_work["total"], [to_work[g] for g in keys], breakdown=True)
    to_studies = {g: outcomes[ExitOutcome.STUDIES][g] for g in [*keys, "total"]}
    return outcomes, to_work, to_studies


def _flow_cells(
    s: Suppressor, flow: dict[str, Any], keys: list[str], people: dict[str, dict[str, Cell]]
) -> tuple[dict[int, dict[str, Cell]], dict[int, dict[str, Cell]]]:
    """New and exits per month, each month's genders adding up to the month, the months
    to the year."""
    months = flow["months"]
    new_m = {m: {g: s.cell(flow["new"].get(m, {}).get(g, 0)) for g in keys} for m in months}
    exit_m = {m: {g: s.cell(flow["exited"].get(m, {}).get(g, 0)) for g in keys} for m in months}
    for table, year_row in ((new_m, people["new"]), (exit_m, people["exited"])):
        for m in months:
            table[m]["total"] = s.total([table[m][g] for g in keys], breakdown=True)
        for g in [*keys, "total"]:
            s.relate(year_row[g], [table[m][g] for m in months])
    return new_m, exit_m


def _contact_cells(
    s: Suppressor, activity: dict[str, Any], months: list[int], keys: list[str]
) -> tuple[dict[int, dict[str, Cell]], dict[str, Cell]]:
    """Contacts per month: registered and anonymous, by gender."""
    contacts_m: dict[int, dict[str, Cell]] = {}
    for m in months:
        reg = activity["contacts"].get(m, {})
        anon = activity["anonymous"].get(m, {})
        row = {g: s.cell(reg.get(g, 0) + anon.get(g, 0)) for g in keys}
        row["total"] = s.total(list(row.values()), breakdown=True)
        row["anonymous"] = s.cell(sum(anon.values()))
        contacts_m[m] = row
    contacts_year = {g: s.total([contacts_m[m][g] for m in months]) for g in [*keys, "total"]}
    s.relate(contacts_year["total"], [contacts_year[g] for g in keys], breakdown=True)
    contacts_year["anonymous"] = s.total([contacts_m[m]["anonymous"] for m in months])
    return contacts_m, contacts_year


def _attendance_cells(
    s: Suppressor, activity: dict[str, Any], months: list[int], keys: list[str]
) -> tuple[dict[int, dict[str, Cell]], dict[str, Cell]]:
    """Attendance per month: present by gender, absences, and all registered."""
    attendance_m: dict[int, dict[str, Cell]] = {}
    for m in months:
        statuses = activity["attendance"].get(m, {})
        present = statuses.get("present", {})
        row = {g: s.cell(present.get(g, 0)) for g in keys}
        row["total"] = s.total(list(row.values()), breakdown=True)
        row["absent"] = s.cell(
            sum(sum(statuses.get(k, {}).values()) for k in ("absent", "excused"))
        )
        row["registered"] = s.total([row["total"], row["absent"]])
        attendance_m[m] = row
    attendance_year = {
        key: s.total([attendance_m[m][key] for m in months])
        for key in [*keys, "total", "absent", "registered"]
    }
    s.relate(attendance_year["total"], [attendance_year[g] for g in keys], breakdown=True)
    s.relate(attendance_year["registered"], [attendance_year["total"], attendance_year["absent"]])
    return attendance_m, attendance_year


# --------------------------------------------------------------------------- what is shown


def _tiles(page: Page) -> list[dict[str, str]]:
    people = page.counts.people
    single = page.scope.single
    capacity = single.capacity if single is not None else None
    if single is None:
        detail = _("platser per partnerskap i tabellen nedan")
    elif capacity:
        detail = _("av %(n)s platser") % {"n": format_count(capacity)}
    else:
        detail = _("ingen kapacitet angiven")
    return [
        {
            "label": _("Aktiva deltagare"),
            "value": people["active_at_end"]["total"].display,
            "detail": detail,
        },
        {"label": _("Nya under året"), "value": people["new"]["total"].display, "detail": ""},
        {
            "label": _("Avslutade under året"),
            "value": people["exited"]["total"].display,
            "detail": "",
        },
        {
            "label": _("Kontakter under året"),
            "value": page.counts.contacts_year["total"].display,
            "detail": "",
        },
    ]


def _participants_figure(page: Page) -> Figure:
    c, scope = page.counts, page.scope
    measures = [
        ("enrolled", _("Inskrivna under året")),
        ("new", _("Nya")),
        (
            "active_at_end",
            _("Aktiva nu") if scope.until == scope.today else _("Aktiva vid periodens slut"),
        ),
        ("exited", _("Avslutade")),
    ]
    return Figure(
        key="participants",
        title=_("Deltagare"),
        columns=[*c.gender_labels, _("Totalt")],
        rows=[Row(label, [c.people[key][g] for g in c.keys_and_total]) for key, label in measures],
        chart=bar_chart(
            _("Deltagare per kön"),
            [(label, [c.people[key][g] for g in c.keys]) for key, label in measures],
            c.gender_labels,
        ),
        note=_capacity_note(page),
    )


def _capacity_note(page: Page) -> str:
    """Capacity belongs to one agreement: never summed across partnerships (1 000
    Malmökraften places beside 60 of ThaiWISE's would say nothing about either)."""
    scope = page.scope
    if scope.single is None:
        return _("Platser och beläggning per partnerskap: se tabellen Partnerskapen.")
    capacity = scope.single.capacity
    if not capacity:
        return _("Ingen kapacitet angiven i överenskommelsen.")
    occupancy = Share(page.counts.people["active_at_end"]["total"], Cell(capacity))
    return _("Kapacitet: %(cap)s platser. Beläggning: %(occ)s.") % {
        "cap": format_count(capacity),
        "occ": occupancy.display,
    }


def _flow_figure(page: Page) -> Figure:
    c = page.counts
    both = c.keys_and_total
    labels = c.month_labels
    return Figure(
        key="flow",
        title=_("Nya och avslutade per månad"),
        columns=[
            *[_("Nya: %(g)s") % {"g": label} for label in c.gender_labels],
            _("Nya totalt"),
            *[_("Avslut: %(g)s") % {"g": label} for label in c.gender_labels],
            _("Avslut totalt"),
        ],
        rows=[
            Row(
                labels[i],
                [*[c.new_by_month[m][g] for g in both], *[c.exits_by_month[m][g] for g in both]],
            )
            for i, m in enumerate(c.months)
        ],
        footer=[
            Row(
                _("Hela perioden"),
                [*[c.people["new"][g] for g in both], *[c.people["exited"][g] for g in both]],
            )
        ],
        chart=column_chart(
            _("Nya och avslutade per månad"),
            [
                (labels[i], [c.new_by_month[m]["total"], c.exits_by_month[m]["total"]])
                for i, m in enumerate(c.months)
            ],
            [_("Nya totalt"), _("Avslut totalt")],
            width=1000,
            height=240,
        ),
    )


def _outcomes_figure(page: Page) -> Figure:
    c = page.counts
    return Figure(
        key="outcomes",
        title=_("Avslutsorsaker"),
        columns=[*c.gender_labels, _("Totalt")],
        rows=[
            Row(str(label), [c.outcomes[value][g] for g in c.keys_and_total])
            for value, label in ExitOutcome.choices
        ],
        footer=[Row(_("Avslutade"), [c.people["exited"][g] for g in c.keys_and_total])],
        chart=bar_chart(
            _("Avslutsorsaker"),
            [
                (str(label), [c.outcomes[value][g] for g in c.keys])
                for value, label in ExitOutcome.choices
            ],
            c.gender_labels,
        ),
    )


def _goals_figure(page: Page) -> Figure:
    c, targets = page.counts, page.raw["targets"]
    both = c.keys_and_total
    shares = {
        Indicator.Metric.SHARE_TO_WORK: (
            _("Till arbete"),
            {g: Share(c.to_work[g], c.people["exited"][g]) for g in both},
        ),
        Indicator.Metric.SHARE_TO_STUDIES: (
            _("Till studier"),
            {g: Share(c.to_studies[g], c.people["exited"][g]) for g in both},
        ),
        Indicator.Metric.STEP_PROGRESSION: (
            _("Stegförflyttning"),
            {g: Share(c.progressed[g], c.assessed[g]) for g in both},
        ),
    }
    rows = []
    chart_cols = []
    for metric, (label, by_gender) in shares.items():
        target = targets.get(metric)
        rows.append(
            Row(
                label,
                [
                    *[by_gender[g] for g in both],
                    _target_text(target, percent=True),
                    mark(_share_status(by_gender["total"], target)),
                ],
            )
        )
        chart_cols.append((label, [by_gender["total"], _target_datum(target)]))
    if Indicator.Metric.OFF_INCOME_SUPPORT in targets:
        target = targets[Indicator.Metric.OFF_INCOME_SUPPORT]
        share = Share(c.left_support, c.on_support)
        rows.append(
            Row(
                _("Lämnat försörjningsstöd"),
                [
                    *[Text("–", "num") for _g in c.keys],
                    share,
                    _target_text(target, percent=True),
                    mark(_share_status(share, target)),
                ],
            )
        )
        chart_cols.append((_("Lämnat försörjningsstöd"), [share, _target_datum(target)]))
    rows.extend(_count_goal_rows(page))
    return Figure(
        key="goals",
        title=_("Avslut och steg mot målen"),
        columns=[*c.gender_labels, _("Totalt"), _("Mål"), _("Bedömning")],
        rows=rows,
        chart=column_chart(_("Utfall mot mål (procent)"), chart_cols, [_("Totalt"), _("Mål")]),
        note=_goal_note(page.scope),
    )


def _count_goal_rows(page: Page) -> list[Row]:
    """Participants and contacts against their yearly targets, where there are any."""
    c, targets = page.counts, page.raw["targets"]
    rows = []
    for metric, label, cells in (
        (Indicator.Metric.PARTICIPANTS, _("Antal deltagare"), c.people["enrolled"]),
        (Indicator.Metric.CONTACTS, _("Antal kontakter"), c.contacts_year),
        (Indicator.Metric.OUTREACH, _("Uppsökande kontakter"), c.outreach_year),
    ):
        if metric in targets and cells:
            target = targets[metric]
            rows.append(
                Row(
                    label,
                    [
                        *[cells[g] for g in c.keys],
                        cells["total"],
                        _target_text(target, percent=False),
                        mark(_count_status(cells["total"], target, page.scope.elapsed)),
                    ],
                )
            )
    return rows


def _contacts_figure(page: Page) -> Figure:
    c = page.counts
    columns = [*c.keys, "total", "anonymous"]
    return Figure(
        key="contacts",
        title=_("Kontakter per månad"),
        columns=[*c.gender_labels, _("Totalt"), _("varav anonyma")],
        rows=[
            Row(c.month_labels[i], [c.contacts_by_month[m][g] for g in columns])
            for i, m in enumerate(c.months)
        ],
        footer=[Row(_("Hela perioden"), [c.contacts_year[g] for g in columns])],
        chart=column_chart(
            _("Kontakter per månad"),
            [
                (c.month_labels[i], [c.contacts_by_month[m][g] for g in c.keys])
                for i, m in enumerate(c.months)
            ],
            c.gender_labels,
        ),
        note=_(
            "Registrerade kontakter räknas efter deltagarens kön, anonyma uppsökande kontakter efter det kön som noterades."
        ),
    )


def _attendance_figure(page: Page) -> Figure:
    c = page.counts

    def attendance_row(cells: dict[str, Cell]) -> list[Any]:
        return [
            *[cells[g] for g in c.keys],
            cells["total"],
            cells["absent"],
            Share(cells["total"], cells["registered"], also=(cells["absent"],)),
        ]

    by_month = c.attendance_by_month
    return Figure(
        key="attendance",
        title=_("Närvaro per månad"),
        columns=[
            *[_("Närvarande: %(g)s") % {"g": label} for label in c.gender_labels],
            _("Närvarande totalt"),
            _("Frånvarande"),
            _("Närvarograd"),
        ],
        rows=[Row(c.month_labels[i], attendance_row(by_month[m])) for i, m in enumerate(c.months)],
        footer=[Row(_("Hela perioden"), attendance_row(c.attendance_year))],
        chart=column_chart(
            _("Närvaro per månad"),
            [
                (c.month_labels[i], [by_month[m]["total"], by_month[m]["absent"]])
                for i, m in enumerate(c.months)
            ],
            [_("Närvarande totalt"), _("Frånvarande")],
            width=1000,
            height=240,
        ),
    )


# --------------------------------------------------------------------------- helpers


def _raw_participants(stats: dict[str, Any] | None) -> dict[str, dict[str, int]]:
    """participant_statistics' rows keyed by gender value instead of label."""
    if not stats:
        return {}
    by_label = {str(label): value for value, label in Gender.choices}
    return {by_label[row["gender"]]: row for row in stats["by_gender"]}


def _raw_outcomes(stats: dict[str, Any] | None) -> dict[tuple[str, str], int]:
    if not stats:
        return {}
    by_label = {str(label): value for value, label in Gender.choices}
    genders = [by_label[label] for label in stats["outcome_genders"]]
    return {
        (row["value"], gender): n
        for row in stats["outcomes"]
        for gender, n in zip(genders, row["by_gender"], strict=True)
    }


def _targets(scope: Scope) -> dict[str, dict[str, Any]]:
    """The year's target per measured indicator (1 query).

    Across partnerships a target is shown only when every partnership that has one agrees
    on it; otherwise each partnership's own page judges against its own.
    """
    rows = IndicatorTarget.objects.filter(
        indicator__goal__agreement__in=[a.pk for a in scope.agreements],
        year=scope.year,
        indicator__metric__in=[*MEASURED_SHARES, *MEASURED_COUNTS],
    ).values_list(
        "indicator__metric", "target", "indicator__higher_is_better", "indicator__goal__agreement"
    )
    found: dict[str, set[tuple[Decimal, bool]]] = {}
    agreements: dict[str, set[int]] = {}
    for metric, target, higher, agreement_id in rows:
        found.setdefault(metric, set()).add((target, higher))
        agreements.setdefault(metric, set()).add(agreement_id)
    result = {}
    for metric, values in found.items():
        if len(values) == 1:
            target, higher = next(iter(values))
            if len(agreements[metric]) != len(scope.agreements):
                continue  # a target of some partnerships says nothing about all of them together
            result[metric] = {"target": target, "higher_is_better": higher}
    return result


def _target_datum(target: dict[str, Any] | None) -> Datum:
    """A target as the chart draws it, with the text its table shows."""
    if target is None:
        return Datum(None, "–")
    return Datum(target["target"], _target_text(target, percent=True).display)


def _target_text(target: dict[str, Any] | None, *, percent: bool) -> Text:
    if target is None:
        return Text("–", "num", "")
    sign = "≥ " if target["higher_is_better"] else "≤ "
    number = f"{target['target'].normalize():f}".replace(".", ",")
    return Text(sign + number + (" %" if percent else ""), "num", number)


def _share_status(share: Share, target: dict[str, Any] | None) -> str | None:
    if target is None:
        return "none"
    if share.hidden or share.value is None or share.denominator.value < threshold():
        return None
    met = (
        share.value >= target["target"]
        if target["higher_is_better"]
        else share.value <= target["target"]
    )
    return "ok" if met else "behind"


def _count_status(cell: Cell, target: dict[str, Any], elapsed: Decimal) -> str | None:
    """A yearly count target is judged against the part of the year that has passed."""
    if cell.hidden:
        return None
    due = target["target"] * elapsed
    met = cell.value >= due if target["higher_is_better"] else cell.value <= target["target"]
    return "ok" if met else "behind"


def _goal_note(scope: Scope) -> str:
    if scope.single is not None:
        return _(
            "Målvärden från överenskommelsens indikatorer för %(year)s. Antal räknas mot den del av året som gått."
        ) % {"year": scope.year}
    return _(
        "Målvärden visas när alla partnerskap har samma mål; annars bedöms varje partnerskap på sin egen sida."
    )


def _meetings_figure(page: Page) -> Figure | None:
    """Follow-up meetings held against those required (a single partnership's page)."""
    if page.scope.single is None:
        return None
    meetings = page.raw["meetings"]
    return Figure(
        key="meetings",
        title=_("Uppföljningsmöten"),
        columns=[_("Antal")],
        rows=[
            Row(_("Hållna"), [Text(str(meetings["followups_held"]), "num")]),
            Row(_("Krav för året"), [Text(str(meetings["followups_required"]), "num")]),
            Row(_("Planerade"), [Text(str(meetings["followups_planned"]), "num")]),
            Row(_("Bedömning"), [mark("behind" if meetings["behind"] else "ok")]),
        ],
        chart=bar_chart(
            _("Uppföljningsmöten: hållna mot krav"),
            [
                (_("Hållna"), [meetings["followups_held"]]),
                (_("Krav för året"), [meetings["followups_required"]]),
            ],
            [_("Antal")],
            width=480,
        ),
        note=(
            _("Kvartal utan genomfört uppföljningsmöte: %(q)s.")
            % {"q": ", ".join(f"Q{q['quarter']}" for q in meetings["missed_quarters"])}
            if meetings["missed_quarters"]
            else ""
        ),
    )


def _partnerships_figure(page: Page) -> Figure | None:
    """Each partnership's participants, capacity and meetings (the overview)."""
    scope = page.scope
    if scope.single is not None:
        return None
    followups = page.raw["followups"]
    active = page.counts.active_by_agreement
    rows = []
    for agreement in scope.agreements:
        f = followups[agreement.pk]
        occupancy = Share(active[agreement.pk], Cell(agreement.capacity or 0))
        rows.append(
            Row(
                agreement.title,
                [
                    active[agreement.pk],
                    Text(format_count(agreement.capacity) if agreement.capacity else "–", "num"),
                    occupancy,
                    Text(f"{f['held']} / {f['required']}", "num"),
                    mark("behind" if f["behind"] else "ok"),
                ],
                url=reverse("dashboard_detail", args=[agreement.pk]) + f"?year={scope.year}",
            )
        )
    return Figure(
        key="partnerships",
        title=_("Partnerskapen"),
        columns=[
            _("Aktiva deltagare"),
            _("Platser"),
            _("Beläggning"),
            _("Uppföljningsmöten hållna / krav"),
            _("Möten i fas"),
        ],
        rows=rows,
        # Occupancy per agreement: places are never summed across partnerships.
        chart=bar_chart(
            _("Beläggning per partnerskap (procent av platserna)"),
            [(row.label, [row.values[2]]) for row in rows],
            [_("Beläggning")],
        ),
        note=_("Mötena bedöms mot den del av årets krav som gått hittills."),
    )


def _budget_figure(page: Page) -> Figure:
    """Budget for the year, budget so far and actual costs, per partnership."""
    scope, raw = page.scope, page.raw
    rows: list[tuple[Agreement, Decimal, Decimal, bool]]
    if scope.single is not None:
        account = raw["account"]
        rows = (
            [(scope.single, account["total"], account["actual_total"], account["has_actuals"])]
            if account
            else []
        )
    else:
        budgets = raw["budgets"]
        rows = [
            (
                a,
                budgets[a.pk]["total"],
                budgets[a.pk]["actual_total"],
                bool(budgets[a.pk].get("booked")),
            )
            for a in scope.agreements
            if a.pk in budgets
        ]
    return _budget_table(rows, scope)


def _budget_status(actual: Decimal, so_far: Decimal, booked: bool) -> Text:
    """Nothing booked is not "within budget": it says nothing about the spending yet."""
    if not booked:
        return Text(_("Inget utfall bokfört"), "mark muted")
    if actual > so_far:
        return Text(_("✗ Över budget hittills"), "mark bad", _("Över budget hittills"))
    return Text(_("✓ Inom budget hittills"), "mark ok", _("Inom budget hittills"))


def _budget_table(rows: list[tuple[Agreement, Decimal, Decimal, bool]], scope: Scope) -> Figure:
    table = []
    chart_rows = []
    so_far_total = Decimal("0")
    for agreement, total, actual, booked in rows:
        # Each partnership's own period decides how much of its budget is due by now.
        elapsed = (
            scope.elapsed
            if scope.single
            else scope_for([agreement], scope.year, scope.today, agreement).elapsed
        )
        so_far = round_money(total * elapsed)
        so_far_total += so_far
        cells = _budget_cells(total, so_far, actual, booked)
        table.append(Row(agreement.title, [*cells, _budget_status(actual, so_far, booked)]))
        # The chart draws what the table says: no bar of 0 kr where nothing is booked.
        chart_rows.append(
            (
                agreement.title,
                [
                    _money_datum(total),
                    _money_datum(so_far),
                    _money_datum(actual) if booked else Datum(None, cells[2].display),
                ],
            )
        )
    footer = []
    if len(rows) > 1:
        total = sum((r[1] for r in rows), Decimal("0"))
        actual = sum((r[2] for r in rows), Decimal("0"))
        booked = any(r[3] for r in rows)
        footer = [Row(_("Totalt"), [*_budget_cells(total, so_far_total, actual, booked), Text("")])]
    columns = [_("Budget för året"), _("Budget hittills"), _("Utfall hittills")]
    return Figure(
        key="budget",
        title=_("Budget och utfall %(year)s") % {"year": scope.year},
        columns=[*columns, _("Avvikelse mot budget hittills"), _("Bedömning")],
        rows=table,
        footer=footer,
        chart=bar_chart(_("Budget och utfall"), chart_rows, columns, money=True)
        if chart_rows
        else None,
        note=(
            _(
                "”Budget hittills” är årets budget fördelad jämnt över perioden, till och med %(day)s."
            )
            % {"day": scope.until.isoformat()}
            if rows
            else _("Det finns ingen budget för %(year)s.") % {"year": scope.year}
        ),
    )


def _budget_cells(total: Decimal, so_far: Decimal, actual: Decimal, booked: bool) -> list[Text]:
    """Budget, budget so far, actual costs and their deviation from the budget so far, with
    sign and per cent ("+12 000 kr (+2,0 %)"); without booked costs, no actual figure."""
    if not booked:
        return [
            money(total),
            money(so_far),
            Text(_("inget utfall bokfört"), "num muted", ""),
            Text("–", "num", ""),
        ]
    deviation = actual - so_far
    sign = "+" if deviation > 0 else "−" if deviation < 0 else "±"
    percent = figures.percent_of(abs(deviation), so_far) if so_far else None
    text = f"{sign}{format_sek(abs(deviation))}"
    if percent is not None:
        text += f" ({sign}{percent} %)".replace(".", ",")
    return [money(total), money(so_far), money(actual), Text(text, "num", f"{deviation:.2f}")]


def _money_datum(amount: Decimal) -> Datum:
    return Datum(amount, format_sek(amount))


# The dashboard's figures in the order they are shown; a builder returns None for a figure
# its page does not have (meetings on a single partnership's page, the partnerships table
# on the overview). A new figure is a function of the Page added here.
FIGURE_BUILDERS: tuple[Callable[[Page], Figure | None], ...] = (
    _participants_figure,
    _flow_figure,
    _outcomes_figure,
    _goals_figure,
    _contacts_figure,
    _attendance_figure,
    _meetings_figure,
    _partnerships_figure,
    _budget_figure,
)
