"""A file left in storage by a rolled-back upload is removed once it is old enough; the
archive's own files and a file still young stay."""

import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from partnerships.models import DocumentFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def test_orphaned_files_are_purged_and_archived_ones_kept(world, login, settings):
    response = login(world.manager_a).post(
        reverse("document_list", args=[world.agreement_a.pk]),
        {"attach_to": "agreement", "title": "Avtal", "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 302
    kept = Path(settings.MEDIA_ROOT) / DocumentFile.objects.get().file.name
    folder = kept.parent
    old, young = folder / "left-by-a-rollback", folder / "upload-in-flight"
    for path in (old, young):
        path.write_bytes(PDF)
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    os.utime(kept, (two_days_ago, two_days_ago))

    out = io.StringIO()
    call_command("purge_orphaned_documents", "--dry-run", stdout=out)
    assert "Skulle ta bort 1" in out.getvalue() and old.exists()
    call_command("purge_orphaned_documents", stdout=io.StringIO())
    assert not old.exists() and young.exists() and kept.exists()
