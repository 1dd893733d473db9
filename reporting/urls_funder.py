"""The funders' reports (issue 15), mounted under reporting's namespace."""

from django.urls import path

from . import views_funder

A = "agreements/<int:agreement_id>/funder/"

urlpatterns = [
    path(A, views_funder.funder_index, name="funder_index"),
    path(f"{A}esf/", views_funder.esf_report, name="funder_esf"),
    path(f"{A}esf/<str:fmt>/", views_funder.esf_report, name="funder_esf_file"),
    path(f"{A}monthly/", views_funder.monthly_report, name="funder_monthly"),
    path(f"{A}monthly/<str:fmt>/", views_funder.monthly_report, name="funder_monthly_file"),
    path(f"{A}finsam/", views_funder.finsam_list, name="funder_finsam"),
    path(f"{A}finsam/<str:fmt>/", views_funder.finsam_list, name="funder_finsam_file"),
    path(f"{A}references/", views_funder.reference_values, name="funder_references"),
    path(
        f"{A}references/<int:reference_id>/remove/",
        views_funder.reference_value_remove,
        name="funder_reference_remove",
    ),
]
