"""The statistics network's pages: the member's grid, the coordinator's overview and the
national report (HTML and CSV). Access per network through access_network.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iop.audit import AuditContext
from partnerships.http import AuthedHttpRequest

from .access_network import (
    access_form,
    access_network,
    access_own_member,
    access_published_form,
    access_submission,
    require_coordinator,
    user_networks,
    visible_submissions,
)
from .actions_network import (
    create_form,
    current_submission,
    open_form,
    publish_report,
    reopen_submission,
    save_form,
    submit_counts,
)
from .forms_network import (
    BaseDimensionFormSet,
    DimensionFormSet,
    FormOptionsForm,
    NewFormForm,
    ReopenForm,
    SubmissionForm,
    dimension_initial,
)
from .models_network import NetworkForm, NetworkRole, NetworkSubmission
from .network_outreach import may_prefill, outreach_prefill
from .network_report import build_report, member_statuses, report_csv
from .pdf import render_pdf


def network_list(request: AuthedHttpRequest) -> HttpResponse:
    return render(request, "reporting/network_list.html", {"networks": user_networks(request.user)})


def network_detail(request: AuthedHttpRequest, network_id: int) -> HttpResponse:
    network, role = access_network(request.user, network_id)
    forms = NetworkForm.objects.filter(network=network)
    is_coordinator = role.kind == NetworkRole.Kind.COORDINATOR
    if not is_coordinator:
        forms = forms.filter(status=NetworkForm.Status.OPEN)
    return render(
        request,
        "reporting/network_detail.html",
        {
            "network": network,
            "role": role,
            "is_coordinator": is_coordinator,
            "forms": forms,
            "submissions": visible_submissions(role).order_by("-submitted_at")[:50],
            "today": timezone.localdate(),
        },
    )


def network_form_status(request: AuthedHttpRequest, network_id: int, form_id: int) -> HttpResponse:
    network, role = access_network(request.user, network_id)
    require_coordinator(role)
    form = access_form(network, form_id)
    return render(
        request,
        "reporting/network_form_status.html",
        {
            "network": network,
            "form": form,
            "statuses": member_statuses(form),
            "report": build_report(form),
        },
    )


def network_submit(
    request: AuthedHttpRequest, network_id: int, form_id: int, network_member_id: int
) -> HttpResponse:
    network, role = access_network(request.user, network_id)
    member = access_own_member(role, network_member_id)
    form = access_form(network, form_id)
    # "Start from the outreach counts": the member's own staff only (network_outreach.py).
    outreach = may_prefill(request.user, member)
    prefill = outreach_prefill(form, member) if outreach and "outreach" in request.GET else None
    grid = SubmissionForm(form, request.POST or None, initial=prefill.initial if prefill else None)
    last = current_submission(form, member)
    if request.method == "POST" and grid.is_valid():
        try:
            submit_counts(
                form=form,
                member=member,
                total_contacts=grid.cleaned_data["total_contacts"],
                counts=grid.counts(),
                crosstab_counts=grid.crosstab_counts(),
                user=request.user,
                audit=AuditContext.from_request(request),
            )
        except ValidationError as exc:
            grid.add_error(None, exc)
        else:
            messages.success(request, _("Inrapporteringen är inlämnad och låst."))
            return redirect("reporting:network_detail", network_id=network.pk)
    return render(
        request,
        "reporting/network_submit.html",
        {
            "network": network,
            "form": form,
            "member": member,
            "grid": grid,
            "last": last,
            "outreach": outreach,
            "prefill": prefill,
        },
    )


def network_submission(
    request: AuthedHttpRequest, network_id: int, submission_id: int
) -> HttpResponse:
    network, role = access_network(request.user, network_id)
    submission = access_submission(role, submission_id)
    return render(
        request,
        "reporting/network_submission.html",
        {
            "network": network,
            "submission": submission,
            "is_coordinator": role.kind == NetworkRole.Kind.COORDINATOR,
            "reopen_form": ReopenForm(),
            "rows": _submission_rows(submission),
        },
    )


def _submission_rows(submission: NetworkSubmission) -> list[tuple[str, str, int]]:
    rows = []
    for dim in submission.form.dimensions:
        given = submission.counts.get(dim["key"]) or {}
        cats = dim["categories"] or [{"key": "", "label": ""}]
        for cat in cats:
            rows.append((dim["label"], cat["label"], int(given.get(cat["key"]) or 0)))
    return rows


@require_POST
def network_submission_reopen(
    request: AuthedHttpRequest, network_id: int, submission_id: int
) -> HttpResponse:
    network, role = access_network(request.user, network_id)
    require_coordinator(role)
    submission = access_submission(role, submission_id)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            reopen_submission(
                submission=submission,
                reason=form.cleaned_data["reason"],
                user=request.user,
                audit=AuditContext.from_request(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Inrapporteringen är öppnad igen."))
            return redirect("reporting:network_submission", network.pk, submission.pk)
    return render(
        request,
        "reporting/network_submission.html",
        {
            "network": network,
            "submission": submission,
            "is_coordinator": True,
            "reopen_form": form,
            "rows": _submission_rows(submission),
        },
        status=400,
    )


@require_POST
def network_publish(request: AuthedHttpRequest, network_id: int, form_id: int) -> HttpResponse:
    network, role = access_network(request.user, network_id)
    require_coordinator(role)
    form = access_form(network, form_id)
    try:
        publish_report(form=form, user=request.user, audit=AuditContext.from_request(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Rapporten är publicerad för medlemmarna."))
    return redirect("reporting:network_report", network.pk, form.pk)


def network_report(request: AuthedHttpRequest, network_id: int, form_id: int) -> HttpResponse:
    network, role = access_network(request.user, network_id)
    form = access_published_form(role, form_id)
    return render(
        request,
        "reporting/network_report.html",
        {
            "network": network,
            "form": form,
            "report": build_report(form),
            "is_coordinator": role.kind == NetworkRole.Kind.COORDINATOR,
        },
    )


def network_report_csv(request: AuthedHttpRequest, network_id: int, form_id: int) -> HttpResponse:
    network, role = access_network(request.user, network_id)
    form = access_published_form(role, form_id)
    response = HttpResponse(report_csv(build_report(form)), content_type="text/csv; charset=utf-8")
    name = f"natverksrapport-{form.year}{'' if form.half is None else f'-h{form.half}'}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def network_report_pdf(request: AuthedHttpRequest, network_id: int, form_id: int) -> HttpResponse:
    """The national report as PDF, through the safe PDF path (reporting/pdf.py)."""
    network, role = access_network(request.user, network_id)
    form = access_published_form(role, form_id)
    pdf = render_pdf(
        "reporting/network_report_pdf.html",
        {
            "network": network,
            "form": form,
            "report": build_report(form),
            "document_title": f"{_('Nationell rapport')} {form.period_label}",
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"natverksrapport-{form.year}{'' if form.half is None else f'-h{form.half}'}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def network_form_new(request: AuthedHttpRequest, network_id: int) -> HttpResponse:
    """The coordinator starts a period's form (the default dimensions, as a draft)."""
    network, role = access_network(request.user, network_id)
    require_coordinator(role)
    form = NewFormForm(request.POST or None, instance=NetworkForm(network=network))
    if request.method == "POST" and form.is_valid():
        try:
            created = create_form(
                form=form.save(commit=False),
                user=request.user,
                audit=AuditContext.from_request(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Formuläret är skapat som utkast."))
            return redirect("reporting:network_form_status", network.pk, created.pk)
    return render(request, "reporting/network_form_new.html", {"network": network, "form": form})


@require_POST
def network_form_open(request: AuthedHttpRequest, network_id: int, form_id: int) -> HttpResponse:
    """Open a draft for reporting; from then on it is frozen."""
    network, role = access_network(request.user, network_id)
    require_coordinator(role)
    form = access_form(network, form_id)
    try:
        open_form(form=form, user=request.user, audit=AuditContext.from_request(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Formuläret är öppnat för rapportering och är nu låst."))
    return redirect("reporting:network_form_status", network.pk, form.pk)


def network_form_edit(request: AuthedHttpRequest, network_id: int, form_id: int) -> HttpResponse:
    """The coordinator edits a form's dimensions, categories and cross-tabulations. A
    draft changes in place; an opened form is frozen, so saving makes a new version."""
    network, role = access_network(request.user, network_id)
    require_coordinator(role)
    form = access_form(network, form_id)
    data = request.POST if request.method == "POST" else None
    options = FormOptionsForm(form, data)
    dimensions = DimensionFormSet(data, initial=dimension_initial(form), prefix="dim")
    assert isinstance(dimensions, BaseDimensionFormSet)
    if data is not None and options.is_valid() and dimensions.is_valid():
        changes = {
            "dimensions": dimensions.dimensions(),
            "crosstabs": options.crosstab_pairs(),
            "allows_not_recorded": options.cleaned_data["allows_not_recorded"],
        }
        try:
            saved = save_form(
                form=form,
                changes=changes,
                user=request.user,
                audit=AuditContext.from_request(request),
            )
        except ValidationError as exc:
            _errors_to_options(options, exc)
        else:
            if saved.pk != form.pk:
                messages.success(
                    request,
                    _(
                        "Formuläret var öppnat och är oförändrat; ändringen blev version %s (utkast)."
                    )
                    % saved.version,
                )
            else:
                messages.success(request, _("Formuläret är sparat."))
            return redirect("reporting:network_form_edit", network.pk, saved.pk)
    return render(
        request,
        "reporting/network_form_edit.html",
        {"network": network, "form": form, "options": options, "dimensions": dimensions},
    )


def _errors_to_options(options: FormOptionsForm, exc: ValidationError) -> None:
    """The model's checks of the whole form: cross-tabulations at their field, anything
    else (the dimensions as a whole) at the top of the form."""
    if not hasattr(exc, "error_dict"):
        options.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        options.add_error(name if name in options.fields else None, errors)
