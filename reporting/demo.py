"""Demo step: a submitted annual report, a draft, and an issued invoice basis.

Re-runnable: the reports and invoice bases of the demo agreements are replaced.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from iop.audit import AuditContext
from partnerships.demo import DemoContext

from . import figures
from .actions import issue_invoice_basis
from .documents import annual_report_pdf
from .models import AnnualReport, InvoiceBasis, RenderJob


def load(ctx: DemoContext) -> None:
    agreements = list(ctx.agreements.values())
    RenderJob.objects.filter(agreement__in=agreements).delete()
    # Credit notes point at the basis they credit (PROTECT): delete them first.
    InvoiceBasis.objects.filter(agreement__in=agreements, original__isnull=False).delete()
    InvoiceBasis.objects.filter(agreement__in=agreements).delete()
    # Corrections point at the version they correct (PROTECT): newest first.
    for report in AnnualReport.objects.filter(agreement__in=agreements).order_by("-version"):
        report.delete()

    bromodellen = ctx.agreements["bromodellen"]
    manager = ctx.users.get("ansvarig")
    finance = ctx.users.get("ekonom")
    report = AnnualReport.objects.create(
        agreement=bromodellen,
        year=2024,
        activities=(
            "Under året har deltagarna arbetstränat i butik, café och lager fyra dagar i veckan "
            "och deltagit i studiecirklar i svenska och samhällskunskap en dag i veckan."
        ),
        went_well="Samarbetet mellan koordinatorn och handledarna i butiken har fungerat väl.",
        went_badly="Det tog längre tid än planerat att fylla platserna under våren.",
    )
    data = figures.annual_report_figures(bromodellen, 2024, report.manual_outcomes)
    report.figures = figures.freeze(data)
    report.agreement_version_id = data["version_id"]
    report.status = AnnualReport.Status.SUBMITTED
    report.submitted_at = timezone.make_aware(datetime.datetime(2025, 3, 20, 10, 0))
    report.submitted_by = manager
    report.save()
    report.pdf = annual_report_pdf(report)
    report.save(update_fields=["pdf"])

    AnnualReport.objects.create(
        agreement=bromodellen,
        year=2025,
        activities="Verksamheten har fortsatt med 40 heltidsplatser.",
    )
    # Each of Bromodellen's two operators invoices Linköping its part of 2024.
    for billing in figures.billings(bromodellen):
        issue_invoice_basis(
            agreement=bromodellen,
            year=2024,
            billing=billing,
            issued_on=datetime.date(2025, 1, 15),
            user=finance,
            audit=AuditContext.system(),
        )
