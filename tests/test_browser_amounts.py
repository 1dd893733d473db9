"""In a browser with an English locale, an amount typed the Swedish way is stored as typed
(it became 125 050 when the field was a type=number input)."""

from decimal import Decimal

import pytest

from partnerships.models import ActualCost
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def english_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


def test_swedish_amount_in_an_english_browser_is_stored_as_typed(english_page, world):
    page = english_page
    browser_login(page, world.finance_a.username)
    page.goto(f"/agreements/{world.agreement_a.pk}/budgets/2026/")
    page.get_by_text("Bokför utfall").click()
    form = page.locator("form[action$='/actuals/']")
    amount = form.locator("#id_amount")
    assert amount.get_attribute("type") == "text"
    assert amount.get_attribute("inputmode") == "decimal"
    form.locator("#id_cost_line").select_option(index=1)
    form.locator("#id_date").fill("2026-03-01")
    amount.fill("1 250,50")
    form.locator("#id_voucher").fill("V-77")
    amount.press("Enter")
    page.wait_for_load_state()
    assert ActualCost.objects.get(voucher="V-77").amount == Decimal("1250.50")
    assert "1 250,50 kr" in page.content()
