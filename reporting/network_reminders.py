"""A statistics network's submission deadline in the deadline machinery.

Registered through partnerships.hooks as a deadline of the user's own (not of an
agreement): the to-do list, the calendar feed and the reminders (`manage.py
send_reminders`) then show it like any other. A member reporter has the deadline of each
open form until its member has submitted (again, after a reopening); the coordinator has
it while any member has not. A period that has closed owes nothing more.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from partnerships.deadlines import Deadline
from partnerships.hooks import UserDeadlineSource

from .models_network import NetworkForm, NetworkMember, NetworkRole, NetworkSubmission

NETWORK_SUBMISSION = "network_submission"


def _submitted(forms: list[NetworkForm]) -> dict[int, set[int]]:
    """Per form, the members whose latest submission is locked (they owe nothing)."""
    latest: dict[tuple[int, int], bool] = {}
    for form_id, member_id, reopened_at in (
        NetworkSubmission.objects.filter(form__in=forms)
        .order_by("form_id", "member_id", "version")
        .values_list("form_id", "member_id", "reopened_at")
    ):
        latest[(form_id, member_id)] = reopened_at is None
    done: dict[int, set[int]] = {f.pk: set() for f in forms}
    for (form_id, member_id), locked in latest.items():
        if locked:
            done[form_id].add(member_id)
    return done


def network_deadlines(user: Any, today: datetime.date) -> list[Deadline]:
    """The user's network submission deadlines (1 query without a network role, at most
    4 with)."""
    roles = list(NetworkRole.objects.filter(user_id=user.pk).select_related("network"))
    if not roles:
        return []
    forms = list(
        NetworkForm.objects.filter(
            network_id__in=[r.network_id for r in roles],
            status=NetworkForm.Status.OPEN,
            closes_on__gte=today,
        )
    )
    if not forms:
        return []
    done = _submitted(forms)
    coordinated = [r.network_id for r in roles if r.kind == NetworkRole.Kind.COORDINATOR]
    members = dict(
        NetworkMember.objects.filter(network_id__in=coordinated)
        .values("network_id")
        .annotate(n=Count("pk"))
        .values_list("network_id", "n")
        if coordinated
        else []
    )
    found = []
    for role in roles:
        for form in forms:
            if form.network_id != role.network_id:
                continue
            if role.kind == NetworkRole.Kind.COORDINATOR:
                missing = members.get(role.network_id, 0) - len(done[form.pk])
                if missing > 0:
                    found.append(_coordinator_deadline(role, form, missing, today))
            elif role.member_id not in done[form.pk]:
                found.append(_member_deadline(role, form, today))
    return found


def _coordinator_deadline(
    role: NetworkRole, form: NetworkForm, missing: int, today: datetime.date
) -> Deadline:
    return Deadline(
        key=f"{NETWORK_SUBMISSION}:{form.pk}:coordinator",
        kind=NETWORK_SUBMISSION,
        date=form.due_on,
        title=ngettext(
            "%(n)s medlem har inte lämnat in för %(period)s",
            "%(n)s medlemmar har inte lämnat in för %(period)s",
            missing,
        )
        % {"n": missing, "period": form.period_label},
        agreement_id=0,
        agreement_title=role.network.name,
        url=reverse("reporting:network_form_status", args=[role.network_id, form.pk]),
        overdue=form.due_on < today,
    )


def _member_deadline(role: NetworkRole, form: NetworkForm, today: datetime.date) -> Deadline:
    return Deadline(
        key=f"{NETWORK_SUBMISSION}:{form.pk}:{role.member_id}",
        kind=NETWORK_SUBMISSION,
        date=form.due_on,
        title=_("Lämna in statistiken för %(period)s") % {"period": form.period_label},
        agreement_id=0,
        agreement_title=role.network.name,
        url=reverse("reporting:network_submit", args=[role.network_id, form.pk, role.member_id]),
        overdue=form.due_on < today,
        detail=_("Perioden stängs %(day)s.") % {"day": form.closes_on.isoformat()},
    )


def network_reminder_recipients() -> QuerySet[NetworkRole, Any]:
    return NetworkRole.objects.values("user_id")


NETWORK_SUBMISSIONS_DUE = UserDeadlineSource(
    kind=NETWORK_SUBMISSION,
    label=gettext_lazy("Statistiknätverk"),
    deadlines=network_deadlines,
    recipients=network_reminder_recipients,
)
