from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .rollup import install_after_migrate


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Rapportering")

    def ready(self) -> None:
        # The one import Django requires to wait for ready(): hooks.py imports the models,
        # which cannot be loaded while the app registry is being filled.
        from . import checks, figures_cache, hooks  # noqa: F401 - checks: the deploy check

        post_migrate.connect(install_after_migrate, sender=self)
        hooks.register()
        # Cached dashboard figures get a new version when what they count is written.
        figures_cache.connect()
