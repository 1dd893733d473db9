"""The caseworker's caseload and the work items this module contributes to the start page
(participants/worklist.py): no contact for N days (settings.IOP_NOT_CONTACTED_DAYS),
consent expiring within 30 days, past the planned maximum time.

Each source is one query over the caseload, whatever its size.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partnerships.models import Role, User

from .access import visible_enrolments
from .models import Consent, Contact, DaysSince, Enrolment, EnrolmentQuerySet
from .worklist import WorkItem, register

CONSENT_WARNING_DAYS = 30


def caseload_of(user: User, today: datetime.date) -> EnrolmentQuerySet:
    """The open enrolments the user is the responsible caseworker of and still sees."""
    return visible_enrolments(user, today).filter(caseworker=user).active_on(today)


def with_last_contact(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Annotate `last_contact`: the latest contact in the enrolment's partnership (the
    (participant, agreement, date) index answers it per row)."""
    latest = (
        Contact.objects.filter(
            participant_id=OuterRef("participant_id"), agreement_id=OuterRef("agreement_id")
        )
        .order_by("-date")
        .values("date")[:1]
    )
    return enrolments.annotate(last_contact=Subquery(latest))


def timeline_url(participant_id: int) -> str:
    return reverse("participants:timeline", args=[participant_id])


@register
def not_contacted(
    user: User, today: datetime.date, caseload: QuerySet[Enrolment]
) -> Iterable[WorkItem]:
    days = settings.IOP_NOT_CONTACTED_DAYS
    since = today - datetime.timedelta(days=days)
    annotated: QuerySet[Any] = with_last_contact(caseload)
    rows = annotated.filter(
        Q(last_contact__lt=since) | Q(last_contact__isnull=True, start_date__lt=since)
    ).values_list("pk", "participant_id", "participant__code", "last_contact", "start_date")
    label = ngettext("Ingen kontakt på %(days)d dag", "Ingen kontakt på %(days)d dagar", days) % {
        "days": days
    }
    return [
        WorkItem(
            kind="not_contacted",
            label=label,
            participant_id=pid,
            participant_code=code,
            url=reverse("participants:contact_create", args=[enrolment_id]),
            due=(last or start) + datetime.timedelta(days=days),
        )
        for enrolment_id, pid, code, last, start in rows
    ]


@register
def consent_expiring(
    user: User, today: datetime.date, caseload: QuerySet[Enrolment]
) -> Iterable[WorkItem]:
    until = today + datetime.timedelta(days=CONSENT_WARNING_DAYS)
    rows = (
        Consent.objects.filter(
            participant_id__in=caseload.values("participant_id"),
            withdrawn_on__isnull=True,
            expires_on__range=(today, until),
        )
        .order_by("expires_on")
        .values_list("participant_id", "participant__code", "expires_on")
    )
    first: dict[int, tuple[str, datetime.date | None]] = {}
    for pid, code, expires in rows:
        first.setdefault(pid, (code, expires))
    return [
        WorkItem(
            kind="consent_expiring",
            label=_("Samtycket upphör inom 30 dagar"),
            participant_id=pid,
            participant_code=code,
            url=timeline_url(pid),
            due=expires,
        )
        for pid, (code, expires) in first.items()
    ]


@register
def past_max_time(
    user: User, today: datetime.date, caseload: QuerySet[Enrolment]
) -> Iterable[WorkItem]:
    rows = (
        caseload.annotate(
            max_days=Coalesce(F("planned_max_days"), "agreement__participant_max_days")
        )
        .filter(max_days__isnull=False, max_days__lt=DaysSince("start_date", today) + 1)
        .values_list("participant_id", "participant__code", "start_date", "max_days")
    )
    return [
        WorkItem(
            kind="past_max_time",
            label=_("Längre än planerad högsta tid"),
            participant_id=pid,
            participant_code=code,
            url=timeline_url(pid),
            due=start + datetime.timedelta(days=max_days),
        )
        for pid, code, start, max_days in rows
    ]


def caseworker_start_page(user: User) -> str | None:
    """Caseworkers land on their caseload rather than the partnerships' to-do list."""
    if user.is_authenticated and user.has_role(Role.CASEWORKER):
        return reverse("participants:start")
    return None
