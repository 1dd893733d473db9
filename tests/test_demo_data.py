from decimal import Decimal

import pytest
from django.core.management import call_command

from partnerships.models import Agreement, Budget, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", allow_demo_data=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_demo_loads_the_seed_partnerships_and_can_be_run_twice(demo):
    call_command("load_demo", allow_demo_data=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert set(Agreement.objects.values_list("short_id", flat=True)) >= {
        "thaiwise",
        "bromodellen",
        "malmokraften",
        "internationella-kvinnor",
    }
    # Internationella kvinnor (seed 003), once however many times the demo runs.
    assert Agreement.objects.filter(title="Internationella kvinnor").count() == 1
    assert Agreement.objects.count() == 4
    assert User.objects.filter(username="koordinator").count() == 1


def test_demo_budgets_match_the_agreements(demo):
    bromo = Agreement.objects.get(short_id="bromodellen")
    thai = Agreement.objects.get(short_id="thaiwise")
    assert Budget.objects.get(agreement=bromo, year=2024).total() == Decimal("2368800")
    b2025 = Budget.objects.get(agreement=bromo, year=2025)
    assert b2025.total() == Decimal("2416176")
    shares = {s.party.organisation.org_number: amount for s, amount in b2025.share_amounts()}
    assert shares["212000-0449"] == Decimal("1691323.20")
    assert Budget.objects.get(agreement=bromo, year=2024).grant() == Decimal("1658160")
    assert Budget.objects.get(agreement=thai, year=2026).total() == Decimal("670000")
    assert Budget.objects.get(agreement=thai, year=2027).total() == Decimal("688000")


def test_demo_malmokraften_has_its_targets(demo):
    mk = Agreement.objects.get(short_id="malmokraften")
    targets = {
        (i.metric, t.target)
        for goal in mk.goals.all()
        for i in goal.indicators.all()
        for t in i.targets.filter(year=2025)
    }
    assert {
        ("step_progression", Decimal("90")),
        ("share_to_work", Decimal("45")),
        ("share_to_studies", Decimal("10")),
    } <= targets


def test_demo_pages_show_required_figures(demo, client):
    client.force_login(User.objects.get(username="admin"))
    bromo = Agreement.objects.get(short_id="bromodellen")
    thai = Agreement.objects.get(short_id="thaiwise")
    assert "2 416 176 kr" in client.get(f"/agreements/{bromo.pk}/budgets/2025/").content.decode()
    assert "688 000 kr" in client.get(f"/agreements/{thai.pk}/budgets/2027/").content.decode()
