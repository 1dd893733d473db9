"""A member's submission by the network's template: download it, upload it filled in.

The upload goes through the spreadsheet engine (checks, read once under limits, preview,
all-or-nothing confirm on the engine's job page), scoped to the form and member the page
is for; the rows are read by reporting/network_template.py.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from iop.spreadsheets import engine
from iop.spreadsheets.engine import FileRefused
from iop.spreadsheets.views import UploadForm
from partnerships.http import AuthedHttpRequest

from .access_network import access_form, access_network, access_own_member
from .actions_network import current_submission
from .models_network import NetworkForm, NetworkMember, NetworkRole
from .network_template import NETWORK_SUBMISSIONS, template_response


def network_template(
    request: AuthedHttpRequest, network_id: int, form_id: int, network_member_id: int
) -> HttpResponse | StreamingHttpResponse:
    """The template for one member and form version: the coordinator's for any member
    (to send on), a reporter's for its own member and an open form only."""
    network, role = access_network(request.user, network_id)
    form = access_form(network, form_id)
    if role.kind == NetworkRole.Kind.COORDINATOR:
        member = get_object_or_404(
            NetworkMember.objects.select_related("organisation"),
            network=network,
            pk=network_member_id,
        )
    else:
        member = access_own_member(role, network_member_id)
        if form.status != NetworkForm.Status.OPEN:
            raise Http404
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return template_response(form, member, file_format)


def network_upload(
    request: AuthedHttpRequest, network_id: int, form_id: int, network_member_id: int
) -> HttpResponse:
    """Upload the filled-in template; the engine's job page shows the preview."""
    network, role = access_network(request.user, network_id)
    member = access_own_member(role, network_member_id)
    form = access_form(network, form_id)
    if form.status != NetworkForm.Status.OPEN:
        raise Http404
    upload = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and upload.is_valid():
        try:
            job = engine.store_upload(
                user=request.user,
                dataset=NETWORK_SUBMISSIONS,
                upload=upload.cleaned_data["file"],
                scope={"form": form.pk, "member": member.pk},
            )
        except FileRefused as exc:
            upload.add_error("file", str(exc))
        else:
            engine.start_preview(job)
            return redirect(job)
    return render(
        request,
        "reporting/network_upload.html",
        {
            "network": network,
            "form": form,
            "member": member,
            "upload": upload,
            "last": current_submission(form, member),
        },
        status=400 if upload.errors else 200,
    )
