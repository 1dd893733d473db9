"""The caseworker's list (issue 13): sort and filter by phase, days since contact and time
over the planned maximum, with codes and numbers only in the URL; status in words as well
as colour; import/export in one menu; a constant number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import Enrolment, Phase
from tests.factories.participants import ContactFactory, enrolled

pytestmark = pytest.mark.django_db

LIST = reverse("participants:list")


def _codes(html: str) -> list[str]:
    return re.findall(r'id="enrolment-\d+".*?<a href="[^"]+">([A-Z0-9-]+)</a>', html, re.S)


def _enrol(world, *, started_days_ago: int, max_days: int | None = 365, contact_days_ago=None):
    today = timezone.localdate()
    e = enrolled(world.agreement_a, world.org_a)
    Enrolment.objects.filter(pk=e.pk).update(
        start_date=today - datetime.timedelta(days=started_days_ago), planned_max_days=max_days
    )
    if contact_days_ago is not None:
        ContactFactory(
            participant=e.participant,
            agreement=world.agreement_a,
            staff=world.coordinator_a,
            date=today - datetime.timedelta(days=contact_days_ago),
        )
    return e


def test_over_the_maximum_is_said_in_words_not_colour_alone(world, login):
    over = _enrol(world, started_days_ago=400, max_days=365)
    html = login(world.coordinator_a).get(LIST).content.decode()
    row = html.split(f'id="enrolment-{over.pk}"')[1].split("</tr>")[0]
    assert "Över maxtiden" in row


def test_filter_over_maximum_time(world, login):
    over = _enrol(world, started_days_ago=400, max_days=365)
    edge = _enrol(world, started_days_ago=364, max_days=365)  # day 365 of 365: not over
    html = login(world.coordinator_a).get(LIST + "?over_max=1").content.decode()
    assert over.participant.code in html
    assert edge.participant.code not in html


def test_filter_days_since_contact(world, login):
    stale = _enrol(world, started_days_ago=100, contact_days_ago=45)
    never = _enrol(world, started_days_ago=100)
    fresh = _enrol(world, started_days_ago=100, contact_days_ago=3)
    html = login(world.coordinator_a).get(LIST + "?contact=30").content.decode()
    assert stale.participant.code in html and never.participant.code in html
    assert fresh.participant.code not in html


def test_filter_by_phase(world, login):
    first, second = Phase.objects.filter(agreement__isnull=True)[:2]
    a = _enrol(world, started_days_ago=10)
    b = _enrol(world, started_days_ago=10)
    Enrolment.objects.filter(pk=b.pk).update(phase=second)
    html = login(world.coordinator_a).get(LIST + f"?phase={second.pk}").content.decode()
    assert b.participant.code in html and a.participant.code not in html
    assert first.pk != second.pk


def test_sort_by_days_since_contact_and_by_days_enrolled(world, login):
    recent = _enrol(world, started_days_ago=50, contact_days_ago=1)
    old = _enrol(world, started_days_ago=10, contact_days_ago=40)
    never = _enrol(world, started_days_ago=20)
    client = login(world.coordinator_a)
    by_contact = _codes(client.get(LIST + "?sort=contact").content.decode())
    assert by_contact == [e.participant.code for e in (never, old, recent)]
    by_days = _codes(client.get(LIST + "?sort=days").content.decode())
    assert by_days == [e.participant.code for e in (recent, never, old)]


def test_filter_values_other_than_codes_are_ignored(world, login):
    e = _enrol(world, started_days_ago=10)
    response = login(world.coordinator_a).get(LIST + "?phase=Anna&contact=7x&sort=name")
    assert response.status_code == 200
    assert e.participant.code in response.content.decode()


def test_import_and_export_links_sit_in_one_menu(world, login):
    html = login(world.coordinator_a).get(LIST).content.decode()
    menu = html.split('<details class="io-menu"')[1].split("</details>")[0]
    assert html.count("io-links") == menu.count("io-links") >= 2


def test_filtered_and_sorted_list_runs_a_fixed_number_of_queries(world, login):
    client = login(world.coordinator_a)
    url = LIST + "?sort=contact&contact=14&over_max=1"
    for _ in range(2):
        _enrol(world, started_days_ago=400, contact_days_ago=30)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(8):
        _enrol(world, started_days_ago=400, contact_days_ago=30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.count(b'class="participant-row') == 10
    assert len(many) == len(few)
