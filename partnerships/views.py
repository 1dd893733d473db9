"""Pages for organisations, agreements, goals and budgets.

Every view fetches its objects through partnerships.access, binds a form, calls one verb
from partnerships.actions, and renders or redirects.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Model, Prefetch, ProtectedError, Sum
from django.forms import BaseInlineFormSet, ModelForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iop.audit import AuditContext

from . import access, actions
from .access import CAN_EDIT_AGREEMENT, CAN_EDIT_BUDGET, require_role
from .forms import (
    ActualCostForm,
    AgreementForm,
    AmendmentForm,
    BudgetForm,
    ContactPersonForm,
    CostLineFormSet,
    CostLineFormSetBase,
    ExtensionForm,
    FundingShareFormSet,
    FundingShareFormSetBase,
    GoalForm,
    IndexSeriesForm,
    IndexValueForm,
    IndicatorForm,
    OrganisationForm,
    OtherFundingForm,
    PartyForm,
    ResourceFormSet,
    StatusForm,
    TargetFormSet,
)
from .http import AuthedHttpRequest
from .models import (
    ActualCost,
    Agreement,
    AgreementParty,
    AgreementVersion,
    Budget,
    ExtensionApproval,
    Goal,
    IndexSeries,
    Indicator,
    add_months,
    describe_deviation,
)
from .versions import diff_snapshots, readable_snapshot, version_on
from .views_governance import risk_matrix_context


def home(request: AuthedHttpRequest) -> HttpResponse:
    return redirect("agreement_list")


# --------------------------------------------------------------------------- agreements


def agreement_list(request: AuthedHttpRequest) -> HttpResponse:
    agreements = (
        access.visible_agreements(request.user)
        .prefetch_related(
            Prefetch("parties", queryset=AgreementParty.objects.select_related("organisation"))
        )
        .order_by("-start_date", "title")
    )
    status = request.GET.get("status", "")
    if status in Agreement.Status.values:
        agreements = agreements.with_current_status(status, timezone.localdate())
    return render(
        request,
        "partnerships/agreement_list.html",
        {
            "agreements": agreements,
            "status": status,
            "statuses": Agreement.Status.choices,
            "can_create": request.user.has_role(*CAN_EDIT_AGREEMENT),
        },
    )


def agreement_create(request: AuthedHttpRequest) -> HttpResponse:
    require_role(request.user, CAN_EDIT_AGREEMENT)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agreement = actions.create_agreement(
            user=request.user, audit=AuditContext.from_request(request), form=form
        )
        messages.success(
            request, _("Överenskommelsen är skapad. Lägg till parter, mål och budget.")
        )
        return redirect(agreement)
    return render(request, "partnerships/agreement_form.html", {"form": form, "agreement": None})


def agreement_detail(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id)
    parties = agreement.parties.select_related("organisation", "contact_person").prefetch_related(
        "resources"
    )
    goals = Goal.objects.filter(agreement=agreement, parent__isnull=True).prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("targets")),
        Prefetch(
            "children",
            queryset=Goal.objects.prefetch_related(
                Prefetch("indicators", queryset=Indicator.objects.prefetch_related("targets"))
            ),
        ),
    )
    budgets = agreement.budgets.annotate(total_amount=Sum("cost_lines__amount")).order_by("year")
    today = timezone.localdate()
    return render(
        request,
        "partnerships/agreement_detail.html",
        {
            "agreement": agreement,
            "parties": parties,
            "goals": goals,
            "budgets": budgets,
            "versions": agreement.versions.select_related("created_by").order_by("-number")[:5],
            "extensions": agreement.extensions.prefetch_related(
                Prefetch(
                    "approvals",
                    queryset=ExtensionApproval.objects.select_related("party__organisation"),
                )
            ),
            "extension_deadline": agreement.extension_decision_deadline(),
            "report_year": min(
                max(today.year - 1, agreement.start_date.year), agreement.end_date.year
            ),
            "can_edit": request.user.has_role(*CAN_EDIT_AGREEMENT),
            "can_edit_budget": request.user.has_role(*CAN_EDIT_BUDGET),
            "status_form": StatusForm(initial={"day": today}),
            "missing_years": [y for y in agreement.years if y not in {b.year for b in budgets}],
            "stages": agreement.stages.all(),
            "risk_matrix": risk_matrix_context(
                list(agreement.risks.active().only("likelihood", "consequence"))
            ),
        },
    )


def agreement_edit(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    requires_approval = agreement.status != Agreement.Status.DRAFT
    form = AgreementForm(request.POST or None, instance=agreement)
    amendment = AmendmentForm(
        request.POST or None,
        requires_approval=requires_approval,
        initial={"valid_from": timezone.localdate()},
        prefix="amendment",
    )
    if request.method == "POST" and form.is_valid() and amendment.is_valid():
        version = actions.amend_agreement(
            user=request.user,
            audit=AuditContext.from_request(request),
            form=form,
            **amendment.cleaned_data,
        )
        if version is None:
            messages.info(request, _("Inget ändrades."))
        else:
            messages.success(
                request, _("Ändringen är sparad som version %(n)s.") % {"n": version.number}
            )
        return redirect(agreement)
    return render(
        request,
        "partnerships/agreement_form.html",
        {"form": form, "amendment": amendment, "agreement": agreement},
    )


@require_POST
def agreement_status(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ange ny status och datum."))
        return redirect(agreement)
    try:
        actions.change_status(
            agreement=agreement,
            new_status=form.cleaned_data["status"],
            user=request.user,
            audit=AuditContext.from_request(request),
            day=form.cleaned_data["day"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Statusen är ändrad."))
    return redirect(agreement)


def agreement_extend(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    """Record an extension: the decision and every party's approval, on a page of its own
    so that each refusal stands next to its field."""
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    form = ExtensionForm(
        request.POST or None,
        agreement=agreement,
        initial={"decided_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            extension = actions.extend_agreement(
                agreement=agreement,
                user=request.user,
                audit=AuditContext.from_request(request),
                decided_on=form.cleaned_data["decided_on"],
                decision_reference=form.cleaned_data["decision_reference"],
                late_reason=form.cleaned_data["late_reason"],
                approvals=form.approvals(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Överenskommelsen är förlängd till %(end)s.")
                % {"end": extension.new_end_date.isoformat()},
            )
            return redirect(agreement)
    return render(
        request,
        "partnerships/agreement_extend.html",
        {
            "agreement": agreement,
            "form": form,
            "deadline": agreement.decision_deadline_for_current_end(),
            "new_end": add_months(agreement.end_date, agreement.extension_months),
        },
        status=400 if form.errors else 200,
    )


def agreement_history(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id)
    versions = list(agreement.versions.select_related("created_by").order_by("number"))
    rows = []
    previous = None
    for version in versions:
        rows.append({"version": version, "changes": diff_snapshots(previous, version.snapshot)})
        previous = version.snapshot
    rows.reverse()
    on_version = None
    on_day = None
    if request.GET.get("on"):
        try:
            on_day = datetime.date.fromisoformat(request.GET["on"])
        except ValueError:
            messages.error(request, _("Ange datumet som ÅÅÅÅ-MM-DD."))
        else:
            on_version = version_on(agreement, on_day)
    return render(
        request,
        "partnerships/agreement_history.html",
        {"agreement": agreement, "rows": rows, "on_day": on_day, "on_version": on_version},
    )


def agreement_version(request: AuthedHttpRequest, agreement_id: int, number: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id)
    version = get_object_or_404(AgreementVersion, agreement=agreement, number=number)
    return render(
        request,
        "partnerships/agreement_version.html",
        {"agreement": agreement, "version": version, "snap": readable_snapshot(version.snapshot)},
    )


# --------------------------------------------------------------------------- parties, goals


def party_edit(
    request: AuthedHttpRequest, agreement_id: int, party_id: int | None = None
) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    party = get_object_or_404(agreement.parties, pk=party_id) if party_id else None
    form = PartyForm(request.POST or None, instance=party, agreement=agreement)
    resources = ResourceFormSet(request.POST or None, instance=form.instance, prefix="resources")
    if _save_part(
        request,
        agreement,
        form,
        [resources],
        summary=lambda party: _("Part uppdaterad: %(org)s") % {"org": party.organisation},
        done=_("Parten är sparad."),
    ):
        return redirect(agreement)
    return render(
        request,
        "partnerships/party_form.html",
        {"agreement": agreement, "form": form, "resources": resources, "party": party},
    )


def goal_edit(
    request: AuthedHttpRequest, agreement_id: int, goal_id: int | None = None
) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    goal = get_object_or_404(agreement.goals, pk=goal_id) if goal_id else None
    form = GoalForm(request.POST or None, instance=goal, agreement=agreement)
    if _save_part(
        request,
        agreement,
        form,
        [],
        summary=lambda goal: _("Mål uppdaterat: %(goal)s") % {"goal": goal.title},
        done=_("Målet är sparat."),
    ):
        return redirect(agreement)
    return render(
        request, "partnerships/goal_form.html", {"agreement": agreement, "form": form, "goal": goal}
    )


def indicator_edit(
    request: AuthedHttpRequest, agreement_id: int, indicator_id: int | None = None
) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    indicator = (
        get_object_or_404(Indicator, goal__agreement=agreement, pk=indicator_id)
        if indicator_id
        else None
    )
    form = IndicatorForm(
        request.POST or None,
        instance=indicator,
        agreement=agreement,
        initial={"goal": request.GET.get("goal")},
    )
    targets = TargetFormSet(request.POST or None, instance=form.instance, prefix="targets")
    if _save_part(
        request,
        agreement,
        form,
        [targets],
        summary=lambda indicator: _("Indikator uppdaterad: %(name)s") % {"name": indicator.name},
        done=_("Indikatorn är sparad."),
    ):
        return redirect(agreement)
    return render(
        request,
        "partnerships/indicator_form.html",
        {"agreement": agreement, "form": form, "targets": targets, "indicator": indicator},
    )


def _save_part(
    request: AuthedHttpRequest,
    agreement: Agreement,
    form: ModelForm[Any],
    formsets: Sequence[BaseInlineFormSet[Any, Any, Any]],
    *,
    summary: Callable[[Any], str],
    done: str,
    valid: bool | None = None,
) -> Any:
    """On a valid POST, save the part of the agreement that `form` edits, with its rows and
    the agreement's new version (summary of the saved part), say `done`, and return the
    part; otherwise None, and the view shows its form again.

    The form is validated first and its rows only when it is valid, so a broken form shows
    its own errors first. `valid` is for views that validate in an order of their own.
    """
    if request.method != "POST":
        return None
    if valid is None:
        valid = form.is_valid() and all(formset.is_valid() for formset in formsets)
    if not valid:
        return None
    part = actions.save_agreement_part(
        user=request.user,
        audit=AuditContext.from_request(request),
        agreement=agreement,
        form=form,
        formsets=formsets,
        summary=summary(form.instance),
    )
    messages.success(request, done)
    return part


# --------------------------------------------------------------------------- budgets


def _budget_context(request: AuthedHttpRequest, budget: Budget, **forms) -> dict:
    lines = list(budget.cost_lines.annotate(actual=Sum("actuals__amount")))
    total = sum((line.amount for line in lines), Decimal("0"))
    can_edit = request.user.has_role(*CAN_EDIT_BUDGET)
    shares = budget.share_amounts(total)
    booked = [line.actual for line in lines if line.actual is not None]
    actual_total = sum(booked, Decimal("0")) if booked else None
    return {
        "agreement": budget.agreement,
        "budget": budget,
        "lines": [(line, describe_deviation(line.amount, line.actual)) for line in lines],
        "total": total,
        "actual_total": actual_total,
        "total_deviation": describe_deviation(total, actual_total),
        "indexation_adjustment": budget.indexation_adjustment(),
        "shares": shares,
        "shares_error": budget.shares_error(total, shares),
        "grant": budget.grant(shares),
        "actuals": ActualCost.objects.filter(cost_line__budget=budget).select_related("cost_line"),
        "other_funding": budget.other_funding.all(),
        "can_edit": can_edit,
        "actual_form": forms.get("actual_form")
        or (
            ActualCostForm(budget=budget, initial={"date": timezone.localdate()})
            if can_edit
            else None
        ),
        "other_form": forms.get("other_form") or (OtherFundingForm() if can_edit else None),
        "next_year_exists": Budget.objects.filter(
            agreement=budget.agreement, year=budget.year + 1
        ).exists(),
        "next_year_allowed": budget.agreement.covers_year(budget.year + 1),
    }


def budget_detail(request: AuthedHttpRequest, agreement_id: int, year: int) -> HttpResponse:
    budget = access.access_budget_by_year(request.user, agreement_id, year)
    return render(request, "partnerships/budget_detail.html", _budget_context(request, budget))


def budget_edit(
    request: AuthedHttpRequest, agreement_id: int, year: int | None = None
) -> HttpResponse:
    if year is None:
        agreement = access.access_agreement_by_id(request.user, agreement_id)
        require_role(request.user, CAN_EDIT_BUDGET)
        budget = None
    else:
        budget = access.access_budget_by_year(request.user, agreement_id, year, for_edit=True)
        agreement = budget.agreement
    data = request.POST or None
    # A new budget may take its year from the address; an existing one keeps its own (an
    # initial value would replace the instance's year in the disabled field).
    initial = {"year": request.GET.get("year")} if budget is None else {}
    form = BudgetForm(data, instance=budget, agreement=agreement, initial=initial)
    lines, shares = _budget_rows(data, form.instance, agreement)
    if data is not None and data.get("more_rows"):
        # Without JavaScript "Fler rader" posts the form: show it again with more empty
        # rows, what was typed kept, nothing saved.
        return _budget_form_page(request, agreement, budget, form, lines, shares)
    saved = _save_part(
        request,
        agreement,
        form,
        [lines, shares],
        summary=lambda budget: _("Budget %(year)s sparad") % {"year": budget.year},
        done=_("Budgeten är sparad."),
        valid=request.method == "POST" and _budget_forms_valid(form, lines, shares),
    )
    if saved:
        return redirect(saved)
    return _budget_form_page(request, agreement, budget, form, lines, shares)


MORE_ROWS = 3


def _budget_rows(
    data: Any, budget: Budget, agreement: Agreement
) -> tuple[CostLineFormSetBase, FundingShareFormSetBase]:
    """The cost-line and share row formsets of the budget form; for "Fler rader" (the form
    posted without JavaScript) each gets MORE_ROWS extra empty rows."""
    more = data is not None and bool(data.get("more_rows"))
    if more:
        data = data.copy()
        for prefix in ("lines", "shares"):
            count = data.get(f"{prefix}-TOTAL_FORMS", "")
            if count.isdigit():
                data[f"{prefix}-TOTAL_FORMS"] = str(int(count) + MORE_ROWS)
    lines = CostLineFormSet(data, instance=budget, prefix="lines")
    shares = FundingShareFormSet(
        data, instance=budget, prefix="shares", form_kwargs={"agreement": agreement}
    )
    return lines, shares


def _budget_form_page(
    request: AuthedHttpRequest,
    agreement: Agreement,
    budget: Budget | None,
    form: BudgetForm,
    lines: CostLineFormSetBase,
    shares: FundingShareFormSetBase,
) -> HttpResponse:
    return render(
        request,
        "partnerships/budget_form.html",
        {"agreement": agreement, "budget": budget, "form": form, "lines": lines, "shares": shares},
    )


def _budget_forms_valid(
    form: BudgetForm, lines: CostLineFormSetBase, shares: FundingShareFormSetBase
) -> bool:
    """Validate all three (every error shows at once); the shares are checked against the
    total of the lines, so only once the lines are valid."""
    form_ok = form.is_valid()
    lines_ok = lines.is_valid()
    if lines_ok:
        shares.budget_total = lines.total()
    return form_ok and lines_ok and shares.is_valid()


@require_POST
def budget_derive(request: AuthedHttpRequest, agreement_id: int, year: int) -> HttpResponse:
    budget = access.access_budget_by_year(request.user, agreement_id, year, for_edit=True)
    try:
        new = actions.derive_next_year(
            budget=budget, user=request.user, audit=AuditContext.from_request(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(budget)
    messages.success(request, _("Budgeten för %(year)s är framräknad.") % {"year": new.year})
    return redirect(new)


@require_POST
def actual_add(request: AuthedHttpRequest, agreement_id: int, year: int) -> HttpResponse:
    budget = access.access_budget_by_year(request.user, agreement_id, year, for_edit=True)
    form = ActualCostForm(request.POST, budget=budget)
    if form.is_valid():
        actions.record_actual_cost(
            user=request.user, audit=AuditContext.from_request(request), form=form
        )
        messages.success(request, _("Utfallet är bokfört."))
        return redirect(budget)
    return _budget_with_form_errors(request, budget, actual_form=form)


@require_POST
def other_funding_add(request: AuthedHttpRequest, agreement_id: int, year: int) -> HttpResponse:
    budget = access.access_budget_by_year(request.user, agreement_id, year, for_edit=True)
    form = OtherFundingForm(request.POST)
    form.instance.budget = budget
    if form.is_valid():
        actions.add_other_funding(
            user=request.user, audit=AuditContext.from_request(request), form=form
        )
        messages.success(request, _("Den andra finansieringen är registrerad."))
        return redirect(budget)
    return _budget_with_form_errors(request, budget, other_form=form)


def _budget_with_form_errors(request: AuthedHttpRequest, budget: Budget, **forms) -> HttpResponse:
    """Re-render the budget page with the submitted form and its errors; nothing saved."""
    return render(
        request,
        "partnerships/budget_detail.html",
        _budget_context(request, budget, **forms),
        status=400,
    )


def index_series(request: AuthedHttpRequest) -> HttpResponse:
    """The index series that budgets can follow, with their yearly values; finance adds a
    series or a value (the provisional one, later the final one) here."""
    require_role(request.user, CAN_EDIT_BUDGET)
    data = request.POST or None
    kind = data.get("kind") if data is not None else None
    series_form = IndexSeriesForm(data if kind == "series" else None, prefix="series")
    value_form = IndexValueForm(data if kind == "value" else None, prefix="value")
    audit = AuditContext.from_request(request)
    if kind == "series" and series_form.is_valid():
        actions.add_index_series(user=request.user, audit=audit, form=series_form)
        messages.success(request, _("Indexserien är sparad."))
        return redirect("index_series")
    if kind == "value" and value_form.is_valid():
        actions.record_index_value(user=request.user, audit=audit, form=value_form)
        messages.success(request, _("Indexvärdet är sparat."))
        return redirect("index_series")
    return render(
        request,
        "partnerships/budget_index_series.html",
        {
            "series_list": IndexSeries.objects.prefetch_related("values"),
            "series_form": series_form,
            "value_form": value_form,
        },
        status=400 if data is not None else 200,
    )


# --------------------------------------------------------------------------- organisations


def organisation_list(request: AuthedHttpRequest) -> HttpResponse:
    organisations = access.visible_organisations(request.user).annotate(
        agreement_count=Count("agreement_parties", distinct=True)
    )
    return render(
        request,
        "partnerships/organisation_list.html",
        {"organisations": organisations, "can_create": request.user.is_administrator},
    )


def organisation_detail(request: AuthedHttpRequest, organisation_id: int) -> HttpResponse:
    organisation = access.access_organisation_by_id(request.user, organisation_id)
    agreements = access.visible_agreements(request.user).filter(parties__organisation=organisation)
    can_edit = request.user.is_administrator or (
        request.user.has_role(*access.CAN_EDIT_ORGANISATION)
        and organisation.pk == request.user.organisation_id
    )
    return render(
        request,
        "partnerships/organisation_detail.html",
        {
            "organisation": organisation,
            "agreements": agreements,
            "contacts": organisation.contacts.all(),
            "can_edit": can_edit,
            "contact_form": ContactPersonForm() if can_edit else None,
        },
    )


def organisation_edit(
    request: AuthedHttpRequest, organisation_id: int | None = None
) -> HttpResponse:
    if organisation_id is None:
        if not request.user.is_administrator:
            raise Http404
        organisation = None
    else:
        organisation = access.access_organisation_by_id(
            request.user, organisation_id, for_edit=True
        )
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        organisation = actions.save_organisation(
            user=request.user, audit=AuditContext.from_request(request), form=form
        )
        messages.success(request, _("Organisationen är sparad."))
        return redirect(organisation)
    return render(
        request, "partnerships/organisation_form.html", {"form": form, "organisation": organisation}
    )


@require_POST
def contact_person_add(request: AuthedHttpRequest, organisation_id: int) -> HttpResponse:
    organisation = access.access_organisation_by_id(request.user, organisation_id, for_edit=True)
    form = ContactPersonForm(request.POST)
    form.instance.organisation = organisation
    if form.is_valid():
        actions.add_contact_person(
            user=request.user, audit=AuditContext.from_request(request), form=form
        )
        messages.success(request, _("Kontaktpersonen är sparad."))
    else:
        messages.error(
            request,
            _("Kontaktpersonen kunde inte sparas: ")
            + " ".join(
                f"{form.fields[name].label}: {' '.join(str(e) for e in errs)}"
                for name, errs in form.errors.items()
            ),
        )
    return redirect(organisation)


# --------------------------------------------------------------------------- removals


@require_POST
def party_delete(request: AuthedHttpRequest, agreement_id: int, party_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    party = get_object_or_404(agreement.parties.select_related("organisation"), pk=party_id)
    if party.shares.exists():
        messages.error(
            request,
            _("%(org)s har finansieringsandelar i budgeten. Ta bort andelarna först.")
            % {"org": party.organisation},
        )
        return redirect(agreement)
    if party.pairs_as_seller.exists() or party.pairs_as_buyer.exists():
        messages.error(
            request,
            _("%(org)s ingår i ett faktureringspar. Ta bort paret först.")
            % {"org": party.organisation},
        )
        return redirect(agreement)
    summary = _("Part borttagen: %(org)s") % {"org": party.organisation}
    try:
        return _remove(request, agreement, party, summary, _("Parten är borttagen."))
    except ProtectedError:
        # Issued documents (invoice bases) name the party; they must stay as issued.
        messages.error(
            request,
            _("Utfärdade dokument hänvisar till %(org)s, så parten kan inte tas bort.")
            % {"org": party.organisation},
        )
        return redirect(agreement)


@require_POST
def goal_delete(request: AuthedHttpRequest, agreement_id: int, goal_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    goal = get_object_or_404(agreement.goals, pk=goal_id)
    summary = _("Mål borttaget: %(goal)s") % {"goal": goal.title}
    return _remove(request, agreement, goal, summary, _("Målet är borttaget."))


@require_POST
def indicator_delete(
    request: AuthedHttpRequest, agreement_id: int, indicator_id: int
) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    indicator = get_object_or_404(Indicator, goal__agreement=agreement, pk=indicator_id)
    summary = _("Indikator borttagen: %(name)s") % {"name": indicator.name}
    return _remove(request, agreement, indicator, summary, _("Indikatorn är borttagen."))


def _remove(
    request: AuthedHttpRequest, agreement: Agreement, part: Model, summary: str, done: str
) -> HttpResponse:
    """Delete a part of the agreement and record the change as a new version."""
    actions.remove_agreement_part(
        user=request.user,
        audit=AuditContext.from_request(request),
        agreement=agreement,
        part=part,
        summary=summary,
    )
    messages.success(request, done)
    return redirect(agreement)
