"""In a real browser: the full sign-in with a second factor, and pages that work under the
strict Content Security Policy (the browser reports every blocked script or style)."""

from __future__ import annotations

import pytest

from tests.conftest import browser_login, verified_device
from tests.factories.participants import enrolled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _csp_violations(page) -> list[str]:
    messages: list[str] = []
    page.on(
        "console",
        lambda msg: messages.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return messages


def test_new_user_sets_password_and_links_the_app_from_the_invitation_link(page, world):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from iop.audit import AuditContext
    from iop.roles import Role
    from partnerships.actions_admin import invite_user

    _user, token = invite_user(
        user=world.admin,
        audit=AuditContext.system(),
        username="ny_person",
        first_name="Ny",
        last_name="Person",
        email="ny@example.se",
        organisation=world.org_a,
        role=Role.FINANCE,
    )
    violations = _csp_violations(page)
    page.goto(f"/invitation/{token}/")
    assert page.locator("main svg").count() == 1  # the QR code, drawn inline
    device = TOTPDevice.objects.get(user__username="ny_person", confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.fill("#id_new_password1", "ett-långt-nytt-lösenord-2026")
    page.fill("#id_new_password2", "ett-långt-nytt-lösenord-2026")
    page.fill("#id_code", f"{totp.token():06d}")
    page.click("main button.primary")
    page.wait_for_selector("ul.recovery-codes")
    assert page.locator("ul.recovery-codes li").count() == 10
    page.click("main a.primary")
    page.goto("/agreements/")
    page.wait_for_url("**/agreements/")
    assert violations == []


def test_signed_in_pages_run_under_the_csp_without_violations(page, world):
    enrolled(world.agreement_a, world.org_a, name="Påhittad Deltagare")
    violations = _csp_violations(page)
    browser_login(page, world.coordinator_a.username)
    for path in ["/", "/agreements/", f"/agreements/{world.agreement_a.pk}/", "/participants/"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert violations == []


def test_a_used_code_is_refused_in_the_browser_too(page, world):
    from django_otp.oath import TOTP

    browser_login(page, world.steering_a.username)
    device = verified_device(world.steering_a)
    device.refresh_from_db()
    # The code of the time step just used to sign in.
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = device.t0 + device.last_t * device.step
    used = f"{totp.token():06d}"
    page.goto("/")
    page.click("header .user-menu button[type=submit]")  # sign out
    page.wait_for_url("**/login/**")
    page.fill("#id_username", world.steering_a.username)
    from tests.factories.partnerships import PASSWORD

    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/security/verify/**")
    page.fill("#id_code", used)
    page.click("main button.primary")
    assert "Koden godtogs inte" in page.content()
