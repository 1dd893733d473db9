"""What every figure module shares: the zero of money, percentages and the agreements filter.

Every participant, money and meeting figure takes `agreements` as one Agreement or several
(a queryset or a list of ids), so that the steering-group dashboards can aggregate over
many partnerships with the same code and the same number of queries.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Q, Value

from partnerships.models import Agreement

ZERO = Decimal("0")
HUNDRED = Decimal("100")
MONEY_ZERO = Value(ZERO, output_field=DecimalField(max_digits=14, decimal_places=2))


def percent_of(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"))


def by_agreement(agreements: Any, field: str = "agreement") -> Q:
    if isinstance(agreements, Agreement):
        return Q(**{field: agreements})
    return Q(**{f"{field}__in": agreements})
