"""Running the partnership: governance bodies and members (users or people outside the
system), meetings of a body, parties joining and leaving, stages, the risk register with
its history and matrix, the obstacle list, and a body's draft agenda from live data."""

import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from partnerships.models import (
    Attendee,
    BodyMember,
    GovernanceBody,
    Meeting,
    Obstacle,
    Risk,
    RiskChange,
    Stage,
)
from tests.factories.partnerships import ActionItemFactory, MeetingFactory

D = datetime.date


@pytest.fixture
def steering(world):
    body = GovernanceBody.objects.create(
        agreement=world.agreement_a, kind=GovernanceBody.Kind.STEERING, mandate="Styr."
    )
    chair = BodyMember.objects.create(
        body=body, user=world.manager_a, role=BodyMember.Role.CHAIR, start_date=D(2026, 1, 1)
    )
    outside = BodyMember.objects.create(
        body=body,
        name="Ingrid Påhittad",
        organisation_name="Påhittade folkhögskolan",
        role=BodyMember.Role.CO_OPTED,
        start_date=D(2026, 1, 1),
    )
    return body, chair, outside


def body_post(**overrides):
    data = {
        "kind": "steering",
        "name": "",
        "mandate": "Styr verksamheten.",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-name": "Kalle Påhittad",
        "members-0-organisation_name": "Påhittade föreningen",
        "members-0-title": "ordförande i föreningen",
        "members-0-role": "member",
        "members-0-start_date": "2026-02-01",
        "members-0-end_date": "",
    }
    data.update(overrides)
    return data


def test_manager_adds_a_body_with_an_outside_member(world, login):
    client = login(world.manager_a)
    response = client.post(reverse("body_create", args=[world.agreement_a.pk]), body_post())
    assert response.status_code == 302
    member = BodyMember.objects.get()
    assert member.is_outside and member.body.kind == "steering"
    page = client.get(reverse("governance", args=[world.agreement_a.pk]))
    assert "Kalle Påhittad" in page.content.decode()


def test_member_ending_before_starting_is_refused_and_nothing_saved(world, login):
    response = login(world.manager_a).post(
        reverse("body_create", args=[world.agreement_a.pk]),
        body_post(**{"members-0-end_date": "2026-01-15"}),
    )
    assert response.status_code == 400
    assert "Slutdatum kan inte ligga före startdatum." in response.content.decode()
    assert not GovernanceBody.objects.exists() and not BodyMember.objects.exists()


def test_member_without_user_or_name_is_refused(world, login):
    response = login(world.manager_a).post(
        reverse("body_create", args=[world.agreement_a.pk]), body_post(**{"members-0-name": ""})
    )
    assert response.status_code == 400
    assert "Välj en användare eller skriv personens namn." in response.content.decode()


