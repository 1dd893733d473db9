"""Small hardening: control characters refused with a message in every text input and
filter, failed sign-ins log only usernames that exist, and the referral picker lists only
the organisations of the user's partnerships."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from partnerships.models import Meeting
from tests.factories.participants import enrolled
from tests.factories.partnerships import OrganisationFactory
from tests.test_meetings import meeting_post

pytestmark = pytest.mark.django_db

CONTROL = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f"]


@pytest.mark.parametrize("character", CONTROL)
def test_a_text_input_with_a_control_character_gets_a_message_at_the_field(world, login, character):
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, place=f"Kommun{character}huset"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_place_error"' in page
    assert "osynliga styrtecken" in page or "Null-tecken" in page
    assert not Meeting.objects.exists()


def test_tabs_and_line_breaks_stay_allowed_in_a_text_area(world, login):
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, minutes="Punkt 1\r\n\tBeslut."),
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "name, params",
    [
        ("participants:access_log", {"participant": "1\x00"}),
        ("participants:access_log_csv", {"user": "\x00"}),
        ("participants:list", {"phase": "a\x00b"}),
        ("dashboard_overview", {"year": "2026\x00"}),
    ],
)
def test_a_filter_with_nul_is_refused_with_a_message_not_a_server_error(world, login, name, params):
    response = login(world.admin).get(reverse(name), params)
    assert response.status_code == 400
    assert "osynliga styrtecken" in response.content.decode()


def test_an_export_filter_with_nul_is_refused(world, login):
    url = reverse("io_export", args=["organisations"])
    response = login(world.admin).get(url, {"format": "csv", "name": "a\x00"})
    assert response.status_code == 400


def test_a_participant_search_with_nul_says_so_instead_of_searching(world, login):
    enrolled(world.agreement_a, world.org_a, name="Testa Testsson")
    response = login(world.coordinator_a).post(reverse("participants:list"), {"q": "Te\x00"})
    assert response.status_code == 200
    assert "Sökningen innehåller otillåtna tecken" in response.content.decode()


def test_a_failed_sign_in_logs_an_unknown_username_never(world, client, caplog):
    caplog.set_level(logging.INFO)
    client.post("/login/", {"username": "Hemligt-Lösen-123", "password": "x"})
    client.post("/login/", {"username": "finance_a", "password": "wrong-password-123"})
    assert "Hemligt-Lösen-123" not in caplog.text
    assert "sign-in failed user=(unknown)" in caplog.text
    assert "sign-in failed user=finance_a" in caplog.text


def test_the_referral_picker_lists_only_organisations_of_the_users_partnerships(world, login):
    stranger = OrganisationFactory(name="Helt okänd stiftelse")
    enrolment = enrolled(world.agreement_a, world.org_a)
    client = login(world.coordinator_a)
    url = reverse("participants:referral_create", args=[enrolment.participant_id])
    page = client.get(url).content.decode()
    assert world.org_a.name in page and world.municipality.name in page
    for hidden in (stranger, world.org_b, world.outsider_org):
        assert hidden.name not in page
    response = client.post(
        url,
        {
            "agreement": world.agreement_a.pk,
            "date": "2026-01-10",
            "referred_by": "Handläggare",
            "organisation": stranger.pk,
        },
    )
    assert response.status_code in (200, 400)
    assert not enrolment.participant.referrals.exists()


def test_the_registration_form_lists_only_organisations_of_the_users_partnerships(world, login):
    OrganisationFactory(name="Helt okänd stiftelse")
    page = login(world.coordinator_a).get(reverse("participants:create")).content.decode()
    assert "Helt okänd stiftelse" not in page
    assert world.outsider_org.name not in page
