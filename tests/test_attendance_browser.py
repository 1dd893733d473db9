"""Attendance in real Chromium (issue 13): "Alla närvarande" from the keyboard, large
targets, and a contradictory row refused where it is."""

from __future__ import annotations

import pytest

from participants.models import Attendance
from tests.conftest import browser_login
from tests.factories.participants import GroupActivityFactory, GroupSessionFactory, enrolled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_all_present_from_the_keyboard_with_large_targets(page, world):
    roster = [enrolled(world.agreement_a, world.org_a, name=f"Person {i}") for i in range(4)]
    session = GroupSessionFactory(activity=GroupActivityFactory(agreement=world.agreement_a))
    browser_login(page, world.coordinator_a.username)
    page.goto(f"/participants/sessions/{session.pk}/")
    assert "Person 0" in page.locator("table.attendance-table").inner_text()
    for label in page.locator("table.attendance-table label.tick").all():
        box = label.bounding_box()
        assert box and box["width"] >= 44 and box["height"] >= 44
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for label in page.locator("table.attendance-table label.tick").all():
            box = label.bounding_box()
            assert box and box["width"] >= 44 and box["height"] >= 44
        page.goto(f"/participants/groups/{session.activity_id}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(f"/participants/sessions/{session.pk}/")
    page.set_viewport_size({"width": 1366, "height": 800})
    button = page.get_by_role("button", name="Alla närvarande")
    button.focus()
    page.keyboard.press("Enter")
    boxes = page.locator("table.attendance-table input.present")
    assert boxes.count() == 4
    assert all(b.is_checked() for b in boxes.all())
    page.get_by_role("button", name="Spara närvaro").click()
    page.wait_for_url(f"**/groups/{session.activity_id}/")
    statuses = set(Attendance.objects.filter(session=session).values_list("status", flat=True))
    assert statuses == {"present"} and Attendance.objects.count() == len(roster)


def test_present_and_excused_on_one_row_is_refused_at_the_row(page, world):
    e = enrolled(world.agreement_a, world.org_a, name="Dubbel Kryss")
    session = GroupSessionFactory(activity=GroupActivityFactory(agreement=world.agreement_a))
    browser_login(page, world.coordinator_a.username)
    page.goto(f"/participants/sessions/{session.pk}/")
    page.get_by_label("Närvarande Dubbel Kryss").check()
    page.get_by_label("Anmäld frånvaro Dubbel Kryss").check()
    page.get_by_role("button", name="Spara närvaro").click()
    row = page.locator(f"#row-{e.participant_id}")
    row.locator(".field-errors").wait_for()
    assert "antingen närvarande eller anmäld frånvaro" in row.inner_text()
    assert not Attendance.objects.exists()
