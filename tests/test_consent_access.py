"""Consent as a recorded document and information that carries its source (issue 14).

The world here: partnership A with three parties that work with the same participant —
Förening A (which registered her), the employment service and the social services —
each with a coordinator. The probes of the issue come first: a recipient widening its
own access, a third party withdrawing a consent, flags OR-ed across consents.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from participants import access
from participants.models import (
    AccessLog,
    Category,
    Consent,
    Contact,
    IdentityStatus,
    Participant,
)
from partnerships.models import Role
from reporting import figures
from tests.factories.participants import (
    AssessmentFactory,
    ConsentFactory,
    ContactFactory,
    EnrolmentFactory,
    ParticipantFactory,
)
from tests.factories.partnerships import OrganisationFactory, PartyFactory, UserFactory
from tests.io_helpers import (  # noqa: F401 - io_settings is an autouse fixture
    csv_bytes,
    import_file,
    io_settings,
    preview,
    read_csv,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    employment = OrganisationFactory(name="Arbetsförmedlingen Test")
    social = OrganisationFactory(name="Socialtjänsten Test")
    for org in (employment, social):
        PartyFactory(agreement=world.agreement_a, organisation=org)
    participant = ParticipantFactory(
        organisation=world.org_a, name="Sara Samtycke", personnummer="19880320-0016"
    )
    enrolment = EnrolmentFactory(participant=participant, agreement=world.agreement_a)
    return {
        "world": world,
        "employment": employment,
        "social": social,
        "af": UserFactory(
            username="af_coord",
            organisation=employment,
            role=Role.COORDINATOR,
            email="af@example.org",
        ),
        "soc": UserFactory(
            username="soc_coord", organisation=social, role=Role.COORDINATOR, email="soc@e.org"
        ),
        "participant": participant,
        "enrolment": enrolment,
    }


def consent(team, holder, recipient, **flags):
    defaults = {
        "share_identity": False,
        "share_notes": False,
        "share_plan": False,
        "share_income": False,
    }
    return ConsentFactory(
        participant=team["participant"], holder=holder, organisation=recipient, **defaults | flags
    )


def contact(team, source, **fields):
    return ContactFactory(
        participant=team["participant"],
        agreement=team["world"].agreement_a,
        source_organisation=source,
        **fields,
    )


def timeline(client, team) -> str:
    url = reverse("participants:timeline", args=[team["participant"].pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def consent_data(**overrides) -> dict:
    data = {
        "share_identity": "on",
        "share_notes": "on",
        "purpose": "Samordnat stöd mot arbete",
        "given_on": "2026-02-01",
        "expires_on": "",
        "method": "written",
        "reference": "SAM-2026-0042",
        "witness": "",
    }
    return data | overrides


# --------------------------------------------------------------------------- the probes


def test_a_user_cannot_grant_their_own_organisation_access(team, login):
    """The issue's first probe: POST consents/new/ with organisation=<own>."""
    consent(team, team["world"].org_a, team["employment"])  # sees the participant, no more
    client = login(team["af"])
    url = reverse("participants:consent_create", args=[team["participant"].pk])
    response = client.post(url, consent_data(organisation=team["employment"].pk))
    assert response.status_code == 200
    assert 'id="id_organisation_error"' in response.content.decode()
    assert not Consent.objects.filter(share_identity=True).exists()
    page = timeline(client, team)
    assert "Sara Samtycke" not in page and "19880320-0016" not in page


def test_a_consent_registered_by_a_user_is_held_by_their_own_organisation(team, login):
    """A recipient cannot register a consent on the holder's behalf: the holder is always
    the registering user's organisation, whatever the request says."""
    client = login(team["af"])
    consent(team, team["world"].org_a, team["employment"])
    url = reverse("participants:consent_create", args=[team["participant"].pk])
    data = consent_data(organisation=team["social"].pk, holder=team["world"].org_a.pk)
    assert client.post(url, data).status_code == 302
    created = Consent.objects.get(organisation=team["social"])
    assert created.holder == team["employment"]
    assert created.recorded_by == team["af"]
    # It shares the employment service's information, not Förening A's name.
    assert "Sara Samtycke" not in timeline(login(team["soc"]), team)


