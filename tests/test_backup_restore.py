"""Backup and restore drill: dump with scripts/backup.sh, restore into a fresh database with
scripts/restore.sh, and find every row count and the participants' and costs' checksums
unchanged. PostgreSQL only (pg_dump has no SQLite counterpart here)."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from tests.factories.participants import enrolled
from tests.factories.partnerships import ActualCostFactory

ROOT = Path(__file__).resolve().parent.parent
# Tables whose full contents must survive byte for byte, not just their row counts.
CHECKSUMMED = ["participants_participant", "partnerships_costline", "partnerships_actualcost"]

pytestmark = pytest.mark.django_db(transaction=True)


def _url(dbname: str) -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgresql://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{dbname}"


def _fingerprint(url: str) -> dict[str, object]:
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        result: dict[str, object] = {}
        for table in tables:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            result[table] = _one(conn.execute(query).fetchone())
        for table in CHECKSUMMED:
            query = sql.SQL(
                "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {} t"
            ).format(sql.Identifier(table))
            result[f"{table} md5"] = _one(conn.execute(query).fetchone())
    return result


def _one(row: tuple | None) -> object:
    assert row is not None
    return row[0]


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("Backup/restore-övningen kräver PostgreSQL (sätt DATABASE_URL=postgres://...).")


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore"
    admin_url = _url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield _url(name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def test_restored_backup_has_the_same_rows_and_checksums(world, fresh_database, tmp_path):
    for n in range(3):
        enrolled(world.agreement_a, world.org_a, name=f"Påhittad Person {n}")
    cost_line = world.agreement_a.budgets.get(year=2026).cost_lines.first()
    ActualCostFactory(cost_line=cost_line, amount=Decimal("1234.56"), description="Lokalhyra")
    source = _url(connection.settings_dict["NAME"])
    before = _fingerprint(source)
    assert before["participants_participant"] == 3

    dump = tmp_path / "iop.dump"
    subprocess.run([ROOT / "scripts/backup.sh", source, dump], check=True, capture_output=True)
    assert dump.stat().st_mode & 0o077 == 0, "the dump must be readable by its owner only"
    subprocess.run(
        [ROOT / "scripts/restore.sh", dump, fresh_database], check=True, capture_output=True
    )

    assert _fingerprint(fresh_database) == before


def test_restore_refuses_a_database_that_is_not_empty(world, tmp_path):
    source = _url(connection.settings_dict["NAME"])
    dump = tmp_path / "iop.dump"
    subprocess.run([ROOT / "scripts/backup.sh", source, dump], check=True, capture_output=True)
    result = subprocess.run(
        [ROOT / "scripts/restore.sh", dump, source], capture_output=True, text=True
    )
    assert result.returncode == 3
    assert "tom databas" in result.stderr


def test_restore_refuses_a_tampered_dump(world, tmp_path):
    dump = tmp_path / "iop.dump"
    subprocess.run(
        [ROOT / "scripts/backup.sh", _url(connection.settings_dict["NAME"]), dump],
        check=True,
        capture_output=True,
    )
    with dump.open("ab") as f:
        f.write(b"x")
    result = subprocess.run(
        [ROOT / "scripts/restore.sh", dump, "postgresql://unused/db"], capture_output=True
    )
    assert result.returncode != 0
