"""Verbs that change participant data: the app's one place for writes.

Each verb takes the acting user and an `AuditContext` (never the request), runs in one
transaction, validates through the models' clean() and constraints where the form has not,
and writes its access-log row inside that transaction: a change and its log row are saved
together or not at all.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iop.audit import AuditContext
from iop.signals import rows_written
from partnerships.actions import record_version
from partnerships.models import (
    Agreement,
    Document,
    DocumentFile,
    Organisation,
    User,
    document_storage,
)

from . import actions_funder, casework
from .access import PARTICIPANT_ROLES, record_access
from .models import (
    AccessLog,
    ActionPlan,
    AnonymousContactCount,
    Attendance,
    Consent,
    Contact,
    DuplicateSuspicion,
    Enrolment,
    EntryBackground,
    ExitRecord,
    ExitResult,
    FollowUp,
    GroupActivity,
    GroupSession,
    Participant,
    Phase,
    PhaseChange,
    PlanAgreement,
    PlanRevision,
    ProgressAssessment,
    Referral,
    ReferralStatus,
)

security_log = logging.getLogger("iop.security")

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
    user: User,
    audit: AuditContext,
    participant: Participant,
    agreement: Agreement,
    start_date: datetime.date,
    consent: Consent,
    enrolment: Enrolment,
    referral: Referral | None = None,
    background: EntryBackground | None = None,
) -> Participant:
    """A new participant: the record, the consent for the registering organisation, an
    optional referral, and the enrolment in the first phase."""
    participant.created_by = user
    # The registering organisation holds the identity (an administrator without one
    # registers on behalf of the organisation chosen for the consent).
    participant.organisation_id = user.organisation_id or consent.organisation_id
    participant.full_clean()
    participant.save()
    # The participant's consent to being registered: held by and shown to the same
    # organisation.
    consent.participant = participant
    consent.holder_id = participant.organisation_id
    consent.organisation_id = participant.organisation_id
    consent.recorded_by = user
    consent.full_clean()
    consent.save()
    enrolment.participant = participant
    enrolment.agreement = agreement
    enrolment.start_date = start_date
    if referral is not None:
        referral.participant = participant
        referral.agreement = agreement
        referral.recorded_by = user
        referral.source_organisation_id = user.organisation_id
        referral.full_clean()
    _enrol_or_wait(user=user, enrolment=enrolment, referral=referral, background=background)
    record_access(
        user=user,
        audit=audit,
        participants=[participant],
        action=AccessLog.Action.CREATE,
        what="deltagare",
    )
    return participant


def _save_enrolment(*, user: User, enrolment: Enrolment) -> None:
    """Save a new enrolment in its first phase (unless one is set) with its phase change."""
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


def _lock_agreement(agreement_id: int) -> Agreement:
    # Two enrolments racing for the last place: the row lock makes the second one wait
    # and then count the first.
    return Agreement.objects.select_for_update().get(pk=agreement_id)


def _enrol_or_wait(
    *,
    user: User,
    enrolment: Enrolment,
    referral: Referral | None,
    background: EntryBackground | None = None,
) -> Referral | None:
    """Enrol when the agreement has a place on the start day; otherwise put the participant
    on the waiting list (a waiting referral), never refusing or over-filling silently.
    The background at entry is saved with the enrolment, or held on the waiting referral
    until its admission. Returns the waiting referral, or None when enrolled."""
    agreement = _lock_agreement(enrolment.agreement_id)
    enrolment.agreement = agreement
    if casework.has_place(agreement, enrolment.start_date):
        _save_enrolment(user=user, enrolment=enrolment)
        if background is not None:
            actions_funder.store_background(user=user, enrolment=enrolment, background=background)
        if referral is not None:
            referral.status = ReferralStatus.ENROLLED
            referral.enrolment = enrolment
            referral.save()
        return None
    enrolment.full_clean(exclude={"participant"})
    if referral is None:
        today = timezone.localdate()
        referral = Referral(
            participant_id=enrolment.participant_id,
            agreement=agreement,
            date=min(today, enrolment.start_date),
            requested_start=enrolment.start_date,
            referred_by=user.get_full_name() or user.get_username(),
            organisation_id=user.organisation_id,
            reason=_("Inskrivning när alla platser var upptagna."),
            recorded_by=user,
            source_organisation_id=user.organisation_id,
        )
    elif referral.requested_start is None:
        referral.requested_start = max(enrolment.start_date, referral.date)
    referral.status = ReferralStatus.WAITING
    referral.enrolment = None
    if background is not None:
        actions_funder.hold_background(
            user=user, referral=referral, enrolment=enrolment, background=background
        )
    referral.full_clean()
    referral.save()
    return referral


@transaction.atomic
def enrol(
    *,
    user: User,
    audit: AuditContext,
    enrolment: Enrolment,
    background: EntryBackground | None = None,
) -> Enrolment | Referral:
    """Enrol, or, when every place is taken on the start day, put the participant on the
    agreement's waiting list (returns the waiting referral). The background at entry is
    saved with the enrolment, or held on the waiting referral until its admission."""
    waiting = _enrol_or_wait(user=user, enrolment=enrolment, referral=None, background=background)
    record_access(
        user=user,
        audit=audit,
        participants=[enrolment.participant_id],
        action=AccessLog.Action.CREATE,
        what="väntelista" if waiting else "inskrivning",
    )
    return waiting or enrolment


@transaction.atomic
def edit_participant(
    *, user: User, audit: AuditContext, participant: Participant, revision: int | None
) -> Participant:
    """Save the edited personal data. The view's access helper has already logged the
    change (it logs every POST to the form, saved or not). A corrected birth year or
    personnummer changes the age at entry of the participant's enrolments with it."""
    save_checked(participant, revision=revision)
    actions_funder.refresh_ages_at_entry(participant)
    return participant