def test_member_outside_the_system_cannot_sign_in(world, steering):
    _body, _chair, outside = steering
    client = Client()
    for username in (outside.name, "Ingrid", "ingrid.pahittad"):
        assert not client.login(username=username, password="")
    response = client.get(reverse("governance", args=[world.agreement_a.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_governance_readable_by_steering_group_not_by_other_partnership(world, login, steering):
    url = reverse("governance", args=[world.agreement_a.pk])
    assert login(world.steering_a).get(url).status_code == 200
    assert (
        login(world.steering_a).get(reverse("body_create", args=[world.agreement_a.pk])).status_code
        == 403
    )
    assert login(world.coordinator_b).get(url).status_code == 404
    body = steering[0]
    edit = reverse("body_edit", args=[world.agreement_b.pk, body.pk])
    assert login(world.manager_a).get(edit).status_code == 404


# --------------------------------------------------------------------------- meetings


def meeting_post(world, body, members, **overrides):
    data = {
        "kind": "steering",
        "body": body.pk,
        "status": "planned",
        "date": "2026-05-12",
        "start_time": "",
        "place": "Kommunhuset",
        "convened_by": world.org_a.pk,
        "agenda": "Läget",
        "minutes": "",
        "present_members": [m.pk for m in members],
        "attendees-TOTAL_FORMS": "1",
        "attendees-INITIAL_FORMS": "0",
        "attendees-0-name": "Gästen Påhittad",
        "attendees-0-title": "",
        "attendees-0-organisation": world.municipality.pk,
        "decisions-TOTAL_FORMS": "0",
        "decisions-INITIAL_FORMS": "0",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_meeting_of_a_body_takes_attendees_from_its_members_and_a_guest(world, login, steering):
    body, chair, outside = steering
    client = login(world.manager_a)
    response = client.post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, body, [chair, outside]),
    )
    assert response.status_code == 302, response.content.decode()
    meeting = Meeting.objects.get()
    assert meeting.body == body
    names = set(meeting.attendees.values_list("name", flat=True))
    assert names == {chair.display_name, "Ingrid Påhittad", "Gästen Påhittad"}
    assert Attendee.objects.get(member=outside).organisation_name == "Påhittade folkhögskolan"
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert "Ingrid Påhittad" in detail and "Påhittade folkhögskolan" in detail
    pdf = client.get(reverse("meeting_minutes_pdf", args=[meeting.pk]))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Ingrid Påhittad" in text


def test_meeting_of_a_body_dated_outside_the_agreement_is_refused(world, login, steering):
    body, chair, _outside = steering
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, body, [chair], date="2030-01-10"),
    )
    assert response.status_code == 400
    assert "Mötet måste ligga inom överenskommelsens period" in response.content.decode()
    assert not Meeting.objects.exists()


def test_member_of_another_body_cannot_be_marked_present(world, login, steering):
    body, chair, _outside = steering
    other = GovernanceBody.objects.create(agreement=world.agreement_a, kind="reference")
    stranger = BodyMember.objects.create(body=other, name="Rut Påhittad", start_date=D(2026, 1, 1))
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, body, [chair, stranger]),
    )
    assert response.status_code == 400
    assert "Rut Påhittad är inte ledamot i mötets organ." in response.content.decode()
    assert not Meeting.objects.exists()


def test_existing_meetings_without_a_body_keep_working(world, login):
    meeting = MeetingFactory(agreement=world.agreement_a, convened_by=world.org_a)
    client = login(world.manager_a)
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert client.get(reverse("meeting_edit", args=[meeting.pk])).status_code == 200


def test_new_meeting_of_a_body_starts_with_a_draft_agenda_from_live_data(
    world, login, steering, set_today
):
    set_today(D(2026, 6, 1))
    body, chair, outside = steering
    earlier = MeetingFactory(
        agreement=world.agreement_a, convened_by=world.org_a, date=D(2026, 3, 2), body=body
    )
    ActionItemFactory(meeting=earlier, description="Ta fram statistik", due_date=D(2026, 5, 1))
    Risk.objects.create(
        agreement=world.agreement_a,
        title="För få praktikplatser",
        category="labour_market",
        likelihood=3,
        consequence=2,
        owner_party=world.party_a,
        owner_person="Åsa Påhittad",
        next_review=D(2026, 6, 15),
    )
    Obstacle.objects.create(
        agreement=world.agreement_a,
        description="Krav på kunskapsnivå för att delta",
        level="municipal",
        lies_with="Vuxenutbildningen",
        raised_on=D(2026, 2, 1),
        raised_by="Projektgruppen",
    )
    page = login(world.manager_a).get(
        reverse("meeting_create", args=[world.agreement_a.pk]) + f"?body={body.pk}"
    )
    html = page.content.decode()
    assert "Åtgärd: Ta fram statistik – " in html and "(försenad)" in html
    assert "Risk att se över: För få praktikplatser (grad Stor, översyn 2026-06-15)" in html
    assert "Öppet hinder: Krav på kunskapsnivå för att delta (Vuxenutbildningen)" in html
    assert "Nyckeltal sedan 2026-03-02" in html
    # The members serving today are marked present from the start.
    assert re.search(rf'value="{outside.pk}"[^>]* checked', html)


# --------------------------------------------------------------------------- parties


