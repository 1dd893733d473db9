"""Pages for follow-up: the start page ("Att göra"), meetings, minutes and the calendar link.

Every view fetches through partnerships.access, binds forms, calls one verb from
partnerships.actions, and renders or redirects.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iop.audit import AuditContext

from . import access, actions, hooks
from .access import CAN_EDIT_MEETING, require_role
from .agenda import draft_agenda
from .deadlines import current_warnings, deadlines_for_user
from .feeds import active_calendar_token
from .forms_followup import ActionItemFormSet, AttendeeFormSet, DecisionFormSet, MeetingForm
from .http import AuthedHttpRequest
from .minutes import followed_up_items, meeting_with_rows, minutes_pdf
from .models import ActionItem, Agreement, Attendee, GovernanceBody, Meeting

KIND_OF_BODY: dict[str, str] = {
    GovernanceBody.Kind.STEERING: Meeting.Kind.STEERING,
    GovernanceBody.Kind.COLLABORATION: Meeting.Kind.COLLABORATION,
}


def todo(request: AuthedHttpRequest) -> HttpResponse:
    """Start page: every deadline across the user's partnerships, soonest first (unless a
    higher app has a start page of its own for the user: a caseworker's caseload)."""
    if "todo" not in request.GET:
        own = hooks.start_page_for(request.user)
        if own:
            return redirect(own)
    today = timezone.localdate()
    deadlines = deadlines_for_user(request.user, today=today)
    return render(
        request,
        "partnerships/todo.html",
        {
            "deadlines": deadlines,
            "warnings": current_warnings(deadlines, today),
            "overdue": [d for d in deadlines if d.overdue],
            "upcoming": [
                d for d in deadlines if not d.overdue and not (d.warning and d.date <= today)
            ],
            "today": today,
        },
    )


# --------------------------------------------------------------------------- meetings


def meeting_overview(request: AuthedHttpRequest) -> HttpResponse:
    """Meetings across all the user's partnerships: coming ones first, then the latest held."""
    today = timezone.localdate()
    meetings = (
        Meeting.objects.visible_to(request.user)
        .select_related("agreement", "convened_by")
        .annotate(
            decision_count=Count("decisions", distinct=True),
            open_items=Count(
                "action_items", filter=Q(action_items__done_on__isnull=True), distinct=True
            ),
        )
    )
    return render(
        request,
        "partnerships/meeting_overview.html",
        {
            "upcoming": meetings.filter(date__gte=today, status=Meeting.Status.PLANNED).order_by(
                "date", "start_time"
            ),
            "recent": meetings.exclude(date__gte=today, status=Meeting.Status.PLANNED)[:50],
            "open_items": ActionItem.objects.visible_to(request.user)
            .open()
            .select_related("meeting__agreement", "owner_organisation")
            .order_by("due_date"),
            "today": today,
        },
    )


def meeting_list(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id)
    today = timezone.localdate()
    default = min(max(today.year, agreement.start_date.year), agreement.end_date.year)
    year = _year_param(request, default=default)
    if year not in agreement.years:
        year = default
    meetings = (
        agreement.meetings.select_related("convened_by")
        .annotate(
            decision_count=Count("decisions", distinct=True),
            open_items=Count(
                "action_items", filter=Q(action_items__done_on__isnull=True), distinct=True
            ),
        )
        .order_by("-date", "-start_time")
    )
    return render(
        request,
        "partnerships/meeting_list.html",
        {
            "agreement": agreement,
            "meetings": meetings,
            "summary": Meeting.objects.followup_summary(agreement, year, today),
            "years": agreement.years,
            "year": year,
            "can_edit": request.user.has_role(*CAN_EDIT_MEETING),
        },
    )


def _year_param(request: AuthedHttpRequest, default: int) -> int:
    try:
        return int(request.GET.get("year", default))
    except ValueError:
        return default


