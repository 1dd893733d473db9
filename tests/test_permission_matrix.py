"""Every URL pattern, requested by every kind of user, against an expected-status table.

The test walks the whole URLconf. Each pattern's arguments are filled from real objects
of partnership A (see `objects` below), and the page is fetched (GET) as anonymous, the
coordinator of A, the coordinator of B, finance, steering group, the manager and the
administrator. A pattern with no row in EXPECTED fails the test, so a new page cannot
ship unchecked; the failure message prints the statuses seen, ready to review and paste.

Statuses: 200 page, 302 redirect (anonymous: to sign-in), 403 role lacks the function,
404 not visible (the same as missing), 405 page only takes POST. "a|b" accepts either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import verified_device

if TYPE_CHECKING:
    from reporting.models import ReferenceValue
from tests.factories.network import make_network, submit

ROLES = ("anon", "coord_a", "coord_b", "finance", "steering", "manager", "admin")

# One row per URL pattern (its namespaced name), one column per role in ROLES.
EXPECTED_TABLE = """
# URL name                              anon coord_a coord_b finance steering manager admin
# Sign-in and the second factor (the users here have passed it already)
login                                   200  200     200     200     200      200     200
logout                                  302  405     405     405     405      405     405
security:overview                       302  200     200     200     200      200     200
security:end_other_sessions             302  405     405     405     405      405     405
security:password_change                302  200     200     200     200      200     200
security:password_change_done           302  200     200     200     200      200     200
security:verify                         302  302     302     302     302      302     302
security:enrol                          302  302     302     302     302      302     302
set_language                            302  302     302     302     302      302     302
accessibility                           200  200     200     200     200      200     200
health                                  200  200     200     200     200      200     200
home                                    302  200     200     200     200      200     200

# User administration (Användare): administrators, and managers within their organisation;
# the invitation link is opened before anyone has a password
admin_user_list                         302  403     403     403     403      200     200
admin_user_invite                       302  403     403     403     403      200     200
admin_user_detail                       302  403     403     403     403      200     200
admin_user_deactivate                   302  403     403     403     403      200     200
admin_user_reset_second_factor          302  403     403     403     403      200     200
admin_log                               302  403     403     403     403      200     200
invitation                              200  200     200     200     200      200     200

# Agreements, parties, goals, budgets
agreement_list                          302  200     200     200     200      200     200
agreement_create                        302  403     403     403     403      200     200
agreement_detail                        302  200     404     200     200      200     200
agreement_edit                          302  403     404     403     403      200     200
agreement_status                        302  405     405     405     405      405     405
agreement_extend                        302  403     404     403     403      200     200
agreement_history                       302  200     404     200     200      200     200
agreement_version                       302  200     404     200     200      200     200
party_create                            302  403     404     403     403      200     200
party_edit                              302  403     404     403     403      200     200
party_delete                            302  405     405     405     405      405     405
goal_create                             302  403     404     403     403      200     200
goal_delete                             302  405     405     405     405      405     405
indicator_delete                        302  405     405     405     405      405     405
goal_edit                               302  403     404     403     403      200     200
indicator_create                        302  403     404     403     403      200     200
indicator_edit                          302  403     404     403     403      200     200
budget_create                           302  403     404     200     403      200     200
budget_detail                           302  200     404     200     200      200     200
budget_edit                             302  403     404     200     403      200     200
budget_derive                           302  405     405     405     405      405     405
index_series                            302  403     403     200     403      200     200
actual_add                              302  405     405     405     405      405     405
other_funding_add                       302  405     405     405     405      405     405
invoicing_pair_list                     302  200     404     200     200      200     200
invoicing_pair_create                   302  403     404     200     403      200     200
invoicing_pair_edit                     302  403     404     200     403      200     200
invoicing_pair_delete                   302  405     405     405     405      405     405

# Organisations
organisation_list                       302  200     200     200     200      200     200
organisation_create                     302  404     404     404     404      404     200
organisation_detail                     302  200     404     200     200      200     200
organisation_edit                       302  403     404     403     403      200     200
contact_person_add                      302  405     405     405     405      405     405

