"""The participant demo step: enough data for dashboards, and re-runnable."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from participants.models import AccessLog, Attendance, Contact, Enrolment, Participant
from partnerships.models import User

pytestmark = pytest.mark.django_db


def test_demo_gives_every_partnership_participants_and_can_be_run_again(client):
    call_command("load_demo", allow_demo_data=True, stdout=StringIO())
    per_agreement = dict(
        Enrolment.objects.values_list("agreement__short_id").annotate(n=Count("pk")).order_by()
    )
    assert all(
        30 <= per_agreement[key] <= 60 for key in ("thaiwise", "bromodellen", "malmokraften")
    )
    assert Enrolment.objects.exclude(exit_outcome="").values("exit_outcome").distinct().count() >= 5
    assert Participant.objects.values("gender").distinct().count() >= 2
    counts = (Participant.objects.count(), Contact.objects.count(), Attendance.objects.count())
    koordinator = User.objects.get(username="koordinator")
    client.force_login(koordinator)
    response = client.get(reverse("participants:list"))
    assert response.status_code == 200
    assert b"D-TW0" in response.content and b"D-BR0" not in response.content
    # The access log written above must not stop a re-run.
    assert AccessLog.objects.exists()
    call_command("load_demo", allow_demo_data=True, stdout=StringIO())
    assert (
        Participant.objects.count(),
        Contact.objects.count(),
        Attendance.objects.count(),
    ) == counts
