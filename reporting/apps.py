from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Rapportering")

    def ready(self) -> None:
        # Imported here, as Django requires: these modules import the models.
        from . import hooks
        from .rollup import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self)
        hooks.register()
