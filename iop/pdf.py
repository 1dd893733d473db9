"""The one way the app makes a PDF: WeasyPrint, fetching nothing but the app's own static
files, in a child process with a page, time and memory limit.

PDF templates contain text that users typed (narratives, minutes, names of organisations).
A stray `<img src="file:///etc/passwd">` or `http://internal-host/` must never make the
server read its disk or call the network, so every URL WeasyPrint asks for goes through
SafeURLFetcher, which only serves files found by Django's static finders, against a base
URL that is no real host (never the request's). And 400 KB of minutes must not hold a
worker for minutes: a render over its time (30 s) or memory (512 MB) is stopped, a document
over the page limit is refused, and the user reads a plain Swedish message
(`PdfRefusedMiddleware`).
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .limits import ChildFailed, LimitExceeded, run_limited

logger = logging.getLogger(__name__)

MiB = 1024 * 1024

# A base URL that resolves relative references (e.g. "/static/reporting/pdf.css") without
# pointing at any real host: only this origin is ever served.
BASE_URL = "https://iop-pdf.invalid/"


def pdf_seconds() -> float:
    return float(getattr(settings, "IOP_PDF_SECONDS", 30))


def pdf_memory() -> int:
    return int(getattr(settings, "IOP_PDF_MEMORY", 512 * MiB))


def pdf_max_pages() -> int:
    return int(getattr(settings, "IOP_PDF_MAX_PAGES", 300))


class RefusedURL(ValueError):
    pass


class PdfRefused(Exception):
    """The document could not be made within the limits; str() is the Swedish message."""


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


# A page of our own, laid out once in the parent process: the fonts of the reports'
# stylesheet (regular and bold, table and chart text), the PDF writer and its font subsetter.
WARM_UP_HTML = (
    '<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>IOP</title>'
    '<link rel="stylesheet" href="{static}reporting/pdf.css">'
    '</head><body class="pdf"><article class="doc"><h1 class="doc-title" data-header="IOP">'
    "Årsrapport</h1><p>Översikt <strong>och</strong> <em>text</em> 0123456789 kr</p>"
    '<table><thead><tr><th>Post</th><th class="num">Belopp</th></tr></thead><tbody><tr>'
    '<td>Lön</td><td class="num">1 670 400 kr</td></tr></tbody></table><p class="note">Not</p>'
    '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="20"><text x="0" y="15" '
    'font-family="DejaVu Sans, sans-serif" font-size="12">Diagram</text></svg></article>'
    "</body></html>"
)

_fonts: FontConfiguration | None = None
_fonts_lock = threading.Lock()


def _warm_fonts() -> FontConfiguration:
    """The process's one font configuration, warmed up by laying out WARM_UP_HTML.

    Each PDF is laid out in a forked child, which starts from the parent's memory. A fresh
    FontConfiguration per document made every child load fontconfig's font list, resolve
    the same faces through Pango and import the PDF writer's font code again: about 50 ms
    of CPU per document, half of a one-page PDF. Warmed here once, every child inherits it.
    Only our own page is laid out in this process, and only once; the lock keeps other
    threads from forking a PDF child while this one is inside fontconfig.
    """
    global _fonts
    with _fonts_lock:
        if _fonts is None:
            fonts = FontConfiguration()
            html = WARM_UP_HTML.format(static=BASE_URL + settings.STATIC_URL.lstrip("/"))
            try:
                HTML(string=html, base_url=BASE_URL, url_fetcher=SafeURLFetcher()).render(
                    font_config=fonts
                ).write_pdf()
            except Exception:  # noqa: BLE001 - the children then warm up on their own
                logger.exception("PDF warm-up failed")
            _fonts = fonts
        return _fonts


def _layout(
    html: str, fetcher: SafeURLFetcher, max_pages: int, fonts: FontConfiguration
) -> tuple[Any, ...]:
    """In the child: lay out, count the pages, write. Returns the PDF and what was fetched."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(font_config=fonts)
    if len(document.pages) > max_pages:
        return None, len(document.pages), fetcher.served, fetcher.refused
    return document.write_pdf(), len(document.pages), fetcher.served, fetcher.refused


def html_to_pdf(html: str, fetcher: SafeURLFetcher | None = None) -> bytes:
    fetcher = fetcher or SafeURLFetcher()
    max_pages = pdf_max_pages()
    fonts = _warm_fonts()
    try:
        pdf, pages, served, refused = run_limited(
            _layout, html, fetcher, max_pages, fonts, seconds=pdf_seconds(), memory=pdf_memory()
        )
    except LimitExceeded as exc:
        logger.warning("PDF rendering stopped: over its %s limit", exc.kind)
        raise PdfRefused(
            _(
                "Dokumentet tog för lång tid att skapa (mer än %(seconds)s sekunder) och "
                "stoppades. Korta texten eller dela upp den och försök igen."
            )
            % {"seconds": int(pdf_seconds())}
            if exc.kind == "time"
            else _(
                "Dokumentet krävde för mycket minne att skapa och stoppades. Korta texten "
                "eller dela upp den och försök igen."
            )
        ) from exc
    except ChildFailed as exc:
        logger.error("PDF rendering failed: %s", exc.kind)
        raise PdfRefused(_("Dokumentet kunde inte skapas. Försök igen om en stund.")) from exc
    fetcher.served.extend(served)
    fetcher.refused.extend(refused)
    if pdf is None:
        raise PdfRefused(
            _(
                "Dokumentet blev %(pages)s sidor, fler än tillåtna %(max)s, och skapades inte. "
                "Korta texten och försök igen."
            )
            % {"pages": pages, "max": max_pages}
        )
    return bytes(pdf)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(template_name, {**context, "for_pdf": True})
    return html_to_pdf(html)


class PdfRefusedMiddleware:
    """A PDF view whose render was stopped answers with a plain page saying why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PdfRefused):
            return None
        return render(request, "pdf_refused.html", {"message": str(exception)}, status=422)
