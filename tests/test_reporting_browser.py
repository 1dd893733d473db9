"""The annual report in a real Chromium: no CSP violations, the background PDF is announced."""

import pytest

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_orders_the_annual_report_pdf_and_is_told_when_ready(page, world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    browser_login(page, world.manager_a.username)
    page.goto(f"/agreements/{world.agreement_a.pk}/")
    page.get_by_role("link", name="Årsrapport 2026").click()
    page.wait_for_selector("h1")
    assert "Årsrapport 2026" in page.inner_text("h1")
    assert "1 000 000 kr" in page.inner_text("article.doc")
    page.get_by_role("button", name="Ta fram PDF").click()
    page.get_by_text("PDF:en är klar.").wait_for(timeout=15000)
    assert page.get_by_role("link", name="Öppna PDF:en").is_visible()
    page.screenshot(path="test-artifacts/annual-report-pdf-ready.png", full_page=True)
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
