"""Annual report drill-down: each figure links to exactly the enrolments it counts, for the
users who may see participants, and to nobody else."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import AccessLog
from partnerships.models import AgreementParty, Goal, Indicator, IndicatorTarget
from reporting import figures
from reporting.models import AnnualReport
from tests.factories.participants import (
    AssessmentFactory,
    ConsentFactory,
    EnrolmentFactory,
    ParticipantFactory,
)
from tests.factories.partnerships import AgreementFactory, PartyFactory

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = 2024


class Fixture:
    def __init__(self, world):
        self.agreement = AgreementFactory(
            short_id="iop-2024",
            title="IOP 2024",
            start_date=D(2024, 1, 1),
            end_date=D(2025, 12, 31),
        )
        PartyFactory(agreement=self.agreement, organisation=world.org_a)
        PartyFactory(
            agreement=self.agreement,
            organisation=world.municipality,
            role=AgreementParty.PartyRole.PUBLIC_FUNDER,
        )
        other = AgreementFactory(start_date=D(2024, 1, 1), end_date=D(2025, 12, 31))
        PartyFactory(agreement=other, organisation=world.org_a)

        def enrolment(agreement=None, consent=True, gender="woman", **fields):
            participant = ParticipantFactory(plain=True, gender=gender)
            if consent:
                ConsentFactory(participant=participant, organisation=world.org_a)
            return EnrolmentFactory(
                plain=True,
                participant=participant,
                agreement=agreement or self.agreement,
                start_date=fields.pop("start_date", D(2024, 2, 1)),
                **fields,
            )

        # Counted in "to work 2024": exits in 2024 to work, with or without support.
        self.work_woman = enrolment(exit_date=D(2024, 6, 1), exit_outcome="work")
        self.work_man = enrolment(
            gender="man", exit_date=D(2024, 9, 1), exit_outcome="work_with_support"
        )
        # Counted, but without consent towards the coordinator's organisation.
        self.work_hidden = enrolment(consent=False, exit_date=D(2024, 10, 1), exit_outcome="work")
        # Not counted: other outcome, other year, before the period, other partnership, open.
        self.studies = enrolment(exit_date=D(2024, 5, 1), exit_outcome="studies")
        self.work_2025 = enrolment(exit_date=D(2025, 2, 1), exit_outcome="work")
        self.work_2023 = enrolment(
            start_date=D(2023, 6, 1), exit_date=D(2023, 12, 1), exit_outcome="work"
        )
        self.elsewhere = enrolment(agreement=other, exit_date=D(2024, 6, 1), exit_outcome="work")
        self.open = enrolment()
        self.to_work = {self.work_woman, self.work_man, self.work_hidden}


@pytest.fixture
def fx(world):
    return Fixture(world)


def drill(fx, figure, **codes):
    url = reverse("reporting:figure_participants", args=[fx.agreement.pk, YEAR, figure])
    if codes:
        url += "?" + "&".join(f"{k}={v}" for k, v in codes.items())
    return url


def listed_codes(html: str) -> set[str]:
    return set(re.findall(r'<tr class="figure-row">\s*<td><a href="[^"]+">([^<]+)</a>', html))


def codes_of(enrolments) -> set[str]:
    return {e.participant.code for e in enrolments}


def test_to_work_list_contains_exactly_the_enrolments_counted_in_the_figure(world, login, fx):
    start, end = figures.period(fx.agreement, YEAR)
    stats = figures.participant_statistics(fx.agreement, start, end)
    counted = set(figures.figure_enrolments(fx.agreement, start, end, "to_work"))
    assert stats["to_work"] == len(counted) == 3
    assert counted == fx.to_work
    html = login(world.admin).get(drill(fx, "to_work")).content.decode()
    assert listed_codes(html) == codes_of(fx.to_work)
    assert "Siffran är 3; alla visas." in html


def test_coordinator_sees_only_consenting_participants_and_is_told_how_many(world, login, fx):
    response = login(world.coordinator_a).get(drill(fx, "to_work"))
    assert response.status_code == 200
    html = response.content.decode()
    assert listed_codes(html) == codes_of([fx.work_woman, fx.work_man])
    assert "2 av 3 visas; övriga omfattas inte av samtycke för din organisation." in html
    assert fx.work_woman.participant.name in html  # the consent shares identity


def test_figure_by_gender_and_outcome_lists_the_same_enrolments_it_counts(world, login, fx):
    client = login(world.admin)
    html = client.get(drill(fx, "exited", gender="woman", outcome="work")).content.decode()
    assert listed_codes(html) == codes_of([fx.work_woman, fx.work_hidden])
    html = client.get(drill(fx, "enrolled", gender="man")).content.decode()
    assert listed_codes(html) == codes_of([fx.work_man])
    # Step progression is counted with window functions; the list must agree with it.
    AssessmentFactory(plain=True, enrolment=fx.open, date=D(2024, 3, 1), step=2)
    AssessmentFactory(plain=True, enrolment=fx.open, date=D(2024, 8, 1), step=4)
    AssessmentFactory(plain=True, enrolment=fx.studies, date=D(2024, 3, 1), step=3)
    steps = figures.step_progression(fx.agreement, D(2024, 1, 1), D(2024, 12, 31))
    assert (steps["progressed"], steps["assessed"]) == (1, 2)
    assert listed_codes(client.get(drill(fx, "progressed")).content.decode()) == codes_of([fx.open])
    assert listed_codes(client.get(drill(fx, "assessed")).content.decode()) == codes_of(
        [fx.open, fx.studies]
    )


@pytest.mark.parametrize(
    "who,status",
    [
        ("coordinator_a", 200),
        ("manager_a", 200),
        ("admin", 200),
        ("finance_a", 404),
        ("steering_a", 404),
        ("coordinator_b", 404),
        ("outsider", 404),
    ],
)
def test_drilldown_access_per_role(world, login, fx, who, status):
    assert login(getattr(world, who)).get(drill(fx, "to_work")).status_code == status


@pytest.mark.parametrize(
    "figure,codes",
    [
        ("names", {}),
        ("to_work", {"gender": "nobody"}),
        ("to_work", {"outcome": "work"}),  # an outcome only narrows the exits
        ("exited", {"outcome": "lottery"}),
    ],
)
def test_unknown_figure_or_code_is_404(world, login, fx, figure, codes):
    assert login(world.coordinator_a).get(drill(fx, figure, **codes)).status_code == 404


def test_year_outside_the_agreement_is_404(world, login, fx):
    url = reverse("reporting:figure_participants", args=[fx.agreement.pk, 2030, "to_work"])
    assert login(world.coordinator_a).get(url).status_code == 404


def test_every_drilldown_read_is_access_logged(world, login, fx):
    login(world.coordinator_a).get(drill(fx, "to_work"))
    logged = set(
        AccessLog.objects.filter(user=world.coordinator_a, what="årsrapport").values_list(
            "participant_id", flat=True
        )
    )
    assert logged == {fx.work_woman.participant_id, fx.work_man.participant_id}


def test_drilldown_runs_a_fixed_number_of_queries(world, login, fx, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.coordinator_a)
    with CaptureQueriesContext(connection) as small:
        client.get(drill(fx, "exited"))
    for day in range(1, 9):
        participant = ParticipantFactory(plain=True)
        ConsentFactory(participant=participant, organisation=world.org_a)
        EnrolmentFactory(
            plain=True,
            participant=participant,
            agreement=fx.agreement,
            start_date=D(2024, 1, 1),
            exit_date=D(2024, 11, day),
            exit_outcome="other",
        )
    with django_assert_num_queries(len(small.captured_queries)):
        html = client.get(drill(fx, "exited")).content.decode()
    assert len(listed_codes(html)) == 11  # 3 exits with consent + 8


def _goal(fx):
    goal = Goal.objects.create(agreement=fx.agreement, title="Egen försörjning", position=1)
    indicator = Indicator.objects.create(
        goal=goal,
        name="Andel till arbete",
        metric=Indicator.Metric.SHARE_TO_WORK,
        unit=Indicator.Unit.PERCENT,
    )
    IndicatorTarget.objects.create(indicator=indicator, year=YEAR, target=30)


def _report_links(html: str) -> list[str]:
    return re.findall(r'href="([^"]*/participants/[^"]*)"', html)


def test_report_links_each_figure_for_participant_roles_only(world, login, fx):
    _goal(fx)
    fx.work_woman.income_at_start, fx.work_woman.income_at_exit = "income_support", "salary"
    fx.work_woman.save()
    AssessmentFactory(plain=True, enrolment=fx.open, date=D(2024, 3, 1), step=2)
    AssessmentFactory(plain=True, enrolment=fx.open, date=D(2024, 8, 1), step=4)
    url = reverse("reporting:annual_report", args=[fx.agreement.pk, YEAR])
    html = login(world.manager_a).get(url).content.decode()
    links = _report_links(html)
    base = drill(fx, "x").removesuffix("x/")
    for expected in (
        "to_work/",
        "to_studies/",
        "left_income_support/",
        "progressed/",
    ):
        assert base + expected in links, expected
    # The fixture's counts by gender and outcome are under the threshold: shown as "<5"
    # and linked to no one, as on the dashboards (one small-number policy).
    assert "&lt;5" in html
    assert base + "enrolled/?gender=woman" not in links
    assert base + "exited/?gender=man&amp;outcome=work_with_support" not in links
    # Nothing to list behind a zero: no man left for studies.
    assert base + "exited/?gender=man&amp;outcome=studies" not in links
    # The goal's indicator links to the participants behind its outcome.
    assert re.search(r'<a href="' + re.escape(base) + r'to_work/">deltagarna</a>', html)
    # Codes only: no name or participant code in any of the links.
    for link in links:
        assert re.fullmatch(r"[\w/\-?=&;]+", link), link
        assert fx.work_woman.participant.code not in link
    html = login(world.finance_a).get(url).content.decode()
    assert _report_links(html) == []
    assert "deltagarna" not in html


def test_submitted_report_still_renders_with_its_frozen_figures(world, login, fx):
    _goal(fx)
    data = figures.annual_report_figures(fx.agreement, YEAR)
    report = AnnualReport.objects.create(
        agreement=fx.agreement,
        year=YEAR,
        figures=figures.freeze(data),
        status=AnnualReport.Status.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=world.manager_a,
    )
    url = reverse("reporting:annual_report", args=[fx.agreement.pk, YEAR])
    html = login(world.manager_a).get(url).content.decode()
    assert "Inlämnad" in html
    assert drill(fx, "to_work") in _report_links(html)
    # Later data does not change the frozen figure; the list says it is computed today.
    EnrolmentFactory(
        plain=True,
        agreement=fx.agreement,
        start_date=D(2024, 2, 1),
        exit_date=D(2024, 12, 1),
        exit_outcome="work",
    )
    html = login(world.manager_a).get(url).content.decode()
    assert (
        '<a href="' + drill(fx, "to_work") + '" title="Visa deltagarna bakom siffran">3</a>' in html
    )
    listing = login(world.admin).get(drill(fx, "to_work")).content.decode()
    assert "Den inlämnade rapportens siffror är frysta" in listing
    # The steering group reads the submitted report, without links to participants.
    html = login(world.steering_a).get(url).content.decode()
    assert "Inlämnad" in html and _report_links(html) == []
    # A report frozen before gender codes were stored renders; its gender cells stay plain.
    frozen = report.figures
    for row in frozen["participants"]["by_gender"]:
        row.pop("gender_value")
    frozen["participants"].pop("outcome_gender_values")
    AnnualReport.objects.filter(pk=report.pk).update(figures=frozen)
    html = login(world.manager_a).get(url).content.decode()
    assert "gender=" not in html
    assert drill(fx, "to_work") in _report_links(html)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_clicks_from_the_figure_to_the_participants_behind_it(page, world):
    from tests.conftest import browser_login

    fx = Fixture(world)
    _goal(fx)
    problems: list[str] = []
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("console", lambda m: problems.append(m.text) if "Content Security" in m.text else None)
    browser_login(page, world.manager_a.username)
    page.goto(reverse("reporting:annual_report", args=[fx.agreement.pk, YEAR]))
    row = page.locator("tr", has_text="Avslutade till arbete (med eller utan stöd)")
    row.get_by_role("link", name="3").click()
    page.wait_for_selector("h1")
    assert "Avslutade till arbete (med eller utan stöd) 2024" in page.inner_text("h1")
    assert "2 av 3 visas" in page.inner_text("main")
    listed = set(page.locator("tr.figure-row td:first-child a").all_inner_texts())
    assert listed == codes_of([fx.work_woman, fx.work_man])
    assert fx.work_hidden.participant.name not in page.content()
    page.screenshot(path="test-artifacts/annual-report-drilldown.png", full_page=True)
    assert not problems, problems
