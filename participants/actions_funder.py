"""Verbs for what funders ask: the background at entry, the results at exit, and an
agreement's funding programme and target-group rules.

The enrolling verbs (participants.actions.enrol, register_participant) call
`store_background` inside their own transaction, so the enrolment and its background are
saved together or not at all. A participant who goes to the waiting list has no enrolment
yet: `hold_background` keeps the checked background on the waiting referral, and
`admit_background` saves it when the referral is admitted (the age taken at the actual
start, the target-group rules checked again).
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
from .models import Enrolment, EntryBackground, ExitResult, FunderProfile, Participant, Referral
from .models.funder import age_on

# What a waiting referral holds of the background typed for it.
HELD_FIELDS = (*funder.BACKGROUND_FIELDS, "eligibility_justification")


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


def hold_background(
    *, user: User, referral: Referral, enrolment: Enrolment, background: EntryBackground
) -> None:
    """Keep the background of an enrolment that goes to the waiting list on its (not yet
    saved) referral, checked as the enrolment would be: a breach of the target group on
    the requested start needs the justification here too. Runs inside the caller's
    transaction; the caller saves the referral."""
    breaches = funder.evaluate(
        user=user, participant=enrolment.participant, enrolment=enrolment, background=background
    )
    background.eligibility_breaches = [breach.kind for breach in breaches]
    background.full_clean(exclude=["enrolment"])
    referral.background = {name: getattr(background, name) for name in HELD_FIELDS}


def admit_background(
    *, user: User, referral: Referral, enrolment: Enrolment
) -> EntryBackground | None:
    """Save the background a waiting referral holds with the enrolment its admission has
    just created, checking the target-group rules at the actual start. An admission cannot
    ask for a justification: a breach keeps the one given at referral, or is recorded with
    "motivering saknas" so that it shows as a data-quality finding like any other flagged
    enrolment. Without a held background, a background row is made only to record a breach.
    Runs inside the admitting verb's transaction, which then empties the referral's copy."""
    held = referral.background or {}
    background = EntryBackground(**{name: held[name] for name in HELD_FIELDS if name in held})
    breaches = funder.evaluate(
        user=user, participant=enrolment.participant, enrolment=enrolment, background=background
    )
    if not held and not breaches:
        return None
    background.enrolment = enrolment
    background.eligibility_breaches = [breach.kind for breach in breaches]
    if breaches and not background.eligibility_justification.strip():
        background.eligibility_justification = _("Antagen från väntelistan; motivering saknas")
    # Typed by whoever put the participant on the waiting list: theirs as source.
    background.recorded_by_id = referral.recorded_by_id
    background.source_organisation_id = referral.source_organisation_id
    background.full_clean()
    background.save()
    return background


def refresh_ages_at_entry(participant: Participant) -> int:
    """Derive again the age at entry of the participant's backgrounds after a correction
    of the birth year or personnummer (inside the correcting verb's transaction). Returns
    how many changed."""
    backgrounds = EntryBackground.objects.filter(
        enrolment__participant_id=participant.pk
    ).select_related("enrolment")
    changed = []
    for background in backgrounds:
        age = age_on(
            participant.personnummer, participant.birth_year, background.enrolment.start_date
        )
        if age != background.age_at_entry:
            background.age_at_entry = age
            changed.append(background)
    EntryBackground.objects.bulk_update(changed, ["age_at_entry"])
    return len(changed)


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
