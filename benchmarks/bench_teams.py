"""Benchmark: the caseworker's start page and the team pages on a big PostgreSQL database.

Seeds (once) 50 000 participants over 10 partnerships of 10 teams each (100 teams, three
caseworkers of three agencies per team), 2 000 000 contacts (40 per participant), and a
consent per participant towards its caseworker's organisation, server-side with
INSERT … SELECT generate_series. Then times requests through Django's test client and
prints p50/p95 and the SQL query count per request:

- the start page of a caseworker with a full caseload (143 open enrolments),
- the team list of a partnership manager who sees all 100 teams,
- one team's page as its team lead (persons listed) and as the steering group (numbers).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_teams_bench \\
        .venv/bin/python benchmarks/bench_teams.py [--runs 60] [--contacts 40]

Use a database of your own: the script migrates it and fills it.
"""

from __future__ import annotations

import argparse
import os
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
from stdnum import luhn  # noqa: E402

from participants.models import Enrolment, Participant, Team, TeamMember  # noqa: E402
from partnerships.models import Agreement, AgreementParty, Organisation, Role, User  # noqa: E402

PARTICIPANTS = 50_000
AGREEMENTS = 10
TEAMS_PER_AGREEMENT = 10
AGENCIES = ("Arbetsförmedlingen", "Kommunen", "Försäkringskassan")
PREFIX = "teambench-"


def org_number(n: int) -> str:
    base = f"8031{n:05d}"
    digits = base + luhn.calc_check_digit(base)
    return f"{digits[:6]}-{digits[6:]}"


def _users_and_teams() -> None:
    caseworker, _ = Group.objects.get_or_create(name=Role.CASEWORKER)
    manager, _ = Group.objects.get_or_create(name=Role.MANAGER)
    steering, _ = Group.objects.get_or_create(name=Role.STEERING)
    agencies = [
        Organisation.objects.get_or_create(
            org_number=org_number(i), defaults={"name": f"{name} (bench)", "kind": "state_agency"}
        )[0]
        for i, name in enumerate(AGENCIES)
    ]
    boss = User.objects.create(username=f"{PREFIX}manager", organisation=agencies[0])
    boss.groups.add(manager)
    board = User.objects.create(username=f"{PREFIX}steering", organisation=agencies[1])
    board.groups.add(steering)
    for a in range(AGREEMENTS):
        agreement = Agreement.objects.create(
            short_id=f"{PREFIX}{a}",
            title=f"Team-IOP {a:02d}",
            start_date="2024-01-01",
            end_date="2027-12-31",
            status=Agreement.Status.ACTIVE,
            capacity=1000,
            participant_max_days=540,
        )
        for agency in agencies:
            AgreementParty.objects.create(agreement=agreement, organisation=agency, role="partner")
        for t in range(TEAMS_PER_AGREEMENT):
            team = Team.objects.create(agreement=agreement, name=f"Team {t:02d}")
            for i, agency in enumerate(agencies):
                user = User.objects.create(
                    username=f"{PREFIX}cw-{a}-{t}-{i}", organisation=agency, first_name="Bench"
                )
                user.groups.add(caseworker)
                TeamMember.objects.create(
                    team=team,
                    user=user,
                    organisation=agency,
                    function="employment_officer",
                    start_date="2024-01-01",
                    is_lead=i == 1,
                )


