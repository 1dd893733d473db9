"""factory_boy factories for meetings, attendees, decisions and action items."""

import datetime

import factory

from partnerships.models import ActionItem, Attendee, Decision, Meeting
from tests.factories import AgreementFactory, OrganisationFactory


class MeetingFactory(factory.django.DjangoModelFactory):
    """A held follow-up meeting; pass agreement= and convened_by= (a party's organisation)."""

    class Meta:
        model = Meeting

    agreement = factory.SubFactory(AgreementFactory)
    kind = Meeting.Kind.FOLLOWUP
    status = Meeting.Status.HELD
    date = datetime.date(2026, 3, 10)
    convened_by = factory.SubFactory(OrganisationFactory)
    place = "Mötesrummet"


class AttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendee

    meeting = factory.SubFactory(MeetingFactory)
    name = factory.Sequence(lambda n: f"Påhittad Person {n}")
    organisation = factory.SelfAttribute("meeting.convened_by")


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"Beslut nummer {n}")


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Åtgärd {n}")
    owner = "Påhittad Ansvarig"
    due_date = datetime.date(2026, 12, 1)
