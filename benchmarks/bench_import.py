"""Benchmark the import/export pipeline on PostgreSQL (prints figures; not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_import_bench \
        .venv/bin/python benchmarks/bench_import.py [--rows 20000] [--big 100000]

Measures, through the spreadsheet engine (iop/spreadsheets/engine.py) exactly as the web pages use it:
1. contacts import (CSV, all new rows, committed): rows per second (target >= 2 000);
2. the same file again: every row unchanged (re-import changes nothing);
3. a `--big`-row contacts file: preview + import, peak Python memory (tracemalloc) and
   the process's peak RSS (target < 300 MiB);
4. streaming export of all contacts to CSV and XLSX: time and peak memory.
The database is your own: the script migrates it and replaces its benchmark data.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iop_import_bench")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from iop.models import ImportJob  # noqa: E402
from iop.spreadsheets import engine as imports  # noqa: E402
from iop.spreadsheets.registry import get_dataset  # noqa: E402
from participants.models import Consent, Contact, Enrolment, Participant  # noqa: E402
from partnerships.models import Agreement, AgreementParty, Organisation, Role, User  # noqa: E402

MiB = 1024 * 1024
START = datetime.date(2024, 1, 1)
KINDS = ["Enskilt möte", "Telefon", "Digitalt", "Hembesök"]


def setup(participants: int) -> tuple[User, Agreement, list[str]]:
    """The benchmark partnership; re-runs reuse its participants (the access log is
    append-only, so logged participants are never deleted) and drop only its contacts."""
    org, _ = Organisation.objects.get_or_create(
        org_number="802000-0003", defaults={"name": "Benchmarkföreningen", "kind": "non_profit"}
    )
    agreement, _ = Agreement.objects.get_or_create(
        short_id="bench",
        defaults={
            "title": "IOP Benchmark",
            "start_date": START,
            "end_date": datetime.date(2027, 12, 31),
            "status": Agreement.Status.ACTIVE,
        },
    )
    AgreementParty.objects.get_or_create(
        agreement=agreement, organisation=org, defaults={"role": "operator"}
    )
    user, _ = User.objects.get_or_create(username="bench", defaults={"organisation": org})
    user.groups.add(Group.objects.get_or_create(name=Role.COORDINATOR)[0])
    Contact.objects.filter(agreement=agreement).delete()
    wanted = [f"B-{i:05d}" for i in range(participants)]
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
                        "bench",
                        date,
                        KINDS[(i + day) % 4],
                        "bench",
                        30 + i % 60,
                        "Uppföljning",
                        "",
                        "Samtal om praktik och nästa steg.",
                    ]
                )
                n += 1


def new_job(user: User, path: str, rows: int) -> ImportJob:
    job = ImportJob.objects.create(
        kind="contacts",
        user=user,
        original_name=Path(path).name,
        file_format="csv",
        total_rows=rows,
    )
    with open(path, "rb") as handle:
        job.file.save(f"bench-{job.pk}.csv", File(handle), save=True)
    return job


def timed_import(user, path, rows, *, commit=True):
    job = new_job(user, path, rows)
    started, cpu = time.perf_counter(), time.process_time()
    job = imports.run_import(job=job, commit=commit)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert not job.message, job.message
    return job, elapsed, cpu


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--participants", type=int, default=1_000)
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "run this against PostgreSQL (DATABASE_URL)"
    call_command("migrate", verbosity=0)
    tmp = tempfile.mkdtemp(prefix="iop-bench-")
    from django.conf import settings

    settings.MEDIA_ROOT = tmp
    settings.IOP_IMPORT_MAX_BYTES = 200 * MiB

    load = os.getloadavg()[0]
    version = getattr(connection, "pg_version", "?")  # PostgreSQL backends only
    print(f"PostgreSQL {version}; {os.cpu_count()} cores; load average {load:.1f}")
    user, _agreement, codes = setup(args.participants)

    # 1. The big file first, so that the process's peak RSS is this import's.
    big = os.path.join(tmp, "contacts-big.csv")
    write_contacts(big, codes, args.big)
    size = os.path.getsize(big) / MiB
    before = rss_mib()
    job, elapsed, cpu = timed_import(user, big, args.big, commit=True)
    print(
        f"1. import of {args.big} contact rows ({size:.1f} MiB CSV), one transaction: "
        f"{elapsed:.1f} s wall = {args.big / elapsed:,.0f} rows/s "
        f"(CPU {cpu:.1f} s = {args.big / cpu:,.0f} rows/s per core); {job.summary}; "
        f"peak RSS {rss_mib():.0f} MiB (was {before:.0f} MiB before)"
    )
    job, elapsed, cpu = timed_import(user, big, args.big, commit=False)
    print(
        f"2. preview of the same {args.big} rows again: {elapsed:.1f} s wall = "
        f"{args.big / elapsed:,.0f} rows/s; new={job.summary['new']} update={job.summary['update']} "
        f"skip={job.summary['skip']} (re-import changes nothing)"
    )

    Contact.objects.filter(agreement__short_id="bench").delete()
    small = os.path.join(tmp, "contacts.csv")
    write_contacts(small, codes, args.rows)
    job, elapsed, cpu = timed_import(user, small, args.rows)
    print(
        f"3. contacts import, {args.rows} new rows: {elapsed:.1f} s wall = "
        f"{args.rows / elapsed:,.0f} rows/s (CPU {cpu:.1f} s = {args.rows / cpu:,.0f} rows/s per core)"
    )

    Contact.objects.filter(agreement__short_id="bench").delete()
    job, elapsed, cpu = timed_import(user, big, args.big, commit=True)
    resource_ = get_dataset("contacts").resource(user)
    count = Contact.objects.filter(agreement__short_id="bench").count()
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
        f"4a. streaming CSV export of {count} rows: {elapsed:.1f} s ({count / elapsed:,.0f} rows/s), "
        f"{written / MiB:.1f} MiB; Python peak while streaming (tracemalloc run) {peak / MiB:.1f} MiB"
    )
    started = time.perf_counter()
    handle = imports.write_xlsx(
        header, imports.export_rows(resource_, {}, native=True), sheet_title="Kontakter"
    )
    elapsed = time.perf_counter() - started
    handle.seek(0, os.SEEK_END)
    print(
        f"4b. XLSX export (openpyxl write-only, temp file) of {count} rows: {elapsed:.1f} s "
        f"({count / elapsed:,.0f} rows/s), {handle.tell() / MiB:.1f} MiB file"
    )
    print(f"peak RSS of the whole benchmark process: {rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
