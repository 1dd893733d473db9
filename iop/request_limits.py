"""Refuse what no view should have to handle: an oversized request body, by its
Content-Length before anything reads it, and control characters in a search or export
filter in the query string.

Django parses a POST body (CSRF, forms) and spools a file upload to disk before any view
can look at its size; an anonymous 600 MB POST was written to a temporary file on its way
to the sign-in redirect. This middleware runs first and answers 413 with a plain Swedish
page from the header alone: the spreadsheet import URLs accept the upload limit, every
other URL a small one. The reverse proxy (README) buffers requests and sets the same
ceiling, so a body without a Content-Length never reaches the app.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

MiB = 1024 * 1024


# View names (namespaced) that take a file upload: IOP_UPLOAD_VIEW_NAMES (a spreadsheet,
# a scanned consent form: the import limit) and IOP_DOCUMENT_VIEW_NAMES (the document
# archive: the document limit), listed in the settings, which name every app.
def _names(setting: str) -> frozenset[str]:
    return frozenset(getattr(settings, setting, ()))


def request_max_bytes() -> int:
    return int(getattr(settings, "IOP_REQUEST_MAX_BYTES", 2 * MiB))


def upload_request_max_bytes() -> int:
    # The file plus room for the multipart envelope and the other fields.
    return int(getattr(settings, "IOP_IMPORT_MAX_BYTES", 30 * MiB)) + MiB


def document_request_max_bytes() -> int:
    return int(getattr(settings, "IOP_DOCUMENT_MAX_BYTES", 20 * MiB)) + MiB


def limit_for(path: str) -> int:
    try:
        name = resolve(path).view_name
    except Resolver404:
        return request_max_bytes()
    if name in _names("IOP_UPLOAD_VIEW_NAMES"):
        return upload_request_max_bytes()
    if name in _names("IOP_DOCUMENT_VIEW_NAMES"):
        return document_request_max_bytes()
    return request_max_bytes()


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > request_max_bytes() and length > limit_for(request.path_info):
            limit = limit_for(request.path_info)
            body = render_to_string(
                "413.html", {"megabytes": max(1, round(limit / MiB))}, request=None
            )
            response = HttpResponse(body, status=413)
            # The client's unread body is not drained: close the connection instead.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class FilterCharactersMiddleware:
    """A query string (filters, sorting, paging, export parameters) with a control
    character is refused with a plain Swedish page (400): PostgreSQL cannot compare text
    with NUL in it and would answer 500. Forms refuse them at the field (iop.forms)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .forms import has_control_characters

        if any(
            has_control_characters(key) or any(has_control_characters(v) for v in values)
            for key, values in request.GET.lists()
        ):
            body = render_to_string("400_characters.html", request=None)
            return HttpResponse(body, status=400)
        return self.get_response(request)
