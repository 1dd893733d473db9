"""Second-factor enrolment and verification."""

from __future__ import annotations

import logging
from base64 import b32encode

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .client import client_ip
from .forms import CodeForm, EnrolForm
from .models import UserSession
from .security import (
    clear_second_factor_failures,
    has_second_factor,
    is_verified,
    record_second_factor_failure,
    second_factor_locked,
)

log = logging.getLogger("iop.security")

RECOVERY_CODE_COUNT = 10


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _mark_verified(request: HttpRequest, device) -> None:
    otp_login(request, device)
    # A new session id whenever the privilege level rises (OWASP session fixation advice).
    request.session.cycle_key()


def create_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes by new ones; each works once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if is_verified(request.user):
        return redirect(_next_url(request))
    if not has_second_factor(request.user):
        return redirect(f"{reverse('security:enrol')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _match_code(request, form.cleaned_data["code"])
        if device is not None:
            _mark_verified(request, device)
            kind = "recovery code" if isinstance(device, StaticDevice) else "app"
            log.info("sign-in second factor (%s) user=%s", kind, request.user.get_username())
            return redirect(_next_url(request))
        form.add_error("code", WRONG_CODE_AT_SIGN_IN)
    return render(request, "security/verify.html", {"form": form, "next": _next_url(request)})


WRONG_CODE_AT_SIGN_IN = _lazy(
    "Koden godtogs inte. Kontrollera att klockan i telefonen går rätt; "
    "har du skrivit fel flera gånger får du vänta en stund."
)


def _match_code(request: HttpRequest, code: str):
    """The device the code belongs to, or None; wrong codes count per user and address, and
    after too many from one address none is tried from there until the cool-off ends."""
    user, address = request.user, client_ip(request)
    if second_factor_locked(user, address):
        log.warning("second factor locked at this address user=%s", user.get_username())
        return None
    device = match_token(user, code)
    if device is None:
        record_second_factor_failure(user, address)
        log.warning("second factor failed user=%s", user.get_username())
    else:
        clear_second_factor_failures(user, address)
    return device


@require_http_methods(["GET"])
def enrol(request: HttpRequest) -> HttpResponse:
    """No trust on first use: a password alone never links an authenticator. A user without
    one is told to ask for an invitation link, which sets the password and links the app
    in one step (partnerships: administration)."""
    if has_second_factor(request.user):
        return redirect(_next_url(request) if is_verified(request.user) else "security:verify")
    log.info("sign-in without second factor refused user=%s", request.user.get_username())
    return render(request, "security/enrol.html", status=403)


def _confirm_with_app(request: HttpRequest, code: str) -> bool:
    """Re-authentication before a sensitive change: a current code from the user's app."""
    user, address = request.user, client_ip(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or second_factor_locked(user, address):
        return False
    if device.verify_token(code):
        clear_second_factor_failures(user, address)
        return True
    record_second_factor_failure(user, address)
    return False


WRONG_CODE = _lazy("Koden stämmer inte. Försök igen med nästa kod i appen.")


@require_http_methods(["GET", "POST"])
def overview(request: HttpRequest) -> HttpResponse:
    """The user's second factor and sessions: new recovery codes after a current code."""
    user = request.user
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _confirm_with_app(request, form.cleaned_data["code"]):
            codes = create_recovery_codes(user)
            log.info("recovery codes replaced user=%s", user.get_username())
            return render(
                request, "security/recovery_codes.html", {"codes": codes, "next": reverse("home")}
            )
        form.add_error("code", WRONG_CODE)
    recovery_left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return render(
        request,
        "security/overview.html",
        {
            "form": form,
            "sessions_form": EnrolForm(auto_id="sessions_%s"),
            "recovery_left": recovery_left,
            "other_sessions": _other_sessions(request).count(),
            "device": getattr(user, "otp_device", None),
        },
    )


def _other_sessions(request: HttpRequest):
    user_id = request.user.pk
    assert user_id is not None  # sign-in is required here (LoginRequiredMiddleware)
    return UserSession.objects.filter(user_id=user_id, expire_date__gt=timezone.now()).exclude(
        session_key=request.session.session_key
    )


@require_POST
def end_other_sessions(request: HttpRequest) -> HttpResponse:
    """Sign out everywhere else (a lost phone, a shared computer), after a current code."""
    form = EnrolForm(request.POST)
    if form.is_valid() and _confirm_with_app(request, form.cleaned_data["code"]):
        count, _deleted = _other_sessions(request).delete()
        log.info("other sessions ended user=%s sessions=%d", request.user.get_username(), count)
        messages.success(request, _("Du är nu utloggad överallt utom här."))
    else:
        messages.error(request, WRONG_CODE)
    return redirect("security:overview")


def authenticator_qr(device: TOTPDevice) -> dict[str, str]:
    """The QR code (inline SVG) and the grouped key for linking an authenticator app."""
    qr = segno.make(device.config_url, error="m")
    return {
        "qr_svg": qr.svg_inline(scale=4, title=_("QR-kod för autentiseringsappen")),
        "secret": _grouped_secret(device),
    }


def mark_verified(request: HttpRequest, device) -> None:
    """Sign the request's session in as having passed the second factor with `device`."""
    _mark_verified(request, device)


def _grouped_secret(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