def test_another_party_cannot_withdraw_a_consent_it_does_not_hold(team, login):
    """The issue's second probe: a coordinator of another party withdrew the consent."""
    held = consent(team, team["world"].org_a, team["employment"], share_identity=True)
    consent(team, team["world"].org_a, team["social"])
    for user in (team["soc"], team["af"]):
        client = login(user)
        url = reverse("participants:consent_withdraw", args=[held.pk])
        assert client.post(url, {"method": "oral", "witness": "W"}).status_code == 404
    held.refresh_from_db()
    assert held.withdrawn_on is None
    assert AccessLog.objects.filter(
        action=AccessLog.Action.DENIED, participant=team["participant"], what="samtycke"
    ).exists()


def test_consent_is_directional_and_not_ored_across_holders(team, login):
    """Notes from the employment service to the social services say nothing about
    Förening A's notes: the widest flag no longer wins."""
    consent(team, team["employment"], team["social"], share_notes=True)
    consent(team, team["world"].org_a, team["social"], share_identity=False)
    contact(team, team["employment"], note="AF-anteckning", topic="Platsannons")
    contact(team, team["world"].org_a, note="A-anteckning", topic="Skuldsanering")
    page = timeline(login(team["soc"]), team)
    assert "AF-anteckning" in page and "Platsannons" in page
    assert "A-anteckning" not in page and "Skuldsanering" not in page
    assert "1 av 2 kontakter visas" in page


def test_topic_staff_and_referrals_need_the_notes_consent(team, login):
    consent(team, team["world"].org_a, team["employment"], share_identity=True)
    staff = UserFactory(first_name="Kerstin", last_name="Kontaktsdottir", organisation=None)
    contact(
        team,
        team["world"].org_a,
        staff=staff,
        topic="Skuldrådgivning",
        referrals="Kronofogden",
        note="",
    )
    page = timeline(login(team["af"]), team)
    assert "Sara Samtycke" in page
    for hidden in ("Skuldrådgivning", "Kronofogden", "Kontaktsdottir"):
        assert hidden not in page
    assert "0 av 1 kontakter visas" in page


def test_health_notes_need_a_health_consent(team, login):
    notes_only = consent(team, team["world"].org_a, team["employment"], share_notes=True)
    contact(team, team["world"].org_a, note="Sjukskriven 50 %", health=True)
    client = login(team["af"])
    assert "Sjukskriven" not in timeline(client, team)
    Consent.objects.filter(pk=notes_only.pk).update(share_health=True)
    assert "Sjukskriven" in timeline(client, team)


def test_plan_and_assessments_follow_their_source(team, login):
    consent(team, team["world"].org_a, team["employment"], share_plan=True)
    AssessmentFactory(
        enrolment=team["enrolment"], comment="Bedömd av A", source_organisation=team["world"].org_a
    )
    AssessmentFactory(
        enrolment=team["enrolment"], comment="Bedömd av soc", source_organisation=team["social"]
    )
    page = timeline(login(team["af"]), team)
    assert "Bedömd av A" in page and "Bedömd av soc" not in page
    assert "1 av 2 stegbedömningar visas" in page


def test_own_organisations_information_is_always_visible(team, login):
    consent(team, team["world"].org_a, team["employment"])
    client = login(team["af"])
    url = reverse("participants:contact_create", args=[team["enrolment"].pk])
    data = {"date": "2026-03-01", "kind": "meeting", "duration_minutes": "30", "note": "Egen"}
    assert client.post(url, data).status_code == 302
    assert Contact.objects.get(note="Egen").source_organisation == team["employment"]
    assert "Egen" in timeline(client, team)
    # ... and Förening A does not see it without a consent from the employment service.
    assert "Egen" not in timeline(login(team["world"].coordinator_a), team)


# --------------------------------------------------------------------------- the document


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reference": ""}, "reference", "Ange blankettens referens"),
        ({"method": "oral", "reference": ""}, "witness", "Ange vittnet"),
        ({"expires_on": "2026-01-01"}, "expires_on", "kan inte upphöra före det gavs"),
        ({"purpose": ""}, "purpose", ""),
    ],
)
def test_bad_consent_documents_are_refused_next_to_the_field(
    team, login, overrides, field, message
):
    client = login(team["world"].coordinator_a)
    url = reverse("participants:consent_create", args=[team["participant"].pk])
    response = client.post(url, consent_data(organisation=team["employment"].pk, **overrides))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in body and message in body
    assert not Consent.objects.filter(organisation=team["employment"]).exists()


