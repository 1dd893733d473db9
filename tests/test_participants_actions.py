"""Participant verbs save a change and its access-log row together or not at all.

The access-log INSERT is made to fail for real (the manager's bulk_create raises, as a
database error would) for every row that records a change; rows that record a read, which
the access helpers write before the verb runs, still go in. Whatever the verb saved must
then be gone from the database.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError
from django.urls import reverse

from iop.audit import AuditContext
from participants import actions
from participants.models import (
    AccessLog,
    ActionPlan,
    Attendance,
    Consent,
    Contact,
    Phase,
    PhaseChange,
    ProgressAssessment,
    Referral,
)
from tests.factories.participants import ConsentFactory, GroupActivityFactory, enrolled

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_change_log(monkeypatch):
    """The access log refuses every row except reads."""
    manager = AccessLog.objects
    insert = manager.append

    def append(participant_ids, **same):
        if same["action"] != AccessLog.Action.VIEW:
            raise DatabaseError("access log unavailable")
        return insert(participant_ids, **same)

    monkeypatch.setattr(manager, "append", append)


def _post_fails(client, url, data) -> None:
    with pytest.raises(DatabaseError, match="access log unavailable"):
        client.post(url, data)


def test_it_saves_no_consent_when_its_log_row_fails(world, login, failing_change_log):
    e = enrolled(world.agreement_a, world.org_a)
    url = reverse("participants:consent_create", args=[e.participant_id])
    _post_fails(
        login(world.coordinator_a),
        url,
        {
            "organisation": world.municipality.pk,
            "share_identity": "on",
            "purpose": "Samordning",
            "given_on": "2026-02-01",
            "method": "written",
            "reference": "SAM-1",
        },
    )
    assert not Consent.objects.filter(organisation=world.municipality).exists()


def test_it_saves_no_referral_when_its_log_row_fails(world, login, failing_change_log):
    e = enrolled(world.agreement_a, world.org_a)
    url = reverse("participants:referral_create", args=[e.participant_id])
    data = {
        "date": "2026-02-01",
        "referred_by": "Socialsekreterare",
        "organisation": world.municipality.pk,
        "agreement": world.agreement_a.pk,
    }
    _post_fails(login(world.coordinator_a), url, data)
    assert not Referral.objects.exists()


def test_it_saves_no_assessment_when_its_log_row_fails(world, login, failing_change_log):
    e = enrolled(world.agreement_a, world.org_a)
    url = reverse("participants:assessment_create", args=[e.pk])
    _post_fails(login(world.coordinator_a), url, {"date": "2026-03-01", "step": "4"})
    assert not ProgressAssessment.objects.exists()


def test_it_saves_no_attendance_when_its_log_row_fails(world, login, failing_change_log):
    e = enrolled(world.agreement_a, world.org_a)
    url = reverse("participants:attendance_create", args=[e.pk])
    _post_fails(login(world.coordinator_a), url, {"date": "2026-03-02", "status": "present"})
    assert not Attendance.objects.exists()


def test_it_saves_no_action_plan_when_its_log_row_fails(world, login, failing_change_log):
    e = enrolled(world.agreement_a, world.org_a)
    url = reverse("participants:action_plan", args=[e.pk])
    data = {
        "drawn_up_on": "2026-02-10",
        "summary": "Plan",
        "revision": "",
        "goals-TOTAL_FORMS": "1",
        "goals-INITIAL_FORMS": "0",
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "1000",
        "goals-0-description": "Svenska B",
        "goals-0-responsible_organisation": world.org_a.pk,
        "goals-0-status": "planned",
        "goals-0-target_date": "2026-06-01",
    }
    _post_fails(login(world.coordinator_a), url, data)
    assert not ActionPlan.objects.exists()


def test_it_keeps_group_members_when_their_log_row_fails(world, login, failing_change_log):
    e = enrolled(world.agreement_a, world.org_a)
    activity = GroupActivityFactory(agreement=world.agreement_a)
    url = reverse("participants:group_members", args=[activity.pk])
    _post_fails(login(world.coordinator_a), url, {"member": [e.participant_id]})
    assert not activity.members.exists()


def test_it_saves_no_contact_when_its_log_row_fails(world, login, failing_change_log):
    e = enrolled(world.agreement_a, world.org_a)
    url = reverse("participants:contact_create", args=[e.pk])
    data = {"date": "2026-03-01", "kind": "meeting", "duration_minutes": "30", "topic": "X"}
    _post_fails(login(world.coordinator_a), url, data)
    assert not Contact.objects.exists()


def test_it_changes_no_phase_when_its_log_row_fails(world, login, failing_change_log):
    e = enrolled(world.agreement_a, world.org_a)
    target = Phase.objects.get(agreement=None, name="Aktivitet")
    url = reverse("participants:enrolment_phase", args=[e.pk])
    data = {"phase": target.pk, "date": "2026-03-01", "revision": e.revision}
    _post_fails(login(world.coordinator_a), url, data)
    e.refresh_from_db()
    assert e.phase != target
    assert not PhaseChange.objects.filter(to_phase=target).exists()


def test_it_keeps_a_consent_when_the_withdrawal_log_row_fails(world, failing_change_log):
    consent = ConsentFactory(holder=world.org_a, organisation=world.municipality)
    with pytest.raises(DatabaseError):
        actions.withdraw_consent(
            user=world.coordinator_a,
            audit=AuditContext(organisation_id=world.org_a.pk, address="192.0.2.7"),
            consent=consent,
            day=datetime.date(2026, 3, 1),
            method="oral",
            witness="Kollega K",
        )
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_a_verb_logs_the_user_and_the_audit_context(world):
    e = enrolled(world.agreement_a, world.org_a)
    actions.record_attendance(
        user=world.coordinator_a,
        audit=AuditContext(organisation_id=world.org_a.pk, address="192.0.2.7"),
        attendance=Attendance(
            participant_id=e.participant_id,
            agreement_id=e.agreement_id,
            date=datetime.date(2026, 3, 2),
            status=Attendance.Status.PRESENT,
        ),
    )
    log = AccessLog.objects.get(what="närvaro")
    assert (log.user, log.username, log.organisation, log.ip_address, log.action) == (
        world.coordinator_a,
        "coord_a",
        world.org_a,
        "192.0.2.7",
        AccessLog.Action.CREATE,
    )
    assert Attendance.objects.get().recorded_by == world.coordinator_a
