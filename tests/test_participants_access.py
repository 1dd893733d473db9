"""Who sees which participant: every participant URL as every role."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from participants.models import AccessLog, Consent, Contact
from tests.factories.participants import (
    ContactFactory,
    GroupActivityFactory,
    GroupSessionFactory,
    enrolled,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_enrolment(world):
    enrolment = enrolled(
        world.agreement_a, world.org_a, name="Testa Testsson", personnummer="19880320-0016"
    )
    ContactFactory(
        participant=enrolment.participant,
        agreement=world.agreement_a,
        staff=world.coordinator_a,
        note="Hemlig anteckning om hälsa",
    )
    return enrolment


def participant_urls(enrolment) -> list[str]:
    p, e = enrolment.participant_id, enrolment.pk
    return [
        reverse("participants:timeline", args=[p]),
        reverse("participants:edit", args=[p]),
        reverse("participants:enrolment_create", args=[p]),
        reverse("participants:consent_create", args=[p]),
        reverse("participants:referral_create", args=[p]),
        reverse("participants:row", args=[e]),
        reverse("participants:contact_create", args=[e]),
        reverse("participants:enrolment_edit", args=[e]),
        reverse("participants:enrolment_phase", args=[e]),
        reverse("participants:enrolment_exit", args=[e]),
        reverse("participants:assessment_create", args=[e]),
        reverse("participants:action_plan", args=[e]),
        reverse("participants:attendance_create", args=[e]),
        reverse("participants:export_json", args=[p]),
        reverse("participants:export_pdf", args=[p]),
    ]


def test_coordinator_of_the_partnership_opens_every_page(world, login, a_enrolment):
    client = login(world.coordinator_a)
    for url in participant_urls(a_enrolment)[:-2]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["coordinator_b", "finance_a", "steering_a", "outsider"])
def test_others_get_404_on_every_participant_url(world, login, a_enrolment, who):
    client = login(getattr(world, who))
    for url in participant_urls(a_enrolment):
        assert client.get(url).status_code == 404, (who, url)
        assert client.post(url, {}).status_code == 404, (who, url)


@pytest.mark.parametrize("who", ["finance_a", "steering_a"])
def test_finance_and_steering_get_404_on_the_list_and_groups(world, login, who):
    client = login(getattr(world, who))
    for name in ["list", "create", "group_list", "anonymous", "access_log", "access_log_csv"]:
        assert client.get(reverse(f"participants:{name}")).status_code == 404, name


def test_coordinator_cannot_open_other_partnerships_participant(world, login, a_enrolment):
    b_enrolment = enrolled(world.agreement_b, world.org_b)
    client = login(world.coordinator_a)
    assert (
        client.get(reverse("participants:timeline", args=[b_enrolment.participant_id])).status_code
        == 404
    )
    response = client.get(reverse("participants:list"))
    assert b_enrolment.participant.code.encode() not in response.content
    assert a_enrolment.participant.code.encode() in response.content


def test_coordinator_cannot_reach_other_partnerships_group_session(world, login):
    session = GroupSessionFactory(activity=GroupActivityFactory(agreement=world.agreement_b))
    client = login(world.coordinator_a)
    assert (
        client.get(reverse("participants:group_detail", args=[session.activity_id])).status_code
        == 404
    )
    assert (
        client.get(reverse("participants:session_attendance", args=[session.pk])).status_code == 404
    )
    members_url = reverse("participants:group_members", args=[session.activity_id])
    assert client.post(members_url, {"member": []}).status_code == 404


def test_enrolment_alone_is_not_enough_without_consent_for_the_organisation(world, login):
    enrolment = enrolled(world.agreement_a, world.municipality)  # consent for another party only
    client = login(world.coordinator_a)
    assert (
        client.get(reverse("participants:timeline", args=[enrolment.participant_id])).status_code
        == 404
    )


def test_withdrawn_consent_takes_effect_on_the_next_request(world, login, a_enrolment):
    from partnerships.models import Role
    from tests.factories.participants import registering_organisation
    from tests.factories.partnerships import PartyFactory, UserFactory

    holder = registering_organisation()
    PartyFactory(agreement=world.agreement_a, organisation=holder)
    holder_staff = UserFactory(username="soc", organisation=holder, role=Role.COORDINATOR)
    url = reverse("participants:timeline", args=[a_enrolment.participant_id])
    assert login(world.coordinator_a).get(url).status_code == 200
    consent = Consent.objects.get(participant=a_enrolment.participant)
    response = login(holder_staff).post(
        reverse("participants:consent_withdraw", args=[consent.pk]),
        {"method": "written", "reference": "ÅTER-1"},
    )
    assert response.status_code == 302
    client = login(world.coordinator_a)
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("participants:contact_create", args=[a_enrolment.pk])).status_code == 404
    )


def test_expired_consent_hides_the_participant(world, login, a_enrolment):
    Consent.objects.filter(participant=a_enrolment.participant).update(
        expires_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    client = login(world.coordinator_a)
    assert (
        client.get(reverse("participants:timeline", args=[a_enrolment.participant_id])).status_code
        == 404
    )


def test_consent_without_identity_and_notes_hides_name_personnummer_and_notes(
    world, login, a_enrolment
):
    Consent.objects.filter(participant=a_enrolment.participant).update(
        share_identity=False, share_notes=False
    )
    client = login(world.coordinator_a)
    page = client.get(
        reverse("participants:timeline", args=[a_enrolment.participant_id])
    ).content.decode()
    assert a_enrolment.participant.code in page
    assert "Testa Testsson" not in page
    assert "19880320-0016" not in page
    assert "Hemlig anteckning" not in page
    listing = client.get(reverse("participants:list")).content.decode()
    assert "Testa Testsson" not in listing
    edit = client.get(
        reverse("participants:edit", args=[a_enrolment.participant_id])
    ).content.decode()
    assert "Testa Testsson" not in edit and "id_personnummer" not in edit


def test_consent_with_identity_and_notes_shows_them(world, login, a_enrolment):
    client = login(world.coordinator_a)
    page = client.get(
        reverse("participants:timeline", args=[a_enrolment.participant_id])
    ).content.decode()
    assert "Testa Testsson" in page and "Hemlig anteckning" in page


def test_timeline_shows_only_contacts_made_in_the_users_partnerships(world, login, a_enrolment):
    from tests.factories.participants import ConsentFactory, EnrolmentFactory

    participant = a_enrolment.participant
    ConsentFactory(participant=participant, organisation=world.org_b)
    EnrolmentFactory(participant=participant, agreement=world.agreement_b)
    ContactFactory(
        participant=participant,
        agreement=world.agreement_b,
        staff=world.coordinator_b,
        topic="Bee-ärende",
    )
    page = (
        login(world.coordinator_a)
        .get(reverse("participants:timeline", args=[participant.pk]))
        .content.decode()
    )
    assert "Bee-ärende" not in page
    assert "IOP B" not in page


def test_plan_pages_refused_without_plan_consent(world, login, a_enrolment):
    from participants.models import ActionPlan
    from tests.factories.participants import registering_organisation

    # The plan was written by the registering organisation; its consent to A lacks the plan.
    ActionPlan.objects.create(
        enrolment=a_enrolment,
        drawn_up_on=datetime.date(2026, 2, 1),
        summary="Planens text",
        source_organisation=registering_organisation(),
    )
    Consent.objects.filter(participant=a_enrolment.participant).update(share_plan=False)
    client = login(world.coordinator_a)
    assert client.get(reverse("participants:action_plan", args=[a_enrolment.pk])).status_code == 403
    timeline = reverse("participants:timeline", args=[a_enrolment.participant_id])
    assert "Planens text" not in client.get(timeline).content.decode()
    # An assessment of A's own is stamped with A and needs no consent.
    assert (
        client.get(reverse("participants:assessment_create", args=[a_enrolment.pk])).status_code
        == 200
    )


def test_every_read_and_change_is_logged_without_notes(world, login, a_enrolment):
    client = login(world.coordinator_a)
    client.get(
        reverse("participants:timeline", args=[a_enrolment.participant_id]), REMOTE_ADDR="10.1.2.3"
    )
    client.post(
        reverse("participants:contact_create", args=[a_enrolment.pk]),
        {
            "date": "2026-03-01",
            "kind": "phone",
            "duration_minutes": "15",
            "note": "Känslig text XYZ",
        },
    )
    logs = list(AccessLog.objects.filter(participant=a_enrolment.participant).order_by("pk"))
    view = logs[0]
    assert (view.user, view.organisation, view.action, view.what, view.ip_address) == (
        world.coordinator_a,
        world.org_a,
        "view",
        "tidslinje",
        "10.1.2.3",
    )
    assert any(log.action == "create" and log.what == "kontakt" for log in logs)
    for log in AccessLog.objects.all():
        assert "XYZ" not in str(log.__dict__)
    assert Contact.objects.filter(note="Känslig text XYZ").exists()


def test_list_logs_each_participant_shown(world, login, a_enrolment):
    login(world.coordinator_a).get(reverse("participants:list"))
    assert AccessLog.objects.filter(participant=a_enrolment.participant, what="lista").count() == 1


def test_admin_exports_everything_as_json_including_the_access_log(world, login, a_enrolment):
    login(world.coordinator_a).get(
        reverse("participants:timeline", args=[a_enrolment.participant_id])
    )
    client = login(world.admin)
    response = client.get(reverse("participants:export_json", args=[a_enrolment.participant_id]))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["participant"]["personnummer"] == "19880320-0016"
    assert data["contacts"][0]["note"] == "Hemlig anteckning om hälsa"
    assert any(log["username"] == "coord_a" for log in data["access_log"])
    assert AccessLog.objects.filter(participant=a_enrolment.participant, action="export").exists()


def test_admin_exports_pdf(world, login, a_enrolment):
    response = login(world.admin).get(
        reverse("participants:export_pdf", args=[a_enrolment.participant_id])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert a_enrolment.participant.code in text
    assert "Testa Testsson" in text
    # Read by a person: Swedish labels, not field names or choice codes.
    assert "Kön" in text and "Kvinna" in text
    assert "gender" not in text and "woman" not in text


@pytest.mark.parametrize("who", ["coordinator_a", "manager_a"])
def test_non_admins_cannot_export_or_read_the_log(world, login, a_enrolment, who):
    client = login(getattr(world, who))
    assert (
        client.get(
            reverse("participants:export_json", args=[a_enrolment.participant_id])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("participants:export_pdf", args=[a_enrolment.participant_id])
        ).status_code
        == 404
    )
    assert client.get(reverse("participants:access_log")).status_code == 404
    assert client.get(reverse("participants:access_log_csv")).status_code == 404


def test_admin_reviews_log_per_participant_and_user_and_exports_csv(world, login, a_enrolment):
    other = enrolled(world.agreement_a, world.org_a)
    coordinator = login(world.coordinator_a)
    coordinator.get(reverse("participants:timeline", args=[a_enrolment.participant_id]))
    coordinator.get(reverse("participants:timeline", args=[other.participant_id]))
    client = login(world.admin)
    page = client.get(
        reverse("participants:access_log") + f"?participant={a_enrolment.participant_id}"
    )
    assert page.status_code == 200
    assert a_enrolment.participant.code.encode() in page.content
    assert other.participant.code.encode() not in page.content
    by_user = client.get(reverse("participants:access_log") + f"?user={world.coordinator_a.pk}")
    assert other.participant.code.encode() in by_user.content
    csv_response = client.get(
        reverse("participants:access_log_csv") + f"?participant={a_enrolment.participant_id}"
    )
    body = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("Tidpunkt;")
    assert all(a_enrolment.participant.code in line for line in lines[1:])
    assert "coord_a" in body


def test_consents_towards_other_partnerships_stay_hidden(world, login, a_enrolment):
    from tests.factories.participants import ConsentFactory, EnrolmentFactory

    participant = a_enrolment.participant
    ConsentFactory(participant=participant, organisation=world.org_b)
    EnrolmentFactory(participant=participant, agreement=world.agreement_b)
    client = login(world.coordinator_a)
    page = client.get(reverse("participants:timeline", args=[participant.pk])).content.decode()
    assert "Förening A" in page and "Förening B" not in page
    form = client.get(
        reverse("participants:consent_create", args=[participant.pk])
    ).content.decode()
    assert "Förening B" not in form and "Testkommun" in form


def test_consent_towards_another_partnership_cannot_be_withdrawn(world, login, a_enrolment):
    from tests.factories.participants import ConsentFactory

    other = ConsentFactory(participant=a_enrolment.participant, organisation=world.org_b)
    response = login(world.coordinator_a).post(
        reverse("participants:consent_withdraw", args=[other.pk])
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.withdrawn_on is None


def test_the_pdf_extract_holds_the_plan_exit_background_results_and_follow_ups(
    world, login, a_enrolment
):
    """Everything held on the person is in the extract a person reads, not only in the
    JSON: the plan's goals and who agreed, the exit, the background at entry, the results
    at exit and the follow-ups with their results."""
    import datetime
    import io

    from participants.models import (
        ActionGoal,
        ActionPlan,
        EntryBackground,
        ExitRecord,
        ExitResult,
        FollowUp,
    )

    e = a_enrolment
    plan = ActionPlan.objects.create(
        enrolment=e, drawn_up_on=datetime.date(2026, 2, 1), summary="Plan mot arbete"
    )
    ActionGoal.objects.create(
        plan=plan, description="Körkort", responsible_organisation=world.org_a
    )
    EntryBackground.objects.create(
        enrolment=e,
        labour_market_status="unemployed",
        unemployed_months=18,
        education_level="isced_3_4",
        income_sources=["income_support"],
    )
    e.exit_date, e.exit_outcome = datetime.date(2026, 5, 31), "work"
    e.save()
    ExitRecord.objects.create(
        enrolment=e, needs_clarified="Behöver körkort", plan_agreed_by_all=True
    )
    ExitResult.objects.create(enrolment=e, in_employment="yes", income_sources=["salary"])
    FollowUp.objects.create(
        enrolment=e,
        months=6,
        due_on=datetime.date(2026, 11, 30),
        done_on=datetime.date(2026, 11, 25),
        income="salary",
        in_employment="yes",
        better_situation="yes",
    )
    response = login(world.admin).get(reverse("participants:export_pdf", args=[e.participant_id]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "Körkort",
        "Behöver körkort",
        "Bakgrund vid start",
        "Arbetslös",
        "Försörjningsstöd",
        "Resultat vid avslut",
        "Lön",
        "Bättre ställning på arbetsmarknaden",
    ):
        assert expected in text, expected
    assert "unemployed" not in text and "income_support" not in text
    data = login(world.admin).get(reverse("participants:export_json", args=[e.participant_id]))
    enrolment = data.json()["enrolments"][0]
    assert enrolment["background"]["unemployed_months"] == 18
    assert enrolment["exit_result"]["income_sources"] == ["salary"]
    assert enrolment["follow_ups"][0]["better_situation"] == "yes"
