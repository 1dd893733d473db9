"""Retention: pseudonymising a participant removes their archived documents from storage
(the rows stay, marked deleted), only after the commit; other documents stay. The archive's
own retention (purge_documents_past_retention) removes the files of documents deleted long
ago and of agreements ended past the archive period, keeping the rows and the history."""

import datetime
import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from iop.audit import AuditContext
from participants.actions import pseudonymise
from partnerships import document_actions
from partnerships import documents as kinds
from partnerships.models import Agreement, AgreementVersion, Document
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
    assert personal.purged_at is not None


# --------------------------------------------------------------------------- the archive's retention


def _archive(world, title, agreement=None):
    return document_actions.upload_document(
        user=world.manager_a,
        audit=AuditContext.system(),
        agreement=agreement or world.agreement_a,
        target=None,
        title=title,
        upload=SimpleUploadedFile(f"{title}.pdf", PDF),
        kind=kinds.PDF,
    )


def _delete(world, document, days_ago):
    document_actions.delete_document(
        user=world.manager_a, audit=AuditContext.system(), document=document, reason="Fel fil"
    )
    Document.objects.filter(pk=document.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def _stored(document):
    return [Path(f.file.path) for f in document.files.all()]


def _purge(capture, *args):
    out = io.StringIO()
    with capture(execute=True):
        call_command("purge_documents_past_retention", *args, stdout=out)
    return out.getvalue()


def _end(agreement, end, status=Agreement.Status.ENDED, terminated_on=None):
    Agreement.objects.filter(pk=agreement.pk).update(
        start_date=end.replace(year=end.year - 2),
        end_date=end,
        status=status,
        terminated_on=terminated_on,
    )


def test_files_of_documents_deleted_long_ago_are_purged_and_the_rows_kept(
    world, settings, django_capture_on_commit_callbacks
):
    settings.IOP_DOCUMENT_DELETED_RETENTION_DAYS = 90
    old, recent, kept = (_archive(world, t) for t in ("Gammal", "Nyligen", "Avtal"))
    _delete(world, old, days_ago=91)
    _delete(world, recent, days_ago=10)
    versions = AgreementVersion.objects.filter(agreement=world.agreement_a).count()

    out = _purge(django_capture_on_commit_callbacks, "--dry-run")
    assert "iop-a: Gammal (borttaget)" in out and "1 dokument skulle gallras" in out
    assert all(p.exists() for d in (old, recent, kept) for p in _stored(d))
    assert not Document.objects.filter(purged_at__isnull=False).exists()

    out = _purge(django_capture_on_commit_callbacks)
    assert "1 dokument gallrade; borttagna filer: 1" in out
    assert not any(p.exists() for p in _stored(old))
    assert all(p.exists() for d in (recent, kept) for p in _stored(d))
    old.refresh_from_db()
    # The row stays with its title, who and when; only the files are gone.
    assert old.purged_at is not None and old.title == "Gammal" and old.deleted_by == world.manager_a
    assert old.files.count() == 1
    version = AgreementVersion.objects.filter(agreement=world.agreement_a).latest("number")
    assert version.number == versions + 1 and "Gammal" in version.summary
    assert version.created_by is None
    assert {"id": old.pk, "title": "Gammal", "versions": 1, "deleted": True, "purged": True} in (
        version.snapshot["documents"]
    )

    # Running it again changes nothing.
    assert "0 dokument gallrade" in _purge(django_capture_on_commit_callbacks)
    assert AgreementVersion.objects.filter(agreement=world.agreement_a).count() == versions + 1


def test_documents_of_agreements_ended_past_the_archive_period_are_purged(
    world, settings, django_capture_on_commit_callbacks, set_today
):
    settings.IOP_DOCUMENT_AGREEMENT_RETENTION_YEARS = 10
    set_today(datetime.date(2026, 6, 1))
    long_ended = _archive(world, "Undertecknat avtal")
    terminated = _archive(world, "Protokoll", agreement=world.agreement_b)
    _end(world.agreement_a, datetime.date(2016, 5, 31))
    # Terminated in 2015 although the period ran to 2020: the termination counts.
    _end(
        world.agreement_b,
        datetime.date(2020, 12, 31),
        status=Agreement.Status.TERMINATED,
        terminated_on=datetime.date(2015, 12, 31),
    )
    out = _purge(django_capture_on_commit_callbacks, "--dry-run")
    assert "överenskommelsen upphörde" in out and "2 dokument skulle gallras" in out

    out = _purge(django_capture_on_commit_callbacks)
    assert "2 dokument gallrade" in out
    for document in (long_ended, terminated):
        document.refresh_from_db()
        assert document.purged_at is not None and document.deleted_at is None
        assert not any(p.exists() for p in _stored(document))


def test_documents_of_agreements_ended_within_the_archive_period_are_kept(
    world, settings, django_capture_on_commit_callbacks, set_today
):
    settings.IOP_DOCUMENT_AGREEMENT_RETENTION_YEARS = 10
    set_today(datetime.date(2026, 6, 1))
    document = _archive(world, "Undertecknat avtal")
    _end(world.agreement_a, datetime.date(2016, 6, 2))
    assert "0 dokument gallrade" in _purge(django_capture_on_commit_callbacks)
    # --years overrides the setting.
    assert "1 dokument gallrade" in _purge(django_capture_on_commit_callbacks, "--years", "5")
    document.refresh_from_db()
    assert document.purged_at is not None


def test_a_purged_document_answers_404_on_download_and_says_so_on_its_page(
    world, login, django_capture_on_commit_callbacks
):
    document = _archive(world, "Gammal")
    stored = document.files.get()
    _delete(world, document, days_ago=400)
    _purge(django_capture_on_commit_callbacks)
    client = login(world.manager_a)
    assert (
        client.get(reverse("document_download", args=[document.pk, stored.pk])).status_code == 404
    )
    page = client.get(reverse("document_detail", args=[document.pk])).content.decode()
    assert "Filerna gallrades" in page
    assert reverse("document_download", args=[document.pk, stored.pk]) not in page


def test_a_purged_document_of_an_ended_agreement_is_listed_without_a_download(
    world, login, django_capture_on_commit_callbacks, set_today
):
    set_today(datetime.date(2026, 6, 1))
    document = _archive(world, "Undertecknat avtal")
    stored = document.files.get()
    _end(world.agreement_a, datetime.date(2014, 12, 31))
    _purge(django_capture_on_commit_callbacks)
    client = login(world.manager_a)
    listing = client.get(reverse("document_list", args=[world.agreement_a.pk])).content.decode()
    assert "Undertecknat avtal" in listing and "filerna gallrade" in listing
    assert (
        client.get(reverse("document_download", args=[document.pk, stored.pk])).status_code == 404
    )
    # Nor can a new version be added to it.
    response = client.post(
        reverse("document_detail", args=[document.pk]),
        {"file": SimpleUploadedFile("ny.pdf", PDF)},
    )
    assert response.status_code == 404


def test_a_file_missing_from_storage_answers_404_not_500(world, login):
    document = _archive(world, "Avtal")
    stored = document.files.get()
    Path(stored.file.path).unlink()
    response = login(world.manager_a).get(
        reverse("document_download", args=[document.pk, stored.pk])
    )
    assert response.status_code == 404


def test_a_file_a_failed_purge_left_behind_is_removed_as_an_orphan(world):
    document = _archive(world, "Gammal")
    path = _stored(document)[0]
    # The row marked purged, the file's deletion after the commit lost (a crash, a store down).
    Document.objects.filter(pk=document.pk).update(purged_at=timezone.now())
    two_days_ago = time.time() - 2 * 86400
    os.utime(path, (two_days_ago, two_days_ago))
    call_command("purge_orphaned_documents", stdout=io.StringIO())
    assert not path.exists()


def test_a_participants_purged_document_is_neither_listed_nor_served(
    world, login, django_capture_on_commit_callbacks, set_today
):
    set_today(datetime.date(2026, 6, 1))
    enrolment = enrolled(world.agreement_a, world.org_a, name="Påhittad Person")
    client = login(world.coordinator_a)
    client.post(
        reverse("participants:documents", args=[enrolment.participant_id]),
        {
            "agreement": world.agreement_a.pk,
            "title": "Inskannad blankett",
            "file": SimpleUploadedFile("s.pdf", PDF),
        },
    )
    document = Document.objects.get(personal=True)
    stored = document.files.get()
    _end(world.agreement_a, datetime.date(2014, 12, 31))
    assert "1 dokument gallrade" in _purge(django_capture_on_commit_callbacks)
    assert not Path(stored.file.path).exists()
    page = client.get(reverse("participants:documents", args=[enrolment.participant_id]))
    assert "Inskannad blankett" not in page.content.decode()
    download = reverse(
        "participants:document_download", args=[enrolment.participant_id, document.pk, stored.pk]
    )
    assert client.get(download).status_code == 404
