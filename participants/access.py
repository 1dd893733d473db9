"""Who may see which participant, what of it, and the access log. Every participant view,
export and PDF fetches through these helpers.

The rules (see ARCHITECTURE.md, "Consent and the source of information"):

- A user sees a participant only through an enrolment in an agreement the user's
  organisation is party to, and only if the organisation registered the participant or
  holds an active consent as recipient. A participant with protected identity, or who
  did not consent to registration, is seen by the registering organisation alone.
- Each piece of information carries its source organisation and a category
  (`Category`). The user's own organisation always sees what it wrote; another
  organisation sees it only while an active consent from that source to it covers the
  category. Identity's source is the registering organisation; a health note needs a
  health consent.
- Only coordinators, partnership managers and administrators work with participants;
  for finance and steering-group users every participant URL is a 404. Administrators
  see everyone.

Every read, change and denial is written to AccessLog (never the text of a note).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404, HttpRequest
from django.utils import timezone

from iop.audit import AuditContext
from partnerships.http import AuthedHttpRequest
from partnerships.models import Agreement, AgreementParty, Organisation, Role, User

from .models import (
    CATEGORY_FIELDS,
    AccessLog,
    Consent,
    DuplicateSuspicion,
    Enrolment,
    EnrolmentQuerySet,
    GroupActivity,
    GroupSession,
    IdentityStatus,
    Participant,
    Referral,
    Team,
    TeamMember,
)
from .models import (
    Category as Category,
)

PARTICIPANT_ROLES = (Role.COORDINATOR, Role.CASEWORKER, Role.MANAGER, Role.ADMIN)


@dataclass
class ParticipantAccess:
    """A participant as one user may see it.

    `identity`, `health` and `income` say whether the user sees those categories of the
    participant's registering organisation; `notes` and `plan`, whether the user sees
    those of at least one source (rows are then filtered one by one, see `visible_q`)."""

    participant: Participant
    agreement_ids: frozenset[int] = field(default_factory=frozenset)
    identity: bool = False
    notes: bool = False
    plan: bool = False
    health: bool = False
    income: bool = False
    all_agreements: bool = False
    organisation_id: int | None = None
    # Sources (organisation ids) whose information the user sees, per category.
    sources: dict[str, frozenset[int]] = field(default_factory=dict)

    def sees_agreement(self, agreement_id: int) -> bool:
        return self.all_agreements or agreement_id in self.agreement_ids

    def sees(self, category: str, source_organisation_id: int | None) -> bool:
        """The same decision as may_see, from what was fetched once for the page."""
        if self.all_agreements:
            return True
        if source_organisation_id is None:
            return False
        return source_organisation_id in self.sources.get(category, frozenset())


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


# --------------------------------------------------------------------------- the consent decision


def _relation(participant_field: str) -> str:
    """The path to the participant from a row: "participant_id" → "participant__"."""
    if participant_field in ("pk", "id"):
        return ""
    return participant_field.removesuffix("_id") + "__"


def _consent_covers(
    user: User,
    category: str,
    *,
    participant_field: str,
    source_field: str,
    day: datetime.date | None = None,
) -> Exists:
    return Exists(
        Consent.objects.active_on(day or timezone.localdate())
        .covering(category)
        .filter(
            participant_id=OuterRef(participant_field),
            holder_id=OuterRef(source_field),
            organisation_id=user.organisation_id,
        )
    )


def visible_q(
    user: User,
    category: str,
    *,
    participant_field: str = "participant_id",
    source_field: str = "source_organisation_id",
    day: datetime.date | None = None,
) -> Q:
    """The consent decision as a condition on rows: the row's information (of `category`,
    written by the organisation in `source_field`, about the participant in
    `participant_field`) is visible to the user. One correlated subquery, no query per row."""
    if user.is_administrator:
        return Q()
    if user.organisation_id is None:
        return Q(pk__in=[])
    own = Q(**{source_field: user.organisation_id})
    covered = _consent_covers(
        user, category, participant_field=participant_field, source_field=source_field, day=day
    )
    return own | Q(covered)


def filter_visible(
    qs: QuerySet,
    user: User,
    category: str,
    *,
    participant_field: str = "participant_id",
    source_field: str = "source_organisation_id",
) -> QuerySet:
    """The rows of `qs` whose information the user may see (see visible_q)."""
    return qs.filter(
        visible_q(user, category, participant_field=participant_field, source_field=source_field)
    )


def visible_contacts_q(user: User, *, participant_field: str = "participant_id") -> Q:
    """Contacts whose note, topic, staff and referrals the user may see: a health note
    needs a health consent, any other a consent for contact notes."""
    notes = visible_q(user, Category.NOTES, participant_field=participant_field)
    health = visible_q(user, Category.HEALTH, participant_field=participant_field)
    return (Q(health=False) & notes) | (Q(health=True) & health)


def may_see(
    user: User, participant: Participant, category: str, source_organisation_id: int | None
) -> bool:
    """May the user see `participant`'s information of `category` written by the
    organisation `source_organisation_id`? (For one object; lists use filter_visible.)"""
    if user.is_administrator:
        return True
    if user.organisation_id is None or source_organisation_id is None:
        return False
    if source_organisation_id == user.organisation_id:
        return True
    return (
        Consent.objects.active_on(timezone.localdate())
        .covering(category)
        .filter(
            participant=participant,
            holder_id=source_organisation_id,
            organisation_id=user.organisation_id,
        )
        .exists()
    )


def _sees_participant_q(user: User, day: datetime.date, relation: str) -> Q:
    """Registered by the user's organisation, or (unless unnamed) consented towards it."""
    consent = Consent.objects.active_on(day).filter(
        participant_id=OuterRef(f"{relation}pk" if relation else "pk"),
        organisation_id=user.organisation_id,
    )
    own = Q(**{f"{relation}organisation_id": user.organisation_id})
    named = Q(**{f"{relation}identity_status": IdentityStatus.REGISTERED})
    return own | (named & Q(Exists(consent)))


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
    sees = _sees_participant_q(user, day or timezone.localdate(), "participant__")
    return in_agreements.filter(sees)


