"""A coordinator logs a contact from Mina deltagare in real Chromium, without a page reload."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from participants.models import Contact
from tests.conftest import browser_login
from tests.factories.participants import ContactFactory, enrolled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_logs_a_contact_from_the_list_in_place(page, world):
    enrolment = enrolled(world.agreement_a, world.org_a, name="Webb Testsson")
    ContactFactory(
        participant=enrolment.participant,
        agreement=world.agreement_a,
        staff=world.coordinator_a,
        kind=Contact.Kind.PHONE,
        duration_minutes=20,
        date=datetime.date(2026, 2, 1),
    )
    browser_login(page, world.coordinator_a.username)
    page.goto("/participants/")
    row = page.locator(f"#enrolment-{enrolment.pk}")
    assert "2026-02-01" in row.inner_text()
    # A marker on the window survives only if the page is not reloaded.
    page.evaluate("window.__notReloaded = true")

    row.get_by_role("link", name="Logga kontakt").click()
    form = page.locator(f"#enrolment-{enrolment.pk} form.contact-form")
    form.wait_for()
    # Escape closes the form again; the row is back as it was.
    page.keyboard.press("Escape")
    form.wait_for(state="detached")
    row.get_by_role("link", name="Logga kontakt").click()
    form.wait_for()
    today = timezone.localdate().isoformat()  # the server's date (Europe/Stockholm), not UTC
    assert form.locator("#id_date").input_value() == today
    assert form.locator("#id_kind").input_value() == "phone"
    assert form.locator("#id_duration_minutes").input_value() == "20"
    # One click opened the form; the cursor waits in the topic field and Enter saves.
    # (Wait for the focus itself: under load the script may place it a moment after the swap.)
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_topic'")
    page.keyboard.type("Avstämning inför praktik")
    page.keyboard.press("Enter")

    page.locator(f"#enrolment-{enrolment.pk} .last-contact .ok").wait_for()
    assert today in page.locator(f"#enrolment-{enrolment.pk}").inner_text()
    assert page.evaluate("window.__notReloaded") is True
    contact = Contact.objects.get(topic="Avstämning inför praktik")
    assert (contact.kind, contact.duration_minutes, contact.staff_id) == (
        "phone",
        20,
        world.coordinator_a.pk,
    )


def test_bad_duration_shows_the_message_in_the_row(page, world):
    enrolment = enrolled(world.agreement_a, world.org_a)
    browser_login(page, world.coordinator_a.username)
    page.goto("/participants/")
    page.locator(f"#enrolment-{enrolment.pk}").get_by_role("link", name="Logga kontakt").click()
    form = page.locator(f"#enrolment-{enrolment.pk} form.contact-form")
    form.wait_for()
    # Past the browser's own min/max check, the server's Swedish message must show.
    form.locator("#id_duration_minutes").evaluate(
        "el => { el.removeAttribute('max'); el.value = '2000'; }"
    )
    form.get_by_role("button", name="Spara kontakt").click()
    page.locator(f"#enrolment-{enrolment.pk} div.field-errors").wait_for()
    assert "mellan 1 och 720" in page.locator(f"#enrolment-{enrolment.pk}").inner_text()
    assert not Contact.objects.exists()
