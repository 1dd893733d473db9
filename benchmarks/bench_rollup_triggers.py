"""Benchmark: inserting 100 000 contacts with and without the roll-up triggers (PostgreSQL).

Creates 5 000 participants in one partnership (once), then inserts 100 000 contacts in
one INSERT … SELECT and, separately, through bulk_create in batches of 1 000 (what the
import does), each with the installed triggers and with the triggers dropped, deleting
them again after each round. Prints seconds per round and checks the totals against a
recount.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_bench_triggers \\
        .venv/bin/python benchmarks/bench_rollup_triggers.py [--contacts 100000]

Use a database of your own: the script migrates it and fills it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from participants.models import Contact, Participant  # noqa: E402
from partnerships.models import Agreement, User  # noqa: E402
from reporting import rollup  # noqa: E402

PARTICIPANTS = 5_000


def prepare() -> tuple[int, int, list[int]]:
    agreement, _ = Agreement.objects.get_or_create(
        short_id="trig-bench",
        defaults={
            "title": "Trigger-bench",
            "start_date": "2024-01-01",
            "end_date": "2027-12-31",
            "status": Agreement.Status.ACTIVE,
        },
    )
    staff, _ = User.objects.get_or_create(username="trig-bench")
    if not Participant.objects.filter(code__startswith="TB-").exists():
        Participant.objects.bulk_create(
            Participant(code=f"TB-{i:05d}", gender=("woman", "man", "other")[i % 3])
            for i in range(PARTICIPANTS)
        )
    ids = list(Participant.objects.filter(code__startswith="TB-").values_list("pk", flat=True))
    return agreement.pk, staff.pk, ids


def insert_select(agreement_id: int, staff_id: int, ids: list[int], n: int) -> None:
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO participants_contact (participant_id, agreement_id, date, kind,
                duration_minutes, staff_id, topic, referrals, note, health, created_at)
            SELECT (%s::bigint[])[1 + g %% %s], %s, DATE '2025-01-01' + (g %% 600), 'meeting',
                   30, %s, '', '', '', false, now()
            FROM generate_series(1, %s) g
            """,
            [ids, len(ids), agreement_id, staff_id, n],
        )


def bulk_create(agreement_id: int, staff_id: int, ids: list[int], n: int) -> None:
    start = datetime.date(2025, 1, 1)
    Contact.objects.bulk_create(
        (
            Contact(
                participant_id=ids[g % len(ids)],
                agreement_id=agreement_id,
                date=start + datetime.timedelta(days=g % 600),
                kind="meeting",
                duration_minutes=30,
                staff_id=staff_id,
            )
            for g in range(n)
        ),
        batch_size=1000,
    )


def timed(write, *args) -> float:
    with transaction.atomic():
        started = time.perf_counter()
        write(*args)
        seconds = time.perf_counter() - started
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL to a database of your own.")
    call_command("migrate", verbosity=0)
    agreement_id, staff_id, ids = prepare()
    Contact.objects.filter(agreement_id=agreement_id).delete()
    for label, write in (("INSERT … SELECT", insert_select), ("bulk_create", bulk_create)):
        for triggers in (True, False):
            if triggers:
                rollup.install_triggers()
            else:
                rollup.drop_triggers()
            seconds = timed(write, agreement_id, staff_id, ids, args.contacts)
            print(
                f"{args.contacts:,} contacts, {label:<16} triggers {'on ' if triggers else 'off'}"
                f": {seconds:6.2f} s",
                flush=True,
            )
            rollup.install_triggers()
            if not triggers:
                rollup.rebuild()
            assert rollup.differences() == [], "the totals differ from a recount"
            Contact.objects.filter(agreement_id=agreement_id).delete()


if __name__ == "__main__":
    main()