def visible_participants(user: User, day: datetime.date | None = None) -> QuerySet[Participant]:
    if not works_with_participants(user):
        return Participant.objects.none()
    if user.is_administrator:
        return Participant.objects.all()
    if user.organisation_id is None:
        return Participant.objects.none()
    enrolled = Enrolment.objects.filter(
        participant_id=OuterRef("pk"), agreement_id__in=_party_agreement_ids(user)
    )
    # A participant waiting for a place in one of the user's partnerships is theirs too.
    waiting = Referral.objects.waiting().filter(
        participant_id=OuterRef("pk"), agreement_id__in=_party_agreement_ids(user)
    )
    sees = _sees_participant_q(user, day or timezone.localdate(), "")
    return Participant.objects.filter(sees, Exists(enrolled) | Exists(waiting))


def shows_identity(
    user: User, participant_field: str = "participant_id"
) -> Value | ExpressionWrapper:
    """An annotation for rows about a participant: may the user see the participant's name
    and personnummer (registered by the user's organisation, or a consent from the
    registering organisation to the user's shares identity)?"""
    if user.is_administrator:
        return Value(True)
    condition = visible_q(
        user,
        Category.IDENTITY,
        participant_field=participant_field,
        source_field=f"{_relation(participant_field)}organisation_id",
    )
    return ExpressionWrapper(condition, output_field=BooleanField())


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


def _visible_sources(user: User, participant: Participant) -> dict[str, frozenset[int]]:
    """Per category, the organisations whose information about `participant` the user
    sees: its own, and the holders of active consents towards it (one query)."""
    own = {user.organisation_id} if user.organisation_id is not None else set()
    sources: dict[str, set[int]] = {c: set(own) for c in Category.values}
    rows = (
        Consent.objects.active_on(timezone.localdate())
        .filter(participant=participant, organisation_id=user.organisation_id)
        .values("holder_id", *CATEGORY_FIELDS.values())
    )
    for row in rows:
        for category, flag in CATEGORY_FIELDS.items():
            if row[flag]:
                sources[category].add(row["holder_id"])
    return {c: frozenset(ids) for c, ids in sources.items()}