# Participants: never finance or steering (no identities); B sees none of A's
participants:list                       302  200     200     404     404      200     200
participants:create                     302  200     200     404     404      200     200
participants:timeline                   302  200     404     404     404      200     200
participants:edit                       302  200     404     404     404      200     200
participants:documents                  302  200     404     404     404      200     200
# (the matrix's document is the agreement's own, no participant's: 404 through a participant)
participants:document_download          302  404     404     404     404      404     404
participants:enrolment_create           302  200     404     404     404      200     200
participants:consent_create             302  200     404     404     404      200     403
participants:referral_create            302  200     404     404     404      200     200
participants:export_json                302  404     404     404     404      404     200
participants:export_pdf                 302  404     404     404     404      404     200
participants:access_log_participant     302  404     404     404     404      404     302
participants:consent_withdraw           302  200     404     404     404      200     404
participants:consent_scan               302  200     404     404     404      200     404
participants:row                        302  200     404     404     404      200     200
participants:contact_create             302  200     404     404     404      200     200
participants:enrolment_edit             302  200     404     404     404      200     200
participants:enrolment_phase            302  200     404     404     404      200     200
participants:enrolment_exit             302  200     404     404     404      200     200
participants:assessment_create          302  200     404     404     404      200     200
participants:action_plan                302  200     404     404     404      200     200
participants:attendance_create          302  200     404     404     404      200     200
participants:plan_agreement             302  200     404     404     404      200     200
participants:follow_up                  302  200     404     404     404      200     200
participants:waiting_list               302  200     404     404     404      200     200
participants:agreement_process          302  403     404     403     403      200     200
# The funder and target group: read by everyone who sees the agreement (no personal data),
# changed by the manager and the administrator (POST)
participants:funder_profile             302  200     404     200     200      200     200
participants:group_list                 302  200     200     404     404      200     200
participants:group_detail               302  200     404     404     404      200     200
participants:group_members              302  405     405     405     405      405     405
participants:session_attendance         302  200     404     404     404      200     200
participants:anonymous                  302  200     200     404     404      200     200
participants:access_log                 302  404     404     404     404      404     200
participants:access_log_csv             302  404     404     404     404      404     200
participants:duplicates                 302  404     404     404     404      404     200
participants:duplicate_resolve          302  404     404     404     404      404     200

# Teams: numbers for everyone who sees the agreement; editing for managers (and the team
# lead, see TEAM_EXPECTED); the start page and case assignment are participant work
participants:start                      302  200     200     404     404      200     200
participants:team_list                  302  200     200     200     200      200     200
participants:team_detail                302  200     404     200     200      200     200
participants:team_edit                  302  403     404     403     403      200     200
participants:member_create              302  403     404     403     403      200     200
participants:member_edit                302  403     404     403     403      200     200
participants:team_create                302  403     404     403     403      200     200
participants:specialist_create          302  403     404     403     403      200     200
participants:enrolment_team             302  200     404     404     404      200     200
participants:agency_contact_create      302  200     404     404     404      200     200

# Follow-up: meetings and the calendar (the feed is opened by its secret token)
meeting_overview                        302  200     200     200     200      200     200
meeting_list                            302  200     404     200     200      200     200
meeting_create                          302  403     404     403     403      200     200
meeting_detail                          302  200     404     200     200      200     200
meeting_edit                            302  403     404     403     403      200     200
meeting_minutes_pdf                     302  200     404     200     200      200     200

# Running the partnership: bodies, stages, risks, obstacles (steering group reads them)
governance                              302  200     404     200     200      200     200
body_create                             302  403     404     403     403      200     200
body_edit                               302  403     404     403     403      200     200
stage_create                            302  403     404     403     403      200     200
stage_edit                              302  403     404     403     403      200     200
stage_delete                            302  405     405     405     405      405     405
risk_create                             302  403     404     403     403      200     200
risk_detail                             302  200     404     200     200      200     200
risk_edit                               302  403     404     403     403      200     200
obstacle_create                         302  403     404     403     403      200     200
obstacle_edit                           302  403     404     403     403      200     200
# The document archive (an agreement-level document; receipts are finance's and managers')
document_list                           302  200     404     200     200      200     200
document_detail                         302  200     404     200     200      200     200
document_delete                         302  405     405     405     405      405     405
document_download                       302  200     404     200     200      200     200
action_item_done                        302  405     405     405     405      405     405
action_item_reopen                      302  405     405     405     405      405     405
calendar_settings                       302  200     200     200     200      200     200
calendar_token_create                   302  405     405     405     405      405     405
calendar_token_revoke                   302  405     405     405     405      405     405
calendar_feed                           200  200     200     200     200      200     200

