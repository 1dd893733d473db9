"""Verbs that change participant data: the app's one place for writes.

Each verb takes the acting user and an `AuditContext` (never the request), runs in one
transaction, validates through the models' clean() and constraints where the form has not,
and writes its access-log row inside that transaction: a change and its log row are saved
together or not at all.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iop.audit import AuditContext
from partnerships.models import Agreement, User

from .access import PARTICIPANT_ROLES, record_access
from .models import (
    AccessLog,
    ActionPlan,
    AnonymousContactCount,
    Attendance,
    Consent,
    Contact,
    Enrolment,
    GroupActivity,
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
    user: User,
    audit: AuditContext,
    participant: Participant,
    agreement: Agreement,
    start_date: datetime.date,
    consent: Consent,
    enrolment: Enrolment,
    referral: Referral | None = None,
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
    if referral is not None:
        referral.participant = participant
        referral.agreement = agreement
        referral.recorded_by = user
        referral.full_clean()
        referral.save()
    enrolment.participant = participant
    enrolment.agreement = agreement
    enrolment.start_date = start_date
    _save_enrolment(user=user, enrolment=enrolment)
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


@transaction.atomic
def enrol(*, user: User, audit: AuditContext, enrolment: Enrolment) -> Enrolment:
    _save_enrolment(user=user, enrolment=enrolment)
    record_access(
        user=user,
        audit=audit,
        participants=[enrolment.participant_id],
        action=AccessLog.Action.CREATE,
        what="inskrivning",
    )
    return enrolment


@transaction.atomic
def edit_participant(
    *, user: User, audit: AuditContext, participant: Participant, revision: int | None
) -> Participant:
    """Save the edited personal data. The view's access helper has already logged the
    change (it logs every POST to the form, saved or not)."""
    save_checked(participant, revision=revision)
    return participant


@transaction.atomic
def edit_enrolment(
    *, user: User, audit: AuditContext, enrolment: Enrolment, revision: int | None
) -> Enrolment:
    """Save the edited enrolment. The view's access helper has already logged the change
    (it logs every POST to the form, saved or not)."""
    save_checked(enrolment, revision=revision)
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


@transaction.atomic
def exit_enrolment(
    *, user: User, audit: AuditContext, enrolment: Enrolment, revision: int
) -> Enrolment:
    """Close an enrolment; the form has set exit_date, exit_outcome and income_at_exit."""
    enrolment.full_clean()
    save_checked(enrolment, revision=revision)
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
    *, user: User, audit: AuditContext, referral: Referral, agreement: Agreement
) -> Referral:
    """A referral validated by its form, to one of the user's partnerships."""
    referral.agreement = agreement
    referral.recorded_by = user
    referral.save()
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
    goals: BaseInlineFormSet,
    revision: int | None,
) -> ActionPlan:
    """Save an action plan and its goals (a validated formset); an existing plan only if
    nobody else saved it since the form was opened."""
    plan.updated_by = user
    plan.source_organisation_id = user.organisation_id
    if plan.pk:
        save_checked(plan, revision=revision)
    else:
        plan.save()
    goals.instance = plan
    for goal in goals.save(commit=False):
        goal.source_organisation_id = user.organisation_id
        goal.save()
    for goal in goals.deleted_objects:
        goal.delete()
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
    Referral.objects.filter(participant_id__in=ids).update(reason="", referred_by="")
    record_access(
        user=user,
        audit=audit,
        participants=ids,
        action=AccessLog.Action.PSEUDONYMISE,
        what="gallring",
    )
    return len(ids)
