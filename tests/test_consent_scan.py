"""A scanned consent form: accepted only as a PDF or a picture judged by its content,
stored under a name nobody can guess, and served only to the holder organisation's staff
who see who the participant is — with every read in the access log."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants.models import AccessLog, Consent
from partnerships.models import Role
from tests.factories.participants import ConsentFactory, EnrolmentFactory, ParticipantFactory
from tests.factories.partnerships import OrganisationFactory, PartyFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    employment = OrganisationFactory(name="Arbetsförmedlingen Test")
    PartyFactory(agreement=world.agreement_a, organisation=employment)
    participant = ParticipantFactory(organisation=world.org_a, name="Sara Skanning")
    EnrolmentFactory(participant=participant, agreement=world.agreement_a)
    af = UserFactory(username="af_scan", organisation=employment, role=Role.COORDINATOR)
    return world, employment, participant, af


def post_consent(client, participant, recipient, upload):
    return client.post(
        reverse("participants:consent_create", args=[participant.pk]),
        {
            "organisation": recipient.pk,
            "share_identity": "on",
            "purpose": "Samordnat stöd",
            "given_on": "2026-02-01",
            "method": "written",
            "reference": "",
            "witness": "",
            "scan": upload,
        },
    )


def test_a_pdf_scan_is_stored_under_a_random_name_and_served_to_the_holder(setup, login):
    world, employment, participant, _af = setup
    client = login(world.coordinator_a)
    response = post_consent(
        client, participant, employment, SimpleUploadedFile("Sara Skanning samtycke.pdf", PDF_BYTES)
    )
    assert response.status_code == 302
    consent = Consent.objects.get(participant=participant, organisation=employment)
    assert consent.scan.name.startswith("consents/")
    assert "Skanning" not in consent.scan.name and not consent.scan.name.endswith(".pdf")

    page = client.get(reverse("participants:timeline", args=[participant.pk])).content.decode()
    url = reverse("participants:consent_scan", args=[participant.pk, consent.pk])
    assert url in page
    before = AccessLog.objects.filter(participant=participant, what="samtyckesblankett").count()
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert "attachment" in download["Content-Disposition"]
    assert "Skanning" not in download["Content-Disposition"]
    after = AccessLog.objects.filter(participant=participant, what="samtyckesblankett").count()
    assert after == before + 1


def test_the_recipient_and_other_partnerships_get_404(setup, login):
    world, employment, participant, af = setup
    consent = ConsentFactory(
        participant=participant,
        holder=world.org_a,
        organisation=employment,
        scan=SimpleUploadedFile("s.pdf", PDF_BYTES),
    )
    url = reverse("participants:consent_scan", args=[participant.pk, consent.pk])
    # The recipient sees the participant (and even who she is) but the form is the holder's.
    assert login(af).get(url).status_code == 404
    assert login(world.coordinator_b).get(url).status_code == 404
    assert login(world.finance_a).get(url).status_code in (403, 404)
    assert login(world.steering_a).get(url).status_code in (403, 404)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("samtycke.pdf", b"just text pretending", "stämmer inte med namnet"),
        ("samtycke.exe", b"MZ\x90\x00", "Filtypen är inte tillåten"),
        ("samtycke.docx", b"PK\x03\x04garbage", "stämmer inte med namnet"),
    ],
)
def test_a_scan_that_is_not_a_pdf_or_picture_is_refused_at_the_field(
    setup, login, name, content, message
):
    world, employment, participant, _af = setup
    response = post_consent(
        login(world.coordinator_a), participant, employment, SimpleUploadedFile(name, content)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Consent.objects.filter(participant=participant, organisation=employment).exists()


def test_a_scan_missing_from_storage_answers_404_not_a_server_error(setup, login):
    world, employment, participant, _af = setup
    consent = ConsentFactory(
        participant=participant,
        holder=world.org_a,
        organisation=employment,
        scan=SimpleUploadedFile("s.pdf", PDF_BYTES),
    )
    consent.scan.storage.delete(consent.scan.name)
    url = reverse("participants:consent_scan", args=[participant.pk, consent.pk])
    assert login(world.coordinator_a).get(url).status_code == 404
