"""The audit context every verb takes beside the acting user.

Verbs (`<app>/actions.py`) never see the request: the view builds an `AuditContext` once
and passes it on, so a management command, an import or a test can call the same verb
with the context it has. The context says on whose behalf and from where a change was
made; the verb writes it into its version or access-log row inside its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from .client import client_ip


@dataclass(frozen=True)
class AuditContext:
    organisation_id: int | None = None
    address: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> AuditContext:
        user = getattr(request, "user", None)
        return cls(
            organisation_id=getattr(user, "organisation_id", None),
            address=client_ip(request) or None,
        )

    @classmethod
    def system(cls) -> AuditContext:
        """For management commands and background tasks: no client, no organisation."""
        return cls()
