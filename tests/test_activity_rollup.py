"""The daily totals of contacts and attendance the dashboards read (reporting/rollup.py):
kept right by the database whoever writes, and added up exactly like a count of the rows."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command

from participants.models import Attendance, Contact, Participant
from reporting import figures, rollup
from reporting.models import AttendanceDay, ContactDay
from tests.factories.participants import (
    AttendanceFactory,
    ContactFactory,
    ParticipantFactory,
)

D = datetime.date


def totals(model, *by: str) -> dict[tuple, int]:
    return {
        (row.agreement_id, row.day, *(getattr(row, b) for b in by), row.gender): row.total
        for row in model.objects.filter(total__gt=0)
    }


def test_every_kind_of_write_keeps_the_totals_right(world):
    a, b = world.agreement_a, world.agreement_b
    anna = ParticipantFactory(plain=True, gender="woman")
    bo = ParticipantFactory(plain=True, gender="man")
    first = ContactFactory(plain=True, agreement=a, participant=anna, date=D(2026, 3, 1))
    ContactFactory(plain=True, agreement=a, participant=anna, date=D(2026, 3, 31), kind="phone")
    ContactFactory(plain=True, agreement=a, participant=anna, date=D(2026, 3, 31))
    ContactFactory.create_batch(2, agreement=a, participant=bo, date=D(2026, 3, 15))
    assert totals(ContactDay) == {
        (a.pk, D(2026, 3, 1), "woman"): 1,
        (a.pk, D(2026, 3, 31), "woman"): 2,
        (a.pk, D(2026, 3, 15), "man"): 2,
    }

    # Moved to another month and partnership; a note or kind edit changes nothing.
    first.date, first.kind, first.agreement = D(2026, 4, 2), "digital", b
    first.save()
    first.note = "Ny anteckning"
    first.save()
    assert totals(ContactDay)[(b.pk, D(2026, 4, 2), "woman")] == 1
    assert (a.pk, D(2026, 3, 1), "woman") not in totals(ContactDay)

    # bulk_create and bulk_update send no signals; the triggers still see them.
    rows = Attendance.objects.bulk_create(
        [
            Attendance(participant=p, agreement=a, date=D(2026, 5, 4), status="present")
            for p in (anna, bo)
        ]
    )
    rows[0].status = "absent"
    Attendance.objects.bulk_update(rows, ["status"])
    assert totals(AttendanceDay, "status") == {
        (a.pk, D(2026, 5, 4), "absent", "woman"): 1,
        (a.pk, D(2026, 5, 4), "present", "man"): 1,
    }

    # A corrected gender moves everything the participant did.
    anna.gender = "other"
    anna.save()
    assert totals(AttendanceDay, "status")[(a.pk, D(2026, 5, 4), "absent", "other")] == 1
    assert totals(ContactDay)[(a.pk, D(2026, 3, 31), "other")] == 2
    assert rollup.differences() == []

    # Deleting: one row, a queryset, and a participant with everything they did.
    Contact.objects.filter(participant=bo).delete()
    Attendance.objects.filter(participant=bo).update(status="excused")
    assert totals(AttendanceDay, "status")[(a.pk, D(2026, 5, 4), "excused", "man")] == 1
    assert rollup.differences() == []
    Participant.objects.filter(pk=anna.pk).delete()
    assert totals(ContactDay) == {}
    assert totals(AttendanceDay, "status") == {
        (a.pk, D(2026, 5, 4), "excused", "man"): 1,
    }
    assert rollup.differences() == []


def test_contacts_and_attendance_per_month_of_a_period_starting_and_ending_mid_month(
    world, django_assert_num_queries
):
    a = world.agreement_a
    woman = ParticipantFactory(plain=True, gender="woman")
    man = ParticipantFactory(plain=True, gender="man")
    for day in (D(2026, 3, 14), D(2026, 3, 15), D(2026, 4, 1), D(2026, 5, 31), D(2026, 6, 2)):
        ContactFactory(plain=True, agreement=a, participant=woman, date=day)
    ContactFactory(plain=True, agreement=a, participant=man, date=D(2026, 4, 30), kind="phone")
    ContactFactory(plain=True, agreement=a, participant=man, date=D(2026, 6, 1))
    ContactFactory(plain=True, agreement=world.agreement_b, participant=man, date=D(2026, 4, 30))
    for day, status in ((D(2026, 3, 14), "present"), (D(2026, 3, 20), "absent")):
        AttendanceFactory(plain=True, agreement=a, participant=woman, date=day, status=status)
    AttendanceFactory(plain=True, agreement=a, participant=man, date=D(2026, 5, 5))

    with django_assert_num_queries(3):
        activity = figures.monthly_activity(a, D(2026, 3, 15), D(2026, 6, 1))
    assert activity["months"] == [3, 4, 5, 6]
    assert activity["contacts"] == {
        3: {"woman": 1},
        4: {"woman": 1, "man": 1},
        5: {"woman": 1},
        6: {"man": 1},
    }
    assert activity["attendance"] == {3: {"absent": {"woman": 1}}, 5: {"present": {"man": 1}}}
    # A period within one month.
    assert figures.monthly_activity(a, D(2026, 3, 15), D(2026, 3, 31))["contacts"] == {
        3: {"woman": 1}
    }
    # Several partnerships at once.
    both = [world.agreement_a.pk, world.agreement_b.pk]
    assert figures.monthly_activity(both, D(2026, 4, 1), D(2026, 4, 30))["contacts"] == {
        4: {"woman": 1, "man": 2}
    }


def test_rebuild_command_restores_totals_and_check_reports_drift(world):
    a = world.agreement_a
    person = ParticipantFactory(plain=True, gender="man")
    ContactFactory(plain=True, agreement=a, participant=person, date=D(2026, 3, 3))
    AttendanceFactory(plain=True, agreement=a, participant=person, date=D(2026, 3, 4))
    call_command("rebuild_activity_rollup", "--check")
    ContactDay.objects.update(total=7)
    AttendanceDay.objects.all().delete()
    with pytest.raises(CommandError, match="2 summor"):
        call_command("rebuild_activity_rollup", "--check")
    call_command("rebuild_activity_rollup")
    assert rollup.differences() == []
    assert totals(ContactDay) == {(a.pk, D(2026, 3, 3), "man"): 1}
    assert totals(AttendanceDay, "status") == {(a.pk, D(2026, 3, 4), "present", "man"): 1}


def test_step_spans_follow_every_change_to_the_assessments(world):
    from participants.models import ProgressAssessment
    from tests.factories.participants import AssessmentFactory, EnrolmentFactory

    a = world.agreement_a
    enrolment = EnrolmentFactory(plain=True, agreement=a, start_date=D(2025, 2, 1))
    AssessmentFactory(plain=True, enrolment=enrolment, date=D(2025, 3, 1), step=2)
    # Two on one day: the later id is the later one.
    AssessmentFactory(plain=True, enrolment=enrolment, date=D(2025, 6, 1), step=5)
    tie = AssessmentFactory(plain=True, enrolment=enrolment, date=D(2025, 6, 1), step=4)
    later = AssessmentFactory(plain=True, enrolment=enrolment, date=D(2026, 2, 1), step=1)
    assert rollup.differences() == []

    def steps(year: int) -> dict:
        return figures.step_progression(a, D(year, 1, 1), D(year, 12, 31))

    assert steps(2025) | {"share_progressed": None} == {
        "assessed": 1,
        "progressed": 1,
        "regressed": 0,
        "share_progressed": None,
    }
    assert steps(2026)["regressed"] == 1
    assert figures.step_progression(a, D(2025, 1, 1), D(2025, 5, 31))["assessed"] == 1
    assert figures.step_progression(a, D(2025, 1, 1), D(2025, 2, 28))["assessed"] == 0

    tie.step = 1
    tie.save()
    later.date = D(2025, 1, 15)  # now the first
    later.save()
    assert rollup.differences() == []
    assert steps(2025)["regressed"] == 0 and steps(2025)["progressed"] == 0
    ProgressAssessment.objects.filter(pk=tie.pk).delete()
    assert rollup.differences() == []
    assert steps(2025)["progressed"] == 1
    enrolment.assessments.all().delete()
    assert rollup.differences() == []
    assert steps(2025)["assessed"] == 0
