"""Plain Swedish error pages; no stack traces, SQL or personal data in pages or logs."""

from __future__ import annotations

import logging
import re

import pytest
from django.db import connection
from django.urls import include, path


def _explode(request):
    raise ValueError("Personnummer 19900101-1234 tillhör Testa Testsson")


def _bad_sql(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_for_personal_data")


urlpatterns = [
    path("explode/", _explode),
    path("bad-sql/", _bad_sql),
    path("", include("iop.urls")),
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/explode/", "/bad-sql/"])
def test_server_error_shows_a_plain_swedish_page_and_logs_no_details(world, login, caplog, url):
    client = login(world.coordinator_a)
    client.raise_request_exception = False
    caplog.set_level(logging.INFO)
    response = client.get(url)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Något gick fel" in html
    for secret in ("19900101-1234", "Testsson", "Traceback", "no_such_table", "SELECT"):
        assert secret not in html
        assert secret not in caplog.text
    assert "Internal Server Error: " + url in caplog.text


def test_missing_page_is_a_plain_swedish_404(world, login):
    response = login(world.coordinator_a).get("/no-such-page/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


def _without_tokens(response) -> str:
    # The CSRF token and the language switch's "next" address differ; nothing else may.
    html = re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())
    return re.sub(r'name="next" value="[^"]*"', "", html)


def test_denied_object_answers_404_like_a_missing_one_and_is_logged(world, login, caplog):
    caplog.set_level(logging.INFO)
    client = login(world.coordinator_b)
    denied = client.get(f"/agreements/{world.agreement_a.pk}/")
    missing = client.get("/agreements/999999/")
    assert denied.status_code == missing.status_code == 404
    assert "Sidan finns inte" in denied.content.decode()
    assert _without_tokens(denied) == _without_tokens(missing)
    assert (
        f"not found or not visible user=coord_b path=/agreements/{world.agreement_a.pk}/"
        in caplog.text
    )


def test_forbidden_function_is_a_plain_swedish_403(world, login):
    response = login(world.coordinator_a).get(f"/agreements/{world.agreement_a.pk}/edit/")
    assert response.status_code == 403
    assert "Ingen behörighet" in response.content.decode()


def test_expired_form_is_explained_in_swedish(world, client):
    client.enforce_csrf_checks = True
    client.handler.enforce_csrf_checks = True
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.content.decode()


def test_working_with_a_participant_logs_no_personal_data(world, login, caplog):
    from tests.factories.participants import enrolled

    caplog.set_level(logging.DEBUG)
    enrolment = enrolled(
        world.agreement_a, world.org_a, name="Hemlig Påhittadsson", personnummer="19850312-2398"
    )
    client = login(world.coordinator_a)
    for url in [
        "/participants/",
        f"/participants/{enrolment.participant_id}/",
        f"/participants/enrolments/{enrolment.pk}/contacts/new/",
    ]:
        assert client.get(url).status_code == 200
    client.post(
        f"/participants/enrolments/{enrolment.pk}/contacts/new/",
        {"date": "2026-01-20", "kind": "phone", "duration_minutes": "15", "topic": "Samtal"},
    )
    client.get(f"/participants/{enrolment.participant_id + 999}/")
    for secret in ("Hemlig", "Påhittadsson", "19850312", "2398"):
        assert secret not in caplog.text
