"""Benchmark the import/export pipeline on PostgreSQL (prints figures; not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_import_bench \
        .venv/bin/python benchmarks/bench_import.py [--rows 10000] [--big 100000]

Measures, through the spreadsheet engine (iop/spreadsheets/engine.py) exactly as the web
pages use it — the upload read once into the job's rows file (`prepare_job`), then the
confirmed import (`run_import(commit=True)`), all or nothing:
1. a contacts import of `--rows` new rows, and the same file through django-import-export's
   default path (a plain ModelResource, `import_data`) in the same run: rows per second;
2. a `--big`-row contacts file: import, then a preview of it again (every row unchanged),
   peak Python memory and the process's peak RSS;
3. streaming export of all contacts to CSV and XLSX: time and peak memory.
`import_rows(rows, big)` gives the first two as markdown lines for benchmarks/bench_all.py.
The database is your own: the script migrates it. Its data carries its own prefix
(`bench-imp`, codes `IMP-…`) and the contacts it imports are deleted again.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

if __name__ == "__main__":
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iop_import_bench")
    django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.files import File  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402

from iop.models import ImportJob  # noqa: E402
from iop.spreadsheets import engine as imports  # noqa: E402
from iop.spreadsheets.registry import get_dataset  # noqa: E402
from participants.models import Consent, Contact, Enrolment, Participant  # noqa: E402
from partnerships.models import Agreement, AgreementParty, Organisation, Role, User  # noqa: E402

MiB = 1024 * 1024
START = datetime.date(2024, 1, 1)
KINDS = ["Enskilt möte", "Telefon", "Digitalt", "Hembesök"]
# Everything this benchmark makes carries this prefix; no other benchmark uses it.
PREFIX = "bench-imp"
CODE = "IMP-{:05d}"
# The limits of a web upload are for people; the benchmark files are bigger on purpose.
LIMITS = {
    "IOP_IMPORT_MAX_BYTES": 200 * MiB,
    "IOP_IMPORT_MAX_ROWS": 1_000_000,
    "IOP_IMPORT_MAX_CELLS": 20_000_000,
    "IOP_IMPORT_READ_MEMORY": 2048 * MiB,
    "IOP_IMPORT_READ_SECONDS": 600,
}


def setup(participants: int) -> tuple[User, Agreement, list[str]]:
    """The benchmark partnership, made once: re-runs reuse its participants (the access
    log is append-only, so logged participants are never deleted) and drop its contacts."""
    org, _ = Organisation.objects.get_or_create(
        org_number="802000-0003", defaults={"name": "Benchmarkföreningen", "kind": "non_profit"}
    )
    agreement, _ = Agreement.objects.get_or_create(
        short_id=PREFIX,
        defaults={
            "title": "IOP Benchmark import",
            "start_date": START,
            "end_date": datetime.date(2027, 12, 31),
            "status": Agreement.Status.ACTIVE,
        },
    )
    AgreementParty.objects.get_or_create(
        agreement=agreement, organisation=org, defaults={"role": "operator"}
    )
    user, _ = User.objects.get_or_create(username=PREFIX, defaults={"organisation": org})
    user.groups.add(Group.objects.get_or_create(name=Role.COORDINATOR)[0])
    Contact.objects.filter(agreement=agreement).delete()
    wanted = [CODE.format(i) for i in range(participants)]
    existing = set(Participant.objects.filter(code__in=wanted).values_list("code", flat=True))
    Participant.objects.bulk_create(
        Participant(code=code, gender="woman", birth_year=1980, organisation=org)
        for code in wanted
        if code not in existing
    )
    people = list(Participant.objects.filter(code__in=wanted))
    consented = set(
        Consent.objects.filter(organisation=org).values_list("participant_id", flat=True)
    )
    Consent.objects.bulk_create(
        Consent(
            participant=p,
            holder=org,
            organisation=org,
            given_on=START,
            share_notes=True,
            purpose="Registrering",
            method="written",
            reference=f"REG-{p.pk}",
        )
        for p in people
        if p.pk not in consented
    )
    enrolled = set(
        Enrolment.objects.filter(agreement=agreement).values_list("participant_id", flat=True)
    )
    Enrolment.objects.bulk_create(
        Enrolment(participant=p, agreement=agreement, start_date=START)
        for p in people
        if p.pk not in enrolled
    )
    return user, agreement, wanted


def write_contacts(path: str, codes: list[str], rows: int) -> None:
    days = (rows + len(codes) - 1) // len(codes)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            [
                "Deltagarkod",
                "Överenskommelse",
                "Datum",
                "Typ",
                "Personal",
                "Längd (minuter)",
                "Ämne",
                "Hänvisad till",
                "Anteckning",
            ]
        )
        n = 0
        for day in range(days):
            date = (START + datetime.timedelta(days=day)).isoformat()
            for i, code in enumerate(codes):
                if n == rows:
                    return
                writer.writerow(
                    [
                        code,
                        PREFIX,
                        date,
                        KINDS[(i + day) % 4],
                        PREFIX,
                        30 + i % 60,
                        "Uppföljning",
                        "",
                        "Samtal om praktik och nästa steg.",
                    ]
                )
                n += 1


def new_job(user: User, path: str) -> ImportJob:
    """A stored upload as the web page keeps it, read once into its rows file."""
    job = ImportJob.objects.create(
        kind="contacts", user=user, original_name=Path(path).name, file_format="csv"
    )
    with open(path, "rb") as handle:
        job.file.save(f"bench-{job.pk}.csv", File(handle), save=True)
    imports.prepare_job(job, get_dataset("contacts").resource(user))
    return job


def timed_import(user: User, path: str, *, commit: bool = True) -> tuple[ImportJob, float, float]:
    """Read the file once and import it (or preview it): wall and CPU seconds of both."""
    started, cpu = time.perf_counter(), time.process_time()
    job = imports.run_import(job=new_job(user, path), commit=commit)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert not job.message, job.message
    assert not job.summary.get("refused") and not job.summary.get("errors"), job.rows[:3]
    return job, elapsed, cpu


def default_path(path: str) -> tuple[float, float]:
    """The same file through django-import-export as it comes: a ModelResource with the
    natural keys as foreign-key widgets, `import_data` in one transaction. No scope, no
    consent check: the floor of what import-export does per row, for comparison only."""
    import tablib
    from import_export import fields, resources, widgets

    kinds = {str(label): value for value, label in Contact.Kind.choices}

    class KindWidget(widgets.Widget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            return kinds.get(value, value)

    class DefaultContactResource(resources.ModelResource):
        participant = fields.Field(
            "participant", "Deltagarkod", widget=widgets.ForeignKeyWidget(Participant, "code")
        )
        agreement = fields.Field(
            "agreement", "Överenskommelse", widget=widgets.ForeignKeyWidget(Agreement, "short_id")
        )
        date = fields.Field("date", "Datum", widget=widgets.DateWidget("%Y-%m-%d"))
        kind = fields.Field("kind", "Typ", widget=KindWidget())
        staff = fields.Field("staff", "Personal", widget=widgets.ForeignKeyWidget(User, "username"))
        duration_minutes = fields.Field(
            "duration_minutes", "Längd (minuter)", widget=widgets.IntegerWidget()
        )
        topic = fields.Field("topic", "Ämne")
        referrals = fields.Field("referrals", "Hänvisad till")
        note = fields.Field("note", "Anteckning")

        class Meta:
            model = Contact
            fields = (
                "participant",
                "agreement",
                "date",
                "kind",
                "staff",
                "duration_minutes",
                "topic",
                "referrals",
                "note",
            )
            import_id_fields = ("participant", "agreement", "date", "kind", "staff")

    started, cpu = time.perf_counter(), time.process_time()
    with open(path, encoding="utf-8") as handle:
        data = tablib.Dataset().load(handle.read(), format="csv", delimiter=";")
    result = DefaultContactResource().import_data(data, dry_run=False, use_transactions=True)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert not result.has_errors() and not result.has_validation_errors()
    return elapsed, cpu


def _clean_up(agreement: Agreement, user: User) -> None:
    Contact.objects.filter(agreement=agreement).delete()
    for job in ImportJob.objects.filter(user=user):
        if job.file:
            job.file.delete(save=False)
        job.delete()


def _line(label: str, rows: int, elapsed: float, reference: float | None) -> str:
    rate = rows / elapsed
    ratio = f"{rate / reference:.1f}×" if reference else "1×"
    count, per_second = f"{rows:,}".replace(",", " "), f"{rate:,.0f}".replace(",", " ")
    return f"| {label} | {count} | {per_second} | {ratio} |"


def import_rows(rows: int, big: int, participants: int = 1_000) -> list[str]:
    """The contact import at `rows` and at `big` rows, and django-import-export's default
    path at `rows` on the same file, as markdown table lines (header first). Needs Django
    set up against a migrated PostgreSQL database; leaves no imported rows behind."""
    tmp = tempfile.mkdtemp(prefix="iop-bench-import-")
    with override_settings(MEDIA_ROOT=tmp, **LIMITS):
        user, agreement, codes = setup(participants)
        small = os.path.join(tmp, "contacts.csv")
        write_contacts(small, codes, rows)
        try:
            _job, app_small, _cpu = timed_import(user, small)
            Contact.objects.filter(agreement=agreement).delete()
            default, _cpu = default_path(small)
            Contact.objects.filter(agreement=agreement).delete()
            lines = [
                "| import | rows | rows/s | vs default path |",
                "|---|---|---|---|",
                _line("django-import-export, default path", rows, default, None),
                _line("contacts (read once + import)", rows, app_small, rows / default),
            ]
            if big:
                large = os.path.join(tmp, "contacts-big.csv")
                write_contacts(large, codes, big)
                _job, app_big, _cpu = timed_import(user, large)
                lines.append(_line("contacts (read once + import)", big, app_big, rows / default))
        finally:
            _clean_up(agreement, user)
            shutil.rmtree(tmp, ignore_errors=True)
    return lines


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    from django.core.management import call_command

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--participants", type=int, default=1_000)
    parser.add_argument("--no-default", action="store_true", help="skip the default path")
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "run this against PostgreSQL (DATABASE_URL)"
    call_command("migrate", verbosity=0)
    tmp = tempfile.mkdtemp(prefix="iop-bench-")
    load = os.getloadavg()[0]
    version = getattr(connection, "pg_version", "?")  # PostgreSQL backends only
    print(f"PostgreSQL {version}; {os.cpu_count()} cores; load average {load:.1f}")
    with override_settings(MEDIA_ROOT=tmp, **LIMITS):
        user, agreement, codes = setup(args.participants)
        small = os.path.join(tmp, "contacts.csv")
        write_contacts(small, codes, args.rows)
        big = os.path.join(tmp, "contacts-big.csv")
        write_contacts(big, codes, args.big)
        try:
            _report(args, user, agreement, small, big)
        finally:
            _clean_up(agreement, user)
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"peak RSS of the whole benchmark process: {rss_mib():.0f} MiB")


def _report(args: argparse.Namespace, user: User, agreement: Agreement, small: str, big: str):
    # The big file first, so that the process's peak RSS is this import's.
    before = rss_mib()
    job, elapsed, cpu = timed_import(user, big)
    size = os.path.getsize(big) / MiB
    print(
        f"1. read once + import of {args.big} contact rows ({size:.1f} MiB CSV), one "
        f"transaction: {elapsed:.1f} s wall = {args.big / elapsed:,.0f} rows/s "
        f"(CPU {cpu:.1f} s = {args.big / cpu:,.0f} rows/s per core); {job.summary}; "
        f"peak RSS {rss_mib():.0f} MiB (was {before:.0f} MiB before)"
    )
    job, elapsed, cpu = timed_import(user, big, commit=False)
    print(
        f"2. preview of the same {args.big} rows again: {elapsed:.1f} s wall = "
        f"{args.big / elapsed:,.0f} rows/s; new={job.summary['new']} "
        f"update={job.summary['update']} skip={job.summary['skip']} (changes nothing)"
    )
    count = Contact.objects.filter(agreement=agreement).count()
    _exports(user, count)
    Contact.objects.filter(agreement=agreement).delete()
    job, elapsed, cpu = timed_import(user, small)
    print(
        f"3. read once + import of {args.rows} new contact rows: {elapsed:.2f} s wall = "
        f"{args.rows / elapsed:,.0f} rows/s (CPU {cpu:.2f} s = {args.rows / cpu:,.0f} rows/s "
        "per core)"
    )
    if not args.no_default:
        Contact.objects.filter(agreement=agreement).delete()
        default, dcpu = default_path(small)
        print(
            f"4. django-import-export's default path, same {args.rows} rows: {default:.1f} s "
            f"wall = {args.rows / default:,.0f} rows/s (CPU {dcpu:.1f} s); the app's import "
            f"is {default / elapsed:.1f}× as fast"
        )


def _exports(user: User, count: int) -> None:
    resource_ = get_dataset("contacts").resource(user)
    header = imports.export_headers(resource_)

    def csv_export() -> int:
        written = 0
        for chunk in imports.stream_csv(header, imports.export_rows(resource_, {}, native=False)):
            written += len(chunk)
        return written

    started = time.perf_counter()
    written = csv_export()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    csv_export()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"5a. streaming CSV export of {count} rows: {elapsed:.1f} s "
        f"({count / elapsed:,.0f} rows/s), {written / MiB:.1f} MiB; Python peak while "
        f"streaming (tracemalloc run) {peak / MiB:.1f} MiB"
    )
    started = time.perf_counter()
    handle = imports.write_xlsx(
        header, imports.export_rows(resource_, {}, native=True), sheet_title="Kontakter"
    )
    elapsed = time.perf_counter() - started
    handle.seek(0, os.SEEK_END)
    print(
        f"5b. XLSX export (openpyxl write-only, temp file) of {count} rows: {elapsed:.1f} s "
        f"({count / elapsed:,.0f} rows/s), {handle.tell() / MiB:.1f} MiB file"
    )


if __name__ == "__main__":
    main()
