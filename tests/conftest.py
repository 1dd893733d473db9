"""Shared fixtures: a partnership world with one user per role.

`world` gives two partnerships, A and B, with separate non-profit operators and one shared
municipality, and users of every role, so that tests can ask "can a coordinator of A see
B's things?" in one line.
"""

from __future__ import annotations

import datetime
import os
import shutil
import threading
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from partnerships.models import Agreement, AgreementParty, Organisation, Role, User
from tests.factories.partnerships import (
    PASSWORD,
    AgreementFactory,
    BudgetFactory,
    CostLineFactory,
    FundingShareFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartyFactory,
    UserFactory,
)


@dataclass
class World:
    municipality: Organisation
    org_a: Organisation
    org_b: Organisation
    outsider_org: Organisation
    agreement_a: Agreement
    agreement_b: Agreement
    party_a: AgreementParty
    party_b: AgreementParty
    coordinator_a: User
    coordinator_b: User
    manager_a: User
    finance_a: User
    steering_a: User
    outsider: User
    admin: User


@pytest.fixture
def world(db) -> World:
    municipality = MunicipalityFactory.create(name="Testkommun")
    org_a = OrganisationFactory.create(name="Förening A")
    org_b = OrganisationFactory.create(name="Förening B")
    outsider_org = OrganisationFactory.create(name="Utomstående förening")
    agreement_a = AgreementFactory.create(short_id="iop-a", title="IOP A", capacity=40)
    agreement_b = AgreementFactory.create(short_id="iop-b", title="IOP B", capacity=20)
    party_a = PartyFactory.create(agreement=agreement_a, organisation=org_a)
    party_b = PartyFactory.create(agreement=agreement_b, organisation=org_b)
    public_a = PartyFactory.create(
        agreement=agreement_a,
        organisation=municipality,
        role=AgreementParty.PartyRole.PUBLIC_FUNDER,
    )
    budget = BudgetFactory.create(agreement=agreement_a, year=2026, indexation_percent=Decimal("2"))
    CostLineFactory.create(budget=budget, amount=Decimal("1000000"))
    FundingShareFactory.create(budget=budget, party=public_a, percent=Decimal("70"))
    FundingShareFactory.create(budget=budget, party=party_a, percent=Decimal("30"))
    return World(
        municipality=municipality,
        org_a=org_a,
        org_b=org_b,
        outsider_org=outsider_org,
        agreement_a=agreement_a,
        agreement_b=agreement_b,
        party_a=party_a,
        party_b=party_b,
        coordinator_a=UserFactory.create(
            username="coord_a", organisation=org_a, role=Role.COORDINATOR
        ),
        coordinator_b=UserFactory.create(
            username="coord_b", organisation=org_b, role=Role.COORDINATOR
        ),
        manager_a=UserFactory.create(username="manager_a", organisation=org_a, role=Role.MANAGER),
        finance_a=UserFactory.create(username="finance_a", organisation=org_a, role=Role.FINANCE),
        steering_a=UserFactory.create(
            username="steering_a", organisation=municipality, role=Role.STEERING
        ),
        outsider=UserFactory.create(
            username="outsider", organisation=outsider_org, role=Role.MANAGER
        ),
        admin=UserFactory.create(username="admin_user", organisation=None, role=Role.ADMIN),
    )


def verified_device(user: User):
    """The user's confirmed authenticator (created for the test if missing)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def current_totp_code(user: User) -> str:
    """The code the user's authenticator app would show now (not yet used: codes work once)."""
    from django_otp.oath import TOTP

    device = verified_device(user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t >= totp.t():
        # This time step's code was already used in this test; a test may move the clock.
        type(device).objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher is slow by design; tests create many users and sign them in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _second_factor_passed_on_test_login(request, monkeypatch):
    """Test clients signed in with force_login()/login() have passed the second factor too,
    so tests of ordinary pages need not enter codes. Tests of the second factor itself ask
    for the `unverified_login` fixture, which turns this off."""
    if "unverified_login" in request.fixturenames:
        return
    from django.contrib.auth.signals import user_logged_in
    from django.http import HttpRequest
    from django.test import Client, override_settings
    from django_otp import DEVICE_ID_SESSION_KEY

    original_login = Client._login
    original_password_login = Client.login

    def _login(self, user, backend=None):
        device = verified_device(user)

        def mark_verified(sender, request, **kwargs):
            request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id

        # Marked while Django's login() fills the session, so it is saved once as usual;
        # django-axes is off here because a forced login is no sign-in attempt.
        user_logged_in.connect(mark_verified, dispatch_uid="tests_mark_verified")
        try:
            with override_settings(AXES_ENABLED=False):
                original_login(self, user, backend)
        finally:
            user_logged_in.disconnect(dispatch_uid="tests_mark_verified")

    def password_login(self, **credentials):
        # django-axes needs a request to count attempts against; the test client has none.
        credentials.setdefault("request", HttpRequest())
        return original_password_login(self, **credentials)

    monkeypatch.setattr(Client, "_login", _login)
    monkeypatch.setattr(Client, "login", password_login)


@pytest.fixture
def unverified_login(client):
    """unverified_login(user) -> a client signed in with the password only (no second factor)."""

    def _login(user: User):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def login(client):
    """login(user) -> the test client signed in as that user."""

    def _login(user: User):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def today() -> datetime.date:
    return datetime.date.today()


@pytest.fixture
def set_today(monkeypatch):
    """`set_today(date(2027, 1, 15))`: the calendar (timezone.localdate) says that day, so a
    test of "the year has ended" does not depend on when it runs. The clock still runs."""
    from django.utils import timezone

    real = timezone.localdate

    def _set(day: datetime.date) -> None:
        def localdate(value=None, timezone=None):
            return day if value is None else real(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    return _set


@pytest.fixture
def year_2026_ended(set_today) -> None:
    set_today(datetime.date(2027, 1, 15))


CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium driven by Playwright (Debian's chromium, not a download)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium saknas: installera Debians paket 'chromium' för webbläsartesterna.")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class _OneRequestAtATime(ThreadedWSGIServer):
    """Django's threaded live server, running one request's view at a time: each request
    still has its own thread (an idle connection the browser opened ahead blocks nobody),
    but the application, its response body and its close run under one lock."""

    lock = threading.Lock()

    def get_app(self):
        app = super().get_app()

        def one_at_a_time(environ, start_response):
            with self.lock:
                result = app(environ, start_response)
                try:
                    return list(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()

        return one_at_a_time


# On SQLite the live server shares the test's one connection (an in-memory database has no
# other), and Django's threaded server uses it from a thread per request. A browser sends
# requests in parallel (a draft saved on its timer while the form is posted, a favicon
# beside a page), and two statements interleaved on one sqlite3 connection broke it
# mid-request (IndexError, OperationalError), then every later test's transaction. One
# request at a time; PostgreSQL gives each thread its own connection and keeps Django's.
if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
    LiveServerThread.server_class = _OneRequestAtATime


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    page = context.new_page()
    yield page
    # Nothing the page still sends (a draft saved on focusout or on its timer while the
    # page closes) may reach the server after the test: on SQLite the live server shares
    # the test's connection, and a late request's rollback can undo the flush between
    # tests. Refuse further requests, and give one already under way time to finish.
    context.route("**/*", lambda route: route.abort())
    page.wait_for_timeout(300)
    context.close()


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real pages: password, then the code from the user's authenticator."""
    user = User.objects.get(username=username)
    verified_device(user)
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/security/verify/**")
    page.fill("#id_code", current_totp_code(user))
    page.click("main button.primary")
    page.wait_for_load_state()
