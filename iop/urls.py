from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import TemplateView
from django.views.i18n import set_language

from iop.health import health

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("security/", include("iop.security_urls")),
    # The language switch is on the sign-in page too, so it must work before sign-in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # The accessibility statement must be public: someone who cannot sign in must read it.
    path(
        "accessibility/",
        login_not_required(TemplateView.as_view(template_name="accessibility.html")),
        name="accessibility",
    ),
    # For the load balancer: no sign-in, no personal data (iop/health.py).
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("participants/", include("participants.urls")),
    path("reporting/", include("reporting.urls")),
    path("dashboards/", include("reporting.urls_dashboard")),
    path("", include("iop.spreadsheets.urls")),
    path("", include("partnerships.urls")),
]
