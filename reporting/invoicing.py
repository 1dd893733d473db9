"""Invoice basis numbering. Issuing a basis is a verb in reporting/actions.py."""

from __future__ import annotations

from partnerships.models import Agreement

from .models import InvoiceBasis


def next_number(agreement: Agreement, year: int) -> str:
    """The number the year's next invoice basis gets: FU-<agreement>-<year>-<nn>."""
    count = InvoiceBasis.objects.filter(agreement=agreement, year=year).count()
    return f"FU-{agreement.short_id.upper()}-{year}-{count + 1:02d}"
