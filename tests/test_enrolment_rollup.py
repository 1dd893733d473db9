"""The enrolment rows the participant figures count (reporting/rollup.py): kept equal to
the enrolments by the database whoever writes, and counted exactly like the drill-down
lists the same figures from the enrolments themselves."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iop.audit import AuditContext
from participants.actions import pseudonymise
from participants.models import Enrolment, Participant, ProgressAssessment
from reporting import figures, rollup
from reporting.figures.participants import ENROLMENT_FIGURES, STEP_FIGURES
from reporting.models import EnrolmentRow
from tests.factories.participants import (
    AssessmentFactory,
    EnrolmentFactory,
    ParticipantFactory,
)

D = datetime.date
PERIODS = [
    (D(2026, 1, 1), D(2026, 12, 31)),
    (D(2026, 3, 15), D(2026, 9, 10)),
    (D(2025, 1, 1), D(2025, 12, 31)),
]


def drill_down_counts(agreements, start, end) -> dict[str, Counter]:
    """Every figure per gender as the drill-down lists it, counted in Python from the
    enrolments (distinct participants where the figure counts participants)."""
    found: dict[str, Counter] = {}
    for key in (*ENROLMENT_FIGURES, *STEP_FIGURES):
        listed = figures.figure_enrolments(agreements, start, end, key).values_list(
            "pk", "participant_id", "participant__gender"
        )
        if figures.figure_counts_participants(key):
            found[key] = Counter(g for _pk, g in {(p, g) for _e, p, g in listed})
        else:
            found[key] = Counter(g for _e, _p, g in listed)
    return found


def assert_figures_match_the_enrolments(agreements) -> None:
    assert rollup.differences() == []
    for start, end in PERIODS:
        listed = drill_down_counts(agreements, start, end)
        stats = figures.participant_statistics(agreements, start, end)
        for row in stats["by_gender"]:
            for key in ("enrolled", "new", "active_at_end", "exited"):
                assert row[key] == listed[key][row["gender_value"]], (key, start, row)
        for key in ("to_work", "to_studies", "on_income_support_at_start", "left_income_support"):
            assert stats[key] == sum(listed[key].values()), (key, start)
        assert stats["exits"] == sum(listed["exited"].values())
        steps = figures.step_progression_by_gender(agreements, start, end)
        for key in STEP_FIGURES:
            assert {g: c[key] for g, c in steps.items() if c[key]} == +listed[key], (key, start)
        in_period = figures.enrolments_in_period(agreements, start, end)
        enrolled = set(in_period.values_list("participant__gender", flat=True))
        assert set(steps) == enrolled

        flow = figures.monthly_participant_flow(agreements, start, end)
        in_agreements = figures.enrolments_in_period(agreements, D(2000, 1, 1), D(2100, 1, 1))
        rows = list(
            in_agreements.values_list(
                "participant_id", "participant__gender", "start_date", "exit_date"
            )
        )
        new = {
            (s.month, g): len(
                {
                    p
                    for p, g2, s2, _x in rows
                    if g2 == g and s2.month == s.month and start <= s2 <= end
                }
            )
            for _p, g, s, _x in rows
            if start <= s <= end
        }
        assert {(m, g): n for m, by in flow["new"].items() for g, n in by.items()} == new
        exited = Counter((x.month, g) for _p, g, _s, x in rows if x and start <= x <= end)
        assert {(m, g): n for m, by in flow["exited"].items() for g, n in by.items()} == exited

        active: Counter[int] = Counter()
        for agreement_id, participants in _active_on(agreements, end).items():
            active[agreement_id] = len(participants)
        assert figures.participants_active_by_agreement(agreements, end) == dict(active)


def _active_on(agreements, day) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for enrolment in Enrolment.objects.filter(agreement__in=agreements):
        if enrolment.start_date <= day and (
            enrolment.exit_date is None or enrolment.exit_date >= day
        ):
            found.setdefault(enrolment.agreement_id, set()).add(enrolment.participant_id)
    return found


def enrol(agreement, person, start, exit_date=None, outcome="", income_at_exit="", **kw):
    return EnrolmentFactory(
        plain=True,
        agreement=agreement,
        participant=person,
        start_date=start,
        exit_date=exit_date,
        exit_outcome=outcome,
        income_at_exit=income_at_exit,
        **kw,
    )


def test_every_kind_of_write_keeps_the_figures_equal_to_the_drill_down(world):
    a, b = world.agreement_a, world.agreement_b
    both = [a.pk, b.pk]
    woman, man, other = (
        ParticipantFactory(plain=True, gender=g) for g in ("woman", "man", "other")
    )
    # Re-enrolled in the same partnership, in both partnerships, exited in the year.
    first = enrol(a, woman, D(2025, 11, 1), D(2026, 2, 10), "work", "salary")
    again = enrol(a, woman, D(2026, 4, 1))
    enrol(b, woman, D(2026, 5, 5), D(2026, 8, 1), "studies", "income_support")
    enrol(a, man, D(2024, 6, 1), D(2025, 6, 30), "work_with_support", "salary")
    other_enrolment = enrol(b, other, D(2026, 1, 20))
    AssessmentFactory(plain=True, enrolment=first, date=D(2025, 12, 1), step=2)
    AssessmentFactory(plain=True, enrolment=first, date=D(2026, 2, 1), step=4)
    AssessmentFactory(plain=True, enrolment=again, date=D(2026, 5, 1), step=3)
    AssessmentFactory(plain=True, enrolment=other_enrolment, date=D(2026, 2, 1), step=5)
    AssessmentFactory(plain=True, enrolment=other_enrolment, date=D(2026, 6, 1), step=1)
    # First assessed after the end of 2025, assessed again after the middle period.
    late = enrol(b, ParticipantFactory(plain=True, gender="man"), D(2025, 10, 1))
    AssessmentFactory(plain=True, enrolment=late, date=D(2026, 3, 1), step=3)
    AssessmentFactory(plain=True, enrolment=late, date=D(2026, 10, 1), step=6)
    assert EnrolmentRow.objects.count() == 6
    assert_figures_match_the_enrolments(both)

    # bulk_create, queryset update, bulk_update, a raw UPDATE.
    people = [ParticipantFactory(plain=True, gender=g) for g in ("woman", "man", "unknown") * 3]
    many = Enrolment.objects.bulk_create(
        [
            Enrolment(participant=p, agreement=(a, b)[i % 2], start_date=D(2026, 1 + i, 3))
            for i, p in enumerate(people)
        ]
    )
    assert_figures_match_the_enrolments(both)
    Enrolment.objects.filter(pk__in=[e.pk for e in many[:3]]).update(
        exit_date=D(2026, 10, 1), exit_outcome="studies", income_at_exit="student_aid"
    )
    for e in many[3:6]:
        e.agreement, e.start_date = a, D(2025, 12, 24)
    Enrolment.objects.bulk_update(many[3:6], ["agreement", "start_date"])
    Enrolment.objects.filter(pk=many[0].pk).update(next_step="Inget som räknas")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE participants_enrolment SET income_at_start = 'salary' WHERE id = %s",
            [many[6].pk],
        )
    assert_figures_match_the_enrolments(both)

    # A gender corrected, an exit saved through the model, a pseudonymised participant.
    man.gender = "woman"
    man.save()
    Participant.objects.filter(pk=people[2].pk).update(gender="other")
    again.exit_date, again.exit_outcome, again.income_at_exit = D(2026, 7, 7), "work", "salary"
    again.save()
    pseudonymise(user=None, audit=AuditContext.system(), participants=[other])
    assert_figures_match_the_enrolments(both)

    # Deleted: one enrolment, one participant with everything of theirs (a cascade).
    ProgressAssessment.objects.filter(enrolment=first).delete()
    first.delete()
    woman.delete()
    Enrolment.objects.filter(pk=many[8].pk).delete()
    assert not EnrolmentRow.objects.filter(participant_id=woman.pk).exists()
    assert_figures_match_the_enrolments(both)
    assert_figures_match_the_enrolments([a.pk])


def test_the_figures_count_the_rows_without_joining_enrolments_to_participants(world):
    # The issue: "computed from raw rows each time (joins to participants for gender)".
    a = world.agreement_a
    enrol(a, ParticipantFactory(plain=True, gender="man"), D(2026, 2, 1))
    start, end = D(2026, 1, 1), D(2026, 12, 31)
    with CaptureQueriesContext(connection) as captured:
        figures.participant_statistics(a, start, end)
        figures.step_progression_by_gender(a, start, end)
        figures.monthly_participant_flow(a, start, end)
        figures.participants_active_by_agreement([a.pk], end)
    assert len(captured.captured_queries) == 6
    for query in captured.captured_queries:
        assert "participants_participant" not in query["sql"]
        assert "participants_enrolment" not in query["sql"]
        assert "reporting_enrolmentrow" in query["sql"]


def test_rebuild_command_restores_the_rows_and_check_reports_drift(world):
    a = world.agreement_a
    enrolment = enrol(a, ParticipantFactory(plain=True, gender="man"), D(2026, 2, 1))
    enrol(a, ParticipantFactory(plain=True, gender="woman"), D(2026, 3, 1))
    call_command("rebuild_activity_rollup", "--check")
    EnrolmentRow.objects.filter(pk=enrolment.pk).update(gender="woman")
    EnrolmentRow.objects.exclude(pk=enrolment.pk).delete()
    with pytest.raises(CommandError, match="2 summor"):
        call_command("rebuild_activity_rollup", "--check")
    call_command("rebuild_activity_rollup")
    assert rollup.differences() == []
    assert EnrolmentRow.objects.get(pk=enrolment.pk).gender == "man"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement-level triggers are PostgreSQL's"
)
def test_enrolment_triggers_fire_once_per_statement_over_bulk_writes(world):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgtype & 1 FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid = 'participants_enrolment'::regclass"
        )
        triggers = dict(cursor.fetchall())
    assert {t for t in triggers if t.startswith("reporting_enrolmentrow")} == {
        "reporting_enrolmentrow_rows_insert",
        "reporting_enrolmentrow_rows_delete",
        "reporting_enrolmentrow_rows_update",
    }
    assert set(triggers.values()) == {0}  # bit 0 of tgtype set = FOR EACH ROW
    a, b = world.agreement_a, world.agreement_b
    people = [ParticipantFactory(plain=True, gender=g) for g in ("woman", "man", "other") * 20]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO participants_enrolment (participant_id, agreement_id, start_date, "
            "income_at_start, income_at_exit, exit_outcome, next_step, created_at, revision) "
            "SELECT id, %s, DATE '2026-01-01' + (id %% 200)::int, 'income_support', '', '', "
            "'', now(), 1 FROM participants_participant WHERE id = ANY(%s)",
            [a.pk, [p.pk for p in people]],
        )
    Enrolment.objects.filter(agreement=a, start_date__lt=D(2026, 4, 1)).update(
        agreement=b, exit_date=D(2026, 12, 1), exit_outcome="work"
    )
    Participant.objects.filter(pk__in=[p.pk for p in people[:10]]).update(gender="unknown")
    Enrolment.objects.filter(start_date__gt=D(2026, 6, 1)).delete()
    assert_figures_match_the_enrolments([a.pk, b.pk])
