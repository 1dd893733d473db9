from django.urls import path

from . import views, views_casework, views_final

app_name = "reporting"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("agreements/<int:agreement_id>/", views.index, name="index"),
    path(
        "agreements/<int:agreement_id>/casework/<int:year>/",
        views_casework.casework,
        name="casework",
    ),
    path(
        "agreements/<int:agreement_id>/annual/<int:year>/",
        views.annual_report,
        name="annual_report",
    ),
    path(
        "agreements/<int:agreement_id>/annual/<int:year>/save/",
        views.annual_report_save,
        name="annual_report_save",
    ),
    path(
        "agreements/<int:agreement_id>/annual/<int:year>/confirm/",
        views.annual_report_confirm,
        name="annual_report_confirm",
    ),
    path(
        "agreements/<int:agreement_id>/annual/<int:year>/submit/",
        views.annual_report_submit,
        name="annual_report_submit",
    ),
    path(
        "agreements/<int:agreement_id>/annual/<int:year>/correct/",
        views.annual_report_correct,
        name="annual_report_correct",
    ),
    path(
        "agreements/<int:agreement_id>/annual/<int:year>/render/",
        views.annual_report_render,
        name="annual_report_render",
    ),
    path(
        "agreements/<int:agreement_id>/annual/<int:year>/v<int:version>.pdf",
        views.annual_report_pdf,
        name="annual_report_pdf",
    ),
    path(
        "agreements/<int:agreement_id>/annual/<int:year>/participants/<slug:figure>/",
        views.figure_participants,
        name="figure_participants",
    ),
    path("agreements/<int:agreement_id>/final/", views_final.final_report, name="final_report"),
    path(
        "agreements/<int:agreement_id>/final/save/",
        views_final.final_report_save,
        name="final_report_save",
    ),
    path(
        "agreements/<int:agreement_id>/final/confirm/",
        views_final.final_report_confirm,
        name="final_report_confirm",
    ),
    path(
        "agreements/<int:agreement_id>/final/submit/",
        views_final.final_report_submit,
        name="final_report_submit",
    ),
    path(
        "agreements/<int:agreement_id>/final/correct/",
        views_final.final_report_correct,
        name="final_report_correct",
    ),
    path(
        "agreements/<int:agreement_id>/final/render/",
        views_final.final_report_render,
        name="final_report_render",
    ),
    path(
        "agreements/<int:agreement_id>/final/v<int:version>.pdf",
        views_final.final_report_pdf,
        name="final_report_pdf",
    ),
    path("pdf-jobs/<int:job_id>/", views.render_job, name="render_job"),
    path("pdf-jobs/<int:job_id>/pdf/", views.render_job_pdf, name="render_job_pdf"),
    path(
        "agreements/<int:agreement_id>/invoice/<int:year>/",
        views.invoice_basis,
        name="invoice_basis",
    ),
    path(
        "agreements/<int:agreement_id>/invoice/<int:year>/draft.pdf",
        views.invoice_basis_draft_pdf,
        name="invoice_basis_draft_pdf",
    ),
    path(
        "agreements/<int:agreement_id>/invoice-bases/<int:basis_id>/",
        views.invoice_basis_issued,
        name="invoice_basis_issued",
    ),
    path(
        "agreements/<int:agreement_id>/invoice-bases/<int:basis_id>/pdf/",
        views.invoice_basis_issued_pdf,
        name="invoice_basis_issued_pdf",
    ),
    path(
        "agreements/<int:agreement_id>/invoice-bases/<int:basis_id>/credit/",
        views.invoice_basis_credit,
        name="invoice_basis_credit",
    ),
    path(
        "agreements/<int:agreement_id>/repayment/<int:seller_id>-<int:buyer_id>.pdf",
        views.repayment_claim_pdf,
        name="repayment_claim_pdf",
    ),
    path(
        "agreements/<int:agreement_id>/invoice-bases/<int:basis_id>/ubl/",
        views.invoice_basis_ubl,
        name="invoice_basis_ubl",
    ),
]

# The statistics network (issue 17) keeps its URLs in their own module.
from .urls_network import urlpatterns as network_urlpatterns  # noqa: E402

urlpatterns += network_urlpatterns

# The funders' reports (issue 15) keep their URLs in their own module.
from .urls_funder import urlpatterns as funder_urlpatterns  # noqa: E402

urlpatterns += funder_urlpatterns
