"""Workflows that change participant data. Each runs in one transaction, validates through
the models' clean() and constraints, and writes the access log; nothing is half-saved."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerships.models import Agreement, User

from .access import log_access
from .models import (
    AccessLog,
    ActionPlan,
    Attendance,
    Consent,
    Contact,
    Enrolment,
    GroupSession,
    Participant,
    Phase,
    PhaseChange,
    ProgressAssessment,
    Referral,
)

STALE_MESSAGE = gettext_lazy(
    "Någon annan har sparat ändringar sedan du öppnade sidan. "
    "Ladda om sidan och gör om din ändring."
)


def save_checked(instance: Participant | Enrolment | ActionPlan, *, revision: int | None) -> None:
    """Save an edited row unless someone else saved it after the form was opened.

    The conditional UPDATE is atomic on every database, so of two coordinators who opened
    the same revision exactly one wins; the other gets a ValidationError.
    """
    manager = type(instance)._default_manager
    expected = instance.revision if revision is None else revision
    bumped = manager.filter(pk=instance.pk, revision=expected).update(revision=expected + 1)
    if not bumped:
        raise ValidationError(STALE_MESSAGE, code="stale")
    instance.revision = expected + 1
    instance.save()


@transaction.atomic
def register_participant(
    *,
    request: HttpRequest,
    participant: Participant,
    agreement: Agreement,
    start_date: datetime.date,
    consent: Consent,
    enrolment: Enrolment,
    referral=None,
) -> Participant:
    """A new participant: the record, the consent for the registering organisation, an
    optional referral, and the enrolment in the first phase."""
    user = request.user
    participant.created_by = user
    participant.full_clean()
    participant.save()
    consent.participant = participant
    consent.recorded_by = user
    consent.full_clean()
    consent.save()
    if referral is not None:
        referral.participant = participant
        referral.agreement = agreement
        referral.recorded_by = user
        referral.full_clean()
        referral.save()
    enrolment.participant = participant
    enrolment.agreement = agreement
    enrolment.start_date = start_date
    enrol(request=request, enrolment=enrolment, log=False)
    log_access(request, [participant], action=AccessLog.Action.CREATE, what="deltagare")
    return participant


@transaction.atomic
def enrol(*, request: HttpRequest, enrolment: Enrolment, log: bool = True) -> Enrolment:
    user = request.user
    if enrolment.phase_id is None:
        enrolment.phase = Phase.for_agreement(enrolment.agreement_id).first()
    enrolment.enrolled_by = user
    enrolment.full_clean()
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError as exc:
        # Two requests racing past clean(): the partial unique index has the last word.
        raise ValidationError(
            {"agreement": _("Deltagaren är redan inskriven i partnerskapet.")}
        ) from exc
    if enrolment.phase is not None:
        PhaseChange.objects.create(
            enrolment=enrolment,
            date=enrolment.start_date,
            from_phase=None,
            to_phase=enrolment.phase,
            changed_by=user,
        )
    if log:
        log_access(
            request, [enrolment.participant_id], action=AccessLog.Action.CREATE, what="inskrivning"
        )
    return enrolment


@transaction.atomic
def change_phase(
    *, request: HttpRequest, enrolment: Enrolment, phase: Phase, date: datetime.date, revision: int
) -> PhaseChange | None:
    if phase.pk == enrolment.phase_id:
        return None
    if date < enrolment.start_date:
        raise ValidationError({"date": _("Fasbytet kan inte ligga före inskrivningen.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("Datumet kan inte ligga i framtiden.")})
    change = PhaseChange.objects.create(
        enrolment=enrolment,
        date=date,
        from_phase_id=enrolment.phase_id,
        to_phase=phase,
        changed_by=request.user,
    )
    enrolment.phase = phase
    save_checked(enrolment, revision=revision)
    log_access(request, [enrolment.participant_id], action=AccessLog.Action.CHANGE, what="fas")
    return change


@transaction.atomic
def exit_enrolment(*, request: HttpRequest, enrolment: Enrolment, revision: int) -> Enrolment:
    """Close an enrolment; the form has set exit_date, exit_outcome and income_at_exit."""
    enrolment.full_clean()
    save_checked(enrolment, revision=revision)
    log_access(request, [enrolment.participant_id], action=AccessLog.Action.CHANGE, what="avslut")
    return enrolment


@transaction.atomic
def log_contact(*, request: HttpRequest, contact: Contact, enrolment: Enrolment) -> Contact:
    contact.participant_id = enrolment.participant_id
    contact.agreement_id = enrolment.agreement_id
    contact.staff = request.user
    # The foreign keys come from the enrolment and the signed-in user, and the database
    # checks the constraints; validate what the user typed.
    contact.full_clean(exclude={"participant", "agreement", "staff"}, validate_constraints=False)
    contact.save()
    log_access(request, [enrolment.participant_id], action=AccessLog.Action.CREATE, what="kontakt")
    return contact


def last_contact_defaults(user: User) -> dict[str, Any]:
    """Kind and duration of the user's latest contact, so the next form starts with them."""
    last = (
        Contact.objects.filter(staff=user)
        .order_by("-created_at")
        .values("kind", "duration_minutes")
        .first()
    )
    return dict(last) if last else {"kind": Contact.Kind.MEETING, "duration_minutes": 30}


