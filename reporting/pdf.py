"""PDF rendering with WeasyPrint, fetching nothing but the app's own static files.

Report templates contain text that users typed (narratives, descriptions, names of
organisations). A stray `<img src="file:///etc/passwd">` or `http://internal-host/` must
never make the server read its disk or call the network, so every URL WeasyPrint asks for
goes through SafeURLFetcher, which only serves files found by Django's static finders.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# A base URL that resolves relative references (e.g. "/static/reporting/pdf.css") without
# pointing at any real host: only this origin is ever served.
BASE_URL = "https://iop-pdf.invalid/"


class RefusedURL(ValueError):
    pass


class SafeURLFetcher(URLFetcher):
    """Serves `BASE_URL + STATIC_URL + path` from the static files; refuses everything else.

    `refused` lists what was asked for and refused, so tests (and logs) can show it.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = self._static_path(url)
        found = finders.find(path) if path else None
        if not found:
            self.refused.append(url)
            logger.warning("PDF rendering refused to fetch %s", url[:200])
            raise RefusedURL(f"Refused: {url[:200]}")
        with open(found, "rb") as handle:
            body = handle.read()
        self.served.append(url)
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    @staticmethod
    def _static_path(url: str) -> str | None:
        prefix = BASE_URL + settings.STATIC_URL.lstrip("/")
        if not url.startswith(prefix):
            return None
        parts = urlsplit(url)
        if parts.query or parts.fragment:
            return None
        relative = unquote(url[len(prefix) :])
        normalised = posixpath.normpath(relative)
        # No way out of the static directories.
        if normalised.startswith(("../", "/")) or normalised in (".", "..") or "\\" in normalised:
            return None
        return normalised


def html_to_pdf(html: str, fetcher: SafeURLFetcher | None = None) -> bytes:
    fetcher = fetcher or SafeURLFetcher()
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(template_name, {**context, "for_pdf": True})
    return html_to_pdf(html)
