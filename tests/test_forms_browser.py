"""Nothing lost, nothing misleading, in a real Chromium: a refused form shows its errors
where they cannot be missed, and the annual report keeps what was typed."""

import datetime
from decimal import Decimal

import pytest

from partnerships.models import Goal, Indicator
from reporting.models import AnnualReport
from tests.conftest import browser_login
from tests.factories.partnerships import BudgetFactory, CostLineFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _active_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_a_refused_actual_cost_moves_focus_to_the_summary_and_its_link_to_the_date(
    page, world, set_today
):
    # Booking with today's date (prefilled) on next year's budget fails.
    set_today(datetime.date(2026, 11, 25))
    budget = BudgetFactory.create(agreement=world.agreement_a, year=2027)
    CostLineFactory.create(budget=budget, amount=Decimal("500000"), description="Lokaler")
    browser_login(page, world.manager_a.username)
    page.goto(f"/agreements/{world.agreement_a.pk}/budgets/2027/")
    page.get_by_text("Bokför utfall").click()
    page.select_option("#id_cost_line", index=1)
    assert page.input_value("#id_date") == "2026-11-25"
    page.fill("#id_amount", "1200")
    page.get_by_role("button", name="Bokför").click()
    page.wait_for_selector("[data-error-summary]")

    assert _active_id(page) == "error-summary"
    summary = page.locator("[data-error-summary]")
    assert "Det finns fel att rätta" in summary.inner_text()
    assert summary.bounding_box()["y"] < 400  # at the top, not 3 000 px down
    summary.locator("a[href='#id_date']").click()
    assert _active_id(page) == "id_date"
    assert page.evaluate("document.getElementById('id_date').closest('details').open")
    assert page.locator("#id_date").is_visible()
    page.screenshot(path="test-artifacts/actual-cost-error.png", full_page=False)


def test_the_annual_report_saves_what_was_typed_and_submits_it(page, world, set_today):
    set_today(datetime.date(2027, 1, 20))
    goal = Goal.objects.create(agreement=world.agreement_a, title="Fler i arbete")
    indicator = Indicator.objects.create(
        goal=goal, name="Nöjda deltagare", metric=Indicator.Metric.MANUAL
    )
    browser_login(page, world.manager_a.username)
    page.goto(f"/reporting/agreements/{world.agreement_a.pk}/annual/2026/")
    page.fill("#id_activities", "Vi har haft öppet fyra dagar i veckan.")
    page.fill("#id_went_well", "Samarbetet med kommunen.")
    page.fill("#id_went_badly", "Lokalen blev klar sent.")
    page.fill(f"#id_indicator_{indicator.pk}", "85")
    page.get_by_role("button", name="Spara och granska inför inlämning").click()
    page.wait_for_selector("text=Det här fryses när du lämnar in")
    frozen = page.inner_text(".freeze-list")
    assert "Vi har haft öppet fyra dagar i veckan." in frozen and "85" in frozen
    page.get_by_label("Jag har gått igenom bristerna").check()
    page.get_by_role("button", name="Lämna in årsrapporten").click()
    page.wait_for_selector("text=är inlämnad som version 1")
    report = AnnualReport.objects.get()
    assert report.status == "submitted"
    assert report.activities == "Vi har haft öppet fyra dagar i veckan."
    assert report.went_badly == "Lokalen blev klar sent."
    assert report.manual_outcomes == {str(indicator.pk): "85"}


def test_the_annual_report_draft_saves_itself_and_leaving_unsaved_warns(page, world):
    browser_login(page, world.manager_a.username)
    page.goto(f"/reporting/agreements/{world.agreement_a.pk}/annual/2026/")
    page.fill("#id_activities", "Första utkastet")
    page.keyboard.press("Tab")  # leaving the field saves the draft
    page.wait_for_selector("text=Utkastet sparades kl.")
    assert AnnualReport.objects.get().activities == "Första utkastet"

    dialogs: list[str] = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.locator("#id_went_well").type("Inte sparat än")
    page.evaluate("window.location.assign('/')")
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.input_value("#id_went_well") == "Inte sparat än"  # still on the page
