"""Sign-in throttling (django-axes), the audit log, and the password rules."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories.partnerships import PASSWORD


def _attempt(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_repeated_failures_lock_that_username_from_that_address(world, client, settings):
    for _i in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "finance_a", "wrong-password-123")
    response = _attempt(client, "finance_a", PASSWORD)
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lock_does_not_stop_the_same_user_from_another_address(world, client, settings):
    for _i in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "finance_a", "wrong-password-123", address="10.6.6.6")
    response = _attempt(client, "finance_a", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.finance_a.pk)


def test_a_lock_does_not_stop_other_users_at_the_same_address(world, client, settings):
    for _i in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "finance_a", "wrong-password-123")
    assert _attempt(client, "coord_a", PASSWORD).status_code == 302


def test_sign_ins_failures_and_locks_are_logged_with_username_only(world, client, settings, caplog):
    caplog.set_level(logging.INFO)
    for _i in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "finance_a", "wrong-password-123", address="10.9.8.7")
    _attempt(client, "coord_a", PASSWORD, address="10.9.8.7")
    text = caplog.text
    assert "sign-in failed user=finance_a" in text
    assert "sign-in locked after repeated failures user=finance_a" in text
    assert "sign-in (password) user=coord_a" in text
    assert "10.9.8.7" not in text
    assert "wrong-password-123" not in text and PASSWORD not in text


def test_sign_in_gives_a_new_session_id(world, client):
    client.get("/login/")
    client.cookies["sessionid"] = "attacker-chosen-session-id"
    _attempt(client, "coord_a", PASSWORD)
    assert client.cookies["sessionid"].value != "attacker-chosen-session-id"


@pytest.mark.parametrize(
    "password",
    ["kort-lösen", "password123456", "1qaz2wsx3edc", "123456789012345"],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted():
    validate_password("mossa-kompass-tallrik-7")


def test_behind_a_proxy_the_lock_follows_the_address_the_proxy_saw(world, client, settings):
    settings.IOP_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.254"
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The attacker varies the part of the header they control; the proxy's entry wins.
        client.post(
            "/login/",
            {"username": "finance_a", "password": "wrong-password-123"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.9",
        )
    locked = client.post(
        "/login/",
        {"username": "finance_a", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert locked.status_code == 429
    elsewhere = client.post(
        "/login/",
        {"username": "finance_a", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert elsewhere.status_code == 302


def test_without_proxies_a_forwarded_header_is_ignored(rf, settings):
    from iop.client import client_ip

    settings.IOP_TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "192.0.2.1"
