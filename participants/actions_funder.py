"""Verbs for what funders ask: the background at entry, the results at exit, and an
agreement's funding programme and target-group rules.

The enrolling verbs (participants.actions.enrol, register_participant) call
`store_background` inside their own transaction, so the enrolment and its background are
saved together or not at all.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from iop.audit import AuditContext
from partnerships.actions import record_version
from partnerships.models import Agreement, User

from . import funder
from .models import Enrolment, EntryBackground, ExitResult, FunderProfile


def store_background(*, user: User, enrolment: Enrolment, background: EntryBackground) -> None:
    """Save the background of a saved enrolment, with the target-group rules it breaks
    (evaluated again here: the form's answer may be stale). Runs inside the caller's
    transaction."""
    breaches = funder.evaluate(
        user=user, participant=enrolment.participant, enrolment=enrolment, background=background
    )
    background.enrolment = enrolment
    background.eligibility_breaches = [breach.kind for breach in breaches]
    if background.pk is None:
        background.recorded_by = user
        background.source_organisation_id = user.organisation_id
    background.full_clean()
    background.save()


def store_exit_result(*, user: User, enrolment: Enrolment, result: ExitResult) -> None:
    """Save the results at exit of a closed enrolment (inside the exit's transaction)."""
    result.enrolment = enrolment
    if result.pk is None:
        result.recorded_by = user
        result.source_organisation_id = user.organisation_id
    result.full_clean()
    result.save()


@transaction.atomic
def save_funder_profile(
    *,
    user: User,
    audit: AuditContext,
    agreement: Agreement,
    profile: FunderProfile,
    rules: BaseInlineFormSet[Any, Any, Any],
) -> FunderProfile:
    """An agreement's funding programme, required background items and target-group rules
    (a validated form's instance and formset)."""
    profile.agreement = agreement
    profile.full_clean()
    profile.save()
    rules.instance = agreement
    rules.save()
    record_version(
        agreement=agreement,
        user=user,
        audit=audit,
        summary=_("Finansiär och målgruppsregler ändrade"),
    )
    return profile
