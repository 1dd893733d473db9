"""Shared fixtures: a partnership world with one user per role.

`world` gives two partnerships, A and B, with separate non-profit operators and one shared
municipality, and users of every role, so that tests can ask "can a coordinator of A see
B's things?" in one line.
"""

from __future__ import annotations

import datetime
import os
import shutil
from dataclasses import dataclass
from decimal import Decimal

import pytest

from partnerships.models import Agreement, AgreementParty, Organisation, Role, User
from tests.factories import (
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
    municipality = MunicipalityFactory(name="Testkommun")
    org_a = OrganisationFactory(name="Förening A")
    org_b = OrganisationFactory(name="Förening B")
    outsider_org = OrganisationFactory(name="Utomstående förening")
    agreement_a = AgreementFactory(short_id="iop-a", title="IOP A", capacity=40)
    agreement_b = AgreementFactory(short_id="iop-b", title="IOP B", capacity=20)
    party_a = PartyFactory(agreement=agreement_a, organisation=org_a)
    party_b = PartyFactory(agreement=agreement_b, organisation=org_b)
    public_a = PartyFactory(
        agreement=agreement_a, organisation=municipality, role=AgreementParty.PartyRole.PUBLIC_FUNDER
    )
    budget = BudgetFactory(agreement=agreement_a, year=2026, indexation_percent=Decimal("2"))
    CostLineFactory(budget=budget, amount=Decimal("1000000"))
    FundingShareFactory(budget=budget, party=public_a, percent=Decimal("70"))
    FundingShareFactory(budget=budget, party=party_a, percent=Decimal("30"))
    return World(
        municipality=municipality,
        org_a=org_a,
        org_b=org_b,
        outsider_org=outsider_org,
        agreement_a=agreement_a,
        agreement_b=agreement_b,
        party_a=party_a,
        party_b=party_b,
        coordinator_a=UserFactory(username="coord_a", organisation=org_a, role=Role.COORDINATOR),
        coordinator_b=UserFactory(username="coord_b", organisation=org_b, role=Role.COORDINATOR),
        manager_a=UserFactory(username="manager_a", organisation=org_a, role=Role.MANAGER),
        finance_a=UserFactory(username="finance_a", organisation=org_a, role=Role.FINANCE),
        steering_a=UserFactory(username="steering_a", organisation=municipality, role=Role.STEERING),
        outsider=UserFactory(username="outsider", organisation=outsider_org, role=Role.MANAGER),
        admin=UserFactory(username="admin_user", organisation=None, role=Role.ADMIN),
    )


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


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    page = context.new_page()
    yield page
    context.close()


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
