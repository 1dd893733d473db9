from django.urls import path

from . import views_governance as v

A = "agreements/<int:agreement_id>/"

urlpatterns = [
    path(A + "governance/", v.governance, name="governance"),
    path(A + "bodies/new/", v.body_edit, name="body_create"),
    path(A + "bodies/<int:body_id>/edit/", v.body_edit, name="body_edit"),
    path(A + "stages/new/", v.stage_edit, name="stage_create"),
    path(A + "stages/<int:stage_id>/edit/", v.stage_edit, name="stage_edit"),
    path(A + "stages/<int:stage_id>/delete/", v.stage_delete, name="stage_delete"),
    path(A + "risks/new/", v.risk_edit, name="risk_create"),
    path(A + "risks/<int:risk_id>/", v.risk_detail, name="risk_detail"),
    path(A + "risks/<int:risk_id>/edit/", v.risk_edit, name="risk_edit"),
    path(A + "obstacles/new/", v.obstacle_edit, name="obstacle_create"),
    path(A + "obstacles/<int:obstacle_id>/edit/", v.obstacle_edit, name="obstacle_edit"),
]
