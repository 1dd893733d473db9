"""factory_boy factories for participants, built on tests/factories/partnerships.py.

Each factory's `plain=True` trait gives the bare record the statistics tests count from:
a named participant born 1990, an enrolment from 2026-02-01 with no phase, planned time
or income source, a one-hour contact without a topic.
"""

from __future__ import annotations

import datetime

import factory

from participants.models import (
    Attendance,
    Consent,
    ConsentMethod,
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
from partnerships.models import Organisation
from tests.factories.partnerships import AgreementFactory, OrganisationFactory, UserFactory


class ParticipantFactory(factory.django.DjangoModelFactory[Participant]):
    class Meta:
        model = Participant

    organisation = factory.LazyFunction(lambda: registering_organisation())
    gender = Gender.WOMAN
    birth_year = 1985
    language = "svenska"

    class Params:
        plain = factory.Trait(
            name=factory.Sequence(lambda n: f"Hemlig Person {n}"),
            birth_year=1990,
            language="",
        )


REGISTERING_ORGANISATION = "Socialtjänsten (registrerar deltagarna)"


def registering_organisation() -> Organisation:
    """The organisation that registered the factories' participants and wrote their
    factory-made contacts: the holder of their consents towards the test's parties."""
    found = Organisation.objects.filter(name=REGISTERING_ORGANISATION).first()
    return found or OrganisationFactory.create(name=REGISTERING_ORGANISATION)


def _holder(consent) -> Organisation:
    return consent.participant.organisation or registering_organisation()


class ConsentFactory(factory.django.DjangoModelFactory[Consent]):
    class Meta:
        model = Consent

    participant = factory.SubFactory(ParticipantFactory)
    holder = factory.LazyAttribute(_holder)
    organisation = factory.SubFactory(OrganisationFactory)
    share_identity = True
    share_notes = True
    share_plan = True
    share_health = False
    share_income = True
    purpose = "Samordnat stöd mot arbete"
    method = ConsentMethod.WRITTEN
    reference = factory.Sequence(lambda n: f"SAM-2026-{n:04d}")
    given_on = datetime.date(2026, 1, 1)


class EnrolmentFactory(factory.django.DjangoModelFactory[Enrolment]):
    class Meta:
        model = Enrolment

    participant = factory.SubFactory(ParticipantFactory)
    agreement = factory.SubFactory(AgreementFactory)
    start_date = datetime.date(2026, 1, 15)
    planned_min_days = 90
    planned_max_days = 365
    income_at_start = IncomeSource.INCOME_SUPPORT
    phase = factory.LazyFunction(lambda: Phase.objects.filter(agreement__isnull=True).first())

    class Params:
        plain = factory.Trait(
            participant=factory.SubFactory(ParticipantFactory, plain=True),
            start_date=datetime.date(2026, 2, 1),
            planned_min_days=None,
            planned_max_days=None,
            income_at_start="",
            phase=None,
        )


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    participant = factory.SubFactory(ParticipantFactory)
    agreement = factory.SubFactory(AgreementFactory)
    date = datetime.date(2026, 2, 1)
    kind = Contact.Kind.MEETING
    duration_minutes = 45
    staff = factory.SubFactory(UserFactory)
    topic = "Uppföljning"
    source_organisation = factory.LazyAttribute(
        lambda c: c.participant.organisation or registering_organisation()
    )

    class Params:
        plain = factory.Trait(
            participant=factory.SubFactory(ParticipantFactory, plain=True),
            date=datetime.date(2026, 3, 1),
            duration_minutes=60,
            topic="",
        )


class GroupActivityFactory(factory.django.DjangoModelFactory[GroupActivity]):
    class Meta:
        model = GroupActivity

    agreement = factory.SubFactory(AgreementFactory)
    name = factory.Sequence(lambda n: f"Studiecirkel {n}")
    kind = GroupActivity.Kind.STUDY_CIRCLE


class GroupSessionFactory(factory.django.DjangoModelFactory[GroupSession]):
    class Meta:
        model = GroupSession

    activity = factory.SubFactory(GroupActivityFactory)
    date = datetime.date(2026, 3, 2)


class AttendanceFactory(factory.django.DjangoModelFactory[Attendance]):
    class Meta:
        model = Attendance

    participant = factory.SubFactory(ParticipantFactory)
    agreement = factory.SubFactory(AgreementFactory)
    date = datetime.date(2026, 3, 2)
    status = Attendance.Status.PRESENT

    class Params:
        plain = factory.Trait(
            participant=factory.SubFactory(ParticipantFactory, plain=True),
        )


class AssessmentFactory(factory.django.DjangoModelFactory[ProgressAssessment]):
    class Meta:
        model = ProgressAssessment

    enrolment = factory.SubFactory(EnrolmentFactory)
    date = datetime.date(2026, 2, 1)
    step = 3
    source_organisation = factory.LazyAttribute(
        lambda a: a.enrolment.participant.organisation or registering_organisation()
    )

    class Params:
        plain = factory.Trait(
            enrolment=factory.SubFactory(EnrolmentFactory, plain=True),
            date=datetime.date(2026, 3, 1),
            step=2,
        )


def enrolled(
    agreement, organisation, *, consent: dict | None = None, **participant_fields
) -> Enrolment:
    """A participant registered by another organisation (registering_organisation()),
    enrolled in `agreement`, who consents to that organisation sharing with `organisation`
    what `consent` says (by default identity, notes, plan and income)."""
    participant = ParticipantFactory.create(**participant_fields)
    ConsentFactory.create(participant=participant, organisation=organisation, **(consent or {}))
    return EnrolmentFactory.create(participant=participant, agreement=agreement)
