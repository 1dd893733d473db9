"""Who may see which participant, and the access log. Every participant view, export and
PDF fetches through these helpers.

The rule: a user sees a participant only through an enrolment in an agreement the user's
organisation is party to, and only while the participant has an active consent for that
organisation. The consent's flags decide whether names/personnummer, contact notes and
the action plan are shown. Only coordinators, partnership managers and administrators
work with participants; for finance and steering-group users every participant URL is a
404, exactly like a participant that does not exist. Administrators see everyone.

Every read and every change is written to AccessLog (never the text of a note).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404, HttpRequest
from django.utils import timezone

from iop.audit import AuditContext
from partnerships.http import AuthedHttpRequest
from partnerships.models import Agreement, AgreementParty, Organisation, Role, User

from .models import (
    AccessLog,
    Consent,
    Enrolment,
    EnrolmentQuerySet,
    GroupActivity,
    GroupSession,
    Participant,
    Referral,
)

PARTICIPANT_ROLES = (Role.COORDINATOR, Role.MANAGER, Role.ADMIN)


@dataclass
class ParticipantAccess:
    """A participant as one user may see it."""

    participant: Participant
    agreement_ids: frozenset[int] = field(default_factory=frozenset)
    identity: bool = False
    notes: bool = False
    plan: bool = False
    all_agreements: bool = False

    def sees_agreement(self, agreement_id: int) -> bool:
        return self.all_agreements or agreement_id in self.agreement_ids


def works_with_participants(user: User) -> bool:
    return user.is_authenticated and user.has_role(*PARTICIPANT_ROLES)


def require_participant_role(user: User) -> None:
    # 404, not 403: finance and steering users must not learn that a participant exists.
    if not works_with_participants(user):
        raise Http404


def user_agreements(user: User) -> QuerySet[Agreement]:
    """Agreements whose participants the user may work with."""
    if not works_with_participants(user):
        return Agreement.objects.none()
    return Agreement.objects.visible_to(user)


def referral_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations a user may pick as where a participant came from: the parties of
    the user's partnerships and those that have referred to them before, never every
    organisation in the system."""
    agreements = user_agreements(user).values("pk")
    earlier = Referral.objects.filter(agreement__in=agreements).values("organisation_id")
    return (
        Organisation.objects.filter(
            Q(agreement_parties__agreement__in=agreements) | Q(pk__in=earlier)
        )
        .distinct()
        .order_by("name")
    )


def _party_agreement_ids(user: User) -> QuerySet:
    if user.organisation_id is None:
        return AgreementParty.objects.none().values("agreement_id")
    return AgreementParty.objects.filter(organisation_id=user.organisation_id).values(
        "agreement_id"
    )


def visible_enrolments(
    user: User,
    day: datetime.date | None = None,
    *,
    agreements: list[Agreement] | None = None,
    enrolments: EnrolmentQuerySet | None = None,
) -> EnrolmentQuerySet:
    """Enrolments through which the user sees their participant.

    `agreements`, when given, must come from user_agreements(user): the list page already
    has them, and literal ids let PostgreSQL plan the query from the enrolment side.
    `enrolments`, when given, is narrowed instead of all enrolments (e.g. those counted in
    a report figure), so that the rule is applied to the same rows rather than through a
    second scan of the table.
    """
    base = enrolments if enrolments is not None else Enrolment.objects.all()
    if not works_with_participants(user):
        return base.none()
    if agreements is not None:
        in_agreements = base.filter(agreement_id__in=[a.pk for a in agreements])
    else:
        in_agreements = base.filter(agreement_id__in=_party_agreement_ids(user))
    if user.is_administrator:
        return in_agreements if agreements is not None else base
    if user.organisation_id is None:
        return base.none()
    day = day or timezone.localdate()
    consent = Consent.objects.active_on(day).filter(
        participant_id=OuterRef("participant_id"), organisation_id=user.organisation_id
    )
    return in_agreements.filter(Exists(consent))


def visible_participants(user: User, day: datetime.date | None = None) -> QuerySet[Participant]:
    if not works_with_participants(user):
        return Participant.objects.none()
    if user.is_administrator:
        return Participant.objects.all()
    if user.organisation_id is None:
        return Participant.objects.none()
    day = day or timezone.localdate()
    consent = Consent.objects.active_on(day).filter(
        participant_id=OuterRef("pk"), organisation_id=user.organisation_id
    )
    enrolled = Enrolment.objects.filter(
        participant_id=OuterRef("pk"), agreement_id__in=_party_agreement_ids(user)
    )
    return Participant.objects.filter(Exists(consent), Exists(enrolled))


