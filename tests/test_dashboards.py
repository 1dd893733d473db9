"""Steering-group dashboards: every figure against a hand-computed partnership, small-number
suppression, access, query counts and the CSV download."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from partnerships.models import Role
from reporting.dashboards import build_dashboard, scope_for
from reporting.suppression import Cell
from tests.factories.partnerships import OrganisationFactory, UserFactory
from tests.factories.reporting import fixture_partnership, small_partnership

TODAY = datetime.date(2026, 11, 22)


def figure(dashboard, key):
    return next(f for f in dashboard["figures"] if f.key == key)


def value(dashboard, key, row, column):
    fig = figure(dashboard, key)
    index = fig.columns.index(column)
    for r in [*fig.rows, *fig.footer]:
        if r.label == row:
            return r.values[index]
    raise KeyError(row)


@pytest.fixture(autouse=True)
def _no_cache(settings, db):
    """Each test counts afresh (the figures cache is tested on its own below)."""
    from django.core.cache import cache

    settings.IOP_DASHBOARD_CACHE_SECONDS = 0
    cache.clear()


@pytest.fixture
def fixture(world):
    return fixture_partnership(world.org_a, world.municipality, world.coordinator_a)


@pytest.fixture
def dashboard(fixture, world):
    return build_dashboard(scope_for([fixture], 2024, TODAY, single=fixture), world.steering_a)


# --------------------------------------------------------------------------- figures


def test_participant_counts_by_gender_match_the_hand_computed_fixture(dashboard):
    expected = {
        "Inskrivna under året": (12, 8, 20),
        "Nya": (12, 8, 20),
        "Aktiva vid periodens slut": (6, 3, 9),
        "Avslutade": (6, 5, 11),
    }
    for row, (women, men, total) in expected.items():
        assert value(dashboard, "participants", row, "Kvinna").value == women
        assert value(dashboard, "participants", row, "Man").value == men
        assert value(dashboard, "participants", row, "Totalt").value == total
    assert figure(dashboard, "participants").note == "Kapacitet: 30 platser. Beläggning: 30,0 %."
    assert [t["value"] for t in dashboard["tiles"]] == ["9", "20", "11", "27"]


def test_enrolments_and_exits_per_month(dashboard):
    fig = figure(dashboard, "flow")
    assert [r.label for r in fig.rows] == [
        "jan",
        "feb",
        "mar",
        "apr",
        "maj",
        "jun",
        "jul",
        "aug",
        "sep",
        "okt",
        "nov",
        "dec",
    ]
    assert value(dashboard, "flow", "jan", "Nya: Kvinna").value == 6
    assert value(dashboard, "flow", "jan", "Nya: Man").value == 8
    assert value(dashboard, "flow", "jan", "Nya totalt").value == 14
    assert value(dashboard, "flow", "mar", "Nya: Kvinna").value == 6
    assert value(dashboard, "flow", "jun", "Avslut: Kvinna").value == 6
    assert value(dashboard, "flow", "sep", "Avslut: Man").value == 5
    assert value(dashboard, "flow", "Hela perioden", "Avslut totalt").value == 11
    assert sum(value(dashboard, "flow", m.label, "Nya totalt").value for m in fig.rows) == 20


def test_exit_outcomes_and_shares_against_targets(dashboard):
    assert value(dashboard, "outcomes", "Arbete", "Totalt").value == 8
    assert value(dashboard, "outcomes", "Studier", "Kvinna").value == 1
    assert value(dashboard, "outcomes", "Annat", "Man").value == 2
    work = value(dashboard, "goals", "Till arbete", "Totalt")
    assert str(work.value) == "72.7" and work.display == "72,7 %"
    assert value(dashboard, "goals", "Till arbete", "Mål").display == "≥ 45 %"
    assert value(dashboard, "goals", "Till arbete", "Bedömning").csv == "I fas"
    steps = value(dashboard, "goals", "Stegförflyttning", "Totalt")
    assert str(steps.value) == "30.0"
    assert str(value(dashboard, "goals", "Stegförflyttning", "Kvinna").value) == "50.0"
    assert value(dashboard, "goals", "Stegförflyttning", "Bedömning").csv == "Efter"
    # One person left for studies: too few to show or to judge.
    studies = value(dashboard, "goals", "Till studier", "Totalt")
    assert studies.display == "*"
    assert value(dashboard, "goals", "Till studier", "Bedömning").csv == "För få för att bedöma"


def test_contacts_and_attendance_per_month(dashboard):
    assert value(dashboard, "contacts", "apr", "Kvinna").value == 19
    assert value(dashboard, "contacts", "apr", "Man").value == 8
    assert value(dashboard, "contacts", "apr", "Totalt").value == 27
    assert value(dashboard, "contacts", "apr", "varav anonyma").value == 7
    assert value(dashboard, "contacts", "Hela perioden", "Totalt").value == 27
    assert value(dashboard, "attendance", "maj", "Närvarande: Kvinna").value == 10
    assert value(dashboard, "attendance", "maj", "Närvarande totalt").value == 18
    assert value(dashboard, "attendance", "maj", "Frånvarande").value == 2


def test_meetings_budget_and_deadlines(dashboard):
    assert value(dashboard, "meetings", "Hållna", "Antal").display == "2"
    assert value(dashboard, "meetings", "Krav för året", "Antal").display == "4"
    assert value(dashboard, "meetings", "Bedömning", "Antal").csv == "Efter"
    row = figure(dashboard, "budget").rows[0]
    assert [v.csv for v in row.values[:3]] == ["1200000.00", "1200000.00", "500000.00"]
    # Deviation from the budget so far, with sign and per cent.
    assert row.values[3].display == "−700 000 kr (−58,3 %)"
    assert row.values[4].csv == "Inom budget hittills"
    assert "svg" in str(figure(dashboard, "budget").chart)
    assert all(d.agreement_id == dashboard["scope"].single.pk for d in dashboard["deadlines"])


# --------------------------------------------------------------------------- suppression


def test_counts_below_five_show_as_less_than_five_and_sums_cannot_give_them_away(dashboard):
    # Attendance in May: two absences are hidden, so the present total (18) and one gender
    # must go too, or 20 − 18 would give the absences away.
    absent = value(dashboard, "attendance", "maj", "Frånvarande")
    assert absent.display == "<5"
    assert value(dashboard, "attendance", "maj", "Närvarande totalt").display == "*"
    assert value(dashboard, "attendance", "maj", "Närvarograd").display == "*"
    # Women leaving for studies: 1, so women leaving for work (5) is hidden as well.
    assert value(dashboard, "outcomes", "Studier", "Kvinna").display == "<5"
    assert value(dashboard, "outcomes", "Arbete", "Kvinna").display == "*"
    _assert_no_sum_gives_a_hidden_cell_away(dashboard)


def _assert_no_sum_gives_a_hidden_cell_away(dashboard):
    suppressor = dashboard["suppressor"]
    for cell in suppressor.cells:
        if 0 < cell.value < 5:
            assert cell.display == "<5"
    for members in suppressor.sums:
        assert sum(1 for m in members if m.hidden) != 1, [m.value for m in members]


def test_seven_participant_partnership_reveals_no_small_number(world, login):
    agreement = small_partnership(world.org_a, world.coordinator_a)
    dashboard = build_dashboard(
        scope_for([agreement], 2024, TODAY, single=agreement), world.steering_a
    )
    _assert_no_sum_gives_a_hidden_cell_away(dashboard)
    # Two men: hidden, and so is the women's five (else 7 − 5 = 2).
    assert value(dashboard, "participants", "Inskrivna under året", "Man").display == "<5"
    assert value(dashboard, "participants", "Inskrivna under året", "Kvinna").display == "*"
    assert value(dashboard, "participants", "Inskrivna under året", "Totalt").display == "7"
    assert value(dashboard, "outcomes", "Arbete", "Man").display == "<5"
    assert value(dashboard, "goals", "Till arbete", "Totalt").display == "*"

    client = login(world.manager_a)
    html = client.get(
        reverse("dashboard_detail", args=[agreement.pk]) + "?year=2024"
    ).content.decode()
    visible_numbers = re.findall(r"<td class=\"num count\">(\d+)</td>", html)
    assert visible_numbers and all(int(n) == 0 or int(n) >= 5 for n in visible_numbers)
    assert "&lt;5" in html
    # No way from the dashboard to a person (the menu is the site's, not the dashboard's).
    main = html[html.index("<main") : html.index("</main>")]
    assert "/participants/" not in main
    assert "SW000" not in html and "SM000" not in html
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("dashboard_csv", args=[agreement.pk]) + "?year=2024"
                ).content.decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    about_people = ("Uppföljningsmöten", "Budget och utfall 2024")
    counts = [r[5] for r in rows[1:] if r[5].isdigit() and r[2] not in about_people]
    assert counts and all(int(n) == 0 or int(n) >= 5 for n in counts)


def test_threshold_is_a_setting(world, settings):
    settings.IOP_SUPPRESSION_THRESHOLD = 3
    agreement = small_partnership(world.org_a, world.coordinator_a)
    dashboard = build_dashboard(
        scope_for([agreement], 2024, TODAY, single=agreement), world.steering_a
    )
    assert value(dashboard, "participants", "Inskrivna under året", "Man").display == "<3"


def test_zero_is_shown_and_never_hidden():
    from reporting.suppression import Suppressor

    s = Suppressor()
    parts = [s.cell(0), s.cell(3), s.cell(9)]
    total = s.total(parts)
    s.apply()
    assert parts[0].display == "0"
    assert parts[1].display == "<5" and parts[2].display == "*" and total.display == "12"
    assert isinstance(total, Cell)


# --------------------------------------------------------------------------- access


def test_steering_member_sees_own_partnership_and_nothing_of_another(world, login, fixture):
    client = login(world.steering_a)
    assert client.get(reverse("dashboard_detail", args=[world.agreement_a.pk])).status_code == 200
    assert client.get(reverse("dashboard_detail", args=[world.agreement_b.pk])).status_code == 404
    assert client.get(reverse("dashboard_csv", args=[world.agreement_b.pk])).status_code == 404
    overview = client.get(reverse("dashboard_overview") + "?year=2026").content.decode()
    assert world.agreement_a.title in overview and world.agreement_b.title not in overview
    overview_csv = client.get(reverse("dashboard_overview_csv") + "?year=2026").content.decode(
        "utf-8-sig"
    )
    assert world.agreement_b.title not in overview_csv


@pytest.mark.parametrize("who", ["manager_a", "coordinator_a", "finance_a", "admin"])
def test_roles_of_a_party_see_its_dashboard(world, login, who):
    client = login(getattr(world, who))
    assert client.get(reverse("dashboard_detail", args=[world.agreement_a.pk])).status_code == 200


def test_coordinator_cannot_open_other_partnerships_dashboard(world, login):
    client = login(world.coordinator_b)
    assert client.get(reverse("dashboard_detail", args=[world.agreement_a.pk])).status_code == 404
    assert client.get(reverse("dashboard_detail", args=[world.agreement_b.pk])).status_code == 200


def test_outsider_sees_no_partnership(world, login):
    client = login(world.outsider)
    assert client.get(reverse("dashboard_detail", args=[world.agreement_a.pk])).status_code == 404
    page = client.get(reverse("dashboard_overview")).content.decode()
    assert world.agreement_a.title not in page


def test_user_without_role_is_refused(world, login):
    user = UserFactory(username="norole", organisation=world.org_a)
    user.groups.clear()
    client = login(user)
    assert client.get(reverse("dashboard_overview")).status_code == 403
    assert client.get(reverse("dashboard_detail", args=[world.agreement_a.pk])).status_code == 403


def test_anonymous_user_is_sent_to_sign_in(client, world):
    response = client.get(reverse("dashboard_overview"))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --------------------------------------------------------------------------- pages


def test_dashboard_page_has_charts_tables_and_choosers(world, login, fixture):
    client = login(world.steering_a)
    html = client.get(
        reverse("dashboard_detail", args=[fixture.pk]) + "?year=2024"
    ).content.decode()
    assert html.count("<svg") >= 7
    assert html.count("<table") >= 8
    assert 'name="year"' in html and 'name="agreement"' in html
    assert '<option value="2024" selected>' in html
    assert "Nästa tidsgränser" in html


def test_partnership_chooser_redirects_to_its_dashboard(world, login):
    client = login(world.steering_a)
    response = client.get(
        reverse("dashboard_overview") + f"?agreement={world.agreement_a.pk}&year=2026"
    )
    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("dashboard_detail", args=[world.agreement_a.pk]) + "?year=2026"
    )


def test_year_outside_the_agreement_falls_back_to_a_covered_year(world, login):
    client = login(world.steering_a)
    response = client.get(reverse("dashboard_detail", args=[world.agreement_a.pk]) + "?year=1999")
    assert response.status_code == 200
    assert response.context["year"] in world.agreement_a.years
    assert (
        client.get(
            reverse("dashboard_detail", args=[world.agreement_a.pk]) + "?year=abc"
        ).status_code
        == 200
    )


def test_csv_has_every_figure(world, login, fixture):
    client = login(world.steering_a)
    response = client.get(reverse("dashboard_csv", args=[fixture.pk]) + "?year=2024")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Partnerskap", "År", "Figur", "Rad", "Kolumn", "Värde"]
    assert [fixture.title, "2024", "Deltagare", "Avslutade", "Totalt", "11"] in rows
    assert [
        fixture.title,
        "2024",
        "Avslut och steg mot målen",
        "Till arbete",
        "Totalt",
        "72,7",
    ] in rows
    assert [fixture.title, "2024", "Närvaro per månad", "maj", "Frånvarande", "<5"] in rows
    figures = {r[2] for r in rows[1:]}
    assert {
        "Nya och avslutade per månad",
        "Avslutsorsaker",
        "Kontakter per månad",
        "Uppföljningsmöten",
    } <= figures


def test_overview_adds_up_partnerships(world, login):
    second_org = OrganisationFactory(name="Förening C")
    first = fixture_partnership(world.org_a, world.municipality, world.coordinator_a, prefix="FA")
    second = fixture_partnership(second_org, world.municipality, world.coordinator_a, prefix="FB")
    user = UserFactory(
        username="steering_both", organisation=world.municipality, role=Role.STEERING
    )
    dashboard = build_dashboard(scope_for([first, second], 2024, TODAY), user)
    assert value(dashboard, "participants", "Inskrivna under året", "Totalt").value == 40
    assert value(dashboard, "outcomes", "Arbete", "Totalt").value == 16
    assert str(value(dashboard, "goals", "Till arbete", "Totalt").value) == "72.7"
    assert value(dashboard, "goals", "Till arbete", "Mål").display == "≥ 45 %"
    partnerships = figure(dashboard, "partnerships")
    assert [r.label for r in partnerships.rows] == [first.title, second.title]
    assert partnerships.rows[0].values[3].display == "2 / 4"
    assert partnerships.rows[0].url == reverse("dashboard_detail", args=[first.pk]) + "?year=2024"
    budget = figure(dashboard, "budget")
    assert budget.footer[0].values[0].csv == "2400000.00"


# --------------------------------------------------------------------------- speed


def test_query_count_is_fixed_whatever_the_size(world, login):
    """The page's own figures take a fixed number of queries; each partnership the user
    follows adds a fixed number more, because its counts are suppressed together with
    the overview (link_pages), whatever the number of participants."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.steering_a)
    first = fixture_partnership(world.org_a, world.municipality, world.coordinator_a, prefix="QA")
    detail = reverse("dashboard_detail", args=[first.pk]) + "?year=2024"
    overview = reverse("dashboard_overview") + "?year=2024"

    def measure() -> list[int]:
        counts = []
        for url in (detail, overview):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts.append(len(ctx))
        return counts

    fixture_partnership(world.org_a, world.municipality, world.coordinator_a, prefix="QB")
    counts = [measure()]
    for prefix in ("QC", "QD"):
        fixture_partnership(world.org_a, world.municipality, world.coordinator_a, prefix=prefix)
        counts.append(measure())
    per_partnership = [b - a for a, b in zip(counts[1], counts[2], strict=True)]
    assert [b - a for a, b in zip(counts[0], counts[1], strict=True)] == per_partnership
    assert counts[0] == [DETAIL_QUERIES, OVERVIEW_QUERIES]
    assert per_partnership == [PER_LINKED_PARTNERSHIP, PER_LINKED_PARTNERSHIP]


# Session, user, roles and the page's own queries (see the docstring of each figure), with
# two partnerships of 2024 followed (QA and QB); the detail page also reads the funders'
# casework targets and comparison values (2, issue 15).
DETAIL_QUERIES = 46
OVERVIEW_QUERIES = 40
PER_LINKED_PARTNERSHIP = 8


def test_figures_are_kept_for_a_while_so_repeated_views_are_cheap(world, login, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.IOP_DASHBOARD_CACHE_SECONDS = 300
    first = fixture_partnership(world.org_a, world.municipality, world.coordinator_a, prefix="CA")
    client = login(world.steering_a)
    url = reverse("dashboard_detail", args=[first.pk]) + "?year=2024"
    with CaptureQueriesContext(connection) as cold:
        page = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as warm:
        again = client.get(url).content.decode()
    assert len(warm) < len(cold) - 5
    assert page.count("<svg") == again.count("<svg") and "72,7 %" in again
    # Another partnership is another key: nothing of one leaks into the other's page.
    other = reverse("dashboard_detail", args=[world.agreement_a.pk]) + "?year=2024"
    assert "72,7 %" not in client.get(other).content.decode()
