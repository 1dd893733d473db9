"""{% followup_summary agreement as fs %}: follow-up meetings held against the requirement."""

from django import template
from django.utils import timezone

from partnerships.models import Agreement, FollowupSummary, Meeting

register = template.Library()


@register.simple_tag
def followup_summary(agreement: Agreement, year: int | None = None) -> FollowupSummary:
    """This year's summary; for an agreement not running this year, its nearest year."""
    if year is None:
        today = timezone.localdate()
        year = min(max(today.year, agreement.start_date.year), agreement.end_date.year)
    return Meeting.objects.followup_summary(agreement, year)
