"""Every deadline of a user's partnerships, computed in one place.

The start page ("Att göra"), the calendar feed and the e-mail reminders all call
`deadlines_for_user`, so they always list the same deadlines. Nothing here is stored:
deadlines follow from the agreements as they read now, so an extension (which moves the
end date) moves every deadline that hangs on it. Higher apps add kinds of deadline of
their own (the annual reports due, for one) through partnerships.hooks.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import hooks
from .models import (
    ActionItem,
    Agreement,
    Extension,
    Meeting,
    Risk,
    Role,
    User,
    add_months,
    covered_quarters,
    quarter_bounds,
    required_followups,
)

EXTENSION_DECISION = "extension_decision"
AGREEMENT_END = "agreement_end"
AGREEMENT_END_WARNING = "agreement_end_warning"
# The start page warns this many months before an agreement's end date.
END_WARNING_MONTHS = (6, 3)
ACTION_ITEM = "action_item"
FOLLOWUP = "followup"
RISK_REVIEW = "risk_review"
# Who keeps the risk register, and so sees its reviews on the to-do list.
RISK_REVIEWERS = (Role.MANAGER, Role.ADMIN)

KIND_LABELS = {
    EXTENSION_DECISION: gettext_lazy("Beslut om förlängning"),
    AGREEMENT_END: gettext_lazy("Överenskommelsen löper ut"),
    AGREEMENT_END_WARNING: gettext_lazy("Överenskommelsen löper snart ut"),
    ACTION_ITEM: gettext_lazy("Åtgärd"),
    FOLLOWUP: gettext_lazy("Uppföljningsmöte"),
    RISK_REVIEW: gettext_lazy("Översyn av risk"),
}


@dataclass(frozen=True)
class Deadline:
    # Stable across runs: the calendar event's UID and the reminder record's key.
    key: str
    kind: str
    date: datetime.date
    title: str
    agreement_id: int
    agreement_title: str
    url: str
    overdue: bool = False
    detail: str = ""
    # A warning is a date from which to act, never overdue: "six months left".
    warning: bool = False

    @property
    def kind_label(self) -> str:
        if self.kind in KIND_LABELS:
            return str(KIND_LABELS[self.kind])
        labels = {s.kind: s.label for s in hooks.deadline_sources()}
        labels.update({s.kind: s.label for s in hooks.user_deadline_sources()})
        return str(labels[self.kind])

    def days_left(self, today: datetime.date) -> int:
        return (self.date - today).days


def current_warnings(deadlines: list[Deadline], today: datetime.date) -> list[Deadline]:
    """The warnings in force on `today`, the most pressing one per agreement."""
    latest: dict[int, Deadline] = {}
    for d in deadlines:
        if not d.warning or d.date > today:
            continue
        if d.agreement_id not in latest or d.date > latest[d.agreement_id].date:
            latest[d.agreement_id] = d
    return sorted(latest.values(), key=lambda d: (d.date, d.agreement_title))


def deadlines_for_user(
    user: User, *, today: datetime.date | None = None, until: datetime.date | None = None
) -> list[Deadline]:
    """All deadlines of the agreements the user sees, soonest first.

    Upcoming deadlines (from `today` up to `until`, or all of them) and what is already
    overdue but still open: unfinished action items, an extension decision not yet taken
    on an agreement that still runs, and whatever the registered sources
    (partnerships.hooks) count as open, such as unsubmitted annual reports.
    """
    today = today or timezone.localdate()
    own: list[Deadline] = []
    for user_source in hooks.user_deadline_sources():
        own += user_source.deadlines(user, today)
    found = _agreements_deadlines(user, today) + own
    if until is not None:
        found = [d for d in found if d.date <= until]
    found.sort(key=lambda d: (d.date, d.agreement_title, d.kind, d.key))
    return found


def _agreements_deadlines(user: User, today: datetime.date) -> list[Deadline]:
    agreements = list(
        Agreement.objects.visible_to(user)
        .exclude(status__in=(Agreement.Status.DRAFT, Agreement.Status.AWAITING_DECISION))
        .prefetch_related(
            Prefetch("extensions", queryset=Extension.objects.only("pk", "agreement_id"))
        )
        .order_by("pk")
    )
    if not agreements:
        return []
    by_id = {a.pk: a for a in agreements}
    active_ids = [a.pk for a in agreements if a.status == Agreement.Status.ACTIVE]

    found: list[Deadline] = []
    for source in hooks.deadline_sources():
        found += source.deadlines(agreements, today)
    for agreement in agreements:
        found += _agreement_deadlines(agreement, today)

    items = (
        ActionItem.objects.open()
        .filter(meeting__agreement_id__in=active_ids)
        .select_related("meeting")
    )
    for item in items:
        agreement = by_id[item.meeting.agreement_id]
        found.append(
            Deadline(
                key=f"{ACTION_ITEM}:{item.pk}",
                kind=ACTION_ITEM,
                date=item.due_date,
                title=item.description,
                agreement_id=agreement.pk,
                agreement_title=agreement.title,
                url=reverse("meeting_detail", args=[item.meeting_id]),
                overdue=item.due_date < today,
                detail=_("Ansvarig: %(owner)s") % {"owner": item.owner},
            )
        )

    if user.has_role(*RISK_REVIEWERS):
        found += _risk_reviews(active_ids, by_id, today)

    followups: dict[int, list[tuple[datetime.date, str]]] = defaultdict(list)
    for agreement_id, day, status in (
        Meeting.objects.followups()
        .filter(agreement_id__in=active_ids, date__year__gte=today.year)
        .exclude(status=Meeting.Status.CANCELLED)
        .values_list("agreement_id", "date", "status")
    ):
        followups[agreement_id].append((day, status))
    for agreement_id in active_ids:
        found += _followups_owed(by_id[agreement_id], followups[agreement_id], today)
    return found


def _risk_reviews(
    active_ids: list[int], by_id: dict[int, Agreement], today: datetime.date
) -> list[Deadline]:
    """The next review of every risk not closed in the running agreements (1 query); past
    its date it is overdue until the review moves the date on."""
    found = []
    for risk in Risk.objects.active().filter(
        agreement_id__in=active_ids, next_review__isnull=False
    ):
        agreement = by_id[risk.agreement_id]
        found.append(
            Deadline(
                key=f"{RISK_REVIEW}:{agreement.pk}:{risk.pk}",
                kind=RISK_REVIEW,
                date=risk.next_review,
                title=_("Se över risken: %(title)s") % {"title": risk.title},
                agreement_id=agreement.pk,
                agreement_title=agreement.title,
                url=reverse("risk_detail", args=[agreement.pk, risk.pk]),
                overdue=risk.next_review < today,
                detail=_("Grad %(grade)s, ägare %(owner)s")
                % {"grade": risk.get_grade_display(), "owner": risk.owner_person},
            )
        )
    return found


def _agreement_deadlines(agreement: Agreement, today: datetime.date) -> list[Deadline]:
    found: list[Deadline] = []
    url = agreement.get_absolute_url()

    def deadline(
        key: str, kind: str, day: datetime.date, title: str, url: str = url, **extra
    ) -> Deadline:
        return Deadline(
            key=f"{kind}:{agreement.pk}:{key}",
            kind=kind,
            date=day,
            title=title,
            agreement_id=agreement.pk,
            agreement_title=agreement.title,
            url=url,
            overdue=day < today and not extra.get("warning"),
            **extra,
        )

    # An agreement past its end date has ended, even before end_expired_agreements ran.
    if agreement.status_on(today) != Agreement.Status.ACTIVE:
        return found
    for months in END_WARNING_MONTHS:
        warn_from = add_months(agreement.end_date, -months)
        if warn_from < agreement.start_date:
            continue
        found.append(
            deadline(
                f"{months}m",
                AGREEMENT_END_WARNING,
                warn_from,
                ngettext(
                    "%(n)s månad kvar till slutdatum %(end)s",
                    "%(n)s månader kvar till slutdatum %(end)s",
                    months,
                )
                % {"n": months, "end": agreement.end_date.isoformat()},
                warning=True,
                detail=(
                    _("Besluta om förlängning, eller förbered en ny överenskommelse.")
                    if agreement.extensions_left()
                    else _("Inga förlängningar kvar: förbered en ny överenskommelse.")
                ),
            )
        )
    decide_by = agreement.extension_decision_deadline()
    if decide_by is not None and agreement.end_date >= today:
        found.append(
            deadline(
                # Keyed by the option, so the next option after an extension is a new deadline.
                str(agreement.extensions_used() + 1),
                EXTENSION_DECISION,
                decide_by,
                _("Ska överenskommelsen förlängas efter %(end)s?")
                % {"end": agreement.end_date.isoformat()},
            )
        )
    found.append(
        deadline(
            "end",
            AGREEMENT_END,
            agreement.end_date,
            _("Slutdatum %(end)s") % {"end": agreement.end_date.isoformat()},
        )
    )
    return found


def _followups_owed(
    agreement: Agreement, meetings: list[tuple[datetime.date, str]], today: datetime.date
) -> list[Deadline]:
    """Follow-up meetings still owed, one deadline per quarter (its last day).

    Counted per calendar year: by the end of each quarter, the year's share of the required
    meetings must be held or planned. A shortfall from a quarter that has passed is owed in
    the current quarter; a new year starts from zero.
    """
    found: list[Deadline] = []
    if agreement.followups_per_year == 0:
        return found
    for year in range(max(today.year, agreement.start_date.year), agreement.end_date.year + 1):
        quarters = covered_quarters(agreement, year)
        listed = 0
        for index, quarter in enumerate(quarters, start=1):
            first, last = quarter_bounds(year, quarter)
            if last < today:
                continue
            last = min(last, agreement.end_date)
            counted = sum(
                1
                for day, status in meetings
                if day.year == year
                and day <= last
                and (status == Meeting.Status.HELD or day >= today)
            )
            owed = required_followups(agreement, year, index) - counted - listed
            if owed <= 0:
                continue
            listed += owed
            found.append(
                Deadline(
                    key=f"{FOLLOWUP}:{agreement.pk}:{year}Q{quarter}",
                    kind=FOLLOWUP,
                    date=last,
                    title=ngettext(
                        "%(n)s uppföljningsmöte behöver hållas under kvartal %(q)s %(year)s",
                        "%(n)s uppföljningsmöten behöver hållas under kvartal %(q)s %(year)s",
                        owed,
                    )
                    % {"n": owed, "q": quarter, "year": year},
                    agreement_id=agreement.pk,
                    agreement_title=agreement.title,
                    url=reverse("meeting_list", args=[agreement.pk]),
                    detail=_("%(req)s uppföljningsmöten per år enligt överenskommelsen")
                    % {"req": agreement.followups_per_year},
                )
            )
    return found
