"""What reporting shows on partnerships' pages, registered through partnerships.hooks.

ReportingConfig.ready() calls register(): partnerships, a lower app, never names
reporting, so reporting hands it the annual reports due and the agreement page's links.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from partnerships import hooks
from partnerships.models import Agreement

from .deadlines import ANNUAL_REPORTS_DUE


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
    ]


def register() -> None:
    hooks.register_deadline_source(ANNUAL_REPORTS_DUE)
    hooks.register_agreement_links(agreement_report_links)
