"""Errors you cannot miss: every form in the app, posted empty by the roles that use it,
comes back with the error summary at the top of the page (the GOV.UK pattern), and every
link in it points at a field on the page.

The pages are found by walking the URLconf the way the permission matrix does: every page
a role gets (GET 200) is searched for POST forms in <main>, and each form is posted empty.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.test_permission_matrix import _url, all_routes, objects  # noqa: F401

# Roles and the forms they fill in: the manager edits agreements, budgets, meetings and
# reports; the coordinator works with participants; finance books costs and invoices.
ROLES = ("manager_a", "coordinator_a", "finance_a")
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
FIELD = re.compile(r"<(?:textarea|select)\b|<input\b(?![^>]*type=\"(?:hidden|submit)\")", re.S)
# Not {}: the views bind their forms with `request.POST or None`, and an empty POST is
# falsy, so it would be taken for a first visit.
EMPTY = {"nothing": ""}
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def _main(html: str) -> str:
    start = html.find("<main")
    return html[start : html.find("</main>", start)]


def _post_forms(html: str, page_url: str) -> list[str]:
    """The POST forms on the page that have fields to fill in (a lone button such as
    "withdraw consent" or "delete" is an action, not a form that can be filled wrongly)."""
    actions = []
    for tag, body in FORM.findall(_main(html)):
        attrs = dict(ATTR.findall(tag))
        if attrs.get("method", "get").lower() == "post" and FIELD.search(body):
            actions.append(attrs.get("action") or page_url)
    return actions


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name == "id" and value)


def _summary_problems(html: str, where: str) -> list[str]:
    if 'class="errorlist' not in html:
        return []
    if "Det finns fel att rätta" not in html or "data-error-summary" not in html:
        return [f"{where}: errors on the page but no error summary"]
    summary = html[html.index("data-error-summary") :]
    summary = summary[: summary.index("</div>")]
    parser = _Ids()
    parser.feed(html)
    links = re.findall(r'href="#([^"]+)"', summary)
    problems = [f"{where}: summary link #{a} has no target" for a in links if a not in parser.ids]
    if not links:
        problems.append(f"{where}: the summary lists no errors")
    return problems


@pytest.mark.django_db
def test_every_form_posted_empty_shows_the_error_summary(objects, client):  # noqa: F811
    world = objects.world
    posted: set[str] = set()
    with_summary: list[str] = []
    problems: list[str] = []
    for role in ROLES:
        client.force_login(getattr(world, role))
        for route in all_routes():
            if route.is_admin:
                continue
            url = _url(route, objects)
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            for action in _post_forms(response.content.decode(), url):
                action = action.replace("&amp;", "&")
                if action in posted or "logout" in action or "/i18n/" in action:
                    continue
                posted.add(action)
                answer = client.post(action, EMPTY)
                html = answer.content.decode()
                problems += _summary_problems(html, f"{role} {action}")
                if "data-error-summary" in html:
                    with_summary.append(action)
    assert not problems, "\n".join(problems)
    # The walk reaches the forms it should (a broken walk must not pass by finding none).
    assert len(with_summary) >= 15, with_summary
