"""The second factor: enrolment, a code at every sign-in, codes that work once, the admin."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import current_totp_code, verified_device
from tests.factories.partnerships import PASSWORD


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_it_sends_a_user_without_authenticator_to_enrolment(world, unverified_login):
    client = unverified_login(world.coordinator_a)
    response = client.get("/agreements/")
    assert response.status_code == 302
    assert response["Location"] == "/security/enrol/?next=/agreements/"


def test_it_sends_an_enrolled_user_to_code_entry(world, unverified_login):
    verified_device(world.coordinator_a)
    client = unverified_login(world.coordinator_a)
    response = client.get("/agreements/")
    assert response["Location"] == "/security/verify/?next=/agreements/"


# Linking an app happens only through an invitation link (no trust on first use): see
# tests/test_administration.py for the link, its QR code and the refusal of /security/enrol/.


def test_enrolled_user_cannot_enrol_a_second_authenticator(world, unverified_login):
    verified_device(world.coordinator_a)
    client = unverified_login(world.coordinator_a)
    response = client.get("/security/enrol/")
    assert response["Location"] == "/security/verify/"
    assert TOTPDevice.objects.filter(user=world.coordinator_a).count() == 1


def test_sign_in_needs_password_and_then_a_code(world, client):
    device = verified_device(world.finance_a)
    response = client.post("/login/", {"username": "finance_a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/agreements/")["Location"] == "/security/verify/?next=/agreements/"
    response = client.post("/security/verify/", {"code": _code(device), "next": "/agreements/"})
    assert response["Location"] == "/agreements/"
    assert client.get("/agreements/").status_code == 200


def test_a_code_works_only_once(world, unverified_login, client):
    user = world.finance_a
    code = current_totp_code(user)
    unverified_login(user)
    assert client.post("/security/verify/", {"code": code})["Location"] == "/"
    client.post("/logout/")
    client.force_login(user)
    response = client.post("/security/verify/", {"code": code})
    assert response.status_code == 200
    assert "Koden godtogs inte" in response.content.decode()


def test_a_recovery_code_works_once(world, unverified_login, client):
    user = world.steering_a
    verified_device(user)
    recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    recovery.token_set.create(token="abcd2345ef")
    unverified_login(user)
    assert client.post("/security/verify/", {"code": "ABCD 2345EF"})["Location"] == "/"
    assert not recovery.token_set.exists()
    client.post("/logout/")
    client.force_login(user)
    assert client.post("/security/verify/", {"code": "abcd2345ef"}).status_code == 200


def test_verification_gives_a_new_session_id(world, unverified_login, client):
    user = world.finance_a
    unverified_login(user)
    before = client.cookies["sessionid"].value
    client.post("/security/verify/", {"code": current_totp_code(user)})
    assert client.cookies["sessionid"].value != before


def test_verify_refuses_an_outside_next_address(world, unverified_login, client):
    user = world.finance_a
    unverified_login(user)
    response = client.post(
        "/security/verify/", {"code": current_totp_code(user), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_wrong_codes_are_throttled(world, unverified_login, client, settings):
    from iop.models import SecondFactorFailure

    user = world.finance_a
    verified_device(user)
    unverified_login(user)
    for _n in range(settings.IOP_SECOND_FACTOR_FAILURE_LIMIT):
        client.post("/security/verify/", {"code": "000000"})
    # After the limit, this address gets no further tries, not even with the right code
    # (counted per user and address: see tests/test_administration.py for the owner).
    response = client.post("/security/verify/", {"code": current_totp_code(user)})
    assert response.status_code == 200
    failure = SecondFactorFailure.objects.get(user=user)
    assert failure.failures == settings.IOP_SECOND_FACTOR_FAILURE_LIMIT


@pytest.mark.parametrize("path", ["/admin/", "/admin/partnerships/"])
def test_admin_asks_for_the_second_factor(world, unverified_login, path):
    world.admin.is_staff = True
    world.admin.save()
    verified_device(world.admin)
    client = unverified_login(world.admin)
    assert client.get(path)["Location"].startswith("/security/verify/")


def test_admin_opens_for_a_verified_administrator(world, login):
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    assert login(world.admin).get("/admin/").status_code == 200


def test_admin_sign_in_page_is_the_ordinary_one(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_demo_users_sign_in_with_the_published_demo_key(world, unverified_login, client):
    from iop.demo import DEMO_TOTP_SECRET, load
    from partnerships.demo import DemoContext

    ctx = DemoContext(users={"koordinator": world.coordinator_a})
    load(ctx)
    load(ctx)  # re-runnable: still one device
    device = TOTPDevice.objects.get(user=world.coordinator_a)
    assert device.confirmed
    from base64 import b32decode

    totp = TOTP(b32decode(DEMO_TOTP_SECRET))
    unverified_login(world.coordinator_a)
    assert client.post("/security/verify/", {"code": f"{totp.token():06d}"})["Location"] == "/"


def test_user_replaces_recovery_codes_after_entering_a_current_code(world, login):
    client = login(world.coordinator_a)
    old = StaticDevice.objects.create(user=world.coordinator_a, name="recovery", confirmed=True)
    old.token_set.create(token="oldcode1234")
    assert "1" in client.get("/security/").content.decode()
    refused = client.post("/security/", {"code": "000000"})
    assert "Koden stämmer inte" in refused.content.decode()
    assert old.token_set.filter(token="oldcode1234").exists()
    # The wrong code started the device's back-off (tested above); skip the wait.
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)

    response = client.post("/security/", {"code": current_totp_code(world.coordinator_a)})

    new_codes = list(old.token_set.values_list("token", flat=True))
    assert len(new_codes) == 10 and "oldcode1234" not in new_codes
    assert all(code in response.content.decode() for code in new_codes)
