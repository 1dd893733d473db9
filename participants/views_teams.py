"""Team pages (the list with caseloads against targets, one team, editing teams and
members) and the caseworker's start page: my caseload with what needs doing.

Numbers for everyone who sees the agreement; persons only for those who work with the
team's participants (participants.access.sees_team_participants), and only those
visible_enrolments lets them see, with "N av M visas" when some are hidden.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.audit import AuditContext
from partnerships.http import AuthedHttpRequest

from . import access, teams_actions
from .caseload import caseload_of, with_last_contact
from .forms_teams import (
    AgencyContactForm,
    CaseAssignmentForm,
    SharedSpecialistForm,
    TeamForm,
    TeamMemberForm,
)
from .models import Enrolment, SharedSpecialist, Team, TeamMember
from .worklist import work_for


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) per team (no GROUP BY: PostgreSQL counts from the index), so
    several figures can sit on one row without the joins multiplying each other."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_figures(teams: QuerySet[Team], today: datetime.date) -> QuerySet[Team]:
    members = TeamMember.objects.filter(team_id=OuterRef("pk")).current_on(today)
    fte = members.order_by().values("team_id").annotate(s=Sum("fte")).values("s")[:1]
    return teams.annotate(
        caseload=_count(Enrolment.objects.filter(team_id=OuterRef("pk")).active_on(today)),
        member_count=_count(members),
        fte_total=Subquery(fte),
    )


def team_list(request: AuthedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    user = request.user
    teams = list(with_figures(access.visible_teams(user), today).select_related("agreement"))
    by_agreement: dict[int, dict[str, Any]] = {}
    for team in teams:
        entry = by_agreement.setdefault(
            team.agreement_id, {"agreement": team.agreement, "teams": [], "caseload": 0}
        )
        entry["teams"].append(team)
        entry["caseload"] += team.caseload  # type: ignore[attr-defined]
    shows_staff = access.works_with_participants(user)
    specialists: dict[int, list[SharedSpecialist]] = defaultdict(list)
    if shows_staff and by_agreement:
        for specialist in (
            SharedSpecialist.objects.filter(agreement_id__in=by_agreement)
            .select_related("user", "organisation")
            .prefetch_related(Prefetch("teams", queryset=Team.objects.only("pk", "name")))
        ):
            specialists[specialist.agreement_id].append(specialist)
    for agreement_id, entry in by_agreement.items():
        entry["specialists"] = specialists.get(agreement_id, [])
    return render(
        request,
        "participants/team_list.html",
        {
            "groups": list(by_agreement.values()),
            "shows_staff": shows_staff,
            "can_edit": access.can_edit_teams(user),
            "today": today,
        },
    )


def team_detail(request: AuthedHttpRequest, team_id: int) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    team = access.access_team_by_id(user, team_id)
    team = with_figures(Team.objects.filter(pk=team.pk), today).select_related("agreement").get()
    shows_staff = access.works_with_participants(user)
    members = list(team.members.select_related("user", "organisation").order_by("-is_lead"))
    per_caseworker = dict(
        Enrolment.objects.filter(team=team)
        .active_on(today)
        .order_by()
        .values("caseworker_id")
        .annotate(n=Count("pk"))
        .values_list("caseworker_id", "n")
    )
    for member in members:
        member.caseload = per_caseworker.get(member.user_id, 0)  # type: ignore[attr-defined]
        member.current = member.is_current_on(today)  # type: ignore[attr-defined]
    rows: list[Enrolment] = []
    sees_persons = access.sees_team_participants(user, team)
    if sees_persons:
        rows = list(
            with_last_contact(
                access.visible_enrolments(user, today).filter(team=team).active_on(today)
            )
            .annotate(shown=access.shown_name(user))
            .select_related("participant", "caseworker", "phase")
            .order_by("caseworker__last_name", "participant__code")
        )
        access.log_access(request, [e.participant_id for e in rows], action="view", what="team")
    return render(
        request,
        "participants/team_detail.html",
        {
            "team": team,
            "members": members if shows_staff else [],
            "member_rows": members,
            "shows_staff": shows_staff,
            "specialists": list(team.specialists.select_related("user", "organisation"))
            if shows_staff
            else [],
            "sees_persons": sees_persons,
            "rows": rows,
            "shown_count": len(rows),
            "can_edit_members": access.can_edit_members(user, team),
            "can_edit_team": access.can_edit_teams(user),
            "today": today,
            "fte_total": team.fte_total or Decimal(0),  # type: ignore[attr-defined]
        },
    )


def start(request: AuthedHttpRequest) -> HttpResponse:
    """The caseworker's start page: my caseload, and what needs doing in it."""
    user = request.user
    access.require_participant_role(user)
    today = timezone.localdate()
    caseload = caseload_of(user, today)
    rows = list(
        with_last_contact(caseload)
        .annotate(shown=access.shown_name(user))
        .select_related("participant", "agreement", "team", "phase")
        .order_by("participant__code")
    )
    names = {e.participant_id: e.shown for e in rows}  # type: ignore[attr-defined]
    groups: dict[str, dict[str, Any]] = {}
    for item in work_for(user, today, caseload):
        group = groups.setdefault(item.kind, {"label": item.label, "items": []})
        group["items"].append((item, names.get(item.participant_id, item.participant_code)))
    access.log_access(request, [e.participant_id for e in rows], action="view", what="ärendelista")
    return render(
        request,
        "participants/start.html",
        {"rows": rows, "groups": list(groups.values()), "today": today},
    )


