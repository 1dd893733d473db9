"""Agreement versions, read: the snapshot a version stores, the version in force on a day,
and a readable diff between two snapshots.

Writing a version is a verb (`partnerships.actions.record_version`); everything here only
reads. "What did the agreement say on day X" is answered by `version_on`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _

from . import hooks
from .models import (
    Agreement,
    AgreementParty,
    AgreementVersion,
    Budget,
    Document,
    Goal,
    InvoicingPair,
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
    "participant_max_days",
    "followups_per_year",
    "report_due_month",
    "report_due_day",
    "invoicing",
    "invoice_in_advance",
    "pays_against_actuals",
    "termination_settlement",
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
    agreement = _agreement_with_parts(agreement.pk)
    data: dict[str, Any] = {name: _plain(getattr(agreement, name)) for name in SNAPSHOT_FIELDS}
    data["parties"] = [_party_snapshot(party) for party in agreement.parties.all()]
    data["goals"] = [_goal_snapshot(goal) for goal in agreement.goals.all()]
    data["invoicing_pairs"] = [_pair_snapshot(pair) for pair in agreement.invoicing_pairs.all()]
    data["budgets"] = {
        str(budget.year): _budget_snapshot(budget) for budget in agreement.budgets.all()
    }
    # Only with documents, so versions stored before the archive existed still compare equal.
    if documents := _documents_snapshot(agreement):
        data["documents"] = documents
    for part in hooks.snapshot_parts():
        if lines := part.read(agreement):
            data[part.key] = lines
    return data


def _documents_snapshot(agreement: Agreement) -> list[dict[str, Any]]:
    """The archive in one line per document, so that an upload or a deletion is a version."""
    rows = (
        Document.objects.filter(agreement=agreement, personal=False)
        .annotate(version_count=Count("files"))
        .order_by("pk")
        .values_list("pk", "title", "version_count", "deleted_at", "purged_at")
    )
    return [
        {
            "id": pk,
            "title": title,
            "versions": count,
            "deleted": deleted is not None,
            # Only once purged, so versions stored before retention existed compare equal.
            **({"purged": True} if purged is not None else {}),
        }
        for pk, title, count, deleted, purged in rows
    ]


def _agreement_with_parts(agreement_id: int) -> Agreement:
    """The agreement with everything a snapshot reads, in a fixed number of queries."""
    return (
        Agreement.objects.filter(pk=agreement_id)
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=AgreementParty.objects.select_related(
                    "organisation", "contact_person"
                ).prefetch_related("resources"),
            ),
            Prefetch(
                "invoicing_pairs",
                queryset=InvoicingPair.objects.select_related(
                    "seller__organisation", "buyer__organisation"
                ).order_by("position", "pk"),
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


def _party_snapshot(party: AgreementParty) -> dict[str, Any]:
    return {
        "organisation": party.organisation.name,
        "org_number": party.organisation.org_number,
        "role": party.role,
        "contact_person": party.contact_person.name if party.contact_person else "",
        "responsibilities": party.responsibilities,
        "joined_on": _plain(party.joined_on),
        "left_on": _plain(party.left_on),
        "resources": [
            {"kind": r.kind, "description": r.description, "quantity": r.quantity}
            for r in party.resources.all()
        ],
    }


def _pair_snapshot(pair: InvoicingPair) -> dict[str, Any]:
    return {
        "seller": pair.seller.organisation.name,
        "buyer": pair.buyer.organisation.name,
        "percent": _plain(pair.percent),
        "amount": _plain(pair.amount),
        "marking": pair.marking,
        "marking_text": pair.marking_text,
        "buyer_reference": pair.buyer_reference,
    }


def _goal_snapshot(goal: Goal) -> dict[str, Any]:
    return {
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


def _budget_snapshot(budget: Budget) -> dict[str, Any]:
    return {
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


def version_on(agreement: Agreement, day: datetime.date) -> AgreementVersion | None:
    """The version in force on `day`: the latest one whose valid_from is not after it."""
    return agreement.versions.filter(valid_from__lte=day).order_by("-valid_from", "-number").first()


def latest_version(agreement: Agreement) -> AgreementVersion | None:
    return agreement.versions.order_by("-number").first()


def diff_snapshots(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, str]]:
    """A readable list of changes between two snapshots: field, before, after."""
    labels = {
        f.name: str(f.verbose_name)
        for f in Agreement._meta.get_fields()
        if hasattr(f, "verbose_name")
    }
    old = old or {}
    changes: list[dict[str, str]] = []
    for name in SNAPSHOT_FIELDS:
        if old.get(name) != new.get(name):
            changes.append(
                {
                    "field": labels.get(name, name),
                    "before": _show(_choice_label(Agreement, name, old.get(name))),
                    "after": _show(_choice_label(Agreement, name, new.get(name))),
                }
            )
    for key, label in (
        ("parties", _("Parter")),
        ("goals", _("Mål och indikatorer")),
        ("invoicing_pairs", _("Vem fakturerar vem")),
        ("documents", _("Dokument")),
    ):
        # Versions recorded before pairs were part of the snapshot have no such key.
        if (old.get(key) or []) != (new.get(key) or []):
            changes.append(
                {
                    "field": str(label),
                    "before": _describe(key, old.get(key)),
                    "after": _describe(key, new.get(key)),
                }
            )
    for part in hooks.snapshot_parts():
        if (old.get(part.key) or []) != (new.get(part.key) or []):
            changes.append(
                {
                    "field": str(part.label),
                    "before": "; ".join(old.get(part.key) or []) or "–",
                    "after": "; ".join(new.get(part.key) or []) or "–",
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


def _choice_label(model: Any, name: str, value: Any) -> Any:
    """The label of a stored choice code ("active" → "Gällande"); other values as they are."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a snapshot key that is no field (parties, goals, budgets)
        return value
    choices = dict(getattr(field, "flatchoices", None) or ())
    if not isinstance(value, str) or value not in choices:
        return value
    return str(choices[value])


