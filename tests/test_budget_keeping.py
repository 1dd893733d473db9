"""Budgets that can be kept: edited in the app with as many rows as they need, shares that
add up to the öre by one rule, constraint messages at their field, indexation by an index
series, and a budget page that tells the truth about actual costs (issue 12)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from iop.audit import AuditContext
from iop.money import allocate
from partnerships.actions import derive_next_year
from partnerships.models import ActualCost, AgreementParty, Budget, FundingShare, IndexSeries
from reporting.figures.invoice import allocate as invoice_allocate
from tests.factories.partnerships import (
    AgreementFactory,
    BudgetFactory,
    CostLineFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartyFactory,
)
from tests.test_budgets import budget_post

pytestmark = pytest.mark.django_db


def three_party_agreement(world):
    agreement = AgreementFactory(
        short_id="iop-tre", title="IOP Tre", end_date=datetime.date(2028, 12, 31)
    )
    public = PartyFactory(
        agreement=agreement,
        organisation=MunicipalityFactory(name="Kommunen"),
        role=AgreementParty.PartyRole.PUBLIC_FUNDER,
    )
    first = PartyFactory(agreement=agreement, organisation=world.org_a)
    second = PartyFactory(agreement=agreement, organisation=OrganisationFactory(name="Förening C"))
    return agreement, [public, first, second]


# ------------------------------------------------------------------ editing in the app


def test_finance_edits_budget_from_its_page_without_a_year_in_the_address(world, login):
    client = login(world.finance_a)
    url = f"/agreements/{world.agreement_a.pk}/budgets/2026/edit/"
    page = client.get(url).content.decode()
    assert 'value="2026"' in page
    budget = Budget.objects.get(agreement=world.agreement_a, year=2026)
    line = budget.cost_lines.get()
    public, own = list(budget.shares.order_by("-percent"))
    data = {
        "year": "",  # a disabled field is not posted; the year stays the budget's
        "revision": budget.revision,
        "indexation_percent": "2",
        "public_grant": "",
        "note": "Ändrad",
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 1,
        "lines-0-id": line.pk,
        "lines-0-category": "personnel",
        "lines-0-description": "Personal",
        "lines-0-amount": "1200000",
        "shares-TOTAL_FORMS": 2,
        "shares-INITIAL_FORMS": 2,
        "shares-0-id": public.pk,
        "shares-0-party": public.party_id,
        "shares-0-percent": "70",
        "shares-1-id": own.pk,
        "shares-1-party": own.party_id,
        "shares-1-percent": "30",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    budget.refresh_from_db()
    assert budget.year == 2026 and budget.note == "Ändrad"
    assert budget.total() == Decimal("1200000")


def test_new_budget_takes_its_year_from_the_address(world, login):
    page = login(world.finance_a).get(f"/agreements/{world.agreement_a.pk}/budgets/new/?year=2027")
    assert 'value="2027"' in page.content.decode()


def test_budget_form_offers_rows_added_in_place(world, login):
    page = (
        login(world.finance_a)
        .get(f"/agreements/{world.agreement_a.pk}/budgets/2026/edit/")
        .content.decode()
    )
    assert 'data-formset-add="lines"' in page
    assert 'data-formset-add="shares"' in page
    assert 'name="more_rows"' in page  # without JavaScript
    assert "<template" in page and "lines-__prefix__-amount" in page
    assert "js/formset.js" in page


def test_more_rows_without_javascript_keeps_what_was_typed_and_saves_nothing(world, login):
    agreement, (public, first, second) = three_party_agreement(world)
    data = budget_post(
        2026,
        [("personnel", "Personal", "600000")],
        [(public, "70", "")],
        more_rows="1",
    )
    response = login(world.finance_a).post(f"/agreements/{agreement.pk}/budgets/new/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="lines-1-amount"' in page
    assert 'value="600000' in page
    assert not Budget.objects.filter(agreement=agreement).exists()


def test_three_lines_and_three_shares_in_one_save(world, login):
    agreement, (public, first, second) = three_party_agreement(world)
    response = login(world.finance_a).post(
        f"/agreements/{agreement.pk}/budgets/new/",
        budget_post(
            2026,
            [
                ("personnel", "Personal", "1670400"),
                ("premises", "Lokaler", "372000"),
                ("materials", "Material", "48000"),
            ],
            [(public, "70", ""), (first, "25", ""), (second, "5", "")],
        ),
    )
    assert response.status_code == 302
    budget = Budget.objects.get(agreement=agreement, year=2026)
    assert budget.cost_lines.count() == 3 and budget.shares.count() == 3
    assert budget.shares_error() is None


# ------------------------------------------------------------------ one rounding rule


def test_allocate_gives_leftover_ore_to_largest_remainders_ties_to_first():
    assert allocate(Decimal("104079.54"), [Decimal("70"), Decimal("25"), Decimal("5")]) == [
        Decimal("72855.68"),
        Decimal("26019.88"),
        Decimal("5203.98"),
    ]
    # Equal remainders: the party named first gets the öre.
    assert allocate(Decimal("0.01"), [Decimal("1"), Decimal("1")]) == [
        Decimal("0.01"),
        Decimal("0.00"),
    ]
    assert invoice_allocate is allocate


def test_three_shares_after_two_indexations_add_up_to_the_ore(world, login):
    agreement, (public, first, second) = three_party_agreement(world)
    budget = BudgetFactory(agreement=agreement, year=2026, indexation_percent=Decimal("2"))
    CostLineFactory(budget=budget, amount=Decimal("100038"))
    for party, pct in ((public, "70"), (first, "25"), (second, "5")):
        FundingShare.objects.create(budget=budget, party=party, percent=Decimal(pct))
    audit = AuditContext.system()
    third = derive_next_year(budget=derive_next_year(budget=budget, audit=audit), audit=audit)
    assert third.total() == Decimal("104079.54")
    amounts = [amount for _share, amount in third.share_amounts()]
    assert sum(amounts) == third.total()
    assert third.shares_error() is None
    client = login(world.finance_a)
    page = client.get(third.get_absolute_url()).content.decode()
    assert 'role="alert"' not in page
    # Saving the same shares again is accepted.
    response = client.post(
        f"/agreements/{agreement.pk}/budgets/new/",
        budget_post(
            2026 if False else 2028,
            [("personnel", "Personal", "104079.54")],
            [(public, "70", ""), (first, "25", ""), (second, "5", "")],
        ),
    )
    assert response.status_code == 200  # 2028 exists: refused for the year, not the shares
    assert "gå jämnt upp" not in response.content.decode()


# ------------------------------------------------------------------ constraint messages


def test_negative_indexation_is_refused_at_the_field_in_swedish(world, login):
    data = budget_post(2027, [("personnel", "Personal", "1000000")], [], indexation_percent="-200")
    response = login(world.finance_a).post(f"/agreements/{world.agreement_a.pk}/budgets/new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "budget_indexation_sane" not in page
    assert "-100" in page or "−100" in page
    assert not Budget.objects.filter(agreement=world.agreement_a, year=2027).exists()


def test_every_model_constraint_has_a_swedish_message():
    from django.apps import apps

    missing = [
        f"{model.__name__}.{constraint.name}"
        for model in apps.get_models()
        if model._meta.app_label in {"iop", "partnerships", "participants", "reporting"}
        for constraint in model._meta.constraints
        if constraint.violation_error_message == constraint.default_violation_error_message
    ]
    assert missing == []


# ------------------------------------------------------------------ indexation by index


def index_budget(world, final=None):
    agreement, (public, first, second) = three_party_agreement(world)
    series = IndexSeries.objects.create(name="OPI kommunal sektor")
    series.values.create(year=2027, provisional_percent=Decimal("3.0"), final_percent=final)
    budget = BudgetFactory(agreement=agreement, year=2026, index_series=series)
    CostLineFactory(budget=budget, amount=Decimal("2368800"))
    FundingShare.objects.create(budget=budget, party=public, percent=Decimal("100"))
    return budget, series


def test_next_year_follows_the_index_series(world):
    budget, _series = index_budget(world)
    new = derive_next_year(budget=budget, audit=AuditContext.system())
    assert new.total() == Decimal("2439864")
    assert new.applied_index_percent == Decimal("3.0")
    assert new.index_series == budget.index_series
    assert new.indexation_adjustment() is None


def test_missing_index_value_is_refused_and_nothing_saved(world, login):
    budget, series = index_budget(world)
    series.values.all().delete()
    response = login(world.finance_a).post(
        f"/agreements/{budget.agreement_id}/budgets/2026/derive/", follow=True
    )
    assert "saknar värde för 2027" in response.content.decode()
    assert not Budget.objects.filter(agreement=budget.agreement, year=2027).exists()
    with pytest.raises(ValidationError):
        derive_next_year(budget=budget, audit=AuditContext.system())


def test_final_index_value_gives_an_adjustment_shown_on_the_page(world, login):
    budget, series = index_budget(world)
    new = derive_next_year(budget=budget, audit=AuditContext.system())
    series.values.filter(year=2027).update(final_percent=Decimal("3.4"))
    new.refresh_from_db()
    # 2 368 800 × 0,4 % = 9 475,20 kr more than was budgeted for 2027.
    assert new.indexation_adjustment() == Decimal("9475.20")
    page = login(world.finance_a).get(new.get_absolute_url()).content.decode()
    assert "9 475,20 kr" in page


# ------------------------------------------------------------------ budget page truth


def test_budget_page_says_no_actual_cost_booked_instead_of_within_budget(world, login):
    budget = Budget.objects.get(agreement=world.agreement_a, year=2026)
    CostLineFactory(budget=budget, description="Lokal", amount=Decimal("200000"))
    line = budget.cost_lines.get(description="Lokal")
    ActualCost.objects.create(
        cost_line=line, date=datetime.date(2026, 3, 1), amount=Decimal("210000"), voucher="V1"
    )
    page = login(world.finance_a).get(budget.get_absolute_url()).content.decode()
    assert "inget utfall bokfört" in page
    assert "+10 000 kr" in page and "+5,0 %" in page


def test_finance_enters_provisional_then_final_index_value_in_the_app(world, login):
    budget, series = index_budget(world)
    new = derive_next_year(budget=budget, audit=AuditContext.system())
    client = login(world.finance_a)
    response = client.post(
        "/budgets/index-series/",
        {
            "kind": "value",
            "value-series": series.pk,
            "value-year": "2027",
            "value-provisional_percent": "3.0",
            "value-final_percent": "3.4",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert series.values.get(year=2027).final_percent == Decimal("3.4")
    assert new.indexation_adjustment() == Decimal("9475.20")
    page = client.get("/budgets/index-series/").content.decode()
    assert "OPI kommunal sektor" in page and "3,40 %" in page


def test_steering_group_cannot_enter_index_values(world, login):
    response = login(world.steering_a).get("/budgets/index-series/")
    assert response.status_code == 403