# --------------------------------------------------------------------------- editing


def _form_page(request: AuthedHttpRequest, form, title: str, back: str) -> HttpResponse:
    return render(
        request, "participants/team_form.html", {"form": form, "title": title, "back": back}
    )


def team_create(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_for_teams(request.user, agreement_id)
    form = TeamForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        team = teams_actions.save_team(
            user=request.user, audit=AuditContext.from_request(request), form=form
        )
        messages.success(request, _("Teamet är skapat. Lägg till medlemmar."))
        return redirect(team)
    return _form_page(request, form, _("Nytt team i %(a)s") % {"a": agreement}, "")


def team_edit(request: AuthedHttpRequest, team_id: int) -> HttpResponse:
    team = access.access_team_by_id(request.user, team_id)
    access.access_agreement_for_teams(request.user, team.agreement_id)
    form = TeamForm(request.POST or None, instance=team, agreement=team.agreement)
    if request.method == "POST" and form.is_valid():
        teams_actions.save_team(
            user=request.user, audit=AuditContext.from_request(request), form=form
        )
        messages.success(request, _("Teamet är sparat."))
        return redirect(team)
    return _form_page(request, form, _("Ändra %(t)s") % {"t": team}, team.get_absolute_url())


def member_create(request: AuthedHttpRequest, team_id: int) -> HttpResponse:
    team = access.access_team_by_id(request.user, team_id, for_edit=True)
    form = TeamMemberForm(
        request.POST or None, team=team, initial={"start_date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        teams_actions.save_team_member(
            user=request.user, audit=AuditContext.from_request(request), form=form
        )
        messages.success(request, _("Medlemmen är tillagd."))
        return redirect(team)
    title = _("Ny medlem i %(t)s") % {"t": team}
    return _form_page(request, form, title, team.get_absolute_url())


def member_edit(request: AuthedHttpRequest, member_id: int) -> HttpResponse:
    member = access.access_member_by_id(request.user, member_id)
    form = TeamMemberForm(request.POST or None, instance=member, team=member.team)
    if request.method == "POST" and form.is_valid():
        teams_actions.save_team_member(
            user=request.user, audit=AuditContext.from_request(request), form=form
        )
        messages.success(request, _("Medlemskapet är sparat."))
        return redirect(member.team)
    title = _("Ändra %(m)s i %(t)s") % {"m": member.user, "t": member.team}
    return _form_page(request, form, title, member.team.get_absolute_url())


def specialist_create(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_for_teams(request.user, agreement_id)
    form = SharedSpecialistForm(
        request.POST or None, agreement=agreement, initial={"start_date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        teams_actions.save_shared_specialist(
            user=request.user, audit=AuditContext.from_request(request), form=form
        )
        messages.success(request, _("Specialisten är tillagd."))
        return redirect("participants:team_list")
    return _form_page(request, form, _("Ny delad specialist i %(a)s") % {"a": agreement}, "")


def enrolment_team(request: AuthedHttpRequest, enrolment_id: int) -> HttpResponse:
    """The enrolment's team and responsible caseworker, and its contacts elsewhere."""
    enrolment = access.access_enrolment_by_id(request, enrolment_id, what="team")
    form = CaseAssignmentForm(request.POST or None, instance=enrolment)
    if request.method == "POST" and form.is_valid():
        teams_actions.assign_case(
            user=request.user, audit=AuditContext.from_request(request), form=form
        )
        messages.success(request, _("Team och handläggare är sparade."))
        return redirect(enrolment.participant)
    return render(
        request,
        "participants/enrolment_team.html",
        {
            "form": form,
            "enrolment": enrolment,
            "participant": enrolment.participant,
            "contacts": enrolment.agency_contacts.select_related("user", "organisation"),
        },
    )


def agency_contact_create(request: AuthedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access.access_enrolment_by_id(request, enrolment_id, what="kontakter")
    form = AgencyContactForm(request.POST or None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        teams_actions.add_agency_contact(
            user=request.user, audit=AuditContext.from_request(request), form=form
        )
        messages.success(request, _("Kontakten är tillagd."))
        return redirect("participants:enrolment_team", enrolment.pk)
    title = _("Ny kontakt hos annan myndighet")
    back = reverse("participants:enrolment_team", args=[enrolment.pk])
    return _form_page(request, form, title, back)
