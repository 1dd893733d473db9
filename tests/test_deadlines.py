"""The deadline function: annual reports, extension decisions, ends, action items,
follow-up meetings owed; across year ends, in leap years and after an extension."""

import datetime

import pytest

from iop.audit import AuditContext
from partnerships.actions import extend_agreement
from partnerships.deadlines import deadlines_for_user
from partnerships.models import Agreement, Meeting, required_followups
from tests.factories.partnerships import (
    ActionItemFactory,
    AgreementFactory,
    MeetingFactory,
    PartyFactory,
    every_party_approves,
)

D = datetime.date


def by_key(deadlines):
    return {d.key: d for d in deadlines}


def followup(world, day, status=Meeting.Status.HELD, agreement=None):
    return MeetingFactory(
        agreement=agreement or world.agreement_a, convened_by=world.org_a, date=day, status=status
    )


def test_annual_report_for_2026_is_due_31_march_2027(world):
    found = by_key(deadlines_for_user(world.manager_a, today=D(2026, 11, 22)))
    report = found[f"annual_report:{world.agreement_a.pk}:2026"]
    assert report.date == D(2027, 3, 31)
    assert not report.overdue
    # Every year of the period has its report, the last one due after the agreement ended.
    assert found[f"annual_report:{world.agreement_a.pk}:2027"].date == D(2028, 3, 31)


def test_deadlines_are_sorted_soonest_first(world):
    deadlines = deadlines_for_user(world.manager_a, today=D(2026, 11, 22))
    assert [d.date for d in deadlines] == sorted(d.date for d in deadlines)


def test_extension_decision_and_end_follow_the_agreement(world):
    agreement = world.agreement_a
    agreement.extension_count = 1
    agreement.extension_notice_months = 3
    agreement.save()
    found = by_key(deadlines_for_user(world.manager_a, today=D(2026, 11, 22)))
    assert found[f"extension_decision:{agreement.pk}:1"].date == D(2027, 9, 30)
    assert found[f"agreement_end:{agreement.pk}:end"].date == D(2027, 12, 31)


def test_extension_moves_every_deadline_with_the_new_end_date(world):
    agreement = world.agreement_a
    agreement.extension_count = 1
    agreement.extension_months = 12
    agreement.save()
    extend_agreement(
        audit=AuditContext.system(),
        agreement=agreement,
        user=world.manager_a,
        decided_on=D(2027, 6, 1),
        approvals=every_party_approves(agreement, D(2027, 6, 1)),
    )
    today = D(2027, 6, 2)
    found = by_key(deadlines_for_user(world.manager_a, today=today))
    assert found[f"agreement_end:{agreement.pk}:end"].date == D(2028, 12, 31)
    # The new year brings its own annual report, due the year after the new end.
    assert found[f"annual_report:{agreement.pk}:2028"].date == D(2029, 3, 31)
    # No option left: no more extension decision to take.
    assert not any(k.startswith("extension_decision:") for k in found)
    # Follow-up meetings are owed for the added year too.
    assert f"followup:{agreement.pk}:2028Q4" in found


def test_leap_year_report_due_on_29_february(world):
    agreement = world.agreement_a
    agreement.report_due_month, agreement.report_due_day = 2, 29
    agreement.save()
    found = by_key(deadlines_for_user(world.manager_a, today=D(2026, 6, 1)))
    # 2027 has no 29 February: the last day of February instead.
    assert found[f"annual_report:{agreement.pk}:2026"].date == D(2027, 2, 28)
    assert found[f"annual_report:{agreement.pk}:2027"].date == D(2028, 2, 29)


def test_extension_decision_deadline_in_a_leap_year_clamps_to_29_february(world):
    agreement = AgreementFactory(
        start_date=D(2026, 6, 1),
        end_date=D(2028, 5, 31),
        extension_count=1,
        extension_notice_months=3,
    )
    PartyFactory(agreement=agreement, organisation=world.org_a)
    found = by_key(deadlines_for_user(world.manager_a, today=D(2027, 1, 1)))
    assert found[f"extension_decision:{agreement.pk}:1"].date == D(2028, 2, 29)


def test_followups_owed_per_quarter_roll_a_missed_quarter_into_the_current_one(world):
    # 4 a year: one held in Q1, none in Q2; on 1 August, two are owed by 30 September.
    followup(world, D(2026, 2, 10))
    found = by_key(deadlines_for_user(world.manager_a, today=D(2026, 8, 1)))
    q3 = found[f"followup:{world.agreement_a.pk}:2026Q3"]
    assert q3.date == D(2026, 9, 30)
    assert q3.title.startswith("2 uppföljningsmöten")
    assert found[f"followup:{world.agreement_a.pk}:2026Q4"].title.startswith("1 uppföljningsmöte ")


def test_a_planned_meeting_in_the_quarter_counts(world):
    for day in (D(2026, 2, 10), D(2026, 5, 10)):
        followup(world, day)
    followup(world, D(2026, 9, 1), status=Meeting.Status.PLANNED)
    found = by_key(deadlines_for_user(world.manager_a, today=D(2026, 8, 1)))
    assert f"followup:{world.agreement_a.pk}:2026Q3" not in found


