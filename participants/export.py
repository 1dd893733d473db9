"""Data-subject export: everything held on one participant, including who looked at it.

Administrators only (the views check); the export itself is logged.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from .models import (
    AccessLog,
    ActionPlan,
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


def participant_data(participant: Participant) -> dict[str, Any]:
    """The whole record as plain JSON-able data."""
    p = participant
    enrolments = []
    for e in (
        p.enrolments.select_related("agreement", "phase")
        .prefetch_related("phase_changes__to_phase", "phase_changes__from_phase", "assessments")
        .order_by("start_date")
    ):
        try:
            plan: ActionPlan | None = e.action_plan
        except ActionPlan.DoesNotExist:
            plan = None
        enrolments.append(
            {
                "agreement": e.agreement.title,
                **_row(
                    e,
                    [
                        "start_date",
                        "planned_min_days",
                        "planned_max_days",
                        "income_at_start",
                        "income_at_exit",
                        "exit_date",
                        "exit_outcome",
                        "next_step",
                    ],
                ),
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
                "action_plan": None
                if plan is None
                else {
                    **_row(plan, ["drawn_up_on", "summary"]),
                    "goals": [
                        _row(g, ["description", "target_date", "achieved_on"])
                        for g in plan.goals.all()
                    ],
                },
            }
        )
    return {
        "exported_at": _plain(timezone.now()),
        "participant": _row(
            p,
            [
                "code",
                "name",
                "personnummer",
                "gender",
                "birth_year",
                "language",
                "created_at",
                "pseudonymised_at",
            ],
        ),
        "referrals": [
            {
                **_row(r, ["date", "referred_by", "reason"]),
                "organisation": str(r.organisation or ""),
                "agreement": r.agreement.title,
            }
            for r in p.referrals.select_related("organisation", "agreement")
        ],
        "consents": [
            {
                **_row(
                    c,
                    [
                        "share_identity",
                        "share_notes",
                        "share_plan",
                        "given_on",
                        "withdrawn_on",
                        "expires_on",
                    ],
                ),
                "organisation": c.organisation.name,
            }
            for c in p.consents.select_related("organisation")
        ],
        "enrolments": enrolments,
        "contacts": [
            {
                **_row(c, ["date", "kind", "duration_minutes", "topic", "referrals", "note"]),
                "agreement": c.agreement.title,
                "staff": c.staff.get_full_name() or c.staff.get_username(),
            }
            for c in p.contacts.select_related("agreement", "staff").order_by("date", "pk")
        ],
        "attendance": [
            {
                **_row(a, ["date", "status"]),
                "agreement": a.agreement.title,
                "session": str(a.session) if a.session_id else "",
            }
            for a in p.attendance.select_related("agreement", "session__activity").order_by(
                "date", "pk"
            )
        ],
        "group_activities": [g.name for g in p.group_activities.all()],
        "access_log": [
            {
                **_row(log, ["at", "username", "action", "what", "ip_address"]),
                "organisation": str(log.organisation or ""),
            }
            for log in AccessLog.objects.filter(participant=p)
            .select_related("organisation")
            .order_by("at", "pk")
        ],
    }


def _refuse_fetch(url: str, *args, **kwargs):
    # The PDF needs nothing from outside; text typed by users must not make us fetch URLs.
    raise ValueError(f"Refused: {url[:100]}")


def participant_pdf(data: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string("participants/export_pdf.html", {"data": data})
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
