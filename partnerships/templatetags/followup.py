"""{% followup_summary agreement as fs %}: follow-up meetings held against the requirement."""

from django import template

from partnerships.models import Agreement, FollowupSummary, Meeting

register = template.Library()


@register.simple_tag
def followup_summary(agreement: Agreement, year: int | None = None) -> FollowupSummary:
    return Meeting.objects.followup_summary(agreement, year)