@transaction.atomic
def edit_enrolment(
    *,
    user: User,
    audit: AuditContext,
    enrolment: Enrolment,
    revision: int | None,
    background: EntryBackground | None = None,
) -> Enrolment:
    """Save the edited enrolment and its background at entry. The view's access helper has
    already logged the change (it logs every POST to the form, saved or not)."""
    save_checked(enrolment, revision=revision)
    if background is not None:
        actions_funder.store_background(user=user, enrolment=enrolment, background=background)
    return enrolment


@transaction.atomic
def change_phase(
    *,
    user: User,
    audit: AuditContext,
    enrolment: Enrolment,
    phase: Phase,
    date: datetime.date,
    revision: int,
) -> PhaseChange | None:
    if phase.pk == enrolment.phase_id:
        return None
    if date < enrolment.start_date:
        raise ValidationError({"date": _("Fasbytet kan inte ligga före inskrivningen.")})
    _check_phase_order(enrolment, phase, date)
    if date > timezone.localdate():
        raise ValidationError({"date": _("Datumet kan inte ligga i framtiden.")})
    change = PhaseChange.objects.create(
        enrolment=enrolment,
        date=date,
        from_phase_id=enrolment.phase_id,
        to_phase=phase,
        changed_by=user,
    )
    enrolment.phase = phase
    save_checked(enrolment, revision=revision)
    record_access(
        user=user,
        audit=audit,
        participants=[enrolment.participant_id],
        action=AccessLog.Action.CHANGE,
        what="fas",
    )
    return change


def _check_phase_order(enrolment: Enrolment, phase: Phase, date: datetime.date) -> None:
    """Phases follow the agreement's order, and a phase change never goes back in time."""
    current = enrolment.phase
    if current is not None and (phase.position, phase.pk) < (current.position, current.pk):
        raise ValidationError(
            {
                "phase": _(
                    "Faserna följer partnerskapets ordning: deltagaren är redan i %(phase)s."
                )
                % {"phase": current.name}
            }
        )
    last = enrolment.phase_changes.order_by("-date").values_list("date", flat=True).first()
    if last is not None and date < last:
        raise ValidationError(
            {
                "date": _("Fasbytet kan inte ligga före föregående fasbyte (%(date)s).")
                % {"date": last.isoformat()}
            }
        )


