"""Teams of caseworkers from several agencies, as in Malmökraften."""

from __future__ import annotations

import datetime

import factory

from participants.models import Function, Team, TeamMember


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    caseload_target = 100


class TeamMemberFactory(factory.django.DjangoModelFactory[TeamMember]):
    class Meta:
        model = TeamMember

    function = Function.EMPLOYMENT_OFFICER
    organisation = factory.LazyAttribute(lambda m: m.user.organisation)
    start_date = datetime.date(2026, 1, 1)
