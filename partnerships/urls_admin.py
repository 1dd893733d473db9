from django.urls import path

from . import views_admin

urlpatterns = [
    path("administration/users/", views_admin.user_list, name="admin_user_list"),
    path("administration/users/invite/", views_admin.user_invite, name="admin_user_invite"),
    path(
        "administration/users/<int:user_id>/",
        views_admin.user_detail,
        name="admin_user_detail",
    ),
    path(
        "administration/users/<int:user_id>/deactivate/",
        views_admin.user_deactivate,
        name="admin_user_deactivate",
    ),
    path(
        "administration/users/<int:user_id>/second-factor/",
        views_admin.user_reset_second_factor,
        name="admin_user_reset_second_factor",
    ),
    path("administration/log/", views_admin.administration_log, name="admin_log"),
    path("invitation/<str:invitation_token>/", views_admin.invitation, name="invitation"),
]