# Reporting: annual reports (PDF via a render job), invoice bases (finance, managers)
reporting:overview                      302  200     200     200     200      200     200
reporting:index                         302  200     404     200     200      200     200
reporting:annual_report                 302  200     404     200     403      200     200
reporting:annual_report_save            302  405     405     405     405      405     405
reporting:annual_report_confirm         302  403     404     403     403      200     200
reporting:annual_report_submit          302  405     405     405     405      405     405
reporting:annual_report_correct         302  405     405     405     405      405     405
reporting:annual_report_render          302  405     405     405     405      405     405
reporting:annual_report_pdf             302  302     404     302     404      302     302
reporting:final_report                  302  200     404     200     403      200     200
reporting:final_report_save             302  405     405     405     405      405     405
reporting:final_report_confirm          302  403     404     403     403      200     200
reporting:final_report_submit           302  405     405     405     405      405     405
reporting:final_report_correct          302  405     405     405     405      405     405
reporting:final_report_render           302  405     405     405     405      405     405
reporting:final_report_pdf              302  404     404     404     404      404     404
reporting:figure_participants           302  200     404     404     404      200     200
reporting:casework                      302  200     404     200     200      200     200
reporting:render_job                    302  404     404     404     404      200     404
reporting:render_job_pdf                302  404     404     404     404      302     404
reporting:invoice_basis                 302  403     404     200     403      200     200
reporting:invoice_basis_draft_pdf       302  403     404     200     403      200     200
reporting:invoice_basis_issued          302  403     404     200     403      200     200
reporting:invoice_basis_issued_pdf      302  403     404     200     403      200     200
reporting:invoice_basis_ubl             302  403     404     200     403      200     200
reporting:invoice_basis_credit          302  405     405     405     405      405     405
reporting:repayment_claim_pdf           302  403     404     302     403      302     302

# Funder reports (issue 15): counts for every reader of reports; the Finsam list names
# participants (staff who work with them only); the manager keeps the comparison values
reporting:funder_index                  302  200     404     200     200      200     200
reporting:funder_esf                    302  200     404     200     200      200     200
reporting:funder_esf_file               302  200     404     200     200      200     200
reporting:funder_monthly                302  200     404     200     200      200     200
reporting:funder_monthly_file           302  200     404     200     200      200     200
reporting:funder_finsam                 302  200     404     404     404      200     200
reporting:funder_finsam_file            302  200     404     404     404      200     200
reporting:funder_references             302  403     404     403     403      200     200
reporting:funder_reference_remove       302  405     405     405     405      405     405

# Statistics network: roles are per network (manager_a coordinates, coordinator_a reports
# for org A's member); a user without a role in the network gets 404
reporting:network_list                  302  200     200     200     200      200     200
reporting:network_detail                302  200     404     404     404      200     404
reporting:network_form_status           302  403     404     404     404      200     404
reporting:network_form_new              302  403     404     404     404      200     404
reporting:network_form_edit             302  403     404     404     404      200     404
reporting:network_form_open             302  405     405     405     405      405     405
reporting:network_submit                302  200     404     404     404      404     404
reporting:network_submission            302  200     404     404     404      200     404
reporting:network_submission_reopen     302  405     405     405     405      405     405
reporting:network_report                302  200     404     404     404      200     404
reporting:network_report_csv            302  200     404     404     404      200     404
reporting:network_report_pdf            302  200     404     404     404      200     404
reporting:network_publish               302  405     405     405     405      405     405
reporting:network_template              302  200     404     404     404      200     404
reporting:network_upload                302  200     404     404     404      404     404