@transaction.atomic
def exit_enrolment(
    *,
    user: User,
    audit: AuditContext,
    enrolment: Enrolment,
    revision: int,
    exit_record: ExitRecord | None = None,
    exit_result: ExitResult | None = None,
) -> Enrolment:
    """Close an enrolment; the form has set exit_date, exit_outcome and income_at_exit.
    Records what the exit found, schedules the follow-ups after exit, and gives the place
    that opens to the first on the waiting list."""
    enrolment.full_clean()
    save_checked(enrolment, revision=revision)
    if exit_record is not None:
        _record_exit(user=user, enrolment=enrolment, exit_record=exit_record)
    if exit_result is not None:
        actions_funder.store_exit_result(user=user, enrolment=enrolment, result=exit_result)
    assert enrolment.exit_date is not None
    _schedule_follow_ups(enrolment, enrolment.exit_date)
    admit_waiting(
        user=user,
        audit=audit,
        agreement_id=enrolment.agreement_id,
        day=enrolment.exit_date + datetime.timedelta(days=1),
    )
    record_access(
        user=user,
        audit=audit,
        participants=[enrolment.participant_id],
        action=AccessLog.Action.CHANGE,
        what="avslut",
    )
    return enrolment


@transaction.atomic
def log_contact(
    *, user: User, audit: AuditContext, contact: Contact, enrolment: Enrolment
) -> Contact:
    contact.participant_id = enrolment.participant_id
    contact.agreement_id = enrolment.agreement_id
    contact.staff = user
    contact.source_organisation_id = user.organisation_id
    # The foreign keys come from the enrolment and the signed-in user, and the database
    # checks the constraints; validate what the user typed.
    contact.full_clean(exclude={"participant", "agreement", "staff"}, validate_constraints=False)
    contact.save()
    record_access(
        user=user,
        audit=audit,
        participants=[enrolment.participant_id],
        action=AccessLog.Action.CREATE,
        what="kontakt",
    )
    return contact


def _refuse_unless_holder(user: User, consent: Consent) -> None:
    # Only staff of the organisation that holds the information register or withdraw a
    # consent to share it: never the recipient, never a third party.
    if user.organisation_id is None or consent.holder_id != user.organisation_id:
        raise ValidationError(
            {
                "holder": _(
                    "Bara organisationen som har uppgifterna kan registrera eller återkalla "
                    "samtycket att dela dem."
                )
            }
        )


