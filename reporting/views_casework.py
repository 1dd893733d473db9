"""Casework figures for one agreement and year: the coordinated plan, referrals per
referring agency and month, and the hand-over at exit. Counts only, suppressed; no
identities, so every role that sees the agreement may read them."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from partnerships.access import access_agreement_by_id
from partnerships.http import AuthedHttpRequest

from . import figures
from .casework import HANDOVER_TARGET_PERCENT, PLAN_TARGET_PERCENT, casework_tables


def casework(request: AuthedHttpRequest, agreement_id: int, year: int) -> HttpResponse:
    agreement = access_agreement_by_id(request.user, agreement_id)
    if not agreement.covers_year(year):
        raise Http404
    start, end = figures.period(agreement, year)
    return render(
        request,
        "reporting/casework.html",
        {
            "agreement": agreement,
            "year": year,
            "start": start,
            "end": end,
            "t": casework_tables(agreement, start, end),
            "plan_target": PLAN_TARGET_PERCENT,
            "handover_target": HANDOVER_TARGET_PERCENT,
        },
    )
