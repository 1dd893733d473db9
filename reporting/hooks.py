"""What reporting shows on partnerships' pages, registered through partnerships.hooks.

ReportingConfig.ready() calls register(): partnerships, a lower app, never names
reporting, so reporting hands it the annual reports due and the agreement page's links.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from partnerships import hooks
from partnerships.models import Agreement

from .annual import FINAL_REPORT_KEY, annual_report_key
from .deadlines import ANNUAL_REPORTS_DUE, FINAL_REPORT_DUE
from .figures.participants import participant_statistics
from .network_reminders import NETWORK_SUBMISSIONS_DUE
from .suppression import Suppressor


def agreement_report_links(agreement: Agreement, year: int) -> list[hooks.AgreementLink]:
    """The agreement page's links to its reports and invoice bases, and to `year`'s."""
    return [
        hooks.AgreementLink(
            reverse("reporting:index", args=[agreement.pk]),
            _("Årsrapporter och fakturaunderlag"),
        ),
        hooks.AgreementLink(
            reverse("reporting:annual_report", args=[agreement.pk, year]),
            _("Årsrapport %(year)s") % {"year": year},
        ),
        hooks.AgreementLink(
            reverse("reporting:invoice_basis", args=[agreement.pk, year]),
            _("Fakturaunderlag %(year)s") % {"year": year},
        ),
        hooks.AgreementLink(
            reverse("reporting:funder_index", args=[agreement.pk]),
            _("Rapporter till finansiärer (ESF+, Finsam, månadsuppföljning)"),
        ),
        hooks.AgreementLink(
            reverse("reporting:final_report", args=[agreement.pk]), _("Slutrapport")
        ),
    ]


def agenda_participant_figures(
    agreement: Agreement, since: datetime.date, until: datetime.date
) -> list[str]:
    """A body's draft agenda: participants who entered, and exits by outcome, since the
    body's previous meeting; counts of people under the one suppression policy."""
    if until <= since:
        return []
    statistics = participant_statistics(agreement, since + datetime.timedelta(days=1), until)
    s = Suppressor()
    new = s.total([s.cell(row["new"]) for row in statistics["by_gender"]], breakdown=True)
    outcomes = [(row["outcome"], s.cell(row["total"])) for row in statistics["outcomes"]]
    exits = s.total([cell for _label, cell in outcomes], breakdown=True)
    s.apply()
    exit_text = ", ".join(f"{label} {cell.display}" for label, cell in outcomes if cell.value)
    lines = [_("%(n)s nya deltagare") % {"n": new.display}]
    lines.append(
        _("%(n)s avslut (%(by)s)") % {"n": exits.display, "by": exit_text}
        if exit_text
        else _("%(n)s avslut") % {"n": exits.display}
    )
    return lines


def report_document_targets(agreement: Agreement) -> list[tuple[str, str]]:
    """The reports a document of the archive may be attached to: every year's annual
    report and the final report (the key is what the document keeps)."""
    targets = [
        (annual_report_key(year), _("Årsrapport %(year)s") % {"year": year})
        for year in agreement.years
    ]
    targets.append((FINAL_REPORT_KEY, _("Slutrapport")))
    return targets


def register() -> None:
    hooks.register_deadline_source(ANNUAL_REPORTS_DUE)
    hooks.register_user_deadline_source(NETWORK_SUBMISSIONS_DUE)
    hooks.register_deadline_source(FINAL_REPORT_DUE)
    hooks.register_agreement_links(agreement_report_links)
    hooks.register_agenda_figures(agenda_participant_figures)
    hooks.register_report_targets(report_document_targets)