# Dashboards
dashboard_overview                      302  200     200     200     200      200     200
dashboard_overview_csv                  302  200     200     200     200      200     200
dashboard_detail                        302  200     404     200     200      200     200
dashboard_csv                           302  200     404     200     200      200     200

# Import and export (a job is its owner's alone)
io_index                                302  200     200     200     403      200     200
io_export                               302  200     200     200     403      200     200
io_template                             302  403     403     403     403      200     200
io_import                               302  403     403     403     403      200     200
io_job                                  302  404     404     404     404      200     404
io_job_status                           302  404     404     404     404      200     404
io_job_confirm                          302  405     405     405     405      405     405
"""
EXPECTED: dict[str, str] = {
    line.split(maxsplit=1)[0]: line.split(maxsplit=1)[1]
    for line in EXPECTED_TABLE.splitlines()
    if line.strip() and not line.startswith("#")
}

# Django's admin decides by is_staff and model permissions, the same way for every
# model: anonymous and non-staff users are sent to sign in; staff get the page or a
# redirect (an object id that does not exist for that model), 403 where the admin
# offers no such function (adding to a read-only log) or 405 (sign-out by GET).
ADMIN_ROW = "302 302 302 302 302 302 200|302|403|404|405"


@dataclass(frozen=True)
class Route:
    key: str  # the namespaced name, or the route text for unnamed patterns
    route: str
    kwargs: tuple[str, ...]
    is_admin: bool


def _walk(patterns, prefix: str = "", namespace: str | None = None) -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            kwargs = tuple(pattern.pattern.regex.groupindex)
            yield Route(
                key=name or route,
                route=route,
                kwargs=kwargs,
                is_admin=route.startswith("admin/"),
            )


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


# How to fill each URL argument from the objects of partnership A.
KWARG_VALUES: dict[str, Callable[[SimpleNamespace], object]] = {
    "agreement_id": lambda o: o.world.agreement_a.pk,
    "organisation_id": lambda o: o.world.org_a.pk,
    "party_id": lambda o: o.world.party_a.pk,
    "goal_id": lambda o: o.goal.pk,
    "indicator_id": lambda o: o.indicator.pk,
    "number": lambda o: o.version.number,
    "year": lambda o: YEAR,
    "participant_id": lambda o: o.enrolment.participant_id,
    "consent_id": lambda o: o.consent.pk,
    "case_id": lambda o: o.duplicate_case.pk,
    "enrolment_id": lambda o: o.enrolment.pk,
    "activity_id": lambda o: o.activity.pk,
    "session_id": lambda o: o.session.pk,
    "follow_up_id": lambda o: o.follow_up.pk,
    "team_id": lambda o: o.team.pk,
    "member_id": lambda o: o.member.pk,
    "version": lambda o: o.report.version,
    "job_id": lambda o: o.render_job.pk,
    "basis_id": lambda o: o.basis.pk,
    "pair_id": lambda o: o.pair.pk,
    "seller_id": lambda o: o.world.party_a.pk,
    "buyer_id": lambda o: o.world.agreement_a.public_parties().get().pk,
    "meeting_id": lambda o: o.meeting.pk,
    "document_id": lambda o: o.document.pk,
    "file_id": lambda o: o.document.files.get().pk,
    "item_id": lambda o: o.action_item.pk,
    "body_id": lambda o: o.governance.body.pk,
    "stage_id": lambda o: o.governance.stage.pk,
    "risk_id": lambda o: o.governance.risk.pk,
    "obstacle_id": lambda o: o.governance.obstacle.pk,
    "token": lambda o: o.calendar_token.token,
    "user_id": lambda o: o.world.coordinator_a.pk,
    "invitation_token": lambda o: o.invitation_token,
    "kind": lambda o: "organisations",
    "figure": lambda o: _first_figure_key(),
    "fmt": lambda o: "csv",
    "reference_id": lambda o: _reference_value(o).pk,
    # The admin: an agreement's id (other models answer "no such object"), and the
    # catch-all's unknown page.
    "network_id": lambda o: o.network.network.pk,
    "form_id": lambda o: o.network.form.pk,
    "network_member_id": lambda o: o.network.members[0].pk,
    "submission_id": lambda o: o.network_submission.pk,
    "object_id": lambda o: o.world.agreement_a.pk,
    "content_type_id": lambda o: o.agreement_type.pk,
    "pk": lambda o: o.totp_device.pk,
    "id": lambda o: o.world.coordinator_a.pk,
    "app_label": lambda o: "partnerships",
    "url": lambda o: "no-such-page/",
}
# Two kinds of job share the argument name job_id; each gets its own object.
JOB_IDS = {"io_job", "io_job_status", "io_job_confirm"}
YEAR = 2026


def _document(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from iop.audit import AuditContext
    from partnerships.document_actions import upload_document
    from partnerships.documents import PDF

    return upload_document(
        user=world.manager_a,
        audit=AuditContext.system(),
        agreement=world.agreement_a,
        target=None,
        title="Undertecknat avtal",
        upload=SimpleUploadedFile("avtal.pdf", b"%PDF-1.4\n%%EOF\n"),
        kind=PDF,
    )


def _first_figure_key() -> str:
    from reporting.figures import FIGURE_KEYS

    return FIGURE_KEYS[0]


def _expected(route: Route) -> list[set[int]] | None:
    row = ADMIN_ROW if route.is_admin and route.key not in EXPECTED else EXPECTED.get(route.key)
    if row is None:
        return None
    cells = row.split()
    assert len(cells) == len(ROLES), f"{route.key}: {len(cells)} columns, want {len(ROLES)}"
    return [{int(code) for code in cell.split("|")} for cell in cells]


def _url(route: Route, objects: SimpleNamespace) -> str:
    missing = [name for name in route.kwargs if name not in KWARG_VALUES]
    assert not missing, f"{route.key}: add {missing} to KWARG_VALUES"
    kwargs = {name: KWARG_VALUES[name](objects) for name in route.kwargs}
    if route.key in JOB_IDS:
        kwargs["job_id"] = objects.import_job.pk
    if route.key != route.route:
        return reverse(route.key, kwargs=kwargs)
    # Unnamed patterns (only the admin's): build the address from the route text.
    url = "/" + route.route
    for name, value in kwargs.items():
        url = url.replace(f"<path:{name}>", str(value))
    if "(?P<url>" in url:
        url = "/admin/" + str(kwargs["url"])
    return url


def _reference_value(o: SimpleNamespace) -> ReferenceValue:
    from reporting.models import ReferenceValue

    return ReferenceValue.objects.get_or_create(
        agreement=o.world.agreement_a,
        indicator="EECO13",
        year=2025,
        defaults={"value": 50, "source": "SCB"},
    )[0]


def _governance_objects(world) -> SimpleNamespace:
    """A body with one member, a stage, a risk and an obstacle of partnership A."""
    import datetime

    from partnerships.models import BodyMember, GovernanceBody, Obstacle, Risk, Stage

    agreement = world.agreement_a
    body = GovernanceBody.objects.create(agreement=agreement, kind="steering")
    BodyMember.objects.create(body=body, name="Påhittad Ledamot", start_date=agreement.start_date)
    return SimpleNamespace(
        body=body,
        stage=Stage.objects.create(
            agreement=agreement,
            name="Pilot",
            start_date=agreement.start_date,
            end_date=agreement.start_date + datetime.timedelta(days=90),
        ),
        risk=Risk.objects.create(
            agreement=agreement,
            title="Få praktikplatser",
            category="labour_market",
            likelihood=2,
            consequence=2,
            owner_party=world.party_a,
            owner_person="Påhittad Ägare",
        ),
        obstacle=Obstacle.objects.create(
            agreement=agreement,
            description="Krav på kunskapsnivå",
            level="national",
            lies_with="Skolverket",
            raised_on=agreement.start_date,
            raised_by="Projektgruppen",
        ),
    )


@pytest.fixture
def objects(world, settings, tmp_path) -> SimpleNamespace:
    """The world plus one object of every kind that a URL can point at, all in partnership A."""
    from django.contrib.contenttypes.models import ContentType

    from iop.audit import AuditContext
    from iop.models import ImportJob
    from participants.models import ActionPlan, DuplicateSuspicion, FollowUp
    from partnerships.actions import record_version
    from partnerships.actions_admin import new_invitation
    from partnerships.models import Agreement, CalendarToken, Goal, Indicator, InvoicingPair
    from reporting.actions import issue_invoice_basis
    from reporting.models import AnnualReport, RenderJob
    from tests.factories.participants import (
        ConsentFactory,
        GroupActivityFactory,
        GroupSessionFactory,
        enrolled,
    )
    from tests.factories.partnerships import ActionItemFactory, MeetingFactory, UserFactory
    from tests.factories.teams import TeamFactory, TeamMemberFactory

    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    agreement = world.agreement_a
    goal = Goal.objects.create(agreement=agreement, title="Fler i arbete")
    enrolment = enrolled(agreement, world.org_a, name="Påhittad Deltagare")
    ActionPlan.objects.create(
        enrolment=enrolment,
        drawn_up_on=enrolment.start_date,
        # Written by the registering organisation, whose plan consent the parties have.
        source_organisation_id=enrolment.participant.organisation_id,
    )
    follow_up = FollowUp.objects.create(enrolment=enrolment, months=1, due_on=enrolment.start_date)
    activity = GroupActivityFactory(agreement=agreement)
    meeting = MeetingFactory(agreement=agreement, convened_by=world.org_a)
    report = AnnualReport.objects.create(agreement=agreement, year=YEAR)
    team = TeamFactory(agreement=agreement)
    network = _network(world)
    settings.MEDIA_ROOT = str(tmp_path)
    return SimpleNamespace(
        team=team,
        member=TeamMemberFactory(team=team, user=world.coordinator_a),
        network=network,
        network_submission=submit(network, 0, 10),
        world=world,
        goal=goal,
        indicator=Indicator.objects.create(goal=goal, name="Andel i arbete"),
        version=record_version(
            audit=AuditContext.system(), agreement=agreement, user=None, summary="Tecknat"
        ),
        enrolment=enrolment,
        # A consent Förening A holds, so that its staff (and only they) may record the
        # participant's withdrawal of it; an administrator is a third party.
        consent=ConsentFactory(
            participant=enrolment.participant,
            holder=world.org_a,
            organisation=world.municipality,
            scan=SimpleUploadedFile("samtycke.pdf", b"%PDF-1.4\n%%EOF\n"),
        ),
        duplicate_case=DuplicateSuspicion.objects.create(
            existing=enrolment.participant, reported_by=world.coordinator_b, source="import"
        ),
        activity=activity,
        session=GroupSessionFactory(activity=activity),
        follow_up=follow_up,
        meeting=meeting,
        action_item=ActionItemFactory(meeting=meeting),
        governance=_governance_objects(world),
        report=report,
        render_job=RenderJob.objects.create(
            agreement=agreement, year=YEAR, report=report, requested_by=world.manager_a
        ),
        basis=issue_invoice_basis(
            agreement=agreement, year=YEAR, user=None, audit=AuditContext.system()
        ),
        pair=InvoicingPair.objects.create(
            agreement=agreement,
            seller=world.party_a,
            buyer=agreement.public_parties().get(),
            percent=100,
            marking="ID 1",
        ),
        calendar_token=CalendarToken.objects.create(user=world.coordinator_a, token="m" * 40),
        import_job=ImportJob.objects.create(
            kind="organisations",
            user=world.manager_a,
            original_name="organisationer.csv",
            file_format="csv",
        ),
        agreement_type=ContentType.objects.get_for_model(Agreement),
        totp_device=verified_device(world.coordinator_a),
        invitation_token=new_invitation(
            user=None, target=UserFactory.create(username="invited", organisation=world.org_a)
        ),
        # Last: archiving writes an agreement version, after the "Tecknat" one above.
        document=_document(world),
    )


def _network(world):
    """A statistics network: manager A coordinates, coordinator A reports for org A."""
    from iop.audit import AuditContext
    from reporting.actions_network import publish_report
    from reporting.models import NetworkMember, NetworkRole

    network = make_network(3, coordinator_org=world.org_a, coordinator=world.manager_a)
    member = NetworkMember.objects.create(network=network.network, organisation=world.org_a)
    NetworkRole.objects.create(
        network=network.network,
        user=world.coordinator_a,
        kind=NetworkRole.Kind.REPORTER,
        member=member,
    )
    network.members.insert(0, member)
    network.reporters.insert(0, world.coordinator_a)
    publish_report(form=network.form, user=world.manager_a, audit=AuditContext.system())
    return network


@pytest.fixture
def clients(world) -> dict[str, Client]:
    users = {
        "coord_a": world.coordinator_a,
        "coord_b": world.coordinator_b,
        "finance": world.finance_a,
        "steering": world.steering_a,
        "manager": world.manager_a,
        "admin": world.admin,
    }
    result = {"anon": Client()}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        result[role] = client
    return result


def test_every_url_pattern_has_a_row():
    missing = [route.key for route in all_routes() if _expected(route) is None]
    assert missing == [], "URL patterns without a row in EXPECTED: " + ", ".join(missing)


def test_table_has_no_rows_for_patterns_that_no_longer_exist():
    keys = {route.key for route in all_routes()}
    assert sorted(set(EXPECTED) - keys) == []


def test_permission_matrix(objects, clients):
    mismatches: list[str] = []
    suggestions: list[str] = []
    for route in all_routes():
        url = _url(route, objects)
        seen = []
        for role in ROLES:
            response = clients[role].get(url)
            seen.append(response.status_code)
            # Whatever the table says: no server errors, and B never sees A's objects.
            if response.status_code >= 500:
                mismatches.append(f"{route.key} as {role}: {response.status_code} at {url}")
        if role_b_saw_a(route, seen):
            mismatches.append(f"{route.key}: coordinator of B got {seen[2]} at {url}")
        if about_a(route) and all(code == 405 for code in seen[1:]):
            # A POST-only action on A's object: B's coordinator must be refused there too.
            posted = clients["coord_b"].post(url, {}).status_code
            if posted not in (403, 404):
                mismatches.append(f"{route.key}: POST by coordinator of B got {posted} at {url}")
        expected = _expected(route)
        if expected is None:
            suggestions.append(f"{route.key:<40}" + " ".join(str(code) for code in seen))
            continue
        for role, code, allowed in zip(ROLES, seen, expected, strict=True):
            if code not in allowed:
                mismatches.append(
                    f"{route.key} as {role}: got {code}, expected {sorted(allowed)} ({url})"
                )
    message = "\n".join(mismatches)
    if suggestions:
        message += "\nPatterns without a row (statuses seen; review before pasting):\n"
        message += "\n".join(suggestions)
    assert not mismatches and not suggestions, message


def about_a(route: Route) -> bool:
    """Whether the address points at one of partnership A's objects."""
    return any(name.endswith("_id") for name in route.kwargs) and not route.is_admin


