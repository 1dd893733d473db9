"""The shared cache: dashboard figures and deadlines kept per partnership version.

Every worker reads the same database cache; a write to a partnership gives it a new
version at the commit, so its cached figures are counted afresh on every worker.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting import figures_cache
from tests.factories.participants import ContactFactory
from tests.factories.reporting import fixture_partnership

pytestmark = pytest.mark.django_db

# A cached dashboard: the session and the user, the second factor, the partnerships the
# user follows, the partnership and its years, then one read of the versions, one of the
# built page, one of the deadlines and one of the funders' targets from the cache.
CACHED_QUERIES = 9


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.IOP_DASHBOARD_CACHE_SECONDS = 300
    cache.clear()


def test_the_default_cache_is_the_shared_database_table(settings):
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend == "django.core.cache.backends.db.DatabaseCache" or settings.CACHES["default"][
        "LOCATION"
    ].startswith("redis")
    cache.set("shared", 42)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM iop_cache")
        assert cursor.fetchone()[0] >= 1
    assert cache.get("shared") == 42


def _page(client, url):
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url).content.decode()
    return body, len(queries)


def _log_contact(agreement, staff) -> None:
    """A contact in March 2024 with the partnership's first enrolled participant."""
    enrolment = agreement.enrolments.first()
    ContactFactory.create(
        participant=enrolment.participant,
        agreement=agreement,
        date=datetime.date(2024, 3, 1),
        staff=staff,
    )


def test_a_cached_dashboard_runs_few_queries_and_a_write_recounts(
    world, login, django_capture_on_commit_callbacks, django_assert_num_queries
):
    agreement = fixture_partnership(world.org_a, world.municipality, world.coordinator_a)
    figures_cache.flush_pending()  # the setup has committed
    client = login(world.steering_a)
    url = reverse("dashboard_detail", args=[agreement.pk]) + "?year=2024"
    cold_body, cold = _page(client, url)
    with django_assert_num_queries(CACHED_QUERIES):
        warm_body = client.get(url).content.decode()
    assert cold - CACHED_QUERIES > 20
    assert warm_body.count("<svg") == cold_body.count("<svg")

    before = figures_cache.versions_token([agreement.pk])
    with django_capture_on_commit_callbacks(execute=True):
        _log_contact(agreement, world.coordinator_a)
    assert figures_cache.versions_token([agreement.pk]) != before
    _body, after_write = _page(client, url)
    assert after_write > CACHED_QUERIES + 20  # counted afresh
    _body, again = _page(client, url)
    assert again == CACHED_QUERIES


def _cached_values(prefix: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM iop_cache WHERE cache_key LIKE %s", [f"%{prefix}%"])
        keys = [row[0].split(":", 2)[2] for row in cursor.fetchall()]
    return [cache.get(key) for key in keys]


def test_the_html_page_keeps_only_what_it_shows_and_the_csv_gets_every_figure(world, login):
    """Measured (issue 19): the built page's cache entry held the figures and the suppressor
    beside their HTML, 135 KB to read and unpickle on every cached dashboard. The HTML page
    now keeps an entry with its tiles and the figures' HTML only; the CSV, which needs the
    figures, builds and keeps the whole page."""
    agreement = fixture_partnership(world.org_a, world.municipality, world.coordinator_a)
    figures_cache.flush_pending()
    client = login(world.steering_a)
    page = client.get(reverse("dashboard_detail", args=[agreement.pk]) + "?year=2024")
    assert page.status_code == 200
    [html_entry] = _cached_values(":dashboard-html:")
    assert set(html_entry) == {"tiles", "figures_html"}
    assert html_entry["figures_html"] in page.content.decode()
    assert _cached_values(":dashboard-page:") == []

    csv = client.get(reverse("dashboard_csv", args=[agreement.pk]) + "?year=2024")
    assert csv.status_code == 200
    [whole] = _cached_values(":dashboard-page:")
    assert {"figures", "suppressor"} <= set(whole)
    assert all(figure.title in csv.getvalue().decode() for figure in whole["figures"])


def test_a_write_to_a_linked_partnership_rebuilds_the_page(
    world, login, django_capture_on_commit_callbacks
):
    """A partnership's page is suppressed together with every page its reader can open
    (reporting.dashboards.link_pages), so the built page is kept under their versions too:
    a contact logged in the other partnership makes the first page count afresh."""
    first = fixture_partnership(world.org_a, world.municipality, world.coordinator_a)
    second = fixture_partnership(world.org_a, world.municipality, world.coordinator_a, prefix="FY")
    figures_cache.flush_pending()
    client = login(world.steering_a)
    url = reverse("dashboard_detail", args=[first.pk]) + "?year=2024"
    cold_body, cold = _page(client, url)
    warm_body, warm = _page(client, url)
    assert warm == CACHED_QUERIES and warm_body.count("<svg") == cold_body.count("<svg")
    with django_capture_on_commit_callbacks(execute=True):
        _log_contact(second, world.coordinator_a)
    _body, after_write = _page(client, url)
    assert after_write > CACHED_QUERIES + 20


def test_a_write_to_another_partnership_keeps_the_figures(
    world, login, django_capture_on_commit_callbacks
):
    agreement = fixture_partnership(world.org_a, world.municipality, world.coordinator_a)
    figures_cache.flush_pending()
    before = figures_cache.versions_token([agreement.pk])
    with django_capture_on_commit_callbacks(execute=True):
        world.agreement_b.title = "IOP B, nytt namn"
        world.agreement_b.save()
    assert figures_cache.versions_token([agreement.pk]) == before
    assert figures_cache.versions_token([world.agreement_b.pk]) != before


def test_a_write_through_a_foreign_key_and_a_bulk_write_renew_the_version(
    world, django_capture_on_commit_callbacks
):
    from iop.signals import rows_written
    from partnerships.models import CostLine

    figures_cache.flush_pending()
    budget = world.agreement_a.budgets.get(year=2026)
    before = figures_cache.versions_token([world.agreement_a.pk])
    with django_capture_on_commit_callbacks(execute=True):
        line = CostLine.objects.filter(budget=budget).first()
        line.save()  # cost line -> budget -> agreement, resolved at the commit
    middle = figures_cache.versions_token([world.agreement_a.pk])
    assert middle != before
    with django_capture_on_commit_callbacks(execute=True):
        rows_written.send(sender=CostLine, agreement_ids=None)
    assert figures_cache.versions_token([world.agreement_a.pk]) != middle


def test_a_rolled_back_write_changes_nothing(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    figures_cache.flush_pending()
    before = figures_cache.versions_token([world.agreement_a.pk])
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                world.agreement_a.save()
                raise RuntimeError
        except RuntimeError:
            pass
    assert figures_cache.versions_token([world.agreement_a.pk]) == before


def test_a_participant_renews_the_partnerships_they_are_enrolled_in(
    world, django_capture_on_commit_callbacks
):
    agreement = fixture_partnership(world.org_a, world.municipality, world.coordinator_a)
    figures_cache.flush_pending()
    participant = agreement.enrolments.first().participant
    before = figures_cache.versions_token([agreement.pk])
    other = figures_cache.versions_token([world.agreement_b.pk])
    with django_capture_on_commit_callbacks(execute=True):
        participant.save()
    assert figures_cache.versions_token([agreement.pk]) != before
    assert figures_cache.versions_token([world.agreement_b.pk]) == other
