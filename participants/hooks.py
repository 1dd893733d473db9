"""What participants contributes to partnerships' pages through partnerships.hooks."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from partnerships.hooks import AgreementLink
from partnerships.models import Agreement


def funder_profile_links(agreement: Agreement, year: int) -> list[AgreementLink]:
    """The agreement page's link to its funding programme and target-group rules."""
    return [
        AgreementLink(
            reverse("participants:funder_profile", args=[agreement.pk]),
            _("Finansiär och målgrupp"),
        )
    ]
