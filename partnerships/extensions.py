"""The rules for extending an agreement, shared by the extension form and the verb
(actions.extend_agreement), so that the page, the shell and the demo data obey the same:
every party's approval recorded, decided no later than the end date, and a decision after
the agreement's deadline only with a written reason."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from .models import Agreement, AgreementParty, Extension, add_months


@dataclass(frozen=True)
class PartyApproval:
    """One party's approval of an extension, as entered: when, and who approved it."""

    party: AgreementParty
    approved_on: datetime.date
    approved_by: str


def extension_errors(
    *,
    agreement: Agreement,
    decided_on: datetime.date,
    approvals: Sequence[PartyApproval],
    late_reason: str = "",
) -> dict[str, list[str]]:
    """What stands in the way of extending `agreement` by a decision on `decided_on`,
    keyed by the extension form's fields (party fields are `approved_on_<party id>`).

    Shared by ExtensionForm and extend_agreement, so the page and every other caller
    apply the same rules.
    """
    errors: dict[str, list[str]] = defaultdict(list)
    if agreement.extensions_left() == 0:
        errors[NON_FIELD_ERRORS].append(
            _("Överenskommelsen har inga förlängningsmöjligheter kvar.")
        )
    if agreement.status in (Agreement.Status.ENDED, Agreement.Status.TERMINATED):
        errors[NON_FIELD_ERRORS].append(_("En avslutad överenskommelse kan inte förlängas."))
    if errors:
        return dict(errors)
    extension = Extension(
        agreement=agreement,
        decided_on=decided_on,
        previous_end_date=agreement.end_date,
        new_end_date=add_months(agreement.end_date, agreement.extension_months),
        decision_deadline=agreement.decision_deadline_for_current_end(),
        late_reason=late_reason,
    )
    try:
        extension.clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors[field] += messages
    by_party = {approval.party.pk: approval for approval in approvals}
    for party in agreement.parties.select_related("organisation"):
        approval = by_party.get(party.pk)
        field = f"approved_on_{party.pk}"
        if approval is None or not approval.approved_on or not approval.approved_by.strip():
            errors[field].append(
                _("%(party)s har inte godkänt förlängningen: ange när och av vem.")
                % {"party": party.organisation.name}
            )
        elif approval.approved_on > decided_on:
            errors[field].append(
                _(
                    "Godkännandet %(day)s ligger efter beslutsdatum %(decided)s. Beslutet är "
                    "fattat först när alla parter har godkänt."
                )
                % {"day": approval.approved_on.isoformat(), "decided": decided_on.isoformat()}
            )
    if any(approval.party.agreement_id != agreement.pk for approval in approvals):
        errors[NON_FIELD_ERRORS].append(
            _("Godkännandet gäller en part i en annan överenskommelse.")
        )
    return dict(errors)
