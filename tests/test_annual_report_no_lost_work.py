"""The annual report never loses work: one form saves the draft and leads to a
confirmation of what will be frozen; a year is submitted only after it has ended."""

import datetime

import pytest
from django.urls import reverse

from partnerships.models import Goal, Indicator
from reporting.models import AnnualReport


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def url(name, *args):
    return reverse(f"reporting:{name}", args=args)


@pytest.fixture
def manual_indicator(world):
    goal = Goal.objects.create(agreement=world.agreement_a, title="Fler i arbete")
    return Indicator.objects.create(
        goal=goal, name="Nöjda deltagare", metric=Indicator.Metric.MANUAL
    )


NARRATIVES = {
    "activities": "Vi har haft öppet fyra dagar i veckan.",
    "went_well": "Samarbetet med kommunen.",
    "went_badly": "Lokalen blev klar sent.",
}


def test_it_saves_the_text_and_then_asks_to_confirm_what_will_be_frozen(
    world, login, manual_indicator, year_2026_ended, django_capture_on_commit_callbacks
):
    client = login(world.manager_a)
    a = world.agreement_a.pk
    data = {**NARRATIVES, f"indicator_{manual_indicator.pk}": "85", "intent": "review"}
    response = client.post(url("annual_report_save", a, 2026), data)
    assert response.status_code == 302
    assert response["Location"] == url("annual_report_confirm", a, 2026)
    page = client.get(response["Location"]).content.decode()
    for text in NARRATIVES.values():
        assert text in page
    assert "Det här fryses när du lämnar in" in page and "Nöjda deltagare" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("annual_report_submit", a, 2026), {"accept_warnings": "on"})
    report = AnnualReport.objects.get()
    assert report.status == "submitted"
    assert (report.activities, report.went_well, report.went_badly) == tuple(NARRATIVES.values())
    assert report.manual_outcomes == {str(manual_indicator.pk): "85"}


def test_the_report_page_has_one_form_and_no_submit_button_beside_it(world, login, year_2026_ended):
    html = login(world.manager_a).get(url("annual_report", world.agreement_a.pk, 2026))
    html = html.content.decode()
    assert url("annual_report_submit", world.agreement_a.pk, 2026) not in html
    assert html.count(f'action="{url("annual_report_save", world.agreement_a.pk, 2026)}"') == 1
    assert "data-warn-unsaved" in html and "data-autosave-url" in html
    assert 'value="review"' in html


def test_an_automatic_save_answers_briefly_and_keeps_the_draft(world, login):
    client = login(world.manager_a)
    response = client.post(
        url("annual_report_save", world.agreement_a.pk, 2026),
        {"activities": "Halvfärdig text", "went_well": "", "went_badly": ""},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    assert response.json()["message"].startswith("Utkastet sparades kl.")
    assert AnnualReport.objects.get().activities == "Halvfärdig text"


def test_a_draft_with_a_bad_value_is_shown_again_with_the_text_kept(world, login, manual_indicator):
    client = login(world.manager_a)
    response = client.post(
        url("annual_report_save", world.agreement_a.pk, 2026),
        {**NARRATIVES, f"indicator_{manual_indicator.pk}": "-3", "intent": "review"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Det finns fel att rätta" in html and NARRATIVES["activities"] in html
    assert not AnnualReport.objects.exists()


def test_a_year_that_has_not_ended_cannot_be_submitted(world, login, set_today):
    set_today(datetime.date(2026, 11, 25))
    client = login(world.manager_a)
    a = world.agreement_a.pk
    page = client.get(url("annual_report", a, 2026)).content.decode()
    assert "kan lämnas in från och med 2027-01-01" in page
    assert 'value="review"' not in page
    response = client.post(url("annual_report_submit", a, 2026), {"accept_warnings": "on"})
    assert response.status_code == 400
    assert "Året 2026 är inte slut än." in response.content.decode()
    assert not AnnualReport.objects.filter(status="submitted").exists()
    confirm = client.get(url("annual_report_confirm", a, 2026)).content.decode()
    assert "Lämna in årsrapporten" not in confirm and "2027-01-01" in confirm


def test_a_year_can_be_submitted_from_the_day_after_it_ends(world, login, set_today):
    set_today(datetime.date(2027, 1, 1))
    client = login(world.manager_a)
    client.post(url("annual_report_submit", world.agreement_a.pk, 2026), {"accept_warnings": "on"})
    assert AnnualReport.objects.get().status == "submitted"


def test_missing_acknowledgement_is_an_error_on_the_confirmation_page(
    world, login, year_2026_ended
):
    response = login(world.manager_a).post(url("annual_report_submit", world.agreement_a.pk, 2026))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Det finns fel att rätta" in html and 'href="#id_accept_warnings"' in html
    assert not AnnualReport.objects.filter(status="submitted").exists()
