"""Signals of the project, for writes that Django's own model signals do not announce.

`rows_written` is sent after a bulk write (`bulk_create`, `bulk_update`, an import):
`sender` is the model, `agreement_ids` the partnerships touched (None: unknown, any).
Reporting listens to it to renew its cached figures (reporting/figures_cache.py).
"""

from django.dispatch import Signal

rows_written = Signal()
