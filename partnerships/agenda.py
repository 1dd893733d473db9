"""The draft agenda of a new meeting of a body, filled from live data.

Open action items, risks due for review, open obstacles, key figures since the body's
previous meeting and the deadlines of the coming quarter; the convener edits the text
before saving. Figures about participants belong to higher apps: they contribute lines
through `hooks.register_agenda_figures` (counts of people pass their suppression there).
"""

from __future__ import annotations

import datetime

from django.db.models import Sum
from django.utils.translation import gettext as _

from . import hooks
from .deadlines import _agreement_deadlines
from .models import (
    ActionItem,
    ActualCost,
    Agreement,
    GovernanceBody,
    Meeting,
    add_months,
    format_sek,
)

REVIEW_AHEAD_DAYS = 31


def previous_meeting_date(body: GovernanceBody, day: datetime.date) -> datetime.date:
    """The day of the body's last meeting before `day`, else the agreement's start."""
    last = (
        Meeting.objects.filter(body=body, date__lt=day)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    return last or body.agreement.start_date


def draft_agenda(body: GovernanceBody, day: datetime.date) -> str:
    """The agenda text, one item per line (the meeting's agenda field reads it so)."""
    agreement = body.agreement
    since = previous_meeting_date(body, day)
    lines = [_("Mötets öppnande och val av justerare"), _("Föregående protokoll")]
    lines += _open_action_items(agreement, day)
    lines += [
        _("Risk att se över: %(risk)s (grad %(grade)s, översyn %(due)s)")
        % {"risk": r.title, "grade": r.get_grade_display(), "due": r.next_review.isoformat()}
        for r in agreement.risks.due_for_review(day + datetime.timedelta(REVIEW_AHEAD_DAYS))
        if r.next_review
    ]
    lines += [
        _("Öppet hinder: %(what)s (%(where)s)")
        % {"what": o.description.splitlines()[0][:120], "where": o.lies_with}
        for o in agreement.obstacles.unresolved()
    ]
    lines.append(
        _("Nyckeltal sedan %(since)s: %(figures)s")
        % {"since": since.isoformat(), "figures": "; ".join(key_figures(agreement, since, day))}
    )
    lines += _coming_deadlines(agreement, day)
    lines += [_("Övriga frågor"), _("Nästa möte"), _("Mötets avslutande")]
    return "\n".join(lines)


def _open_action_items(agreement: Agreement, day: datetime.date) -> list[str]:
    items = ActionItem.objects.filter(meeting__agreement=agreement).open().order_by("due_date")
    return [
        _("Åtgärd: %(what)s – %(owner)s, senast %(due)s%(late)s")
        % {
            "what": item.description,
            "owner": item.owner,
            "due": item.due_date.isoformat(),
            "late": _(" (försenad)") if item.due_date < day else "",
        }
        for item in items
    ]


def key_figures(agreement: Agreement, since: datetime.date, day: datetime.date) -> list[str]:
    spent = ActualCost.objects.filter(
        cost_line__budget__agreement=agreement, date__gt=since, date__lte=day
    ).aggregate(total=Sum("amount"))["total"]
    figures = [_("utfall %(amount)s") % {"amount": format_sek(spent or 0)}]
    for source in hooks.agenda_figure_sources():
        figures += source(agreement, since, day)
    return figures


def _coming_deadlines(agreement: Agreement, day: datetime.date) -> list[str]:
    until = add_months(day, 3)
    found = [d for d in _agreement_deadlines(agreement, day) if day <= d.date <= until]
    for source in hooks.deadline_sources():
        found += [d for d in source.deadlines([agreement], day) if day <= d.date <= until]
    return [
        _("Tidsfrist %(day)s: %(title)s") % {"day": d.date.isoformat(), "title": d.title}
        for d in sorted(found, key=lambda d: d.date)
    ]