def participant_access(user: User, participant: Participant) -> ParticipantAccess:
    """What the user may see of a participant already known to be visible."""
    if user.is_administrator:
        return ParticipantAccess(
            participant,
            identity=True,
            notes=True,
            plan=True,
            health=True,
            income=True,
            all_agreements=True,
        )
    sources = _visible_sources(user, participant)
    agreement_ids = frozenset(
        Enrolment.objects.filter(
            participant=participant, agreement_id__in=_party_agreement_ids(user)
        ).values_list("agreement_id", flat=True)
    )
    registering = participant.organisation_id
    return ParticipantAccess(
        participant,
        agreement_ids=agreement_ids,
        identity=registering is not None and registering in sources[Category.IDENTITY],
        notes=bool(sources[Category.NOTES]),
        plan=bool(sources[Category.PLAN]),
        health=bool(sources[Category.HEALTH]),
        income=registering is not None and registering in sources[Category.INCOME],
        organisation_id=user.organisation_id,
        sources=sources,
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
        log_denial(request, participant_id, what=what)
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
        participant_id = (
            Enrolment.objects.filter(pk=enrolment_id)
            .values_list("participant_id", flat=True)
            .first()
        )
        if participant_id is not None:
            log_denial(request, participant_id, what=what)
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


def access_duplicate_case_by_id(user: User, case_id: int) -> DuplicateSuspicion:
    """A duplicate case: administrators only (everyone else gets 404, as for a case that
    does not exist)."""
    if not user.is_authenticated or not user.is_administrator:
        raise Http404
    try:
        return DuplicateSuspicion.objects.select_related(
            "existing", "reported_by", "organisation", "agreement", "resolved_by"
        ).get(pk=case_id)
    except DuplicateSuspicion.DoesNotExist as exc:
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
    AccessLog.objects.append(
        (p if isinstance(p, int) else p.pk for p in participants),
        user_id=user.pk if user else None,
        username=user.get_username() if user else "",
        organisation_id=organisation_id,
        action=action,
        what=what,
        ip_address=audit.address,
    )


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


# --------------------------------------------------------------------------- teams
#
# A team page is seen by everyone who sees its agreement; its participants only by those
# who work with them: the team's members and shared specialists, the partnership managers
# and administrators (and then only the participants visible_enrolments lets them see).
# Finance and steering-group users see numbers only. Managers edit teams; a team lead
# edits the members of their own team.


def visible_teams(user: User) -> QuerySet[Team]:
    return Team.objects.filter(agreement__in=Agreement.objects.visible_to(user))


def is_team_lead(user: User, team: Team, day: datetime.date | None = None) -> bool:
    day = day or timezone.localdate()
    return team.members.current_on(day).filter(user=user, is_lead=True).exists()


def can_edit_teams(user: User) -> bool:
    """Create and rename teams, add shared specialists (within agreements the user sees)."""
    return user.has_role(Role.MANAGER, Role.ADMIN)


def can_edit_members(user: User, team: Team) -> bool:
    return can_edit_teams(user) or is_team_lead(user, team)


def sees_team_participants(user: User, team: Team) -> bool:
    """Whether the team page lists its participants to the user (else numbers only)."""
    if not works_with_participants(user):
        return False
    if user.has_role(Role.MANAGER, Role.ADMIN):
        return True
    return team.members.filter(user=user).exists() or team.specialists.filter(user=user).exists()


def access_team_by_id(user: User, team_id: int, *, for_edit: bool = False) -> Team:
    """The team if the user sees its agreement (else 404); `for_edit` answers 403 to a
    user who sees it but may not change its members."""
    try:
        team = visible_teams(user).select_related("agreement").get(pk=team_id)
    except Team.DoesNotExist as exc:
        raise Http404 from exc
    if for_edit and not can_edit_members(user, team):
        raise PermissionDenied
    return team


def access_member_by_id(user: User, member_id: int) -> TeamMember:
    try:
        member = TeamMember.objects.select_related("team__agreement", "user").get(
            pk=member_id, team__in=visible_teams(user)
        )
    except TeamMember.DoesNotExist as exc:
        raise Http404 from exc
    if not can_edit_members(user, member.team):
        raise PermissionDenied
    return member


def access_agreement_for_teams(user: User, agreement_id: int) -> Agreement:
    """An agreement whose teams the user may create or change (404 unseen, 403 no role)."""
    try:
        agreement = Agreement.objects.visible_to(user).get(pk=agreement_id)
    except Agreement.DoesNotExist as exc:
        raise Http404 from exc
    if not can_edit_teams(user):
        raise PermissionDenied
    return agreement


def log_denial(request: HttpRequest, participant_id: int, *, what: str) -> None:
    """Log a refused request for an existing participant (the user is answered 404 as if it
    did not exist; the log, read by administrators only, keeps the attempt)."""
    if Participant.objects.filter(pk=participant_id).exists():
        log_access(request, [participant_id], action=AccessLog.Action.DENIED, what=what)
