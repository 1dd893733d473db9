from django.urls import path

from . import views, views_casework, views_documents, views_funder, views_teams

app_name = "participants"

urlpatterns = [
    path("", views.participant_list, name="list"),
    path("new/", views.participant_create, name="create"),
    path("<int:participant_id>/", views.participant_timeline, name="timeline"),
    path("<int:participant_id>/edit/", views.participant_edit, name="edit"),
    path(
        "<int:participant_id>/documents/",
        views_documents.participant_documents,
        name="documents",
    ),
    path(
        "<int:participant_id>/documents/<int:document_id>/files/<int:file_id>/",
        views_documents.participant_document_download,
        name="document_download",
    ),
    path("<int:participant_id>/enrol/", views.enrolment_create, name="enrolment_create"),
    path("<int:participant_id>/consents/new/", views.consent_create, name="consent_create"),
    path("<int:participant_id>/referrals/new/", views.referral_create, name="referral_create"),
    path("<int:participant_id>/export.json", views.export_json, name="export_json"),
    path("<int:participant_id>/export.pdf", views.export_pdf, name="export_pdf"),
    path(
        "<int:participant_id>/access-log/",
        views.access_log_participant,
        name="access_log_participant",
    ),
    path("consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path(
        "<int:participant_id>/consents/<int:consent_id>/scan/",
        views_documents.consent_scan_download,
        name="consent_scan",
    ),
    path("enrolments/<int:enrolment_id>/row/", views.participant_row, name="row"),
    path(
        "enrolments/<int:enrolment_id>/contacts/new/", views.contact_create, name="contact_create"
    ),
    path("enrolments/<int:enrolment_id>/edit/", views.enrolment_edit, name="enrolment_edit"),
    path("enrolments/<int:enrolment_id>/phase/", views.enrolment_phase, name="enrolment_phase"),
    path("enrolments/<int:enrolment_id>/exit/", views.enrolment_exit, name="enrolment_exit"),
    path(
        "enrolments/<int:enrolment_id>/assessments/new/",
        views.assessment_create,
        name="assessment_create",
    ),
    path("enrolments/<int:enrolment_id>/plan/", views.action_plan_edit, name="action_plan"),
    path(
        "enrolments/<int:enrolment_id>/attendance/new/",
        views.attendance_create,
        name="attendance_create",
    ),
    path(
        "enrolments/<int:enrolment_id>/plan/agreement/",
        views_casework.plan_agreement,
        name="plan_agreement",
    ),
    path("follow-ups/<int:follow_up_id>/", views_casework.follow_up_edit, name="follow_up"),
    path(
        "agreements/<int:agreement_id>/waiting/",
        views_casework.waiting_list,
        name="waiting_list",
    ),
    path(
        "agreements/<int:agreement_id>/process/",
        views_casework.agreement_process,
        name="agreement_process",
    ),
    path(
        "agreements/<int:agreement_id>/funder/",
        views_funder.funder_profile_edit,
        name="funder_profile",
    ),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:activity_id>/", views.group_detail, name="group_detail"),
    path("groups/<int:activity_id>/members/", views.group_members, name="group_members"),
    path("sessions/<int:session_id>/", views.session_attendance, name="session_attendance"),
    path("anonymous/", views.anonymous_counts, name="anonymous"),
    path("access-log/", views.access_log_list, name="access_log"),
    path("access-log/export.csv", views.access_log_csv, name="access_log_csv"),
    path("duplicates/", views.duplicate_list, name="duplicates"),
    path("duplicates/<int:case_id>/", views.duplicate_resolve, name="duplicate_resolve"),
    # Teams and the caseworker's start page (views_teams)
    path("start/", views_teams.start, name="start"),
    path("teams/", views_teams.team_list, name="team_list"),
    path("teams/<int:team_id>/", views_teams.team_detail, name="team_detail"),
    path("teams/<int:team_id>/edit/", views_teams.team_edit, name="team_edit"),
    path("teams/<int:team_id>/members/new/", views_teams.member_create, name="member_create"),
    path("team-members/<int:member_id>/edit/", views_teams.member_edit, name="member_edit"),
    path("agreements/<int:agreement_id>/teams/new/", views_teams.team_create, name="team_create"),
    path(
        "agreements/<int:agreement_id>/specialists/new/",
        views_teams.specialist_create,
        name="specialist_create",
    ),
    path("enrolments/<int:enrolment_id>/team/", views_teams.enrolment_team, name="enrolment_team"),
    path(
        "enrolments/<int:enrolment_id>/agency-contacts/new/",
        views_teams.agency_contact_create,
        name="agency_contact_create",
    ),
]