def test_a_consent_notifies_the_other_party_without_personal_data(
    team, login, django_capture_on_commit_callbacks
):
    client = login(team["world"].coordinator_a)
    url = reverse("participants:consent_create", args=[team["participant"].pk])
    data = consent_data(organisation=team["employment"].pk, method="oral", witness="Kim K")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    created = Consent.objects.get(organisation=team["employment"])
    assert created.holder == team["world"].org_a and created.witness == "Kim K"
    sent = [m for m in mail.outbox if "af@example.org" in m.to]
    assert len(sent) == 1
    assert team["participant"].code in sent[0].body
    assert "Sara" not in sent[0].body and "19880320" not in sent[0].body


def test_withdrawal_is_recorded_and_takes_effect_on_the_next_request(
    team, login, django_capture_on_commit_callbacks
):
    held = consent(team, team["world"].org_a, team["employment"], share_identity=True)
    af = login(team["af"])
    assert "Sara Samtycke" in timeline(af, team)
    client = login(team["world"].coordinator_a)
    url = reverse("participants:consent_withdraw", args=[held.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"method": "written", "reference": ""})
    assert 'id="id_reference_error"' in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"method": "oral", "witness": "Kim K"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.withdrawn_on is not None and held.withdrawn_by == team["world"].coordinator_a
    assert held.withdrawal_method == "oral" and held.withdrawal_witness == "Kim K"
    response = login(team["af"]).get(
        reverse("participants:timeline", args=[team["participant"].pk])
    )
    assert response.status_code == 404
    assert any("återkallat" in m.subject for m in mail.outbox)


# --------------------------------------------------------------------------- protected identity


def _register(client, world, **participant):
    data = {
        "p-identity_status": "registered",
        "p-name": "",
        "p-personnummer": "",
        "p-gender": "woman",
        "p-birth_year": "1990",
        "p-language": "",
        "e-agreement": str(world.agreement_a.pk),
        "e-start_date": "2026-02-01",
        "e-income_at_start": "income_support",
        "c-share_identity": "on",
        "c-purpose": "Registrering",
        "c-given_on": "2026-02-01",
        "c-method": "written",
        "c-reference": "REG-1",
    }
    data.update({f"p-{k}": v for k, v in participant.items()})
    return client.post(reverse("participants:create"), data)


def test_protected_identity_is_registered_without_name_and_seen_by_the_own_organisation_only(
    team, login
):
    world = team["world"]
    client = login(world.coordinator_a)
    refused = _register(client, world, identity_status="protected", name="Skyddad Person")
    assert refused.status_code == 200
    assert 'id="id_p-identity_status_error"' in refused.content.decode()
    assert not Participant.objects.filter(identity_status="protected").exists()
    assert _register(client, world, identity_status="protected").status_code == 302
    protected = Participant.objects.get(identity_status=IdentityStatus.PROTECTED)
    assert protected.name == "" and protected.organisation == world.org_a
    url = reverse("participants:timeline", args=[protected.pk])
    assert client.get(url).status_code == 200
    # A consent towards another party changes nothing: it never sees her.
    ConsentFactory(participant=protected, holder=world.org_a, organisation=team["employment"])
    assert login(team["af"]).get(url).status_code == 404
    assert protected.pk not in access.visible_participants(team["af"]).values_list("pk", flat=True)
    # ... and she is counted in the statistics like everyone else.
    counted = figures.enrolments_in_period(
        [world.agreement_a], datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    )
    assert counted.filter(participant=protected).exists()


def test_no_consent_to_registration_is_handled_like_protected_identity(team, login):
    world = team["world"]
    client = login(world.coordinator_a)
    assert _register(client, world, identity_status="no_consent").status_code == 302
    unnamed = Participant.objects.get(identity_status=IdentityStatus.NO_CONSENT)
    ConsentFactory(participant=unnamed, holder=world.org_a, organisation=team["employment"])
    url = reverse("participants:timeline", args=[unnamed.pk])
    assert login(team["af"]).get(url).status_code == 404


# --------------------------------------------------------------------------- the API and logging


def test_may_see_and_filter_visible_agree(team):
    consent(team, team["world"].org_a, team["employment"], share_notes=True)
    a_note = contact(team, team["world"].org_a, note="A")
    contact(team, team["social"], note="S")
    af = team["af"]
    assert access.may_see(af, team["participant"], Category.NOTES, team["world"].org_a.pk)
    assert not access.may_see(af, team["participant"], Category.NOTES, team["social"].pk)
    assert not access.may_see(af, team["participant"], Category.PLAN, team["world"].org_a.pk)
    assert access.may_see(af, team["participant"], Category.PLAN, team["employment"].pk)
    shown = access.filter_visible(Contact.objects.all(), af, Category.NOTES)
    assert list(shown) == [a_note]


