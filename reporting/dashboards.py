"""Steering-group dashboards: where each partnership stands, without exposing anyone.

The numbers come from reporting/figures.py (the one place each figure is computed); this
module only arranges them into tables and charts and protects small numbers:

* Primary suppression: a count of people (participants, exits, contacts, attendance) from
  1 up to the threshold (settings.IOP_SUPPRESSION_THRESHOLD, 5) is shown as "<5". A zero
  is shown: it belongs to no one, and hiding it would hide every total of a partnership
  that serves women only.
* Secondary suppression: every table registers which cells add up to which (gender
  columns to their total, months to the year, outcomes to the exits). Whenever exactly
  one cell of such a sum is hidden, it could be worked out from the others, so the
  smallest other non-zero cell is hidden as well ("*"), until no sum has a single hidden
  cell. Sums shared between tables (the exits by gender are both a row of the participant
  table and the bottom line of the outcome table) are the same Cell objects, so hiding
  holds across the whole page and the CSV.
* A percentage is hidden when its numerator or denominator is.

Meetings, money, capacity and deadlines are about the partnership, not about people, and
are never suppressed. Nothing on a dashboard links to a participant.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from participants.models import ExitOutcome, Gender
from partnerships.deadlines import deadlines_for_user
from partnerships.models import Agreement, Indicator, IndicatorTarget, User, format_sek, round_money

from . import figures
from .charts import bar_chart, column_chart

# Indicators the dashboard can measure, in the order they are shown.
MEASURED_SHARES = (
    Indicator.Metric.SHARE_TO_WORK,
    Indicator.Metric.SHARE_TO_STUDIES,
    Indicator.Metric.STEP_PROGRESSION,
    Indicator.Metric.OFF_INCOME_SUPPORT,
)
MEASURED_COUNTS = (Indicator.Metric.PARTICIPANTS, Indicator.Metric.CONTACTS)
NEXT_DEADLINES = 6


def threshold() -> int:
    return settings.IOP_SUPPRESSION_THRESHOLD


# --------------------------------------------------------------------------- values


def _int(n: int) -> str:
    # Thin groups as in "1 670 400", matching format_sek.
    return f"{n:,}".replace(",", "\u00a0")


@dataclass(eq=False)
class Cell:
    """A count of people (or of what they did) that may have to be hidden."""

    value: int
    primary: bool = False
    secondary: bool = False

    @property
    def hidden(self) -> bool:
        return self.primary or self.secondary

    @property
    def display(self) -> str:
        if self.primary:
            return f"<{threshold()}"
        if self.secondary:
            return "*"
        return _int(self.value)

    @property
    def csv(self) -> str:
        return self.display.replace("\u00a0", "")

    @property
    def chart(self) -> int | str:
        return self.display if self.hidden else self.value

    css = "num count"


@dataclass(eq=False)
class Share:
    """A percentage of two cells (and hidden with them)."""

    numerator: Cell
    denominator: Cell
    # Further cells the percentage would give away (e.g. absences beside attendance).
    also: tuple[Cell, ...] = ()

    @property
    def value(self) -> Decimal | None:
        return figures.percent_of(self.numerator.value, self.denominator.value)

    @property
    def hidden(self) -> bool:
        return any(c.hidden for c in (self.numerator, self.denominator, *self.also))

    @property
    def display(self) -> str:
        if self.hidden:
            return "*"
        if self.value is None:
            return "–"
        return f"{self.value} %".replace(".", ",")

    @property
    def csv(self) -> str:
        if self.hidden:
            return "*"
        return "" if self.value is None else str(self.value).replace(".", ",")

    @property
    def chart(self) -> Decimal | str:
        if self.hidden:
            return "*"
        return self.value if self.value is not None else Decimal("0")

    css = "num"


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


class Suppressor:
    """Collects the page's cells and the sums between them, then hides what must be hidden."""

    def __init__(self) -> None:
        self.cells: list[Cell] = []
        self.sums: list[list[Cell]] = []

    def cell(self, value: int | None) -> Cell:
        cell = Cell(int(value or 0))
        self.cells.append(cell)
        return cell

    def total(self, parts: list[Cell]) -> Cell:
        cell = self.cell(sum(p.value for p in parts))
        self.relate(cell, parts)
        return cell

    def relate(self, total: Cell, parts: list[Cell]) -> None:
        # A relation that does not hold exactly (a participant counted once in the year
        # but in two months) cannot be used to work a cell out, so it is not registered.
        if len(parts) > 1 and total.value == sum(p.value for p in parts):
            self.sums.append([total, *parts])

    def apply(self) -> None:
        limit = threshold()
        for cell in self.cells:
            cell.primary = 0 < cell.value < limit
        changed = True
        while changed:
            changed = False
            for members in self.sums:
                if sum(1 for m in members if m.hidden) != 1:
                    continue
                # Hide the smallest other count; prefer a part over the total.
                candidates = [
                    (m.value, index == 0, index)
                    for index, m in enumerate(members)
                    if not m.hidden and m.value > 0
                ]
                if candidates:
                    members[min(candidates)[2]].secondary = True
                    changed = True


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
    agreements: list[Agreement], year: int, today: datetime.date, single: Agreement | None = None
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
    return Scope(agreements=agreements, year=year, single=single, start=start, end=end, today=today)


