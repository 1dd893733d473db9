"""Reads of reports, dashboards and exports from a read replica (iop/db_router.py).

The first tests run everywhere and need no replica: the router falls back to the primary.
The last ones need a real streaming replica (`scripts/start_replica`, started by .ci/run
before the PostgreSQL phase) and are skipped without DATABASE_REPLICA_URL.
"""

from __future__ import annotations

import os
import time

import environ
import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iop import db_router
from iop.db_router import ReplicaRouter, forget_replica_health, replica_reads
from partnerships.models import Organisation

router = ReplicaRouter()


@pytest.fixture(autouse=True)
def _fresh_health():
    forget_replica_health()
    yield
    forget_replica_health()


def test_reads_stay_on_the_primary_outside_a_report(db):
    assert router.db_for_read(Organisation) is None
    assert router.db_for_write(Organisation) == "default"


def test_without_a_replica_a_report_reads_from_the_primary(db, monkeypatch):
    monkeypatch.setattr(db_router, "REPLICA", "no_replica_configured")
    with replica_reads():
        assert router.db_for_read(Organisation) is None
        assert db_router.replica_lag() is None


def test_the_replica_is_never_migrated():
    assert router.allow_migrate("replica", "partnerships") is False
    assert router.allow_migrate("default", "partnerships") is True


def test_a_post_keeps_the_user_on_the_primary_for_a_while(client, settings):
    response = client.post(reverse("set_language"), {"language": "sv", "next": "/login/"})
    assert db_router.cookie_name() in response.cookies
    cookie = response.cookies[db_router.cookie_name()]
    assert cookie["max-age"] == settings.IOP_REPLICA_STICKY_SECONDS and cookie["httponly"]
    request = client.get("/login/").wsgi_request
    assert db_router.recently_wrote(request)
    settings.IOP_REPLICA_STICKY_SECONDS = -1
    assert not db_router.recently_wrote(request)
    assert db_router.cookie_name() not in client.get("/login/").cookies  # a GET sets nothing


def test_a_dashboard_works_whatever_the_replica(world, login):
    client = login(world.steering_a)
    assert client.get(reverse("dashboard_detail", args=[world.agreement_a.pk])).status_code == 200


# --------------------------------------------------------------------------- a real replica

REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
needs_replica = pytest.mark.skipif(
    not REPLICA_URL,
    reason="DATABASE_REPLICA_URL is not set: no streaming replica to test against "
    "(.ci/run starts one with scripts/start_replica for the PostgreSQL phase)",
)


@pytest.fixture
def real_replica():
    """The `replica` alias pointed at the real streaming replica's copy of the test
    database (in tests it is otherwise a mirror of the primary)."""
    connection = connections["replica"]
    original = connection.settings_dict
    real = dict(original)
    parsed = environ.Env.db_url_config(REPLICA_URL)
    real.update(HOST=parsed["HOST"], PORT=parsed["PORT"])
    real["NAME"] = connections["default"].settings_dict["NAME"]
    connection.close()
    connection.settings_dict = real
    yield connection
    connection.close()
    connection.settings_dict = original


def _until_replayed(name: str) -> None:
    for _ in range(100):
        if Organisation.objects.using("replica").filter(name=name).exists():
            return
        time.sleep(0.1)
    raise AssertionError("the replica did not replay the write within 10 s")


@needs_replica
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_real_replica_serves_the_reports_and_falls_back(world, client, real_replica, settings):
    with real_replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True, "DATABASE_REPLICA_URL is not a standby"
    _until_replayed(world.org_a.name)
    assert db_router.replica_lag() is not None

    with replica_reads():
        assert router.db_for_read(Organisation) == "replica"
        assert Organisation.objects.filter(name=world.org_a.name).exists()
    assert router.db_for_read(Organisation) is None

    client.force_login(world.steering_a)
    url = reverse("dashboard_detail", args=[world.agreement_a.pk])
    with CaptureQueriesContext(real_replica) as on_replica:
        assert client.get(url).status_code == 200
    assert len(on_replica) > 5  # the figures were read from the replica

    # Just after a write the user reads from the primary.
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    with CaptureQueriesContext(real_replica) as on_replica:
        assert client.get(url).status_code == 200
    assert len(on_replica) == 0
    client.cookies.pop(db_router.cookie_name())

    # A replica further behind than allowed is left alone.
    settings.IOP_REPLICA_MAX_LAG_SECONDS = -1
    forget_replica_health()
    with replica_reads():
        assert router.db_for_read(Organisation) is None
    settings.IOP_REPLICA_MAX_LAG_SECONDS = 10

    # So is one that is down.
    real_replica.close()
    real_replica.settings_dict = {**real_replica.settings_dict, "PORT": 1}
    forget_replica_health()
    with replica_reads():
        assert router.db_for_read(Organisation) is None
    with CaptureQueriesContext(connections["default"]) as on_primary:
        assert client.get(url).status_code == 200
    assert len(on_primary) > 5