def role_b_saw_a(route: Route, seen: list[int]) -> bool:
    """A page about one of A's objects must never open for B's coordinator."""
    return about_a(route) and 200 <= seen[ROLES.index("coord_b")] < 300


# --------------------------------------------------------------------------- team roles
#
# The team pages and the start page as the people of a multi-agency team see them: a
# caseworker of agency A in team T, a caseworker of agency B (another party) in the same
# team, a caseworker of another team U, T's team lead, finance and steering. "persons"
# says whether the page lists T's participant (whose consent covers agency A only).

TEAM_ROLES = ("cw_a", "cw_b", "cw_other", "lead", "finance", "steering")
TEAM_EXPECTED_TABLE = """
# URL name                              cw_a  cw_b  cw_other lead  finance steering
participants:start                      200   200   200      200   404     404
participants:team_list                  200   200   200      200   200     200
participants:team_detail                200   200   200      200   200     200
participants:team_edit                  403   403   403      403   403     403
participants:member_create              403   403   403      200   403     403
participants:member_edit                403   403   403      200   403     403
participants:team_create                403   403   403      403   403     403
participants:specialist_create          403   403   403      403   403     403
participants:enrolment_team             200   404   200      200   404     404
participants:agency_contact_create      200   404   200      200   404     404
"""
TEAM_EXPECTED = {
    line.split()[0]: [int(code) for code in line.split()[1:]]
    for line in TEAM_EXPECTED_TABLE.splitlines()
    if line.strip() and not line.startswith("#")
}
# Who sees team T's participant (named "Teamets Deltagare") on the team page and start page.
SEES_PERSON = {
    "participants:team_detail": {"cw_a", "lead"},
    "participants:start": {"cw_a"},
}


