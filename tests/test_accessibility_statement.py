"""The accessibility statement (tillgänglighetsredogörelse) and the favicon (issue 13,
points 10 and 11): public, linked from every page's footer, in DIGG's model."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_statement_is_public_and_follows_diggs_model(client):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    page = response.content.decode()
    for heading in (
        "Hur tillgänglig är tjänsten?",  # compliance status
        "Kända brister",
        "Rapportera brister",  # how to report problems
        "Tillsyn",  # the enforcement body
    ):
        assert f"<h2>{heading}</h2>" in page
    assert "WCAG 2.1" in page and "Myndigheten för digital förvaltning (Digg)" in page


@pytest.mark.django_db
def test_every_page_links_the_statement_and_the_favicon(client, world, login):
    pages = [client.get("/login/").content.decode()]
    pages.append(login(world.coordinator_a).get("/participants/").content.decode())
    for page in pages:
        footer = page.split('<footer class="site-footer">', 1)[1]
        assert 'href="/accessibility/"' in footer
        assert '<link rel="icon" href="/static/favicon.svg"' in page
    assert (Path(settings.BASE_DIR) / "static" / "favicon.svg").read_text().startswith("<svg")
