"""Start a member's submission from the counts its anonymous outreach already holds.

A member organisation that runs an IOP in iop (the operator of an agreement) records its
outreach as anonymous counts (participants' AnonymousContactCount: date, gender, age
band, count). For a reporting period those counts give the total contacts and, where the
form's categories correspond, the gender and age-band rows of the grid: a gender by the
same key, an age band when it lies wholly inside one of the form's bands. What has no
counterpart is left out and said so; the member reviews the grid and submits it as usual.
A cross-tabulation's cells are left empty for the member to fill in (the outreach counts
give only its gender margin, not e.g. the form of exploitation), and that is said too.
Only the agreements the member's own organisation runs are counted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import gettext as _

from participants.models import AgeBand, AnonymousContactCount, Gender
from partnerships.models import AgreementParty, User

from .models_network import COUNT, NetworkForm, NetworkMember, field_name

GENDER, AGE = "gender", "age"


@dataclass
class OutreachPrefill:
    total: int = 0
    initial: dict[str, int] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.total > 0


def may_prefill(user: User, member: NetworkMember) -> bool:
    """Whether the user may start from the member's outreach: staff of the member
    organisation, when it runs an agreement in iop (one query)."""
    return (
        user.organisation_id == member.organisation_id
        and AgreementParty.objects.filter(
            organisation_id=member.organisation_id, role=AgreementParty.PartyRole.OPERATOR
        ).exists()
    )


def period_bounds(form: NetworkForm) -> tuple[datetime.date, datetime.date]:
    if form.half == 1:
        return datetime.date(form.year, 1, 1), datetime.date(form.year, 6, 30)
    if form.half == 2:
        return datetime.date(form.year, 7, 1), datetime.date(form.year, 12, 31)
    return datetime.date(form.year, 1, 1), datetime.date(form.year, 12, 31)


def _interval(key: str) -> tuple[int, int] | None:
    """An age band's years from its key ("18-24", "50-", "65+"); None when not a band."""
    low, sep, high = key.replace("+", "-").partition("-")
    if not sep or not low.isdigit() or not (high.isdigit() or high == ""):
        return None
    return int(low), int(high) if high else 200


def _age_category(band: str, categories: list[str]) -> str | None:
    if band in categories:
        return band
    inner = _interval(band)
    if inner is None:
        return None
    for category in categories:
        outer = _interval(category)
        if outer is not None and outer[0] <= inner[0] and inner[1] <= outer[1]:
            return category
    return None


def outreach_prefill(form: NetworkForm, member: NetworkMember) -> OutreachPrefill:
    """The grid's starting values from the member organisation's outreach (one query)."""
    start, end = period_bounds(form)
    agreements = AgreementParty.objects.filter(
        organisation_id=member.organisation_id, role=AgreementParty.PartyRole.OPERATOR
    ).values("agreement_id")
    rows = (
        AnonymousContactCount.objects.filter(agreement_id__in=agreements)
        .between(start, end)
        .values_list("gender", "age_band")
        .annotate(n=Sum("count"))
        .order_by()
    )
    prefill = OutreachPrefill()
    dims = {d["key"]: d for d in form.dimensions if d["kind"] != COUNT}
    cats = {key: [c["key"] for c in dim["categories"]] for key, dim in dims.items()}
    unmatched: dict[str, int] = {}
    for gender, band, n in rows:
        prefill.total += n
        for dim, value, match in (
            (GENDER, gender, gender if gender in cats.get(GENDER, []) else None),
            (AGE, band, _age_category(band, cats.get(AGE, []))),
        ):
            if dim not in dims:
                continue
            if match is None:
                label = Gender(value).label if dim == GENDER else AgeBand(value).label
                unmatched[f"{dims[dim]['label']}: {label}"] = (
                    unmatched.get(f"{dims[dim]['label']}: {label}", 0) + n
                )
                continue
            name = field_name(dim, match)
            prefill.initial[name] = prefill.initial.get(name, 0) + n
    if prefill.found:
        prefill.initial["total_contacts"] = prefill.total
    prefill.left_out = [
        _("%(what)s (%(n)s kontakter) har ingen motsvarighet i formuläret.")
        % {"what": what, "n": n}
        for what, n in sorted(unmatched.items())
    ]
    prefill.left_out += [
        _(
            "Korstabellen %(rows)s × %(columns)s fylls inte i från verksamhetens antal; "
            "fyll i den själv."
        )
        % {"rows": row_dim["label"], "columns": col_dim["label"]}
        for row_dim, col_dim in form.crosstab_tables
    ]
    return prefill
