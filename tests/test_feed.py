"""The iCalendar feed: valid RFC 5545, secret per-user link, revocable, and the same
deadlines as the start page and the reminders."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from iop.audit import AuditContext
from partnerships.actions import create_calendar_token
from partnerships.deadlines import deadlines_for_user
from partnerships.models import CalendarToken
from tests.factories.partnerships import ActionItemFactory, MeetingFactory


@pytest.fixture
def some_deadlines(world):
    meeting = MeetingFactory(
        agreement=world.agreement_a, convened_by=world.org_a, date=datetime.date(2026, 3, 1)
    )
    ActionItemFactory(meeting=meeting, description="Skicka statistik")
    return meeting


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_feed_is_valid_icalendar_with_one_event_per_deadline(world, client, some_deadlines):
    token = create_calendar_token(audit=AuditContext.system(), user=world.manager_a)
    cal = parse(client.get(reverse("calendar_feed", args=[token.token])))
    assert str(cal["VERSION"]) == "2.0"
    assert cal["PRODID"]
    events = cal.walk("VEVENT")
    expected = deadlines_for_user(world.manager_a)
    assert {str(e["UID"]) for e in events} == {f"{d.key}@iop" for d in expected}
    for event in events:
        # RFC 5545 requires UID and DTSTAMP on every VEVENT.
        assert event["UID"] and event["DTSTAMP"]
        assert isinstance(event["DTSTART"].dt, datetime.date)
        assert event["DTEND"].dt - event["DTSTART"].dt == datetime.timedelta(days=1)
    summaries = [str(e["SUMMARY"]) for e in events]
    assert any("Skicka statistik" in s for s in summaries)
    # Lines are folded at 75 octets and end in CRLF, as the RFC asks.
    assert all(len(line) <= 75 for line in response_lines(client, token))


def response_lines(client, token):
    body = client.get(reverse("calendar_feed", args=[token.token])).content
    assert b"\r\n" in body
    return body.split(b"\r\n")


def test_feed_needs_no_session(world, client, some_deadlines):
    token = create_calendar_token(audit=AuditContext.system(), user=world.manager_a)
    client.logout()
    assert client.get(reverse("calendar_feed", args=[token.token])).status_code == 200


def test_revoked_link_answers_404(world, login, some_deadlines):
    client = login(world.manager_a)
    client.post(reverse("calendar_token_create"))
    token = CalendarToken.objects.get(user=world.manager_a)
    url = reverse("calendar_feed", args=[token.token])
    assert client.get(url).status_code == 200
    client.post(reverse("calendar_token_revoke"))
    client.logout()
    assert client.get(url).status_code == 404


def test_unknown_link_answers_404(client, db):
    assert client.get(reverse("calendar_feed", args=["not-a-real-token"])).status_code == 404


def test_new_link_replaces_the_old_one(world, client):
    old = create_calendar_token(audit=AuditContext.system(), user=world.manager_a)
    new = create_calendar_token(audit=AuditContext.system(), user=world.manager_a)
    assert client.get(reverse("calendar_feed", args=[old.token])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[new.token])).status_code == 200
    assert CalendarToken.objects.filter(user=world.manager_a, revoked_at__isnull=True).count() == 1


def test_deactivated_users_link_answers_404(world, client):
    token = create_calendar_token(audit=AuditContext.system(), user=world.manager_a)
    world.manager_a.is_active = False
    world.manager_a.save()
    assert client.get(reverse("calendar_feed", args=[token.token])).status_code == 404


def test_feed_shows_only_the_users_partnerships(world, client, some_deadlines):
    token = create_calendar_token(audit=AuditContext.system(), user=world.coordinator_b)
    cal = parse(client.get(reverse("calendar_feed", args=[token.token])))
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert uids
    assert not any(f":{world.agreement_a.pk}:" in uid for uid in uids)
    assert not any("Skicka statistik" in str(e["SUMMARY"]) for e in cal.walk("VEVENT"))


def test_calendar_page_shows_the_link(world, login):
    client = login(world.manager_a)
    assert "Skapa kalenderlänk" in client.get(reverse("calendar_settings")).content.decode()
    client.post(reverse("calendar_token_create"))
    token = CalendarToken.objects.get(user=world.manager_a)
    assert token.token in client.get(reverse("calendar_settings")).content.decode()


def test_start_page_feed_and_reminders_list_the_same_deadlines(
    world, login, some_deadlines, capsys
):
    world.manager_a.email = "manager@example.se"
    world.manager_a.save()
    client = login(world.manager_a)
    page = client.get(reverse("home")).content.decode()
    on_page = set(re.findall(r'data-key="([^"]+)"', page))

    token = create_calendar_token(audit=AuditContext.system(), user=world.manager_a)
    client.logout()
    cal = parse(client.get(reverse("calendar_feed", args=[token.token])))
    in_feed = {str(e["UID"]).removesuffix("@iop") for e in cal.walk("VEVENT")}

    call_command("send_reminders", "--dry-run", "--days", "100000")
    out = capsys.readouterr().out
    reminded = set(re.findall(r"^  \d{4}-\d\d-\d\d (\S+) ", out, re.MULTILINE))

    assert on_page
    assert on_page == in_feed == reminded
