"""Dashboard pages: one partnership, or every partnership the user follows, and their CSV.

Who sees a dashboard: anyone whose organisation is party to the agreement, in any role.
Steering-group members and partnership managers are who the pages are for; coordinators
and finance staff see them too, because the aggregates (with small numbers hidden) show
less than the participant and budget pages they already work in. A user without a role
gets 403; another partnership's dashboard is 404, as if it did not exist.
"""

from __future__ import annotations

import datetime

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from iop.spreadsheets.writer import csv_response
from partnerships.access import access_agreement_by_id, require_role, visible_agreements
from partnerships.http import AuthedHttpRequest
from partnerships.models import Agreement, Role, User

from .dashboards import Scope, build_dashboard, default_year, kept_with_page, scope_for
from .funder import DashboardTarget, dashboard_casework_targets
from .models import ReferenceValue

CAN_SEE_DASHBOARDS = (Role.STEERING, Role.MANAGER, Role.ADMIN, Role.COORDINATOR, Role.FINANCE)


def dashboard_agreements(user: User) -> list[Agreement]:
    """Agreements the user may follow on the dashboards (drafts have nothing to show)."""
    require_role(user, CAN_SEE_DASHBOARDS)
    return list(
        visible_agreements(user)
        .exclude(status__in=(Agreement.Status.DRAFT, Agreement.Status.AWAITING_DECISION))
        .order_by("title")
    )


def access_dashboard_by_id(user: User, agreement_id: int) -> Agreement:
    agreement = access_agreement_by_id(user, agreement_id)
    require_role(user, CAN_SEE_DASHBOARDS)
    return agreement


def _year(request: AuthedHttpRequest, years: list[int], today: datetime.date) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = 0
    return year if year in years else default_year(years, today)


def _overview_scope(request: AuthedHttpRequest) -> tuple[Scope, list[Agreement], list[int]]:
    today = timezone.localdate()
    followed = dashboard_agreements(request.user)
    years = sorted({y for a in followed for y in a.years}) or [today.year]
    year = _year(request, years, today)
    covering = [a for a in followed if a.covers_year(year)]
    return scope_for(covering, year, today), followed, years


def _single_scope(
    request: AuthedHttpRequest, agreement_id: int
) -> tuple[Scope, list[Agreement], list[int]]:
    agreement = access_dashboard_by_id(request.user, agreement_id)
    today = timezone.localdate()
    years = agreement.years
    year = _year(request, years, today)
    followed = dashboard_agreements(request.user)
    # Suppressed together with the overview this user can open (see link_pages).
    linked = [a for a in followed if a.covers_year(year)]
    return scope_for([agreement], year, today, single=agreement, linked=linked), followed, years


def _render(
    request: AuthedHttpRequest, scope: Scope, followed: list[Agreement], years: list[int]
) -> HttpResponse:
    dashboard = build_dashboard(scope, request.user, page_only=True)
    funder_targets: list[DashboardTarget] = []
    references: list[ReferenceValue] = []
    if scope.single:
        csv_url = reverse("dashboard_csv", args=[scope.single.pk])
        # The funders' casework targets and comparison values (issue 15).
        single = scope.single
        funder_targets, references = kept_with_page(
            scope,
            "targets",
            lambda: dashboard_casework_targets(single, scope.start, scope.until, scope.year),
        )
    else:
        csv_url = reverse("dashboard_overview_csv")
    return render(
        request,
        "reporting/dashboard.html",
        {
            "dashboard": dashboard,
            "scope": scope,
            "agreement": scope.single,
            "followed": followed,
            "years": years,
            "year": scope.year,
            "csv_url": f"{csv_url}?year={scope.year}",
            "funder_targets": funder_targets,
            "references": references,
        },
    )


@require_GET
def dashboard_overview(request: AuthedHttpRequest) -> HttpResponse:
    # The partnership chooser is a plain GET form; without JavaScript it lands here.
    chosen = request.GET.get("agreement", "")
    if chosen.isdigit():
        url = reverse("dashboard_detail", args=[int(chosen)])
        year = request.GET.get("year", "")
        return redirect(f"{url}?year={year}" if year.isdigit() else url)
    return _render(request, *_overview_scope(request))


@require_GET
def dashboard_detail(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    return _render(request, *_single_scope(request, agreement_id))


def _csv(scope: Scope, request: AuthedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    dashboard = build_dashboard(scope, request.user)
    name = scope.single.short_id if scope.single else "alla-partnerskap"
    scope_name = scope.single.title if scope.single else _("Alla partnerskap")
    header = [_("Partnerskap"), _("År"), _("Figur"), _("Rad"), _("Kolumn"), _("Värde")]
    rows = [
        [scope_name, scope.year, figure.title, row.label, column, value.csv]
        for figure in dashboard["figures"]
        for row in [*figure.rows, *figure.footer]
        for column, value in zip(figure.columns, row.values, strict=False)
    ]
    # Through the one writer: a partnership titled "=HYPERLINK(...)" stays text.
    return csv_response(f"oversikt-{name}-{scope.year}.csv", header, rows, stream=False)


@require_GET
def dashboard_overview_csv(request: AuthedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    scope, _followed, _years = _overview_scope(request)
    return _csv(scope, request)


@require_GET
def dashboard_csv(
    request: AuthedHttpRequest, agreement_id: int
) -> HttpResponse | StreamingHttpResponse:
    scope, _followed, _years = _single_scope(request, agreement_id)
    return _csv(scope, request)