def test_every_denial_is_logged(world, login, team):
    client = login(world.coordinator_b)
    url = reverse("participants:timeline", args=[team["participant"].pk])
    assert client.get(url).status_code == 404
    row = AccessLog.objects.get(action=AccessLog.Action.DENIED)
    assert row.participant == team["participant"] and row.user == world.coordinator_b
    enrolment_url = reverse("participants:contact_create", args=[team["enrolment"].pk])
    assert client.get(enrolment_url).status_code == 404
    assert AccessLog.objects.filter(action=AccessLog.Action.DENIED).count() == 2


# --------------------------------------------------------------------------- no query per row


def _crowd(team, n: int) -> None:
    """n more participants of Förening A shared with the employment service, each with a
    contact from each of two sources."""
    world = team["world"]
    for i in range(n):
        p = ParticipantFactory(organisation=world.org_a, name=f"Person {i}")
        EnrolmentFactory(participant=p, agreement=world.agreement_a)
        ConsentFactory(participant=p, holder=world.org_a, organisation=team["employment"])
        for source in (world.org_a, team["social"]):
            ContactFactory(participant=p, agreement=world.agreement_a, source_organisation=source)


def test_the_participant_list_adds_no_query_per_row(team, login, django_assert_num_queries):
    client = login(team["af"])
    _crowd(team, 2)
    client.get(reverse("participants:list"))
    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(reverse("participants:list"))
    assert "Person 1" in page.content.decode()
    _crowd(team, 6)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("participants:list"))


def test_the_timeline_adds_no_query_per_row(team, login, django_assert_num_queries):
    consent(team, team["world"].org_a, team["employment"], share_notes=True, share_plan=True)
    client = login(team["af"])
    for i in range(2):
        contact(team, team["world"].org_a, note=f"n{i}")
        contact(team, team["social"], note=f"s{i}", health=True)
    timeline(client, team)
    with django_assert_num_queries(TIMELINE_QUERIES):
        timeline(client, team)
    for i in range(10):
        contact(team, team["world"].org_a, note=f"m{i}")
        contact(team, team["social"], note=f"t{i}")
        AssessmentFactory(enrolment=team["enrolment"], source_organisation=team["social"])
    with django_assert_num_queries(TIMELINE_QUERIES):
        page = timeline(client, team)
    assert "12 av 24 kontakter visas" in page


# Session, user, second factor, agreements (with their occupancy and the list's count),
# the page's rows and participants, phases, the access log; the consent decision is a
# subquery of the row query, not a query per row.
LIST_QUERIES = 8
# The same, plus the participant, the consents towards the user's organisation (once),
# enrolments, referrals, consents shown, contacts, attendance and the prefetches.
TIMELINE_QUERIES = 16  # with the exits' follow-ups (prefetched once)


# --------------------------------------------------------------------------- the import


def test_the_import_stamps_new_contacts_and_never_changes_a_hidden_one(team, login):
    consent(team, team["world"].org_a, team["employment"])  # sees her, none of A's notes
    hidden = contact(team, team["world"].org_a, topic="Skuld", note="Dold")
    world = team["world"]
    admin_rows = read_csv(login(world.admin).get(reverse("io_export", args=["contacts"])))
    header, row = admin_rows[0], admin_rows[1]
    cells = dict(zip(header, row, strict=True))
    changed = list({**cells, "Ämne": "Ändrad"}.values())
    client = login(team["af"])
    job = preview(client, "contacts", csv_bytes([header, changed]))
    assert job.summary["refused"] == 1, job.rows
    hidden.refresh_from_db()
    assert hidden.topic == "Skuld"
    # A contact of the employment service's own: stamped with it on import.
    # (Without a note: before a row is matched, a note cell is judged by the registering
    # organisation's consent, so that no guess at a stored note can be tested.)
    af_staff = list(
        {**cells, "Personal": team["af"].username, "Datum": "2026-03-03", "Anteckning": ""}.values()
    )
    job = import_file(client, "contacts", csv_bytes([header, af_staff]))
    assert job.summary["new"] == 1, job.rows
    created = Contact.objects.get(staff=team["af"])
    assert created.source_organisation == team["employment"]
