"""The deadline calendar as an iCalendar feed (RFC 5545), one secret address per user.

Calendar programs fetch the address without a session, so the token in the URL is the
only credential: it is long and random, a user has at most one active token, and a
revoked or unknown token answers 404 exactly like a page that does not exist. Creating
and revoking the address are verbs in actions.py.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from .deadlines import Deadline, deadlines_for_user
from .models import CalendarToken, User

PRODID = "-//IOP ärendehantering//Deadlines//SV"


def active_calendar_token(user: User) -> CalendarToken | None:
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).first()


def build_calendar(
    deadlines: list[Deadline], *, base_url: str, now: datetime.datetime | None = None
) -> bytes:
    """All-day events, one per deadline; the deadline key is the stable UID, so an event
    that moves (an extended agreement) is updated in the subscriber's calendar."""
    now = now or timezone.now()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("IOP – att göra"))
    cal.add("x-wr-timezone", "Europe/Stockholm")
    for deadline in deadlines:
        event = Event()
        event.add("uid", f"{deadline.key}@iop")
        event.add("dtstamp", now)
        event.add("dtstart", deadline.date)
        event.add("dtend", deadline.date + datetime.timedelta(days=1))
        event.add(
            "summary", f"{deadline.kind_label}: {deadline.title} ({deadline.agreement_title})"
        )
        description = deadline.detail
        if deadline.overdue:
            description = " ".join(filter(None, [_("Försenad."), description]))
        if description:
            event.add("description", description)
        event.add("url", base_url.rstrip("/") + deadline.url)
        event.add("categories", [deadline.kind_label])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    found = (
        CalendarToken.objects.filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if found is None:
        raise Http404
    # The feed shows what the user would see logged in: same access, same function.
    body = build_calendar(deadlines_for_user(found.user), base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="iop.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