def seed() -> None:
    started = time.perf_counter()
    _users_and_teams()
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute(
            f"""
            INSERT INTO participants_participant (code, name, personnummer, gender, birth_year,
                language, created_at, revision)
            SELECT 'T-' || lpad(i::text, 6, '0'), 'Bench Person ' || i, '',
                   (ARRAY['woman','man','woman','man','other'])[1 + i % 5], 1960 + i % 45,
                   'svenska', now(), 1
            FROM generate_series(1, {PARTICIPANTS}) i
            """
        )
        # Participant n goes to team n % 100; its caseworker is member n % 3 of that team.
        # One in seven has exited; the open ones make a caseload of about 140 per caseworker.
        cur.execute(
            """
            WITH members AS (
                SELECT m.team_id, m.user_id, t.agreement_id,
                       row_number() OVER (ORDER BY t.id) - 1 AS team_no,
                       row_number() OVER (PARTITION BY m.team_id ORDER BY m.id) - 1 AS member_no
                FROM participants_teammember m JOIN participants_team t ON t.id = m.team_id
                WHERE t.agreement_id IN (SELECT id FROM partnerships_agreement
                                         WHERE short_id LIKE 'teambench-%%')
            ), teams AS (
                SELECT team_id, agreement_id, (min(team_no) / 3) AS team_no
                FROM members GROUP BY team_id, agreement_id
            ), people AS (
                SELECT id, substring(code from 3)::int AS n FROM participants_participant
                WHERE code LIKE 'T-%%'
            )
            INSERT INTO participants_enrolment (participant_id, agreement_id, team_id,
                caseworker_id, start_date, planned_min_days, planned_max_days, income_at_start,
                income_at_exit, exit_date, exit_outcome, next_step, created_at, revision)
            SELECT p.id, t.agreement_id, t.team_id, m.user_id, DATE '2024-01-01' + (p.n % 880),
                   90, CASE WHEN p.n % 2 = 0 THEN 365 END, 'income_support',
                   CASE WHEN p.n % 7 = 0 THEN 'salary' ELSE '' END,
                   CASE WHEN p.n % 7 = 0 THEN DATE '2024-01-01' + (p.n % 880) + 200 END,
                   CASE WHEN p.n % 7 = 0 THEN 'work' ELSE '' END, '', now(), 1
            FROM people p
            JOIN teams t ON t.team_no = p.n % 100
            JOIN members m ON m.team_id = t.team_id AND m.member_no = p.n % 3
            """
        )
        cur.execute(
            """
            INSERT INTO participants_consent (participant_id, organisation_id, share_identity,
                share_notes, share_plan, given_on, expires_on, recorded_at)
            SELECT e.participant_id, u.organisation_id, true, true, true, DATE '2023-12-01',
                   CASE WHEN e.participant_id % 10 = 0 THEN CURRENT_DATE + 20 END, now()
            FROM participants_enrolment e JOIN partnerships_user u ON u.id = e.caseworker_id
            JOIN participants_participant p ON p.id = e.participant_id AND p.code LIKE 'T-%%'
            """
        )
        cur.execute("VACUUM ANALYZE")
    print(
        f"  participants, enrolments, consents: {time.perf_counter() - started:.0f} s", flush=True
    )


def seed_contacts(contacts: int) -> None:
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute(
            f"""
            INSERT INTO participants_contact (participant_id, agreement_id, date, kind,
                duration_minutes, staff_id, topic, referrals, note, created_at)
            SELECT e.participant_id, e.agreement_id,
                   LEAST(e.start_date + (g * 7 + e.participant_id % 40)::int, CURRENT_DATE),
                   (ARRAY['meeting','phone','digital','home_visit','group','outreach'])[1 + g % 6],
                   30, e.caseworker_id, 'Uppföljning', '', '', now()
            FROM participants_enrolment e
            JOIN participants_participant p ON p.id = e.participant_id AND p.code LIKE 'T-%%'
            CROSS JOIN generate_series(1, {contacts}) g
            """
        )
        cur.execute("VACUUM ANALYZE")
    print(f"  contacts: {time.perf_counter() - started:.0f} s", flush=True)


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def timed(label: str, runs: int, client: Client, url: str) -> None:
    times, queries = [], set()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            status = client.get(url).status_code
            times.append((time.perf_counter() - start) * 1000)
        assert status == 200, (label, status)
        queries.add(len(ctx.captured_queries))
    warm = times[3:]  # the first requests warm caches and connections
    print(
        f"{label:<34} p50 {percentile(warm, 50):7.1f} ms   p95 {percentile(warm, 95):7.1f} ms   "
        f"queries/request {sorted(queries)}"
    )


def _client(user: User) -> Client:
    """Signed in, with the second factor passed as a real sign-in would."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--contacts", type=int, default=40, help="contacts per participant")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL to a database of your own.")
    call_command("migrate", verbosity=0)
    if not Participant.objects.filter(code="T-000001").exists():
        if User.objects.filter(username__startswith=PREFIX).exists():
            sys.exit("Partly seeded database: drop it and start again.")
        seed()
    from participants.models import Contact

    if not Contact.objects.filter(participant__code="T-000001").exists():
        seed_contacts(args.contacts)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    caseworker = User.objects.get(username=f"{PREFIX}cw-0-0-0")
    lead = User.objects.get(username=f"{PREFIX}cw-0-0-1")
    caseload = Enrolment.objects.filter(caseworker=caseworker, exit_date__isnull=True).count()
    print(
        f"Database: {Participant.objects.count():,} participants, "
        f"{Contact.objects.count():,} contacts, {Team.objects.count()} teams; "
        f"the caseworker's open caseload: {caseload}"
    )
    team = TeamMember.objects.get(user=caseworker).team
    team_url = reverse("participants:team_detail", args=[team.pk])
    timed("Start page (caseworker)", args.runs, _client(caseworker), reverse("participants:start"))
    timed(
        "Team list (manager, 100 teams)",
        args.runs,
        _client(User.objects.get(username=f"{PREFIX}manager")),
        reverse("participants:team_list"),
    )
    timed("Team page (team lead)", args.runs, _client(lead), team_url)
    timed(
        "Team page (steering, numbers)",
        args.runs,
        _client(User.objects.get(username=f"{PREFIX}steering")),
        team_url,
    )


if __name__ == "__main__":
    main()
