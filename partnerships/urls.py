from django.urls import include, path

from . import views, views_followup, views_invoicing

urlpatterns = [
    # The start page is the to-do list of deadlines (views_followup.todo).
    path("", views_followup.todo, name="home"),
    path("", include("partnerships.urls_followup")),
    path("", include("partnerships.urls_governance")),
    path("", include("partnerships.urls_admin")),
    path("", include("partnerships.urls_documents")),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:agreement_id>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:agreement_id>/status/", views.agreement_status, name="agreement_status"),
    path("agreements/<int:agreement_id>/extend/", views.agreement_extend, name="agreement_extend"),
    path(
        "agreements/<int:agreement_id>/history/", views.agreement_history, name="agreement_history"
    ),
    path(
        "agreements/<int:agreement_id>/versions/<int:number>/",
        views.agreement_version,
        name="agreement_version",
    ),
    path("agreements/<int:agreement_id>/parties/new/", views.party_edit, name="party_create"),
    path(
        "agreements/<int:agreement_id>/parties/<int:party_id>/", views.party_edit, name="party_edit"
    ),
    path(
        "agreements/<int:agreement_id>/parties/<int:party_id>/delete/",
        views.party_delete,
        name="party_delete",
    ),
    path(
        "agreements/<int:agreement_id>/invoicing/",
        views_invoicing.invoicing_pair_list,
        name="invoicing_pair_list",
    ),
    path(
        "agreements/<int:agreement_id>/invoicing/new/",
        views_invoicing.invoicing_pair_edit,
        name="invoicing_pair_create",
    ),
    path(
        "agreements/<int:agreement_id>/invoicing/<int:pair_id>/",
        views_invoicing.invoicing_pair_edit,
        name="invoicing_pair_edit",
    ),
    path(
        "agreements/<int:agreement_id>/invoicing/<int:pair_id>/delete/",
        views_invoicing.invoicing_pair_delete,
        name="invoicing_pair_delete",
    ),
    path("agreements/<int:agreement_id>/goals/new/", views.goal_edit, name="goal_create"),
    path(
        "agreements/<int:agreement_id>/goals/<int:goal_id>/delete/",
        views.goal_delete,
        name="goal_delete",
    ),
    path(
        "agreements/<int:agreement_id>/indicators/<int:indicator_id>/delete/",
        views.indicator_delete,
        name="indicator_delete",
    ),
    path("agreements/<int:agreement_id>/goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path(
        "agreements/<int:agreement_id>/indicators/new/",
        views.indicator_edit,
        name="indicator_create",
    ),
    path(
        "agreements/<int:agreement_id>/indicators/<int:indicator_id>/",
        views.indicator_edit,
        name="indicator_edit",
    ),
    path("agreements/<int:agreement_id>/budgets/new/", views.budget_edit, name="budget_create"),
    path("budgets/index-series/", views.index_series, name="index_series"),
    path(
        "agreements/<int:agreement_id>/budgets/<int:year>/",
        views.budget_detail,
        name="budget_detail",
    ),
    path(
        "agreements/<int:agreement_id>/budgets/<int:year>/edit/",
        views.budget_edit,
        name="budget_edit",
    ),
    path(
        "agreements/<int:agreement_id>/budgets/<int:year>/derive/",
        views.budget_derive,
        name="budget_derive",
    ),
    path(
        "agreements/<int:agreement_id>/budgets/<int:year>/actuals/",
        views.actual_add,
        name="actual_add",
    ),
    path(
        "agreements/<int:agreement_id>/budgets/<int:year>/other-funding/",
        views.other_funding_add,
        name="other_funding_add",
    ),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_edit, name="organisation_create"),
    path(
        "organisations/<int:organisation_id>/",
        views.organisation_detail,
        name="organisation_detail",
    ),
    path(
        "organisations/<int:organisation_id>/edit/",
        views.organisation_edit,
        name="organisation_edit",
    ),
    path(
        "organisations/<int:organisation_id>/contacts/",
        views.contact_person_add,
        name="contact_person_add",
    ),
]
