"""Request limits: an oversized body is refused by its Content-Length before any parsing
(413, a plain Swedish page), with the upload limit for the import URL only."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from iop.models import ImportJob
from tests.io_helpers import csv_bytes, io_settings, upload  # noqa: F401

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024


def _claiming(client, path: str, length: int):
    """A POST whose header claims `length` bytes; the app must not try to read them."""
    return client.generic(
        "POST",
        path,
        b"x=1",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(length),
    )


def test_anonymous_huge_post_is_refused_before_sign_in_or_csrf(client):
    response = _claiming(client, reverse("login"), 600 * MiB)
    assert response.status_code == 413
    page = response.content.decode()
    assert "För stor förfrågan" in page and "större än tillåtna 2 MB" in page
    assert response["Connection"] == "close"


def test_authenticated_upload_over_the_limit_is_refused_before_reading(world, login):
    client = login(world.admin)
    response = _claiming(client, reverse("io_import", args=["organisations"]), 100 * MiB)
    assert response.status_code == 413
    assert "större än tillåtna 31 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_form_post_elsewhere_has_the_small_limit(world, login):
    client = login(world.admin)
    response = _claiming(client, reverse("io_index"), 3 * MiB)
    assert response.status_code == 413


def test_an_upload_within_the_limit_still_reaches_the_import(world, login, settings):
    settings.IOP_IMPORT_MAX_BYTES = 4 * MiB
    rows = [["Organisationsnummer", "Namn", "Typ"]] + [["212000-1355", "K" * 100, "Kommun"]] * (
        30_000
    )
    content = csv_bytes(rows)
    assert 2 * MiB < len(content) < 4 * MiB
    response = upload(login(world.admin), "organisations", content)
    assert response.status_code != 413


def test_django_body_limits_are_set():
    assert 2 * MiB == django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert MiB == django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE
