"""The budget form in a real browser: rows added in place with the keyboard, three cost
lines and three shares saved at once (issue 12)."""

import pytest

from partnerships.models import Budget
from tests.conftest import browser_login
from tests.test_budget_keeping import three_party_agreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_adds_rows_with_the_keyboard_and_saves_once(page, world):
    agreement, (public, first, second) = three_party_agreement(world)
    browser_login(page, world.finance_a.username)
    page.goto(f"/agreements/{agreement.pk}/budgets/new/?year=2026")
    add_line = page.get_by_role("button", name="Lägg till kostnadspost")
    add_share = page.get_by_role("button", name="Lägg till andel")
    for i, (category, description, amount) in enumerate(
        [
            ("personnel", "Personal", "1670400"),
            ("premises", "Lokaler", "372000"),
            ("materials", "Material", "48000"),
        ]
    ):
        if i:
            add_line.focus()
            page.keyboard.press("Enter")
            # Focus moves to the new row's first field, and the change is announced.
            assert page.evaluate("document.activeElement.id") == f"id_lines-{i}-category"
            assert page.inner_text("#formset-status")
        page.select_option(f"#id_lines-{i}-category", category)
        page.fill(f"#id_lines-{i}-description", description)
        page.fill(f"#id_lines-{i}-amount", amount)
    for i, (party, pct) in enumerate([(public, "70"), (first, "25"), (second, "5")]):
        if i:
            add_share.focus()
            page.keyboard.press("Space")
        page.select_option(f"#id_shares-{i}-party", str(party.pk))
        page.fill(f"#id_shares-{i}-percent", pct)
    page.get_by_role("button", name="Spara budgeten").click()
    page.wait_for_selector("h1:has-text('Budget 2026')")
    budget = Budget.objects.get(agreement=agreement, year=2026)
    assert budget.cost_lines.count() == 3 and budget.shares.count() == 3
    assert budget.shares_error() is None
    assert "2 090 400 kr" in page.content()