def _notify_parties(*, user: User, consent: Consent, withdrawn: bool) -> None:
    """Tell the staff of both organisations (except the acting user) after the commit.
    The message names the participant by code only."""
    recipients = list(
        User.objects.filter(
            is_active=True,
            organisation_id__in={consent.holder_id, consent.organisation_id},
            groups__name__in=PARTICIPANT_ROLES,
        )
        .exclude(pk=user.pk)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return
    values = {
        "code": consent.participant.code,
        "holder": consent.holder.name,
        "recipient": consent.organisation.name,
    }
    if withdrawn:
        subject = _("IOP: samtycke återkallat för %(code)s") % values
        body = _(
            "Deltagaren %(code)s har återkallat samtycket att %(holder)s delar uppgifter med "
            "%(recipient)s. Det gäller från och med nästa sidvisning."
        )
    else:
        subject = _("IOP: nytt samtycke för %(code)s") % values
        body = _(
            "Deltagaren %(code)s har samtyckt till att %(holder)s delar uppgifter med "
            "%(recipient)s: %(categories)s."
        )
    text = body % {**values, "categories": ", ".join(consent.categories())}
    transaction.on_commit(lambda: send_mail(subject, text + "\n", None, recipients))


@transaction.atomic
def record_consent(*, user: User, audit: AuditContext, consent: Consent) -> Consent:
    """A consent document validated by its form, registered by staff of its holder; the
    other parties are notified."""
    if user.organisation_id is None:
        _refuse_unless_holder(user, consent)  # an administrator is a third party
    else:
        consent.holder_id = user.organisation_id
    consent.recorded_by = user
    consent.recorded_at = timezone.now()
    consent.full_clean()
    consent.save()
    record_access(
        user=user,
        audit=audit,
        participants=[consent.participant_id],
        action=AccessLog.Action.CREATE,
        what="samtycke",
    )
    _notify_parties(user=user, consent=consent, withdrawn=False)
    return consent


@transaction.atomic
def withdraw_consent(
    *,
    user: User,
    audit: AuditContext,
    consent: Consent,
    day: datetime.date,
    method: str,
    reference: str = "",
    witness: str = "",
) -> Consent:
    """The participant's withdrawal, recorded like the consent (how, with reference or
    witness) by staff of the holder; it takes effect on the next request."""
    _refuse_unless_holder(user, consent)
    consent.withdrawn_on = day
    consent.withdrawn_by = user
    consent.withdrawal_method = method
    consent.withdrawal_reference = reference
    consent.withdrawal_witness = witness
    consent.full_clean()
    consent.save(
        update_fields=[
            "withdrawn_on",
            "withdrawn_by",
            "withdrawal_method",
            "withdrawal_reference",
            "withdrawal_witness",
        ]
    )
    record_access(
        user=user,
        audit=audit,
        participants=[consent.participant_id],
        action=AccessLog.Action.CHANGE,
        what="samtycke",
    )
    _notify_parties(user=user, consent=consent, withdrawn=True)
    return consent


@transaction.atomic
def record_referral(
    *,
    user: User,
    audit: AuditContext,
    referral: Referral,
    agreement: Agreement,
    outside_intake_confirmed: bool = False,
) -> Referral:
    """A referral validated by its form, to one of the user's partnerships. It leads to
    the participant's open enrolment if there is one, else to an enrolment when a place is
    free on the requested start, else to the waiting list. A referral outside every intake
    window is registered only when the user has confirmed it."""
    referral.agreement = agreement
    referral.recorded_by = user
    referral.source_organisation_id = user.organisation_id
    if casework.outside_intake(agreement, referral.date):
        if not outside_intake_confirmed:
            raise ValidationError({"date": casework.OUTSIDE_INTAKE}, code="outside_intake")
        referral.outside_intake = True
    referral.full_clean()
    open_enrolment = Enrolment.objects.filter(
        participant_id=referral.participant_id, agreement=agreement, exit_date__isnull=True
    ).first()
    if open_enrolment is not None:
        referral.status = ReferralStatus.ENROLLED
        referral.enrolment = open_enrolment
        referral.save()
    else:
        start = referral.requested_start or referral.date
        enrolment = Enrolment(
            participant_id=referral.participant_id, agreement=agreement, start_date=start
        )
        _enrol_or_wait(user=user, enrolment=enrolment, referral=referral)
    record_access(
        user=user,
        audit=audit,
        participants=[referral.participant_id],
        action=AccessLog.Action.CREATE,
        what="anvisning",
    )
    return referral


@transaction.atomic
def record_assessment(
    *, user: User, audit: AuditContext, assessment: ProgressAssessment
) -> ProgressAssessment:
    assessment.assessed_by = user
    assessment.source_organisation_id = user.organisation_id
    assessment.save()
    record_access(
        user=user,
        audit=audit,
        participants=[assessment.enrolment.participant_id],
        action=AccessLog.Action.CREATE,
        what="stegbedömning",
    )
    return assessment


@transaction.atomic
def save_action_plan(
    *,
    user: User,
    audit: AuditContext,
    plan: ActionPlan,
    goals: BaseInlineFormSet[Any, Any, Any],
    revision: int | None,
) -> ActionPlan:
    """Save an action plan and its goals (a validated formset); an existing plan only if
    nobody else saved it since the form was opened."""
    plan.updated_by = user
    if plan.source_organisation_id is None:
        plan.source_organisation_id = user.organisation_id
    if plan.pk:
        save_checked(plan, revision=revision)
    else:
        plan.save()
    goals.instance = plan
    for goal in goals.save(commit=False):
        # The organisation that wrote the goal (information carries its source).
        goal.source_organisation_id = user.organisation_id
        goal.save()
    for goal in goals.deleted_objects:
        goal.delete()
    PlanRevision.objects.create(
        plan=plan,
        number=plan.revision,
        saved_by=user,
        source_organisation_id=user.organisation_id,
        snapshot=_plan_snapshot(plan),
    )
    record_access(
        user=user,
        audit=audit,
        participants=[plan.enrolment.participant_id],
        action=AccessLog.Action.CHANGE,
        what="handlingsplan",
    )
    return plan


@transaction.atomic
def record_attendance(*, user: User, audit: AuditContext, attendance: Attendance) -> Attendance:
    """One day's attendance outside a group session, validated by its form."""
    attendance.recorded_by = user
    attendance.save()
    record_access(
        user=user,
        audit=audit,
        participants=[attendance.participant_id],
        action=AccessLog.Action.CREATE,
        what="närvaro",
    )
    return attendance


@transaction.atomic
def create_group_activity(
    *, user: User, audit: AuditContext, activity: GroupActivity
) -> GroupActivity:
    """A new group activity; it names no participant, so nothing is logged."""
    activity.save()
    return activity


@transaction.atomic
def schedule_group_session(
    *, user: User, audit: AuditContext, session: GroupSession
) -> GroupSession:
    """A new session of a group activity, led by the user; it names no participant yet."""
    session.leader = user
    session.save()
    return session


@transaction.atomic
def set_group_members(
    *,
    user: User,
    audit: AuditContext,
    activity: GroupActivity,
    candidates: set[int],
    chosen: set[int],
) -> None:
    """Make `chosen` the members among `candidates` (the participants the user sees);
    members outside the candidates (seen by other organisations) stay."""
    chosen = chosen & candidates
    activity.members.remove(*(candidates - chosen))
    activity.members.add(*chosen)
    record_access(
        user=user,
        audit=audit,
        participants=candidates,
        action=AccessLog.Action.CHANGE,
        what="gruppdeltagare",
    )


@transaction.atomic
def record_session_attendance(
    *,
    user: User,
    audit: AuditContext,
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
                    recorded_by=user,
                )
            )
        elif row.status != status:
            row.status = status
            row.recorded_by = user
            to_update.append(row)
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(to_update, ["status", "recorded_by"])
    rows_written.send(sender=Attendance, agreement_ids=[agreement_id])
    record_access(
        user=user,
        audit=audit,
        participants=statuses.keys(),
        action=AccessLog.Action.CHANGE,
        what="närvaro",
    )
    return to_create + to_update


