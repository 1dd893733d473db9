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
    FundingShare,
    Goal,
    Indicator,
    IndicatorTarget,
    Meeting,
    Obstacle,
    Organisation,
    Risk,
    RiskChange,
    Stage,
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


def three_year_partnership(
    organisation: Organisation,
    public: Organisation,
    *,
    participants: int = 60,
    prefix: str = "IK",
) -> Agreement:
    """A partnership like Internationella kvinnor: 2014-06-01 – 2016-12-31, three stages,
    a budget each year (2014 400 000 kr, 2015 900 000 kr, 2016 1 100 000 kr, 70 % public
    and 30 % the association; actuals 380 000, 950 000 and 1 000 000 kr), a participant
    target of 20, 40 and 50, risks with a history, obstacles.

    Participants: `participants` spread evenly over the three years (two women to every
    man), each entering on 1 September of their year and leaving on 1 March of the next
    one (the last year's stay on), every second to work.
    """
    agreement = AgreementFactory.create(
        short_id=f"kvinnor-{prefix.lower()}",
        title=f"Internationella kvinnor {prefix}",
        start_date=D(2014, 6, 1),
        end_date=D(2016, 12, 31),
        background="Kvinnor med utländsk bakgrund står långt från arbetsmarknaden.",
        purpose="Att pröva en samordnad handlingsplan för varje kvinna.",
        followups_per_year=0,
    )
    operator = PartyFactory.create(agreement=agreement, organisation=organisation)
    funder = PartyFactory.create(
        agreement=agreement, organisation=public, role=AgreementParty.PartyRole.PUBLIC_FUNDER
    )
    for year, amount, actual in (
        (2014, "400000", "380000"),
        (2015, "900000", "950000"),
        (2016, "1100000", "1000000"),
    ):
        budget = Budget.objects.create(agreement=agreement, year=year)
        line = CostLine.objects.create(
            budget=budget, category="personnel", description="Koordinatorer", amount=Decimal(amount)
        )
        FundingShare.objects.create(budget=budget, party=funder, percent=Decimal("70"))
        FundingShare.objects.create(budget=budget, party=operator, percent=Decimal("30"))
        ActualCost.objects.create(
            cost_line=line, date=D(year, 11, 30), amount=Decimal(actual), voucher=f"V-{year}"
        )
    goal = Goal.objects.create(agreement=agreement, title="Kvinnorna närmar sig arbete")
    indicator = Indicator.objects.create(
        goal=goal, name="Antal deltagare", metric="participants", unit="count"
    )
    for year, target in ((2014, 20), (2015, 40), (2016, 50)):
        IndicatorTarget.objects.create(indicator=indicator, year=year, target=Decimal(target))
    for name, start, end in (
        ("Förberedelse", D(2014, 6, 1), D(2014, 12, 31)),
        ("Pilot", D(2015, 1, 1), D(2015, 12, 31)),
        ("Implementering", D(2016, 1, 1), D(2016, 12, 31)),
    ):
        Stage.objects.create(agreement=agreement, name=name, start_date=start, end_date=end)
    _people_over_years(agreement, participants, prefix)
    risk = Risk.objects.create(
        agreement=agreement,
        title="Deltagarna hoppar av",
        category="target_group",
        likelihood=3,
        consequence=3,
        owner_party=operator,
        owner_person="Vera Påhittad",
        status="mitigated",
    )
    RiskChange.objects.create(
        risk=risk, changed_on=D(2014, 9, 1), likelihood=3, consequence=3, grade=3, status="open"
    )
    RiskChange.objects.create(
        risk=risk,
        changed_on=D(2015, 9, 1),
        likelihood=3,
        consequence=3,
        grade=3,
        status="mitigated",
    )
    Obstacle.objects.create(
        agreement=agreement,
        description="Krav på svenska för praktik",
        level="national",
        lies_with="Arbetsförmedlingen",
        raised_on=D(2015, 2, 1),
        raised_by="Projektgruppen",
        status="resolved",
        resolution="Praktik med språkstöd",
        resolved_on=D(2015, 10, 1),
    )
    return agreement


def _people_over_years(agreement: Agreement, n: int, prefix: str) -> None:
    people = Participant.objects.bulk_create(
        Participant(
            code=f"{prefix}{i:05d}",
            gender=Gender.MAN if i % 3 == 2 else Gender.WOMAN,
            birth_year=1985,
        )
        for i in range(n)
    )
    enrolments = []
    for i, person in enumerate(people):
        year = 2014 + i * 3 // n
        leaves = year < 2016
        enrolments.append(
            Enrolment(
                participant=person,
                agreement=agreement,
                start_date=D(year, 9, 1),
                exit_date=D(year + 1, 3, 1) if leaves else None,
                exit_outcome=("work" if i % 2 else "studies") if leaves else "",
                income_at_start=IncomeSource.INCOME_SUPPORT,
                income_at_exit=IncomeSource.SALARY if leaves else "",
            )
        )
    Enrolment.objects.bulk_create(enrolments)
