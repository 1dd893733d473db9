"""A statistics network for tests: a coordinating organisation, members, per-network roles
and an open form. Figures are counts only, invented."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from iop.audit import AuditContext
from partnerships.models import Organisation, User
from reporting.actions_network import open_form, submit_counts
from reporting.models import Network, NetworkForm, NetworkMember, NetworkRole, NetworkSubmission
from reporting.models_network import COUNT, SINGLE, default_dimensions
from tests.factories.partnerships import OrganisationFactory, UserFactory


@dataclass
class NetworkWorld:
    network: Network
    coordinator: User
    members: list[NetworkMember]
    reporters: list[User]
    form: NetworkForm


def make_network(
    n_members: int = 4,
    *,
    coordinator_org: Organisation | None = None,
    coordinator: User | None = None,
    year: int = 2026,
) -> NetworkWorld:
    coordinating = coordinator_org or OrganisationFactory.create(name="Påhittade plattformen")
    network = Network.objects.create(
        name="Påhittat nätverk mot människohandel", coordinator=coordinating
    )
    coordinator = coordinator or UserFactory.create(organisation=coordinating)
    NetworkRole.objects.create(network=network, user=coordinator, kind=NetworkRole.Kind.COORDINATOR)
    members, reporters = [], []
    for i in range(n_members):
        org = OrganisationFactory.create(name=f"Medlem {chr(65 + i)}")
        member = NetworkMember.objects.create(network=network, organisation=org)
        user = UserFactory.create(organisation=org)
        NetworkRole.objects.create(
            network=network, user=user, kind=NetworkRole.Kind.REPORTER, member=member
        )
        members.append(member)
        reporters.append(user)
    form = NetworkForm.objects.create(
        network=network,
        year=year,
        due_on=datetime.date(year + 1, 1, 31),
        closes_on=datetime.date(year + 1, 2, 28),
    )
    form = open_form(form=form, user=coordinator, audit=AuditContext.system())
    return NetworkWorld(network, coordinator, members, reporters, form)


def spread(total: int, n: int) -> list[int]:
    """`total` split over n categories as evenly as whole numbers allow, the rest first."""
    return [total // n + (1 if i < total % n else 0) for i in range(n)]


def counts_for(
    form: NetworkForm, total: int, overrides: dict[str, dict[str, int]] | None = None
) -> dict[str, dict[str, int]]:
    """Counts that add up: each single dimension spread over its categories, multiple
    dimensions zero, a count dimension zero; `overrides` replace whole dimensions."""
    counts: dict[str, dict[str, int]] = {}
    for dim in default_dimensions() if form is None else form.dimensions:
        cats = [c["key"] for c in dim["categories"]]
        if dim["kind"] == SINGLE:
            counts[dim["key"]] = dict(zip(cats, spread(total, len(cats)), strict=True))
        elif dim["kind"] == COUNT:
            counts[dim["key"]] = {"": 0}
        else:
            counts[dim["key"]] = dict.fromkeys(cats, 0)
    counts.update(overrides or {})
    return counts


def submit(
    world: NetworkWorld, index: int, total: int, overrides: dict[str, Any] | None = None
) -> NetworkSubmission:
    return submit_counts(
        form=world.form,
        member=world.members[index],
        total_contacts=total,
        counts=counts_for(world.form, total, overrides),
        user=world.reporters[index],
        audit=AuditContext.system(),
    )
