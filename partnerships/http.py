"""The request type views take once sign-in is required.

The site-wide `LoginRequiredMiddleware` guarantees `request.user` is a
signed-in `User`; this type says so to mypy, so views need no casts or `isinstance`.
"""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthedHttpRequest(HttpRequest):
    user: User
