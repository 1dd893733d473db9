"""Amounts typed the Swedish way read the same in every form and import, whatever the
language of the browser or the interface; an ambiguous entry gets a message instead of a
silent factor of a hundred (issue 12, point 9)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from iop.forms import format_amount_input, parse_amount
from partnerships.models import ActualCost, Budget, CostLine
from tests.io_helpers import (  # noqa: F401 - io_settings is an autouse fixture
    csv_bytes,
    import_file,
    io_settings,
    preview,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["sv", "en"]
ACCEPT = {"sv": "sv-SE,sv;q=0.9", "en": "en-US,en;q=0.9"}


def client_in(login, user, language):
    client = login(user)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = ACCEPT[language]
    return client


def book(client, world, amount, voucher="V-1"):
    line = world.agreement_a.budgets.get().cost_lines.get()
    return client.post(
        f"/agreements/{world.agreement_a.pk}/budgets/2026/actuals/",
        {"cost_line": line.pk, "date": "2026-03-01", "amount": amount, "voucher": voucher},
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "typed, stored",
    [
        ("1 250,50", "1250.50"),
        ("1250.50", "1250.50"),
        ("1250,50", "1250.50"),
        ("1 104 000", "1104000"),
        ("1\u00a0104\u00a0000 kr", "1104000"),
    ],
)
def test_actual_cost_typed_the_swedish_way_is_stored_as_typed(
    world, login, language, typed, stored
):
    client = client_in(login, world.finance_a, language)
    response = book(client, world, typed)
    assert response.status_code == 302, response.content.decode()[:500]
    assert ActualCost.objects.get().amount == Decimal(stored)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("typed", ["1,250.50", "1.250,50", "1.250.000", "1,250"])
def test_ambiguous_amount_is_refused_with_a_message_and_nothing_saved(
    world, login, language, typed
):
    client = client_in(login, world.finance_a, language)
    response = book(client, world, typed)
    assert response.status_code == 400
    page = response.content.decode()
    if language == "sv":
        assert "går inte att tolka säkert" in page
        assert "1 250,50" in page
    assert not ActualCost.objects.exists()


def test_thousands_spaces_must_group_by_three(world, login):
    response = book(login(world.finance_a), world, "12 34")
    assert response.status_code == 400
    assert "Mellanslag får bara skilja tusental" in response.content.decode()
    assert not ActualCost.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_budget_form_renders_amounts_as_text_that_reads_back(world, login, language):
    budget = world.agreement_a.budgets.get()
    line = budget.cost_lines.get()
    line.fte = Decimal("1.50")
    line.amount = Decimal("1250000.50")
    line.save()
    client = client_in(login, world.finance_a, language)
    page = client.get(f"/agreements/{world.agreement_a.pk}/budgets/2026/edit/").content.decode()
    amount = re.search(r'<input[^>]*name="lines-0-amount"[^>]*>', page).group(0)
    assert 'type="text"' in amount and 'inputmode="decimal"' in amount
    assert 'value="1 250 000,50"' in amount
    fte = re.search(r'<input[^>]*name="lines-0-fte"[^>]*>', page).group(0)
    assert 'type="text"' in fte and 'value="1,50"' in fte
    percent = re.search(r'<input[^>]*name="shares-0-percent"[^>]*>', page).group(0)
    assert 'inputmode="decimal"' in percent and 'value="70"' in percent
    assert 'type="number"' not in amount + fte + percent


@pytest.mark.parametrize("language", LANGUAGES)
def test_budget_saved_with_swedish_amounts_in_any_language(world, login, language):
    from tests.test_budgets import budget_post

    client = client_in(login, world.finance_a, language)
    public = world.agreement_a.parties.get(role="public_funder")
    response = client.post(
        f"/agreements/{world.agreement_a.pk}/budgets/new/",
        budget_post(
            2027,
            [("personnel", "Personal", "600 000,50"), ("premises", "Lokal", "399999.50")],
            [(world.party_a, "30", ""), (public, "", "700 000")],
            indexation_percent="2,5",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    budget = Budget.objects.get(agreement=world.agreement_a, year=2027)
    assert budget.indexation_percent == Decimal("2.5")
    assert sorted(CostLine.objects.filter(budget=budget).values_list("amount", flat=True)) == [
        Decimal("399999.50"),
        Decimal("600000.50"),
    ]


def _rows(amount):
    return [
        ["Överenskommelse", "År", "Kostnadspost", "Verifikation", "Datum", "Belopp", "Beskrivning"],
        ["iop-a", "2026", "Personal", "V-9", "2026-02-01", amount, "Lön januari"],
    ]


@pytest.mark.parametrize("typed", ["1 250,50", "1250.50", "1250,50"])
def test_import_reads_amounts_like_the_forms(world, login, typed):
    job = import_file(login(world.finance_a), "actual_costs", csv_bytes(_rows(typed)))
    assert job.summary["new"] == 1, job.rows
    assert ActualCost.objects.get().amount == Decimal("1250.50")


@pytest.mark.parametrize("typed", ["1,250.50", "1.250,50", "1,250"])
def test_import_refuses_an_ambiguous_amount(world, login, typed):
    job = preview(login(world.finance_a), "actual_costs", csv_bytes(_rows(typed)))
    assert job.summary["refused"] == 1, job.rows
    assert "går inte att tolka säkert" in " ".join(job.rows[0]["reasons"])
    assert not ActualCost.objects.exists()


@pytest.mark.parametrize(
    "value",
    ["1250.50", "1104000", "0.5", "0.50", "33.333", "-1250.50", "999999999999.99", "7"],
)
def test_what_a_field_shows_reads_back_to_the_same_value(value):
    amount = Decimal(value)
    assert parse_amount(format_amount_input(amount), decimal_places=3) == amount


def test_three_decimals_are_read_where_the_field_holds_them():
    assert parse_amount("33,333", decimal_places=3) == Decimal("33.333")
    with pytest.raises(ValidationError):
        parse_amount("33,333", decimal_places=2)
