"""Sign-in security: the second factor, session limits, private responses and the audit log.

Every log line here names the user by username (or id) only: no addresses, user agents,
request bodies or other personal data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import SecondFactorFailure, UserSession

log = logging.getLogger("iop.security")

# Session keys: when the user signed in, and when we last saw them.
AUTH_AT = "iop_auth_at"
SEEN_AT = "iop_seen_at"
# Writing the session on every request would cost a database write per page; refreshing
# the idle clock once a minute keeps the timeout within a minute of exact.
SEEN_RESOLUTION = 60

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Pages an authenticated but not yet verified user may open.
SECOND_FACTOR_EXEMPT = {"logout", "set_language", "security:verify", "security:enrol"}


def has_second_factor(user) -> bool:
    """Whether the user has finished enrolment (a confirmed authenticator app)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(user) -> bool:
    """Whether this request's user passed the second factor (django-otp's OTPMiddleware
    sets `otp_device` on request.user)."""
    return getattr(user, "otp_device", None) is not None


def end_all_sessions(user) -> int:
    """Delete every session of this user on the server; returns how many there were."""
    count, _ = UserSession.objects.filter(user_id=user.pk).delete()
    return count


def second_factor_locked(user, address: str | None) -> bool:
    """Too many wrong codes for this user from this address within the cool-off time.

    django-otp's own throttle counts per device, so anyone with the password could keep
    the owner out by typing wrong codes; counting per address keeps that to the guesser.
    """
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return SecondFactorFailure.objects.filter(
        user_id=user.pk,
        address=address or "",
        failures__gte=settings.IOP_SECOND_FACTOR_FAILURE_LIMIT,
        last_failure_at__gt=since,
    ).exists()


def record_second_factor_failure(user, address: str | None) -> None:
    now = timezone.now()
    failure, _created = SecondFactorFailure.objects.get_or_create(
        user_id=user.pk, address=address or "", defaults={"last_failure_at": now}
    )
    if failure.last_failure_at <= now - settings.AXES_COOLOFF_TIME:
        failure.failures = 0  # an old streak has cooled off
    SecondFactorFailure.objects.filter(pk=failure.pk).update(
        failures=failure.failures + 1, last_failure_at=now
    )


def clear_second_factor_failures(user, address: str | None) -> None:
    SecondFactorFailure.objects.filter(user_id=user.pk, address=address or "").delete()


# --------------------------------------------------------------------------- middleware


class SessionTimeoutMiddleware:
    """Signs the user out after 30 idle minutes or 12 hours since sign-in (settings)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            auth_at = session.get(AUTH_AT, 0)
            seen_at = session.get(SEEN_AT, 0)
            if now - auth_at > settings.IOP_SESSION_ABSOLUTE_SECONDS:
                self._end(request, "absolute")
                messages.info(request, _("Du har varit inloggad länge. Logga in igen."))
            elif now - seen_at > settings.IOP_SESSION_IDLE_SECONDS:
                self._end(request, "idle")
                messages.info(request, _("Du loggades ut efter en stunds inaktivitet."))
            elif now - seen_at > SEEN_RESOLUTION:
                session[SEEN_AT] = now
        return self.get_response(request)

    @staticmethod
    def _end(request: HttpRequest, reason: str) -> None:
        log.info("session expired (%s) user=%s", reason, request.user.get_username())
        logout(request)


class SecondFactorMiddleware:
    """Sends a signed-in user to enrolment (no authenticator yet) or to code entry.

    Runs after LoginRequiredMiddleware, so anonymous users have already been sent to
    the sign-in page; views open to anonymous users need no second factor either.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or is_verified(user):
            return None
        if not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_EXEMPT:
            return None
        target = "security:verify" if has_second_factor(user) else "security:enrol"
        return redirect_to_login(request.get_full_path(), reverse(target))


class PrivacyMiddleware:
    """No caching of anything we serve (all of it may hold personal data), no powerful
    browser features; and denied accesses go to the audit log.

    A denied object access answers 404 exactly like a missing object (see
    partnerships/access.py); here it is also written to the audit log.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = _htmx_sign_in_redirect(request, self.get_response(request))
        add_never_cache_headers(response)
        # The service needs no camera, microphone, location or payment; say so.
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if isinstance(exception, Http404):
            log.warning(
                "not found or not visible user=%s path=%s", user.get_username(), request.path
            )
        elif isinstance(exception, PermissionDenied):
            log.warning("permission denied user=%s path=%s", user.get_username(), request.path)
        return None


def _htmx_sign_in_redirect(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """An htmx request whose session ended would swap the sign-in page into a table row;
    send the whole page there instead, coming back to the page the user was on."""
    if request.headers.get("HX-Request") != "true" or response.status_code != 302:
        return response
    target = urlsplit(response["Location"]).path
    sign_in_pages = {
        resolve_url(settings.LOGIN_URL),
        reverse("security:verify"),
        reverse("security:enrol"),
    }
    if target not in sign_in_pages:
        return response
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    back = current.path + (f"?{current.query}" if current.query else "") or "/"
    redirect = HttpResponse(status=204)
    redirect["HX-Redirect"] = redirect_to_login(back, target)["Location"]
    return redirect


# --------------------------------------------------------------------------- signals


@receiver(user_logged_in, dispatch_uid="iop_security_logged_in")
def _on_login(sender, request, user, **kwargs) -> None:
    now = int(time.time())
    if request is not None and hasattr(request, "session"):
        request.session[AUTH_AT] = now
        request.session[SEEN_AT] = now
    log.info("sign-in (password) user=%s", user.get_username())


def logged_username(username: object) -> str:
    """A username typed at sign-in, as the log may show it: only when such a user exists.

    People type their password into the username field; what no account is called is
    never written down."""
    from django.contrib.auth import get_user_model

    text = str(username or "")
    model = get_user_model()
    if (
        text
        and len(text) <= 150
        and model._default_manager.filter(**{model.USERNAME_FIELD: text}).exists()
    ):
        return text
    return "(unknown)"


@receiver(user_login_failed, dispatch_uid="iop_security_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    log.warning("sign-in failed user=%s", logged_username(credentials.get("username")))


@receiver(user_locked_out, dispatch_uid="iop_security_locked_out")
def _on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    log.warning("sign-in locked after repeated failures user=%s", logged_username(username))


@receiver(user_logged_out, dispatch_uid="iop_security_logged_out")
def _on_logout(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    # Signing out anywhere signs out everywhere: a shared or lost device is covered.
    count = end_all_sessions(user)
    log.info("sign-out user=%s sessions_ended=%d", user.get_username(), count)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="iop_security_deactivated")
def _on_user_saved(sender, instance, **kwargs) -> None:
    # Deactivation can happen in the admin, the shell or an import; catching the save
    # is the one place that sees them all.
    if not instance.is_active and end_all_sessions(instance):
        log.info("user deactivated, sessions ended user=%s", instance.get_username())


# --------------------------------------------------------------------------- logging helpers


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """What django-axes writes about a client in its own log lines: the username only,
    and only when such a user exists."""
    return f"user={logged_username(username)}"