def shows_identity(user: User, participant_field: str = "participant_id") -> Value | Exists:
    """An annotation for enrolment rows: may the user see the participant's name (the
    consent towards the user's organisation shares identity)?"""
    if user.is_administrator:
        return Value(True)
    return Exists(
        Consent.objects.active_on(timezone.localdate()).filter(
            participant_id=OuterRef(participant_field),
            organisation_id=user.organisation_id,
            share_identity=True,
        )
    )


def shown_name(user: User, participant: str = "participant") -> Case | Coalesce:
    """An annotation for enrolment rows: the participant's name where the consent lets the
    user see identity (the code when no name is recorded), otherwise the code."""
    name = Coalesce(NullIf(F(f"{participant}__name"), Value("")), F(f"{participant}__code"))
    if user.is_administrator:
        return name
    return Case(
        When(shows_identity(user, f"{participant}_id"), then=name),
        default=F(f"{participant}__code"),
    )


def participant_access(user: User, participant: Participant) -> ParticipantAccess:
    """What the user may see of a participant already known to be visible."""
    if user.is_administrator:
        return ParticipantAccess(
            participant, identity=True, notes=True, plan=True, all_agreements=True
        )
    flags = list(
        Consent.objects.active_on(timezone.localdate())
        .filter(participant=participant, organisation_id=user.organisation_id)
        .values_list("share_identity", "share_notes", "share_plan")
    )
    agreement_ids = frozenset(
        Enrolment.objects.filter(
            participant=participant, agreement_id__in=_party_agreement_ids(user)
        ).values_list("agreement_id", flat=True)
    )
    return ParticipantAccess(
        participant,
        agreement_ids=agreement_ids,
        identity=any(f[0] for f in flags),
        notes=any(f[1] for f in flags),
        plan=any(f[2] for f in flags),
    )


def access_participant_by_id(
    request: AuthedHttpRequest,
    participant_id: int,
    *,
    what: str,
    action: str = AccessLog.Action.VIEW,
) -> ParticipantAccess:
    """The participant if the user may see it (else 404), with what the consent covers.
    Logs the access."""
    user = request.user
    require_participant_role(user)
    try:
        participant = visible_participants(user).get(pk=participant_id)
    except Participant.DoesNotExist as exc:
        raise Http404 from exc
    seen = participant_access(user, participant)
    log_access(request, [participant], action=action, what=what)
    return seen


def access_enrolment_by_id(
    request: AuthedHttpRequest,
    enrolment_id: int,
    *,
    what: str,
    action: str = AccessLog.Action.VIEW,
    log: bool = True,
) -> Enrolment:
    """An enrolment (with participant, agreement and phase) the user sees; logs the access
    unless `log` is False (a verb that changes the record logs the change itself)."""
    require_participant_role(request.user)
    try:
        enrolment = (
            visible_enrolments(request.user)
            .select_related("participant", "agreement", "phase")
            .get(pk=enrolment_id)
        )
    except Enrolment.DoesNotExist as exc:
        raise Http404 from exc
    if log:
        log_access(request, [enrolment.participant], action=action, what=what)
    return enrolment


def access_activity_by_id(user: User, activity_id: int) -> GroupActivity:
    require_participant_role(user)
    try:
        return GroupActivity.objects.select_related("agreement").get(
            pk=activity_id, agreement__in=user_agreements(user)
        )
    except GroupActivity.DoesNotExist as exc:
        raise Http404 from exc


def access_session_by_id(user: User, session_id: int) -> GroupSession:
    require_participant_role(user)
    try:
        return GroupSession.objects.select_related("activity__agreement").get(
            pk=session_id, activity__agreement__in=user_agreements(user)
        )
    except GroupSession.DoesNotExist as exc:
        raise Http404 from exc


def record_access(
    *,
    user: User | None,
    audit: AuditContext,
    participants: Iterable[Participant | int],
    action: str,
    what: str,
) -> None:
    """Append one row per participant to the access log, in one INSERT.

    Verbs call this inside their transaction, so a change and its log row are saved
    together or not at all."""
    organisation_id = audit.organisation_id
    if organisation_id is None and user is not None:
        organisation_id = user.organisation_id
    now = timezone.now()
    rows = [
        AccessLog(
            at=now,
            user=user,
            username=user.get_username() if user else "",
            organisation_id=organisation_id,
            participant_id=getattr(p, "pk", p),
            action=action,
            what=what,
            ip_address=audit.address,
        )
        for p in participants
    ]
    if rows:
        AccessLog.objects.bulk_create(rows)


def log_access(
    request: HttpRequest | None,
    participants: Iterable[Participant | int],
    *,
    action: str,
    what: str,
    user: User | None = None,
) -> None:
    """record_access for a read in a view (or, without a request, for `user`)."""
    if request is None:
        audit = AuditContext.system()
    else:
        audit = AuditContext.from_request(request)
        if user is None and isinstance(request.user, User):
            user = request.user
    record_access(user=user, audit=audit, participants=participants, action=action, what=what)
