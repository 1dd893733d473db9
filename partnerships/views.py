"""Pages for organisations, agreements, goals and budgets.

Every view fetches its objects through partnerships.access, binds a form, calls one model
method or workflow function, and renders or redirects.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access
from .access import CAN_EDIT_AGREEMENT, CAN_EDIT_BUDGET, require_role
from .budgets import derive_next_year
from .forms import (
    ActualCostForm,
    AgreementForm,
    AmendmentForm,
    BudgetForm,
    ContactPersonForm,
    CostLineFormSet,
    ExtensionForm,
    FundingShareFormSet,
    GoalForm,
    IndicatorForm,
    OrganisationForm,
    OtherFundingForm,
    PartyForm,
    ResourceFormSet,
    StatusForm,
    TargetFormSet,
)
from .lifecycle import change_status, diff_snapshots, extend_agreement, record_version, version_on
from .models import (
    ActualCost,
    Agreement,
    AgreementParty,
    AgreementVersion,
    Budget,
    Goal,
    Indicator,
)


def home(request: HttpRequest) -> HttpResponse:
    return redirect("agreement_list")


# --------------------------------------------------------------------------- agreements


def agreement_list(request: HttpRequest) -> HttpResponse:
    agreements = (
        access.visible_agreements(request.user)
        .prefetch_related(
            Prefetch("parties", queryset=AgreementParty.objects.select_related("organisation"))
        )
        .order_by("-start_date", "title")
    )
    status = request.GET.get("status", "")
    if status in Agreement.Status.values:
        agreements = agreements.filter(status=status)
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


@transaction.atomic
def agreement_create(request: HttpRequest) -> HttpResponse:
    require_role(request.user, CAN_EDIT_AGREEMENT)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agreement = form.save()
        if request.user.organisation_id:
            # The creating organisation is a party, so its staff can see the new agreement.
            AgreementParty.objects.create(
                agreement=agreement,
                organisation_id=request.user.organisation_id,
                role=(
                    AgreementParty.PartyRole.OPERATOR
                    if not request.user.organisation.is_public
                    else AgreementParty.PartyRole.PUBLIC_FUNDER
                ),
            )
        record_version(
            agreement=agreement,
            user=request.user,
            summary=_("Utkast skapat"),
            valid_from=agreement.start_date,
        )
        messages.success(
            request, _("Överenskommelsen är skapad. Lägg till parter, mål och budget.")
        )
        return redirect(agreement)
    return render(request, "partnerships/agreement_form.html", {"form": form, "agreement": None})


def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
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
            "extensions": agreement.extensions.all(),
            "extension_deadline": agreement.extension_decision_deadline(),
            "report_year": min(
                max(today.year - 1, agreement.start_date.year), agreement.end_date.year
            ),
            "can_edit": request.user.has_role(*CAN_EDIT_AGREEMENT),
            "can_edit_budget": request.user.has_role(*CAN_EDIT_BUDGET),
            "status_form": StatusForm(initial={"day": today}),
            "extension_form": ExtensionForm(initial={"decided_on": today}),
            "missing_years": [y for y in agreement.years if y not in {b.year for b in budgets}],
        },
    )


def agreement_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
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
        with transaction.atomic():
            agreement = form.save(commit=False)
            agreement.revision += 1
            agreement.save()
            version = record_version(
                agreement=agreement, user=request.user, **amendment.cleaned_data
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
def agreement_status(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ange ny status och datum."))
        return redirect(agreement)
    try:
        change_status(
            agreement=agreement,
            new_status=form.cleaned_data["status"],
            user=request.user,
            day=form.cleaned_data["day"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Statusen är ändrad."))
    return redirect(agreement)


@require_POST
def agreement_extend(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ange beslutsdatum för förlängningen."))
        return redirect(agreement)
    try:
        extension = extend_agreement(agreement=agreement, user=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Överenskommelsen är förlängd till %(end)s.")
            % {"end": extension.new_end_date.isoformat()},
        )
    return redirect(agreement)


def agreement_history(request: HttpRequest, agreement_id: int) -> HttpResponse:
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


def agreement_version(request: HttpRequest, agreement_id: int, number: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id)
    version = get_object_or_404(AgreementVersion, agreement=agreement, number=number)
    return render(
        request,
        "partnerships/agreement_version.html",
        {"agreement": agreement, "version": version, "snap": version.snapshot},
    )


# --------------------------------------------------------------------------- parties, goals


def party_edit(
    request: HttpRequest, agreement_id: int, party_id: int | None = None
) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    party = get_object_or_404(agreement.parties, pk=party_id) if party_id else None
    form = PartyForm(request.POST or None, instance=party, agreement=agreement)
    resources = ResourceFormSet(request.POST or None, instance=form.instance, prefix="resources")
    if request.method == "POST" and form.is_valid() and resources.is_valid():
        with transaction.atomic():
            party = form.save()
            resources.instance = party
            resources.save()
            record_version(
                agreement=agreement,
                user=request.user,
                summary=_("Part uppdaterad: %(org)s") % {"org": party.organisation},
            )
        messages.success(request, _("Parten är sparad."))
        return redirect(agreement)
    return render(
        request,
        "partnerships/party_form.html",
        {"agreement": agreement, "form": form, "resources": resources, "party": party},
    )


def goal_edit(request: HttpRequest, agreement_id: int, goal_id: int | None = None) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    goal = get_object_or_404(agreement.goals, pk=goal_id) if goal_id else None
    form = GoalForm(request.POST or None, instance=goal, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            goal = form.save()
            record_version(
                agreement=agreement,
                user=request.user,
                summary=_("Mål uppdaterat: %(goal)s") % {"goal": goal.title},
            )
        messages.success(request, _("Målet är sparat."))
        return redirect(agreement)
    return render(
        request, "partnerships/goal_form.html", {"agreement": agreement, "form": form, "goal": goal}
    )


def indicator_edit(
    request: HttpRequest, agreement_id: int, indicator_id: int | None = None
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
    if request.method == "POST" and form.is_valid() and targets.is_valid():
        with transaction.atomic():
            indicator = form.save()
            targets.instance = indicator
            targets.save()
            record_version(
                agreement=agreement,
                user=request.user,
                summary=_("Indikator uppdaterad: %(name)s") % {"name": indicator.name},
            )
        messages.success(request, _("Indikatorn är sparad."))
        return redirect(agreement)
    return render(
        request,
        "partnerships/indicator_form.html",
        {"agreement": agreement, "form": form, "targets": targets, "indicator": indicator},
    )


# --------------------------------------------------------------------------- budgets


def _budget_context(request: HttpRequest, budget: Budget, **forms) -> dict:
    lines = list(budget.cost_lines.annotate(actual=Sum("actuals__amount")))
    total = sum((line.amount for line in lines), Decimal("0"))
    can_edit = request.user.has_role(*CAN_EDIT_BUDGET)
    shares = budget.share_amounts(total)
    return {
        "agreement": budget.agreement,
        "budget": budget,
        "lines": lines,
        "total": total,
        "actual_total": sum((line.actual or Decimal("0") for line in lines), Decimal("0")),
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


def budget_detail(request: HttpRequest, agreement_id: int, year: int) -> HttpResponse:
    budget = access.access_budget_by_year(request.user, agreement_id, year)
    return render(request, "partnerships/budget_detail.html", _budget_context(request, budget))


def budget_edit(request: HttpRequest, agreement_id: int, year: int | None = None) -> HttpResponse:
    if year is None:
        agreement = access.access_agreement_by_id(request.user, agreement_id)
        require_role(request.user, CAN_EDIT_BUDGET)
        budget = None
    else:
        budget = access.access_budget_by_year(request.user, agreement_id, year, for_edit=True)
        agreement = budget.agreement
    data = request.POST or None
    form = BudgetForm(
        data, instance=budget, agreement=agreement, initial={"year": request.GET.get("year")}
    )
    lines = CostLineFormSet(data, instance=form.instance, prefix="lines")
    shares = FundingShareFormSet(
        data, instance=form.instance, prefix="shares", form_kwargs={"agreement": agreement}
    )
    if request.method == "POST":
        form_ok = form.is_valid()
        lines_ok = lines.is_valid()
        if lines_ok:
            shares.budget_total = lines.total()
        if form_ok and lines_ok and shares.is_valid():
            with transaction.atomic():
                budget = form.save(commit=False)
                if budget.pk:
                    budget.revision += 1
                budget.save()
                lines.instance = budget
                lines.save()
                shares.instance = budget
                shares.save()
                record_version(
                    agreement=agreement,
                    user=request.user,
                    summary=_("Budget %(year)s sparad") % {"year": budget.year},
                )
            messages.success(request, _("Budgeten är sparad."))
            return redirect(budget)
    return render(
        request,
        "partnerships/budget_form.html",
        {"agreement": agreement, "budget": budget, "form": form, "lines": lines, "shares": shares},
    )


@require_POST
def budget_derive(request: HttpRequest, agreement_id: int, year: int) -> HttpResponse:
    budget = access.access_budget_by_year(request.user, agreement_id, year, for_edit=True)
    try:
        new = derive_next_year(budget=budget, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(budget)
    record_version(
        agreement=budget.agreement,
        user=request.user,
        summary=_("Budget %(year)s uppräknad från %(prev)s")
        % {"year": new.year, "prev": budget.year},
    )
    messages.success(request, _("Budgeten för %(year)s är framräknad.") % {"year": new.year})
    return redirect(new)


@require_POST
def actual_add(request: HttpRequest, agreement_id: int, year: int) -> HttpResponse:
    budget = access.access_budget_by_year(request.user, agreement_id, year, for_edit=True)
    form = ActualCostForm(request.POST, budget=budget)
    if form.is_valid():
        actual = form.save(commit=False)
        actual.recorded_by = request.user
        actual.save()
        messages.success(request, _("Utfallet är bokfört."))
        return redirect(budget)
    return _budget_with_form_errors(request, budget, actual_form=form)


@require_POST
def other_funding_add(request: HttpRequest, agreement_id: int, year: int) -> HttpResponse:
    budget = access.access_budget_by_year(request.user, agreement_id, year, for_edit=True)
    form = OtherFundingForm(request.POST)
    form.instance.budget = budget
    if form.is_valid():
        form.save()
        messages.success(request, _("Den andra finansieringen är registrerad."))
        return redirect(budget)
    return _budget_with_form_errors(request, budget, other_form=form)


def _budget_with_form_errors(request: HttpRequest, budget: Budget, **forms) -> HttpResponse:
    """Re-render the budget page with the submitted form and its errors; nothing saved."""
    return render(
        request,
        "partnerships/budget_detail.html",
        _budget_context(request, budget, **forms),
        status=400,
    )


# --------------------------------------------------------------------------- organisations


def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = access.visible_organisations(request.user).annotate(
        agreement_count=Count("agreement_parties", distinct=True)
    )
    return render(
        request,
        "partnerships/organisation_list.html",
        {"organisations": organisations, "can_create": request.user.is_administrator},
    )


def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
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


def organisation_edit(request: HttpRequest, organisation_id: int | None = None) -> HttpResponse:
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
        organisation = form.save()
        messages.success(request, _("Organisationen är sparad."))
        return redirect(organisation)
    return render(
        request, "partnerships/organisation_form.html", {"form": form, "organisation": organisation}
    )


@require_POST
def contact_person_add(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = access.access_organisation_by_id(request.user, organisation_id, for_edit=True)
    form = ContactPersonForm(request.POST)
    form.instance.organisation = organisation
    if form.is_valid():
        form.save()
        messages.success(request, _("Kontaktpersonen är sparad."))
    else:
        messages.error(
            request,
            _("Kontaktpersonen kunde inte sparas: ")
            + " ".join(
                f"{form.fields[name].label}: {' '.join(errs)}" for name, errs in form.errors.items()
            ),
        )
    return redirect(organisation)


# --------------------------------------------------------------------------- removals


@require_POST
def party_delete(request: HttpRequest, agreement_id: int, party_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    party = get_object_or_404(agreement.parties.select_related("organisation"), pk=party_id)
    if party.shares.exists():
        messages.error(
            request,
            _("%(org)s har finansieringsandelar i budgeten. Ta bort andelarna först.")
            % {"org": party.organisation},
        )
        return redirect(agreement)
    summary = _("Part borttagen: %(org)s") % {"org": party.organisation}
    return _remove(request, agreement, party, summary, _("Parten är borttagen."))


@require_POST
def goal_delete(request: HttpRequest, agreement_id: int, goal_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    goal = get_object_or_404(agreement.goals, pk=goal_id)
    summary = _("Mål borttaget: %(goal)s") % {"goal": goal.title}
    return _remove(request, agreement, goal, summary, _("Målet är borttaget."))


@require_POST
def indicator_delete(request: HttpRequest, agreement_id: int, indicator_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    indicator = get_object_or_404(Indicator, goal__agreement=agreement, pk=indicator_id)
    summary = _("Indikator borttagen: %(name)s") % {"name": indicator.name}
    return _remove(request, agreement, indicator, summary, _("Indikatorn är borttagen."))


def _remove(
    request: HttpRequest, agreement: Agreement, obj, summary: str, done: str
) -> HttpResponse:
    """Delete a part of the agreement and record the change as a new version."""
    with transaction.atomic():
        obj.delete()
        record_version(agreement=agreement, user=request.user, summary=summary)
    messages.success(request, done)
    return redirect(agreement)
