"""Who may see what of a statistics network: per network, by the user's NetworkRole.

A network the user holds no role in answers 404. A reporter sees the network, its own
member's submissions and the published reports; another member's submission, or
reporting for another member, answers 404 like a missing one. Coordinator pages answer
403 to a reporter (the network is visible, the function is not theirs).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from partnerships.models import User

from .models_network import (
    Network,
    NetworkForm,
    NetworkMember,
    NetworkRole,
    NetworkSubmission,
)


def user_networks(user: User) -> QuerySet[Network]:
    return Network.objects.filter(roles__user=user).distinct()


def access_network(user: User, network_id: int) -> tuple[Network, NetworkRole]:
    role = get_object_or_404(
        NetworkRole.objects.select_related("network", "member__organisation"),
        network_id=network_id,
        user=user,
    )
    return role.network, role


def require_coordinator(role: NetworkRole) -> None:
    if role.kind != NetworkRole.Kind.COORDINATOR:
        raise PermissionDenied


def access_form(network: Network, form_id: int) -> NetworkForm:
    return get_object_or_404(NetworkForm, network=network, pk=form_id)


def access_published_form(role: NetworkRole, form_id: int) -> NetworkForm:
    """A form's report: the coordinator's at any time, a member's once published."""
    forms = NetworkForm.objects.filter(network_id=role.network_id)
    if role.kind != NetworkRole.Kind.COORDINATOR:
        forms = forms.filter(published_at__isnull=False)
    return get_object_or_404(forms, pk=form_id)


def access_own_member(role: NetworkRole, member_id: int) -> NetworkMember:
    """The member a reporter reports for; any other member (or a coordinator asking to
    report for one) answers 404."""
    if role.kind != NetworkRole.Kind.REPORTER or role.member_id != member_id:
        raise Http404
    member = role.member
    assert member is not None
    return member


def visible_submissions(role: NetworkRole) -> QuerySet[NetworkSubmission]:
    submissions = NetworkSubmission.objects.filter(form__network_id=role.network_id)
    if role.kind != NetworkRole.Kind.COORDINATOR:
        submissions = submissions.filter(member_id=role.member_id)
    return submissions.select_related("form", "member__organisation", "submitted_by")


def access_submission(role: NetworkRole, submission_id: int) -> NetworkSubmission:
    return get_object_or_404(visible_submissions(role), pk=submission_id)