@pytest.fixture
def team_world(world):
    from participants.models import Enrolment
    from partnerships.models import Role
    from tests.factories.participants import enrolled
    from tests.factories.partnerships import UserFactory
    from tests.factories.teams import TeamFactory, TeamMemberFactory

    team = TeamFactory(agreement=world.agreement_a, name="Team T")
    other = TeamFactory(agreement=world.agreement_a, name="Team U")
    users = {
        "cw_a": UserFactory(organisation=world.org_a, role=Role.CASEWORKER),
        "cw_b": UserFactory(organisation=world.municipality, role=Role.CASEWORKER),
        "cw_other": UserFactory(organisation=world.org_a, role=Role.CASEWORKER),
        "lead": UserFactory(organisation=world.org_a, role=Role.CASEWORKER),
        "finance": world.finance_a,
        "steering": world.steering_a,
    }
    TeamMemberFactory(team=team, user=users["cw_a"])
    TeamMemberFactory(team=team, user=users["cw_b"])
    TeamMemberFactory(team=team, user=users["lead"], function="team_lead", is_lead=True)
    member = TeamMemberFactory(team=other, user=users["cw_other"])
    lead_member = team.members.get(user=users["lead"])
    enrolment = enrolled(world.agreement_a, world.org_a, name="Teamets Deltagare")
    Enrolment.objects.filter(pk=enrolment.pk).update(team=team, caseworker=users["cw_a"])
    return SimpleNamespace(
        world=world, team=team, users=users, enrolment=enrolment, member=member,
        lead_member=lead_member,
    )  # fmt: skip