def readable_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot for reading: choice codes replaced by their Swedish labels."""
    readable = {name: _choice_label(Agreement, name, value) for name, value in snapshot.items()}
    readable["parties"] = [
        {**party, "role": _choice_label(AgreementParty, "role", party.get("role"))}
        for party in snapshot.get("parties") or []
    ]
    return readable


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
    if key == "invoicing_pairs":
        return "; ".join(
            f"{p['seller']} → {p['buyer']} "
            + (
                f"{p['percent']} %"
                if p["percent"] is not None
                else format_sek(Decimal(p["amount"]))
            )
            + (f" ({p['marking']})" if p["marking"] else "")
            for p in items
        )
    if key == "documents":
        return "; ".join(
            f"{d['title']} (v{d['versions']})"
            + (f" – {_('borttaget')}" if d["deleted"] else "")
            + (f" – {_('filerna gallrade')}" if d.get("purged") else "")
            for d in items
        )
    if key == "parties":
        return "; ".join(
            f"{p['organisation']} ({_choice_label(AgreementParty, 'role', p['role'])}"
            f"{_party_dates(p)})"
            for p in items
        )
    return "; ".join(
        g["title"]
        + (f" [{', '.join(i['name'] for i in g['indicators'])}]" if g["indicators"] else "")
        for g in items
    )


def _party_dates(party: dict[str, Any]) -> str:
    """ ", från 2016-01-01 till 2016-12-31" for a party that joined or left midway."""
    text = ""
    if party.get("joined_on"):
        text += ", " + _("från %(day)s") % {"day": party["joined_on"]}
    if party.get("left_on"):
        text += ", " + _("till %(day)s") % {"day": party["left_on"]}
    return text


def _budget_text(budget: dict[str, Any] | None) -> str:
    if not budget:
        return "–"
    total = sum((Decimal(line["amount"]) for line in budget["cost_lines"]), Decimal("0"))
    lines = ", ".join(
        f"{line['description']} {format_sek(Decimal(line['amount']))}"
        for line in budget["cost_lines"]
    )
    return f"{format_sek(total)} ({lines})"
