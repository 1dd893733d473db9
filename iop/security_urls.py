from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "security"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("sessions/end-others/", views.end_other_sessions, name="end_other_sessions"),
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    # Changing the password ends the user's other sessions (Django checks a hash of the
    # password on every request) and keeps this one.
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            success_url=reverse_lazy("security:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
