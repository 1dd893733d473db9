"""The reminder command: e-mail a number of days ahead, never twice for one deadline,
a dry run that sends and records nothing."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from iop.audit import AuditContext
from partnerships.actions import extend_agreement
from partnerships.models import Role, SentReminder
from tests.factories.partnerships import (
    ActionItemFactory,
    MeetingFactory,
    UserFactory,
    every_party_approves,
)

D = datetime.date


@pytest.fixture
def manager(world):
    world.manager_a.email = "manager@example.se"
    world.manager_a.save()
    return world.manager_a


@pytest.fixture
def item(world):
    meeting = MeetingFactory(
        agreement=world.agreement_a, convened_by=world.org_a, date=D(2026, 3, 1)
    )
    return ActionItemFactory(
        meeting=meeting, description="Skicka statistik", due_date=D(2026, 5, 10)
    )


def run(*args):
    call_command("send_reminders", *args)


def test_it_sends_deadlines_within_the_days_ahead(manager, item):
    run("--today", "2026-05-01", "--days", "14")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["manager@example.se"]
    assert "2026-05-10" in message.body
    assert "Skicka statistik" in message.body
    # Follow-up meetings owed by 30 June are further away than 14 days.
    assert "2026-06-30" not in message.body


def test_a_second_run_the_same_day_sends_nothing(manager, item):
    run("--today", "2026-05-01", "--days", "14")
    run("--today", "2026-05-01", "--days", "14")
    assert len(mail.outbox) == 1


def test_the_next_day_only_new_deadlines_are_sent(manager, item):
    run("--today", "2026-05-01", "--days", "14")
    later = ActionItemFactory(
        meeting=item.meeting, description="Boka lokal", due_date=D(2026, 5, 15)
    )
    run("--today", "2026-05-02", "--days", "14")
    assert len(mail.outbox) == 2
    assert "Boka lokal" in mail.outbox[1].body
    assert "Skicka statistik" not in mail.outbox[1].body
    assert SentReminder.objects.filter(user=manager, key=f"action_item:{later.pk}").exists()


def test_dry_run_sends_and_records_nothing(manager, item, capsys):
    run("--today", "2026-05-01", "--days", "14", "--dry-run")
    assert mail.outbox == []
    assert not SentReminder.objects.exists()
    assert f"action_item:{item.pk}" in capsys.readouterr().out


def test_days_ahead_defaults_to_the_setting(manager, item, settings):
    settings.IOP_REMINDER_DAYS_AHEAD = 5
    run("--today", "2026-05-01")
    assert mail.outbox == []
    settings.IOP_REMINDER_DAYS_AHEAD = 9
    run("--today", "2026-05-01")
    assert len(mail.outbox) == 1


def test_a_moved_deadline_is_reminded_of_again(world, manager):
    agreement = world.agreement_a
    agreement.extension_count = 1
    agreement.save()
    run("--today", "2027-12-20", "--days", "14")
    assert "2027-12-31" in mail.outbox[0].body
    extend_agreement(
        audit=AuditContext.system(),
        agreement=agreement,
        user=manager,
        decided_on=D(2027, 9, 1),
        approvals=every_party_approves(agreement, D(2027, 9, 1)),
    )
    run("--today", "2028-12-20", "--days", "14")
    assert "2028-12-31" in mail.outbox[-1].body


def test_only_managers_with_an_e_mail_address_get_reminders(world, manager, item):
    world.steering_a.email = "styrgrupp@example.se"
    world.steering_a.save()
    UserFactory(organisation=world.org_a, role=Role.MANAGER, email="")
    run("--today", "2026-05-01", "--days", "14")
    assert [m.to for m in mail.outbox] == [["manager@example.se"]]


def test_roles_option_widens_the_recipients(world, manager, item):
    world.steering_a.email = "styrgrupp@example.se"
    world.steering_a.save()
    run("--today", "2026-05-01", "--days", "14", "--roles", "manager,steering")
    assert sorted(m.to[0] for m in mail.outbox) == ["manager@example.se", "styrgrupp@example.se"]


def test_a_user_is_reminded_only_of_own_partnerships(world, item):
    other = UserFactory(organisation=world.org_b, role=Role.MANAGER, email="b@example.se")
    run("--today", "2026-05-01", "--days", "14")
    bodies = [m.body for m in mail.outbox if m.to == [other.email]]
    assert bodies == [] or all("Skicka statistik" not in body for body in bodies)
