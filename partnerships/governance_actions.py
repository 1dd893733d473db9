"""Verbs for running the partnership: bodies and members, stages, risks and obstacles.

Like every verb (see actions.py), each takes keyword arguments only, the acting `user` and
an `audit` context, and owns its transaction. A stage is part of what the agreement says,
so saving one records the agreement's new version; a risk keeps its own history: every
change of grade or status is a RiskChange row, written here with the date and the user.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.audit import AuditContext

from .actions import RowFormSet, _save_form, record_version
from .forms_governance import GovernanceBodyForm, ObstacleForm, RiskForm, StageForm
from .models import GovernanceBody, Obstacle, Risk, RiskChange, Stage, User


@transaction.atomic
def save_body(
    *, user: User, audit: AuditContext, form: GovernanceBodyForm, members: RowFormSet
) -> GovernanceBody:
    """Save a governance body and its members from validated forms, together or not at all."""
    body: GovernanceBody = _save_form(form, [members])
    return body


@transaction.atomic
def save_stage(*, user: User, audit: AuditContext, form: StageForm) -> Stage:
    stage: Stage = _save_form(form)
    record_version(
        agreement=stage.agreement,
        user=user,
        audit=audit,
        summary=_("Etapp sparad: %(name)s") % {"name": stage.name},
    )
    return stage


@transaction.atomic
def remove_stage(*, user: User, audit: AuditContext, stage: Stage) -> None:
    agreement = stage.agreement
    name = stage.name
    stage.delete()
    record_version(
        agreement=agreement,
        user=user,
        audit=audit,
        summary=_("Etapp borttagen: %(name)s") % {"name": name},
    )


def _risk_state(risk: Risk) -> tuple[Any, ...]:
    return (risk.likelihood, risk.consequence, risk.grade, risk.status)


@transaction.atomic
def save_risk(*, user: User, audit: AuditContext, form: RiskForm) -> Risk:
    """Save a risk; a new risk, or a change of its grade or status, is kept in its history."""
    before = None
    if form.instance.pk is not None:
        before = _risk_state(Risk.objects.select_for_update().get(pk=form.instance.pk))
    risk: Risk = _save_form(form)
    if before is None or before != _risk_state(risk):
        RiskChange.objects.create(
            risk=risk,
            changed_on=timezone.localdate(),
            changed_by=user,
            likelihood=risk.likelihood,
            consequence=risk.consequence,
            grade=risk.grade,
            status=risk.status,
        )
    return risk


@transaction.atomic
def save_obstacle(*, user: User, audit: AuditContext, form: ObstacleForm) -> Obstacle:
    obstacle: Obstacle = _save_form(form)
    return obstacle
