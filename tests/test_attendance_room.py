"""Attendance for a room full of people (issue 13): the newest session and the form for a
new one first, names where the consent allows, contradictory ticks refused."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import Attendance
from tests.factories.participants import (
    AttendanceFactory,
    GroupActivityFactory,
    GroupSessionFactory,
    enrolled,
)

pytestmark = pytest.mark.django_db


def _sessions(activity, count: int):
    sessions = []
    for i in range(count):
        session = GroupSessionFactory(
            activity=activity, date=datetime.date(2026, 1, 5) + datetime.timedelta(days=7 * i)
        )
        sessions.append(session)
    return sessions


def test_group_page_puts_the_new_session_form_and_the_newest_session_first(world, login):
    e = enrolled(world.agreement_a, world.org_a)
    activity = GroupActivityFactory(agreement=world.agreement_a)
    sessions = _sessions(activity, 5)
    for s in sessions:
        AttendanceFactory(
            participant=e.participant, agreement=world.agreement_a, date=s.date, session=s
        )
    client = login(world.coordinator_a)
    page = client.get(reverse("participants:group_detail", args=[activity.pk])).content.decode()
    form_at = page.index("Skapa och ta närvaro")
    dates = [page.index(s.date.isoformat()) for s in sessions]
    assert form_at < min(dates), "the form for a new session comes before the old sessions"
    assert dates == sorted(dates, reverse=True), "newest session first"
    assert f'value="{timezone.localdate().isoformat()}"' in page


def test_group_page_query_count_does_not_grow_with_sessions(world, login):
    activity = GroupActivityFactory(agreement=world.agreement_a)
    enrolled(world.agreement_a, world.org_a)
    _sessions(activity, 2)
    client = login(world.coordinator_a)
    url = reverse("participants:group_detail", args=[activity.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _sessions(activity, 10)
    enrolled(world.agreement_a, world.org_a)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_names_where_consent_shares_identity_codes_otherwise(world, login):
    enrolled(world.agreement_a, world.org_a, name="Anna Andersson")
    hidden = enrolled(
        world.agreement_a, world.org_a, name="Hemlig Hansson", consent={"share_identity": False}
    )
    activity = GroupActivityFactory(agreement=world.agreement_a)
    session = GroupSessionFactory(activity=activity)
    client = login(world.coordinator_a)
    for url in (
        reverse("participants:session_attendance", args=[session.pk]),
        reverse("participants:group_detail", args=[activity.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Anna Andersson" in page
        assert "Hemlig Hansson" not in page
        assert hidden.participant.code in page


def test_present_and_excused_both_ticked_is_refused_at_the_row_and_nothing_saved(world, login):
    e1 = enrolled(world.agreement_a, world.org_a)
    e2 = enrolled(world.agreement_a, world.org_a)
    session = GroupSessionFactory(activity=GroupActivityFactory(agreement=world.agreement_a))
    client = login(world.coordinator_a)
    response = client.post(
        reverse("participants:session_attendance", args=[session.pk]),
        {
            f"present_{e1.participant_id}": "1",
            f"excused_{e1.participant_id}": "1",
            f"present_{e2.participant_id}": "1",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    row = page.split(f'id="row-{e1.participant_id}"')[1].split("</tr>")[0]
    assert "Välj antingen närvarande eller anmäld frånvaro" in row
    assert not Attendance.objects.exists()


def test_the_database_refuses_an_unknown_attendance_status(world):
    e = enrolled(world.agreement_a, world.org_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceFactory(participant=e.participant, agreement=world.agreement_a, status="both")
