"""A participant's documents: archived through the participant, hidden from the agreement's
archive, every read access-logged, another partnership's coordinator gets 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants.models import AccessLog, ParticipantDocument
from partnerships.models import Document
from tests.factories.participants import enrolled

PDF_BYTES = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def enrolment(world):
    return enrolled(world.agreement_a, world.org_a, name="Påhittad Person")


def _upload(client, enrolment, agreement, name="samtycke.pdf", data=PDF_BYTES):
    return client.post(
        reverse("participants:documents", args=[enrolment.participant_id]),
        {
            "agreement": agreement.pk,
            "title": "Samtyckesblankett",
            "file": SimpleUploadedFile(name, data),
        },
    )


def test_coordinator_archives_a_consent_scan_and_every_read_is_logged(world, login, enrolment):
    client = login(world.coordinator_a)
    assert _upload(client, enrolment, world.agreement_a).status_code == 302
    link = ParticipantDocument.objects.get()
    assert link.document.personal
    assert AccessLog.objects.filter(
        participant=enrolment.participant, action=AccessLog.Action.CREATE, what="dokument"
    ).exists()
    stored = link.document.files.get()
    url = reverse(
        "participants:document_download",
        args=[enrolment.participant_id, link.document_id, stored.pk],
    )
    before = AccessLog.objects.filter(action=AccessLog.Action.VIEW).count()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert AccessLog.objects.filter(action=AccessLog.Action.VIEW).count() == before + 1


def test_a_participants_document_is_not_in_the_agreements_archive(world, login, enrolment):
    _upload(login(world.coordinator_a), enrolment, world.agreement_a)
    document = Document.objects.get()
    client = login(world.manager_a)
    page = client.get(reverse("document_list", args=[world.agreement_a.pk])).content.decode()
    assert "Samtyckesblankett" not in page
    assert client.get(reverse("document_detail", args=[document.pk])).status_code == 404
    stored = document.files.get()
    url = reverse("document_download", args=[document.pk, stored.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["coordinator_b", "steering_a", "finance_a"])
def test_others_get_404(world, login, enrolment, role):
    _upload(login(world.coordinator_a), enrolment, world.agreement_a)
    link = ParticipantDocument.objects.get()
    stored = link.document.files.get()
    client = login(getattr(world, role))
    url = reverse(
        "participants:document_download",
        args=[enrolment.participant_id, link.document_id, stored.pk],
    )
    assert client.get(url).status_code == 404
    page = reverse("participants:documents", args=[enrolment.participant_id])
    assert client.get(page).status_code == 404


def test_a_document_goes_only_to_an_agreement_the_participant_is_seen_in(world, login, enrolment):
    response = _upload(login(world.coordinator_a), enrolment, world.agreement_b)
    assert response.status_code == 200
    assert "agreement" in response.context["form"].errors
    assert not Document.objects.exists()


def test_a_bad_file_is_refused_next_to_the_field(world, login, enrolment):
    response = _upload(
        login(world.coordinator_a), enrolment, world.agreement_a, "scan.png", PDF_BYTES
    )
    assert "stämmer inte med namnet" in " ".join(response.context["form"].errors["file"])
    assert not Document.objects.exists() and not ParticipantDocument.objects.exists()
