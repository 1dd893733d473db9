"""Teams and caseloads: a team page shows its caseload against the target; persons only to
those who work with the team, and only what consent allows; managers and the team lead
change members; the caseworker's start page lists what needs doing in my caseload."""

from __future__ import annotations

import datetime
import logging
from types import SimpleNamespace

import pytest
from django.db import DatabaseError
from django.urls import reverse

from participants.models import AccessLog, Consent, Enrolment, TeamMember
from partnerships.models import Role
from tests.factories.participants import ContactFactory, enrolled
from tests.factories.partnerships import UserFactory
from tests.factories.teams import TeamFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def teams(world, set_today) -> SimpleNamespace:
    """Team T of partnership A: a caseworker of agency A (the association) and of agency B
    (the municipality, also a party), with a team lead; team U with another caseworker.
    Two participants in T: one whose consent covers A, one whose consent covers B only."""
    set_today(D(2026, 3, 2))
    a = world.agreement_a
    team_t = TeamFactory(agreement=a, name="Team Rosengård")
    team_u = TeamFactory(agreement=a, name="Team Fosie")
    cw_a = UserFactory(username="cw_a", organisation=world.org_a, role=Role.CASEWORKER)
    cw_b = UserFactory(username="cw_b", organisation=world.municipality, role=Role.CASEWORKER)
    cw_u = UserFactory(username="cw_u", organisation=world.org_a, role=Role.CASEWORKER)
    lead = UserFactory(username="lead_t", organisation=world.org_a, role=Role.CASEWORKER)
    TeamMemberFactory(team=team_t, user=cw_a)
    TeamMemberFactory(team=team_t, user=cw_b, function="social_secretary")
    TeamMemberFactory(team=team_t, user=lead, function="team_lead", is_lead=True)
    TeamMemberFactory(team=team_u, user=cw_u)
    seen_by_a = enrolled(a, world.org_a, name="Synlig Förening")
    seen_by_b = enrolled(a, world.municipality, name="Synlig Kommun")
    Enrolment.objects.filter(pk=seen_by_a.pk).update(team=team_t, caseworker=cw_a)
    Enrolment.objects.filter(pk=seen_by_b.pk).update(team=team_t, caseworker=cw_b)
    return SimpleNamespace(
        t=team_t, u=team_u, cw_a=cw_a, cw_b=cw_b, cw_u=cw_u, lead=lead,
        seen_by_a=seen_by_a, seen_by_b=seen_by_b,
    )  # fmt: skip


def test_team_list_shows_caseload_against_target(world, login, teams):
    page = login(world.manager_a).get(reverse("participants:team_list")).content.decode()
    assert "Team Rosengård" in page and "Team Fosie" in page
    row = page.split(f'data-team="{teams.t.pk}"')[1].split("</tr>")[0]
    assert '<td class="num">2</td><td class="num">100</td><td class="num">2 %</td>' in row


