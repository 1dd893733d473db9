"""Verbs of user administration. Each checks again that the acting user may do it (the
access helpers already did; a verb is also called from shells and tests), changes the
user, and appends its row to the administration log in the same transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from iop.audit import AuditContext
from iop.roles import Role
from iop.security import end_all_sessions
from iop.views import create_recovery_codes

from .access import administrable_users, assignable_organisations, grantable_roles
from .models import AdministrationLogEntry, Invitation, Organisation, User, hash_token

INVITATION_VALID = datetime.timedelta(days=7)
Action = AdministrationLogEntry.Action


def record_administration(
    *,
    user: User | None,
    audit: AuditContext,
    action: str,
    target: User | None = None,
    organisation: Organisation | None = None,
    details: str = "",
) -> AdministrationLogEntry:
    return AdministrationLogEntry.objects.create(
        actor=user,
        actor_username=user.get_username() if user else "",
        actor_organisation_id=audit.organisation_id,
        address=audit.address,
        action=action,
        target_user=target,
        target_username=target.get_username() if target else "",
        organisation=organisation or (target.organisation if target else None),
        details=details[:500],
    )


def _check_may_administer(user: User, target: User) -> None:
    if not administrable_users(user).filter(pk=target.pk).exists():
        raise PermissionDenied


def _check_may_give(user: User, organisation: Organisation | None, role: str) -> None:
    if role not in grantable_roles(user):
        raise PermissionDenied
    if (
        organisation is not None
        and not assignable_organisations(user).filter(pk=organisation.pk).exists()
    ):
        raise PermissionDenied
    if organisation is None and not user.is_administrator:
        raise PermissionDenied


def _set_role(target: User, role: str) -> None:
    group, _created = Group.objects.get_or_create(name=role)
    target.groups.remove(*Group.objects.filter(name__in=Role.values))
    target.groups.add(group)


def new_invitation(*, user: User | None, target: User) -> str:
    """A new one-time link for `target`; any older link stops working."""
    now = timezone.now()
    Invitation.objects.filter(user=target).usable().update(voided_at=now)
    token = Invitation.new_token()
    Invitation.objects.create(
        user=target,
        token_hash=hash_token(token),
        created_by=user,
        expires_at=now + INVITATION_VALID,
    )
    return token


@transaction.atomic
def invite_user(
    *,
    user: User,
    audit: AuditContext,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    organisation: Organisation | None,
    role: str,
) -> tuple[User, str]:
    """Create the user without a usable password; the returned token is for the link."""
    _check_may_give(user, organisation, role)
    target = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation=organisation,
    )
    target.set_unusable_password()
    target.full_clean()
    target.save()
    _set_role(target, role)
    token = new_invitation(user=user, target=target)
    record_administration(
        user=user, audit=audit, action=Action.INVITED, target=target, details=str(Role(role).label)
    )
    return target, token


@transaction.atomic
def assign_role(
    *, user: User, audit: AuditContext, target: User, organisation: Organisation | None, role: str
) -> None:
    _check_may_administer(user, target)
    _check_may_give(user, organisation, role)
    target.organisation = organisation
    target.save(update_fields=["organisation"])
    _set_role(target, role)
    record_administration(
        user=user,
        audit=audit,
        action=Action.ROLE_CHANGED,
        target=target,
        details=f"{Role(role).label}, {organisation or '–'}",
    )


@transaction.atomic
def deactivate_user(*, user: User, audit: AuditContext, target: User, reason: str) -> int:
    """Deactivate and end every session of the user; returns how many sessions ended."""
    _check_may_administer(user, target)
    target.is_active = False
    target.save(update_fields=["is_active"])
    Invitation.objects.filter(user=target).usable().update(voided_at=timezone.now())
    ended = end_all_sessions(target)
    record_administration(
        user=user, audit=audit, action=Action.DEACTIVATED, target=target, details=reason
    )
    return ended


@transaction.atomic
def reactivate_user(*, user: User, audit: AuditContext, target: User, reason: str) -> None:
    _check_may_administer(user, target)
    target.is_active = True
    target.save(update_fields=["is_active"])
    record_administration(
        user=user, audit=audit, action=Action.REACTIVATED, target=target, details=reason
    )


@transaction.atomic
def reset_second_factor(*, user: User, audit: AuditContext, target: User, reason: str) -> str:
    """Remove the user's authenticator and recovery codes, end their sessions, and give a
    new link that sets a password and links a new app; returns the link's token."""
    _check_may_administer(user, target)
    TOTPDevice.objects.filter(user=target).delete()
    StaticDevice.objects.filter(user=target).delete()
    end_all_sessions(target)
    token = new_invitation(user=user, target=target)
    record_administration(
        user=user, audit=audit, action=Action.SECOND_FACTOR_RESET, target=target, details=reason
    )
    return token