@transaction.atomic
def record_anonymous_counts(
    *,
    user: User,
    audit: AuditContext,
    agreement: Agreement,
    date: datetime.date,
    place: str,
    counts: Iterable[tuple[str, str, int]],
) -> list[AnonymousContactCount]:
    """Outreach counts by gender and age band; they name nobody, so nothing is logged."""
    rows_written.send(sender=AnonymousContactCount, agreement_ids=[agreement.pk])
    return AnonymousContactCount.objects.bulk_create(
        AnonymousContactCount(
            agreement=agreement,
            date=date,
            place=place,
            gender=gender,
            age_band=band,
            count=n,
            recorded_by=user,
        )
        for gender, band, n in counts
    )


def retention_candidates(
    *, years: int, today: datetime.date | None = None
) -> models.QuerySet[Participant]:
    """Participants whose every enrolment ended more than `years` years ago and who still
    carry identifying data: what `pseudonymise` is given by the retention command."""
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
def pseudonymise(
    *, user: User | None, audit: AuditContext, participants: Iterable[Participant]
) -> int:
    """Remove name, personnummer and free text; keep codes, dates, outcomes and counts so
    that statistics stay right. `user` is None when the retention command runs it."""
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
    Referral.objects.filter(participant_id__in=ids).update(reason="", referred_by="", background={})
    _purge_documents(ids)
    record_access(
        user=user,
        audit=audit,
        participants=ids,
        action=AccessLog.Action.PSEUDONYMISE,
        what="gallring",
    )
    return len(ids)


def _purge_documents(participant_ids: list[int]) -> None:
    """A pseudonymised participant's documents (consent scans and the like) are personal
    data: the rows are marked deleted and purged, and the stored files removed once the
    transaction has committed, so that a rollback loses nothing."""
    documents = Document.objects.filter(
        participant_link__participant_id__in=participant_ids, purged_at__isnull=True
    )
    files = list(DocumentFile.objects.filter(document__in=documents).values_list("file", flat=True))
    now = timezone.now()
    documents.filter(deleted_at__isnull=True).update(
        deleted_at=now, deletion_reason=_("Gallrad med deltagaren")
    )
    documents.update(purged_at=now)
    storage = document_storage()

    def delete_files() -> None:
        for name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)


# --------------------------------------------------------------------------- duplicate personnummer


