"""Factories for the reporting tests: actual costs, other funding, and just enough
participant data to check the statistics (built directly on the participants models)."""

import datetime
from decimal import Decimal

import factory

from participants.models import Attendance, Contact, Enrolment, Participant, ProgressAssessment
from partnerships.models import ActualCost, Meeting, OtherFunding
from tests.factories import AgreementFactory, CostLineFactory, UserFactory


class ActualCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActualCost

    cost_line = factory.SubFactory(CostLineFactory)
    date = datetime.date(2026, 6, 30)
    amount = Decimal("10000")
    voucher = factory.Sequence(lambda n: f"V-{n:05d}")


class OtherFundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OtherFunding

    funder = "Allmänna arvsfonden"
    amount = Decimal("50000")


class ReportParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    name = factory.Sequence(lambda n: f"Hemlig Person {n}")
    gender = "woman"
    birth_year = 1990


class ReportEnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    participant = factory.SubFactory(ReportParticipantFactory)
    agreement = factory.SubFactory(AgreementFactory)
    start_date = datetime.date(2026, 2, 1)


class ReportContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    participant = factory.SubFactory(ReportParticipantFactory)
    agreement = factory.SubFactory(AgreementFactory)
    date = datetime.date(2026, 3, 1)
    kind = Contact.Kind.MEETING
    duration_minutes = 60
    staff = factory.SubFactory(UserFactory)


class ReportAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    participant = factory.SubFactory(ReportParticipantFactory)
    agreement = factory.SubFactory(AgreementFactory)
    date = datetime.date(2026, 3, 2)
    status = Attendance.Status.PRESENT


class ReportAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressAssessment

    enrolment = factory.SubFactory(ReportEnrolmentFactory)
    date = datetime.date(2026, 3, 1)
    step = 2


class ReportMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    agreement = factory.SubFactory(AgreementFactory)
    kind = Meeting.Kind.FOLLOWUP
    status = Meeting.Status.HELD
    date = datetime.date(2026, 3, 15)
    convened_by = factory.LazyAttribute(lambda o: o.agreement.parties.first().organisation)
