from django.urls import path

from . import views_io

urlpatterns = [
    path("io/", views_io.io_index, name="io_index"),
    path("io/<slug:kind>/export/", views_io.io_export, name="io_export"),
    path("io/<slug:kind>/template/", views_io.io_template, name="io_template"),
    path("io/<slug:kind>/import/", views_io.io_import, name="io_import"),
    path("io/jobs/<int:job_id>/", views_io.io_job, name="io_job"),
    path("io/jobs/<int:job_id>/status/", views_io.io_job_status, name="io_job_status"),
    path("io/jobs/<int:job_id>/confirm/", views_io.io_job_confirm, name="io_job_confirm"),
]
