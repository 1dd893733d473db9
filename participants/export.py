"""Data-subject export: everything held on one participant, including who looked at it.

Administrators only (the views check); the export itself is logged.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.pdf import html_to_pdf

from .models import (
    AccessLog,
    ActionPlan,
    Attendance,
    Contact,
    Enrolment,
    EntryBackground,
    ExitOutcome,
    ExitRecord,
    ExitResult,
    FollowUp,
    IncomeSource,
    Participant,
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _row(obj, fields: list[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


ENROLMENT_FIELDS = [
    "start_date",
    "planned_min_days",
    "planned_max_days",
    "income_at_start",
    "income_at_exit",
    "exit_date",
    "exit_outcome",
    "next_step",
]
PARTICIPANT_FIELDS = [
    "code",
    "name",
    "personnummer",
    "gender",
    "birth_year",
    "language",
    "identity_status",
    "created_at",
    "pseudonymised_at",
]
CONSENT_FIELDS = [
    "share_identity",
    "share_notes",
    "share_plan",
    "share_health",
    "share_income",
    "purpose",
    "given_on",
    "withdrawn_on",
    "expires_on",
    "method",
    "reference",
    "witness",
    "withdrawal_method",
    "withdrawal_reference",
    "withdrawal_witness",
]
BACKGROUND_FIELDS = [
    "age_at_entry",
    "labour_market_status",
    "unemployed_months",
    "education_level",
    "disability",
    "third_country_national",
    "foreign_background",
    "homeless",
    "income_sources",
    "eligibility_breaches",
    "eligibility_justification",
]
RESULT_FIELDS = [
    "job_seeking",
    "in_education",
    "gained_qualification",
    "in_employment",
    "income_sources",
]
FOLLOW_UP_FIELDS = [
    "months",
    "due_on",
    "done_on",
    "income",
    "in_employment",
    "better_situation",
    "note",
]
CONTACT_FIELDS = ["date", "kind", "duration_minutes", "topic", "referrals", "note", "health"]


def _action_plan(enrolment: Enrolment) -> dict[str, Any] | None:
    try:
        plan: ActionPlan = enrolment.action_plan
    except ActionPlan.DoesNotExist:
        return None
    return {
        **_row(plan, ["drawn_up_on", "summary", "revision", "first_agreed_on"]),
        "goals": [
            {
                **_row(
                    g,
                    ["description", "responsible_person", "target_date", "status", "achieved_on"],
                ),
                "responsible_organisation": str(g.responsible_organisation or ""),
            }
            for g in plan.goals.select_related("responsible_organisation")
        ],
        "agreements": [
            {
                **_row(a, ["revision", "agreed_on"]),
                "organisation": str(a.organisation or "deltagaren"),
            }
            for a in plan.agreements.select_related("organisation")
        ],
    }


def _exit(enrolment: Enrolment) -> dict[str, Any] | None:
    try:
        record: ExitRecord = enrolment.exit_record
    except ExitRecord.DoesNotExist:
        return None
    return {
        **_row(record, ["needs_clarified", "plan_agreed_by_all", "handover", "handover_note"]),
        "handed_over_to": str(record.handed_over_to or ""),
    }


def _one(enrolment: Enrolment, related: str, fields: list[str]) -> dict[str, Any] | None:
    """A one-to-one row of the enrolment (background, exit result) or None."""
    try:
        return _row(getattr(enrolment, related), fields)
    except (EntryBackground.DoesNotExist, ExitResult.DoesNotExist):
        return None


def _enrolment(e: Enrolment) -> dict[str, Any]:
    plan = _action_plan(e)
    return {
        "agreement": e.agreement.title,
        **_row(e, ENROLMENT_FIELDS),
        "phase": e.phase.name if e.phase else "",
        "phase_changes": [
            {
                "date": _plain(c.date),
                "from": c.from_phase.name if c.from_phase else "",
                "to": c.to_phase.name,
            }
            for c in e.phase_changes.all()
        ],
        "assessments": [_row(a, ["date", "step", "comment"]) for a in e.assessments.all()],
        "action_plan": plan,
        "background": _one(e, "background", BACKGROUND_FIELDS),
        "exit": _exit(e),
        "exit_result": _one(e, "exit_result", RESULT_FIELDS),
        "follow_ups": [_row(f, FOLLOW_UP_FIELDS) for f in e.follow_ups.all()],
    }


def _enrolments(p: Participant) -> list[dict[str, Any]]:
    return [
        _enrolment(e)
        for e in p.enrolments.select_related("agreement", "phase", "background", "exit_result")
        .prefetch_related(
            "phase_changes__to_phase", "phase_changes__from_phase", "assessments", "follow_ups"
        )
        .order_by("start_date")
    ]


def _referrals(p: Participant) -> list[dict[str, Any]]:
    return [
        {
            # background: what a waiting referral holds until its admission.
            **_row(r, ["date", "referred_by", "reason", "requested_start", "status", "background"]),
            "organisation": str(r.organisation or ""),
            "agreement": r.agreement.title,
        }
        for r in p.referrals.select_related("organisation", "agreement")
    ]


def _consents(p: Participant) -> list[dict[str, Any]]:
    return [
        {
            **_row(c, CONSENT_FIELDS),
            "holder": c.holder.name,
            "organisation": c.organisation.name,
        }
        for c in p.consents.select_related("organisation", "holder")
    ]


def _contacts(p: Participant) -> list[dict[str, Any]]:
    return [
        {
            **_row(c, CONTACT_FIELDS),
            "agreement": c.agreement.title,
            "staff": c.staff.get_full_name() or c.staff.get_username(),
            "source_organisation": str(c.source_organisation or ""),
        }
        for c in p.contacts.select_related("agreement", "staff", "source_organisation").order_by(
            "date", "pk"
        )
    ]


def _attendance(p: Participant) -> list[dict[str, Any]]:
    return [
        {
            **_row(a, ["date", "status"]),
            "agreement": a.agreement.title,
            "session": str(a.session) if a.session_id else "",
        }
        for a in p.attendance.select_related("agreement", "session__activity").order_by(
            "date", "pk"
        )
    ]


def _access_log(p: Participant) -> list[dict[str, Any]]:
    return [
        {
            **_row(log, ["at", "username", "action", "what", "ip_address"]),
            "organisation": str(log.organisation or ""),
        }
        for log in AccessLog.objects.filter(participant=p)
        .select_related("organisation")
        .order_by("at", "pk")
    ]


def participant_data(participant: Participant) -> dict[str, Any]:
    """The whole record as plain JSON-able data."""
    p = participant
    enrolments = _enrolments(p)
    return {
        "exported_at": _plain(timezone.now()),
        "participant": _row(p, PARTICIPANT_FIELDS),
        "referrals": _referrals(p),
        "consents": _consents(p),
        "enrolments": enrolments,
        "contacts": _contacts(p),
        "attendance": _attendance(p),
        "group_activities": [g.name for g in p.group_activities.all()],
        "access_log": _access_log(p),
    }


def _label(choices: Any, code: Any) -> Any:
    return dict(choices).get(code, code)


def _labelled(model: Any, row: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """A row as (Swedish label, readable value) pairs, for the PDF."""
    if not row:
        return []
    fields = {f.name: f for f in model._meta.concrete_fields}
    pairs = []
    for key, value in row.items():
        field = fields.get(key)
        label = str(field.verbose_name).capitalize() if field else key
        if key == "income_sources":
            value = ", ".join(str(_label(IncomeSource.choices, v)) for v in value)
        elif isinstance(value, bool):
            value = _("ja") if value else _("nej")
        elif field is not None and field.choices:
            value = _label(field.choices, value)
        pairs.append((label, "" if value is None else value))
    return pairs


def _enrolment_for_reading(e: dict[str, Any]) -> dict[str, Any]:
    exit_row = {k: v for k, v in (e["exit"] or {}).items() if k != "handed_over_to"}
    return {
        **e,
        "exit_outcome": _label(ExitOutcome.choices, e["exit_outcome"]),
        "background_rows": _labelled(EntryBackground, e["background"]),
        "exit_rows": _labelled(ExitRecord, exit_row or None),
        "result_rows": _labelled(ExitResult, e["exit_result"]),
        "follow_up_rows": [_labelled(FollowUp, f) for f in e["follow_ups"]],
    }


def _for_reading(data: dict[str, Any]) -> dict[str, Any]:
    """The PDF is read by a person: field names and choice codes become their Swedish
    labels (the JSON export keeps the codes, for machines)."""
    return {
        **data,
        "participant_rows": _labelled(Participant, data["participant"]),
        "enrolments": [_enrolment_for_reading(e) for e in data["enrolments"]],
        "contacts": [
            {**c, "kind": _label(Contact.Kind.choices, c["kind"])} for c in data["contacts"]
        ],
        "attendance": [
            {**a, "status": _label(Attendance.Status.choices, a["status"])}
            for a in data["attendance"]
        ],
    }


def participant_pdf(data: dict[str, Any]) -> bytes:
    """Through the one safe renderer (iop.pdf): no fetching, page, time and memory limits.
    Not stored: it holds the person's data and is made only when they ask for it."""
    html = render_to_string("participants/export_pdf.html", {"data": _for_reading(data)})
    return html_to_pdf(html)
