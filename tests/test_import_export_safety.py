"""Import/export safety: formula neutralisation, upload limits, XLSX zip bombs, background jobs."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from iop.models import ImportJob
from iop.spreadsheets import engine as imports
from partnerships.models import ContactPerson, Organisation
from tests.factories.partnerships import ContactPersonFactory
from tests.io_helpers import (  # noqa: F401 - io_settings is an autouse fixture
    csv_bytes,
    import_file,
    io_settings,
    preview,
    read_csv,
    read_xlsx,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
CP_HEADER = ["Organisationsnummer", "Namn", "Befattning", "E-post", "Telefon"]


@pytest.fixture
def dangerous(world):
    for i, prefix in enumerate(PREFIXES):
        ContactPersonFactory(
            organisation=world.org_a, name=f"Person {i}", title=f"{prefix}HYPERLINK(1)"
        )
    return world


@pytest.mark.parametrize("prefix", PREFIXES)
def test_csv_export_neutralises_formula_prefix(dangerous, login, prefix):
    client = login(dangerous.manager_a)
    response = client.get(reverse("io_export", args=["contact_persons"]))
    assert isinstance(response, StreamingHttpResponse)
    titles = {row[1]: row[2] for row in read_csv(response)[1:]}
    assert titles[f"Person {PREFIXES.index(prefix)}"] == f"'{prefix}HYPERLINK(1)"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_xlsx_export_neutralises_formula_prefix(dangerous, login, prefix):
    client = login(dangerous.manager_a)
    response = client.get(reverse("io_export", args=["contact_persons"]) + "?format=xlsx")
    data = b"".join(response.streaming_content)
    sheet = __import__("openpyxl").load_workbook(io.BytesIO(data)).worksheets[0]
    cells = {row[1].value: row[2] for row in sheet.iter_rows(min_row=2)}
    cell = cells[f"Person {PREFIXES.index(prefix)}"]
    # A plain string starting with an apostrophe, never a formula cell.
    assert cell.data_type == "s"
    assert cell.value == f"'{prefix}HYPERLINK(1)"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_neutralised_cells_round_trip_unchanged(dangerous, login, file_format):
    client = login(dangerous.manager_a)
    before = sorted(ContactPerson.objects.values_list("name", "title"))
    url = reverse("io_export", args=["contact_persons"]) + f"?format={file_format}"
    if file_format == "csv":
        content, name = csv_bytes(read_csv(client.get(url))), "k.csv"
    else:
        content, name = xlsx_bytes(read_xlsx(client.get(url))), "k.xlsx"
    job = import_file(client, "contact_persons", content, name=name)
    assert job.summary["skip"] == len(PREFIXES), job.rows
    assert sorted(ContactPerson.objects.values_list("name", "title")) == before


def _zip_with(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _never_parse(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("the file must be refused before it is parsed")

    monkeypatch.setattr("openpyxl.load_workbook", boom)


def test_xlsx_with_huge_declared_size_is_refused_before_parsing(
    world, login, settings, monkeypatch
):
    settings.IOP_IMPORT_MAX_XLSX_UNCOMPRESSED = 1024 * 1024
    bomb = _zip_with(
        {"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * (5 * 1024 * 1024)}
    )
    assert len(bomb) < 50_000
    _never_parse(monkeypatch)
    response = upload(login(world.admin), "organisations", bomb, name="bomb.xlsx")
    assert response.status_code == 400
    assert "packas upp till 5 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_xlsx_with_too_many_entries_is_refused_before_parsing(world, login, monkeypatch):
    many = _zip_with(
        {f"xl/worksheets/sheet{i}.xml": b"<x/>" for i in range(imports.max_xlsx_entries() + 1)}
    )
    _never_parse(monkeypatch)
    response = upload(login(world.admin), "organisations", many, name="many.xlsx")
    assert response.status_code == 400
    assert "för många delar" in response.content.decode()


def test_not_a_zip_is_refused(world, login):
    response = upload(login(world.admin), "organisations", b"plain text", name="fake.xlsx")
    assert response.status_code == 400
    assert "ingen giltig XLSX-fil" in response.content.decode()


def test_upload_over_size_limit_is_refused(world, login, settings):
    settings.IOP_IMPORT_MAX_BYTES = 1024 * 1024
    content = csv_bytes([["Organisationsnummer", "Namn"]] + [["x" * 100, "y" * 100]] * 6000)
    response = upload(login(world.admin), "organisations", content)
    assert response.status_code == 400
    assert "Filen är för stor" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_file_over_row_limit_is_refused(world, login, settings, file_format):
    settings.IOP_IMPORT_MAX_ROWS = 3
    rows = [["Organisationsnummer", "Namn", "Typ"]] + [
        ["212000-1355", f"K{i}", "Kommun"] for i in range(4)
    ]
    content = csv_bytes(rows) if file_format == "csv" else xlsx_bytes(rows)
    response = upload(login(world.admin), "organisations", content, name=f"f.{file_format}")
    assert response.status_code == 400
    assert "fler än 3 rader" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_wrong_file_type_is_refused(world, login):
    response = upload(login(world.admin), "organisations", b"%PDF-1.7", name="avtal.pdf")
    assert response.status_code == 400
    assert "CSV- eller XLSX-fil" in response.content.decode()


def test_large_file_runs_as_background_task(world, login, settings):
    settings.IOP_IMPORT_BACKGROUND_ROWS = 1
    client = login(world.admin)
    rows = [
        ["Organisationsnummer", "Namn", "Typ"],
        ["212000-1355", "K1", "Kommun"],
        ["212000-0142", "K2", "Kommun"],
    ]
    job = import_file(client, "organisations", csv_bytes(rows))
    assert job.status == ImportJob.Status.DONE
    assert job.processed_rows == 2
    assert not job.file
    assert Organisation.objects.filter(org_number__in=["212000-1355", "212000-0142"]).count() == 2


def test_job_page_polls_progress_while_the_task_waits(world, login, settings):
    settings.IOP_IMPORT_BACKGROUND_ROWS = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = login(world.admin)
    rows = [
        ["Organisationsnummer", "Namn", "Typ"],
        ["212000-1355", "K1", "Kommun"],
        ["212000-0142", "K2", "Kommun"],
    ]
    job = preview(client, "organisations", csv_bytes(rows))
    assert job.status == ImportJob.Status.PREVIEWING
    page = client.get(reverse("io_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "<progress" in page
    status = client.get(reverse("io_job_status", args=[job.pk]))
    assert "HX-Refresh" not in status
    # The worker runs it; the next poll asks the page to reload.
    imports.run_import(job=job, commit=False)
    assert client.get(reverse("io_job_status", args=[job.pk]))["HX-Refresh"] == "true"


def test_cp1252_csv_with_commas_is_read(world, login):
    client = login(world.admin)
    content = "Organisationsnummer,Namn,Typ\n212000-1355,Ängelholms kommun,Kommun\n".encode(
        "cp1252"
    )
    job = import_file(client, "organisations", content)
    assert job.summary["new"] == 1
    assert Organisation.objects.get(org_number="212000-1355").name == "Ängelholms kommun"


def test_unconfirmed_upload_files_are_purged(world, login):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    client = login(world.admin)
    job = preview(
        client,
        "organisations",
        csv_bytes([["Organisationsnummer", "Namn", "Typ"], ["212000-1355", "K", "Kommun"]]),
    )
    path = job.file.path
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    call_command("purge_imports", stdout=io.StringIO())
    job.refresh_from_db()
    assert not job.file and job.status == ImportJob.Status.FAILED
    assert not __import__("os").path.exists(path)
    assert client.post(reverse("io_job_confirm", args=[job.pk])).status_code == 403


# The worker closes database connections between tasks, as it should in production;
# that needs a test outside the per-test transaction.
@pytest.mark.django_db(transaction=True)
def test_background_import_runs_in_the_database_worker(world, login, settings):
    from django.core.management import call_command

    settings.IOP_IMPORT_BACKGROUND_ROWS = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = login(world.admin)
    rows = [
        ["Organisationsnummer", "Namn", "Typ"],
        ["212000-1355", "K1", "Kommun"],
        ["212000-0142", "K2", "Kommun"],
    ]
    job = preview(client, "organisations", csv_bytes(rows))
    assert job.status == ImportJob.Status.PREVIEWING
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED and job.summary["new"] == 2
    client.post(reverse("io_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING
    assert not Organisation.objects.filter(org_number="212000-1355").exists()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Organisation.objects.filter(org_number__in=["212000-1355", "212000-0142"]).count() == 2


@pytest.mark.parametrize(
    "value", [1e26, float("inf"), float("nan"), "NaN", "Infinity", "1e400", "1 000 000 000 000"]
)
def test_amount_cells_that_are_not_money_are_refused_with_a_message(value):
    from iop.spreadsheets.resources import DecimalWidget

    with pytest.raises(ValueError, match="(?i)belopp"):
        DecimalWidget().clean(value)


def test_amount_cells_as_typed_in_sweden():
    from decimal import Decimal

    from iop.spreadsheets.resources import DecimalWidget

    widget = DecimalWidget()
    assert widget.clean("1 670 400,50") == Decimal("1670400.50")
    assert widget.clean("-1500.25") == Decimal("-1500.25")
    assert widget.clean(1500.1) == Decimal("1500.10")
    assert widget.clean("999 999 999 999,99") == Decimal("999999999999.99")
