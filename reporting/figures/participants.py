"""Participants: enrolments, exits, steps, contacts and attendance, per period and month.

Each participant figure is defined once, as a filter over the enrolments active in the
period (enrolments_in_period). participant_statistics and step_progression count with
these filters, inside grouped aggregates so that the query count stays fixed, and the
annual report's drill-down (figure_enrolments) lists the enrolments behind a figure with
the very same filter, so that a list can never disagree with the number it explains. The
counts read the enrolments' narrow rows (reporting_enrolmentrow, kept by the database,
reporting/rollup.py), which have the same column names; the drill-down reads the
enrolments themselves, and tests/test_enrolment_rollup.py holds the two equal.

The dashboard functions at the end break the same counts down further (per month, per
gender, per partnership), still in the database and in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, FilteredRelation, Q, QuerySet, Sum, When
from django.db.models.functions import ExtractMonth

from participants.models import (
    AnonymousContactCount,
    Attendance,
    Contact,
    Enrolment,
    EnrolmentQuerySet,
    ExitOutcome,
    Gender,
    IncomeSource,
)

from ..models import AttendanceDay, ContactDay, EnrolmentRow
from .common import ZERO, by_agreement, percent_of


def _gender_labels() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Gender.choices]


def enrolments_in_period(
    agreements: Any, start: datetime.date, end: datetime.date
) -> EnrolmentQuerySet:
    """Enrolments in `agreements` active at some point in [start, end]: the population
    every participant figure of the period is counted in."""
    return Enrolment.objects.filter(by_agreement(agreements)).active_between(start, end)


def _rows_in_period(
    agreements: Any, start: datetime.date, end: datetime.date
) -> QuerySet[EnrolmentRow]:
    """enrolments_in_period as their narrow rows (reporting/rollup.py: one per enrolment,
    with the participant's gender, kept by the database): what the counts read, without
    joining every enrolment of the period to its participant. The same filter as
    EnrolmentQuerySet.active_between, on the same column names, so every figure's Q
    applies to both (tests/test_enrolment_rollup.py holds them equal)."""
    return EnrolmentRow.objects.filter(
        by_agreement(agreements),
        Q(start_date__lte=end),
        Q(exit_date__isnull=True) | Q(exit_date__gte=start),
    )


def _exited(start: datetime.date, end: datetime.date) -> Q:
    return Q(exit_date__range=(start, end))


def _on_income_support_at_start(start: datetime.date, end: datetime.date) -> Q:
    return _exited(start, end) & Q(income_at_start=IncomeSource.INCOME_SUPPORT)


def _left_income_support(start: datetime.date, end: datetime.date) -> Q:
    return _on_income_support_at_start(start, end) & ~Q(
        income_at_exit__in=(IncomeSource.INCOME_SUPPORT, "", IncomeSource.UNKNOWN)
    )


def _to_work(start: datetime.date, end: datetime.date) -> Q:
    return _exited(start, end) & Q(
        exit_outcome__in=(ExitOutcome.WORK, ExitOutcome.WORK_WITH_SUPPORT)
    )


def _to_studies(start: datetime.date, end: datetime.date) -> Q:
    return _exited(start, end) & Q(exit_outcome=ExitOutcome.STUDIES)


# Figure key -> (filter on enrolments_in_period, whether the figure counts distinct
# participants rather than enrolments). The keys appear in drill-down URLs.
ENROLMENT_FIGURES: dict[str, tuple[Any, bool]] = {
    "enrolled": (lambda start, end: Q(), True),
    "new": (lambda start, end: Q(start_date__range=(start, end)), True),
    "active_at_end": (lambda start, end: Q(exit_date__isnull=True) | Q(exit_date__gt=end), True),
    "exited": (_exited, False),
    "to_work": (_to_work, False),
    "to_studies": (_to_studies, False),
    "on_income_support_at_start": (_on_income_support_at_start, False),
    "left_income_support": (_left_income_support, False),
}

# Filters on _with_first_and_last_step (enrolments_in_period, one row per enrolment, with
# the first and latest assessed step); these count enrolments.
STEP_FIGURES: dict[str, Q] = {
    "assessed": Q(first_step__isnull=False),
    "progressed": Q(last_step__gt=F("first_step")),
    "regressed": Q(last_step__lt=F("first_step")),
}

FIGURE_KEYS = (*ENROLMENT_FIGURES, *STEP_FIGURES)


def _figure_count(key: str, start: datetime.date, end: datetime.date) -> Count:
    """The aggregate that counts figure `key` over enrolments_in_period."""
    condition, per_participant = ENROLMENT_FIGURES[key]
    q = condition(start, end)
    if per_participant:
        return Count("participant", filter=q or None, distinct=True)
    return Count("pk", filter=q or None)


def figure_enrolments(
    agreements: Any,
    start: datetime.date,
    end: datetime.date,
    key: str,
    *,
    gender: str = "",
    outcome: str = "",
) -> EnrolmentQuerySet:
    """The enrolments counted in figure `key` for [start, end], optionally only those of
    participants of one gender and, for exits, one exit outcome. Raises KeyError for a key
    that is not a figure."""
    if key in STEP_FIGURES:
        # A plain queryset of the same enrolments (without the join to the step spans)
        # is what callers can go on filtering and joining.
        counted = _with_first_and_last_step(agreements, start, end).filter(STEP_FIGURES[key])
        enrolments = Enrolment.objects.filter(pk__in=counted.values("pk"))
    else:
        condition, _per_participant = ENROLMENT_FIGURES[key]
        enrolments = enrolments_in_period(agreements, start, end).filter(condition(start, end))
    if gender:
        enrolments = enrolments.filter(participant__gender=gender)
    if outcome:
        enrolments = enrolments.filter(exit_outcome=outcome)
    return enrolments


def figure_counts_participants(key: str) -> bool:
    """Whether figure `key` counts distinct participants (else enrolments)."""
    return key in ENROLMENT_FIGURES and ENROLMENT_FIGURES[key][1]


def participant_statistics(
    agreements: Any, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """Participants enrolled, new, active at the end and exited in [start, end], by gender;
    exits by outcome and gender; share to work and studies; off income support (2 queries).

    Counted from the enrolment rows with the filters figure_enrolments lists."""
    # Any: the stubs' typed dicts of values() know nothing of the annotated figure keys.
    in_period: Any = _rows_in_period(agreements, start, end)
    keys = ("enrolled", "new", "active_at_end", "exited")
    per_gender = {
        row["gender"]: row
        for row in in_period.values("gender").annotate(
            **{k: _figure_count(k, start, end) for k in keys}
        )
    }
    genders = _gender_labels()
    rows = [
        {
            "gender": label,
            "gender_value": value,
            **{k: per_gender.get(value, {}).get(k, 0) for k in keys},
        }
        for value, label in genders
        if value in per_gender or value in ("woman", "man")
    ]
    totals = {k: sum(row[k] for row in rows) for k in keys}

    exit_keys = ("to_work", "to_studies", "on_income_support_at_start", "left_income_support")
    outcome_rows = list(
        in_period.filter(_exited(start, end))
        .values("exit_outcome", "gender")
        .annotate(n=Count("pk"), **{k: _figure_count(k, start, end) for k in exit_keys})
    )
    counts: dict[tuple[str, str], int] = {}
    sums = dict.fromkeys(exit_keys, 0)
    for row in outcome_rows:
        counts[(row["exit_outcome"], row["gender"])] = row["n"]
        for k in exit_keys:
            sums[k] += row[k]
    shown_genders = [
        (v, label)
        for v, label in genders
        if any(g == v for _o, g in counts) or v in ("woman", "man")
    ]
    outcomes = []
    for value, label in ExitOutcome.choices:
        by_gender = [counts.get((value, g), 0) for g, _l in shown_genders]
        outcomes.append(
            {"outcome": str(label), "value": value, "by_gender": by_gender, "total": sum(by_gender)}
        )
    exits = sum(counts.values())
    return {
        "by_gender": rows,
        "totals": totals,
        "outcome_genders": [label for _v, label in shown_genders],
        "outcome_gender_values": [v for v, _label in shown_genders],
        "exits_by_gender": [
            sum(n for (_o, g), n in counts.items() if g == value) for value, _l in shown_genders
        ],
        "outcomes": outcomes,
        "exits": exits,
        "to_work": sums["to_work"],
        "to_studies": sums["to_studies"],
        "share_to_work": percent_of(sums["to_work"], exits),
        "share_to_studies": percent_of(sums["to_studies"], exits),
        "on_income_support_at_start": sums["on_income_support_at_start"],
        "left_income_support": sums["left_income_support"],
        "share_off_income_support": percent_of(
            sums["left_income_support"], sums["on_income_support_at_start"]
        ),
    }


def _with_first_and_last_step(
    agreements: Any, start: datetime.date, end: datetime.date
) -> EnrolmentQuerySet:
    """enrolments_in_period, one row per enrolment, with its first assessed step
    (`first_step`) and its latest step by the period's end (`last_step`), and the
    participant's `gender`.

    Joined to the one step span (reporting/rollup.py: every assessment with the first step
    and the next assessment's date, kept by the database) that is the latest by `end`; no
    span for an enrolment not assessed by then. First and last are by date, then by id.
    Counting per assessment at request time (window functions, before that a correlated
    subquery per enrolment) took 80 to 500 ms for ten partnerships.
    """
    return (
        enrolments_in_period(agreements, start, end)
        .annotate(
            latest=FilteredRelation(
                "step_spans",
                condition=Q(step_spans__date__lte=end)
                & (Q(step_spans__next_date__isnull=True) | Q(step_spans__next_date__gt=end)),
            )
        )
        .annotate(
            first_step=F("latest__first_step"),
            last_step=F("latest__step"),
            gender=F("participant__gender"),
        )
    )


def _rows_with_first_and_last_step(
    agreements: Any, start: datetime.date, end: datetime.date
) -> QuerySet[EnrolmentRow]:
    """_with_first_and_last_step over the enrolment rows (_rows_in_period), with the
    gender on the row.

    A row holds its enrolment's latest assessment: when that is dated by `end`, it is the
    latest step by `end` and no span is read. Only for an enrolment assessed again after
    `end` is the span that crosses `end` (dated by it, the next one after it) joined, by
    an index on next_date: for a period up to today none, where joining the latest span
    of every enrolment took most of the time.
    """
    recent = Q(latest_date__lte=end)
    return (
        _rows_in_period(agreements, start, end)
        .annotate(
            crossing=FilteredRelation(
                "step_spans",
                condition=Q(step_spans__date__lte=end, step_spans__next_date__gt=end),
            )
        )
        .annotate(
            first_step=Case(
                When(recent, then=F("first_assessed_step")), default=F("crossing__first_step")
            ),
            last_step=Case(When(recent, then=F("latest_step")), default=F("crossing__step")),
        )
    )


def _first_and_last_step_counts(
    agreements: Any, start: datetime.date, end: datetime.date
) -> dict[str, dict[str, int]]:
    """Per participant gender: enrolments in the period, and the STEP_FIGURES counts
    (assessed, progressed, regressed) (1 query)."""
    by_gender: dict[str, dict[str, Any]] = {
        row["gender"]: dict(row)
        for row in _rows_with_first_and_last_step(agreements, start, end)
        .values("gender")
        .annotate(
            enrolments=Count("pk"),
            **{name: Count("pk", filter=q) for name, q in STEP_FIGURES.items()},
        )
        .order_by()
    }
    return {
        g: {name: by_gender[g][name] for name in ("enrolments", *STEP_FIGURES)}
        for g, _label in Gender.choices
        if g in by_gender
    }


_STEP_COUNTS = tuple(STEP_FIGURES)


def step_progression(agreements: Any, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Enrolments in the period whose latest step (by the period's end) is above their first
    assessed step (1 query)."""
    by_gender = _first_and_last_step_counts(agreements, start, end)
    row = {k: sum(counts[k] for counts in by_gender.values()) for k in _STEP_COUNTS}
    return {**row, "share_progressed": percent_of(row["progressed"], row["assessed"])}


def contact_statistics(agreements: Any, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Contacts by kind, participants reached, anonymous outreach by gender, attendance (3 queries)."""
    by_kind: dict[str, Any] = {
        row["kind"]: row
        for row in Contact.objects.filter(by_agreement(agreements), date__range=(start, end))
        .values("kind")
        .annotate(
            n=Count("pk"),
            minutes=Sum("duration_minutes"),
            people=Count("participant", distinct=True),
        )
    }
    kinds = [
        {
            "kind": str(label),
            "count": by_kind.get(value, {}).get("n", 0),
            "hours": Decimal(by_kind.get(value, {}).get("minutes") or 0) / 60,
        }
        for value, label in Contact.Kind.choices
    ]
    people = Contact.objects.filter(by_agreement(agreements), date__range=(start, end)).aggregate(
        n=Count("participant", distinct=True)
    )["n"]
    anonymous = {
        row["gender"]: row["n"]
        for row in AnonymousContactCount.objects.filter(
            by_agreement(agreements), date__range=(start, end)
        )
        .values("gender")
        .annotate(n=Sum("count"))
    }
    anonymous_rows = [
        {"gender": label, "count": anonymous.get(value, 0)}
        for value, label in _gender_labels()
        if anonymous.get(value)
    ]
    attendance = {
        row["status"]: row["n"]
        for row in Attendance.objects.filter(by_agreement(agreements), date__range=(start, end))
        .values("status")
        .annotate(n=Count("pk"))
    }
    present = attendance.get(Attendance.Status.PRESENT, 0)
    absent = attendance.get(Attendance.Status.ABSENT, 0)
    excused = attendance.get(Attendance.Status.EXCUSED, 0)
    registered = sum(k["count"] for k in kinds)
    anonymous_total = sum(anonymous.values())
    # Outreach: outreach visits and the anonymous outreach counts, not every contact.
    outreach_visits = by_kind.get(Contact.Kind.OUTREACH, {}).get("n", 0)
    return {
        "kinds": kinds,
        "registered": registered,
        "hours": sum((k["hours"] for k in kinds), ZERO).quantize(Decimal("0.1")),
        "people": people,
        "anonymous": anonymous_rows,
        "anonymous_total": anonymous_total,
        "total": registered + anonymous_total,
        "outreach": outreach_visits + anonymous_total,
        "attendance_present": present,
        "attendance_absent": absent,
        "attendance_excused": excused,
        "attendance_rate": percent_of(present, present + absent + excused),
    }


def participant_data_quality(
    agreements: Any, start: datetime.date, end: datetime.date
) -> dict[str, int]:
    """Counts of records that would make the participant figures wrong (3 queries)."""
    contacts = Contact.objects.filter(by_agreement(agreements), date__range=(start, end))
    # Contacts inside an enrolment of the same participant in the same partnership. One
    # filter() call, so all conditions apply to the same enrolment row. A join, because a
    # correlated NOT EXISTS was forty times slower on 20 000 contacts.
    inside = contacts.filter(
        Q(participant__enrolments__agreement=F("agreement")),
        Q(participant__enrolments__start_date__lte=F("date")),
        Q(participant__enrolments__exit_date__isnull=True)
        | Q(participant__enrolments__exit_date__gte=F("date")),
    ).aggregate(n=Count("pk", distinct=True))["n"]
    contacts_outside = contacts.count() - inside
    enrolments = (
        Enrolment.objects.filter(by_agreement(agreements))
        .active_between(start, end)
        .aggregate(
            unknown_outcome=Count(
                "pk",
                filter=Q(exit_date__range=(start, end), exit_outcome__in=("", ExitOutcome.UNKNOWN)),
            ),
            unknown_gender=Count("pk", filter=Q(participant__gender="unknown")),
            # Enrolled outside the target group (with a written justification, issue 15).
            eligibility_flagged=Count(
                "pk",
                filter=Q(start_date__range=(start, end), background__isnull=False)
                & ~Q(background__eligibility_breaches=[]),
            ),
        )
    )
    return {"contacts_outside_enrolment": contacts_outside, **enrolments}


def monthly_participant_flow(
    agreements: Any, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """New participants and exits per month of [start, end] (within one year), by gender.

    Counted as participant_statistics counts them ("new": distinct participants whose
    enrolment started that month; "exited": enrolments that ended), so the months add up
    to its yearly figures (2 queries).
    """
    base = EnrolmentRow.objects.filter(by_agreement(agreements))
    new: dict[int, dict[str, int]] = {}
    for row in (
        base.filter(start_date__range=(start, end))
        .annotate(month=ExtractMonth("start_date"))
        .values("month", "gender")
        .annotate(n=Count("participant", distinct=True))
        .order_by()
    ):
        new.setdefault(row["month"], {})[row["gender"]] = row["n"]
    exited: dict[int, dict[str, int]] = {}
    for row in (
        base.filter(exit_date__range=(start, end))
        .annotate(month=ExtractMonth("exit_date"))
        .values("month", "gender")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        exited.setdefault(row["month"], {})[row["gender"]] = row["n"]
    return {"months": list(range(start.month, end.month + 1)), "new": new, "exited": exited}


def monthly_activity(agreements: Any, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Registered contacts (by the participant's gender), anonymous outreach contacts (by
    gender) and attendance (by status and gender) per month of [start, end] (3 queries).

    Contacts and attendance are added up from their daily totals (reporting/rollup.py),
    which the database keeps equal to a count of the rows.
    """
    contacts: dict[int, dict[str, int]] = {}
    for row in (
        ContactDay.objects.filter(by_agreement(agreements), day__range=(start, end), total__gt=0)
        .annotate(month=ExtractMonth("day"))
        .values("month", "gender")
        .annotate(n=Sum("total"))
        .order_by()
    ):
        contacts.setdefault(row["month"], {})[row["gender"]] = row["n"]
    anonymous: dict[int, dict[str, int]] = {}
    for anon_row in (
        AnonymousContactCount.objects.filter(by_agreement(agreements), date__range=(start, end))
        .annotate(month=ExtractMonth("date"))
        .values("month", "gender")
        .annotate(n=Sum("count"))
    ):
        anonymous.setdefault(anon_row["month"], {})[anon_row["gender"]] = anon_row["n"]
    attendance: dict[int, dict[str, dict[str, int]]] = {}
    for row in (
        AttendanceDay.objects.filter(by_agreement(agreements), day__range=(start, end), total__gt=0)
        .annotate(month=ExtractMonth("day"))
        .values("month", "status", "gender")
        .annotate(n=Sum("total"))
        .order_by()
    ):
        by_status = attendance.setdefault(row["month"], {}).setdefault(row["status"], {})
        by_status[row["gender"]] = row["n"]
    return {
        "months": list(range(start.month, end.month + 1)),
        "contacts": contacts,
        "anonymous": anonymous,
        "attendance": attendance,
    }


def outreach_visits_by_gender(
    agreements: Any, start: datetime.date, end: datetime.date
) -> dict[str, int]:
    """Outreach visits by the participant's gender in [start, end] (1 query); with the
    anonymous outreach counts they make the outreach indicator."""
    return {
        row["participant__gender"]: row["n"]
        for row in Contact.objects.filter(
            by_agreement(agreements), date__range=(start, end), kind=Contact.Kind.OUTREACH
        )
        .values("participant__gender")
        .annotate(n=Count("pk"))
        .order_by()
    }


def step_progression_by_gender(
    agreements: Any, start: datetime.date, end: datetime.date
) -> dict[str, dict[str, int]]:
    """step_progression's counts per participant gender (1 query)."""
    return {
        gender: {k: counts[k] for k in _STEP_COUNTS}
        for gender, counts in _first_and_last_step_counts(agreements, start, end).items()
    }


def participants_active_by_agreement(agreements: Any, day: datetime.date) -> dict[int, int]:
    """Participants enrolled on `day`, per agreement (1 query); from the enrolment rows,
    with EnrolmentQuerySet.active_on's filter."""
    return {
        row["agreement"]: row["n"]
        for row in EnrolmentRow.objects.filter(
            by_agreement(agreements),
            Q(start_date__lte=day),
            Q(exit_date__isnull=True) | Q(exit_date__gte=day),
        )
        .values("agreement")
        .annotate(n=Count("participant", distinct=True))
        .order_by()
    }
