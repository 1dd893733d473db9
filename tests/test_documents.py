"""The document archive: upload per role, checked by content, versions, soft deletion,
download only through the access rule (another partnership's document answers 404)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from iop.audit import AuditContext
from partnerships import document_actions
from partnerships.documents import PDF
from partnerships.models import AgreementVersion, Document, DocumentFile
from tests.factories.partnerships import ActualCostFactory, MeetingFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX_BYTES = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODS_BYTES = _zip(
    {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _upload(client, agreement, name="avtal.pdf", data=PDF_BYTES, attach_to="agreement", **extra):
    return client.post(
        reverse("document_list", args=[agreement.pk]),
        {"attach_to": attach_to, "title": extra.get("title", ""), "file": _file(name, data)},
    )


def _archive(world, user=None, title="Undertecknat avtal", target=None, data=PDF_BYTES):
    return document_actions.upload_document(
        user=user or world.manager_a,
        audit=AuditContext.system(),
        agreement=world.agreement_a,
        target=target,
        title=title,
        upload=_file("avtal.pdf", data),
        kind=PDF,
    )


def test_manager_archives_the_signed_agreement_and_a_version_row_is_written(world, login):
    client = login(world.manager_a)
    response = _upload(client, world.agreement_a, title="Undertecknat avtal")
    document = Document.objects.get()
    assert response.status_code == 302
    assert document.title == "Undertecknat avtal"
    stored = document.files.get()
    assert stored.content_type == "application/pdf"
    # The stored name is random: neither the file name nor the title can be guessed from it.
    assert "avtal" not in stored.file.name
    version = AgreementVersion.objects.filter(agreement=world.agreement_a).latest("number")
    assert "Undertecknat avtal" in version.summary
    assert version.created_by == world.manager_a


def test_coordinator_attaches_to_a_meeting_and_an_amendment(world, login):
    meeting = MeetingFactory(agreement=world.agreement_a, convened_by=world.org_a)
    amendment = AgreementVersion.objects.create(
        agreement=world.agreement_a,
        number=1,
        valid_from=world.agreement_a.start_date,
        summary="Ursprunglig",
        snapshot={},
    )
    client = login(world.coordinator_a)
    assert _upload(client, world.agreement_a, attach_to=f"meeting-{meeting.pk}").status_code == 302
    assert (
        _upload(
            client, world.agreement_a, "bild.png", PNG_BYTES, f"amendment-{amendment.pk}"
        ).status_code
        == 302
    )
    assert Document.objects.get(meeting=meeting).title == "avtal.pdf"
    assert Document.objects.get(amendment=amendment).files.get().content_type == "image/png"


def test_finance_attaches_a_receipt_to_a_cost_but_not_to_the_agreement(world, login):
    cost = ActualCostFactory(cost_line=world.agreement_a.budgets.get().cost_lines.get())
    client = login(world.finance_a)
    assert (
        _upload(client, world.agreement_a, "kvitto.ods", ODS_BYTES, f"cost-{cost.pk}").status_code
        == 302
    )
    assert Document.objects.get(actual_cost=cost).files.get().content_type.endswith("spreadsheet")
    response = _upload(client, world.agreement_a, attach_to="agreement")
    assert response.status_code == 200
    assert "attach_to" in response.context["form"].errors
    assert Document.objects.count() == 1


def test_coordinator_cannot_attach_to_a_cost(world, login):
    cost = ActualCostFactory(cost_line=world.agreement_a.budgets.get().cost_lines.get())
    response = _upload(login(world.coordinator_a), world.agreement_a, attach_to=f"cost-{cost.pk}")
    assert "attach_to" in response.context["form"].errors
    assert not Document.objects.exists()


def test_steering_group_reads_agreement_documents_but_cannot_upload(world, login):
    document = _archive(world)
    client = login(world.steering_a)
    page = client.get(reverse("document_list", args=[world.agreement_a.pk]))
    assert page.status_code == 200 and "Undertecknat avtal" in page.content.decode()
    assert page.context["form"] is None
    assert _upload(client, world.agreement_a).status_code == 403
    stored = document.files.get()
    download = client.get(reverse("document_download", args=[document.pk, stored.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_steering_group_does_not_see_receipts(world, login):
    cost = ActualCostFactory(cost_line=world.agreement_a.budgets.get().cost_lines.get())
    receipt = _archive(world, user=world.finance_a, title="Kvitto hyra", target=cost)
    client = login(world.steering_a)
    page = client.get(reverse("document_list", args=[world.agreement_a.pk]))
    assert "Kvitto hyra" not in page.content.decode()
    assert client.get(reverse("document_detail", args=[receipt.pk])).status_code == 404


def test_download_is_an_attachment_with_a_safe_type_and_nosniff(world, login):
    document = _archive(world)
    stored = document.files.get()
    response = login(world.coordinator_a).get(
        reverse("document_download", args=[document.pk, stored.pk])
    )
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="avtal.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_partnerships_document_answers_404(world, login):
    document = _archive(world)
    stored = document.files.get()
    client = login(world.coordinator_b)
    assert client.get(reverse("document_detail", args=[document.pk])).status_code == 404
    assert (
        client.get(reverse("document_download", args=[document.pk, stored.pk])).status_code == 404
    )
    assert (
        client.post(reverse("document_delete", args=[document.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert client.get(reverse("document_list", args=[world.agreement_a.pk])).status_code == 404


def test_a_file_of_another_document_is_not_served_under_this_ones_id(world, login):
    mine = _archive(world)
    theirs = document_actions.upload_document(
        user=world.admin,
        audit=AuditContext.system(),
        agreement=world.agreement_b,
        target=None,
        title="B:s avtal",
        upload=_file("b.pdf", PDF_BYTES),
        kind=PDF,
    )
    url = reverse("document_download", args=[mine.pk, theirs.files.get().pk])
    assert login(world.manager_a).get(url).status_code == 404


def test_media_url_serves_nothing(world, login, settings):
    document = _archive(world)
    stored = document.files.get()
    response = login(world.manager_a).get(f"/{settings.MEDIA_URL.strip('/')}/{stored.file.name}")
    assert response.status_code == 404
    assert "media" not in stored.file.name  # nothing of the path says where it lies


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("program.exe", b"MZ\x90\x00", "Filtypen är inte tillåten"),
        ("skript.html", b"<html><script>alert(1)</script>", "Filtypen är inte tillåten"),
        ("avtal.pdf", b"<html><script>alert(1)</script>", "stämmer inte med namnet"),
        ("bild.png", PDF_BYTES, "stämmer inte med namnet"),
        ("brev.docx", ODS_BYTES, "stämmer inte med namnet"),
        ("tabell.xlsx", DOCX_BYTES, "stämmer inte med namnet"),
        ("trasig.docx", b"PK\x03\x04 not really a zip", "stämmer inte med namnet"),
        (
            "makro.docx",
            _zip(
                {
                    "[Content_Types].xml": b"<Types/>",
                    "word/document.xml": b"<w:document/>",
                    "word/vbaProject.bin": b"\x00",
                }
            ),
            "stämmer inte med namnet",
        ),
    ],
)
def test_a_file_of_a_wrong_type_is_refused_next_to_the_field(world, login, name, data, message):
    response = _upload(login(world.manager_a), world.agreement_a, name, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert 'class="field-errors"' in response.content.decode()
    assert not Document.objects.exists() and not DocumentFile.objects.exists()
    assert not AgreementVersion.objects.filter(agreement=world.agreement_a).exists()


def test_a_file_over_the_limit_is_refused(world, login, settings):
    settings.IOP_DOCUMENT_MAX_BYTES = 1024
    response = _upload(login(world.manager_a), world.agreement_a, data=PDF_BYTES + b"0" * 2000)
    assert "för stor" in " ".join(response.context["form"].errors["file"])
    assert not Document.objects.exists()


def test_the_limit_defaults_to_20_mb(settings):
    from partnerships.documents import max_bytes

    del settings.IOP_DOCUMENT_MAX_BYTES
    assert max_bytes() == 20 * 1024 * 1024


def test_a_new_version_keeps_the_old_one_listed(world, login):
    document = _archive(world)
    client = login(world.manager_a)
    response = client.post(
        reverse("document_detail", args=[document.pk]), {"file": _file("avtal.docx", DOCX_BYTES)}
    )
    assert response.status_code == 302
    assert list(document.files.values_list("number", "original_name")) == [
        (2, "avtal.docx"),
        (1, "avtal.pdf"),
    ]
    page = client.get(reverse("document_detail", args=[document.pk])).content.decode()
    assert "avtal.docx" in page and "avtal.pdf" in page
    latest = AgreementVersion.objects.filter(agreement=world.agreement_a).latest("number")
    assert "Ny version 2" in latest.summary


def test_a_bad_new_version_saves_nothing(world, login):
    document = _archive(world)
    response = login(world.manager_a).post(
        reverse("document_detail", args=[document.pk]), {"file": _file("avtal.pdf", PNG_BYTES)}
    )
    assert response.status_code == 200
    assert "stämmer inte med namnet" in " ".join(response.context["form"].errors["file"])
    assert document.files.count() == 1


def test_deletion_is_recorded_and_the_file_kept(world, login):
    document = _archive(world)
    stored = document.files.get()
    client = login(world.manager_a)
    refused = client.post(reverse("document_delete", args=[document.pk]), {"reason": ""})
    assert refused.status_code == 400
    document.refresh_from_db()
    assert not document.is_deleted
    response = client.post(
        reverse("document_delete", args=[document.pk]), {"reason": "Fel fil uppladdad"}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.is_deleted and document.deleted_by == world.manager_a
    assert document.deletion_reason == "Fel fil uppladdad"
    assert stored.file.storage.exists(stored.file.name)
    latest = AgreementVersion.objects.filter(agreement=world.agreement_a).latest("number")
    assert "Fel fil uppladdad" in latest.summary
    page = client.get(reverse("document_list", args=[world.agreement_a.pk])).content.decode()
    assert "Fel fil uppladdad" in page
    download = client.get(reverse("document_download", args=[document.pk, stored.pk]))
    assert download.status_code == 404


def test_steering_group_cannot_delete(world, login):
    document = _archive(world)
    response = login(world.steering_a).post(
        reverse("document_delete", args=[document.pk]), {"reason": "Vill inte"}
    )
    assert response.status_code == 403
    document.refresh_from_db()
    assert not document.is_deleted


def test_a_failing_version_write_leaves_nothing_saved(world, login, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("version store down")

    monkeypatch.setattr(document_actions, "record_version", fail)
    with pytest.raises(RuntimeError):
        _archive(world)
    assert not Document.objects.exists() and not DocumentFile.objects.exists()


def test_the_document_list_has_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    client = login(world.manager_a)
    url = reverse("document_list", args=[world.agreement_a.pk])
    for count in (1, 6):
        while Document.objects.count() < count:
            document = _archive(world, title=f"Dokument {Document.objects.count()}")
            document_actions.upload_document_version(
                user=world.manager_a,
                audit=AuditContext.system(),
                document=document,
                upload=_file("avtal.pdf", PDF_BYTES),
                kind=PDF,
            )
        client.get(url)
        # Session and user, agreement, documents with what they belong to, their files,
        # and the upload form's versions, meetings and costs: the same for 1 or 6.
        with django_assert_num_queries(9):
            assert client.get(url).status_code == 200


def test_the_demo_can_be_reloaded_over_archived_documents(world):
    from partnerships.demo import _agreement

    cost = ActualCostFactory(cost_line=world.agreement_a.budgets.get().cost_lines.get())
    _archive(world, user=world.finance_a, title="Kvitto", target=cost)
    _agreement(world.agreement_a.short_id, title="IOP A")
    assert not Document.objects.filter(agreement=world.agreement_a).exists()