@pytest.mark.parametrize("role", ["finance_a", "steering_a"])
def test_finance_and_steering_see_numbers_only(world, login, teams, role):
    client = login(getattr(world, role))
    for url in (
        reverse("participants:team_list"),
        reverse("participants:team_detail", args=[teams.t.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Team Rosengård" in page
        for hidden in (
            "Synlig Förening",
            "Synlig Kommun",
            teams.cw_a.last_name,
            teams.seen_by_a.participant.code,
        ):
            assert hidden not in page
    page = client.get(reverse("participants:team_detail", args=[teams.t.pk])).content.decode()
    assert "<dd data-caseload>2</dd>" in page


def test_caseworker_of_another_team_sees_numbers_but_no_participants(world, login, teams):
    page = login(teams.cw_u).get(reverse("participants:team_detail", args=[teams.t.pk]))
    text = page.content.decode()
    assert "<dd data-caseload>2</dd>" in text
    assert "Synlig Förening" not in text and teams.seen_by_a.participant.code not in text


def test_team_member_sees_only_what_consent_allows_and_how_many_are_hidden(world, login, teams):
    text = (
        login(teams.cw_a)
        .get(reverse("participants:team_detail", args=[teams.t.pk]))
        .content.decode()
    )
    assert "Synlig Förening" in text
    assert "Synlig Kommun" not in text and teams.seen_by_b.participant.code not in text
    assert "1 av 2 visas" in text
    assert AccessLog.objects.filter(
        user=teams.cw_a, participant=teams.seen_by_a.participant, what="team"
    ).exists()
    other = (
        login(teams.cw_b)
        .get(reverse("participants:team_detail", args=[teams.t.pk]))
        .content.decode()
    )
    assert "Synlig Kommun" in other and "Synlig Förening" not in other


def test_team_of_another_partnership_is_not_found_and_the_denial_is_logged(
    world, login, teams, caplog
):
    with caplog.at_level(logging.WARNING, logger="iop.security"):
        response = login(world.coordinator_b).get(
            reverse("participants:team_detail", args=[teams.t.pk])
        )
    assert response.status_code == 404
    assert any(
        "coord_b" in r.getMessage() and "not visible" in r.getMessage() for r in caplog.records
    )


def _member_data(user, org, **extra):
    data = {
        "user": user.pk, "organisation": org.pk, "function": "careers_adviser",
        "fte": "0,5", "start_date": "2026-03-01", "end_date": "",
    }  # fmt: skip
    data.update(extra)
    return data


def test_manager_adds_a_member_with_part_time(world, login, teams):
    newcomer = UserFactory(organisation=world.municipality, role=Role.CASEWORKER)
    url = reverse("participants:member_create", args=[teams.t.pk])
    response = login(world.manager_a).post(url, _member_data(newcomer, world.municipality))
    assert response.status_code == 302
    member = TeamMember.objects.get(user=newcomer)
    assert str(member.fte) == "0.50" and member.team == teams.t


def test_member_ending_before_start_is_refused_next_to_the_field(world, login, teams):
    newcomer = UserFactory(organisation=world.municipality, role=Role.CASEWORKER)
    url = reverse("participants:member_create", args=[teams.t.pk])
    response = login(world.manager_a).post(
        url, _member_data(newcomer, world.municipality, end_date="2026-02-01")
    )
    assert response.status_code == 200
    assert "Slutdatum kan inte ligga före startdatum." in response.content.decode()
    assert not TeamMember.objects.filter(user=newcomer).exists()


def test_member_of_an_organisation_they_do_not_work_for_is_refused(world, login, teams):
    newcomer = UserFactory(organisation=world.municipality, role=Role.CASEWORKER)
    url = reverse("participants:member_create", args=[teams.t.pk])
    response = login(world.manager_a).post(url, _member_data(newcomer, world.org_a))
    assert "Personen är inte anställd av den organisationen." in response.content.decode()
    assert not TeamMember.objects.filter(user=newcomer).exists()


def test_team_lead_edits_members_of_own_team_only(world, login, teams):
    client = login(teams.lead)
    assert client.get(reverse("participants:member_create", args=[teams.t.pk])).status_code == 200
    assert client.get(reverse("participants:member_create", args=[teams.u.pk])).status_code == 403
    assert (
        login(teams.cw_a).get(reverse("participants:member_create", args=[teams.t.pk])).status_code
        == 403
    )


def test_manager_creates_a_team_with_a_target(world, login, teams):
    url = reverse("participants:team_create", args=[world.agreement_a.pk])
    response = login(world.manager_a).post(url, {"name": "Team Husie", "caseload_target": "100"})
    assert response.status_code == 302
    again = login(world.manager_a).post(url, {"name": "Team Husie", "caseload_target": "100"})
    assert "Det finns redan ett team med det namnet." in again.content.decode()


def test_caseworker_is_assigned_only_within_the_team(world, login, teams):
    e = enrolled(world.agreement_a, world.org_a, name="Ny Deltagare")
    url = reverse("participants:enrolment_team", args=[e.pk])
    client = login(teams.cw_a)
    refused = client.post(url, {"team": teams.u.pk, "caseworker": teams.cw_a.pk})
    assert "Handläggaren är inte medlem i teamet." in refused.content.decode()
    assert client.post(url, {"team": teams.t.pk, "caseworker": teams.cw_a.pk}).status_code == 302
    e.refresh_from_db()
    assert (e.team, e.caseworker) == (teams.t, teams.cw_a)
    assert AccessLog.objects.filter(participant=e.participant, what="team och handläggare").exists()


def test_no_assignment_is_saved_when_its_log_row_fails(world, login, teams, monkeypatch):
    e = enrolled(world.agreement_a, world.org_a)
    insert = AccessLog.objects.append

    def append(participant_ids, **same):
        if same["action"] != AccessLog.Action.VIEW:
            raise DatabaseError("access log unavailable")
        return insert(participant_ids, **same)

    monkeypatch.setattr(AccessLog.objects, "append", append)
    with pytest.raises(DatabaseError):
        login(teams.cw_a).post(
            reverse("participants:enrolment_team", args=[e.pk]),
            {"team": teams.t.pk, "caseworker": teams.cw_a.pk},
        )
    e.refresh_from_db()
    assert e.team is None and e.caseworker is None


def test_agency_contact_is_named_for_an_enrolment(world, login, teams):
    url = reverse("participants:agency_contact_create", args=[teams.seen_by_a.pk])
    client = login(teams.cw_a)
    data = {
        "organisation": world.municipality.pk,
        "user": teams.cw_b.pk,
        "function": "social_secretary",
    }
    assert client.post(url, data).status_code == 302
    page = client.get(
        reverse("participants:enrolment_team", args=[teams.seen_by_a.pk])
    ).content.decode()
    assert teams.cw_b.get_full_name() in page
    wrong = {"organisation": world.org_a.pk, "user": teams.cw_b.pk, "function": "other"}
    assert (
        "Personen är inte anställd av den valda myndigheten."
        in client.post(url, wrong).content.decode()
    )


# --------------------------------------------------------------------------- start page


def test_caseworker_lands_on_the_caseload(world, login, teams):
    response = login(teams.cw_a).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("participants:start")
    assert login(teams.cw_a).get(reverse("home") + "?todo=1").status_code == 200
    assert login(world.coordinator_a).get(reverse("home")).status_code == 200


def test_start_page_lists_what_needs_doing(world, login, teams, settings):
    settings.IOP_NOT_CONTACTED_DAYS = 21
    mine = teams.seen_by_a
    # Contacted recently: not listed as "no contact".
    ContactFactory(
        participant=mine.participant,
        agreement=world.agreement_a,
        date=D(2026, 2, 25),
        staff=teams.cw_a,
    )
    quiet = enrolled(world.agreement_a, world.org_a, name="Tyst Deltagare")
    ContactFactory(
        participant=quiet.participant,
        agreement=world.agreement_a,
        date=D(2026, 2, 1),
        staff=teams.cw_a,
    )
    expiring = enrolled(world.agreement_a, world.org_a, name="Utgående Samtycke")
    Consent.objects.filter(participant=expiring.participant).update(expires_on=D(2026, 3, 20))
    ContactFactory(
        participant=expiring.participant,
        agreement=world.agreement_a,
        date=D(2026, 3, 1),
        staff=teams.cw_a,
    )
    long = enrolled(world.agreement_a, world.org_a, name="Lång Tid")
    ContactFactory(
        participant=long.participant,
        agreement=world.agreement_a,
        date=D(2026, 3, 1),
        staff=teams.cw_a,
    )
    Enrolment.objects.filter(pk__in=[quiet.pk, expiring.pk, long.pk]).update(
        team=teams.t, caseworker=teams.cw_a
    )
    Enrolment.objects.filter(pk=long.pk).update(planned_max_days=None, start_date=D(2025, 12, 1))
    world.agreement_a.participant_max_days = 60
    world.agreement_a.save()

    page = login(teams.cw_a).get(reverse("participants:start")).content.decode()

    def items(kind: str) -> str:
        return (
            page.split(f'data-kind="{kind}"')[1].split("</ul>")[0]
            if f'data-kind="{kind}"' in page
            else ""
        )

    assert "Tyst Deltagare" in items("not_contacted")
    assert reverse("participants:contact_create", args=[quiet.pk]) in items("not_contacted")
    assert "Synlig Förening" not in items("not_contacted")
    assert "Utgående Samtycke" in items("consent_expiring") and "2026-03-20" in items(
        "consent_expiring"
    )
    assert "Lång Tid" in items("past_max_time")
    assert reverse("participants:timeline", args=[long.participant_id]) in items("past_max_time")
    assert "Ingen kontakt på 21 dagar" in page
    # Someone else's caseload is not mine.
    assert "Synlig Kommun" not in page


def test_not_contacted_follows_the_setting(world, login, teams, settings):
    ContactFactory(
        participant=teams.seen_by_a.participant,
        agreement=world.agreement_a,
        date=D(2026, 2, 20),
        staff=teams.cw_a,
    )
    settings.IOP_NOT_CONTACTED_DAYS = 21
    assert (
        'data-kind="not_contacted"'
        not in login(teams.cw_a).get(reverse("participants:start")).content.decode()
    )
    settings.IOP_NOT_CONTACTED_DAYS = 7
    page = login(teams.cw_a).get(reverse("participants:start")).content.decode()
    assert "Ingen kontakt på 7 dagar" in page


def test_start_page_is_not_for_finance_or_steering(world, login, teams):
    assert login(world.finance_a).get(reverse("participants:start")).status_code == 404
    assert login(world.steering_a).get(reverse("participants:start")).status_code == 404


def _caseload(world, teams, first: int, n: int) -> None:
    for i in range(first, first + n):
        e = enrolled(world.agreement_a, world.org_a, name=f"Deltagare {i}")
        Consent.objects.filter(participant=e.participant).update(expires_on=D(2026, 3, 20))
        Enrolment.objects.filter(pk=e.pk).update(
            team=teams.t, caseworker=teams.cw_a, start_date=D(2025, 1, 1)
        )
        ContactFactory(
            participant=e.participant,
            agreement=world.agreement_a,
            date=D(2026, 1, 2),
            staff=teams.cw_a,
        )


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url_name", ["participants:start", "participants:team_list", "participants:team_detail"]
)
def test_query_count_does_not_grow_with_caseload(
    world, login, teams, url_name, django_assert_num_queries
):
    client = login(teams.cw_a)
    args = [teams.t.pk] if url_name == "participants:team_detail" else []
    url = reverse(url_name, args=args)
    client.get(url)
    _caseload(world, teams, 0, 3)
    small = _queries(client, url)
    # Session, user, device and roles, then the page's own fixed set (the start page: the
    # caseload, one query per work-item source, the access-log rows).
    # Six work-item sources: three of the caseload, three of the plan and referrals.
    assert small == {"participants:start": 11, "participants:team_list": 5}.get(url_name, 12)
    _caseload(world, teams, 3, 27)
    with django_assert_num_queries(small):
        page = client.get(url).content.decode()
    if url_name == "participants:start":
        # In the four lists (no contact, consent, time, no agreed plan) and the caseload table.
        assert page.count("Deltagare 29<") == 5


# --------------------------------------------------------------------------- demo


def test_demo_shows_malmokraften_teams_and_caseloads(client):
    from io import StringIO

    from django.core.management import call_command

    from participants.models import SharedSpecialist, Team
    from partnerships.models import Agreement, User

    call_command("load_demo", allow_demo_data=True, stdout=StringIO())
    mk = Agreement.objects.get(short_id="malmokraften")
    assert Team.objects.filter(agreement=mk).count() == 10
    assert set(mk.parties.values_list("organisation__name", flat=True)) >= {
        "Arbetsförmedlingen",
        "Försäkringskassan",
        "Region Skåne",
        "Samordningsförbundet FINSAM Malmö",
    }
    assert (
        SharedSpecialist.objects.filter(agreement=mk, teams__isnull=False).distinct().count() == 5
    )
    caseworker = User.objects.get(username="handlaggare")
    assert Enrolment.objects.filter(caseworker=caseworker, exit_date__isnull=True).exists()
    client.force_login(caseworker)
    assert client.get(reverse("home"))["Location"] == reverse("participants:start")
    page = client.get(reverse("participants:start")).content.decode()
    assert "Samtycket upphör inom 30 dagar" in page
    # Re-running replaces the teams.
    call_command("load_demo", allow_demo_data=True, stdout=StringIO())
    assert Team.objects.filter(agreement=mk).count() == 10


def test_start_page_shows_any_registered_source(world, login, teams, monkeypatch):
    from participants import worklist

    def referral_waiting(user, today, caseload):
        return [
            worklist.WorkItem(
                kind="test_kind",
                label="Något annat att göra",
                participant_id=e.participant_id,
                participant_code=e.participant.code,
                url=f"/participants/{e.participant_id}/",
            )
            for e in caseload.select_related("participant")
        ]

    monkeypatch.setattr(worklist, "SOURCES", [*worklist.SOURCES, referral_waiting])
    page = login(teams.cw_a).get(reverse("participants:start")).content.decode()
    kind = page.split('data-kind="test_kind"')[1].split("</ul>")[0]
    assert "Något annat att göra (1)" in page and "Synlig Förening" in kind
