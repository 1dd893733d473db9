"""The apps depend one way: reporting -> participants -> partnerships -> iop.

A lower app never names reporting, the top app: no import, no dotted string, no URL name,
no template link. Reporting shows its things on partnerships' pages through
partnerships.hooks instead.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAMES_REPORTING = re.compile(r"""(from|import) +reporting\b|["']reporting[.:]""")


def _files(*folders: str) -> list[Path]:
    return [
        path
        for folder in folders
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in (".py", ".html") and "migrations" not in path.parts
    ]


@pytest.mark.parametrize(
    "folders",
    [
        ("partnerships", "templates/partnerships"),
        ("participants", "templates/participants"),
    ],
)
def test_lower_apps_never_name_reporting(folders):
    offending = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _files(*folders)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if NAMES_REPORTING.search(line)
    ]
    assert offending == []


def test_reporting_shows_its_deadlines_and_links_through_the_partnership_hooks():
    from django.urls import reverse

    from partnerships import hooks
    from partnerships.models import Agreement

    assert "annual_report" in {source.kind for source in hooks.deadline_sources()}
    links = hooks.agreement_links(Agreement(pk=7), 2026)
    assert [link.url for link in links] == [
        reverse("reporting:index", args=[7]),
        reverse("reporting:annual_report", args=[7, 2026]),
        reverse("reporting:invoice_basis", args=[7, 2026]),
    ]
