"""The caseworker's list in real Chromium (issue 13): fits a 390 px phone with "Logga
kontakt" on screen, focus comes back to the row after saving or cancelling, and the first
"Logga kontakt" is a few key presses away."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import browser_login
from tests.factories.participants import enrolled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Tab presses from the top of the page to the first "Logga kontakt", following the skip
# links with Enter (today's list needed 30 Tabs).
MAX_TABS_TO_FIRST_LOG_CONTACT = 5


def _focused_is_log_contact(page) -> bool:
    return page.evaluate(
        "document.activeElement && document.activeElement.classList.contains('log-contact')"
    )


def _wait_until(page, expression: str, seconds: float = 5.0) -> None:
    # Polled from Python: the site's CSP forbids the eval that wait_for_function would need.
    for _ in range(int(seconds * 20)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {expression}")


def test_list_fits_a_phone_with_log_contact_on_screen(page, world):
    for i in range(3):
        enrolled(world.agreement_a, world.org_a, name=f"Lång Namnsdotter Testsson {i}")
    browser_login(page, world.coordinator_a.username)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/participants/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the list page is {width} px wide at 390 px"
    button = page.locator(".log-contact").first
    box = button.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert box["height"] >= 44
    # The contact form that opens in the card fits as well.
    button.click()
    page.locator("form.contact-form").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_focus_returns_to_the_row_after_cancelling_and_after_saving(page, world):
    enrolment = enrolled(world.agreement_a, world.org_a)
    browser_login(page, world.coordinator_a.username)
    page.goto("/participants/")
    row = f"#enrolment-{enrolment.pk}"
    focused_here = f"document.activeElement && document.activeElement.matches('{row} .log-contact')"
    page.locator(f"{row} .log-contact").click()
    page.locator(f"{row} form.contact-form").wait_for()
    _wait_until(page, "document.activeElement && document.activeElement.id === 'id_topic'")
    page.keyboard.press("Escape")
    page.locator(f"{row} form.contact-form").wait_for(state="detached")
    _wait_until(page, focused_here)

    page.keyboard.press("Enter")  # the focused "Logga kontakt" opens the form again
    page.locator(f"{row} form.contact-form").wait_for()
    page.get_by_role("link", name="Avbryt").click()
    page.locator(f"{row} form.contact-form").wait_for(state="detached")
    _wait_until(page, focused_here)

    page.locator(f"{row} .log-contact").click()
    _wait_until(page, "document.activeElement && document.activeElement.id === 'id_topic'")
    page.keyboard.type("Uppföljning")
    page.keyboard.press("Enter")
    page.locator(f"{row} .last-contact .ok").wait_for()
    _wait_until(page, focused_here)
    assert timezone.localdate().isoformat() in page.locator(row).inner_text()


def test_first_log_contact_is_a_few_tabs_away(page, world):
    for _ in range(3):
        enrolled(world.agreement_a, world.org_a)
    browser_login(page, world.coordinator_a.username)
    page.goto("/participants/")
    tabs = 0
    while not _focused_is_log_contact(page) and tabs < 60:
        page.keyboard.press("Tab")
        tabs += 1
        # A skip link is followed, as a keyboard user would.
        if page.evaluate("document.activeElement.classList.contains('skip-link')"):
            page.keyboard.press("Enter")
    print(f"Tab presses to the first 'Logga kontakt': {tabs}")
    assert _focused_is_log_contact(page)
    assert tabs <= MAX_TABS_TO_FIRST_LOG_CONTACT
