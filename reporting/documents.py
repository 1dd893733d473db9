"""Rendering the two documents: the same templates give the HTML preview and the PDF."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from partnerships.risk_matrix import matrix_rows_from_pairs, risk_matrix_svg

from .annual import final_report_figures, report_figures
from .charts import bar_chart
from .models import AnnualReport, FinalReport
from .payment import payment_details
from .pdf import render_pdf
from .suppression import Suppressor, threshold


def annual_report_context(
    report: AnnualReport, data: dict[str, Any] | None = None, *, for_pdf: bool = False
) -> dict[str, Any]:
    """The annual report's page and PDF. The PDF's charts leave their values to the
    tables above them (see charts.bar_chart)."""
    data = data if data is not None else report_figures(report)
    charts = {}
    account = data.get("account")
    if account and account["lines"]:
        charts["account"] = bar_chart(
            _("Budget och utfall per kostnadspost"),
            [(line["description"], (line["budget"], line["actual"])) for line in account["lines"]],
            [_("Budget"), _("Utfall")],
            money=True,
            values=not for_pdf,
        )
    participants = data["participants"]
    if data["contacts"]["registered"]:
        charts["contacts"] = bar_chart(
            _("Kontakter per typ"),
            [(row["kind"], (row["count"],)) for row in data["contacts"]["kinds"] if row["count"]],
            [_("Kontakter")],
            values=not for_pdf,
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
    people = _suppress_report_counts(participants, outcome_table, data["contacts"])
    stages = _suppress_stage_counts(data.get("stages") or [])
    risks = data.get("risks")
    risk_matrix = None
    if risks and risks["list"]:
        rows = matrix_rows_from_pairs(risks["pairs"])
        risk_matrix = {"rows": rows, "svg": risk_matrix_svg(rows), "total": len(risks["pairs"])}
    if participants["exits"]:
        # Drawn from the suppressed table: a hidden count is "dold" in the chart too.
        charts["outcomes"] = bar_chart(
            _("Avslutade deltagare per avslutsorsak"),
            [
                (row["outcome"], [c["n"] for c in row["cells"]])
                for row in outcome_table["rows"]
                if row["total"].value
            ],
            participants["outcome_genders"],
            values=not for_pdf,
        )
    return {
        "report": report,
        "data": data,
        "outcome_table": outcome_table,
        "people": people,
        "stages": stages,
        "risk_matrix": risk_matrix,
        "charts": charts,
        "document_title": _("Årsrapport %(year)s") % {"year": report.year},
        "header_text": f"{data['agreement']['title']} · {_('Årsrapport')} {report.year}",
    }


PEOPLE_KEYS = ("enrolled", "new", "active_at_end", "exited")


def _suppress_stage_counts(stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The participants entered per stage, by gender and in total, under the one policy."""
    s = Suppressor()
    shown = []
    for stage in stages:
        cells = [{**row, "n": s.cell(row["n"])} for row in stage["new_by_gender"]]
        total = s.total([c["n"] for c in cells], breakdown=True)
        shown.append({**stage, "cells": cells, "total": total})
    s.apply()
    return shown


