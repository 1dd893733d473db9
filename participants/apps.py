import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Modules that register sources of the caseworker's start page (participants.worklist).
WORK_SOURCE_MODULES = ["participants.caseload", "participants.worklist_casework"]


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Deltagare")

    def ready(self) -> None:
        from partnerships import hooks

        from .caseload import caseworker_start_page
        from .casework import process_lines
        from .hooks import funder_profile_links

        # The start page's work sources register themselves when their module is imported.
        for module in WORK_SOURCE_MODULES:
            importlib.import_module(module)
        hooks.register_start_page(caseworker_start_page)
        hooks.register_snapshot_part(
            hooks.SnapshotPart(
                key="participant_process", label=_("Deltagarprocess"), read=process_lines
            )
        )
        hooks.register_agreement_links(funder_profile_links)
