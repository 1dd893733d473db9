"""A steering-group member opens a dashboard in real Chromium: the charts are drawn and
the screenshot is kept in test-artifacts/ for a human to look at."""

import pytest

from tests.conftest import browser_login
from tests.factories.reporting import fixture_partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_steering_member_opens_a_dashboard_with_charts(page, world):
    from django.core.cache import cache

    cache.clear()
    agreement = fixture_partnership(world.org_a, world.municipality, world.coordinator_a)
    browser_login(page, world.steering_a.username)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Översikt").click()
    page.wait_for_selector("h1")
    page.select_option("#dash-agreement", str(agreement.pk))
    page.select_option("#dash-year", "2024")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_selector("#fig-flow svg")
    assert agreement.title in page.inner_text("h1")
    charts = page.locator("figure.dash-chart svg")
    assert charts.count() >= 7
    # Drawn, not just present: the month chart has columns with a real size.
    box = page.locator("#fig-flow svg").bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    assert page.locator("#fig-flow svg rect").count() > 4
    assert "72,7 %" in page.inner_text("#fig-goals table")
    assert "<5" in page.inner_text("#fig-attendance table")
    page.screenshot(path="test-artifacts/dashboard.png", full_page=True)
