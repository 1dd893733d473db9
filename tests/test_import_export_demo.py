"""The acceptance check of issue 7 on the demo data: a coordinator moves the demo
partnership's participants and contacts out to XLSX and back in, and nothing changes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from participants.models import Attendance, Contact, Enrolment, Participant
from partnerships.models import User
from tests.io_helpers import import_file, io_settings, read_xlsx, xlsx_bytes  # noqa: F401

pytestmark = pytest.mark.django_db


def _state():
    return (
        sorted(
            Participant.objects.values_list(
                "pk", "code", "name", "personnummer", "gender", "birth_year", "language"
            )
        ),
        sorted(
            Enrolment.objects.values_list(
                "pk",
                "participant_id",
                "agreement_id",
                "start_date",
                "phase_id",
                "exit_date",
                "exit_outcome",
                "income_at_start",
                "next_step",
            )
        ),
        sorted(
            Contact.objects.values_list(
                "pk",
                "participant_id",
                "date",
                "kind",
                "staff_id",
                "duration_minutes",
                "topic",
                "referrals",
                "note",
            )
        ),
        sorted(Attendance.objects.values_list("pk", "participant_id", "date", "status")),
    )


def test_demo_participants_and_contacts_round_trip_through_xlsx(client):
    call_command("load_demo", allow_demo_data=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    client.force_login(User.objects.get(username="koordinator"))
    before = _state()
    for kind in ("participants", "contacts", "attendance"):
        rows = read_xlsx(client.get(reverse("io_export", args=[kind]) + "?format=xlsx"))
        if kind != "attendance":
            assert len(rows) > 1, f"the demo coordinator sees no {kind}"
        elif len(rows) < 2:
            continue
        job = import_file(client, kind, xlsx_bytes(rows), name=f"{kind}.xlsx")
        assert job.summary["skip"] == len(rows) - 1, (kind, job.rows[:5])
        assert job.summary["new"] == job.summary["update"] == job.summary["refused"] == 0
    assert _state() == before
