"""Keyboard only: the language menu, the contact form, attendance and the annual report
(issue 13, point 11).

Quoted: "by hand: the language menu switches on ArrowDown (WCAG 3.2.2)". The contact form
and the attendance form are reached with Tab and used with Enter, Space and Escape alone.
"""

from __future__ import annotations

import datetime

import pytest

from participants.models import Attendance, Contact
from reporting.models import AnnualReport
from tests.conftest import browser_login
from tests.factories.participants import GroupActivityFactory, GroupSessionFactory, enrolled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = "() => document.activeElement"


def tab_until(page, selector: str, limit: int = 60) -> int:
    """Press Tab until the focused element matches `selector`; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
            return presses
    raise AssertionError(f"{selector} not reached in {limit} Tab presses")


def test_language_menu_changes_nothing_until_its_button_is_pressed(page, world):
    browser_login(page, world.coordinator_a.username)
    page.goto("/agreements/")
    url = page.url
    page.focus("#lang-select")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(700)
    assert page.url == url
    assert page.evaluate("document.documentElement.lang") == "sv"
    assert page.evaluate("document.activeElement.id") == "lang-select"
    # Moving on to the button and pressing it switches, and the user stays on the page.
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.url == url


def test_contact_form_by_keyboard_alone(page, world):
    enrolment = enrolled(world.agreement_a, world.org_a)
    browser_login(page, world.coordinator_a.username)
    page.goto("/participants/")
    link = f"#enrolment-{enrolment.pk} a[href$='/contacts/new/']"
    tab_until(page, link)
    page.keyboard.press("Enter")
    form = page.locator(f"#enrolment-{enrolment.pk} form.contact-form")
    form.wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_topic'")
    # Escape closes the form without saving.
    page.keyboard.press("Escape")
    form.wait_for(state="detached")
    assert not Contact.objects.exists()
    page.goto("/participants/")
    tab_until(page, link)
    page.keyboard.press("Enter")
    form.wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_topic'")
    page.keyboard.type("Telefonsamtal om praktikplats")
    page.keyboard.press("Enter")
    page.locator(f"#enrolment-{enrolment.pk} .last-contact").wait_for()
    page.wait_for_function("document.querySelector('form.contact-form') === null")
    assert Contact.objects.get().topic == "Telefonsamtal om praktikplats"


def test_attendance_by_keyboard_alone(page, world):
    first = enrolled(world.agreement_a, world.org_a)
    session = GroupSessionFactory(activity=GroupActivityFactory(agreement=world.agreement_a))
    browser_login(page, world.coordinator_a.username)
    page.goto(f"/participants/sessions/{session.pk}/")
    tab_until(page, f"input[type=checkbox][name='present_{first.participant_id}']")
    page.keyboard.press("Space")
    tab_until(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Attendance.objects.get(session=session, participant=first.participant).status == (
        Attendance.Status.PRESENT
    )


def test_annual_report_written_reviewed_and_submitted_by_keyboard_alone(page, world, set_today):
    set_today(datetime.date(2027, 1, 20))
    browser_login(page, world.manager_a.username)
    page.goto(f"/reporting/agreements/{world.agreement_a.pk}/annual/2026/")
    for field, text in (
        ("#id_activities", "Öppet fyra dagar i veckan."),
        ("#id_went_well", "Samarbetet med kommunen."),
        ("#id_went_badly", "Lokalen blev klar sent."),
    ):
        tab_until(page, field)
        page.keyboard.type(text)
    tab_until(page, "button[name=intent][value=review]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Öppet fyra dagar i veckan." in page.inner_text(".freeze-list")
    # On the review page: tick the acknowledgement if there are warnings, then submit.
    if page.locator("input[type=checkbox]").count():
        tab_until(page, "input[type=checkbox]")
        page.keyboard.press("Space")
    tab_until(page, "button.primary")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    report = AnnualReport.objects.get()
    assert report.status == "submitted"
    assert report.went_badly == "Lokalen blev klar sent."
