"""Casework pages from referral to exit: agreeing the coordinated plan, the waiting list,
the follow-ups after exit, and a partnership's own phases and intake windows.

Like participants.views: fetch through the access helpers, bind a form, call one verb."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from iop.audit import AuditContext
from partnerships import access as partnership_access
from partnerships.http import AuthedHttpRequest
from partnerships.models import Agreement, User

from . import access, actions, casework
from .forms import FollowUpForm, IntakeWindowFormSet, PhaseFormSet, PlanAgreementForm
from .models import AccessLog, ActionPlan, FollowUp, Phase, Referral
from .views import _form_error, _simple


def _plan_parties(user: User, status: casework.PlanStatus) -> list[tuple[str, str]]:
    """Who the user may record as agreeing: their own agency (an agency agrees for itself;
    an administrator for any), and the participant."""
    parties = [
        (str(org.pk), org.name)
        for org in status.missing
        if user.is_administrator or org.pk == user.organisation_id
    ]
    if status.participant is None:
        parties.append((PlanAgreementForm.PARTICIPANT, _("Deltagaren")))
    return parties


def plan_agreement(request: AuthedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access.access_enrolment_by_id(request, enrolment_id, what="samordnad plan")
    try:
        plan = ActionPlan.objects.get(enrolment=enrolment)
    except ActionPlan.DoesNotExist as exc:
        raise Http404 from exc
    # The plan is its writer's information: seen only under a consent covering it.
    seen = access.participant_access(request.user, enrolment.participant)
    if not seen.sees("plan", plan.source_organisation_id):
        raise PermissionDenied
    status = casework.plan_status(plan)
    form = PlanAgreementForm(
        request.POST or None, parties=_plan_parties(request.user, status), revision=plan.revision
    )
    if request.method == "POST" and form.is_valid():
        party = form.cleaned_data["party"]
        organisation = None
        if party != PlanAgreementForm.PARTICIPANT:
            organisation = next(o for o in status.agencies if str(o.pk) == party)
        try:
            actions.agree_to_plan(
                user=request.user,
                audit=AuditContext.from_request(request),
                plan=plan,
                organisation=organisation,
                agreed_on=form.cleaned_data["agreed_on"],
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Godkännandet är registrerat."))
            return redirect("participants:plan_agreement", enrolment.pk)
    return render(
        request,
        "participants/plan_agreement.html",
        {
            "form": form if form.fields["party"].choices else None,  # type: ignore[attr-defined]
            "plan": plan,
            "status": status,
            "revisions": plan.revisions.select_related("saved_by", "source_organisation")[:10],
            "goals": plan.goals.select_related("responsible_organisation"),
            "enrolment": enrolment,
            "participant": enrolment.participant,
        },
    )


def follow_up_edit(request: AuthedHttpRequest, follow_up_id: int) -> HttpResponse:
    try:
        follow_up = FollowUp.objects.get(pk=follow_up_id)
    except FollowUp.DoesNotExist as exc:
        raise Http404 from exc
    # The same 404 as a missing follow-up when the user may not see the enrolment.
    enrolment = access.access_enrolment_by_id(
        request,
        follow_up.enrolment_id,
        what="uppföljning efter avslut",
        action=AccessLog.Action.CHANGE if request.method == "POST" else AccessLog.Action.VIEW,
    )
    follow_up.enrolment = enrolment
    form = FollowUpForm(request.POST or None, instance=follow_up)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_follow_up(
                user=request.user,
                audit=AuditContext.from_request(request),
                follow_up=form.save(commit=False),
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Uppföljningen är sparad."))
            return redirect(enrolment.participant)
    title = _("Uppföljning %(months)s månader efter avslut (senast %(due)s)") % {
        "months": follow_up.months,
        "due": follow_up.due_on.isoformat(),
    }
    return _simple(request, enrolment.participant, form, title, enrolment)


def _participant_agreement(user: User, agreement_id: int) -> Agreement:
    access.require_participant_role(user)
    try:
        return access.user_agreements(user).get(pk=agreement_id)
    except Agreement.DoesNotExist as exc:
        raise Http404 from exc


@require_http_methods(["GET", "POST"])
def waiting_list(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    user = request.user
    agreement = _participant_agreement(user, agreement_id)
    today = timezone.localdate()
    if request.method == "POST":
        admitted = actions.admit_from_waiting_list(
            user=user, audit=AuditContext.from_request(request), agreement=agreement, day=today
        )
        messages.success(
            request, _("%(n)s deltagare skrevs in från väntelistan.") % {"n": len(admitted)}
        )
        return redirect("participants:waiting_list", agreement.pk)
    waiting = Referral.objects.filter(agreement=agreement).waiting()
    shown = list(
        waiting.filter(participant__in=access.visible_participants(user)).select_related(
            "participant", "organisation"
        )
    )
    access.log_access(request, [r.participant for r in shown], action="view", what="väntelista")
    return render(
        request,
        "participants/waiting_list.html",
        {
            "agreement": agreement,
            "referrals": shown,
            "total": waiting.count(),
            "free": casework.places_free(agreement, today),
            "taken": casework.places_taken(agreement, today),
        },
    )


def agreement_process(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    """A partnership manager's own phase list and intake windows for the agreement."""
    agreement = partnership_access.access_agreement_by_id(request.user, agreement_id, for_edit=True)
    data = request.POST or None
    own = Phase.objects.filter(agreement=agreement)
    initial = None
    if not own.exists():
        # Start from the default process: saving makes it the agreement's own.
        initial = [{"position": p.position, "name": p.name} for p in Phase.for_agreement(None)]
    phases = PhaseFormSet(data, instance=agreement, prefix="phases", initial=initial)
    if initial:
        phases.extra = len(initial)
    windows = IntakeWindowFormSet(data, instance=agreement, prefix="windows")
    if request.method == "POST" and phases.is_valid() and windows.is_valid():
        try:
            actions.save_agreement_process(
                user=request.user,
                audit=AuditContext.from_request(request),
                agreement=agreement,
                phases=phases,
                windows=windows,
            )
        except ValidationError as exc:
            phases._non_form_errors = phases.error_class(exc.messages)  # type: ignore[attr-defined]
        else:
            messages.success(request, _("Faser och intagsperioder är sparade."))
            return redirect("participants:agreement_process", agreement.pk)
    return render(
        request,
        "participants/agreement_process.html",
        {"agreement": agreement, "phases": phases, "windows": windows},
    )
