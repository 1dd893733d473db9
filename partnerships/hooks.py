"""Hooks through which higher apps show their things on partnerships' pages.

Partnerships is a lower app: it never names the apps above it. Where one of its
pages must show something of a higher app (annual reports due, on the start page's to-do
list; the report links on the agreement page), the higher app registers it here from its
AppConfig.ready(), the way the admin discovers admin.py. Partnerships calls what is
registered and knows nothing more about it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from .models import Agreement

if TYPE_CHECKING:
    # deadlines.py imports this module; the type is only needed for annotations.
    from .deadlines import Deadline


@dataclass(frozen=True)
class DeadlineSource:
    """Deadlines of one kind, contributed by another app.

    `deadlines(agreements, today)` gets the agreements the user sees (never drafts), and
    returns their deadlines of this kind, upcoming and overdue alike, in a fixed number of
    queries whatever the number of agreements.
    """

    kind: str
    label: str | Promise
    deadlines: Callable[[list[Agreement], datetime.date], list[Deadline]]


@dataclass(frozen=True)
class UserDeadlineSource:
    """Deadlines that belong to a user rather than to an agreement (a statistics
    network's reporting period, for one), contributed by another app.

    `deadlines(user, today)` returns the user's deadlines of this kind, upcoming and
    overdue, in a fixed number of queries (the Deadline's agreement_id is 0 and its
    agreement_title names what the deadline is about); `recipients()` returns the ids of
    the users who may have such deadlines, so that the reminders reach them whatever
    their roles.
    """

    kind: str
    label: str | Promise
    deadlines: Callable[[Any, datetime.date], list[Deadline]]
    recipients: Callable[[], Any]


@dataclass(frozen=True)
class AgreementLink:
    url: str
    label: str


AgreementLinks = Callable[[Agreement, int], list[AgreementLink]]

_deadline_sources: dict[str, DeadlineSource] = {}
_agreement_links: list[AgreementLinks] = []
_user_deadline_sources: dict[str, UserDeadlineSource] = {}


def register_deadline_source(source: DeadlineSource) -> None:
    """Add a kind of deadline to the to-do list, the calendar feed and the reminders."""
    _deadline_sources[source.kind] = source


def deadline_sources() -> list[DeadlineSource]:
    return list(_deadline_sources.values())


def register_user_deadline_source(source: UserDeadlineSource) -> None:
    """Add a kind of deadline of the user's own (not an agreement's) to the to-do list,
    the calendar feed and the reminders."""
    _user_deadline_sources[source.kind] = source


def user_deadline_sources() -> list[UserDeadlineSource]:
    return list(_user_deadline_sources.values())


def register_agreement_links(links: AgreementLinks) -> None:
    """Add links to the agreement page: `links(agreement, year)` gives them for the year
    the page points to (no queries: the page asserts its query count)."""
    if links not in _agreement_links:
        _agreement_links.append(links)


def agreement_links(agreement: Agreement, year: int) -> list[AgreementLink]:
    return [link for links in _agreement_links for link in links(agreement, year)]


# Key figures for a body's draft agenda: `source(agreement, since, until)` gives short
# lines such as "12 nya deltagare" (counts of people already passed through suppression).
AgendaFigures = Callable[[Agreement, datetime.date, datetime.date], list[str]]
_agenda_figures: list[AgendaFigures] = []


def register_agenda_figures(source: AgendaFigures) -> None:
    if source not in _agenda_figures:
        _agenda_figures.append(source)


def agenda_figure_sources() -> list[AgendaFigures]:
    return list(_agenda_figures)


# A higher app may send some users to its own start page instead of the to-do list
# (participants: caseworkers land on their caseload). `start_page(user)` answers the
# address, or None to leave the user on the to-do list; it must not query the database
# beyond the user's roles.
StartPage = Callable[[Any], str | None]
_start_pages: list[StartPage] = []


def register_start_page(start_page: StartPage) -> None:
    if start_page not in _start_pages:
        _start_pages.append(start_page)


def start_page_for(user: Any) -> str | None:
    for start_page in _start_pages:
        address = start_page(user)
        if address:
            return address
    return None


@dataclass(frozen=True)
class SnapshotPart:
    """A part of the agreement that a higher app keeps (the participant process, say), stored
    in every agreement version so that changing it is a version with a readable diff.

    `read(agreement)` gives the part as short lines of text, in order. An empty part is
    left out of the snapshot, so versions stored before the part existed compare equal.
    """

    key: str
    label: str | Promise
    read: Callable[[Agreement], list[str]]


_snapshot_parts: dict[str, SnapshotPart] = {}


def register_snapshot_part(part: SnapshotPart) -> None:
    _snapshot_parts[part.key] = part


def snapshot_parts() -> list[SnapshotPart]:
    return list(_snapshot_parts.values())


# --------------------------------------------------------------------------- report documents

# A higher app's reports that documents may be attached to: (key, label) pairs for an
# agreement, computed from the agreement alone (no query). The archive stores the key on
# the document, which belongs to the agreement and follows the agreement's access rule.
ReportTargets = Callable[[Agreement], list[tuple[str, str]]]
_report_targets: list[ReportTargets] = []


def register_report_targets(targets: ReportTargets) -> None:
    _report_targets.append(targets)


def report_targets(agreement: Agreement) -> list[tuple[str, str]]:
    return [pair for targets in _report_targets for pair in targets(agreement)]
