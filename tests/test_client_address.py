"""Issue 18: behind the README's reverse proxy with TRUSTED_PROXY_COUNT=0 every client
shared one address, so five wrong passwords from anyone locked out a real user, and the
access log recorded the proxy. One helper (iop/client.py) now gives the client address
to sign-in throttling, the access log and the sign-in records."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from iop import client as client_module
from iop.client import client_ip
from participants.models import AccessLog
from tests.factories.participants import enrolled
from tests.factories.partnerships import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.254"  # the reverse proxy the app sees as REMOTE_ADDR
EDGE = "10.0.0.253"  # a second proxy (a load balancer) in front of it


def _request(rf, forwarded: str | None, remote: str = PROXY):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return rf.get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, None, "192.0.2.1", "192.0.2.1"),
        (0, "6.6.6.6", "192.0.2.1", "192.0.2.1"),
        (1, "203.0.113.9", PROXY, "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", PROXY, "203.0.113.9"),
        (2, f"203.0.113.9, {EDGE}", PROXY, "203.0.113.9"),
        (2, f"6.6.6.6, 5.5.5.5, 203.0.113.9, {EDGE}", PROXY, "203.0.113.9"),
        # Fewer hops than proxies: the chain is not what the setting says; trust nobody.
        (2, "203.0.113.9", PROXY, PROXY),
    ],
)
def test_the_client_is_counted_from_the_right(rf, settings, proxies, forwarded, remote, expected):
    settings.IOP_TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request(rf, forwarded, remote)) == expected


@pytest.mark.parametrize("junk", ["unknown", "'; DROP TABLE", "999.1.1.1", "<script>"])
def test_a_forwarded_entry_that_is_no_address_falls_back_to_the_proxy(rf, settings, junk):
    # GenericIPAddressField rows (access log, sign-in records) would fail on PostgreSQL.
    settings.IOP_TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(rf, f"{junk}, {EDGE}")) == PROXY


def test_a_port_after_the_address_is_dropped(rf, settings):
    settings.IOP_TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(rf, "203.0.113.9:50312")) == "203.0.113.9"
    assert client_ip(_request(rf, "[2001:db8::7]:443")) == "2001:db8::7"


def test_a_forwarded_header_without_trusted_proxies_is_reported_once(
    rf, settings, caplog, monkeypatch
):
    settings.IOP_TRUSTED_PROXY_COUNT = 0
    monkeypatch.setattr(client_module, "_warned_unconfigured_proxy", False)
    with caplog.at_level(logging.WARNING, logger="iop.security"):
        client_ip(_request(rf, "203.0.113.9"))
        client_ip(_request(rf, "203.0.113.10"))
    warnings = [r for r in caplog.records if "TRUSTED_PROXY_COUNT" in r.getMessage()]
    assert len(warnings) == 1
    assert "203.0.113" not in warnings[0].getMessage()


def _fail_then_sign_in(client, client_address: str, other_address: str, forwarded_tail: str):
    for _n in range(5):
        client.post(
            "/login/",
            {"username": "finance_a", "password": "wrong-password-123"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=client_address + forwarded_tail,
        )
    return client.post(
        "/login/",
        {"username": "finance_a", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=other_address + forwarded_tail,
    )


@pytest.mark.parametrize(("proxies", "tail"), [(1, ""), (2, f", {EDGE}")])
def test_five_wrong_passwords_from_one_client_do_not_lock_out_another(
    world, client, settings, proxies, tail
):
    settings.IOP_TRUSTED_PROXY_COUNT = proxies
    response = _fail_then_sign_in(client, "198.51.100.66", "203.0.113.9", tail)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.finance_a.pk)
    # The sign-in records (django-axes) hold the client's address, not the proxy's.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}


def test_without_the_setting_everyone_behind_the_proxy_shares_one_lock(world, client, settings):
    # What the README's setup step prevents: with 0 the proxy's address is everyone's.
    settings.IOP_TRUSTED_PROXY_COUNT = 0
    response = _fail_then_sign_in(client, "198.51.100.66", "203.0.113.9", "")
    assert response.status_code == 429


@pytest.mark.parametrize(("proxies", "tail"), [(0, ""), (1, ""), (2, f", {EDGE}")])
def test_the_access_log_records_the_client_address(world, login, settings, proxies, tail):
    settings.IOP_TRUSTED_PROXY_COUNT = proxies
    enrolment = enrolled(world.agreement_a, world.org_a, name="Testa Testsson")
    login(world.coordinator_a).get(
        reverse("participants:timeline", args=[enrolment.participant_id]),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.9" + tail,
    )
    row = AccessLog.objects.get(participant=enrolment.participant, what="tidslinje")
    assert row.ip_address == ("203.0.113.9" if proxies else PROXY)


def test_the_readme_proxy_setup_sets_the_trusted_proxy_count():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### Behind a reverse proxy", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"^TRUSTED_PROXY_COUNT=1$", section, re.MULTILINE)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in section