def _team_url(name: str, tw: SimpleNamespace) -> str:
    route = next(r for r in all_routes() if r.key == name)
    values = {
        "team_id": tw.team.pk,
        "agreement_id": tw.world.agreement_a.pk,
        "enrolment_id": tw.enrolment.pk,
        # Another team's member for everyone but the lead, who edits their own team's.
        "member_id": tw.member.pk,
    }
    return reverse(name, kwargs={k: values[k] for k in route.kwargs})


def test_every_team_url_is_in_the_team_matrix():
    from participants import urls

    team_views = {
        f"participants:{p.name}"
        for p in urls.urlpatterns
        if p.callback.__module__ == "participants.views_teams"
    }
    assert team_views == set(TEAM_EXPECTED)


def test_team_permission_matrix(team_world, caplog):
    import logging

    mismatches: list[str] = []
    for name, expected in TEAM_EXPECTED.items():
        for role, want in zip(TEAM_ROLES, expected, strict=True):
            client = Client()
            client.force_login(team_world.users[role])
            url = _team_url(name, team_world)
            if name == "participants:member_edit" and role == "lead":
                url = reverse(name, args=[team_world.lead_member.pk])
            caplog.clear()
            with caplog.at_level(logging.WARNING, logger="iop.security"):
                response = client.get(url)
            got = response.status_code
            if got != want:
                mismatches.append(f"{name} as {role}: got {got}, expected {want}")
            if got in (403, 404) and not any(url in r.getMessage() for r in caplog.records):
                mismatches.append(f"{name} as {role}: {got} not in the audit log")
            shows = got == 200 and "Teamets Deltagare" in response.content.decode()
            if name in SEES_PERSON and shows != (role in SEES_PERSON[name]):
                mismatches.append(f"{name} as {role}: participant shown={shows}")
            if got == 200 and role in ("finance", "steering"):
                assert "Teamets Deltagare" not in response.content.decode()
                assert team_world.enrolment.participant.code not in response.content.decode()
    assert not mismatches, "\n".join(mismatches)
