"""Participant models: validation, database constraints, query helpers, the append-only
access log, and retention."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from participants.models import (
    AccessLog,
    Attendance,
    Contact,
    Enrolment,
    Participant,
    Phase,
)
from participants.validators import normalise_personnummer
from tests.factories.participants import (
    AttendanceFactory,
    ContactFactory,
    EnrolmentFactory,
    ParticipantFactory,
    enrolled,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def test_participant_gets_a_pseudonymous_code():
    a, b = ParticipantFactory(), ParticipantFactory()
    assert a.code.startswith("D-") and len(a.code) == 8 and a.code != b.code


@pytest.mark.parametrize("raw", ["880320-0016", "8803200016", "19880320-0016", "198803200016"])
def test_personnummer_is_normalised_to_twelve_digits(raw):
    assert normalise_personnummer(raw) == "19880320-0016"


@pytest.mark.parametrize(
    "raw, message",
    [
        ("880320-0018", "Kontrollsiffran stämmer inte."),
        ("881320-0016", "ÅÅÅÅMMDD-NNNN"),
        ("12345", "ÅÅÅÅMMDD-NNNN"),
    ],
)
def test_bad_personnummer_has_a_swedish_message(raw, message):
    participant = Participant(personnummer=raw)
    with pytest.raises(ValidationError) as exc:
        participant.full_clean()
    assert message in " ".join(exc.value.message_dict["personnummer"])


def test_birth_year_must_match_personnummer():
    with pytest.raises(ValidationError) as exc:
        Participant(personnummer="880320-0016", birth_year=1990).full_clean()
    assert "birth_year" in exc.value.message_dict


def test_database_refuses_two_open_enrolments_in_one_agreement(world):
    e = EnrolmentFactory(agreement=world.agreement_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            participant=e.participant, agreement=world.agreement_a, start_date=D(2026, 5, 1)
        )


def test_participant_may_be_enrolled_again_after_exit_and_in_another_partnership(world):
    e = EnrolmentFactory(agreement=world.agreement_a, exit_date=D(2026, 3, 1), exit_outcome="moved")
    again = Enrolment(
        participant=e.participant, agreement=world.agreement_a, start_date=D(2026, 4, 1)
    )
    again.full_clean()
    again.save()
    EnrolmentFactory(participant=e.participant, agreement=world.agreement_b)


def test_overlapping_closed_enrolment_is_refused(world):
    e = EnrolmentFactory(agreement=world.agreement_a, start_date=D(2026, 5, 1))
    earlier = Enrolment(
        participant=e.participant,
        agreement=world.agreement_a,
        start_date=D(2026, 3, 1),
        exit_date=D(2026, 6, 1),
        exit_outcome="work",
    )
    with pytest.raises(ValidationError) as exc:
        earlier.full_clean()
    assert "agreement" in exc.value.message_dict


def test_database_refuses_exit_before_start_and_exit_without_outcome(world):
    e = EnrolmentFactory(agreement=world.agreement_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=e.pk).update(exit_date=D(2026, 1, 1), exit_outcome="work")
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=e.pk).update(exit_date=D(2026, 3, 1))


def test_database_refuses_absurd_contact_duration(world):
    c = ContactFactory(agreement=world.agreement_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=c.pk).update(duration_minutes=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=c.pk).update(duration_minutes=5000)


def test_attendance_outside_enrolment_fails_validation(world):
    e = EnrolmentFactory(agreement=world.agreement_a, start_date=D(2026, 2, 1))
    a = Attendance(
        participant=e.participant,
        agreement=world.agreement_a,
        date=D(2026, 1, 20),
        status="present",
    )
    with pytest.raises(ValidationError):
        a.full_clean()


def test_enrolment_querysets(world):
    open_ = EnrolmentFactory(agreement=world.agreement_a, start_date=D(2026, 1, 10))
    closed = EnrolmentFactory(
        agreement=world.agreement_a,
        start_date=D(2026, 1, 10),
        exit_date=D(2026, 3, 31),
        exit_outcome="work",
    )
    later = EnrolmentFactory(agreement=world.agreement_b, start_date=D(2026, 6, 1))
    assert set(Enrolment.objects.active_on(D(2026, 2, 1))) == {open_, closed}
    assert set(Enrolment.objects.active_on(D(2026, 6, 1))) == {open_, later}
    assert set(Enrolment.objects.for_agreement(world.agreement_a).open()) == {open_}
    assert set(Enrolment.objects.exited_between(D(2026, 1, 1), D(2026, 12, 31))) == {closed}
    assert set(Enrolment.objects.active_between(D(2026, 4, 1), D(2026, 5, 1))) == {open_}
    assert set(Enrolment.objects.started_between(D(2026, 5, 1), D(2026, 12, 31))) == {later}


def test_default_phases_and_own_list():
    names = list(Phase.for_agreement(None).values_list("name", flat=True))
    assert names == ["Inrekrytering", "Visionsbygge", "Aktivitet", "Utmatchning"]


def test_partnership_may_have_its_own_phases(world):
    Phase.objects.create(agreement=world.agreement_b, name="Start", position=0)
    assert list(Phase.for_agreement(world.agreement_b).values_list("name", flat=True)) == ["Start"]
    assert Phase.for_agreement(world.agreement_a).count() == 4


def _log(world, participant):
    return AccessLog.objects.create(
        user=world.coordinator_a,
        username="coord_a",
        participant=participant,
        action="view",
        what="x",
    )


def test_access_log_refuses_update_and_delete_in_the_model(world):
    log = _log(world, ParticipantFactory())
    log.what = "ändrad"
    with pytest.raises(PermissionError):
        log.save()
    with pytest.raises(PermissionError):
        log.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.filter(pk=log.pk).update(what="ändrad")
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.get().what == "x"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
def test_access_log_refuses_update_and_delete_in_the_database(world):
    log = _log(world, ParticipantFactory())
    with connection.cursor() as cursor:
        with pytest.raises(DatabaseError), transaction.atomic():
            cursor.execute("UPDATE participants_accesslog SET what = 'x2' WHERE id = %s", [log.pk])
        with pytest.raises(DatabaseError), transaction.atomic():
            cursor.execute("DELETE FROM participants_accesslog WHERE id = %s", [log.pk])
    assert AccessLog.objects.get().what == "x"


def _old_exit(world, **participant):
    e = enrolled(world.agreement_a, world.org_a, **participant)
    Enrolment.objects.filter(pk=e.pk).update(
        start_date=D(2018, 1, 1), exit_date=D(2019, 6, 30), exit_outcome="work"
    )
    ContactFactory(
        participant=e.participant, agreement=world.agreement_a, note="Känsligt", date=D(2019, 1, 1)
    )
    return e


def test_retention_dry_run_lists_without_changing(world):
    old = _old_exit(world, name="Gammal Person", personnummer="19880320-0016")
    recent = enrolled(world.agreement_a, world.org_a, name="Aktuell Person")
    out = StringIO()
    call_command("pseudonymise_participants", stdout=out)
    assert old.participant.code in out.getvalue()
    assert recent.participant.code not in out.getvalue()
    assert "Torrkörning: 1" in out.getvalue()
    old.participant.refresh_from_db()
    assert old.participant.name == "Gammal Person"


def test_retention_apply_removes_identity_and_notes_but_keeps_statistics(world):
    old = _old_exit(world, name="Gammal Person", personnummer="19880320-0016", gender="woman")
    call_command("pseudonymise_participants", "--apply", stdout=StringIO())
    p = Participant.objects.get(pk=old.participant_id)
    assert (p.name, p.personnummer, p.gender) == ("", "", "woman")
    assert p.pseudonymised_at is not None
    assert Contact.objects.get(participant=p).note == ""
    assert Enrolment.objects.get(pk=old.pk).exit_outcome == "work"
    assert AccessLog.objects.filter(participant=p, action="pseudonymise").exists()
    out = StringIO()
    call_command("pseudonymise_participants", stdout=out)
    assert "Torrkörning: 0" in out.getvalue()


def test_retention_period_is_respected(world):
    _old_exit(world)
    out = StringIO()
    call_command("pseudonymise_participants", "--years", "10", stdout=out)
    assert "Torrkörning: 0" in out.getvalue()


def test_attendance_once_per_participant_and_day(world):
    e = EnrolmentFactory(agreement=world.agreement_a)
    AttendanceFactory(participant=e.participant, agreement=world.agreement_a, date=D(2026, 3, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceFactory(
            participant=e.participant, agreement=world.agreement_a, date=D(2026, 3, 2)
        )
