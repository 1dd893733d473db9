"""Access control for partnership objects: every view fetches through these helpers.

A user sees an agreement when their organisation is party to it (administrators see
all). Anything the user may not see answers 404, exactly as a missing object, so that
the existence of other partnerships is not revealed. Role checks (may this user edit
budgets?) raise PermissionDenied on objects the user can already see.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from iop.roles import ROLE_RANK, highest_rank

from .models import (
    AdministrationLogEntry,
    Agreement,
    Budget,
    InvoicingPair,
    Meeting,
    Organisation,
    Role,
    User,
)

M = TypeVar("M", bound=Model)

# Which roles may do what with partnership data. Administrators may do everything.
CAN_EDIT_AGREEMENT = (Role.MANAGER, Role.ADMIN)
CAN_EDIT_BUDGET = (Role.FINANCE, Role.MANAGER, Role.ADMIN)
# Who invoices whom (invoicing pairs) is kept by finance staff and partnership managers.
CAN_EDIT_INVOICING = (Role.FINANCE, Role.MANAGER, Role.ADMIN)
CAN_EDIT_ORGANISATION = (Role.MANAGER, Role.ADMIN)
# Meetings are planned and recorded by partnership managers; every role that sees the
# agreement (steering group included) may read them.
CAN_EDIT_MEETING = (Role.MANAGER, Role.ADMIN)


def require_role(user: User, roles: tuple[str, ...]) -> None:
    if not user.has_role(*roles):
        raise PermissionDenied


def visible_agreements(user: User):
    return Agreement.objects.visible_to(user)


def access_agreement_by_id(user: User, agreement_id: int, *, for_edit: bool = False) -> Agreement:
    agreement = get_object_or_404(visible_agreements(user), pk=agreement_id)
    if for_edit:
        require_role(user, CAN_EDIT_AGREEMENT)
    return agreement


def access_budget_by_year(
    user: User, agreement_id: int, year: int, *, for_edit: bool = False
) -> Budget:
    agreement = access_agreement_by_id(user, agreement_id)
    if for_edit:
        require_role(user, CAN_EDIT_BUDGET)
    try:
        return Budget.objects.select_related("agreement").get(agreement=agreement, year=year)
    except Budget.DoesNotExist as exc:
        raise Http404 from exc


def access_invoicing_pair_by_id(
    user: User, agreement_id: int, pair_id: int, *, for_edit: bool = False
) -> InvoicingPair:
    """One invoicing pair of an agreement the user sees (edit: finance or manager)."""
    agreement = access_agreement_by_id(user, agreement_id)
    pair = get_object_or_404(
        InvoicingPair.objects.select_related(
            "agreement", "seller__organisation", "buyer__organisation"
        ),
        agreement=agreement,
        pk=pair_id,
    )
    if for_edit:
        require_role(user, CAN_EDIT_INVOICING)
    return pair


def visible_organisations(user: User):
    """Organisations that are party to an agreement the user sees, and the user's own."""
    if user.is_administrator:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        Q(agreement_parties__agreement__in=visible_agreements(user)) | Q(pk=user.organisation_id)
    ).distinct()


def access_organisation_by_id(
    user: User, organisation_id: int, *, for_edit: bool = False
) -> Organisation:
    organisation = get_object_or_404(visible_organisations(user), pk=organisation_id)
    if for_edit:
        require_role(user, CAN_EDIT_ORGANISATION)
        if not user.is_administrator and organisation.pk != user.organisation_id:
            # Managers keep their own organisation's details; others' belong to them.
            raise PermissionDenied
    return organisation


def access_meeting_by_id(user: User, meeting_id: int, *, for_edit: bool = False) -> Meeting:
    meeting = get_object_or_404(
        Meeting.objects.filter(agreement__in=visible_agreements(user)).select_related(
            "agreement", "convened_by"
        ),
        pk=meeting_id,
    )
    if for_edit:
        require_role(user, CAN_EDIT_MEETING)
    return meeting


# Governance bodies, stages, risks and obstacles are kept by partnership managers; every
# role that sees the agreement reads them (no participant is named in any of them).
CAN_EDIT_GOVERNANCE = (Role.MANAGER, Role.ADMIN)


def access_agreement_part(
    user: User, agreement_id: int, model: type[M], part_id: int, *, for_edit: bool = False
) -> tuple[Agreement, M]:
    """The agreement and one of its parts (a body, stage, risk or obstacle) by id; 404 when
    the user does not see the agreement or the part belongs to another."""
    agreement = access_agreement_by_id(user, agreement_id)
    if for_edit:
        require_role(user, CAN_EDIT_GOVERNANCE)
    part = get_object_or_404(model._default_manager.filter(agreement=agreement), pk=part_id)
    return agreement, part


# --------------------------------------------------------------------------- administration

# Administrators manage every user; partnership managers the users of their own
# organisation, never themselves and never anyone whose role reaches above their own.
CAN_ADMINISTER = (Role.MANAGER, Role.ADMIN)


def administrable_users(user: User):
    require_role(user, CAN_ADMINISTER)
    users = User.objects.exclude(pk=user.pk)
    if user.is_administrator:
        return users
    if user.organisation_id is None:
        return users.none()  # a manager of no organisation manages nobody
    return users.filter(organisation_id=user.organisation_id, is_superuser=False).exclude(
        groups__name=Role.ADMIN
    )


def access_administrable_user_by_id(user: User, user_id: int) -> User:
    return get_object_or_404(administrable_users(user).select_related("organisation"), pk=user_id)


def grantable_roles(user: User) -> list[Role]:
    """The roles this user may give: none above their own."""
    own = highest_rank(user.roles())
    return [role for role in Role if ROLE_RANK[role] <= own and user.has_role(*CAN_ADMINISTER)]


def assignable_organisations(user: User):
    if user.is_administrator:
        return Organisation.objects.all()
    if user.organisation_id is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=user.organisation_id)


def visible_administration_log(user: User):
    require_role(user, CAN_ADMINISTER)
    entries = AdministrationLogEntry.objects.select_related("organisation")
    if user.is_administrator:
        return entries
    return entries.filter(
        Q(organisation_id=user.organisation_id) | Q(actor_organisation_id=user.organisation_id)
    )
