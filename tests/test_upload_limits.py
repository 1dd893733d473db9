"""Uploads that cannot stall anything: a shared-string bomb is refused from the zip
directory, a huge sheet is read by the background worker within a cell, time and memory
limit, and the web request answers at once."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from iop.models import ImportJob
from iop.spreadsheets import engine
from tests.io_helpers import (  # noqa: F401 - io_settings is an autouse fixture
    csv_bytes,
    io_settings,
    preview,
    upload,
)
from tests.upload_bombs import shared_string_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return shared_string_bomb(2_000_000)


@pytest.fixture(scope="module")
def two_million_cells() -> bytes:
    from tests.upload_bombs import many_cells

    return many_cells(2_000_000)


def _never_parse(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("the file must be refused before it is parsed")

    monkeypatch.setattr("openpyxl.load_workbook", boom)
    monkeypatch.setattr("openpyxl.reader.excel.load_workbook", boom)


def test_shared_string_bomb_is_refused_at_once_without_parsing(world, login, bomb, monkeypatch):
    assert len(bomb) < 100_000
    client = login(world.admin)
    upload(client, "organisations", b"", name="warm-up.xlsx")  # templates loaded, once
    _never_parse(monkeypatch)
    started = time.monotonic()
    response = upload(client, "organisations", bomb, name="bomb.xlsx")
    elapsed = time.monotonic() - started
    assert response.status_code == 400
    assert "Tabellen med texter i XLSX-filen packas upp till 32 MB" in response.content.decode()
    assert elapsed < 1.0, elapsed
    assert not ImportJob.objects.exists()


def test_a_packed_too_tightly_part_is_refused_as_a_zip_bomb(world, login, bomb, settings):
    settings.IOP_IMPORT_MAX_XLSX_SHARED_STRINGS = 100 * engine.MiB
    response = upload(login(world.admin), "organisations", bomb, name="bomb.xlsx")
    assert response.status_code == 400
    assert "som en zip-bomb" in response.content.decode()


def test_shared_string_count_is_capped_even_when_the_bytes_pass(world, login, settings):
    settings.IOP_IMPORT_MAX_CELLS = 1_000
    settings.IOP_IMPORT_MAX_COMPRESSION_RATIO = 10_000
    response = upload(login(world.admin), "organisations", shared_string_bomb(5_000), name="s.xlsx")
    assert response.status_code == 400
    assert "fler än 1 000 texter i sin texttabell" in response.content.decode()


def test_two_million_cells_go_to_the_background_and_are_refused_there(
    world, login, settings, two_million_cells
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = login(world.admin)
    upload(client, "organisations", b"", name="warm-up.xlsx")  # templates loaded, once
    started = time.monotonic()
    response = upload(client, "organisations", two_million_cells, name="stor.xlsx")
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    # The request only read the zip directory; nothing was parsed.
    assert elapsed < 2.0, elapsed
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PREVIEWING and job.total_rows == 0
    page = client.get(response["Location"]).content.decode()
    assert "Filen granskas i bakgrunden." in page and "<progress" in page
    # The worker reads it: the cell count stops it before openpyxl builds a single row.
    engine.import_task.call(job.pk, False)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "fler än 1 000 000 celler" in job.message
    assert not job.file
    assert "fler än 1 000 000 celler" in client.get(response["Location"]).content.decode()


def _rows(count: int) -> bytes:
    rows = [["Organisationsnummer", "Namn", "Typ"]]
    rows += [["212000-1355", f"Kommun {i}", "Kommun"] for i in range(count)]
    return csv_bytes(rows)


def test_a_larger_file_is_read_in_the_background_once(world, login, settings, monkeypatch):
    settings.IOP_IMPORT_INLINE_BYTES = 10
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = login(world.admin)
    rows = [
        ["Organisationsnummer", "Namn", "Typ"],
        ["212000-1355", "K1", "Kommun"],
        ["212000-0142", "K2", "Kommun"],
    ]
    job = preview(client, "organisations", csv_bytes(rows))
    assert job.status == ImportJob.Status.PREVIEWING and not engine.is_prepared(job)
    reads = []
    original = engine.run_limited
    monkeypatch.setattr(
        engine, "run_limited", lambda *args, **kwargs: reads.append(1) or original(*args, **kwargs)
    )
    engine.import_task.call(job.pk, False)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED, job.message
    assert job.total_rows == 2 and engine.is_prepared(job)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.post(reverse("io_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    # Preview and import read the rows file; the upload itself was parsed once.
    assert job.status == ImportJob.Status.DONE, job.message
    assert len(reads) == 1


def test_a_read_over_the_memory_limit_is_stopped_with_a_message(world, login, settings, bomb):
    # Every cap of the zip directory lifted: the memory limit of the read still holds.
    settings.IOP_IMPORT_READ_MEMORY = 1024 * 1024
    settings.IOP_IMPORT_INLINE_BYTES = 100 * engine.MiB
    settings.IOP_IMPORT_MAX_COMPRESSION_RATIO = 10_000
    settings.IOP_IMPORT_MAX_XLSX_SHARED_STRINGS = 100 * engine.MiB
    settings.IOP_IMPORT_MAX_CELLS = 10_000_000
    response = upload(login(world.admin), "organisations", bomb, name="s.xlsx")
    assert response.status_code == 400
    assert "för mycket minne" in response.content.decode(), response.content.decode()[-3000:]
    assert not ImportJob.objects.exists()


def test_a_read_over_the_time_limit_is_stopped_with_a_message(world, login, settings):
    settings.IOP_IMPORT_READ_SECONDS = 0.01
    settings.IOP_IMPORT_INLINE_BYTES = 10 * engine.MiB
    response = upload(login(world.admin), "organisations", _rows(50_000))
    assert response.status_code == 400
    assert "för lång tid att läsa" in response.content.decode()