@dataclass(frozen=True)
class UserState:
    """What the administration log compares before and after a save in the Django admin."""

    is_active: bool
    organisation_id: int | None
    roles: frozenset[str]

    @classmethod
    def of(cls, target: User) -> UserState:
        return cls(
            is_active=target.is_active,
            organisation_id=target.organisation_id,
            roles=frozenset(
                target.groups.filter(name__in=Role.values).values_list("name", flat=True)
            ),
        )


ADMIN_SITE = "Ändrat i Django-admin"


@transaction.atomic
def record_admin_site_save(
    *, user: User, audit: AuditContext, target: User, before: UserState | None
) -> None:
    """A user saved in the Django admin is logged like the same change in the app, and a
    deactivation ends every session there too. `before` is None for a new user."""
    after = UserState.of(target)
    if before is None or (before.organisation_id, before.roles) != (
        after.organisation_id,
        after.roles,
    ):
        roles = ", ".join(sorted(after.roles)) or "–"
        record_administration(
            user=user,
            audit=audit,
            action=Action.ROLE_CHANGED,
            target=target,
            details=f"{ADMIN_SITE}: {roles}",
        )
    if before is not None and before.is_active and not after.is_active:
        Invitation.objects.filter(user=target).usable().update(voided_at=timezone.now())
        end_all_sessions(target)
        record_administration(
            user=user, audit=audit, action=Action.DEACTIVATED, target=target, details=ADMIN_SITE
        )
    elif before is not None and not before.is_active and after.is_active:
        record_administration(
            user=user, audit=audit, action=Action.REACTIVATED, target=target, details=ADMIN_SITE
        )


def usable_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.usable()
        .select_related("user")
        .filter(token_hash=hash_token(token), user__is_active=True)
        .first()
    )


@transaction.atomic
def pending_device(*, invitation: Invitation) -> TOTPDevice:
    """The not yet confirmed authenticator this link links (the same one on every reload,
    so the QR code stays valid)."""
    device = TOTPDevice.objects.filter(user=invitation.user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=invitation.user, name="app", confirmed=False)


@transaction.atomic
def redeem_invitation(
    *, invitation: Invitation, audit: AuditContext, password: str, code: str
) -> tuple[TOTPDevice, list[str]]:
    """Set the password and confirm the app together, or neither (a wrong code raises)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at or invitation.voided_at or invitation.expires_at <= timezone.now():
        raise ValidationError(_("Länken har redan använts eller gäller inte längre."))
    target = invitation.user
    device = pending_device(invitation=invitation)
    if not device.verify_token(code):
        raise ValidationError({"code": _("Koden stämmer inte. Skanna QR-koden och försök igen.")})
    TOTPDevice.objects.filter(user=target).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    target.set_password(password)
    target.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    codes = create_recovery_codes(target)
    record_administration(user=target, audit=audit, action=Action.INVITATION_USED, target=target)
    return device, codes


def invitation_url(token: str) -> str:
    return settings.IOP_SITE_URL.rstrip("/") + reverse("invitation", args=[token])


def send_invitation(*, target: User, token: str) -> None:
    """E-mail the link to the user (never shown to the one who sent it)."""
    send_mail(
        _("Välkommen till IOP"),
        _(
            "Hej %(name)s!\n\nÖppna länken för att välja lösenord och koppla en "
            "autentiseringsapp. Länken fungerar en gång och i sju dagar.\n\n%(url)s\n"
        )
        % {"name": target.get_full_name() or target.get_username(), "url": invitation_url(token)},
        None,
        [target.email],
    )
