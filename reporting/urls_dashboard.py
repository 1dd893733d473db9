from django.urls import path

from . import views_dashboard as views

urlpatterns = [
    path("", views.dashboard_overview, name="dashboard_overview"),
    path("csv/", views.dashboard_overview_csv, name="dashboard_overview_csv"),
    path("<int:agreement_id>/", views.dashboard_detail, name="dashboard_detail"),
    path("<int:agreement_id>/csv/", views.dashboard_csv, name="dashboard_csv"),
]