def _suppress_report_counts(
    participants: dict[str, Any], outcome_table: dict[str, Any], contacts: dict[str, Any]
) -> dict[str, Any]:
    """The report's counts of people under the dashboards' policy (reporting/suppression.py):
    a submitted report is a public record, so "Man 3" is printed as "<5", and the cells
    that would give it away by subtraction as "*". Replaces the outcome table's numbers
    with cells; returns the participant table's and the anonymous outreach's cells."""
    s = Suppressor()
    rows = [
        {**row, "cells": {k: s.cell(row[k]) for k in PEOPLE_KEYS}}
        for row in participants["by_gender"]
    ]
    totals = {
        k: s.total([r["cells"][k] for r in rows], breakdown=True) if rows else s.cell(0)
        for k in PEOPLE_KEYS
    }
    for row in outcome_table["rows"]:
        for cell in row["cells"]:
            cell["n"] = s.cell(cell["n"])
        row["total"] = s.total([c["n"] for c in row["cells"]], breakdown=True)
    exits = outcome_table["exits"]
    for index, cell in enumerate(exits):
        cell["n"] = s.total([row["cells"][index]["n"] for row in outcome_table["rows"]])
    exits_total = s.total([c["n"] for c in exits], breakdown=True)
    outcome_table["exits_total"] = exits_total
    s.relate(exits_total, [row["total"] for row in outcome_table["rows"]])
    s.relate(totals["exited"], [exits_total])
    # The exits by gender appear in both tables: they hide together.
    by_value = {r.get("gender_value"): r for r in rows}
    for index, value in enumerate(participants.get("outcome_gender_values") or []):
        if value in by_value and index < len(exits):
            s.relate(by_value[value]["cells"]["exited"], [exits[index]["n"]])
    anonymous = [{**row, "n": s.cell(row["count"])} for row in contacts.get("anonymous", [])]
    anonymous_total = s.total([row["n"] for row in anonymous], breakdown=True)
    s.apply()
    return {
        "rows": rows,
        "totals": totals,
        "anonymous": anonymous,
        "anonymous_total": anonymous_total,
        "threshold": threshold(),
    }


def annual_report_pdf(report: AnnualReport) -> bytes:
    return render_pdf(
        "reporting/annual_report_pdf.html", annual_report_context(report, for_pdf=True)
    )


def _people_tables(participants: dict[str, Any], contacts: dict[str, Any]) -> dict[str, Any]:
    """A period's participant and exit tables with every count under the one policy."""
    genders = participants.get("outcome_gender_values") or []
    if len(genders) != len(participants["outcome_genders"]):
        genders = []
    outcome_table = {
        "rows": [
            {
                **row,
                "cells": [
                    {"n": n, "gender": genders[i] if genders else ""}
                    for i, n in enumerate(row["by_gender"])
                ],
            }
            for row in participants["outcomes"]
        ],
        "exits": [{"n": n, "gender": ""} for n in participants["exits_by_gender"]],
    }
    people = _suppress_report_counts(participants, outcome_table, contacts)
    return {"people": people, "outcome_table": outcome_table}


def final_report_context(
    report: FinalReport, data: dict[str, Any] | None = None, *, for_pdf: bool = False
) -> dict[str, Any]:
    """The final report's page and PDF: the whole period's tables, each year's, the money
    per year and summed, the risks with their matrix and history, the stages. The PDF's
    chart leaves its values to the table above it (see charts.bar_chart)."""
    data = data if data is not None else final_report_figures(report)
    whole = _people_tables(data["participants"], data["contacts"])
    years = [
        {"year": year["year"], **_people_tables(year["participants"], year["contacts"])}
        for year in data["years"]
    ]
    risks = data.get("risks")
    risk_matrix = None
    if risks and risks["list"]:
        rows = matrix_rows_from_pairs(risks["pairs"])
        risk_matrix = {"rows": rows, "svg": risk_matrix_svg(rows), "total": len(risks["pairs"])}
    charts = {}
    money = data["money"]
    if money["years"]:
        charts["money"] = bar_chart(
            _("Budget och utfall per år"),
            [
                (str(r["year"]), (r["budget"], r["actual"]))
                for r in money["years"]
                if r["has_budget"]
            ],
            [_("Budget"), _("Utfall")],
            money=True,
            values=not for_pdf,
        )
    return {
        "report": report,
        "data": data,
        "people": whole["people"],
        "outcome_table": whole["outcome_table"],
        "year_people": years,
        "stages": _suppress_stage_counts(data.get("stages") or []),
        "risk_matrix": risk_matrix,
        "charts": charts,
        "document_title": _("Slutrapport"),
        "header_text": f"{data['agreement']['title']} · {_('Slutrapport')}",
    }


def final_report_pdf(report: FinalReport) -> bytes:
    return render_pdf("reporting/final_report_pdf.html", final_report_context(report, for_pdf=True))


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