@transaction.atomic
def report_duplicate_suspicion(
    *,
    user: User,
    audit: AuditContext,
    existing_id: int,
    source: str,
    agreement_id: int | None = None,
) -> DuplicateSuspicion:
    """Open a case for an administrator: the user typed a personnummer that participant
    `existing_id` holds. The user is told nothing of it (participants/duplicates.py)."""
    case = DuplicateSuspicion.objects.create(
        existing_id=existing_id,
        reported_by=user,
        organisation_id=audit.organisation_id or user.organisation_id,
        agreement_id=agreement_id,
        source=source,
    )
    record_access(
        user=user,
        audit=audit,
        participants=[existing_id],
        action=AccessLog.Action.CREATE,
        what="dubblettmisstanke",
    )
    # The case number and the username only: never the personnummer or the participant.
    security_log.warning(
        "Duplicate personnummer: case %s opened for user %s (%s)",
        case.pk,
        user.get_username(),
        source,
    )
    return case


@transaction.atomic
def resolve_duplicate_suspicion(
    *, user: User, audit: AuditContext, case: DuplicateSuspicion, resolution: str, note: str
) -> DuplicateSuspicion:
    """An administrator closes a case with its outcome; written to the participant's
    access log. A case already resolved (by someone else meanwhile) is refused."""
    resolved = DuplicateSuspicion.objects.filter(pk=case.pk, resolved_at__isnull=True).update(
        resolution=resolution,
        resolution_note=note,
        resolved_at=timezone.now(),
        resolved_by=user,
    )
    if not resolved:
        raise ValidationError(_("Ärendet är redan hanterat."))
    case.refresh_from_db()
    case.full_clean()
    record_access(
        user=user,
        audit=audit,
        participants=[case.existing_id],
        action=AccessLog.Action.CHANGE,
        what="dubblettmisstanke hanterad",
    )
    return case


# --------------------------------------------------------------------------- casework


def _plan_snapshot(plan: ActionPlan) -> dict:
    """The plan as it reads after a save, for its revision history."""
    goals = plan.goals.select_related("responsible_organisation").order_by("position", "pk")
    return {
        "drawn_up_on": plan.drawn_up_on.isoformat(),
        "summary": plan.summary,
        "goals": [
            {
                "description": g.description,
                "responsible_organisation": g.responsible_organisation.name
                if g.responsible_organisation
                else "",
                "responsible_person": g.responsible_person,
                "target_date": g.target_date.isoformat() if g.target_date else None,
                "status": g.status,
                "achieved_on": g.achieved_on.isoformat() if g.achieved_on else None,
            }
            for g in goals
        ],
    }


def _check_agreement(
    user: User, plan: ActionPlan, organisation: Organisation | None, agreed_on: datetime.date
) -> None:
    if organisation is not None:
        if not user.is_administrator and organisation.pk != user.organisation_id:
            # An agency agrees for itself; nobody agrees on another agency's behalf.
            raise ValidationError(
                {
                    "party": _("Bara personal på %(org)s kan godkänna planen för dem.")
                    % {"org": organisation.name}
                }
            )
        responsible = plan.goals.filter(responsible_organisation=organisation).exists()
        if not responsible:
            raise ValidationError(
                {"party": _("Organisationen ansvarar inte för något mål i planen.")}
            )
    if agreed_on < plan.drawn_up_on:
        raise ValidationError({"agreed_on": _("Planen kan inte godkännas före den upprättades.")})
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": _("Datumet kan inte ligga i framtiden.")})


