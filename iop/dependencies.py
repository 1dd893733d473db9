"""The offline dependency check: every pinned package at least its stated minimum.

No vulnerability scanner works here without network (pip-audit and safety ask an online
service; the only installable database, safety-db, stopped in 2021), so the minimums are
kept by hand in `dependency-minimums.txt`, each with the advisory it answers, and the
README says how to refresh them. `manage.py check_dependencies`, a test and CI compare
the lock files (and the installed packages) with that list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
MINIMUMS_FILE = ROOT / "dependency-minimums.txt"
LOCK_FILES = (ROOT / "requirements.lock", ROOT / "requirements-dev.lock")

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\#]+)")
_MINIMUM = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)>=(\S+)\s*(.*)$")


@dataclass(frozen=True)
class Minimum:
    version: Version
    advisory: str


@dataclass(frozen=True)
class TooOld:
    source: str
    package: str
    pinned: Version
    minimum: Minimum

    def __str__(self) -> str:
        return (
            f"{self.source}: {self.package}=={self.pinned} is older than {self.minimum.version}"
            f" ({self.minimum.advisory})"
        )


def read_minimums(text: str) -> dict[str, Minimum]:
    minimums: dict[str, Minimum] = {}
    for line in text.splitlines():
        match = _MINIMUM.match(line.strip())
        if match:
            name, version, advisory = match.groups()
            minimums[canonicalize_name(name)] = Minimum(Version(version), advisory.strip())
    return minimums


def read_pins(text: str) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in text.splitlines():
        match = _PIN.match(line.strip())
        if match:
            pins[canonicalize_name(match.group(1))] = Version(match.group(2))
    return pins


def too_old(
    source: str, pins: Mapping[str, Version], minimums: Mapping[str, Minimum]
) -> list[TooOld]:
    return [
        TooOld(source, name, pins[name], minimum)
        for name, minimum in sorted(minimums.items())
        if name in pins and pins[name] < minimum.version
    ]


def check_lock_files(
    lock_files: Iterable[Path] = LOCK_FILES, minimums_file: Path = MINIMUMS_FILE
) -> list[TooOld]:
    minimums = read_minimums(minimums_file.read_text())
    found: list[TooOld] = []
    for lock in lock_files:
        found += too_old(lock.name, read_pins(lock.read_text()), minimums)
    return found


def check_installed(minimums_file: Path = MINIMUMS_FILE) -> list[TooOld]:
    """The same comparison for what is installed in this environment."""
    from importlib.metadata import distributions

    pins: dict[str, Version] = {
        canonicalize_name(dist.metadata["Name"]): Version(dist.version)
        for dist in distributions()
        if dist.metadata["Name"]
    }
    return too_old("installed", pins, read_minimums(minimums_file.read_text()))
