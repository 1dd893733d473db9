"""The admin site: django-otp's OTPAdminSite, signed in to through the ordinary sign-in page."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite


class AdminSite(OTPAdminSite):
    site_header = _("IOP – administration")
    site_title = _("IOP – administration")

    def __init__(self, name: str = "admin") -> None:
        # OTPAdminSite defaults to the name "otpadmin"; keep the usual "admin:" namespace.
        super().__init__(name)

    def login(self, request, extra_context=None):
        # One sign-in page for everything, so throttling, logging and the second factor
        # apply to the admin exactly as to the rest of the service.
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