def test_party_joining_midway_shows_in_history(world, login):
    client = login(world.manager_a)
    response = client.post(
        reverse("party_create", args=[world.agreement_a.pk]),
        {
            "organisation": world.outsider_org.pk,
            "role": "partner",
            "responsibilities": "",
            "joined_on": "2027-01-01",
            "left_on": "",
            "resources-TOTAL_FORMS": "0",
            "resources-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    history = client.get(reverse("agreement_history", args=[world.agreement_a.pk]))
    assert "från 2027-01-01" in history.content.decode()


def test_party_leaving_before_joining_is_refused(world, login):
    response = login(world.manager_a).post(
        reverse("party_edit", args=[world.agreement_a.pk, world.party_a.pk]),
        {
            "organisation": world.org_a.pk,
            "role": "operator",
            "joined_on": "2026-06-01",
            "left_on": "2026-03-01",
            "resources-TOTAL_FORMS": "0",
            "resources-INITIAL_FORMS": "0",
        },
    )
    assert "Parten kan inte lämna före den gick in." in response.content.decode()
    world.party_a.refresh_from_db()
    assert world.party_a.left_on is None


# --------------------------------------------------------------------------- stages


def stage_post(**overrides):
    data = {"name": "Pilot", "start_date": "2026-01-01", "end_date": "2026-12-31", "goals": ""}
    data.update(overrides)
    return data


def test_stage_is_shown_on_the_agreement_page(world, login):
    client = login(world.manager_a)
    url = reverse("stage_create", args=[world.agreement_a.pk])
    assert client.post(url, stage_post()).status_code == 302
    page = client.get(world.agreement_a.get_absolute_url()).content.decode()
    assert "Pilot" in page and "2026-01-01 – 2026-12-31" in page


def test_stage_outside_the_agreement_period_is_refused(world, login):
    response = login(world.manager_a).post(
        reverse("stage_create", args=[world.agreement_a.pk]), stage_post(end_date="2028-06-30")
    )
    assert response.status_code == 400
    assert "Etappen måste ligga inom överenskommelsens period 2026-01-01–2027-12-31." in (
        response.content.decode()
    )
    assert not Stage.objects.exists()


def test_overlapping_stage_is_refused(world, login):
    Stage.objects.create(
        agreement=world.agreement_a,
        name="Förberedelse",
        start_date=D(2026, 1, 1),
        end_date=D(2026, 6, 30),
    )
    response = login(world.manager_a).post(
        reverse("stage_create", args=[world.agreement_a.pk]),
        stage_post(start_date="2026-06-01"),
    )
    assert response.status_code == 400
    assert "Etappen överlappar etappen Förberedelse" in response.content.decode()
    assert Stage.objects.count() == 1


# --------------------------------------------------------------------------- risks


def risk_post(world, **overrides):
    data = {
        "title": "Parterna prioriterar om",
        "category": "resources",
        "likelihood": "2",
        "consequence": "3",
        "owner_party": world.party_a.pk,
        "owner_person": "Åsa Påhittad",
        "mitigation": "Förankra i styrgruppen.",
        "status": "open",
        "next_review": "2026-09-01",
    }
    data.update(overrides)
    return data


def test_risk_without_owner_is_refused(world, login):
    response = login(world.manager_a).post(
        reverse("risk_create", args=[world.agreement_a.pk]),
        risk_post(world, owner_party="", owner_person=""),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ange vilken part som äger risken." in html and "Ange vem som äger risken." in html
    assert not Risk.objects.exists()


def test_risk_owner_must_be_a_party_of_the_agreement(world, login):
    response = login(world.manager_a).post(
        reverse("risk_create", args=[world.agreement_a.pk]),
        risk_post(world, owner_party=world.party_b.pk),
    )
    assert "Ägaren måste vara part i överenskommelsen." in response.content.decode()
    assert not Risk.objects.exists()


def test_every_change_of_grade_or_status_is_kept_with_date_and_who(world, login, set_today):
    set_today(D(2026, 2, 1))
    client = login(world.manager_a)
    client.post(reverse("risk_create", args=[world.agreement_a.pk]), risk_post(world))
    risk = Risk.objects.get()
    assert risk.get_grade_display() == "Stor"
    edit = reverse("risk_edit", args=[world.agreement_a.pk, risk.pk])
    client.post(edit, risk_post(world, mitigation="Ny text"))  # no grade/status change
    set_today(D(2026, 4, 1))
    client.post(edit, risk_post(world, likelihood="1", status="mitigated"))
    changes = list(RiskChange.objects.order_by("pk"))
    assert [(c.changed_on, c.grade, c.status) for c in changes] == [
        (D(2026, 2, 1), 3, "open"),
        (D(2026, 4, 1), 2, "mitigated"),
    ]
    assert {c.changed_by for c in changes} == {world.manager_a}
    detail = client.get(reverse("risk_detail", args=[world.agreement_a.pk, risk.pk]))
    assert "2026-04-01" in detail.content.decode()


def test_failing_history_write_leaves_the_risk_unsaved(world, login, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("history write failed")

    monkeypatch.setattr(RiskChange.objects, "create", fail)
    client = login(world.manager_a)
    client.raise_request_exception = False
    client.post(reverse("risk_create", args=[world.agreement_a.pk]), risk_post(world))
    assert not Risk.objects.exists()


def test_risk_matrix_counts_risks_in_svg_and_table(world, login):
    for likelihood, consequence in ((3, 3), (3, 3), (1, 2)):
        Risk.objects.create(
            agreement=world.agreement_a,
            title=f"Risk {likelihood}{consequence}",
            category="cooperation",
            likelihood=likelihood,
            consequence=consequence,
            owner_party=world.party_a,
            owner_person="Åsa Påhittad",
        )
    html = login(world.steering_a).get(world.agreement_a.get_absolute_url()).content.decode()
    assert '<g data-likelihood="3" data-consequence="3" data-count="2">' in html
    assert '<g data-likelihood="1" data-consequence="2" data-count="1">' in html
    assert 'role="img"' in html and "Riskmatris som tabell" in html
    assert '<td class="num" data-likelihood="3" data-consequence="3">2</td>' in html


# --------------------------------------------------------------------------- obstacles


def obstacle_post(**overrides):
    data = {
        "description": "Exkluderande krav på kunskapsnivå",
        "level": "national",
        "lies_with": "Skolverket",
        "raised_on": "2026-03-01",
        "raised_by": "Projektgruppen",
        "escalated_to": "",
        "escalated_on": "",
        "status": "open",
        "resolution": "",
        "resolved_on": "",
    }
    data.update(overrides)
    return data


def test_obstacle_closed_without_resolution_is_refused(world, login):
    response = login(world.manager_a).post(
        reverse("obstacle_create", args=[world.agreement_a.pk]),
        obstacle_post(status="closed", resolved_on="2026-06-01"),
    )
    assert response.status_code == 400
    assert "behöver en beskriven lösning eller utfall" in response.content.decode()
    assert not Obstacle.objects.exists()


def test_obstacle_escalated_and_resolved_shows_on_the_list(world, login):
    client = login(world.manager_a)
    response = client.post(
        reverse("obstacle_create", args=[world.agreement_a.pk]),
        obstacle_post(
            escalated_to="Länsstyrelsen",
            escalated_on="2026-04-01",
            status="resolved",
            resolution="Kravet slopat lokalt.",
            resolved_on="2026-09-01",
        ),
    )
    assert response.status_code == 302
    html = client.get(reverse("governance", args=[world.agreement_a.pk])).content.decode()
    assert "Kravet slopat lokalt." in html and "Länsstyrelsen 2026-04-01" in html


# --------------------------------------------------------------------------- demo


@pytest.mark.django_db
def test_demo_internationella_kvinnor_shows_bodies_stages_risks_and_obstacles(client):
    from django.core.management import call_command

    from partnerships.models import Agreement, User

    for _run in range(2):  # the demo can be loaded twice
        call_command("load_demo", allow_demo_data=True, stdout=io.StringIO())
    agreement = Agreement.objects.get(title="Internationella kvinnor")
    assert agreement.risks.count() == 17
    assert [s.name for s in agreement.stages.all()] == [
        "Förberedelser",
        "Pilot i stadsområde Öster",
        "Implementering",
    ]
    steering = agreement.bodies.get(kind="steering")
    roles = set(steering.members.values_list("role", flat=True))
    assert {"chair", "secretary", "co_opted"} <= roles
    assert set(agreement.bodies.values_list("kind", flat=True)) == {
        "steering",
        "reference",
        "communication",
        "project",
    }
    outside = steering.members.filter(user__isnull=True).first()
    assert not User.objects.filter(username__iexact=outside.name).exists()
    client.force_login(User.objects.get(username="styrgrupp"))
    html = client.get(reverse("governance", args=[agreement.pk])).content.decode()
    assert "Hinderlista" in html and "Olika regelverk påverkar" in html
    history = client.get(reverse("agreement_history", args=[agreement.pk])).content.decode()
    assert "Länsstyrelsen Skåne (Samverkanspart, från 2016-09-01)" in history
    thaiwise = Agreement.objects.get(short_id="thaiwise").bodies.get(kind="steering")
    assert thaiwise.members.filter(organisation_name="Hyllie Park folkhögskola").exists()


def test_more_rows_without_javascript_keeps_what_was_typed_and_saves_nothing(
    world, login, steering
):
    body, chair, _outside = steering
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, body, [chair], more_rows="1"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="attendees-TOTAL_FORMS" value="4"' in html and "Gästen Påhittad" in html
    assert not Meeting.objects.exists()


def test_a_meeting_takes_any_number_of_decisions(world, login, steering):
    body, chair, _outside = steering
    rows = {f"decisions-{n}-text": f"Beslut {n}" for n in range(7)}
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, body, [chair], **{"decisions-TOTAL_FORMS": "7", **rows}),
    )
    assert response.status_code == 302
    assert Meeting.objects.get().decisions.count() == 7


def test_failing_version_write_leaves_the_stage_unsaved(world, login, monkeypatch):
    from partnerships.models import AgreementVersion

    def fail(*args, **kwargs):
        raise RuntimeError("version write failed")

    monkeypatch.setattr(AgreementVersion.objects, "create", fail)
    client = login(world.manager_a)
    client.raise_request_exception = False
    client.post(reverse("stage_create", args=[world.agreement_a.pk]), stage_post())
    assert not Stage.objects.exists()


def _add_governance_rows(world, n: int) -> None:
    for i in range(n):
        body = GovernanceBody.objects.create(agreement=world.agreement_a, kind="reference")
        BodyMember.objects.create(body=body, user=world.manager_a, start_date=D(2026, 1, 1))
        BodyMember.objects.create(body=body, name=f"Person {i}", start_date=D(2026, 1, 1))
        Risk.objects.create(
            agreement=world.agreement_a,
            title=f"Risk {i}",
            category="resources",
            likelihood=2,
            consequence=2,
            owner_party=world.party_a,
            owner_person="Åsa Påhittad",
        )
        Obstacle.objects.create(
            agreement=world.agreement_a,
            description=f"Hinder {i}",
            level="national",
            lies_with="Skolverket",
            raised_on=D(2026, 2, 1),
            raised_by="Projektgruppen",
        )


def test_governance_page_runs_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    client = login(world.steering_a)
    url = reverse("governance", args=[world.agreement_a.pk])
    _add_governance_rows(world, 1)
    client.get(url)  # warm the session and the role cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _add_governance_rows(world, 5)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_draft_agenda_lists_the_deadlines_of_the_coming_quarter(world, login, set_today):
    set_today(D(2027, 8, 1))
    agreement = world.agreement_a
    agreement.extension_count = 1
    agreement.save()
    body = GovernanceBody.objects.create(agreement=agreement, kind="steering")
    html = (
        login(world.manager_a)
        .get(reverse("meeting_create", args=[agreement.pk]) + f"?body={body.pk}")
        .content.decode()
    )
    assert "Tidsfrist 2027-09-30: Ska överenskommelsen förlängas efter 2027-12-31?" in html
    assert "Tidsfrist 2027-12-31" not in html  # beyond the coming quarter
