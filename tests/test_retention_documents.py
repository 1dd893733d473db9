"""Retention: pseudonymising a participant removes their archived documents from storage
(the rows stay, marked deleted), only after the commit; other documents stay."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from iop.audit import AuditContext
from participants.actions import pseudonymise
from partnerships.models import Document
from tests.factories.participants import enrolled

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def test_pseudonymising_removes_the_participants_files(
    world, login, settings, django_capture_on_commit_callbacks
):
    enrolment = enrolled(world.agreement_a, world.org_a, name="Påhittad Person")
    client = login(world.coordinator_a)
    client.post(
        reverse("participants:documents", args=[enrolment.participant_id]),
        {
            "agreement": world.agreement_a.pk,
            "title": "Samtycke",
            "file": SimpleUploadedFile("s.pdf", PDF),
        },
    )
    client.post(
        reverse("document_list", args=[world.agreement_a.pk]),
        {"attach_to": "agreement", "title": "Avtal", "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    personal, shared = Document.objects.get(personal=True), Document.objects.get(personal=False)
    root = Path(settings.MEDIA_ROOT)
    personal_file = root / personal.files.get().file.name
    shared_file = root / shared.files.get().file.name
    assert personal_file.exists() and shared_file.exists()

    with django_capture_on_commit_callbacks(execute=True):
        pseudonymise(user=None, audit=AuditContext.system(), participants=[enrolment.participant])
    personal.refresh_from_db()
    assert personal.deleted_at is not None and personal.deletion_reason
    assert not personal_file.exists() and shared_file.exists()
