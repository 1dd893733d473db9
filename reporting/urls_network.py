"""The statistics network's URLs, added to reporting's (names reporting:network_*)."""

from django.urls import path

from . import views_network as views
from . import views_network_upload as upload_views

urlpatterns = [
    path("networks/", views.network_list, name="network_list"),
    path("networks/<int:network_id>/", views.network_detail, name="network_detail"),
    path("networks/<int:network_id>/forms/new/", views.network_form_new, name="network_form_new"),
    path(
        "networks/<int:network_id>/forms/<int:form_id>/open/",
        views.network_form_open,
        name="network_form_open",
    ),
    path(
        "networks/<int:network_id>/forms/<int:form_id>/edit/",
        views.network_form_edit,
        name="network_form_edit",
    ),
    path(
        "networks/<int:network_id>/forms/<int:form_id>/status/",
        views.network_form_status,
        name="network_form_status",
    ),
    path(
        "networks/<int:network_id>/forms/<int:form_id>/members/<int:network_member_id>/submit/",
        views.network_submit,
        name="network_submit",
    ),
    path(
        "networks/<int:network_id>/submissions/<int:submission_id>/",
        views.network_submission,
        name="network_submission",
    ),
    path(
        "networks/<int:network_id>/submissions/<int:submission_id>/reopen/",
        views.network_submission_reopen,
        name="network_submission_reopen",
    ),
    path(
        "networks/<int:network_id>/forms/<int:form_id>/report/",
        views.network_report,
        name="network_report",
    ),
    path(
        "networks/<int:network_id>/forms/<int:form_id>/report.csv",
        views.network_report_csv,
        name="network_report_csv",
    ),
    path(
        "networks/<int:network_id>/forms/<int:form_id>/report.pdf",
        views.network_report_pdf,
        name="network_report_pdf",
    ),
    path(
        "networks/<int:network_id>/forms/<int:form_id>/publish/",
        views.network_publish,
        name="network_publish",
    ),
    # A submission by the network's template (reporting/network_template.py).
    path(
        "networks/<int:network_id>/forms/<int:form_id>/members/<int:network_member_id>/template/",
        upload_views.network_template,
        name="network_template",
    ),
    path(
        "networks/<int:network_id>/forms/<int:form_id>/members/<int:network_member_id>/upload/",
        upload_views.network_upload,
        name="network_upload",
    ),
]
