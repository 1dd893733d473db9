"""The request type views take once sign-in is required.

The site-wide `LoginRequiredMiddleware` guarantees `request.user` is a
signed-in `User`; this type says so to mypy, so views need no casts or `isinstance`.
"""

from __future__ import annotations

from typing import IO

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest

from .models import User


class AuthedHttpRequest(HttpRequest):
    user: User


def stored_file_response(stream: IO[bytes], *, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download that no browser renders or sniffs: attachment, nosniff,
    never cached, and sandboxed should it be opened anyway."""
    response = FileResponse(
        stream, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def open_stored(file: FieldFile) -> FieldFile:
    """A stored file opened for reading; 404 when it is no longer in storage (removed by
    retention, or lost) rather than a server error."""
    try:
        return file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
