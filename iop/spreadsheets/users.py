"""What the spreadsheet engine needs of a user, said structurally.

The engine names no app, so it cannot import the project's User; any signed-in user
with roles (the project's User has `has_role`) fits.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class SpreadsheetUser(Protocol):
    @property
    def pk(self) -> Any: ...

    def has_role(self, *roles: str) -> bool: ...
