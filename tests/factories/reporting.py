"""Hand-computed partnerships for the dashboard tests.

`fixture_partnership` builds a 2024 partnership whose every figure is worked out by hand
in the comments below (and asserted in tests/test_dashboards.py); `small_partnership`
builds one with seven participants to test that nobody can be singled out.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

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
from partnerships.models import (
    ActualCost,
    Agreement,
    AgreementParty,
    Budget,
    CostLine,
    Goal,
    Indicator,
    IndicatorTarget,
    Meeting,
    Organisation,
    User,
)
from tests.factories.partnerships import AgreementFactory, PartyFactory

D = datetime.date


def _participants(n: int, gender: str, prefix: str) -> list[Participant]:
    return [
        Participant.objects.create(code=f"{prefix}{i:03d}", gender=gender, birth_year=1990)
        for i in range(n)
    ]


def _enrol(person, agreement, start, exit_date=None, outcome="") -> Enrolment:
    return Enrolment.objects.create(
        participant=person,
        agreement=agreement,
        start_date=start,
        exit_date=exit_date,
        exit_outcome=outcome,
        income_at_start=IncomeSource.INCOME_SUPPORT,
        income_at_exit=IncomeSource.SALARY if exit_date else "",
    )


def fixture_partnership(
    organisation: Organisation, public: Organisation, staff: User, *, prefix: str = "FX"
) -> Agreement:
    """IOP Fixtur, 2024–2025, 30 places. In 2024:

    Women W0–W11 (12): W0–W5 start 2024-01-15, W6–W11 start 2024-03-10.
    Men M0–M7 (8): all start 2024-01-20.
    Exits: W0–W4 on 2024-06-15 to work, W5 on 2024-06-15 to studies;
           M0–M2 on 2024-09-01 to work, M3–M4 on 2024-09-01 to "other".
      enrolled W12 M8 T20 · new W12 M8 T20 · active at 2024-12-31 W6 M3 T9 · exited W6 M5 T11
      to work W5/6 M3/5 T8/11 = 72.7 % (target ≥ 45 → on track)
      to studies T1/11 (a single person: hidden)
    Steps: W0–W5 step 2 (2024-02-01) then 4 (2024-05-01); W6–W11 step 3 once; M0–M7 2 then 2.
      assessed W12 M8 T20 · progressed W6 M0 T6 → 30.0 % (target ≥ 90 → behind)
    Contacts: one each on 2024-04-10 (W12 M8) + 7 anonymous women 2024-04-20
      → April W19 M8 T27, of which 7 anonymous
    Attendance 2024-05-06: W0–W9 present, W10–W11 absent, M0–M7 present
      → May present W10 M8 T18, absent 2 (<5)
    Follow-up meetings: 2 held in 2024, 4 required → behind.
    Budget 2024: 1 200 000 kr, actual 500 000 kr.
    """
    agreement = AgreementFactory.create(
        short_id=f"fixtur-{prefix.lower()}",
        title=f"IOP Fixtur {prefix}",
        start_date=D(2024, 1, 1),
        end_date=D(2025, 12, 31),
        capacity=30,
        followups_per_year=4,
    )
    PartyFactory.create(agreement=agreement, organisation=organisation)
    PartyFactory.create(
        agreement=agreement, organisation=public, role=AgreementParty.PartyRole.PUBLIC_FUNDER
    )
    women = _participants(12, Gender.WOMAN, f"{prefix}W")
    men = _participants(8, Gender.MAN, f"{prefix}M")
    enrol = {}
    for i, w in enumerate(women):
        start = D(2024, 1, 15) if i < 6 else D(2024, 3, 10)
        if i < 5:
            enrol[w.pk] = _enrol(w, agreement, start, D(2024, 6, 15), "work")
        elif i == 5:
            enrol[w.pk] = _enrol(w, agreement, start, D(2024, 6, 15), "studies")
        else:
            enrol[w.pk] = _enrol(w, agreement, start)
    for i, m in enumerate(men):
        if i < 3:
            enrol[m.pk] = _enrol(m, agreement, D(2024, 1, 20), D(2024, 9, 1), "work")
        elif i < 5:
            enrol[m.pk] = _enrol(m, agreement, D(2024, 1, 20), D(2024, 9, 1), "other")
        else:
            enrol[m.pk] = _enrol(m, agreement, D(2024, 1, 20))
    for i, w in enumerate(women):
        if i < 6:
            ProgressAssessment.objects.create(enrolment=enrol[w.pk], date=D(2024, 2, 1), step=2)
            ProgressAssessment.objects.create(enrolment=enrol[w.pk], date=D(2024, 5, 1), step=4)
        else:
            ProgressAssessment.objects.create(enrolment=enrol[w.pk], date=D(2024, 4, 1), step=3)
    for m in men:
        ProgressAssessment.objects.create(enrolment=enrol[m.pk], date=D(2024, 2, 1), step=2)
        ProgressAssessment.objects.create(enrolment=enrol[m.pk], date=D(2024, 5, 1), step=2)
    for person in [*women, *men]:
        Contact.objects.create(
            participant=person,
            agreement=agreement,
            date=D(2024, 4, 10),
            kind=Contact.Kind.MEETING,
            duration_minutes=30,
            staff=staff,
        )
    AnonymousContactCount.objects.create(
        agreement=agreement, date=D(2024, 4, 20), gender=Gender.WOMAN, age_band="30-44", count=7
    )
    for i, w in enumerate(women):
        Attendance.objects.create(
            participant=w,
            agreement=agreement,
            date=D(2024, 5, 6),
            status="present" if i < 10 else "absent",
        )
    for m in men:
        Attendance.objects.create(
            participant=m, agreement=agreement, date=D(2024, 5, 6), status="present"
        )
    goal = Goal.objects.create(agreement=agreement, title="Deltagarna går vidare")
    for metric, target in (
        ("share_to_work", "45"),
        ("share_to_studies", "10"),
        ("step_progression", "90"),
    ):
        indicator = Indicator.objects.create(goal=goal, name=metric, metric=metric)
        IndicatorTarget.objects.create(indicator=indicator, year=2024, target=Decimal(target))
    for day in (D(2024, 2, 10), D(2024, 5, 10)):
        Meeting.objects.create(
            agreement=agreement,
            kind=Meeting.Kind.FOLLOWUP,
            status=Meeting.Status.HELD,
            date=day,
            convened_by=organisation,
        )
    budget = Budget.objects.create(agreement=agreement, year=2024)
    line = CostLine.objects.create(
        budget=budget, category="personnel", description="Personal", amount=Decimal("1200000")
    )
    ActualCost.objects.create(
        cost_line=line, date=D(2024, 6, 30), amount=Decimal("500000"), voucher="V-1"
    )
    return agreement


def small_partnership(organisation: Organisation, staff: User) -> Agreement:
    """Seven participants in 2024: five women, two men, all starting 2024-02-01; one man
    leaves for work on 2024-08-01. Each has three contacts in March."""
    agreement = AgreementFactory.create(
        short_id="liten",
        title="IOP Liten",
        start_date=D(2024, 1, 1),
        end_date=D(2025, 12, 31),
        capacity=10,
    )
    PartyFactory.create(agreement=agreement, organisation=organisation)
    women = _participants(5, Gender.WOMAN, "SW")
    men = _participants(2, Gender.MAN, "SM")
    for person in women:
        _enrol(person, agreement, D(2024, 2, 1))
    _enrol(men[0], agreement, D(2024, 2, 1), D(2024, 8, 1), "work")
    _enrol(men[1], agreement, D(2024, 2, 1))
    for person in [*women, *men]:
        for day in (3, 10, 17):
            Contact.objects.create(
                participant=person,
                agreement=agreement,
                date=D(2024, 3, day),
                kind=Contact.Kind.PHONE,
                duration_minutes=15,
                staff=staff,
            )
    return agreement