def test_cancelled_and_other_kinds_of_meetings_do_not_count(world):
    followup(world, D(2026, 2, 10), status=Meeting.Status.CANCELLED)
    MeetingFactory(
        agreement=world.agreement_a,
        convened_by=world.org_a,
        date=D(2026, 3, 1),
        kind=Meeting.Kind.STEERING,
    )
    found = by_key(deadlines_for_user(world.manager_a, today=D(2026, 3, 15)))
    assert found[f"followup:{world.agreement_a.pk}:2026Q1"].title.startswith("1 ")


def test_followups_across_the_year_end_start_again_from_zero(world):
    # Nothing held in 2026: on 31 December all four are owed in Q4 ...
    found = by_key(deadlines_for_user(world.manager_a, today=D(2026, 12, 31)))
    assert found[f"followup:{world.agreement_a.pk}:2026Q4"].title.startswith("4 ")
    # ... and on 1 January the new year owes one in Q1, not five.
    found = by_key(deadlines_for_user(world.manager_a, today=D(2027, 1, 1)))
    assert f"followup:{world.agreement_a.pk}:2026Q4" not in found
    q1 = found[f"followup:{world.agreement_a.pk}:2027Q1"]
    assert q1.date == D(2027, 3, 31)
    assert q1.title.startswith("1 uppföljningsmöte ")


def test_three_a_year_are_spread_over_the_quarters():
    agreement = Agreement(start_date=D(2026, 1, 1), end_date=D(2026, 12, 31), followups_per_year=3)
    assert [required_followups(agreement, 2026, q) for q in (1, 2, 3, 4)] == [1, 2, 3, 3]


def test_a_year_partly_covered_requires_its_share():
    agreement = Agreement(start_date=D(2026, 7, 1), end_date=D(2027, 6, 30), followups_per_year=4)
    assert required_followups(agreement, 2026) == 2
    assert required_followups(agreement, 2027) == 2


def test_open_action_items_are_listed_and_overdue_ones_marked(world):
    meeting = followup(world, D(2026, 3, 1))
    late = ActionItemFactory(meeting=meeting, due_date=D(2026, 4, 1))
    soon = ActionItemFactory(meeting=meeting, due_date=D(2026, 6, 1))
    done = ActionItemFactory(meeting=meeting, due_date=D(2026, 4, 1), done_on=D(2026, 3, 30))
    found = by_key(deadlines_for_user(world.manager_a, today=D(2026, 5, 1)))
    assert found[f"action_item:{late.pk}"].overdue
    assert not found[f"action_item:{soon.pk}"].overdue
    assert f"action_item:{done.pk}" not in found


def test_user_sees_only_deadlines_of_own_partnerships(world):
    keys = set(by_key(deadlines_for_user(world.coordinator_b, today=D(2026, 5, 1))))
    assert keys
    assert all(f":{world.agreement_b.pk}:" in k for k in keys)
    assert deadlines_for_user(world.outsider, today=D(2026, 5, 1)) == []


def test_draft_agreements_have_no_deadlines(world):
    Agreement.objects.filter(pk=world.agreement_b.pk).update(status=Agreement.Status.DRAFT)
    assert deadlines_for_user(world.coordinator_b, today=D(2026, 5, 1)) == []


def test_until_limits_the_window(world):
    deadlines = deadlines_for_user(world.manager_a, today=D(2026, 5, 1), until=D(2026, 7, 1))
    assert deadlines
    assert all(d.date <= D(2026, 7, 1) for d in deadlines)


def test_submitted_annual_report_is_no_longer_a_deadline(world):
    from django.utils import timezone

    from reporting.models import AnnualReport

    AnnualReport.objects.create(
        agreement=world.agreement_a,
        year=2026,
        status=AnnualReport.Status.SUBMITTED,
        submitted_at=timezone.now(),
        figures={},
    )
    found = by_key(deadlines_for_user(world.manager_a, today=D(2027, 4, 2)))
    assert f"annual_report:{world.agreement_a.pk}:2026" not in found


def test_an_unsubmitted_report_past_its_due_date_is_overdue(world):
    found = by_key(deadlines_for_user(world.manager_a, today=D(2027, 4, 2)))
    assert found[f"annual_report:{world.agreement_a.pk}:2026"].overdue


@pytest.mark.parametrize("status", [Agreement.Status.ENDED, Agreement.Status.TERMINATED])
def test_an_ended_agreement_keeps_only_its_annual_and_final_reports(world, status):
    Agreement.objects.filter(pk=world.agreement_a.pk).update(
        status=status, terminated_on=D(2026, 9, 30) if status == "terminated" else None
    )
    kinds = {d.kind for d in deadlines_for_user(world.manager_a, today=D(2026, 10, 1))}
    assert kinds == {"annual_report", "final_report"}


def test_annual_report_deadline_links_to_the_report(world):
    from django.urls import reverse

    found = by_key(deadlines_for_user(world.manager_a, today=D(2026, 11, 22)))
    report = found[f"annual_report:{world.agreement_a.pk}:2026"]
    assert report.url == reverse("reporting:annual_report", args=[world.agreement_a.pk, 2026])
