"""Partnership pages run a fixed number of SQL queries, however many rows they show."""

from decimal import Decimal

import pytest

from iop.audit import AuditContext
from partnerships.actions import record_version
from partnerships.models import ActualCost, AgreementParty, Goal, Indicator, IndicatorTarget
from tests.factories.partnerships import (
    AgreementFactory,
    CostLineFactory,
    OrganisationFactory,
    PartyFactory,
)

pytestmark = pytest.mark.django_db

# Queries per page for a signed-in partnership manager (session, and the user with organisation
# and roles in one query, included).
EXPECTED = {
    "agreement_list": 5,
    "agreement_detail": 20,
    "budget_detail": 11,
    "organisation_list": 4,
    "agreement_history": 5,
}


def urls(world):
    a = world.agreement_a.pk
    return {
        "agreement_list": "/agreements/",
        "agreement_detail": f"/agreements/{a}/",
        "budget_detail": f"/agreements/{a}/budgets/2026/",
        "organisation_list": "/organisations/",
        "agreement_history": f"/agreements/{a}/history/",
    }


def grow(world):
    """Add more of everything the pages list."""
    for _ in range(5):
        agreement = AgreementFactory()
        PartyFactory(agreement=agreement, organisation=world.org_a)
        PartyFactory(agreement=agreement, organisation=OrganisationFactory())
    budget = world.agreement_a.budgets.get()
    for i in range(6):
        line = CostLineFactory(budget=budget, amount=Decimal("1000"))
        ActualCost.objects.create(
            cost_line=line, date="2026-02-01", amount=Decimal("10"), voucher=f"V{i}"
        )
    top = Goal.objects.get(agreement=world.agreement_a, parent=None)
    for i in range(1, 5):
        sub = Goal.objects.create(agreement=world.agreement_a, parent=top, title=f"Delmål {i}")
        indicator = Indicator.objects.create(goal=sub, name=f"Indikator {i}")
        IndicatorTarget.objects.create(indicator=indicator, year=2026, target=Decimal("10"))
    for _ in range(4):
        PartyFactory(agreement=world.agreement_a, role=AgreementParty.PartyRole.PARTNER)
    for i in range(5):
        world.agreement_a.purpose = f"Syfte {i}"
        world.agreement_a.save()
        record_version(
            audit=AuditContext.system(),
            agreement=world.agreement_a,
            user=None,
            summary=f"Ändring {i}",
        )


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_page_query_count_is_fixed(world, login, django_assert_num_queries, page):
    # One of everything, so that every prefetch already runs before the page grows.
    top = Goal.objects.create(agreement=world.agreement_a, title="Övergripande")
    sub = Goal.objects.create(agreement=world.agreement_a, parent=top, title="Delmål 0")
    indicator = Indicator.objects.create(goal=sub, name="Indikator 0")
    IndicatorTarget.objects.create(indicator=indicator, year=2026, target=Decimal("10"))
    record_version(
        audit=AuditContext.system(), agreement=world.agreement_a, user=None, summary="Tecknad"
    )
    client = login(world.manager_a)
    client.get("/agreements/")  # settle the session before counting
    url = urls(world)[page]
    with django_assert_num_queries(EXPECTED[page]):
        assert client.get(url).status_code == 200
    grow(world)
    with django_assert_num_queries(EXPECTED[page]):
        assert client.get(url).status_code == 200
