"""No personnummer oracle: what a user is told when a typed personnummer is already held.

A programme for victims of trafficking must not tell a coordinator of another partnership
that a person is registered at all. So a personnummer that another participant already
holds is answered with NEUTRAL_REFUSAL, the same words as every other refusal of a
registration for this reason (the database constraint, the throttle), and a duplicate case
(`DuplicateSuspicion`) is opened for an administrator, who can find out whether it is the
same person and what to do. The case references the existing participant and the user;
the typed value is never stored or logged.

Only when the user already sees the existing participant *with* identity (their own list
shows the name and personnummer) does the answer name its code: that tells nothing the
user could not read on their own list, and it saves a duplicate. A participant the user
sees without identity gets the neutral answer, or the answer would reveal the hidden
personnummer.

Throttle: after THROTTLE_LIMIT collisions within THROTTLE_WINDOW, every registration by
the user (form, edit or import) gets the neutral answer without looking anything up, and
each such refusal is written to the security log.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerships.models import User

from .access import participant_access, visible_participants
from .models import DuplicateSuspicion, Participant
from .validators import normalise_personnummer

security_log = logging.getLogger("iop.security")

NEUTRAL_REFUSAL = gettext_lazy("Deltagaren kan inte registreras – kontakta administratören.")
THROTTLE_LIMIT = 5
THROTTLE_WINDOW = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Collision:
    """Another participant holds the personnummer."""

    existing_id: int
    existing_code: str
    shown: bool  # the user sees that participant with name and personnummer

    @property
    def message(self) -> str:
        if self.shown:
            return _(
                "Det finns redan en deltagare med det personnumret. Den har koden %(code)s."
            ) % {"code": self.existing_code}
        return str(NEUTRAL_REFUSAL)


def normalised(personnummer: str) -> str:
    """The stored form of a typed personnummer, or "" when it is not one (the model's own
    validation reports that)."""
    try:
        return normalise_personnummer(personnummer) if personnummer else ""
    except ValidationError:
        return ""


def find_collision(
    user: User, personnummer: str, *, exclude_id: int | None = None
) -> Collision | None:
    """The participant other than `exclude_id` holding `personnummer`, as the user may be
    told about it; None when nobody holds it."""
    value = normalised(personnummer)
    if not value:
        return None
    holders = Participant.objects.filter(personnummer=value)
    if exclude_id is not None:
        holders = holders.exclude(pk=exclude_id)
    holder = holders.first()
    if holder is None:
        return None
    return Collision(holder.pk, holder.code, shown=_sees_identity(user, holder))


def _sees_identity(user: User, participant: Participant) -> bool:
    if not visible_participants(user).filter(pk=participant.pk).exists():
        return False
    return participant_access(user, participant).identity


def recent_collisions(user: User) -> int:
    """Duplicate cases the user has run into within the throttle window."""
    since = timezone.now() - THROTTLE_WINDOW
    return DuplicateSuspicion.objects.reported_by_since(user.pk, since).count()


def is_throttled(user: User, *, pending: int = 0) -> bool:
    """Whether the user's registrations are refused outright (`pending`: collisions found
    in this request but not yet saved as cases)."""
    return recent_collisions(user) + pending >= THROTTLE_LIMIT


def log_throttled(user: User, source: str) -> None:
    security_log.warning(
        "Registration refused: user %s has run into %s or more duplicate personnummer "
        "within %s (%s)",
        user.get_username(),
        THROTTLE_LIMIT,
        THROTTLE_WINDOW,
        source,
    )
