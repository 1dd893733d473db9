"""Benchmark: Mina deltagare, the timeline and contact logging on a big PostgreSQL database.

Seeds (once) 50 000 participants and 2 000 000 contacts over 20 partnerships, server-side
with INSERT … SELECT generate_series (minutes, not hours), then times requests through
Django's test client as a coordinator whose organisation is party to two partnerships
(about 5 000 participants), and prints p50/p95 and the SQL query count per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_participants_bench \
        .venv/bin/python benchmarks/bench_participants.py [--runs 60] [--reseed]

Use a database of your own: the script migrates it and fills it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from stdnum import luhn  # noqa: E402

from participants.models import Enrolment, Participant, Phase  # noqa: E402
from partnerships.models import Agreement, AgreementParty, Organisation, Role, User  # noqa: E402

PARTICIPANTS = 50_000
CONTACTS_PER_PARTICIPANT = 40  # 2 000 000 contacts
AGREEMENTS = 20
PREFIX = "bench-"


def org_number(n: int) -> str:
    base = f"8029{n:05d}"
    digits = base + luhn.calc_check_digit(base)
    return f"{digits[:6]}-{digits[6:]}"


def seed() -> None:
    started = time.perf_counter()
    group, _ = Group.objects.get_or_create(name=Role.COORDINATOR)
    orgs = []
    for i in range(AGREEMENTS):
        org, _ = Organisation.objects.get_or_create(
            org_number=org_number(i), defaults={"name": f"Benchförening {i}", "kind": "non_profit"}
        )
        orgs.append(org)
    for i in range(AGREEMENTS):
        agreement, _ = Agreement.objects.get_or_create(
            short_id=f"{PREFIX}{i}",
            defaults={
                "title": f"Bench-IOP {i:02d}",
                "start_date": "2024-01-01",
                "end_date": "2027-12-31",
                "status": Agreement.Status.ACTIVE,
                "capacity": 3000,
            },
        )
        AgreementParty.objects.get_or_create(
            agreement=agreement, organisation=orgs[i], defaults={"role": "operator"}
        )
        # Organisation 0 (the measured coordinator's) is party to agreements 0 and 1.
        if i == 1:
            AgreementParty.objects.get_or_create(
                agreement=agreement, organisation=orgs[0], defaults={"role": "partner"}
            )
        user, _ = User.objects.get_or_create(
            username=f"{PREFIX}coord{i}", defaults={"organisation": orgs[i], "first_name": "Bench"}
        )
        user.groups.add(group)
    first_phase = Phase.objects.filter(agreement__isnull=True).order_by("position").first()
    assert first_phase is not None, "the default phases come with the migrations"
    agreement_ids = list(
        Agreement.objects.filter(short_id__startswith=PREFIX)
        .order_by("short_id")
        .values_list("pk", flat=True)
    )
    agreement_ids.sort(key=lambda pk: Agreement.objects.get(pk=pk).short_id.split("-")[1].zfill(3))
    org_ids = [o.pk for o in orgs]
    staff_ids = [User.objects.get(username=f"{PREFIX}coord{i}").pk for i in range(AGREEMENTS)]
    arr = lambda ids: "ARRAY[" + ",".join(str(i) for i in ids) + "]::bigint[]"  # noqa: E731
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute(
            f"""
            INSERT INTO participants_participant (code, name, personnummer, gender, birth_year, language,
                identity_status, created_at, revision)
            SELECT 'B-' || lpad(i::text, 6, '0'), 'Bench Person ' || i, '',
                   (ARRAY['woman','man','woman','man','other'])[1 + i % 5], 1960 + i % 45, 'svenska',
                   'registered', now(), 1
            FROM generate_series(1, {PARTICIPANTS}) i
            """
        )
        print(f"  participants: {time.perf_counter() - started:.0f} s", flush=True)
        cur.execute(
            f"""
            INSERT INTO participants_enrolment (participant_id, agreement_id, start_date, planned_min_days,
                planned_max_days, phase_id, income_at_start, income_at_exit, exit_date, exit_outcome, next_step,
                created_at, revision)
            SELECT p.id, ({arr(agreement_ids)})[1 + n % {AGREEMENTS}], DATE '2024-01-01' + (n % 880), 90, 365,
                   {first_phase.pk}, 'income_support',
                   CASE WHEN n % 3 = 0 THEN 'salary' ELSE '' END,
                   CASE WHEN n % 3 = 0 THEN DATE '2024-01-01' + (n % 880) + 200 END,
                   CASE WHEN n % 3 = 0 THEN 'work' ELSE '' END, 'Uppföljning', now(), 1
            FROM (SELECT id, substring(code from 3)::int AS n FROM participants_participant WHERE code LIKE 'B-%%') p
            """
        )
        # Each participant is registered by the organisation of their partnership.
        cur.execute(
            f"""
            UPDATE participants_participant p
            SET organisation_id = ({arr(org_ids)})[array_position({arr(agreement_ids)}, e.agreement_id)]
            FROM participants_enrolment e WHERE e.participant_id = p.id AND p.code LIKE 'B-%%'
            """
        )
        consent_columns = """participant_id, holder_id, organisation_id, share_identity, share_notes,
                share_plan, share_health, share_income, purpose, given_on, method, reference, scan,
                witness, withdrawal_method, withdrawal_reference, withdrawal_witness, recorded_at"""
        cur.execute(
            f"""
            INSERT INTO participants_consent ({consent_columns})
            SELECT p.id, p.organisation_id, p.organisation_id, true, true, true, false, true,
                   'Registrering', DATE '2023-12-01', 'written', 'REG-' || p.id, '', '', '', '', '',
                   now()
            FROM participants_participant p WHERE p.code LIKE 'B-%%'
            """
        )
        # Agreement 1 is shared with organisation 0: the registering organisation of its
        # participants shares notes and plans (not identity) with organisation 0.
        cur.execute(
            f"""
            INSERT INTO participants_consent ({consent_columns})
            SELECT e.participant_id, {org_ids[1]}, {org_ids[0]}, false, true, true, false, false,
                   'Samordning', DATE '2023-12-01', 'written', 'SAM-' || e.participant_id, '', '',
                   '', '', '', now()
            FROM participants_enrolment e WHERE e.agreement_id = {agreement_ids[1]}
            """
        )
        print(f"  enrolments and consents: {time.perf_counter() - started:.0f} s", flush=True)
        cur.execute(
            f"""
            INSERT INTO participants_contact (participant_id, agreement_id, date, kind, duration_minutes,
                staff_id, topic, referrals, note, health, source_organisation_id, created_at)
            SELECT e.participant_id, e.agreement_id,
                   LEAST(e.start_date + g * 7, CURRENT_DATE),
                   (ARRAY['meeting','phone','digital','home_visit','group','outreach'])[1 + g % 6],
                   15 + (g % 6) * 15,
                   ({arr(staff_ids)})[array_position({arr(agreement_ids)}, e.agreement_id)],
                   'Uppföljning', '', CASE WHEN g % 4 = 0 THEN 'Anteckning nummer ' || g ELSE '' END,
                   g % 10 = 0, p.organisation_id, now() - (g || ' days')::interval
            FROM participants_enrolment e
            JOIN participants_participant p ON p.id = e.participant_id AND p.code LIKE 'B-%%'
            CROSS JOIN generate_series(1, {CONTACTS_PER_PARTICIPANT}) g
            """
        )
        print(f"  contacts: {time.perf_counter() - started:.0f} s", flush=True)
        cur.execute(
            """
            INSERT INTO participants_attendance (participant_id, agreement_id, date, status)
            SELECT e.participant_id, e.agreement_id, e.start_date + g * 7,
                   (ARRAY['present','present','present','absent','excused'])[1 + g % 5]
            FROM participants_enrolment e
            JOIN participants_participant p ON p.id = e.participant_id AND p.code LIKE 'B-%%'
            CROSS JOIN generate_series(1, 8) g
            WHERE e.start_date + g * 7 <= COALESCE(e.exit_date, CURRENT_DATE)
            """
        )
        cur.execute(
            """
            INSERT INTO participants_progressassessment (enrolment_id, date, step, comment,
                source_organisation_id)
            SELECT e.id, e.start_date + g * 60, 1 + g, '', p.organisation_id
            FROM participants_enrolment e
            JOIN participants_participant p ON p.id = e.participant_id AND p.code LIKE 'B-%%'
            CROSS JOIN generate_series(0, 2) g
            WHERE e.start_date + g * 60 <= CURRENT_DATE
            """
        )
        print(f"  attendance and assessments: {time.perf_counter() - started:.0f} s", flush=True)
        cur.execute("ANALYZE")
    print(f"Seeded in {time.perf_counter() - started:.0f} s", flush=True)


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def timed(label: str, runs: int, request) -> None:
    times, queries = [], set()
    for i in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            status = request(i)
            times.append((time.perf_counter() - start) * 1000)
        assert status == 200, (label, status)
        queries.add(len(ctx.captured_queries))
    warm = times[3:]  # the first requests warm caches and connections
    print(
        f"{label:<28} p50 {percentile(warm, 50):7.1f} ms   p95 {percentile(warm, 95):7.1f} ms   "
        f"queries/request {sorted(queries)}"
    )


def _pass_second_factor(client: Client, user: User) -> None:
    """Mark the session as having passed the second factor, as a real sign-in would."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL to a database of your own.")
    call_command("migrate", verbosity=0)
    if args.reseed or not Participant.objects.filter(code="B-000001").exists():
        if Participant.objects.filter(code__startswith="B-").exists():
            sys.exit("Partly seeded database: drop it and start again.")
        seed()
    # Not setup_test_environment(): it instruments template rendering and would slow it.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = User.objects.get(username=f"{PREFIX}coord0")
    visible = list(
        Enrolment.objects.filter(
            agreement__short_id__in=[f"{PREFIX}0", f"{PREFIX}1"], exit_date__isnull=True
        ).values_list("pk", "participant_id")
    )
    print(
        f"Database: {Participant.objects.count():,} participants, "
        f"{Enrolment.objects.count():,} enrolments; coordinator sees {len(visible):,} open enrolments"
    )
    from participants.models import Contact

    print(f"Contacts: {Contact.objects.count():,}")
    client = Client()
    client.force_login(user)
    _pass_second_factor(client, user)
    rng = random.Random(1)
    pages = max(len(visible) // 50, 1)
    today = timezone.localdate().isoformat()

    timed(
        "Mina deltagare (page 1)",
        args.runs,
        lambda i: client.get(reverse("participants:list")).status_code,
    )
    timed(
        "Mina deltagare (any page)",
        args.runs,
        lambda i: (
            client.get(reverse("participants:list"), {"page": rng.randint(1, pages)}).status_code
        ),
    )
    timed(
        "Timeline",
        args.runs,
        lambda i: (
            client.get(reverse("participants:timeline", args=[rng.choice(visible)[1]])).status_code
        ),
    )
    timed(
        "Log contact (htmx POST)",
        args.runs,
        lambda i: (
            client.post(
                reverse("participants:contact_create", args=[rng.choice(visible)[0]]),
                {"date": today, "kind": "phone", "duration_minutes": "15", "topic": "Bench"},
                HTTP_HX_REQUEST="true",
            ).status_code
        ),
    )


if __name__ == "__main__":
    main()
