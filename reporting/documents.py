"""Rendering the two documents: the same templates give the HTML preview and the PDF."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from .annual import report_figures
from .charts import bar_chart
from .models import AnnualReport
from .payment import payment_details
from .pdf import render_pdf


def annual_report_context(
    report: AnnualReport, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    data = data if data is not None else report_figures(report)
    charts = {}
    account = data.get("account")
    if account and account["lines"]:
        charts["account"] = bar_chart(
            _("Budget och utfall per kostnadspost"),
            [(line["description"], (line["budget"], line["actual"])) for line in account["lines"]],
            [_("Budget"), _("Utfall")],
            money=True,
        )
    participants = data["participants"]
    if participants["exits"]:
        charts["outcomes"] = bar_chart(
            _("Avslutade deltagare per avslutsorsak"),
            [
                (row["outcome"], row["by_gender"])
                for row in participants["outcomes"]
                if row["total"]
            ],
            participants["outcome_genders"],
        )
    if data["contacts"]["registered"]:
        charts["contacts"] = bar_chart(
            _("Kontakter per typ"),
            [(row["kind"], (row["count"],)) for row in data["contacts"]["kinds"] if row["count"]],
            [_("Kontakter")],
        )
    # The outcome table's cells with the gender each counts, for the drill-down links
    # (reports frozen before the gender codes were stored get plain numbers).
    gender_values = participants.get("outcome_gender_values") or []
    genders = gender_values if len(gender_values) == len(participants["outcome_genders"]) else []

    def cells(numbers: list[int]) -> list[dict[str, Any]]:
        return [{"n": n, "gender": genders[i] if genders else ""} for i, n in enumerate(numbers)]

    outcome_table = {
        "rows": [{**row, "cells": cells(row["by_gender"])} for row in participants["outcomes"]],
        "exits": cells(participants["exits_by_gender"]),
    }
    return {
        "report": report,
        "data": data,
        "outcome_table": outcome_table,
        "charts": charts,
        "document_title": _("Årsrapport %(year)s") % {"year": report.year},
        "header_text": f"{data['agreement']['title']} · {_('Årsrapport')} {report.year}",
    }


def annual_report_pdf(report: AnnualReport) -> bytes:
    return render_pdf("reporting/annual_report_pdf.html", annual_report_context(report))


def invoice_basis_context(
    data: dict[str, Any], *, number: str | None, issued_on: datetime.date | None
) -> dict[str, Any]:
    title = _("Kreditnota") if data.get("credit_of") else _("Fakturaunderlag")
    return {
        "data": data,
        "number": number,
        "issued_on": issued_on,
        "is_draft": number is None,
        "payment": payment_details(data, number=number, issued_on=issued_on),
        "document_title": title,
        "header_text": f"{data['agreement']['title']} · {title} {data['year']}",
    }


def invoice_basis_pdf(
    data: dict[str, Any], *, number: str | None, issued_on: datetime.date | None
) -> bytes:
    return render_pdf(
        "reporting/invoice_basis_pdf.html",
        invoice_basis_context(data, number=number, issued_on=issued_on),
    )


def repayment_claim_pdf(data: dict[str, Any]) -> bytes:
    """The repayment claim (återbetalningskrav) after termination, with its calculation."""
    title = _("Återbetalningskrav")
    return render_pdf(
        "reporting/repayment_claim_pdf.html",
        {
            "data": data,
            "document_title": title,
            "header_text": f"{data['agreement']['title']} · {title} {data['year']}",
        },
    )
