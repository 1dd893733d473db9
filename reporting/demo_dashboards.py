"""Demo step: participants, contacts, attendance and progress for the seed partnerships, so
that each one has a dashboard worth looking at.

Only fills a partnership that no other demo step gave participants (the participants
step, when present, owns the demo people and their numbers). Participants made here carry
codes starting "DM-" and are replaced on every run. Everything is invented.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from participants.models import (
    AnonymousContactCount,
    Attendance,
    Contact,
    Enrolment,
    Gender,
    IncomeSource,
    Participant,
    ProgressAssessment,
)
from partnerships.demo import DemoContext

PREFIX = "DM-"
# short_id: (participants, share of women, share exiting, outcome weights)
PLANS = {
    "thaiwise": (
        38,
        1.0,
        0.35,
        {
            "work": 30,
            "work_with_support": 10,
            "studies": 15,
            "other_programme": 20,
            "moved": 10,
            "other": 15,
        },
    ),
    "bromodellen": (
        70,
        0.55,
        0.6,
        {
            "work": 28,
            "work_with_support": 8,
            "studies": 14,
            "other_programme": 25,
            "moved": 10,
            "other": 15,
        },
    ),
    "malmokraften": (
        260,
        0.5,
        0.55,
        {
            "work": 40,
            "work_with_support": 8,
            "studies": 11,
            "other_programme": 21,
            "moved": 8,
            "other": 12,
        },
    ),
}
KINDS = [
    Contact.Kind.MEETING,
    Contact.Kind.PHONE,
    Contact.Kind.DIGITAL,
    Contact.Kind.GROUP,
    Contact.Kind.HOME_VISIT,
    Contact.Kind.OUTREACH,
]


def load(ctx: DemoContext) -> None:
    Participant.objects.filter(code__startswith=PREFIX).delete()
    rng = random.Random(2026)
    today = timezone.localdate()
    staff = ctx.users.get("koordinator") or ctx.users.get("admin")
    for short_id, plan in PLANS.items():
        agreement = ctx.agreements.get(short_id)
        if agreement is None or agreement.enrolments.exists():
            continue
        _fill(agreement, plan, rng, today, staff)


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _fill(agreement, plan, rng, today, staff) -> None:
    count, women, exiting, weights = plan
    last_day = min(agreement.end_date, today)
    outcomes, outcome_weights = zip(*weights.items(), strict=True)
    people = Participant.objects.bulk_create(
        Participant(
            code=f"{PREFIX}{agreement.short_id[:3].upper()}{n:04d}",
            gender=Gender.WOMAN
            if rng.random() < women
            else (Gender.MAN if rng.random() < 0.97 else Gender.OTHER),
            birth_year=rng.randint(1960, 2004),
        )
        for n in range(count)
    )
    enrolments = []
    for person in people:
        start = _day_between(rng, agreement.start_date, last_day - datetime.timedelta(days=20))
        exit_date = None
        if rng.random() < exiting:
            candidate = start + datetime.timedelta(days=rng.randint(60, 330))
            if candidate <= last_day:
                exit_date = candidate
        on_support = rng.random() < 0.6
        enrolments.append(
            Enrolment(
                participant=person,
                agreement=agreement,
                start_date=start,
                planned_min_days=90,
                planned_max_days=365,
                income_at_start=IncomeSource.INCOME_SUPPORT if on_support else IncomeSource.NONE,
                exit_date=exit_date,
                exit_outcome=rng.choices(outcomes, outcome_weights)[0] if exit_date else "",
                income_at_exit=(
                    IncomeSource.SALARY if rng.random() < 0.5 else IncomeSource.INCOME_SUPPORT
                )
                if exit_date
                else "",
            )
        )
    Enrolment.objects.bulk_create(enrolments)
    contacts, attendance, assessments = [], [], []
    for enrolment in enrolments:
        end = enrolment.exit_date or last_day
        days = sorted(
            {_day_between(rng, enrolment.start_date, end) for _ in range(rng.randint(4, 14))}
        )
        for day in days:
            contacts.append(
                Contact(
                    participant=enrolment.participant,
                    agreement=agreement,
                    date=day,
                    kind=rng.choice(KINDS),
                    duration_minutes=rng.choice((15, 30, 45, 60, 90)),
                    staff=staff,
                    topic="Uppföljning",
                )
            )
        week = enrolment.start_date + datetime.timedelta(days=7 - enrolment.start_date.weekday())
        while week <= end:
            status = rng.choices(("present", "absent", "excused"), (82, 10, 8))[0]
            attendance.append(
                Attendance(
                    participant=enrolment.participant, agreement=agreement, date=week, status=status
                )
            )
            week += datetime.timedelta(days=14)
        step = rng.randint(1, 4)
        day = enrolment.start_date + datetime.timedelta(days=10)
        while day <= end:
            assessments.append(ProgressAssessment(enrolment=enrolment, date=day, step=step))
            step = min(7, max(1, step + rng.choice((-1, 0, 1, 1, 1))))
            day += datetime.timedelta(days=90)
    Contact.objects.bulk_create(contacts, batch_size=2000)
    Attendance.objects.bulk_create(attendance, batch_size=2000)
    ProgressAssessment.objects.bulk_create(assessments, batch_size=2000)
    if agreement.short_id == "thaiwise":
        AnonymousContactCount.objects.filter(
            agreement=agreement, place="Demo: uppsökande runda"
        ).delete()
        AnonymousContactCount.objects.bulk_create(
            AnonymousContactCount(
                agreement=agreement,
                date=_day_between(rng, agreement.start_date, last_day),
                place="Demo: uppsökande runda",
                gender=Gender.WOMAN,
                age_band="30-44",
                count=rng.randint(3, 12),
            )
            for _ in range(40)
        )
