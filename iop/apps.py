from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class IopConfig(AppConfig):
    """The project's own app: sessions bound to users, sign-in security, error pages, money
    and roles, and the spreadsheet engine (iop/spreadsheets)."""

    name = "iop"
    verbose_name = _("Säkerhet")

    def ready(self) -> None:
        from . import security  # noqa: F401 - connects the sign-in and session signals
        from .forms import install_text_validation
        from .spreadsheets.registry import autodiscover

        install_text_validation()
        autodiscover()


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, served by a site that asks for the second factor as well."""

    default = False
    default_site = "iop.admin.AdminSite"

    def ready(self) -> None:
        # The admin's autodiscovery imports every app's forms; the text validator must be
        # in place before any form field is built (AdminConfig is the first app).
        from .forms import install_text_validation

        install_text_validation()
        super().ready()
