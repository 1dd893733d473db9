"""Import and export pages: template download, upload → preview → confirm, exports.

Thin views over partnerships/imports.py, which holds the rules (limits, scope, roles).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import imports
from .imports import DATASETS, FileRefused, get_dataset


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fil (CSV eller XLSX)"),
        help_text=gettext_lazy("Första raden ska vara kolumnrubrikerna från mallen."),
    )


def _format(request: HttpRequest) -> str:
    return "xlsx" if request.GET.get("format") == "xlsx" else "csv"


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: v for k, v in request.GET.items() if k != "format"}


def io_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    datasets = [
        {"dataset": d, "may_import": d.may_import(user), "may_export": d.may_export(user)}
        for d in DATASETS.values()
        if d.may_import(user) or d.may_export(user)
    ]
    if not datasets:
        raise PermissionDenied
    return render(
        request, "io/index.html", {"datasets": datasets, "jobs": imports.recent_jobs(user)}
    )


def io_export(request: HttpRequest, kind: str) -> HttpResponse:
    dataset = get_dataset(kind)
    return imports.export_response(
        user=request.user, dataset=dataset, file_format=_format(request), params=_params(request)
    )


def io_template(request: HttpRequest, kind: str) -> HttpResponse:
    dataset = get_dataset(kind)
    return imports.template_response(
        user=request.user, dataset=dataset, file_format=_format(request)
    )


def io_import(request: HttpRequest, kind: str) -> HttpResponse:
    dataset = get_dataset(kind)
    imports.require_import(request.user, dataset)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.store_upload(
                user=request.user, dataset=dataset, upload=form.cleaned_data["file"]
            )
        except FileRefused as exc:
            form.add_error("file", str(exc))
        else:
            imports.start_preview(job)
            return redirect(job)
    resource = dataset.resource(request.user)
    return render(
        request,
        "io/import.html",
        {
            "dataset": dataset,
            "form": form,
            "columns": [(c, resource.column_help(c)) for c in imports.export_headers(resource)],
            "required": resource.required_columns(),
            "jobs": imports.recent_jobs(request.user, dataset.key),
            "limits": {
                "rows": imports.max_rows(),
                "megabytes": imports.max_upload_bytes() // imports.MiB,
            },
        },
        status=400 if form.errors else 200,
    )


def _job_context(request: HttpRequest, job_id: int) -> dict:
    job = imports.access_import_job_by_id(request.user, job_id)
    return {"job": job, "dataset": DATASETS.get(job.kind)}


def io_job(request: HttpRequest, job_id: int) -> HttpResponse:
    return render(request, "io/job.html", _job_context(request, job_id))


def io_job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """Polled by htmx while the job runs; reloads the page when it has finished."""
    context = _job_context(request, job_id)
    response = render(request, "io/_progress.html", context)
    if not context["job"].is_running:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def io_job_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = imports.access_import_job_by_id(request.user, job_id)
    imports.require_import(request.user, get_dataset(job.kind))
    imports.confirm_import(user=request.user, job=job)
    job.refresh_from_db()
    if job.status == job.Status.DONE:
        messages.success(request, _("Importen är klar."))
    return redirect(job)
