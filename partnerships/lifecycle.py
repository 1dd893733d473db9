"""Workflows that change an agreement: status, extension, amendments (versions).

Every change that alters what the agreement says is recorded as an AgreementVersion with
a full snapshot, so the history shows what changed and when, and "what did the agreement
say on day X" is answered by `version_on`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Agreement,
    AgreementParty,
    AgreementVersion,
    Budget,
    Extension,
    Goal,
    User,
    add_months,
    format_sek,
)

# Fields of the agreement itself that a version records, in display order.
SNAPSHOT_FIELDS = [
    "title",
    "status",
    "start_date",
    "end_date",
    "background",
    "purpose",
    "target_group",
    "value_base",
    "focus_areas",
    "confidentiality",
    "extension_count",
    "extension_months",
    "extension_notice_months",
    "decision_date",
    "decision_reference",
    "decision_body",
    "capacity",
    "followups_per_year",
    "report_due_month",
    "report_due_day",
    "invoicing",
    "pays_against_actuals",
    "signed_on",
    "signatories",
    "terminated_on",
    "termination_reason",
]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot_agreement(agreement: Agreement) -> dict[str, Any]:
    """The whole agreement as plain JSON: fields, parties, goals, budgets."""
    agreement = (
        Agreement.objects.filter(pk=agreement.pk)
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=AgreementParty.objects.select_related(
                    "organisation", "contact_person"
                ).prefetch_related("resources"),
            ),
            Prefetch(
                "goals",
                queryset=Goal.objects.prefetch_related("indicators__targets"),
            ),
            Prefetch(
                "budgets",
                queryset=Budget.objects.prefetch_related(
                    "cost_lines", "shares__party__organisation"
                ),
            ),
        )
        .get()
    )
    data: dict[str, Any] = {name: _plain(getattr(agreement, name)) for name in SNAPSHOT_FIELDS}
    data["parties"] = [
        {
            "organisation": party.organisation.name,
            "org_number": party.organisation.org_number,
            "role": party.role,
            "contact_person": party.contact_person.name if party.contact_person else "",
            "responsibilities": party.responsibilities,
            "resources": [
                {"kind": r.kind, "description": r.description, "quantity": r.quantity}
                for r in party.resources.all()
            ],
        }
        for party in agreement.parties.all()
    ]
    data["goals"] = [
        {
            "id": goal.pk,
            "parent": goal.parent_id,
            "title": goal.title,
            "description": goal.description,
            "indicators": [
                {
                    "name": ind.name,
                    "unit": ind.unit,
                    "metric": ind.metric,
                    "targets": {str(t.year): str(t.target) for t in ind.targets.all()},
                }
                for ind in goal.indicators.all()
            ],
        }
        for goal in agreement.goals.all()
    ]
    data["budgets"] = {
        str(budget.year): {
            "indexation_percent": str(budget.indexation_percent),
            "public_grant": _plain(budget.public_grant),
            "cost_lines": [
                {
                    "category": line.category,
                    "description": line.description,
                    "fte": _plain(line.fte),
                    "amount": str(line.amount),
                }
                for line in budget.cost_lines.all()
            ],
            "shares": [
                {
                    "organisation": share.party.organisation.name,
                    "amount": _plain(share.amount),
                    "percent": _plain(share.percent),
                }
                for share in budget.shares.all()
            ],
        }
        for budget in agreement.budgets.all()
    }
    return data


@transaction.atomic
def record_version(
    *,
    agreement: Agreement,
    user: User | None,
    summary: str,
    valid_from: datetime.date | None = None,
    approved_on: datetime.date | None = None,
    approved_by: str = "",
) -> AgreementVersion | None:
    """Store the agreement as it now reads, unless nothing changed since the last version."""
    snapshot = snapshot_agreement(agreement)
    last = agreement.versions.order_by("-number").first()
    if last is not None and last.snapshot == snapshot:
        return None
    number = (agreement.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return AgreementVersion.objects.create(
        agreement=agreement,
        number=number,
        valid_from=valid_from or timezone.localdate(),
        summary=summary,
        approved_on=approved_on,
        approved_by=approved_by,
        snapshot=snapshot,
        created_by=user,
    )


def version_on(agreement: Agreement, day: datetime.date) -> AgreementVersion | None:
    """The version in force on `day`: the latest one whose valid_from is not after it."""
    return agreement.versions.filter(valid_from__lte=day).order_by("-valid_from", "-number").first()


def latest_version(agreement: Agreement) -> AgreementVersion | None:
    return agreement.versions.order_by("-number").first()


def diff_snapshots(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, str]]:
    """A readable list of changes between two snapshots: field, before, after."""
    from .models import Agreement as A

    labels = {
        f.name: str(f.verbose_name) for f in A._meta.get_fields() if hasattr(f, "verbose_name")
    }
    old = old or {}
    changes: list[dict[str, str]] = []
    for name in SNAPSHOT_FIELDS:
        if old.get(name) != new.get(name):
            changes.append(
                {
                    "field": labels.get(name, name),
                    "before": _show(old.get(name)),
                    "after": _show(new.get(name)),
                }
            )
    for key, label in (("parties", _("Parter")), ("goals", _("Mål och indikatorer"))):
        if old.get(key) != new.get(key):
            changes.append(
                {
                    "field": str(label),
                    "before": _describe(key, old.get(key)),
                    "after": _describe(key, new.get(key)),
                }
            )
    old_budgets = old.get("budgets", {}) or {}
    new_budgets = new.get("budgets", {}) or {}
    for year in sorted(set(old_budgets) | set(new_budgets)):
        if old_budgets.get(year) != new_budgets.get(year):
            changes.append(
                {
                    "field": _("Budget %(year)s") % {"year": year},
                    "before": _budget_text(old_budgets.get(year)),
                    "after": _budget_text(new_budgets.get(year)),
                }
            )
    return changes


def _show(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if value is True:
        return _("ja")
    if value is False:
        return _("nej")
    return str(value)


def _describe(key: str, items: list[dict[str, Any]] | None) -> str:
    if not items:
        return "–"
    if key == "parties":
        return "; ".join(f"{p['organisation']} ({p['role']})" for p in items)
    return "; ".join(
        g["title"]
        + (f" [{', '.join(i['name'] for i in g['indicators'])}]" if g["indicators"] else "")
        for g in items
    )


def _budget_text(budget: dict[str, Any] | None) -> str:
    if not budget:
        return "–"
    total = sum((Decimal(line["amount"]) for line in budget["cost_lines"]), Decimal("0"))
    lines = ", ".join(
        f"{line['description']} {format_sek(Decimal(line['amount']))}"
        for line in budget["cost_lines"]
    )
    return f"{format_sek(total)} ({lines})"


@transaction.atomic
def change_status(
    *,
    agreement: Agreement,
    new_status: str,
    user: User,
    day: datetime.date | None = None,
    reason: str = "",
) -> Agreement:
    """Move the agreement along its lifecycle; refuses transitions that are not allowed."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if new_status not in agreement.allowed_transitions():
        raise ValidationError(
            _("Statusen kan inte ändras från ”%(old)s” till ”%(new)s”.")
            % {
                "old": agreement.get_status_display(),
                "new": dict(Agreement.Status.choices).get(new_status, new_status),
            },
            code="forbidden_transition",
        )
    day = day or timezone.localdate()
    if new_status == Agreement.Status.ACTIVE and not agreement.decision_date:
        raise ValidationError(
            _("Ange beslutsdatum och diarienummer innan överenskommelsen blir gällande."),
            code="decision_missing",
        )
    if new_status == Agreement.Status.TERMINATED:
        if not reason:
            raise ValidationError(_("Ange skälet till uppsägningen."), code="reason_missing")
        agreement.terminated_on = day
        agreement.termination_reason = reason
    agreement.status = new_status
    agreement.revision += 1
    agreement.save()
    record_version(
        agreement=agreement,
        user=user,
        summary=_("Status ändrad till %(status)s") % {"status": agreement.get_status_display()},
        valid_from=day,
    )
    return agreement


@transaction.atomic
def extend_agreement(
    *, agreement: Agreement, user: User, decided_on: datetime.date, decision_reference: str = ""
) -> Extension:
    """Exercise one extension option: the end date moves by the agreed number of months."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.extensions_left() == 0:
        raise ValidationError(_("Överenskommelsen har inga förlängningsmöjligheter kvar."))
    if agreement.status in (Agreement.Status.ENDED, Agreement.Status.TERMINATED):
        raise ValidationError(_("En avslutad överenskommelse kan inte förlängas."))
    previous = agreement.end_date
    new_end = add_months(previous, agreement.extension_months)
    extension = Extension.objects.create(
        agreement=agreement,
        decided_on=decided_on,
        decision_reference=decision_reference,
        previous_end_date=previous,
        new_end_date=new_end,
        recorded_by=user,
    )
    agreement.end_date = new_end
    agreement.revision += 1
    agreement.save()
    record_version(
        agreement=agreement,
        user=user,
        summary=_("Förlängd till %(end)s") % {"end": new_end.isoformat()},
        valid_from=decided_on,
        approved_on=decided_on,
        approved_by=decision_reference,
    )
    return extension
