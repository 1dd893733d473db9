"""The period a year's figures cover and the agreement version they are computed from."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partnerships.models import Agreement, AgreementVersion
from partnerships.versions import latest_version, version_on


def check_year(agreement: Agreement, year: int) -> None:
    """Refuse a year the agreement does not cover, with the message users see."""
    if not agreement.covers_year(year):
        raise ValidationError(
            _("Året %(year)s ligger utanför överenskommelsens period %(start)s–%(end)s.")
            % {"year": year, "start": agreement.start_date.year, "end": agreement.end_date.year},
            code="year_outside_agreement",
        )


def period(agreement: Agreement, year: int) -> tuple[datetime.date, datetime.date]:
    """The part of `year` the agreement covers."""
    start = max(datetime.date(year, 1, 1), agreement.start_date)
    end = min(datetime.date(year, 12, 31), agreement.end_date)
    return start, end


def period_label(agreement: Agreement, year: int) -> str:
    """ "helår 2024" for a whole year, otherwise the dates: "2026-03-01–2026-12-31"."""
    start, end = period(agreement, year)
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return _("helår %(year)s") % {"year": year}
    return f"{start.isoformat()}–{end.isoformat()}"


def version_for_year(agreement: Agreement, year: int) -> AgreementVersion | None:
    """The agreement version the year's documents are computed from.

    The version in force at the end of the year's period (amendments made later for a
    closed year do not rewrite it); if every version is dated later, the latest one.
    """
    _start, end = period(agreement, year)
    return version_on(agreement, end) or latest_version(agreement)


def version_info(version: AgreementVersion | None) -> dict[str, Any]:
    if version is None:
        return {"number": None, "label": _("ingen registrerad version"), "summary": ""}
    return {
        "number": version.number,
        "label": _("version %(n)s, gäller från %(day)s")
        % {"n": version.number, "day": version.valid_from.isoformat()},
        "summary": version.summary,
    }


def submittable_from(agreement: Agreement, year: int) -> datetime.date:
    """The first day the year's annual report may be submitted: the day after its period
    ends, so that figures such as "active at the end of the year" are final."""
    return period(agreement, year)[1] + datetime.timedelta(days=1)
