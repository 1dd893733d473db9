"""Demo: a statistics network against trafficking with 20 invented member organisations
and three years of invented contact counts; one member is late with the latest year.

The demo login "ansvarig" coordinates the network and "koordinator" reports for her
organisation (a member that also runs an IOP). The other members' reporters are invented
users without a password (no logins). Every figure is invented.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone
from stdnum import luhn

from iop.audit import AuditContext
from partnerships.demo import DemoContext
from partnerships.models import Organisation, User

from .actions_network import open_form, publish_report, submit_counts
from .models_network import (
    COUNT,
    MULTIPLE,
    Network,
    NetworkForm,
    NetworkMember,
    NetworkRole,
    NetworkSubmission,
    crosstab_key,
)

NETWORK_NAME = "Samverkansnätverket mot exploatering (påhittat)"
MEMBER_NAMES = [
    "Stödcentrum Norrsken",
    "Föreningen Trygg Hamn",
    "Kvinnojouren Linnea",
    "Stiftelsen Ledstången",
    "Nätverket Bro",
    "Föreningen Fristad",
    "Hjälpande händer i Väst",
    "Jourföreningen Fyren",
    "Stödlinjen Solrosen",
    "Föreningen Öppen Dörr",
    "Mottagningen Ankaret",
    "Föreningen Vägvisaren",
    "Stiftelsen Gläntan",
    "Föreningen Skyddsnätet",
    "Råd och stöd i Mitt",
    "Föreningen Kompassen",
    "Stödgruppen Tallen",
    "Föreningen Lyktan",
    "Jouren Stjärnan",
]
# Weights per category of the single dimensions: plausible shapes, invented.
WEIGHTS = {
    "exploitation": [30, 25, 12, 10, 5, 8, 10],
    "gender": [60, 33, 2, 5],
    "age": [3, 8, 20, 30, 25, 9, 5],
    "identified": [25, 60, 15],
}


def _org_number(n: int) -> str:
    base = f"80297{n:04d}"
    digits = base + luhn.calc_check_digit(base)
    return f"{digits[:6]}-{digits[6:]}"


def _split(total: int, weights: list[int], rng: random.Random) -> list[int]:
    counts = [0] * len(weights)
    for index in rng.choices(range(len(weights)), weights=weights, k=total):
        counts[index] += 1
    return counts


def invented_counts(form: NetworkForm, total: int, rng: random.Random) -> dict[str, Any]:
    counts: dict[str, dict[str, int]] = {}
    for dim in form.dimensions:
        cats = [c["key"] for c in dim["categories"]]
        if dim["kind"] == COUNT:
            counts[dim["key"]] = {"": rng.randint(0, total // 3)}
        elif dim["kind"] == MULTIPLE:
            counts[dim["key"]] = {c: rng.randint(0, total * 3 // 5) for c in cats}
        else:
            weights = WEIGHTS.get(dim["key"]) or [1] * len(cats)
            counts[dim["key"]] = dict(zip(cats, _split(total, weights, rng), strict=True))
    return counts


def invented_crosstabs(form: NetworkForm, counts: dict[str, Any]) -> dict[str, Any]:
    """Cross-tabulation cells that add up to the invented margins: each row's contacts
    laid out over the columns' remaining counts in turn (the north-west corner rule)."""
    result: dict[str, Any] = {}
    for row_dim, col_dim in form.crosstab_tables:
        left = dict(counts[col_dim["key"]])
        table: dict[str, dict[str, int]] = {}
        for r in row_dim["categories"]:
            need = counts[row_dim["key"]][r["key"]]
            table[r["key"]] = {}
            for c in col_dim["categories"]:
                take = min(need, left[c["key"]])
                table[r["key"]][c["key"]] = take
                left[c["key"]] -= take
                need -= take
        result[crosstab_key(row_dim["key"], col_dim["key"])] = table
    return result


def _clear() -> None:
    NetworkSubmission.objects.filter(form__network__name=NETWORK_NAME).delete()
    Network.objects.filter(name=NETWORK_NAME).delete()


def _members(network: Network, ctx: DemoContext) -> list[tuple[NetworkMember, User]]:
    result = []
    for i, name in enumerate(MEMBER_NAMES, start=1):
        org, _ = Organisation.objects.update_or_create(
            org_number=_org_number(i),
            defaults={"name": name, "kind": Organisation.Kind.NON_PROFIT, "city": "Göteborg"},
        )
        user, _ = User.objects.get_or_create(
            username=f"natverk-rapportor-{i:02d}",
            defaults={"first_name": "Rapportör", "last_name": f"{i:02d}", "organisation": org},
        )
        user.set_unusable_password()
        user.save()
        member = NetworkMember.objects.create(network=network, organisation=org)
        NetworkRole.objects.create(
            network=network, user=user, kind=NetworkRole.Kind.REPORTER, member=member
        )
        result.append((member, user))
    own = NetworkMember.objects.create(
        network=network, organisation=ctx.organisations["helamanniskan"]
    )
    NetworkRole.objects.create(
        network=network, user=ctx.users["koordinator"], kind=NetworkRole.Kind.REPORTER, member=own
    )
    result.insert(0, (own, ctx.users["koordinator"]))
    return result


def load(ctx: DemoContext) -> None:
    _clear()
    audit = AuditContext.system()
    today = timezone.localdate()
    coordinator = ctx.users["ansvarig"]
    platform, _ = Organisation.objects.update_or_create(
        org_number=_org_number(99),
        defaults={"name": "Plattformen Samverkan (påhittad)", "kind": Organisation.Kind.NON_PROFIT},
    )
    network = Network.objects.create(name=NETWORK_NAME, coordinator=platform)
    NetworkRole.objects.create(network=network, user=coordinator, kind=NetworkRole.Kind.COORDINATOR)
    members = _members(network, ctx)
    rng = random.Random(17)
    sizes = [rng.randint(4, 90) for _ in members]
    for years_back in (3, 2, 1):
        year = today.year - years_back
        form = NetworkForm.objects.create(
            network=network,
            year=year,
            # The coordinator's choice of cross-tabulation: form of exploitation × gender.
            crosstabs=[{"rows": "exploitation", "columns": "gender"}],
            due_on=today + datetime.timedelta(days=30),
            closes_on=today + datetime.timedelta(days=60),
        )
        open_form(form=form, user=coordinator, audit=audit)
        for index, (member, reporter) in enumerate(members):
            if years_back == 1 and index == len(members) - 1:
                continue  # the one late member
            total = max(0, sizes[index] + rng.randint(-10, 15) * (4 - years_back) // 2)
            counts = invented_counts(form, total, rng)
            submit_counts(
                form=form,
                member=member,
                total_contacts=total,
                counts=counts,
                crosstab_counts=invented_crosstabs(form, counts),
                user=reporter,
                audit=audit,
            )
        # The period's real dates: last year's is past its deadline but still open.
        due = datetime.date(year + 1, 1, 31)
        closes = max(due, today + datetime.timedelta(days=45)) if years_back == 1 else due
        NetworkForm.objects.filter(pk=form.pk).update(due_on=due, closes_on=closes)
        NetworkSubmission.objects.filter(form=form).update(
            submitted_at=timezone.make_aware(datetime.datetime(year + 1, 1, 20, 10, 0))
        )
        if years_back > 1:
            publish_report(form=form, user=coordinator, audit=audit)
