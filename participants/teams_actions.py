"""Verbs for teams: creating and changing teams, members and shared specialists, and an
enrolment's team, caseworker and agency contacts.

Team and member changes are not about a participant, so they write no access-log row;
they go to the audit log (who, what, which team) instead. Assigning a participant's team
or caseworker, or naming a contact, changes the participant's record and is logged in
the access log like every other change.
"""

from __future__ import annotations

import logging

from django.db import transaction

from iop.audit import AuditContext
from partnerships.models import User

from .access import record_access
from .forms_teams import (
    AgencyContactForm,
    CaseAssignmentForm,
    SharedSpecialistForm,
    TeamForm,
    TeamMemberForm,
)
from .models import AccessLog, AgencyContact, Enrolment, SharedSpecialist, Team, TeamMember

audit_log = logging.getLogger("iop.audit")


def _audit(user: User, audit: AuditContext, what: str, obj_id: int) -> None:
    audit_log.info(
        "team change user=%s org=%s what=%s id=%s",
        user.get_username(),
        audit.organisation_id,
        what,
        obj_id,
    )


@transaction.atomic
def save_team(*, user: User, audit: AuditContext, form: TeamForm) -> Team:
    """A new team, or a changed name or caseload target."""
    team = form.save()
    _audit(user, audit, "team", team.pk)
    return team


@transaction.atomic
def save_team_member(*, user: User, audit: AuditContext, form: TeamMemberForm) -> TeamMember:
    """A member added to a team, or their function, FTE or period changed (an ended
    membership keeps its row: the end date says when)."""
    member = form.save()
    _audit(user, audit, "team_member", member.pk)
    return member


@transaction.atomic
def save_shared_specialist(
    *, user: User, audit: AuditContext, form: SharedSpecialistForm
) -> SharedSpecialist:
    specialist = form.save()
    _audit(user, audit, "shared_specialist", specialist.pk)
    return specialist


@transaction.atomic
def assign_case(*, user: User, audit: AuditContext, form: CaseAssignmentForm) -> Enrolment:
    """Set the enrolment's team and responsible caseworker."""
    enrolment = form.save()
    record_access(
        user=user,
        audit=audit,
        participants=[enrolment.participant_id],
        action=AccessLog.Action.CHANGE,
        what="team och handläggare",
    )
    return enrolment


@transaction.atomic
def add_agency_contact(
    *, user: User, audit: AuditContext, form: AgencyContactForm
) -> AgencyContact:
    contact = form.save()
    record_access(
        user=user,
        audit=audit,
        participants=[contact.enrolment.participant_id],
        action=AccessLog.Action.CHANGE,
        what="kontakt hos annan myndighet",
    )
    return contact
