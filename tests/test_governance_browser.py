"""The meeting form in the browser: rows for attendees, decisions and action items are
added in place (no page load, no fixed number), and a body's members are ticked present."""

import pytest

from partnerships.models import Attendee, BodyMember, Decision, GovernanceBody, Meeting
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rows_are_added_without_a_page_load_and_members_ticked_present(page, world):
    body = GovernanceBody.objects.create(agreement=world.agreement_a, kind="steering")
    outside = BodyMember.objects.create(
        body=body,
        name="Ingrid Påhittad",
        organisation_name="Påhittade folkhögskolan",
        role="co_opted",
        start_date=world.agreement_a.start_date,
    )
    browser_login(page, world.manager_a.username)
    page.goto(f"/agreements/{world.agreement_a.pk}/meetings/new/?body={body.pk}")
    assert page.is_checked(f"input[name=present_members][value='{outside.pk}']")
    page.fill("#id_date", "2026-05-12")
    page.select_option("#id_convened_by", label=world.org_a.name)
    page.evaluate("window.__sameDocument = true")
    for _n in range(3):
        page.get_by_role("button", name="Lägg till beslut").click()
    # Still the same document: nothing was loaded.
    assert page.evaluate("window.__sameDocument") is True
    count = int(page.input_value("#id_decisions-TOTAL_FORMS"))
    assert count == 5
    for n in range(count):
        page.fill(f"#id_decisions-{n}-text", f"Beslut {n + 1}")
    page.get_by_role("button", name="Lägg till närvarande").click()
    page.get_by_role("button", name="Spara mötet").click()
    page.wait_for_selector("text=Mötet är sparat.")
    meeting = Meeting.objects.get()
    assert Decision.objects.filter(meeting=meeting).count() == 5
    assert Attendee.objects.get(meeting=meeting).name == "Ingrid Påhittad"