@transaction.atomic
def record_session_attendance(
    *,
    request: HttpRequest,
    session: GroupSession,
    statuses: dict[int, str],
) -> list[Attendance]:
    """Store one status per participant for a group session (replacing earlier ticks)."""
    agreement_id = session.activity.agreement_id
    enrolled = set(
        Enrolment.objects.filter(agreement_id=agreement_id, participant_id__in=statuses)
        .active_on(session.date)
        .values_list("participant_id", flat=True)
    )
    outside = set(statuses) - enrolled
    if outside:
        raise ValidationError(_("Någon på listan är inte inskriven det datumet."))
    # Rows for participants not on this user's list (seen by another organisation) stay.
    existing = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    to_create, to_update = [], []
    for participant_id, status in statuses.items():
        row = existing.get(participant_id)
        if row is None:
            to_create.append(
                Attendance(
                    participant_id=participant_id,
                    agreement_id=agreement_id,
                    date=session.date,
                    session=session,
                    status=status,
                    recorded_by=request.user,
                )
            )
        elif row.status != status:
            row.status = status
            row.recorded_by = request.user
            to_update.append(row)
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(to_update, ["status", "recorded_by"])
    log_access(request, statuses.keys(), action=AccessLog.Action.CHANGE, what="närvaro")
    return to_create + to_update


@transaction.atomic
def withdraw_consent(*, request: HttpRequest, consent: Consent, day: datetime.date) -> Consent:
    consent.withdrawn_on = day
    consent.full_clean()
    consent.save(update_fields=["withdrawn_on"])
    log_access(request, [consent.participant_id], action=AccessLog.Action.CHANGE, what="samtycke")
    return consent


def retention_candidates(
    *, years: int, today: datetime.date | None = None
) -> models.QuerySet[Participant]:
    """Participants whose every enrolment ended more than `years` years ago and who still
    carry identifying data."""
    today = today or timezone.localdate()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    recent_or_open = Enrolment.objects.filter(participant_id=models.OuterRef("pk")).filter(
        models.Q(exit_date__isnull=True) | models.Q(exit_date__gt=cutoff)
    )
    any_enrolment = Enrolment.objects.filter(participant_id=models.OuterRef("pk"))
    return Participant.objects.filter(
        models.Exists(any_enrolment), ~models.Exists(recent_or_open), pseudonymised_at__isnull=True
    )


@transaction.atomic
def pseudonymise(*, participants: Iterable[Participant], user: User | None = None) -> int:
    """Remove name, personnummer and free text; keep codes, dates, outcomes and counts so
    that statistics stay right."""
    ids = [p.pk for p in participants]
    if not ids:
        return 0
    Participant.objects.filter(pk__in=ids).update(
        name="", personnummer="", pseudonymised_at=timezone.now(), revision=models.F("revision") + 1
    )
    Contact.objects.filter(participant_id__in=ids).exclude(note="").update(note="")
    ProgressAssessment.objects.filter(enrolment__participant_id__in=ids).exclude(comment="").update(
        comment=""
    )
    ActionPlan.objects.filter(enrolment__participant_id__in=ids).exclude(summary="").update(
        summary=""
    )
    Referral.objects.filter(participant_id__in=ids).update(reason="", referred_by="")
    log_access(None, ids, action=AccessLog.Action.PSEUDONYMISE, what="gallring", user=user)
    return len(ids)
