"""Pages for running the partnership: its bodies and members, stages, risk register and
obstacle list. Managers edit; every role that sees the agreement reads.

Every view fetches through partnerships.access, binds forms, calls one verb from
partnerships.governance_actions, and renders or redirects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.forms import ModelForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iop.audit import AuditContext

from . import access, governance_actions
from .access import CAN_EDIT_GOVERNANCE, require_role
from .forms_governance import (
    BodyMemberFormSet,
    GovernanceBodyForm,
    ObstacleForm,
    RiskForm,
    StageForm,
)
from .http import AuthedHttpRequest
from .models import Agreement, BodyMember, GovernanceBody, Obstacle, Risk, Stage
from .risk_matrix import matrix_rows, risk_matrix_svg


def risk_matrix_context(risks: list[Risk]) -> dict[str, Any]:
    """The matrix as a picture and as its table, for the agreement page and the reports."""
    rows = matrix_rows(risks)
    return {"rows": rows, "svg": risk_matrix_svg(rows), "total": len(risks)}


def governance(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    """The bodies with their members, the stages, the risk register and the obstacle list."""
    agreement = access.access_agreement_by_id(request.user, agreement_id)
    bodies = agreement.bodies.prefetch_related(
        Prefetch(
            "members",
            queryset=BodyMember.objects.select_related("user__organisation").order_by(
                "role", "start_date", "pk"
            ),
        )
    )
    risks = list(agreement.risks.select_related("owner_party__organisation"))
    return render(
        request,
        "partnerships/governance.html",
        {
            "agreement": agreement,
            "bodies": bodies,
            "stages": agreement.stages.all(),
            "risks": risks,
            "risk_matrix": risk_matrix_context(risks),
            "obstacles": agreement.obstacles.all(),
            "can_edit": request.user.has_role(*CAN_EDIT_GOVERNANCE),
            "today": timezone.localdate(),
        },
    )


def _edit_part(
    request: AuthedHttpRequest,
    agreement: Agreement,
    form: ModelForm[Any],
    save: Callable[..., Any],
    *,
    template: str,
    done: str,
    anchor: str,
    **extra: Any,
) -> HttpResponse:
    """Validate and save one part of the agreement through `save`, or show the form again."""
    formsets = {k: v for k, v in extra.items() if hasattr(v, "management_form")}
    if request.method == "POST":
        # Validate everything (not short-circuiting) so every error shows at once.
        valid = [f.is_valid() for f in (form, *formsets.values())]
        if all(valid):
            save(user=request.user, audit=AuditContext.from_request(request), form=form, **formsets)
            messages.success(request, done)
            return redirect(reverse("governance", args=[agreement.pk]) + anchor)
    return render(
        request,
        template,
        {"agreement": agreement, "form": form, **extra},
        status=400 if request.method == "POST" else 200,
    )


def _agreement_and_part(
    request: AuthedHttpRequest, agreement_id: int, model: type, part_id: int | None
) -> tuple[Agreement, Any]:
    if part_id is None:
        agreement = access.access_agreement_by_id(request.user, agreement_id)
        require_role(request.user, CAN_EDIT_GOVERNANCE)
        return agreement, None
    return access.access_agreement_part(request.user, agreement_id, model, part_id, for_edit=True)


def body_edit(
    request: AuthedHttpRequest, agreement_id: int, body_id: int | None = None
) -> HttpResponse:
    agreement, body = _agreement_and_part(request, agreement_id, GovernanceBody, body_id)
    data = request.POST or None
    form = GovernanceBodyForm(data, instance=body, agreement=agreement)
    members = BodyMemberFormSet(
        data,
        instance=form.instance,
        prefix="members",
        form_kwargs={"agreement": agreement},
        queryset=BodyMember.objects.select_related("user"),
    )
    return _edit_part(
        request,
        agreement,
        form,
        governance_actions.save_body,
        template="partnerships/body_form.html",
        done=_("Organet är sparat."),
        anchor="#organ",
        members=members,
        body=body,
    )


def stage_edit(
    request: AuthedHttpRequest, agreement_id: int, stage_id: int | None = None
) -> HttpResponse:
    agreement, stage = _agreement_and_part(request, agreement_id, Stage, stage_id)
    form = StageForm(request.POST or None, instance=stage, agreement=agreement)
    return _edit_part(
        request,
        agreement,
        form,
        governance_actions.save_stage,
        template="partnerships/stage_form.html",
        done=_("Etappen är sparad."),
        anchor="#etapper",
        stage=stage,
    )


@require_POST
def stage_delete(request: AuthedHttpRequest, agreement_id: int, stage_id: int) -> HttpResponse:
    agreement, stage = access.access_agreement_part(
        request.user, agreement_id, Stage, stage_id, for_edit=True
    )
    governance_actions.remove_stage(
        user=request.user, audit=AuditContext.from_request(request), stage=stage
    )
    messages.success(request, _("Etappen är borttagen."))
    return redirect(reverse("governance", args=[agreement.pk]) + "#etapper")


def risk_edit(
    request: AuthedHttpRequest, agreement_id: int, risk_id: int | None = None
) -> HttpResponse:
    agreement, risk = _agreement_and_part(request, agreement_id, Risk, risk_id)
    form = RiskForm(request.POST or None, instance=risk, agreement=agreement)
    return _edit_part(
        request,
        agreement,
        form,
        governance_actions.save_risk,
        template="partnerships/risk_form.html",
        done=_("Risken är sparad."),
        anchor="#risker",
        risk=risk,
    )


def risk_detail(request: AuthedHttpRequest, agreement_id: int, risk_id: int) -> HttpResponse:
    agreement, risk = access.access_agreement_part(request.user, agreement_id, Risk, risk_id)
    return render(
        request,
        "partnerships/risk_detail.html",
        {
            "agreement": agreement,
            "risk": risk,
            "changes": risk.changes.select_related("changed_by"),
            "can_edit": request.user.has_role(*CAN_EDIT_GOVERNANCE),
        },
    )


def obstacle_edit(
    request: AuthedHttpRequest, agreement_id: int, obstacle_id: int | None = None
) -> HttpResponse:
    agreement, obstacle = _agreement_and_part(request, agreement_id, Obstacle, obstacle_id)
    form = ObstacleForm(request.POST or None, instance=obstacle, agreement=agreement)
    return _edit_part(
        request,
        agreement,
        form,
        governance_actions.save_obstacle,
        template="partnerships/obstacle_form.html",
        done=_("Hindret är sparat."),
        anchor="#hinder",
        obstacle=obstacle,
    )
