"""On PostgreSQL the roll-up triggers run once per statement over its transition tables
(reporting/rollup.py): bulk inserts, updates and deletes of contacts, attendance and
assessments leave the same totals and step spans as a recount."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from participants.models import Attendance, Contact, Participant, ProgressAssessment
from reporting import rollup
from reporting.models import ContactDay
from tests.factories.participants import EnrolmentFactory, ParticipantFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement-level triggers are PostgreSQL's"
)

D = datetime.date


def test_the_rollup_triggers_fire_once_per_statement(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgtype & 1 FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid IN ('participants_contact'::regclass, "
            "'participants_attendance'::regclass, 'participants_progressassessment'::regclass)"
        )
        triggers = dict(cursor.fetchall())
    assert len(triggers) == 9
    assert set(triggers.values()) == {0}  # bit 0 of tgtype set = FOR EACH ROW


def test_bulk_writes_leave_the_same_totals_as_a_recount(world):
    a, b = world.agreement_a, world.agreement_b
    people = [ParticipantFactory(plain=True, gender=g) for g in ("woman", "man", "other") * 4]
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                participant=p,
                agreement=(a, b)[i % 2],
                date=D(2026, 1 + i % 5, 1 + i % 28),
                kind="meeting",
                duration_minutes=30,
                staff=world.coordinator_a,
            )
            for i, p in enumerate(people * 25)
        ]
    )
    attendance = Attendance.objects.bulk_create(
        [
            Attendance(participant=p, agreement=a, date=D(2026, 3, 1 + i), status="present")
            for i, p in enumerate(people)
        ]
    )
    enrolments = [EnrolmentFactory(plain=True, agreement=a, participant=p) for p in people[:4]]
    ProgressAssessment.objects.bulk_create(
        [
            ProgressAssessment(enrolment=e, date=D(2026, 1 + i, 1), step=1 + (i * 3) % 7)
            for e in enrolments
            for i in range(4)
        ]
    )
    assert ContactDay.objects.exists()
    assert rollup.differences() == []

    # Updates that move rows, and one that changes nothing counted (a note).
    for i, c in enumerate(contacts[:120]):
        c.date, c.agreement = D(2026, 6, 1 + i % 30), (b, a)[i % 2]
    Contact.objects.bulk_update(contacts[:120], ["date", "agreement"])
    Contact.objects.filter(pk__in=[c.pk for c in contacts[120:200]]).update(note="Ny")
    Contact.objects.filter(agreement=a).update(participant=people[0])
    Attendance.objects.filter(pk__in=[r.pk for r in attendance[:6]]).update(status="absent")
    ProgressAssessment.objects.filter(enrolment=enrolments[0]).update(step=3)
    ProgressAssessment.objects.filter(enrolment__in=enrolments[1:3], step__gt=3).update(
        date=D(2025, 12, 31)
    )
    assert rollup.differences() == []

    # Deletes: a slice of rows, everything of one kind, and participants with all theirs.
    Contact.objects.filter(date__month=6).delete()
    Attendance.objects.filter(status="absent").delete()
    ProgressAssessment.objects.filter(enrolment=enrolments[1]).delete()
    Participant.objects.filter(pk__in=[p.pk for p in people[:3]]).delete()
    assert rollup.differences() == []
    Contact.objects.all().delete()
    assert not ContactDay.objects.filter(total__gt=0).exists()
    assert rollup.differences() == []


def _import_writes(world, tmp_path, dataset: str, table_rows: list, table: str):
    """Import the CSV `table_rows` as coordinator A in one transaction: the outcome, and
    the statements (COPY or INSERT) that wrote to `table`."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from iop.spreadsheets import engine as imports
    from iop.spreadsheets.registry import get_dataset
    from tests.io_helpers import csv_bytes

    path = tmp_path / f"{dataset}.csv"
    path.write_bytes(csv_bytes(table_rows))
    outcome = imports.Outcome()
    resource = get_dataset(dataset).resource(world.coordinator_a)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        imports.import_rows(
            resource=resource, rows=imports.iter_file(str(path), "csv"), outcome=outcome
        )
    writes = [
        q["sql"].split()[0]
        for q in queries.captured_queries
        if q["sql"].startswith(("COPY", "INSERT")) and table in q["sql"]
    ]
    return outcome, writes


def test_a_contact_import_is_written_with_one_copy_and_keeps_the_totals(world, tmp_path):
    """The spreadsheet import writes new contacts with COPY; the statement-level triggers
    see those rows as they see an INSERT."""
    from tests.factories.participants import enrolled

    people = [enrolled(world.agreement_a, world.org_a) for _ in range(3)]
    header = ["Deltagarkod", "Överenskommelse", "Datum", "Typ", "Personal", "Längd (minuter)"]
    rows = [
        [e.participant.code, "iop-a", D(2026, 2, 1 + d).isoformat(), "Telefon", "coord_a", "20"]
        for d in range(20)
        for e in people
    ]
    outcome, writes = _import_writes(
        world, tmp_path, "contacts", [header, *rows], "participants_contact"
    )
    assert outcome.counts["new"] == 60, outcome.rows[:3]
    assert writes == ["COPY"]
    assert Contact.objects.filter(agreement=world.agreement_a, date__month=2).count() == 60
    assert rollup.differences() == []


def test_an_attendance_import_is_written_with_one_copy_and_keeps_the_totals(world, tmp_path):
    """Attendance is imported on the contacts' bulk path: one COPY for the chunk, and the
    statement-level triggers keep the day totals (AttendanceDay) equal to a recount."""
    from reporting.models import AttendanceDay
    from tests.factories.participants import enrolled

    people = [enrolled(world.agreement_a, world.org_a) for _ in range(3)]
    header = ["Deltagarkod", "Överenskommelse", "Datum", "Närvaro"]
    statuses = ["Närvarande", "Frånvarande", "Anmäld frånvaro"]
    rows = [
        [e.participant.code, "iop-a", D(2026, 2, 1 + d).isoformat(), statuses[(d + i) % 3]]
        for d in range(20)
        for i, e in enumerate(people)
    ]
    outcome, writes = _import_writes(
        world, tmp_path, "attendance", [header, *rows], "participants_attendance"
    )
    assert outcome.counts["new"] == 60, outcome.rows[:3]
    assert writes == ["COPY"]
    assert Attendance.objects.filter(agreement=world.agreement_a, date__month=2).count() == 60
    assert AttendanceDay.objects.filter(agreement=world.agreement_a).exists()
    assert rollup.differences() == []
