"""No personal data in URLs or logs: the Mina deltagare search is POSTed, every URL the
list emits carries codes only, and no log line holds a searched name."""

from __future__ import annotations

import logging
import re

import pytest
from django.urls import reverse

from participants import views
from tests.factories.participants import enrolled

pytestmark = pytest.mark.django_db

NAME = "Zlatana Örnsköld"
SEARCH = "Örnsk"
PERSONNUMMER = "199001011239"

# Every attribute that holds a URL the browser may request or show.
URL_ATTRIBUTES = re.compile(r'\s(?:href|src|action|hx-get|hx-post|hx-put|hx-delete)="([^"]*)"')


def _urls(html: str) -> list[str]:
    return URL_ATTRIBUTES.findall(html)


def _assert_no_personal_data_in(urls: list[str]) -> None:
    from urllib.parse import unquote_plus

    for url in urls:
        decoded = unquote_plus(url).lower()
        for secret in (NAME, SEARCH, "zlatana", PERSONNUMMER):
            assert secret.lower() not in decoded, url


@pytest.fixture
def people(world):
    found = enrolled(world.agreement_a, world.org_a, name=NAME, personnummer=PERSONNUMMER)
    other = enrolled(world.agreement_a, world.org_a, name="Berit Annan")
    return found, other


def test_search_is_posted_and_finds_the_participant_by_name(world, login, people):
    found, other = people
    client = login(world.coordinator_a)
    page = client.get(reverse("participants:list")).content.decode()
    form = re.search(r'<form method="(\w+)"[^>]*role="search"', page)
    assert form and form.group(1) == "post"
    response = client.post(reverse("participants:list"), {"q": SEARCH})
    assert response.status_code == 200
    html = response.content.decode()
    assert NAME in html
    assert other.participant.name not in html
    assert found.participant.code in html
    # Codes can be searched too.
    html = client.post(reverse("participants:list"), {"q": other.participant.code}).content
    assert b"Berit Annan" in html and NAME.encode() not in html


def test_search_term_in_the_query_string_is_ignored(world, login, people):
    client = login(world.coordinator_a)
    html = client.get(reverse("participants:list") + "?q=Berit").content.decode()
    assert NAME in html and "Berit Annan" in html
    assert 'value="Berit"' not in html


def test_no_url_on_the_list_carries_the_search_term_or_a_name(world, login, people, monkeypatch):
    # Small pages, so that the search result has page links to check too.
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    for i in range(2):
        enrolled(world.agreement_a, world.org_a, name=f"Örnsköld Syskon {i}")
    client = login(world.coordinator_a)
    list_url = reverse("participants:list") + f"?agreement={world.agreement_a.pk}"
    for response in (
        client.get(list_url),
        client.post(list_url, {"q": SEARCH}),
        client.post(reverse("participants:list") + "?page=2", {"q": SEARCH}),
    ):
        assert response.status_code == 200
        assert "Location" not in response.headers
        html = response.content.decode()
        urls = _urls(html)
        assert urls
        _assert_no_personal_data_in(urls)
    # The second page of the search result is asked for with the term in the body.
    assert "Sida 2 av 3" in html
    assert re.search(r'<input type="hidden" name="q" value="Örnsk">', html)
    # Rows link to participants by id; the in-place contact form by enrolment id.
    found = people[0]
    row = client.get(
        reverse("participants:contact_create", args=[found.pk]), HTTP_HX_REQUEST="true"
    )
    _assert_no_personal_data_in(_urls(row.content.decode()))


def test_redirects_after_changes_carry_ids_only(world, login, people):
    found, _other = people
    client = login(world.coordinator_a)
    response = client.post(
        reverse("participants:contact_create", args=[found.pk]),
        {"date": "2026-03-01", "kind": "meeting", "duration_minutes": "30", "topic": NAME},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("participants:timeline", args=[found.participant_id])
    # Signed out, the sign-in redirect keeps only the path and the codes of the query.
    client.logout()
    response = client.post(
        reverse("participants:list") + f"?agreement={world.agreement_a.pk}", {"q": SEARCH}
    )
    assert response.status_code == 302
    _assert_no_personal_data_in([response["Location"]])


def test_searching_and_reading_log_no_name_or_term(world, login, people, caplog):
    found, _other = people
    client = login(world.coordinator_a)
    with caplog.at_level(logging.DEBUG):
        client.post(reverse("participants:list"), {"q": SEARCH})
        client.get(reverse("participants:timeline", args=[found.participant_id]))
        # Refused and missing pages are logged (path and user only).
        client.get(reverse("participants:timeline", args=[found.participant_id + 1000]))
        login(world.finance_a).post(reverse("participants:list"), {"q": SEARCH})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "not found" in text  # the test does see the security log
    for secret in (NAME, SEARCH, PERSONNUMMER):
        assert secret not in text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_searching_in_the_browser_puts_no_name_in_any_request_url(page, world):
    from tests.conftest import browser_login

    enrolled(world.agreement_a, world.org_a, name=NAME)
    enrolled(world.agreement_a, world.org_a, name="Berit Annan")
    browser_login(page, world.coordinator_a.username)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/participants/")
    page.get_by_placeholder("Kod eller namn").fill(SEARCH)
    page.get_by_role("button", name="Sök", exact=True).click()
    page.wait_for_load_state()
    assert NAME in page.content()
    assert "Berit Annan" not in page.content()
    assert page.get_by_placeholder("Kod eller namn").input_value() == SEARCH
    assert requested
    _assert_no_personal_data_in([page.url, *requested])