def fetch_figures(scope: Scope) -> dict[str, Any]:
    """The figures a dashboard is built from, from reporting.figures (a fixed number of
    queries), kept for settings.IOP_DASHBOARD_CACHE_SECONDS.

    Counting a year of contacts of many partnerships takes the database a noticeable
    moment; steering groups look at the same figures again and again, and a few minutes'
    delay does not matter to them. The key holds the day, so "so far" moves on at midnight.
    """
    seconds = settings.IOP_DASHBOARD_CACHE_SECONDS
    ids = ",".join(str(a.pk) for a in scope.agreements)
    kind = "single" if scope.single else "all"
    digest = hashlib.sha256(f"{kind}:{ids}".encode()).hexdigest()[:32]
    key = f"dashboard:{digest}:{scope.year}:{scope.until.isoformat()}:{translation.get_language()}"
    if seconds:
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
        "targets": _targets(scope),
    }
    if scope.started:
        raw["stats"] = figures.participant_statistics(which, start, until)
        raw["steps"] = figures.step_progression_by_gender(which, start, until)
        raw["flow"] = figures.monthly_participant_flow(which, start, until)
        raw["activity"] = figures.monthly_activity(which, start, until)
    if scope.single is not None:
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


def build_dashboard(scope: Scope, user: User) -> dict[str, Any]:
    """Every table, chart and mark of one dashboard page, suppressed and ready to render.

    Runs a fixed number of queries whatever the number of partnerships or participants.
    """
    s = Suppressor()
    result: dict[str, Any] = {
        "scope": scope,
        "figures": [],
        "tiles": [],
        "not_started": not scope.started,
    }
    if not scope.agreements:
        return result

    raw = fetch_figures(scope)
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
    gender_labels = [label for _v, label in genders]
    total_label = _("Totalt")

    # Participants by gender; the exits row is shared with the outcome table.
    measures = [
        ("enrolled", _("Inskrivna under året")),
        ("new", _("Nya")),
        (
            "active_at_end",
            _("Aktiva nu") if scope.until == scope.today else _("Aktiva vid periodens slut"),
        ),
        ("exited", _("Avslutade")),
    ]
    people: dict[str, dict[str, Cell]] = {}
    for key, _label in measures:
        row = {g: s.cell(raw_by_gender.get(g, {}).get(key, 0)) for g, _l in genders}
        row["total"] = s.total(list(row.values()))
        people[key] = row

    # Outcomes by gender; each gender's column adds up to its exits.
    outcome_cells: dict[str, dict[str, Cell]] = {}
    raw_outcomes = _raw_outcomes(stats)
    for value, _outcome_label in ExitOutcome.choices:
        row = {g: s.cell(raw_outcomes.get((value, g), 0)) for g, _l in genders}
        row["total"] = s.total(list(row.values()))
        outcome_cells[value] = row
    for g, _l in [*genders, ("total", "")]:
        s.relate(people["exited"][g], [outcome_cells[o][g] for o, _x in ExitOutcome.choices])
    to_work = {
        g: s.total(
            [outcome_cells[ExitOutcome.WORK][g], outcome_cells[ExitOutcome.WORK_WITH_SUPPORT][g]]
        )
        for g, _l in [*genders, ("total", "")]
    }
    s.relate(to_work["total"], [to_work[g] for g, _l in genders])
    to_studies = {g: outcome_cells[ExitOutcome.STUDIES][g] for g, _l in [*genders, ("total", "")]}

    # Step progression by gender.
    assessed = {g: s.cell(steps.get(g, {}).get("assessed", 0)) for g, _l in genders}
    assessed["total"] = s.total(list(assessed.values()))
    progressed = {g: s.cell(steps.get(g, {}).get("progressed", 0)) for g, _l in genders}
    progressed["total"] = s.total(list(progressed.values()))

    # Off income support: counted for all genders together by participant_statistics.
    on_support = s.cell(stats["on_income_support_at_start"] if stats else 0)
    left_support = s.cell(stats["left_income_support"] if stats else 0)

    # Months: new and exits, each month's genders adding up to the month, the months to the year.
    months = flow["months"]
    new_m = {m: {g: s.cell(flow["new"].get(m, {}).get(g, 0)) for g, _l in genders} for m in months}
    exit_m = {
        m: {g: s.cell(flow["exited"].get(m, {}).get(g, 0)) for g, _l in genders} for m in months
    }
    for table, year_row in ((new_m, people["new"]), (exit_m, people["exited"])):
        for m in months:
            table[m]["total"] = s.total([table[m][g] for g, _l in genders])
        for g, _l in [*genders, ("total", "")]:
            s.relate(year_row[g], [table[m][g] for m in months])

    # Contacts per month: registered and anonymous, by gender.
    contacts_m: dict[int, dict[str, Cell]] = {}
    for m in months:
        reg = activity["contacts"].get(m, {})
        anon = activity["anonymous"].get(m, {})
        row = {g: s.cell(reg.get(g, 0) + anon.get(g, 0)) for g, _l in genders}
        row["total"] = s.total(list(row.values()))
        row["anonymous"] = s.cell(sum(anon.values()))
        contacts_m[m] = row
    contacts_year = {
        g: s.total([contacts_m[m][g] for m in months]) for g, _l in [*genders, ("total", "")]
    }
    s.relate(contacts_year["total"], [contacts_year[g] for g, _l in genders])
    contacts_year["anonymous"] = s.total([contacts_m[m]["anonymous"] for m in months])

    # Attendance per month: present by gender, absences, and the rate.
    attendance_m: dict[int, dict[str, Cell]] = {}
    for m in months:
        statuses = activity["attendance"].get(m, {})
        present = statuses.get("present", {})
        row = {g: s.cell(present.get(g, 0)) for g, _l in genders}
        row["total"] = s.total(list(row.values()))
        row["absent"] = s.cell(
            sum(sum(statuses.get(k, {}).values()) for k in ("absent", "excused"))
        )
        row["registered"] = s.total([row["total"], row["absent"]])
        attendance_m[m] = row
    attendance_year = {
        key: s.total([attendance_m[m][key] for m in months])
        for key in [*(g for g, _l in genders), "total", "absent", "registered"]
    }
    s.relate(attendance_year["total"], [attendance_year[g] for g, _l in genders])
    s.relate(attendance_year["registered"], [attendance_year["total"], attendance_year["absent"]])

    # Per partnership (overview): participants active now.
    active_by_agreement: dict[int, Cell] = {}
    if scope.single is None:
        raw_active = raw["active_by_agreement"]
        active_by_agreement = {a.pk: s.cell(raw_active.get(a.pk, 0)) for a in scope.agreements}
        s.relate(people["active_at_end"]["total"], list(active_by_agreement.values()))

    s.apply()

    # ---------------------------------------------------------------- what is shown
    G = [g for g, _l in genders]
    columns = [*gender_labels, total_label]
    capacity = _capacity(scope)
    active_total = people["active_at_end"]["total"]

    result["tiles"] = [
        {
            "label": _("Aktiva deltagare"),
            "value": active_total.display,
            "detail": _("av %(n)s platser") % {"n": _int(capacity)}
            if capacity
            else _("ingen kapacitet angiven"),
        },
        {"label": _("Nya under året"), "value": people["new"]["total"].display, "detail": ""},
        {
            "label": _("Avslutade under året"),
            "value": people["exited"]["total"].display,
            "detail": "",
        },
        {"label": _("Kontakter under året"), "value": contacts_year["total"].display, "detail": ""},
    ]

    occupancy_cap = Cell(capacity or 0)
    occupancy = Share(active_total, occupancy_cap)
    result["figures"].append(
        Figure(
            key="participants",
            title=_("Deltagare mot kapacitet"),
            columns=columns,
            rows=[Row(label, [people[key][g] for g in [*G, "total"]]) for key, label in measures],
            chart=column_chart(
                _("Aktiva deltagare mot kapacitet"),
                [(_("Aktiva"), [active_total.chart]), (_("Platser"), [capacity or 0])],
                [_("Antal")],
                width=320,
                height=200,
            ),
            note=(
                _("Kapacitet: %(cap)s platser. Beläggning: %(occ)s.")
                % {"cap": _int(capacity), "occ": occupancy.display}
                if capacity
                else _("Ingen kapacitet angiven i överenskommelsen.")
            ),
        )
    )

    month_labels = [month_label(m) for m in months]
    result["figures"].append(
        Figure(
            key="flow",
            title=_("Nya och avslutade per månad"),
            columns=[
                *[_("Nya: %(g)s") % {"g": label} for label in gender_labels],
                _("Nya totalt"),
                *[_("Avslut: %(g)s") % {"g": label} for label in gender_labels],
                _("Avslut totalt"),
            ],
            rows=[
                Row(
                    month_labels[i],
                    [*[new_m[m][g] for g in [*G, "total"]], *[exit_m[m][g] for g in [*G, "total"]]],
                )
                for i, m in enumerate(months)
            ],
            footer=[
                Row(
                    _("Hela perioden"),
                    [
                        *[people["new"][g] for g in [*G, "total"]],
                        *[people["exited"][g] for g in [*G, "total"]],
                    ],
                )
            ],
            chart=column_chart(
                _("Nya och avslutade per månad"),
                [
                    (month_labels[i], [new_m[m]["total"].chart, exit_m[m]["total"].chart])
                    for i, m in enumerate(months)
                ],
                [_("Nya"), _("Avslutade")],
                width=1000,
                height=240,
            ),
        )
    )

    result["figures"].append(
        Figure(
            key="outcomes",
            title=_("Avslutsorsaker"),
            columns=columns,
            rows=[
                Row(str(label), [outcome_cells[value][g] for g in [*G, "total"]])
                for value, label in ExitOutcome.choices
            ],
            footer=[Row(_("Avslutade"), [people["exited"][g] for g in [*G, "total"]])],
            chart=column_chart(
                _("Avslutsorsaker"),
                [
                    (str(label), [outcome_cells[value][g].chart for g in G])
                    for value, label in ExitOutcome.choices
                ],
                gender_labels,
            ),
        )
    )

    targets = raw["targets"]
    shares = {
        Indicator.Metric.SHARE_TO_WORK: (
            _("Till arbete"),
            {g: Share(to_work[g], people["exited"][g]) for g in [*G, "total"]},
        ),
        Indicator.Metric.SHARE_TO_STUDIES: (
            _("Till studier"),
            {g: Share(to_studies[g], people["exited"][g]) for g in [*G, "total"]},
        ),
        Indicator.Metric.STEP_PROGRESSION: (
            _("Stegförflyttning"),
            {g: Share(progressed[g], assessed[g]) for g in [*G, "total"]},
        ),
    }
    goal_rows = []
    chart_cols = []
    for metric, (label, by_gender) in shares.items():
        target = targets.get(metric)
        goal_rows.append(
            Row(
                label,
                [
                    *[by_gender[g] for g in [*G, "total"]],
                    _target_text(target, percent=True),
                    mark(_share_status(by_gender["total"], target)),
                ],
            )
        )
        chart_cols.append((label, [by_gender["total"].chart, target["target"] if target else "–"]))
    if Indicator.Metric.OFF_INCOME_SUPPORT in targets:
        target = targets[Indicator.Metric.OFF_INCOME_SUPPORT]
        share = Share(left_support, on_support)
        goal_rows.append(
            Row(
                _("Lämnat försörjningsstöd"),
                [
                    *[Text("–", "num") for _g in G],
                    share,
                    _target_text(target, percent=True),
                    mark(_share_status(share, target)),
                ],
            )
        )
        chart_cols.append((_("Lämnat försörjningsstöd"), [share.chart, target["target"]]))
    for metric, label, cells in (
        (Indicator.Metric.PARTICIPANTS, _("Antal deltagare"), people["enrolled"]),
        (Indicator.Metric.CONTACTS, _("Antal kontakter"), contacts_year),
    ):
        if metric in targets:
            target = targets[metric]
            goal_rows.append(
                Row(
                    label,
                    [
                        *[cells[g] for g in G],
                        cells["total"],
                        _target_text(target, percent=False),
                        mark(_count_status(cells["total"], target, scope.elapsed)),
                    ],
                )
            )
    result["figures"].append(
        Figure(
            key="goals",
            title=_("Avslut och steg mot målen"),
            columns=[*gender_labels, total_label, _("Mål"), _("Bedömning")],
            rows=goal_rows,
            chart=column_chart(
                _("Utfall mot mål (procent)"), chart_cols, [_("Utfall %"), _("Mål %")]
            ),
            note=_goal_note(scope),
        )
    )

    result["figures"].append(
        Figure(
            key="contacts",
            title=_("Kontakter per månad"),
            columns=[*gender_labels, total_label, _("varav anonyma")],
            rows=[
                Row(month_labels[i], [contacts_m[m][g] for g in [*G, "total", "anonymous"]])
                for i, m in enumerate(months)
            ],
            footer=[
                Row(_("Hela perioden"), [contacts_year[g] for g in [*G, "total", "anonymous"]])
            ],
            chart=column_chart(
                _("Kontakter per månad"),
                [
                    (month_labels[i], [contacts_m[m][g].chart for g in G])
                    for i, m in enumerate(months)
                ],
                gender_labels,
            ),
            note=_(
                "Registrerade kontakter räknas efter deltagarens kön, anonyma uppsökande kontakter efter det kön som noterades."
            ),
        )
    )

    def attendance_row(cells: dict[str, Cell]) -> list[Any]:
        return [
            *[cells[g] for g in G],
            cells["total"],
            cells["absent"],
            Share(cells["total"], cells["registered"], also=(cells["absent"],)),
        ]

    result["figures"].append(
        Figure(
            key="attendance",
            title=_("Närvaro per månad"),
            columns=[
                *[_("Närvarande: %(g)s") % {"g": label} for label in gender_labels],
                _("Närvarande totalt"),
                _("Frånvarande"),
                _("Närvarograd"),
            ],
            rows=[
                Row(month_labels[i], attendance_row(attendance_m[m])) for i, m in enumerate(months)
            ],
            footer=[Row(_("Hela perioden"), attendance_row(attendance_year))],
            chart=column_chart(
                _("Närvaro per månad"),
                [
                    (
                        month_labels[i],
                        [attendance_m[m]["total"].chart, attendance_m[m]["absent"].chart],
                    )
                    for i, m in enumerate(months)
                ],
                [_("Närvarande"), _("Frånvarande")],
                width=1000,
                height=240,
            ),
        )
    )

    if scope.single is not None:
        result["figures"].extend(_single_meetings_and_budget(scope, raw))
    else:
        result["figures"].extend(_overview_partnerships(scope, raw, active_by_agreement))

    ids = {a.pk for a in scope.agreements}
    result["deadlines"] = [
        d for d in deadlines_for_user(user, today=scope.today) if d.agreement_id in ids
    ][:NEXT_DEADLINES]
    result["threshold"] = threshold()
    result["suppressor"] = s
    return result


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


