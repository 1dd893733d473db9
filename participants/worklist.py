"""The caseworker's start page: what needs doing in my caseload.

Each kind of work item comes from a *source*: a function that takes the user, the day and
the caseload (a queryset of the user's current enrolments) and returns the items due. A
source runs a fixed number of queries whatever the size of the caseload, so the start page's
query count does not grow with it. Modules register their sources at import time with
``@register``; the start page shows ``work_for(...)`` grouped by kind.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

if TYPE_CHECKING:
    from partnerships.models import User

    from .models import Enrolment


@dataclass(frozen=True)
class WorkItem:
    kind: str  # stable key, e.g. "not_contacted"
    label: str  # Swedish, shown to the user, e.g. "Ingen kontakt på 21 dagar"
    participant_id: int
    participant_code: str  # the pseudonym; never a name
    url: str  # where the work is done
    due: datetime.date | None = None


WorkSource = Callable[["User", datetime.date, "QuerySet[Enrolment]"], Iterable[WorkItem]]

SOURCES: list[WorkSource] = []


def register(source: WorkSource) -> WorkSource:
    if source not in SOURCES:
        SOURCES.append(source)
    return source


def work_for(user: User, today: datetime.date, caseload: QuerySet[Enrolment]) -> list[WorkItem]:
    items = [item for source in SOURCES for item in source(user, today, caseload)]
    return sorted(items, key=lambda i: (i.due or today, i.kind, i.participant_code))
