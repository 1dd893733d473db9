"""Start-page work from the coordinated plan, the exit and the waiting list: a plan not
agreed N days after enrolment, a follow-up after exit that is due, a referral waiting for
a place. Each source runs one query whatever the size of the caseload."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from . import access
from .models import FollowUp, Referral
from .worklist import WorkItem, register

if TYPE_CHECKING:
    from partnerships.models import User

    from .models import Enrolment

# Days after enrolment by which the coordinated plan should be agreed.
DEFAULT_PLAN_AGREED_WITHIN_DAYS = 30
# Follow-ups show this many days before they are due.
FOLLOW_UP_NOTICE_DAYS = 7


def plan_agreed_within_days() -> int:
    return getattr(settings, "IOP_PLAN_AGREED_WITHIN_DAYS", DEFAULT_PLAN_AGREED_WITHIN_DAYS)


@register
def plan_not_agreed(
    user: User, today: datetime.date, caseload: QuerySet[Enrolment]
) -> Iterable[WorkItem]:
    days = plan_agreed_within_days()
    late = (
        caseload.filter(exit_date__isnull=True, start_date__lte=today - datetime.timedelta(days))
        .filter(
            Q(action_plan__isnull=True)
            | Q(action_plan__agreed_revision__isnull=True)
            | ~Q(action_plan__agreed_revision=F("action_plan__revision"))
        )
        .values_list("pk", "participant_id", "participant__code", "start_date")
    )
    label = _("Samordnad plan inte överenskommen %(days)s dagar efter inskrivning") % {"days": days}
    return [
        WorkItem(
            kind="plan_not_agreed",
            label=label,
            participant_id=participant_id,
            participant_code=code,
            url=reverse("participants:action_plan", args=[enrolment_id]),
            due=start + datetime.timedelta(days),
        )
        for enrolment_id, participant_id, code, start in late
    ]


@register
def follow_up_due(
    user: User, today: datetime.date, caseload: QuerySet[Enrolment]
) -> Iterable[WorkItem]:
    """Follow-ups of the caseload's participants, and of exits the user recorded (an exited
    enrolment has left the caseload, its follow-ups have not)."""
    due = (
        FollowUp.objects.due_by(today + datetime.timedelta(FOLLOW_UP_NOTICE_DAYS))
        .filter(enrolment__in=access.visible_enrolments(user, today))
        .filter(
            Q(enrolment__participant__in=caseload.values("participant_id"))
            | Q(enrolment__exit_record__recorded_by=user)
        )
        .values_list(
            "pk", "months", "due_on", "enrolment__participant_id", "enrolment__participant__code"
        )
    )
    return [
        WorkItem(
            kind="follow_up_due",
            label=_("Uppföljning %(months)s månader efter avslut") % {"months": months},
            participant_id=participant_id,
            participant_code=code,
            url=reverse("participants:follow_up", args=[pk]),
            due=due_on,
        )
        for pk, months, due_on, participant_id, code in due
    ]


@register
def referral_waiting(
    user: User, today: datetime.date, caseload: QuerySet[Enrolment]
) -> Iterable[WorkItem]:
    """Referrals waiting for a place in the user's partnerships, for participants the user
    sees."""
    waiting = (
        Referral.objects.filter(
            agreement__in=access.user_agreements(user),
            participant__in=access.visible_participants(user, today),
        )
        .waiting()
        .values_list(
            "agreement_id", "agreement__title", "participant_id", "participant__code", "date"
        )
    )
    return [
        WorkItem(
            kind="referral_waiting",
            label=_("Anvisning väntar på plats i %(agreement)s") % {"agreement": title},
            participant_id=participant_id,
            participant_code=code,
            url=reverse("participants:waiting_list", args=[agreement_id]),
            due=day,
        )
        for agreement_id, title, participant_id, code, day in waiting
    ]