def _capacity(scope: Scope) -> int:
    return sum(a.capacity or 0 for a in scope.agreements)


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


def _single_meetings_and_budget(scope: Scope, raw: dict[str, Any]) -> list[Figure]:
    agreement = scope.single
    assert agreement is not None
    meetings = raw["meetings"]
    result = [
        Figure(
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
                [_("Möten")],
                width=480,
            ),
            note=(
                _("Kvartal utan genomfört uppföljningsmöte: %(q)s.")
                % {"q": ", ".join(f"Q{q['quarter']}" for q in meetings["missed_quarters"])}
                if meetings["missed_quarters"]
                else ""
            ),
        )
    ]
    account = raw["account"]
    result.append(
        _budget_figure(
            [(agreement, account["total"], account["actual_total"])] if account else [], scope
        )
    )
    return result


def _budget_figure(rows: list[tuple[Agreement, Decimal, Decimal]], scope: Scope) -> Figure:
    table = []
    chart_rows = []
    so_far_total = Decimal("0")
    for agreement, total, actual in rows:
        # Each partnership's own period decides how much of its budget is due by now.
        elapsed = (
            scope.elapsed
            if scope.single
            else scope_for([agreement], scope.year, scope.today, agreement).elapsed
        )
        so_far = round_money(total * elapsed)
        so_far_total += so_far
        table.append(
            Row(
                agreement.title,
                [
                    money(total),
                    money(so_far),
                    money(actual),
                    Text(
                        f"{figures.percent_of(actual, so_far)} %".replace(".", ",")
                        if so_far
                        else "–",
                        "num",
                    ),
                    Text(_("Över budget hittills"), "mark bad")
                    if actual > so_far
                    else Text(_("Inom budget"), "mark ok"),
                ],
            )
        )
        chart_rows.append(
            (
                agreement.title if scope.single is None else _("Budget och utfall"),
                [total, so_far, actual],
            )
        )
    footer = []
    if len(rows) > 1:
        total = sum((r[1] for r in rows), Decimal("0"))
        actual = sum((r[2] for r in rows), Decimal("0"))
        so_far = so_far_total
        footer = [
            Row(
                _("Totalt"),
                [
                    money(total),
                    money(so_far),
                    money(actual),
                    Text(
                        f"{figures.percent_of(actual, so_far)} %".replace(".", ",")
                        if so_far
                        else "–",
                        "num",
                    ),
                    Text(""),
                ],
            )
        ]
    return Figure(
        key="budget",
        title=_("Budget och utfall %(year)s") % {"year": scope.year},
        columns=[
            _("Budget för året"),
            _("Budget hittills"),
            _("Utfall hittills"),
            _("Andel av budget hittills"),
            _("Bedömning"),
        ],
        rows=table,
        footer=footer,
        chart=bar_chart(
            _("Budget och utfall"),
            chart_rows,
            [_("Budget för året"), _("Budget hittills"), _("Utfall")],
            money=True,
        )
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


def _overview_partnerships(
    scope: Scope, raw: dict[str, Any], active: dict[int, Cell]
) -> list[Figure]:
    followups, budgets = raw["followups"], raw["budgets"]
    rows = []
    for agreement in scope.agreements:
        f = followups[agreement.pk]
        occupancy = Share(active[agreement.pk], Cell(agreement.capacity or 0))
        rows.append(
            Row(
                agreement.title,
                [
                    active[agreement.pk],
                    Text(_int(agreement.capacity) if agreement.capacity else "–", "num"),
                    occupancy,
                    Text(f"{f['held']} / {f['required']}", "num"),
                    mark("behind" if f["behind"] else "ok"),
                ],
                url=reverse("dashboard_detail", args=[agreement.pk]) + f"?year={scope.year}",
            )
        )
    partnership_figure = Figure(
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
        chart=bar_chart(
            _("Uppföljningsmöten: hållna mot krav"),
            [
                (a.title, [followups[a.pk]["held"], followups[a.pk]["required"]])
                for a in scope.agreements
            ],
            [_("Hållna"), _("Krav för året")],
        ),
        note=_("Mötena bedöms mot den del av årets krav som gått hittills."),
    )
    budget_rows = [
        (a, budgets[a.pk]["total"], budgets[a.pk]["actual_total"])
        for a in scope.agreements
        if a.pk in budgets
    ]
    return [partnership_figure, _budget_figure(budget_rows, scope)]
