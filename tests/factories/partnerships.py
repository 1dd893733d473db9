"""factory_boy factories for the partnership models: organisations and users, agreements,
budgets and actual costs, meetings. The other apps' factories (tests/factories/<app>.py)
build on these."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from stdnum import luhn

from partnerships.extensions import PartyApproval
from partnerships.models import (
    ActionItem,
    ActualCost,
    Agreement,
    AgreementParty,
    Attendee,
    Budget,
    ContactPerson,
    CostLine,
    Decision,
    FundingShare,
    Meeting,
    Organisation,
    OtherFunding,
    Role,
    User,
)

PASSWORD = "correct-horse-battery-staple"


def _org_number(n: int) -> str:
    base = f"802{n:06d}"[-9:]
    digits = base + luhn.calc_check_digit(base)
    return f"{digits[:6]}-{digits[6:]}"


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Förening {n}")
    org_number = factory.Sequence(lambda n: _org_number(n + 100))
    kind = Organisation.Kind.NON_PROFIT


class MunicipalityFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Kommun {n}")
    org_number = factory.Sequence(lambda n: _org_number(n + 500000))
    kind = Organisation.Kind.MUNICIPALITY


class ContactPersonFactory(factory.django.DjangoModelFactory[ContactPerson]):
    class Meta:
        model = ContactPerson

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Kontakt {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A user with one role; pass role=Role.X and organisation=..."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Användare {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        role = extracted or Role.COORDINATOR
        group, _ = Group.objects.get_or_create(name=role)
        self.groups.add(group)
        if role == Role.ADMIN:
            self.is_superuser = True
            self.is_staff = True
        self.save()


class AgreementFactory(factory.django.DjangoModelFactory[Agreement]):
    class Meta:
        model = Agreement

    short_id = factory.Sequence(lambda n: f"iop-{n}")
    title = factory.Sequence(lambda n: f"IOP Test {n}")
    start_date = datetime.date(2026, 1, 1)
    end_date = datetime.date(2027, 12, 31)
    status = Agreement.Status.ACTIVE
    decision_date = datetime.date(2025, 12, 1)
    capacity = 40


class PartyFactory(factory.django.DjangoModelFactory[AgreementParty]):
    class Meta:
        model = AgreementParty

    agreement = factory.SubFactory(AgreementFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = AgreementParty.PartyRole.OPERATOR


class BudgetFactory(factory.django.DjangoModelFactory[Budget]):
    class Meta:
        model = Budget

    agreement = factory.SubFactory(AgreementFactory)
    year = 2026


class CostLineFactory(factory.django.DjangoModelFactory[CostLine]):
    class Meta:
        model = CostLine

    budget = factory.SubFactory(BudgetFactory)
    category = CostLine.Category.PERSONNEL
    description = "Personal"
    amount = Decimal("100000")


class FundingShareFactory(factory.django.DjangoModelFactory[FundingShare]):
    class Meta:
        model = FundingShare

    budget = factory.SubFactory(BudgetFactory)
    party = factory.SubFactory(PartyFactory)
    percent = Decimal("100")


class ActualCostFactory(factory.django.DjangoModelFactory[ActualCost]):
    class Meta:
        model = ActualCost

    cost_line = factory.SubFactory(CostLineFactory)
    date = datetime.date(2026, 6, 30)
    amount = Decimal("10000")
    voucher = factory.Sequence(lambda n: f"V-{n:05d}")


class OtherFundingFactory(factory.django.DjangoModelFactory[OtherFunding]):
    class Meta:
        model = OtherFunding

    funder = "Allmänna arvsfonden"
    amount = Decimal("50000")


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    """A held follow-up meeting; pass agreement= and convened_by= (a party's organisation)."""

    class Meta:
        model = Meeting

    agreement = factory.SubFactory(AgreementFactory)
    kind = Meeting.Kind.FOLLOWUP
    status = Meeting.Status.HELD
    date = datetime.date(2026, 3, 10)
    convened_by = factory.SubFactory(OrganisationFactory)
    place = "Mötesrummet"


class AttendeeFactory(factory.django.DjangoModelFactory[Attendee]):
    class Meta:
        model = Attendee

    meeting = factory.SubFactory(MeetingFactory)
    name = factory.Sequence(lambda n: f"Påhittad Person {n}")
    organisation = factory.SelfAttribute("meeting.convened_by")


class DecisionFactory(factory.django.DjangoModelFactory[Decision]):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"Beslut nummer {n}")


class ActionItemFactory(factory.django.DjangoModelFactory[ActionItem]):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Åtgärd {n}")
    owner = "Påhittad Ansvarig"
    due_date = datetime.date(2026, 12, 1)


def every_party_approves(agreement: Agreement, day: datetime.date) -> list[PartyApproval]:
    """Each party's approval of an extension on `day`, as the extension form records it."""
    return [
        PartyApproval(party=party, approved_on=day, approved_by=f"Styrelsen, {party.organisation}")
        for party in agreement.parties.select_related("organisation")
    ]
