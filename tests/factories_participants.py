"""factory_boy factories for participants, built on tests/factories.py."""

from __future__ import annotations

import datetime

import factory

from participants.models import (
    Attendance,
    Consent,
    Contact,
    Enrolment,
    Gender,
    GroupActivity,
    GroupSession,
    IncomeSource,
    Participant,
    Phase,
    ProgressAssessment,
)
from tests.factories import AgreementFactory, OrganisationFactory, UserFactory


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    gender = Gender.WOMAN
    birth_year = 1985
    language = "svenska"


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    participant = factory.SubFactory(ParticipantFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    share_identity = True
    share_notes = True
    share_plan = True
    given_on = datetime.date(2026, 1, 1)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    participant = factory.SubFactory(ParticipantFactory)
    agreement = factory.SubFactory(AgreementFactory)
    start_date = datetime.date(2026, 1, 15)
    planned_min_days = 90
    planned_max_days = 365
    income_at_start = IncomeSource.INCOME_SUPPORT
    phase = factory.LazyFunction(lambda: Phase.objects.filter(agreement__isnull=True).first())


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    participant = factory.SubFactory(ParticipantFactory)
    agreement = factory.SubFactory(AgreementFactory)
    date = datetime.date(2026, 2, 1)
    kind = Contact.Kind.MEETING
    duration_minutes = 45
    staff = factory.SubFactory(UserFactory)
    topic = "Uppföljning"


class GroupActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupActivity

    agreement = factory.SubFactory(AgreementFactory)
    name = factory.Sequence(lambda n: f"Studiecirkel {n}")
    kind = GroupActivity.Kind.STUDY_CIRCLE


class GroupSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupSession

    activity = factory.SubFactory(GroupActivityFactory)
    date = datetime.date(2026, 3, 2)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    participant = factory.SubFactory(ParticipantFactory)
    agreement = factory.SubFactory(AgreementFactory)
    date = datetime.date(2026, 3, 2)
    status = Attendance.Status.PRESENT


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressAssessment

    enrolment = factory.SubFactory(EnrolmentFactory)
    date = datetime.date(2026, 2, 1)
    step = 3


def enrolled(
    agreement, organisation, *, consent: dict | None = None, **participant_fields
) -> Enrolment:
    """A participant enrolled in `agreement` who consents to `organisation` seeing them."""
    participant = ParticipantFactory(**participant_fields)
    ConsentFactory(participant=participant, organisation=organisation, **(consent or {}))
    return EnrolmentFactory(participant=participant, agreement=agreement)
