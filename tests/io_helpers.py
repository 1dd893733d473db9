"""Shared helpers for the import/export tests (tests/test_import_export_*.py)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from iop.models import ImportJob


@pytest.fixture(autouse=True)
def io_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings


def csv_bytes(rows: list[list], delimiter: str = ";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def read_xlsx(response) -> list[list]:
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def upload(client, kind: str, content: bytes, name: str = "fil.csv"):
    return client.post(
        reverse("io_import", args=[kind]), {"file": SimpleUploadedFile(name, content)}
    )


def preview(client, kind: str, content: bytes, name: str = "fil.csv") -> ImportJob:
    response = upload(client, kind, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def import_file(client, kind: str, content: bytes, name: str = "fil.csv") -> ImportJob:
    """Upload, preview and confirm; returns the finished job."""
    job = preview(client, kind, content, name)
    assert job.status == ImportJob.Status.PREVIEWED, (job.message, job.rows)
    if job.summary.get("new") or job.summary.get("update"):
        response = client.post(reverse("io_job_confirm", args=[job.pk]))
        assert response.status_code == 302
        job.refresh_from_db()
    return job
