"""The links other apps register for the agreement page (partnerships.hooks)."""

from django import template

from partnerships.hooks import AgreementLink, agreement_links
from partnerships.models import Agreement

register = template.Library()


@register.simple_tag(name="agreement_links")
def agreement_links_tag(agreement: Agreement, year: int) -> list[AgreementLink]:
    return agreement_links(agreement, year)
