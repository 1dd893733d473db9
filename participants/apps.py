from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Deltagare")

    def ready(self) -> None:
        # The start page's work sources register themselves when their module is imported.
        from . import worklist_casework  # noqa: F401
