"""factory_boy factories for the partnership models. Other apps add theirs in
tests/factories_<app>.py and build on these."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from stdnum import luhn

from partnerships.models import (
    Agreement,
    AgreementParty,
    Budget,
    ContactPerson,
    CostLine,
    FundingShare,
    Organisation,
    Role,
    User,
)

PASSWORD = "correct-horse-battery-staple"


def _org_number(n: int) -> str:
    base = f"802{n:06d}"[-9:]
    digits = base + luhn.calc_check_digit(base)
    return f"{digits[:6]}-{digits[6:]}"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Förening {n}")
    org_number = factory.Sequence(lambda n: _org_number(n + 100))
    kind = Organisation.Kind.NON_PROFIT


class MunicipalityFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Kommun {n}")
    org_number = factory.Sequence(lambda n: _org_number(n + 500000))
    kind = Organisation.Kind.MUNICIPALITY


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Kontakt {n}")


class UserFactory(factory.django.DjangoModelFactory):
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


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    short_id = factory.Sequence(lambda n: f"iop-{n}")
    title = factory.Sequence(lambda n: f"IOP Test {n}")
    start_date = datetime.date(2026, 1, 1)
    end_date = datetime.date(2027, 12, 31)
    status = Agreement.Status.ACTIVE
    decision_date = datetime.date(2025, 12, 1)
    capacity = 40


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementParty

    agreement = factory.SubFactory(AgreementFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = AgreementParty.PartyRole.OPERATOR


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    agreement = factory.SubFactory(AgreementFactory)
    year = 2026


class CostLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostLine

    budget = factory.SubFactory(BudgetFactory)
    category = CostLine.Category.PERSONNEL
    description = "Personal"
    amount = Decimal("100000")


class FundingShareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingShare

    budget = factory.SubFactory(BudgetFactory)
    party = factory.SubFactory(PartyFactory)
    percent = Decimal("100")
