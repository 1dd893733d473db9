import pytest

from partnerships.models import ActionItem, Meeting
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_lands_on_todo_and_records_a_meeting(page, world):
    browser_login(page, world.manager_a.username)
    page.goto("/")
    assert page.inner_text("h1") == "Att göra"
    assert "Årsrapporten för 2026 ska lämnas" in page.content()
    page.screenshot(path="test-artifacts/todo.png", full_page=True)

    page.goto(f"/agreements/{world.agreement_a.pk}/meetings/new/?kind=followup")
    page.select_option("#id_status", "held")
    page.fill("#id_date", "2026-05-12")
    page.select_option("#id_convened_by", label=world.org_a.name)
    page.fill("#id_attendees-0-name", "Åsa Påhittad")
    page.select_option("#id_attendees-0-organisation", label=world.municipality.name)
    page.fill("#id_actions-0-description", "Boka lokal")
    page.fill("#id_actions-0-due_date", "2026-06-01")
    page.get_by_role("button", name="Spara mötet").click()
    # No owner: the message sits by the field and nothing is saved.
    assert "Ange vem som ansvarar för åtgärden." in page.content()
    assert not Meeting.objects.exists()

    page.fill("#id_actions-0-owner", "Åsa Påhittad")
    page.get_by_role("button", name="Spara mötet").click()
    page.wait_for_selector("text=Mötet är sparat.")
    assert ActionItem.objects.get().owner == "Åsa Påhittad"
    page.screenshot(path="test-artifacts/meeting-detail.png", full_page=True)
