"""The import/export pages (mounted at the site root by iop/urls.py; names as before)."""

from django.urls import path

from . import views

urlpatterns = [
    path("io/", views.io_index, name="io_index"),
    path("io/<slug:kind>/export/", views.io_export, name="io_export"),
    path("io/<slug:kind>/template/", views.io_template, name="io_template"),
    path("io/<slug:kind>/import/", views.io_import, name="io_import"),
    path("io/jobs/<int:job_id>/", views.io_job, name="io_job"),
    path("io/jobs/<int:job_id>/status/", views.io_job_status, name="io_job_status"),
    path("io/jobs/<int:job_id>/confirm/", views.io_job_confirm, name="io_job_confirm"),
]
