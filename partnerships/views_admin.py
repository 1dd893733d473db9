"""Pages for user administration (Swedish: Användare) and the invitation link.

Administrators manage every user; partnership managers the users of their own
organisation (partnerships.access decides, the verbs in actions_admin check again).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from iop.audit import AuditContext
from iop.roles import Role, highest_rank
from iop.views import authenticator_qr, mark_verified

from . import access, actions_admin
from .forms_admin import AssignForm, InvitationForm, InviteForm, ReasonForm
from .http import AuthedHttpRequest
from .models import User

LOG_PAGE_SIZE = 200


def role_label(user: User) -> str:
    """The user's highest role(s) in Swedish; reads prefetched groups when there are any."""
    names = {group.name for group in user.groups.all()} & set(Role.values)
    if user.is_superuser:
        names.add(Role.ADMIN)
    roles = [Role(name) for name in names]
    if not roles:
        return "–"
    rank = highest_rank(roles)
    return ", ".join(sorted(str(r.label) for r in roles if highest_rank([r]) == rank))


def user_list(request: AuthedHttpRequest) -> HttpResponse:
    users = (
        access.administrable_users(request.user)
        .select_related("organisation")
        .prefetch_related(Prefetch("groups"))
        .annotate(has_app=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .order_by("organisation__name", "username")
    )
    rows = [(user, role_label(user)) for user in users]
    return render(request, "partnerships/admin_user_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def user_invite(request: AuthedHttpRequest) -> HttpResponse:
    access.require_role(request.user, access.CAN_ADMINISTER)
    form = InviteForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target, token = actions_admin.invite_user(
            user=request.user,
            audit=AuditContext.from_request(request),
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            organisation=data["organisation"],
            role=data["role"],
        )
        actions_admin.send_invitation(target=target, token=token)
        messages.success(
            request, _("Inbjudan är skickad till %(email)s.") % {"email": target.email}
        )
        return redirect("admin_user_detail", user_id=target.pk)
    return render(request, "partnerships/admin_user_invite.html", {"form": form})


@require_http_methods(["GET", "POST"])
def user_detail(request: AuthedHttpRequest, user_id: int) -> HttpResponse:
    target = access.access_administrable_user_by_id(request.user, user_id)
    current = next(iter(sorted(target.roles(), key=lambda r: -highest_rank([r]))), None)
    form = AssignForm(
        request.POST or None,
        actor=request.user,
        initial={"organisation": target.organisation_id, "role": current},
    )
    if request.method == "POST" and form.is_valid():
        actions_admin.assign_role(
            user=request.user,
            audit=AuditContext.from_request(request),
            target=target,
            organisation=form.cleaned_data["organisation"],
            role=form.cleaned_data["role"],
        )
        messages.success(request, _("Roll och organisation är sparade."))
        return redirect("admin_user_detail", user_id=target.pk)
    return render(
        request,
        "partnerships/admin_user_detail.html",
        {
            "target": target,
            "role": role_label(target),
            "form": form,
            "has_app": TOTPDevice.objects.filter(user=target, confirmed=True).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def user_deactivate(request: AuthedHttpRequest, user_id: int) -> HttpResponse:
    """Deactivate an active user (every session ends), or activate an inactive one again."""
    target = access.access_administrable_user_by_id(request.user, user_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verb = actions_admin.deactivate_user if target.is_active else actions_admin.reactivate_user
        verb(
            user=request.user,
            audit=AuditContext.from_request(request),
            target=target,
            reason=form.cleaned_data["reason"],
        )
        if target.is_active:
            messages.success(request, _("Användaren är aktiverad igen."))
        else:
            messages.success(request, _("Användaren är inaktiverad och utloggad överallt."))
        return redirect("admin_user_detail", user_id=target.pk)
    kind = "deactivate" if target.is_active else "reactivate"
    return render(
        request,
        "partnerships/admin_user_action.html",
        {"target": target, "form": form, "kind": kind},
    )


@require_http_methods(["GET", "POST"])
def user_reset_second_factor(request: AuthedHttpRequest, user_id: int) -> HttpResponse:
    target = access.access_administrable_user_by_id(request.user, user_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and not target.email:
        form.add_error(None, _("Användaren saknar e-postadress; lägg till den först."))
    if request.method == "POST" and form.is_valid():
        token = actions_admin.reset_second_factor(
            user=request.user,
            audit=AuditContext.from_request(request),
            target=target,
            reason=form.cleaned_data["reason"],
        )
        actions_admin.send_invitation(target=target, token=token)
        messages.success(
            request, _("Andra faktorn är återställd. En ny inbjudningslänk är skickad.")
        )
        return redirect("admin_user_detail", user_id=target.pk)
    return render(
        request,
        "partnerships/admin_user_action.html",
        {"target": target, "form": form, "kind": "reset"},
    )


def administration_log(request: AuthedHttpRequest) -> HttpResponse:
    entries = access.visible_administration_log(request.user)[:LOG_PAGE_SIZE]
    return render(request, "partnerships/admin_log.html", {"entries": entries})


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, invitation_token: str) -> HttpResponse:
    """The one-time link: choose a password and link the app, then signed in."""
    found = actions_admin.usable_invitation(invitation_token)
    if found is None:
        return render(request, "partnerships/invitation_invalid.html", status=404)
    form = InvitationForm(found.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = actions_admin.redeem_invitation(
                invitation=found,
                audit=AuditContext.from_request(request),
                password=form.cleaned_data["new_password1"],
                code="".join(form.cleaned_data["code"].split()),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            found.user.refresh_from_db()  # the new password's hash goes into the session
            login(request, found.user, backend="partnerships.backends.UserBackend")
            mark_verified(request, device)
            return render(request, "security/recovery_codes.html", {"codes": codes, "next": "/"})
    device = actions_admin.pending_device(invitation=found)
    return render(
        request,
        "partnerships/invitation.html",
        {"form": form, "invited": found.user, **authenticator_qr(device)},
    )
