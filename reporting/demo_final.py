"""Demo step: Internationella kvinnor's submitted final report, its budgets, and a few
archived documents (small generated PDFs) on the agreement and its meetings.

Runs after the governance and casework demos (the agreement, its stages, risks,
obstacles and participants). Re-runnable: the partnership demo clears the budgets and
shared documents of the agreement; this step replaces its final reports. The narratives
and amounts are invented.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape

from iop.pdf import html_to_pdf
from partnerships.demo import DemoContext
from partnerships.document_actions import archive_file
from partnerships.documents import PDF
from partnerships.models import (
    ActualCost,
    Agreement,
    AgreementParty,
    Budget,
    CostLine,
    FundingShare,
    User,
)

from .annual import final_report_figures
from .documents import final_report_pdf
from .models import FinalReport, RenderJob

D = datetime.date
SHORT_ID = "internationella-kvinnor"
# (year, [(category, description, budget, actual)]): FINSAM funds the whole project.
BUDGETS = [
    (2014, [("personnel", "Projektledare och koordinatorer", "620000", "585400"),
            ("premises", "Lokaler", "60000", "60000")]),
    (2015, [("personnel", "Projektledare och koordinatorer", "1480000", "1512300"),
            ("premises", "Lokaler", "120000", "120000"),
            ("other", "Utbildning och material", "90000", "71250")]),
    (2016, [("personnel", "Projektledare och koordinatorer", "1510000", "1466800"),
            ("premises", "Lokaler", "120000", "120000"),
            ("other", "Utbildning och material", "90000", "94600")]),
]  # fmt: skip


def load(ctx: DemoContext) -> None:
    agreement = Agreement.objects.filter(short_id=SHORT_ID).first()
    if agreement is None:
        return
    manager = ctx.users.get("ansvarig")
    RenderJob.objects.filter(agreement=agreement).delete()
    for report in FinalReport.objects.filter(agreement=agreement).order_by("-version"):
        report.delete()
    _budgets(agreement)
    _documents(agreement, manager)
    _final_report(agreement, manager)


def _budgets(agreement: Agreement) -> None:
    if agreement.budgets.exists():
        return
    funder = agreement.parties.filter(role=AgreementParty.PartyRole.PUBLIC_FUNDER).first()
    for year, lines in BUDGETS:
        budget = Budget.objects.create(agreement=agreement, year=year)
        for position, (category, description, amount, actual) in enumerate(lines):
            line = CostLine.objects.create(
                budget=budget,
                category=category,
                description=description,
                amount=Decimal(amount),
                position=position,
            )
            ActualCost.objects.create(
                cost_line=line,
                date=D(year, 12, 15),
                amount=Decimal(actual),
                voucher=f"IK-{year}-{position + 1}",
            )
        if funder is not None:
            FundingShare.objects.create(budget=budget, party=funder, percent=Decimal("100"))


def _final_report(agreement: Agreement, manager: User | None) -> None:
    report = FinalReport.objects.create(
        agreement=agreement,
        activities=(
            "Projektet gick från förberedelse hösten 2014 via en pilot 2015 till full drift "
            "2016. Varje kvinna fick en samordnad handlingsplan, upprättad med hennes samtycke "
            "tillsammans med Arbetsförmedlingen, kommunen, regionen och Försäkringskassan."
        ),
        lessons=(
            "En gemensam plan kräver att myndigheterna möts kring kvinnan, inte kring "
            "ärendet. Hinderlistan gjorde strukturella problem synliga och gav styrgruppen "
            "något konkret att driva vidare. Tolk och barnomsorg avgjorde ofta om en kvinna "
            "kunde delta."
        ),
        continuation=(
            "Arbetssättet med samordnad handlingsplan förs in i kommunens ordinarie "
            "verksamhet från 2017. Hinder som ligger på nationell nivå har lämnats till "
            "Samordningsförbundet för vidare påverkan."
        ),
    )
    data = final_report_figures(report)
    report.figures = data
    report.agreement_version_id = data["version_id"]
    report.status = FinalReport.Status.SUBMITTED
    report.submitted_at = timezone.make_aware(datetime.datetime(2017, 3, 20, 10, 0))
    report.submitted_by = manager
    report.save()
    report.pdf = final_report_pdf(report)
    report.save(update_fields=["pdf"])


def _small_pdf(title: str, lines: list[str]) -> SimpleUploadedFile:
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>{body}"
        "<p><em>Demodokument, genererat.</em></p></body></html>"
    )
    name = f"{title.lower().replace(' ', '-')}.pdf"
    return SimpleUploadedFile(name, html_to_pdf(html), content_type="application/pdf")


def _documents(agreement: Agreement, manager: User | None) -> None:
    if manager is None:
        return
    archive_file(
        user=manager,
        agreement=agreement,
        title="Undertecknad överenskommelse",
        upload=_small_pdf(
            "Undertecknad överenskommelse",
            [agreement.title, f"{agreement.start_date} – {agreement.end_date}", "Underskrifter"],
        ),
        kind=PDF,
    )
    archive_file(
        user=manager,
        agreement=agreement,
        title="Projektplan 2014",
        upload=_small_pdf("Projektplan 2014", ["Förberedelse, pilot och implementering."]),
        kind=PDF,
    )