@transaction.atomic
def agree_to_plan(
    *,
    user: User,
    audit: AuditContext,
    plan: ActionPlan,
    organisation: Organisation | None,
    agreed_on: datetime.date,
    revision: int,
) -> PlanAgreement:
    """One agency's (or, with no organisation, the participant's) agreement to the plan's
    current revision. When the last party has agreed, the plan is agreed."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.revision != revision:
        raise ValidationError(STALE_MESSAGE, code="stale")
    _check_agreement(user, plan, organisation, agreed_on)
    agreement = PlanAgreement(
        plan=plan,
        revision=plan.revision,
        organisation=organisation,
        agreed_on=agreed_on,
        recorded_by=user,
        source_organisation_id=user.organisation_id,
    )
    agreement.full_clean(validate_constraints=True)
    agreement.save()
    status = casework.plan_status(plan)
    if status.complete:
        plan.agreed_revision = plan.revision
        plan.agreed_agency_count = len(status.agencies)
        plan.first_agreed_on = plan.first_agreed_on or status.agreed_on
        plan.save(update_fields=["agreed_revision", "agreed_agency_count", "first_agreed_on"])
    record_access(
        user=user,
        audit=audit,
        participants=[plan.enrolment.participant_id],
        action=AccessLog.Action.CHANGE,
        what="samordnad plan godkänd",
    )
    return agreement


def _record_exit(*, user: User, enrolment: Enrolment, exit_record: ExitRecord) -> None:
    plan = ActionPlan.objects.filter(enrolment=enrolment).first()
    exit_record.enrolment = enrolment
    exit_record.plan_agreed_by_all = plan is not None and plan.is_agreed
    exit_record.recorded_by = user
    exit_record.source_organisation_id = user.organisation_id
    exit_record.full_clean()
    exit_record.save()


def _schedule_follow_ups(enrolment: Enrolment, exit_date: datetime.date) -> None:
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                enrolment=enrolment,
                months=months,
                due_on=casework.follow_up_days(exit_date, months),
            )
            for months in casework.FOLLOW_UP_MONTHS
        ]
    )


def admit_waiting(
    *, user: User, audit: AuditContext, agreement_id: int, day: datetime.date
) -> list[Enrolment]:
    """Give the places free on `day` to the waiting list in order: each admitted referral
    becomes an enrolment starting on `day` (or its requested start, if later), with the
    background held on the referral and the target-group rules checked at that start.
    Runs inside the calling verb's transaction."""
    agreement = _lock_agreement(agreement_id)
    admitted: list[Enrolment] = []
    for referral in Referral.objects.filter(agreement=agreement).waiting():
        if not casework.has_place(agreement, day):
            break
        start = max(day, referral.requested_start or day)
        already = Enrolment.objects.filter(
            participant_id=referral.participant_id, agreement=agreement, exit_date__isnull=True
        ).first()
        enrolment = already or Enrolment(
            participant_id=referral.participant_id, agreement=agreement, start_date=start
        )
        if already is None:
            _save_enrolment(user=user, enrolment=enrolment)
            actions_funder.admit_background(user=user, referral=referral, enrolment=enrolment)
        # The held background now lives with the enrolment (or is moot: already enrolled).
        referral.background = {}
        referral.status = ReferralStatus.ENROLLED
        referral.enrolment = enrolment
        referral.save(update_fields=["status", "enrolment", "background"])
        admitted.append(enrolment)
    record_access(
        user=user,
        audit=audit,
        participants=[e.participant_id for e in admitted],
        action=AccessLog.Action.CREATE,
        what="inskrivning från väntelistan",
    )
    return admitted


@transaction.atomic
def admit_from_waiting_list(
    *, user: User, audit: AuditContext, agreement: Agreement, day: datetime.date
) -> list[Enrolment]:
    """The waiting list page's button: fill the places free today."""
    return admit_waiting(user=user, audit=audit, agreement_id=agreement.pk, day=day)


@transaction.atomic
def record_follow_up(*, user: User, audit: AuditContext, follow_up: FollowUp) -> FollowUp:
    follow_up.recorded_by = user
    follow_up.source_organisation_id = user.organisation_id
    follow_up.full_clean()
    follow_up.save()
    record_access(
        user=user,
        audit=audit,
        participants=[follow_up.enrolment.participant_id],
        action=AccessLog.Action.CHANGE,
        what="uppföljning efter avslut",
    )
    return follow_up


@transaction.atomic
def save_agreement_process(
    *,
    user: User,
    audit: AuditContext,
    agreement: Agreement,
    phases: BaseInlineFormSet[Any, Any, Any],
    windows: BaseInlineFormSet[Any, Any, Any],
) -> None:
    """A partnership's own phase list and intake windows (validated formsets). A phase in
    use by an enrolment cannot be removed."""
    phases.instance = agreement
    windows.instance = agreement
    try:
        with transaction.atomic():
            phases.save()
    except models.ProtectedError as exc:
        raise ValidationError(
            _("En fas som deltagare har passerat kan inte tas bort. Byt namn på den i stället.")
        ) from exc
    windows.save()
    record_version(
        agreement=agreement, user=user, audit=audit, summary=_("Deltagarprocessen ändrad")
    )
