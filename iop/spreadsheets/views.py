"""Import and export pages: template download, upload → preview → confirm, exports.

Thin views over engine.py, which holds the rules (limits, scope, roles).
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

from . import engine
from .engine import FileRefused
from .registry import datasets, get_dataset
from .users import SpreadsheetUser


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fil (CSV eller XLSX)"),
        help_text=gettext_lazy("Första raden ska vara kolumnrubrikerna från mallen."),
    )


def _format(request: HttpRequest) -> str:
    return "xlsx" if request.GET.get("format") == "xlsx" else "csv"


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: v for k, v in request.GET.dict().items() if k != "format"}


def _user(request: HttpRequest) -> SpreadsheetUser:
    # Sign-in is required site-wide (LoginRequiredMiddleware); this tells the type checker,
    # and refuses any user without roles, without the engine naming the project's User.
    user = request.user
    if not isinstance(user, SpreadsheetUser):
        raise PermissionDenied
    return user


def io_index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    shown = [
        {"dataset": d, "may_import": d.may_import(user), "may_export": d.may_export(user)}
        for d in datasets().values()
        if d.may_import(user) or d.may_export(user)
    ]
    if not shown:
        raise PermissionDenied
    return render(request, "io/index.html", {"datasets": shown, "jobs": engine.recent_jobs(user)})


def io_export(request: HttpRequest, kind: str) -> HttpResponse:
    dataset = get_dataset(kind)
    return engine.export_response(
        user=_user(request), dataset=dataset, file_format=_format(request), params=_params(request)
    )


def io_template(request: HttpRequest, kind: str) -> HttpResponse:
    dataset = get_dataset(kind)
    return engine.template_response(
        user=_user(request), dataset=dataset, file_format=_format(request)
    )


def io_import(request: HttpRequest, kind: str) -> HttpResponse:
    user = _user(request)
    dataset = get_dataset(kind)
    engine.require_import(user, dataset)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = engine.store_upload(user=user, dataset=dataset, upload=form.cleaned_data["file"])
        except FileRefused as exc:
            form.add_error("file", str(exc))
        else:
            engine.start_preview(job)
            return redirect(job)
    resource = dataset.resource(user)
    return render(
        request,
        "io/import.html",
        {
            "dataset": dataset,
            "form": form,
            "columns": [(c, resource.column_help(c)) for c in engine.export_headers(resource)],
            "required": resource.required_columns(),
            "jobs": engine.recent_jobs(user, dataset.key),
            "limits": {
                "rows": engine.max_rows(),
                "megabytes": engine.max_upload_bytes() // engine.MiB,
            },
        },
        status=400 if form.errors else 200,
    )


def _job_context(request: HttpRequest, job_id: int) -> dict:
    job = engine.access_import_job_by_id(_user(request), job_id)
    return {"job": job, "dataset": datasets().get(job.kind)}


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
    user = _user(request)
    job = engine.access_import_job_by_id(user, job_id)
    engine.require_import(user, get_dataset(job.kind))
    engine.confirm_import(user=user, job=job)
    job.refresh_from_db()
    if job.status == job.Status.DONE:
        messages.success(request, _("Importen är klar."))
    return redirect(job)
