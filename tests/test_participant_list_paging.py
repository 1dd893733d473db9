"""Mina deltagare at scale: keyset paging equals paging by number, one count for the list
and the occupancy that never includes a hidden row, and the list's indexes (issue 19)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse

from participants import views
from participants.models import Enrolment, Phase
from tests.factories.participants import (
    ContactFactory,
    EnrolmentFactory,
    ParticipantFactory,
    enrolled,
)
from tests.factories.partnerships import AgreementFactory, PartyFactory

pytestmark = pytest.mark.django_db

ROW = re.compile(r'id="enrolment-(\d+)"')
NEXT = re.compile(r'<a href="\?page=(\d+)&amp;after=([^"&]*)(?:&amp;[^"]*)?">Nästa</a>')


@pytest.fixture
def crowd(world):
    """Rows that tie on every sort key but the last: two partnerships of the same title,
    shared start dates, shared last-contact dates and none, phases of the same position
    and none."""
    twin = AgreementFactory.create(short_id="iop-a2", title=world.agreement_a.title)
    PartyFactory.create(agreement=twin, organisation=world.org_a)
    later = AgreementFactory.create(short_id="iop-z", title="IOP Z")
    PartyFactory.create(agreement=later, organisation=world.org_a)
    for i in range(4):
        enrolled(later, world.org_a, name=f"Z {i}")
    own_phase = Phase.objects.create(agreement=twin, name="Egen fas", position=1)
    default_phase = Phase.objects.filter(agreement__isnull=True).order_by("position").first()
    days = [datetime.date(2026, 1, 10), datetime.date(2026, 2, 1)]
    for i in range(13):
        agreement = twin if i % 3 == 0 else world.agreement_a
        e = enrolled(agreement, world.org_a, name=f"Person {i}")
        e.start_date = days[i % 2]
        e.phase = None if i % 4 == 0 else (own_phase if agreement == twin else default_phase)
        e.save()
        if i % 3:
            ContactFactory(
                participant=e.participant,
                agreement=agreement,
                staff=world.coordinator_a,
                date=datetime.date(2026, 3, 1 + i % 2),
            )
    return twin


def _rows(html: str) -> list[int]:
    return [int(pk) for pk in ROW.findall(html)]


@pytest.mark.parametrize("sort", views.KEYSET_SORTS)
def test_following_next_shows_the_same_rows_as_the_page_number(
    world, crowd, login, monkeypatch, sort
):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    client = login(world.coordinator_a)
    url = reverse("participants:list") + (f"?sort={sort}" if sort else "")
    html = client.get(url).content.decode()
    followed = [_rows(html)]
    while match := NEXT.search(html):
        number, after = match.groups()
        # Only the last row's id: no date or anything else about a person in the address.
        assert re.fullmatch(r"[0-9]+", after), after
        link = match.group(0).split('"')[1].replace("&amp;", "&")
        html = client.get(reverse("participants:list") + link).content.decode()
        followed.append(_rows(html))
        assert f"Sida {number} av 6" in html
    by_number = [
        _rows(client.get(url, {"page": n, **({"sort": sort} if sort else {})}).content.decode())
        for n in range(1, 7)
    ]
    assert followed == by_number
    # Both the same as the whole list sorted at once, not paged.
    everything = views._shown_rows(world.coordinator_a, {"sort": sort} if sort else {}, "")
    assert [pk for page in by_number for pk in page] == list(
        everything.values_list("pk", flat=True)
    )
    everyone = [pk for page in followed for pk in page]
    assert sorted(everyone) == sorted(Enrolment.objects.open().values_list("pk", flat=True))


def test_the_contact_sort_pages_by_number(world, crowd, login, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    client = login(world.coordinator_a)
    url = reverse("participants:list")
    html = client.get(url, {"sort": "contact"}).content.decode()
    assert '<a href="?page=2&amp;sort=contact">Nästa</a>' in html
    pages = [
        _rows(client.get(url, {"sort": "contact", "page": n}).content.decode()) for n in range(1, 7)
    ]
    assert sorted(pk for page in pages for pk in page) == sorted(
        Enrolment.objects.open().values_list("pk", flat=True)
    )


def test_a_cursor_that_does_not_fit_falls_back_to_the_page_number(world, crowd, login, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    client = login(world.coordinator_a)
    url = reverse("participants:list")
    expected = _rows(client.get(url, {"page": 2}).content.decode())
    # Not a number, no such row, and a row of a partnership the user does not work in.
    hidden = EnrolmentFactory.create(agreement=world.agreement_b)
    for after in ("x", "1_2", "999999", "9" * 40, str(hidden.pk)):
        assert _rows(client.get(url, {"page": 2, "after": after}).content.decode()) == expected


def _caption_count(html: str) -> int:
    match = re.search(r'<caption class="visually-hidden">(\d+) deltagare</caption>', html)
    assert match, "no count"
    return int(match.group(1))


def test_the_count_includes_no_hidden_row_and_the_occupancy_every_place(world, login):
    for i in range(3):
        enrolled(world.agreement_a, world.org_a, name=f"Synlig {i}")
    # Registered elsewhere, no consent towards Förening A: a place taken, not a row shown.
    hidden = [
        EnrolmentFactory(participant=ParticipantFactory(name=f"Dold {i}"), agreement=a)
        for i, a in enumerate([world.agreement_a, world.agreement_a, world.agreement_b])
    ]
    client = login(world.coordinator_a)
    html = client.get(reverse("participants:list")).content.decode()
    assert _caption_count(html) == 3
    assert "5 av 40 platser" in html  # every open enrolment in IOP A takes a place
    assert "IOP B" not in html  # not a partnership of Förening A
    # A search or filter that would match only hidden rows counts none of them.
    code = hidden[0].participant.code
    html = client.post(reverse("participants:list"), {"q": code}).content.decode()
    assert _caption_count(html) == 0 and "5 av 40 platser" in html
    url = reverse("participants:list") + f"?agreement={world.agreement_b.pk}"
    assert _caption_count(client.get(url).content.decode()) == 0


def test_the_count_follows_the_search_and_the_filters(world, login):
    for i in range(4):
        e = enrolled(world.agreement_a, world.org_a, name=f"Person {i}")
        if i % 2:
            ContactFactory(
                participant=e.participant,
                agreement=world.agreement_a,
                staff=world.coordinator_a,
                date=datetime.date.today(),
            )
    client = login(world.coordinator_a)
    url = reverse("participants:list")
    assert _caption_count(client.get(url, {"contact": "30"}).content.decode()) == 2
    html = client.post(url, {"q": "Person 3"}).content.decode()
    assert _caption_count(html) == 1 and "Person 3" in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_open_enrolment_indexes_match_the_list_sorts(world):
    for i in range(5):
        enrolled(world.agreement_a, world.org_a, name=f"Person {i}")
    # On a few rows the planner would rather scan and sort; forbidden both, it must find an
    # index that delivers the rows in the sort's order (the 50 000-participant benchmark's
    # EXPLAIN ANALYZE shows it choosing them unforced).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    # A partnership's open enrolments in the default sort's order (and its count).
    default = Enrolment.objects.open().filter(agreement_id=world.agreement_a.pk)
    default = default.order_by("-start_date", "-pk").values("pk")[:50]
    assert "enrolment_open_by_agreement" in default.explain()
    days = Enrolment.objects.open().order_by(*views.SORTS["days"]).values("pk")[:50]
    assert "enrolment_open_by_start" in days.explain()
