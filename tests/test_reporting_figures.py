"""The figures: one function per figure, database sums, fixed query counts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from participants.models import Enrolment
from partnerships.models import Agreement, FundingShare, Indicator
from reporting import figures
from tests.factories.participants import (
    AssessmentFactory,
    AttendanceFactory,
    ContactFactory,
    EnrolmentFactory,
    ParticipantFactory,
)
from tests.factories.partnerships import ActualCostFactory, CostLineFactory, OtherFundingFactory

D = datetime.date


@pytest.fixture
def budget(world):
    return world.agreement_a.budgets.get(year=2026)


def test_allocate_adds_up_exactly_and_follows_weights():
    parts = figures.allocate(Decimal("100.00"), [Decimal("1"), Decimal("1"), Decimal("1")])
    assert sum(parts) == Decimal("100.00")
    assert sorted(parts) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert figures.allocate(Decimal("10"), [Decimal("0"), Decimal("0")]) == [
        Decimal("10"),
        Decimal("0"),
    ]


def test_financial_account_sums_actuals_per_line_in_the_database(
    world, budget, django_assert_num_queries
):
    line = budget.cost_lines.get()
    second = CostLineFactory(
        budget=budget, description="Lokal", amount=Decimal("200000"), position=1
    )
    ActualCostFactory(cost_line=line, amount=Decimal("600000"), date=D(2026, 3, 1))
    ActualCostFactory(cost_line=line, amount=Decimal("500000.50"), date=D(2026, 9, 1))
    OtherFundingFactory(budget=budget, amount=Decimal("100000"))
    with django_assert_num_queries(3):
        account = figures.financial_account(budget)
    first, lokal = account["lines"]
    assert first["actual"] == Decimal("1100000.50")
    assert first["deviation"] == Decimal("100000.50")
    assert first["over_budget"] is True
    assert lokal["actual"] == 0 and lokal["actual_count"] == 0
    assert account["total"] == Decimal("1200000")
    assert account["actual_total"] == Decimal("1100000.50")
    # Shares are percentages of the new total: 70 % + 30 % still cover it.
    assert account["shares_error"] is None
    assert [f["amount"] for f in account["funders"]] == [Decimal("840000.00"), Decimal("360000.00")]
    assert second.pk == lokal["id"]


def test_overcompensation_is_flagged_when_public_money_exceeds_coverable_costs(world, budget):
    line = budget.cost_lines.get()
    ActualCostFactory(cost_line=line, amount=Decimal("500000"))
    OtherFundingFactory(budget=budget, amount=Decimal("100000"))
    account = figures.financial_account(budget)
    # Public share 700 000 against 500 000 actual minus 100 000 other funding.
    assert account["public_funding"] == Decimal("700000.00")
    assert account["coverable"] == Decimal("400000")
    assert account["overcompensation"] == Decimal("300000.00")
    assert account["is_overcompensated"] is True


def test_shares_that_no_longer_add_up_are_reported_in_swedish(world, budget):
    FundingShare.objects.filter(budget=budget, party=world.party_a).update(percent=Decimal("20"))
    account = figures.financial_account(budget)
    assert (
        "Finansieringsandelarna blir 900 000 kr men budgeten är 1 000 000 kr"
        in account["shares_error"]
    )
    with pytest.raises(ValidationError) as exc:
        figures.invoice_figures(world.agreement_a, 2026)
    assert "Finansieringsandelarna" in exc.value.messages[0]


def test_invoice_figures_refuse_year_outside_agreement_and_year_without_budget(world):
    with pytest.raises(ValidationError, match="ligger utanför överenskommelsens period 2026–2027"):
        figures.invoice_figures(world.agreement_a, 2030)
    with pytest.raises(ValidationError, match="Det finns ingen budget för 2027"):
        figures.invoice_figures(world.agreement_a, 2027)


def test_invoice_figures_for_public_party_share(world):
    data = figures.invoice_figures(world.agreement_a, 2026)
    assert data["amount"] == Decimal("700000.00")
    assert data["buyer"]["name"] == "Testkommun"
    assert data["seller"]["name"] == "Förening A"
    assert data["marking"] == "IOP A, helår 2026"
    assert sum(line["party_share"] for line in data["lines"]) == data["amount"]


def test_pays_against_actuals_caps_at_the_grant_and_lists_vouchers(world, budget):
    Agreement.objects.filter(pk=world.agreement_a.pk).update(pays_against_actuals=True)
    world.agreement_a.refresh_from_db()
    line = budget.cost_lines.get()
    ActualCostFactory(cost_line=line, amount=Decimal("400000"), voucher="VER-1")
    data = figures.invoice_figures(world.agreement_a, 2026)
    assert data["amount"] == Decimal("280000.00")  # 70 % of the actual costs
    assert [v["voucher"] for v in data["vouchers"]] == ["VER-1"]
    ActualCostFactory(cost_line=line, amount=Decimal("900000"), voucher="VER-2")
    data = figures.invoice_figures(world.agreement_a, 2026)
    assert data["amount"] == Decimal("700000.00")  # capped at the share of the grant
    assert data["capped"] is True


def test_participant_statistics_by_gender_and_outcome(world, django_assert_num_queries):
    a = world.agreement_a
    EnrolmentFactory(
        plain=True, agreement=a, start_date=D(2025, 12, 1)
    )  # before the period, still active
    EnrolmentFactory(
        plain=True,
        agreement=a,
        participant=ParticipantFactory(plain=True, gender="man"),
        exit_date=D(2026, 6, 1),
        exit_outcome="work",
        income_at_start="income_support",
        income_at_exit="salary",
    )
    EnrolmentFactory(plain=True, agreement=a, exit_date=D(2026, 7, 1), exit_outcome="studies")
    EnrolmentFactory(
        plain=True,
        agreement=a,
        exit_date=D(2026, 8, 1),
        exit_outcome="moved",
        income_at_start="income_support",
        income_at_exit="income_support",
    )
    EnrolmentFactory(plain=True, agreement=world.agreement_b)  # another partnership: not counted
    with django_assert_num_queries(2):
        stats = figures.participant_statistics(a, D(2026, 1, 1), D(2026, 12, 31))
    assert stats["totals"] == {"enrolled": 4, "new": 3, "active_at_end": 1, "exited": 3}
    woman = next(row for row in stats["by_gender"] if row["gender"] == "Kvinna")
    assert woman["enrolled"] == 3
    assert stats["to_work"] == 1 and stats["to_studies"] == 1 and stats["exits"] == 3
    assert stats["outcome_genders"] == ["Kvinna", "Man"] and stats["exits_by_gender"] == [2, 1]
    assert stats["share_to_work"] == Decimal("33.3")
    assert stats["share_off_income_support"] == Decimal("50.0")


def test_step_progression_compares_first_and_latest_step(world, django_assert_num_queries):
    a = world.agreement_a
    up = EnrolmentFactory(plain=True, agreement=a)
    AssessmentFactory(plain=True, enrolment=up, date=D(2026, 2, 1), step=2)
    AssessmentFactory(plain=True, enrolment=up, date=D(2026, 9, 1), step=4)
    same = EnrolmentFactory(plain=True, agreement=a)
    AssessmentFactory(plain=True, enrolment=same, date=D(2026, 2, 1), step=3)
    EnrolmentFactory(plain=True, agreement=a)  # never assessed: not in the denominator
    with django_assert_num_queries(1):
        steps = figures.step_progression(a, D(2026, 1, 1), D(2026, 12, 31))
    assert steps == {
        "assessed": 2,
        "progressed": 1,
        "regressed": 0,
        "share_progressed": Decimal("50.0"),
    }


def test_contacts_attendance_and_data_quality(world):
    a = world.agreement_a
    enrolment = EnrolmentFactory(plain=True, agreement=a)
    ContactFactory(
        plain=True,
        agreement=a,
        participant=enrolment.participant,
        date=D(2026, 3, 1),
        duration_minutes=90,
    )
    ContactFactory(
        plain=True, agreement=a, participant=enrolment.participant, date=D(2026, 3, 2), kind="phone"
    )
    # Before the enrolment started: counted, and flagged by the quality check.
    ContactFactory(plain=True, agreement=a, participant=enrolment.participant, date=D(2026, 1, 10))
    AttendanceFactory(
        plain=True, agreement=a, participant=enrolment.participant, date=D(2026, 3, 3)
    )
    AttendanceFactory(
        plain=True,
        agreement=a,
        participant=enrolment.participant,
        date=D(2026, 3, 4),
        status="absent",
    )
    contacts = figures.contact_statistics(a, D(2026, 1, 1), D(2026, 12, 31))
    assert contacts["registered"] == 3
    assert contacts["people"] == 1
    assert contacts["attendance_rate"] == Decimal("50.0")
    quality = figures.participant_data_quality(a, D(2026, 1, 1), D(2026, 12, 31))
    assert quality["contacts_outside_enrolment"] == 1


def test_goal_fulfilment_uses_the_indicator_metric(world):
    from partnerships.models import Goal, IndicatorTarget

    goal = Goal.objects.create(agreement=world.agreement_a, title="Fler i arbete")
    measured = Indicator.objects.create(
        goal=goal, name="Till arbete", metric=Indicator.Metric.SHARE_TO_WORK
    )
    IndicatorTarget.objects.create(indicator=measured, year=2026, target=Decimal("30"))
    manual = Indicator.objects.create(
        goal=goal, name="Utbildningar", unit="count", metric=Indicator.Metric.MANUAL
    )
    IndicatorTarget.objects.create(indicator=manual, year=2026, target=Decimal("6"))
    result = figures.goal_fulfilment(
        world.agreement_a,
        2026,
        {Indicator.Metric.SHARE_TO_WORK: Decimal("45")},
        {str(manual.pk): "4"},
    )
    rows = {ind["name"]: ind for ind in result[0]["indicators"]}
    assert rows["Till arbete"]["met"] is True
    assert (
        rows["Utbildningar"]["outcome"] == Decimal("4") and rows["Utbildningar"]["not_met"] is True
    )


def test_annual_report_figures_run_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    a = world.agreement_a
    for _ in range(5):
        e = EnrolmentFactory(plain=True, agreement=a)
        ContactFactory(plain=True, agreement=a, participant=e.participant)
    with django_assert_max_num_queries(25) as few:
        figures.annual_report_figures(a, 2026)
    for _ in range(20):
        e = EnrolmentFactory(plain=True, agreement=a)
        ContactFactory(plain=True, agreement=a, participant=e.participant)
    with django_assert_max_num_queries(len(few.captured_queries)):
        figures.annual_report_figures(a, 2026)
    assert Enrolment.objects.count() == 25


def test_period_label_is_whole_year_or_the_covered_dates(world):
    agreement = world.agreement_a
    assert figures.period_label(agreement, 2026) == "helår 2026"
    Agreement.objects.filter(pk=agreement.pk).update(start_date=D(2026, 3, 1))
    agreement.refresh_from_db()
    assert figures.period_label(agreement, 2026) == "2026-03-01–2026-12-31"
    data = figures.invoice_figures(agreement, 2026)
    assert data["marking"] == "IOP A, 2026-03-01–2026-12-31"


def test_annual_report_page_query_count_does_not_grow_with_participants(
    world, login, django_assert_max_num_queries
):
    from django.urls import reverse

    a = world.agreement_a
    client = login(world.manager_a)
    path = reverse("reporting:annual_report", args=[a.pk, 2026])
    for _ in range(3):
        e = EnrolmentFactory(plain=True, agreement=a)
        ContactFactory(plain=True, agreement=a, participant=e.participant)
    with django_assert_max_num_queries(60) as first:
        assert client.get(path).status_code == 200
    for _ in range(15):
        e = EnrolmentFactory(plain=True, agreement=a, exit_date=D(2026, 5, 1), exit_outcome="work")
        ContactFactory(plain=True, agreement=a, participant=e.participant)
        AssessmentFactory(plain=True, enrolment=e)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(path).status_code == 200
