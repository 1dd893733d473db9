"""E-mail reminders of coming deadlines, sent once per user and deadline.

The deadlines are those of deadlines.deadlines_for_user, the same the start page and the
calendar feed show. A SentReminder row per (user, deadline key, due date) makes a second
run on the same day send nothing; a deadline that moves (an extended agreement) has a new
due date and is reminded of again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import hooks
from .deadlines import Deadline, deadlines_for_user
from .models import Role, SentReminder, User

# Partnership managers keep the agreement's deadlines (see ../shared/DOMAIN.md).
DEFAULT_REMINDER_ROLES = (Role.MANAGER,)


@dataclass
class Reminder:
    user: User
    deadlines: list[Deadline]


def reminder_recipients(roles: tuple[str, ...] = DEFAULT_REMINDER_ROLES):
    """Users of the roles, and those a registered source has deadlines for of their own."""
    wanted = Q(groups__name__in=roles)
    for source in hooks.user_deadline_sources():
        wanted |= Q(pk__in=source.recipients())
    return User.objects.filter(wanted, is_active=True).exclude(email="").distinct().order_by("pk")


def due_reminders(
    *, today: datetime.date, days_ahead: int, roles: tuple[str, ...] = DEFAULT_REMINDER_ROLES
) -> list[Reminder]:
    """Per recipient, the deadlines up to `days_ahead` days from today (and the overdue
    ones) that they have not been reminded of yet."""
    until = today + datetime.timedelta(days=days_ahead)
    reminders = []
    for user in reminder_recipients(roles):
        deadlines = deadlines_for_user(user, today=today, until=until)
        if not deadlines:
            continue
        sent = set(
            SentReminder.objects.filter(user=user, key__in=[d.key for d in deadlines]).values_list(
                "key", "due_date"
            )
        )
        fresh = [d for d in deadlines if (d.key, d.date) not in sent]
        if fresh:
            reminders.append(Reminder(user=user, deadlines=fresh))
    return reminders


def reminder_message(reminder: Reminder, *, today: datetime.date) -> tuple[str, str]:
    count = len(reminder.deadlines)
    subject = ngettext(
        "IOP: %(n)s tidsgräns att hålla koll på", "IOP: %(n)s tidsgränser att hålla koll på", count
    ) % {"n": count}
    lines = [
        _("Hej %(name)s!") % {"name": reminder.user.get_full_name() or reminder.user.username},
        "",
        _("Det här närmar sig i dina partnerskap:"),
        "",
    ]
    for d in reminder.deadlines:
        state = _(" (försenad)") if d.date < today else ""
        lines.append(
            f"{d.date.isoformat()}{state}  {d.kind_label}: {d.title} – {d.agreement_title}"
        )
    lines += [
        "",
        _("Hela listan finns på startsidan: %(url)s")
        % {"url": getattr(settings, "IOP_SITE_URL", "").rstrip("/") + reverse("home")},
    ]
    return subject, "\n".join(lines) + "\n"


def send_reminder(reminder: Reminder, *, today: datetime.date) -> bool:
    """Record and send one user's reminder; False when another run already sent it."""
    with transaction.atomic():
        # Serialise concurrent runs per user, then check again what has been sent.
        User.objects.select_for_update().filter(pk=reminder.user.pk).first()
        sent = set(
            SentReminder.objects.filter(
                user=reminder.user, key__in=[d.key for d in reminder.deadlines]
            ).values_list("key", "due_date")
        )
        reminder.deadlines = [d for d in reminder.deadlines if (d.key, d.date) not in sent]
        if not reminder.deadlines:
            return False
        SentReminder.objects.bulk_create(
            SentReminder(user=reminder.user, key=d.key, due_date=d.date) for d in reminder.deadlines
        )
        subject, body = reminder_message(reminder, today=today)
        # Sent inside the transaction: if the mail server refuses, nothing is recorded and
        # the next run tries again.
        send_mail(subject, body, None, [reminder.user.email])
    return True
