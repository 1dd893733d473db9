"""/health/ for the load balancer: no sign-in, no personal data, 503 when it cannot serve."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_answers_without_sign_in_and_names_only_the_checks(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["worker"] == "ok"
    assert set(body) == {"status", "checks"}
    # No session is started for the load balancer's calls.
    assert "sessionid" not in response.cookies and "__Host-sessionid" not in response.cookies
    assert "no-cache" in response["Cache-Control"]


def test_many_calls_are_not_throttled(client):
    for _ in range(30):
        assert client.get(reverse("health")).status_code == 200


def test_a_cache_that_keeps_nothing_answers_503(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "fail"
    assert body["checks"]["cache"] == "fail: the cache did not keep a value"
    assert body["checks"]["database"] == "ok"


def test_a_stuck_queue_fails_only_the_full_check(client, settings):
    from django_tasks_db.models import DBTaskResult, get_date_max

    settings.IOP_HEALTH_WORKER_MAX_WAIT_SECONDS = 60
    task = DBTaskResult.objects.create(
        status="READY",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="reporting.tasks.nothing",
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert client.get(reverse("health")).status_code == 200
    response = client.get(reverse("health") + "?full=1")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["worker"].startswith("fail: a task has waited")


def test_the_replica_is_reported(client, settings):
    body = json.loads(client.get(reverse("health") + "?full=1").content)
    if "replica" in settings.DATABASES:
        assert body["checks"]["replica"] in {"ok", "fail: unreachable"}
    else:
        assert body["checks"]["replica"] == "not configured"
