"""How the partnership was run, in the reports: participants entered per stage (with
suppression), the risk matrix and the obstacles in the annual report, and participant
figures in a body's draft agenda."""

import datetime

import pytest
from django.urls import reverse

from partnerships.models import GovernanceBody, Obstacle, Risk, Stage
from reporting import figures
from tests.factories.participants import enrolled

D = datetime.date


@pytest.fixture
def stages(world):
    first = Stage.objects.create(
        agreement=world.agreement_a,
        name="Förberedelse",
        start_date=D(2026, 1, 1),
        end_date=D(2026, 6, 30),
        goals="Lokaler och bemanning",
    )
    second = Stage.objects.create(
        agreement=world.agreement_a,
        name="Pilot",
        start_date=D(2026, 7, 1),
        end_date=D(2027, 12, 31),
    )
    for n in range(6):
        enrolled(world.agreement_a, world.org_a, name=f"Påhittad Tidig {n}")
    for n in range(2):
        late = enrolled(world.agreement_a, world.org_a, name=f"Påhittad Sen {n}")
        late.start_date = D(2026, 8, 1)
        late.save()
    return first, second


def test_participants_entered_are_counted_per_stage(world, stages):
    counted = figures.stage_figures(world.agreement_a, D(2026, 1, 1), D(2026, 12, 31))
    assert [s["name"] for s in counted] == ["Förberedelse", "Pilot"]
    assert [sum(r["n"] for r in s["new_by_gender"]) for s in counted] == [6, 2]
    # The part of a stage outside the year is not counted in that year's figure.
    assert counted[1]["end"] == "2027-12-31"


def test_annual_report_shows_stages_with_small_counts_hidden(world, login, stages, settings):
    settings.IOP_SUPPRESSION_THRESHOLD = 5
    page = login(world.manager_a).get(
        reverse("reporting:annual_report", args=[world.agreement_a.pk, 2026])
    )
    html = page.content.decode()
    assert "Förberedelse" in html and "Lokaler och bemanning" in html
    pilot_row = html[html.index("<td>Pilot</td>") :].split("</tr>")[0]
    assert "&lt;5" in pilot_row and ">2<" not in pilot_row


def test_annual_report_shows_the_risk_matrix_and_obstacles(world, login):
    Risk.objects.create(
        agreement=world.agreement_a,
        title="Olika regelverk",
        category="regulation",
        likelihood=3,
        consequence=3,
        owner_party=world.party_a,
        owner_person="Åsa Påhittad",
    )
    Obstacle.objects.create(
        agreement=world.agreement_a,
        description="Brist på grundläggande vuxenutbildning",
        level="municipal",
        lies_with="Vuxenutbildningen",
        raised_on=D(2026, 2, 1),
        raised_by="Projektgruppen",
    )
    html = (
        login(world.manager_a)
        .get(reverse("reporting:annual_report", args=[world.agreement_a.pk, 2026]))
        .content.decode()
    )
    assert '<g data-likelihood="3" data-consequence="3" data-count="1">' in html
    assert "Olika regelverk" in html and "Brist på grundläggande vuxenutbildning" in html


def test_draft_agenda_has_participant_figures_since_the_last_meeting(
    world, login, stages, set_today, settings
):
    settings.IOP_SUPPRESSION_THRESHOLD = 5
    set_today(D(2026, 9, 1))
    body = GovernanceBody.objects.create(agreement=world.agreement_a, kind="steering")
    html = (
        login(world.manager_a)
        .get(reverse("meeting_create", args=[world.agreement_a.pk]) + f"?body={body.pk}")
        .content.decode()
    )
    assert "Nyckeltal sedan 2026-01-01: utfall 0 kr; 8 nya deltagare; 0 avslut" in html.replace(
        "\xa0", " "
    )


def _quarters(agreement, count):
    """`count` consecutive three-month stages from 2026-01-01."""
    for n in range(count):
        Stage.objects.create(
            agreement=agreement,
            name=f"Etapp {n + 1}",
            start_date=D(2026, 1 + 3 * n, 1),
            end_date=D(2026, 3 + 3 * n, 28),
        )


@pytest.mark.parametrize("count", [1, 4])
def test_per_stage_figures_take_a_fixed_number_of_queries(world, count, django_assert_num_queries):
    _quarters(world.agreement_a, count)
    for n in range(3):
        enrolled(world.agreement_a, world.org_a, name=f"Påhittad {n}")
    # The stages, then one grouped count with an aggregate per stage.
    with django_assert_num_queries(2):
        counted = figures.stage_figures(world.agreement_a, D(2026, 1, 1), D(2026, 12, 31))
    assert len(counted) == count


def test_per_stage_figures_equal_the_period_statistics_of_each_stage(world):
    _quarters(world.agreement_a, 4)
    starts = [D(2025, 11, 1), D(2026, 1, 15), D(2026, 2, 1), D(2026, 5, 5), D(2026, 11, 30)]
    for n, (day, gender) in enumerate(
        zip(starts, ["woman", "man", "woman", "other", "man"], strict=True)
    ):
        enrolment = enrolled(world.agreement_a, world.org_a, name=f"Påhittad {n}", gender=gender)
        enrolment.start_date = day
        enrolment.save()
    counted = figures.stage_figures(world.agreement_a, D(2026, 1, 1), D(2026, 12, 31))
    for stage, row in zip(Stage.objects.order_by("start_date"), counted, strict=True):
        expected = figures.participant_statistics(
            world.agreement_a, stage.start_date, stage.end_date
        )["by_gender"]
        by_label = {r["gender"]: r["new"] for r in expected}
        assert {c["gender"]: c["n"] for c in row["new_by_gender"] if c["n"]} == {
            label: n for label, n in by_label.items() if n
        }
    # Every stage lists the same genders, so the report's columns line up.
    assert {tuple(c["gender"] for c in row["new_by_gender"]) for row in counted} == {
        ("Kvinna", "Man", "Annan")
    }
