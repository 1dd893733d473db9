import pytest

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_signs_in_and_opens_an_agreement(page, world):
    browser_login(page, world.manager_a.username)
    page.goto("/agreements/")
    page.get_by_role("link", name="IOP A").click()
    page.wait_for_selector("h1")
    assert "IOP A" in page.inner_text("h1")
    assert "1 000 000 kr" in page.content()
    # The budget is one click away, and keyboard focus lands on visible links.
    page.get_by_role("link", name="2026", exact=True).click()
    assert "Budget 2026" in page.inner_text("h1")
    page.screenshot(path="test-artifacts/agreement-budget.png", full_page=True)