def meeting_detail(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting_by_id(request.user, meeting_id)
    meeting = meeting_with_rows(meeting.pk)
    return render(
        request,
        "partnerships/meeting_detail.html",
        {
            "meeting": meeting,
            "agreement": meeting.agreement,
            "followed_up": followed_up_items(meeting),
            "can_edit": request.user.has_role(*CAN_EDIT_MEETING),
            "today": timezone.localdate(),
        },
    )


def meeting_create(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_by_id(request.user, agreement_id)
    require_role(request.user, CAN_EDIT_MEETING)
    initial: dict[str, Any] = {"kind": request.GET.get("kind", Meeting.Kind.FOLLOWUP)}
    body_id = request.GET.get("body", "")
    if body_id.isdigit() and request.method != "POST":
        # A meeting of a body starts with a draft agenda from live data, for the convener
        # to edit, and with the members serving today marked present.
        body = get_object_or_404(agreement.bodies.prefetch_related("members__user"), pk=body_id)
        today = timezone.localdate()
        initial |= {
            "body": body,
            "kind": KIND_OF_BODY.get(body.kind, initial["kind"]),
            "agenda": draft_agenda(body, today),
            "present_members": [m.pk for m in body.members_on(today)],
        }
    return _meeting_form(request, agreement, Meeting(agreement=agreement), initial)


def meeting_edit(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting_by_id(request.user, meeting_id, for_edit=True)
    return _meeting_form(request, meeting.agreement, meeting, {})


def _meeting_form(
    request: AuthedHttpRequest, agreement: Agreement, meeting: Meeting, initial: dict
) -> HttpResponse:
    data = _with_more_rows(request.POST) or None
    rows: dict[str, Any] = {"form_kwargs": {"agreement": agreement}, "instance": meeting}
    form = MeetingForm(data, instance=meeting, agreement=agreement, initial=initial)
    # Members of the body are marked present in the meeting form; these rows are guests.
    guests = Attendee.objects.filter(member__isnull=True).select_related("organisation")
    attendees = AttendeeFormSet(data, prefix="attendees", queryset=guests, **rows)
    decisions = DecisionFormSet(data, prefix="decisions", **rows)
    action_items = ActionItemFormSet(data, prefix="actions", **rows)
    if request.method == "POST" and not request.POST.get("more_rows"):
        # Validate everything (not short-circuiting) so every error shows at once.
        valid = [f.is_valid() for f in (form, attendees, decisions, action_items)]
        if all(valid):
            meeting = actions.save_meeting(
                form=form,
                attendees=attendees,
                decisions=decisions,
                action_items=action_items,
                user=request.user,
                audit=AuditContext.from_request(request),
            )
            messages.success(request, _("Mötet är sparat."))
            return redirect(meeting)
    return render(
        request,
        "partnerships/meeting_form.html",
        {
            "agreement": agreement,
            "meeting": meeting if meeting.pk else None,
            "form": form,
            "attendees": attendees,
            "decisions": decisions,
            "action_items": action_items,
        },
        status=400 if request.method == "POST" and not request.POST.get("more_rows") else 200,
    )


MORE_ROWS = 3


def _with_more_rows(data: Any) -> Any:
    """Without JavaScript "Fler rader" posts the form: it comes back with MORE_ROWS more
    empty rows in each table, what was typed kept, nothing saved. (With JavaScript the
    rows are added in place, static/js/formset.js.)"""
    if not data.get("more_rows"):
        return data
    data = data.copy()
    for prefix in ("attendees", "decisions", "actions"):
        count = data.get(f"{prefix}-TOTAL_FORMS", "")
        if count.isdigit():
            data[f"{prefix}-TOTAL_FORMS"] = str(int(count) + MORE_ROWS)
    return data


def meeting_minutes_pdf(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting_by_id(request.user, meeting_id)
    pdf = minutes_pdf(meeting)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"protokoll-{meeting.agreement.short_id}-{meeting.date.isoformat()}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_POST
def action_item_done(request: AuthedHttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    """Tick off an action item at this meeting (usually a later one than where it was set)."""
    meeting = access.access_meeting_by_id(request.user, meeting_id, for_edit=True)
    item = get_object_or_404(ActionItem, pk=item_id, meeting__agreement_id=meeting.agreement_id)
    try:
        actions.complete_action_item(
            item=item,
            meeting=meeting,
            user=request.user,
            audit=AuditContext.from_request(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Åtgärden är avbockad."))
    return redirect(meeting)


@require_POST
def action_item_reopen(request: AuthedHttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting = access.access_meeting_by_id(request.user, meeting_id, for_edit=True)
    item = get_object_or_404(ActionItem, pk=item_id, meeting__agreement_id=meeting.agreement_id)
    actions.reopen_action_item(
        item=item, user=request.user, audit=AuditContext.from_request(request)
    )
    messages.success(request, _("Åtgärden är öppen igen."))
    return redirect(meeting)


# --------------------------------------------------------------------------- calendar link


def calendar_settings(request: AuthedHttpRequest) -> HttpResponse:
    token = active_calendar_token(request.user)
    feed_url = (
        request.build_absolute_uri(reverse("calendar_feed", args=[token.token])) if token else None
    )
    return render(
        request, "partnerships/meeting_calendar.html", {"token": token, "feed_url": feed_url}
    )


@require_POST
def calendar_token_create(request: AuthedHttpRequest) -> HttpResponse:
    actions.create_calendar_token(user=request.user, audit=AuditContext.from_request(request))
    messages.success(
        request, _("En ny kalenderlänk är skapad. En tidigare länk fungerar inte längre.")
    )
    return redirect("calendar_settings")


@require_POST
def calendar_token_revoke(request: AuthedHttpRequest) -> HttpResponse:
    if actions.revoke_calendar_token(user=request.user, audit=AuditContext.from_request(request)):
        messages.success(request, _("Kalenderlänken är återkallad."))
    return redirect("calendar_settings")
