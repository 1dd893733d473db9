"""Every figure the reports show, computed in one place.

These are plain functions over the other apps' data. The HTML preview, the PDF, the
frozen snapshot of a submitted report and the steering-group dashboards all call them,
so a number can only ever be computed one way; the annual report's drill-down lists the
enrolments behind a participant figure with the very filter that counts them
(figure_enrolments). They aggregate in the database and run a fixed number of queries
whatever the size of the partnership.

Results are plain dicts and lists of Decimals, ints, strings and booleans (no model
instances), so that they can be frozen as JSON and rendered again from the JSON exactly as
from the live data. Templates therefore never compare numbers: every flag (late,
overcompensated, target met) is computed here.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import (
    Count,
    DecimalField,
    F,
    FilteredRelation,
    Prefetch,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import (
    Coalesce,
    ExtractMonth,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.lifecycle import latest_version, version_on
from partnerships.models import (
    ActualCost,
    Agreement,
    AgreementParty,
    AgreementVersion,
    Budget,
    Goal,
    Indicator,
    IndicatorTarget,
    round_money,
)

if TYPE_CHECKING:
    # For annotations only: like the rest of this module, the functions import the
    # participants models when they run.
    from participants.models import EnrolmentQuerySet

ZERO = Decimal("0")
HUNDRED = Decimal("100")
MONEY_ZERO = Value(ZERO, output_field=DecimalField(max_digits=14, decimal_places=2))


# --------------------------------------------------------------------------- period and version


def check_year(agreement: Agreement, year: int) -> None:
    """Refuse a year the agreement does not cover, with the message users see."""
    if not agreement.covers_year(year):
        raise ValidationError(
            _("Året %(year)s ligger utanför överenskommelsens period %(start)s–%(end)s.")
            % {"year": year, "start": agreement.start_date.year, "end": agreement.end_date.year},
            code="year_outside_agreement",
        )


def period(agreement: Agreement, year: int) -> tuple[datetime.date, datetime.date]:
    """The part of `year` the agreement covers."""
    start = max(datetime.date(year, 1, 1), agreement.start_date)
    end = min(datetime.date(year, 12, 31), agreement.end_date)
    return start, end


def period_label(agreement: Agreement, year: int) -> str:
    """ "helår 2024" for a whole year, otherwise the dates: "2026-03-01–2026-12-31"."""
    start, end = period(agreement, year)
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return _("helår %(year)s") % {"year": year}
    return f"{start.isoformat()}–{end.isoformat()}"


def version_for_year(agreement: Agreement, year: int) -> AgreementVersion | None:
    """The agreement version the year's documents are computed from.

    The version in force at the end of the year's period (amendments made later for a
    closed year do not rewrite it); if every version is dated later, the latest one.
    """
    _start, end = period(agreement, year)
    return version_on(agreement, end) or latest_version(agreement)


def version_info(version: AgreementVersion | None) -> dict[str, Any]:
    if version is None:
        return {"number": None, "label": _("ingen registrerad version"), "summary": ""}
    return {
        "number": version.number,
        "label": _("version %(n)s, gäller från %(day)s")
        % {"n": version.number, "day": version.valid_from.isoformat()},
        "summary": version.summary,
    }


def budget_for(agreement: Agreement, year: int) -> Budget:
    check_year(agreement, year)
    try:
        return Budget.objects.select_related("agreement").get(agreement=agreement, year=year)
    except Budget.DoesNotExist as exc:
        raise ValidationError(
            _("Det finns ingen budget för %(year)s. Lägg in budgeten innan du tar fram underlaget.")
            % {"year": year},
            code="no_budget",
        ) from exc


def percent_of(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"))


# --------------------------------------------------------------------------- financial account


def financial_account(budget: Budget) -> dict[str, Any]:
    """Budget vs actual per cost line and per funder, other funding and overcompensation.

    Three queries: cost lines with their summed actuals, funding shares, other funding.
    """
    lines = list(
        budget.cost_lines.annotate(
            actual=Coalesce(Sum("actuals__amount"), MONEY_ZERO),
            actual_count=Count("actuals"),
        ).order_by("position", "pk")
    )
    total = sum((line.amount for line in lines), ZERO)
    actual_total = sum((line.actual for line in lines), ZERO)
    rows = []
    for line in lines:
        deviation = line.actual - line.amount
        rows.append(
            {
                "id": line.pk,
                "category": line.get_category_display(),
                "description": line.description,
                "fte": line.fte,
                "budget": line.amount,
                "actual": line.actual,
                "actual_count": line.actual_count,
                "deviation": deviation,
                "deviation_percent": percent_of(deviation, line.amount),
                "over_budget": deviation > 0,
            }
        )
    shares = list(budget.shares.select_related("party__organisation"))
    funders = []
    covered = ZERO
    public_shares = ZERO
    for share in shares:
        amount = share.amount_of(total)
        covered += amount
        is_public = share.party.role == AgreementParty.PartyRole.PUBLIC_FUNDER
        if is_public:
            public_shares += amount
        funders.append(
            {
                "party_id": share.party_id,
                "organisation": share.party.organisation.name,
                "role": share.party.get_role_display(),
                "is_public": is_public,
                "amount": amount,
                "percent": share.percent
                if share.percent is not None
                else percent_of(amount, total),
                # What the funder's share of the actual costs comes to.
                "actual": round_money(amount * actual_total / total) if total else ZERO,
            }
        )
    other = list(budget.other_funding.all())
    other_total = sum((o.amount for o in other), ZERO)
    public_funding = budget.public_grant if budget.public_grant is not None else public_shares
    # Public money may cover the actual costs that nobody else pays for; anything above
    # that is overcompensation, which the agreements make repayable.
    coverable = max(actual_total - other_total, ZERO)
    overcompensation = public_funding - coverable if actual_total else ZERO
    shares_error = None
    if shares and covered != total:
        shares_error = _(
            "Finansieringsandelarna blir %(covered)s men budgeten är %(total)s. "
            "Rätta andelarna i budgeten för %(year)s."
        ) % {"covered": _sek(covered), "total": _sek(total), "year": budget.year}
    return {
        "year": budget.year,
        "lines": rows,
        "total": total,
        "actual_total": actual_total,
        "deviation": actual_total - total,
        "deviation_percent": percent_of(actual_total - total, total),
        "over_budget": actual_total > total,
        "has_actuals": actual_total != 0 or any(r["actual_count"] for r in rows),
        "funders": funders,
        "shares_covered": covered,
        "shares_error": shares_error,
        "other_funding": [
            {"funder": o.funder, "amount": o.amount, "purpose": o.purpose} for o in other
        ],
        "other_total": other_total,
        "public_funding": public_funding,
        "coverable": coverable,
        "overcompensation": max(overcompensation, ZERO),
        "is_overcompensated": overcompensation > 0,
    }


def _sek(amount: Decimal) -> str:
    from partnerships.models import format_sek

    return format_sek(amount)


# --------------------------------------------------------------------------- invoice basis


def allocate(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `amount` in proportion to `weights`, in whole öre, adding up exactly.

    Rounding differences go to the largest remainders (then the first lines), so that the
    parts always sum to `amount`.
    """
    total = sum(weights, ZERO)
    if not weights:
        return []
    if not total:
        return [amount] + [ZERO] * (len(weights) - 1)
    cents = int((amount * 100).to_integral_value())
    exact = [Decimal(cents) * w / total for w in weights]
    parts = [int(e) for e in exact]
    remainder = cents - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:remainder]:
        parts[i] += 1
    return [Decimal(p) / 100 for p in parts]


def public_parties(agreement: Agreement) -> list[AgreementParty]:
    return list(
        agreement.parties.filter(role=AgreementParty.PartyRole.PUBLIC_FUNDER)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def _address(org) -> dict[str, str]:
    return {
        "name": org.name,
        "org_number": org.org_number,
        "street_address": org.street_address,
        "postal_code": org.postal_code,
        "city": org.city,
        "gln": org.gln,
        "peppol_id": org.peppol_id,
        "invoice_reference": org.invoice_reference,
        "invoice_marking": org.invoice_marking,
    }


def invoice_figures(
    agreement: Agreement, year: int, party: AgreementParty | None = None
) -> dict[str, Any]:
    """What the operator invoices one public party for `year`, line by line.

    Refuses (ValidationError, Swedish message) a year outside the agreement, a year without
    a budget, shares that do not add up, and a party that has no share to invoice.
    """
    budget = budget_for(agreement, year)
    account = financial_account(budget)
    if account["shares_error"]:
        raise ValidationError(account["shares_error"], code="shares_do_not_add_up")
    funders = {f["party_id"]: f for f in account["funders"] if f["is_public"]}
    if party is None:
        candidates = [p for p in public_parties(agreement) if p.pk in funders]
        if not candidates:
            raise ValidationError(
                _("Ingen offentlig part har en finansieringsandel i budgeten för %(year)s.")
                % {"year": year},
                code="no_public_share",
            )
        party = candidates[0]
    if party.agreement_id != agreement.pk or party.pk not in funders:
        raise ValidationError(
            _("%(org)s har ingen finansieringsandel att fakturera i budgeten för %(year)s.")
            % {"org": party.organisation, "year": year},
            code="no_share_for_party",
        )
    operator = agreement.operator_party()
    if operator is None:
        raise ValidationError(
            _("Överenskommelsen saknar en idéburen utförare som kan fakturera."), code="no_operator"
        )
    funder = funders[party.pk]
    share_amount = funder["amount"]
    total = account["total"]
    vouchers: list[dict[str, Any]] = []
    if agreement.pays_against_actuals:
        # The party pays its share of the actual costs, at most its share of the grant.
        actual_share = (
            round_money(share_amount * account["actual_total"] / total) if total else ZERO
        )
        amount = min(actual_share, share_amount)
        vouchers = [
            {
                "line": a.cost_line.description,
                "date": a.date.isoformat(),
                "voucher": a.voucher,
                "description": a.description,
                "amount": a.amount,
            }
            for a in ActualCost.objects.filter(cost_line__budget=budget)
            .select_related("cost_line")
            .order_by("cost_line__position", "cost_line_id", "date", "pk")
        ]
        capped = actual_share > share_amount
    else:
        amount = share_amount
        actual_share = None
        capped = False
    # The party's share per cost line, so that the lines add up to the amount exactly.
    weights = [
        line["actual"] if agreement.pays_against_actuals else line["budget"]
        for line in account["lines"]
    ]
    for line, part in zip(account["lines"], allocate(amount, weights), strict=True):
        line["party_share"] = part
    version = version_for_year(agreement, year)
    buyer = _address(party.organisation)
    marking_base = party.organisation.invoice_marking or agreement.title
    start, end = period(agreement, year)
    return {
        "agreement": {
            "title": agreement.title,
            "short_id": agreement.short_id,
            "decision_reference": agreement.decision_reference,
        },
        "year": year,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "period_label": period_label(agreement, year),
        "marking": f"{marking_base}, {period_label(agreement, year)}",
        "seller": _address(operator.organisation),
        "buyer": buyer,
        "buyer_reference": buyer["invoice_reference"] or agreement.short_id,
        "party_id": party.pk,
        "version": version_info(version),
        "version_id": version.pk if version else None,
        "pays_against_actuals": agreement.pays_against_actuals,
        "lines": account["lines"],
        "total": total,
        "actual_total": account["actual_total"],
        "share_percent": funder["percent"],
        "share_amount": share_amount,
        "actual_share": actual_share,
        "capped": capped,
        "vouchers": vouchers,
        "amount": amount,
    }


# --------------------------------------------------------------------------- goals


def goal_fulfilment(
    agreement: Agreement,
    year: int,
    measured: dict[str, Decimal | int | None],
    manual: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Target vs outcome per goal and indicator (three queries).

    `measured` maps an Indicator.Metric to the figure that measures it (from the
    participant statistics); MANUAL indicators take their outcome from `manual`, keyed by
    the indicator's id as a string.
    """
    manual = manual or {}
    goals = list(
        Goal.objects.filter(agreement=agreement)
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.prefetch_related(
                    Prefetch("targets", queryset=IndicatorTarget.objects.filter(year=year))
                ),
            )
        )
        .order_by("parent_id", "position", "pk")
    )
    # Overall goals first, each followed by its sub-goals.
    children: dict[int | None, list[Goal]] = {}
    for goal in goals:
        children.setdefault(goal.parent_id, []).append(goal)
    ordered: list[tuple[Goal, int]] = []
    for top in children.get(None, []):
        ordered.append((top, 0))
        ordered.extend((child, 1) for child in children.get(top.pk, []))
    result = []
    for goal, level in ordered:
        indicators = []
        for ind in goal.indicators.all():
            targets = list(ind.targets.all())
            target = targets[0].target if targets else None
            if ind.metric == Indicator.Metric.MANUAL:
                raw = manual.get(str(ind.pk))
                outcome = Decimal(str(raw)) if raw not in (None, "") else None
                source = _("ifyllt i rapporten")
            else:
                value = measured.get(ind.metric)
                outcome = Decimal(value) if value is not None else None
                source = _("beräknat")
            met = None
            if target is not None and outcome is not None:
                met = outcome >= target if ind.higher_is_better else outcome <= target
            indicators.append(
                {
                    "id": ind.pk,
                    "name": ind.name,
                    "unit": ind.unit,
                    "is_percent": ind.unit == Indicator.Unit.PERCENT,
                    "metric": ind.metric,
                    "is_manual": ind.metric == Indicator.Metric.MANUAL,
                    "metric_label": ind.get_metric_display(),
                    "target": target,
                    "outcome": outcome,
                    "source": source,
                    "met": met,
                    "not_met": met is False,
                }
            )
        result.append(
            {"id": goal.pk, "title": goal.title, "level": level, "indicators": indicators}
        )
    return result


# --------------------------------------------------------------------------- participants
# Every function below takes `agreements` as one Agreement or several (a queryset or a list
# of ids), so that the steering-group dashboards can aggregate over many partnerships with
# the same code and the same number of queries.


def _by_agreement(agreements: Any, field: str = "agreement") -> Q:
    if isinstance(agreements, Agreement):
        return Q(**{field: agreements})
    return Q(**{f"{field}__in": agreements})


def _gender_labels() -> list[tuple[str, str]]:
    from participants.models import Gender

    return [(value, str(label)) for value, label in Gender.choices]


# Each participant figure is defined once, as a filter over the enrolments active in the
# period (enrolments_in_period). participant_statistics and step_progression count with
# these filters, inside grouped aggregates so that the query count stays fixed, and the
# annual report's drill-down (figure_enrolments) lists the enrolments behind a figure with
# the very same filter, so that a list can never disagree with the number it explains.


def enrolments_in_period(
    agreements: Any, start: datetime.date, end: datetime.date
) -> EnrolmentQuerySet:
    """Enrolments in `agreements` active at some point in [start, end]: the population
    every participant figure of the period is counted in."""
    from participants.models import Enrolment

    return Enrolment.objects.filter(_by_agreement(agreements)).active_between(start, end)


def _exited(start: datetime.date, end: datetime.date) -> Q:
    return Q(exit_date__range=(start, end))


def _on_income_support_at_start(start: datetime.date, end: datetime.date) -> Q:
    from participants.models import IncomeSource

    return _exited(start, end) & Q(income_at_start=IncomeSource.INCOME_SUPPORT)


def _left_income_support(start: datetime.date, end: datetime.date) -> Q:
    from participants.models import IncomeSource

    return _on_income_support_at_start(start, end) & ~Q(
        income_at_exit__in=(IncomeSource.INCOME_SUPPORT, "", IncomeSource.UNKNOWN)
    )


def _to_work(start: datetime.date, end: datetime.date) -> Q:
    from participants.models import ExitOutcome

    return _exited(start, end) & Q(
        exit_outcome__in=(ExitOutcome.WORK, ExitOutcome.WORK_WITH_SUPPORT)
    )


def _to_studies(start: datetime.date, end: datetime.date) -> Q:
    from participants.models import ExitOutcome

    return _exited(start, end) & Q(exit_outcome=ExitOutcome.STUDIES)


# Figure key -> (filter on enrolments_in_period, whether the figure counts distinct
# participants rather than enrolments). The keys appear in drill-down URLs.
ENROLMENT_FIGURES: dict[str, tuple[Any, bool]] = {
    "enrolled": (lambda start, end: Q(), True),
    "new": (lambda start, end: Q(start_date__range=(start, end)), True),
    "active_at_end": (lambda start, end: Q(exit_date__isnull=True) | Q(exit_date__gt=end), True),
    "exited": (_exited, False),
    "to_work": (_to_work, False),
    "to_studies": (_to_studies, False),
    "on_income_support_at_start": (_on_income_support_at_start, False),
    "left_income_support": (_left_income_support, False),
}

# Filters on _with_first_and_last_step (enrolments_in_period, one row per enrolment, with
# the first and latest assessed step); these count enrolments.
STEP_FIGURES: dict[str, Q] = {
    "assessed": Q(first_step__isnull=False),
    "progressed": Q(last_step__gt=F("first_step")),
    "regressed": Q(last_step__lt=F("first_step")),
}

FIGURE_KEYS = (*ENROLMENT_FIGURES, *STEP_FIGURES)


def _figure_count(key: str, start: datetime.date, end: datetime.date) -> Count:
    """The aggregate that counts figure `key` over enrolments_in_period."""
    condition, per_participant = ENROLMENT_FIGURES[key]
    q = condition(start, end)
    if per_participant:
        return Count("participant", filter=q or None, distinct=True)
    return Count("pk", filter=q or None)


def figure_enrolments(
    agreements: Any,
    start: datetime.date,
    end: datetime.date,
    key: str,
    *,
    gender: str = "",
    outcome: str = "",
) -> EnrolmentQuerySet:
    """The enrolments counted in figure `key` for [start, end], optionally only those of
    participants of one gender and, for exits, one exit outcome. Raises KeyError for a key
    that is not a figure."""
    if key in STEP_FIGURES:
        from participants.models import Enrolment

        # A plain queryset of the same enrolments (without the join to the step spans)
        # is what callers can go on filtering and joining.
        counted = _with_first_and_last_step(agreements, start, end).filter(STEP_FIGURES[key])
        enrolments = Enrolment.objects.filter(pk__in=counted.values("pk"))
    else:
        condition, _per_participant = ENROLMENT_FIGURES[key]
        enrolments = enrolments_in_period(agreements, start, end).filter(condition(start, end))
    if gender:
        enrolments = enrolments.filter(participant__gender=gender)
    if outcome:
        enrolments = enrolments.filter(exit_outcome=outcome)
    return enrolments


def figure_counts_participants(key: str) -> bool:
    """Whether figure `key` counts distinct participants (else enrolments)."""
    return key in ENROLMENT_FIGURES and ENROLMENT_FIGURES[key][1]


def participant_statistics(
    agreements: Any, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """Participants enrolled, new, active at the end and exited in [start, end], by gender;
    exits by outcome and gender; share to work and studies; off income support (2 queries)."""
    from participants.models import ExitOutcome

    in_period = enrolments_in_period(agreements, start, end)
    keys = ("enrolled", "new", "active_at_end", "exited")
    per_gender = {
        row["participant__gender"]: row
        for row in in_period.values("participant__gender").annotate(
            **{k: _figure_count(k, start, end) for k in keys}
        )
    }
    genders = _gender_labels()
    rows = [
        {
            "gender": label,
            "gender_value": value,
            **{k: per_gender.get(value, {}).get(k, 0) for k in keys},
        }
        for value, label in genders
        if value in per_gender or value in ("woman", "man")
    ]
    totals = {k: sum(row[k] for row in rows) for k in keys}

    exit_keys = ("to_work", "to_studies", "on_income_support_at_start", "left_income_support")
    outcome_rows = list(
        in_period.filter(_exited(start, end))
        .values("exit_outcome", "participant__gender")
        .annotate(n=Count("pk"), **{k: _figure_count(k, start, end) for k in exit_keys})
    )
    counts: dict[tuple[str, str], int] = {}
    sums = dict.fromkeys(exit_keys, 0)
    for row in outcome_rows:
        counts[(row["exit_outcome"], row["participant__gender"])] = row["n"]
        for k in exit_keys:
            sums[k] += row[k]
    shown_genders = [
        (v, label)
        for v, label in genders
        if any(g == v for _o, g in counts) or v in ("woman", "man")
    ]
    outcomes = []
    for value, label in ExitOutcome.choices:
        by_gender = [counts.get((value, g), 0) for g, _l in shown_genders]
        outcomes.append(
            {"outcome": str(label), "value": value, "by_gender": by_gender, "total": sum(by_gender)}
        )
    exits = sum(counts.values())
    return {
        "by_gender": rows,
        "totals": totals,
        "outcome_genders": [label for _v, label in shown_genders],
        "outcome_gender_values": [v for v, _label in shown_genders],
        "exits_by_gender": [
            sum(n for (_o, g), n in counts.items() if g == value) for value, _l in shown_genders
        ],
        "outcomes": outcomes,
        "exits": exits,
        "to_work": sums["to_work"],
        "to_studies": sums["to_studies"],
        "share_to_work": percent_of(sums["to_work"], exits),
        "share_to_studies": percent_of(sums["to_studies"], exits),
        "on_income_support_at_start": sums["on_income_support_at_start"],
        "left_income_support": sums["left_income_support"],
        "share_off_income_support": percent_of(
            sums["left_income_support"], sums["on_income_support_at_start"]
        ),
    }


def _with_first_and_last_step(
    agreements: Any, start: datetime.date, end: datetime.date
) -> EnrolmentQuerySet:
    """enrolments_in_period, one row per enrolment, with its first assessed step
    (`first_step`) and its latest step by the period's end (`last_step`), and the
    participant's `gender`.

    Joined to the one step span (reporting/rollup.py: every assessment with the first step
    and the next assessment's date, kept by the database) that is the latest by `end`; no
    span for an enrolment not assessed by then. First and last are by date, then by id.
    Counting per assessment at request time (window functions, before that a correlated
    subquery per enrolment) took 80 to 500 ms for ten partnerships.
    """
    return (
        enrolments_in_period(agreements, start, end)
        .annotate(
            latest=FilteredRelation(
                "step_spans",
                condition=Q(step_spans__date__lte=end)
                & (Q(step_spans__next_date__isnull=True) | Q(step_spans__next_date__gt=end)),
            )
        )
        .annotate(
            first_step=F("latest__first_step"),
            last_step=F("latest__step"),
            gender=F("participant__gender"),
        )
    )


def _first_and_last_step_counts(
    agreements: Any, start: datetime.date, end: datetime.date
) -> dict[str, dict[str, int]]:
    """Per participant gender: enrolments in the period, and the STEP_FIGURES counts
    (assessed, progressed, regressed) (1 query)."""
    from participants.models import Gender

    counts = {"enrolments": Q(), **STEP_FIGURES}
    genders = [value for value, _label in Gender.choices]
    row = _with_first_and_last_step(agreements, start, end).aggregate(
        **{
            f"{g}__{name}": Count("pk", filter=Q(gender=g) & q)
            for g in genders
            for name, q in counts.items()
        }
    )
    return {
        g: {name: row[f"{g}__{name}"] for name in counts}
        for g in genders
        if row[f"{g}__enrolments"]
    }


_STEP_COUNTS = tuple(STEP_FIGURES)


def step_progression(agreements: Any, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Enrolments in the period whose latest step (by the period's end) is above their first
    assessed step (1 query)."""
    by_gender = _first_and_last_step_counts(agreements, start, end)
    row = {k: sum(counts[k] for counts in by_gender.values()) for k in _STEP_COUNTS}
    return {**row, "share_progressed": percent_of(row["progressed"], row["assessed"])}


def contact_statistics(agreements: Any, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Contacts by kind, participants reached, anonymous outreach by gender, attendance (3 queries)."""
    from participants.models import AnonymousContactCount, Attendance, Contact

    by_kind: dict[str, Any] = {
        row["kind"]: row
        for row in Contact.objects.filter(_by_agreement(agreements), date__range=(start, end))
        .values("kind")
        .annotate(
            n=Count("pk"),
            minutes=Sum("duration_minutes"),
            people=Count("participant", distinct=True),
        )
    }
    kinds = [
        {
            "kind": str(label),
            "count": by_kind.get(value, {}).get("n", 0),
            "hours": Decimal(by_kind.get(value, {}).get("minutes") or 0) / 60,
        }
        for value, label in Contact.Kind.choices
    ]
    people = Contact.objects.filter(_by_agreement(agreements), date__range=(start, end)).aggregate(
        n=Count("participant", distinct=True)
    )["n"]
    anonymous = {
        row["gender"]: row["n"]
        for row in AnonymousContactCount.objects.filter(
            _by_agreement(agreements), date__range=(start, end)
        )
        .values("gender")
        .annotate(n=Sum("count"))
    }
    anonymous_rows = [
        {"gender": label, "count": anonymous.get(value, 0)}
        for value, label in _gender_labels()
        if anonymous.get(value)
    ]
    attendance = {
        row["status"]: row["n"]
        for row in Attendance.objects.filter(_by_agreement(agreements), date__range=(start, end))
        .values("status")
        .annotate(n=Count("pk"))
    }
    present = attendance.get(Attendance.Status.PRESENT, 0)
    absent = attendance.get(Attendance.Status.ABSENT, 0)
    excused = attendance.get(Attendance.Status.EXCUSED, 0)
    registered = sum(k["count"] for k in kinds)
    anonymous_total = sum(anonymous.values())
    return {
        "kinds": kinds,
        "registered": registered,
        "hours": sum((k["hours"] for k in kinds), ZERO).quantize(Decimal("0.1")),
        "people": people,
        "anonymous": anonymous_rows,
        "anonymous_total": anonymous_total,
        "total": registered + anonymous_total,
        "attendance_present": present,
        "attendance_absent": absent,
        "attendance_excused": excused,
        "attendance_rate": percent_of(present, present + absent + excused),
    }


def participant_data_quality(
    agreements: Any, start: datetime.date, end: datetime.date
) -> dict[str, int]:
    """Counts of records that would make the participant figures wrong (3 queries)."""
    from participants.models import Contact, Enrolment, ExitOutcome

    contacts = Contact.objects.filter(_by_agreement(agreements), date__range=(start, end))
    # Contacts inside an enrolment of the same participant in the same partnership. One
    # filter() call, so all conditions apply to the same enrolment row. A join, because a
    # correlated NOT EXISTS was forty times slower on 20 000 contacts.
    inside = contacts.filter(
        Q(participant__enrolments__agreement=F("agreement")),
        Q(participant__enrolments__start_date__lte=F("date")),
        Q(participant__enrolments__exit_date__isnull=True)
        | Q(participant__enrolments__exit_date__gte=F("date")),
    ).aggregate(n=Count("pk", distinct=True))["n"]
    contacts_outside = contacts.count() - inside
    enrolments = (
        Enrolment.objects.filter(_by_agreement(agreements))
        .active_between(start, end)
        .aggregate(
            unknown_outcome=Count(
                "pk",
                filter=Q(exit_date__range=(start, end), exit_outcome__in=("", ExitOutcome.UNKNOWN)),
            ),
            unknown_gender=Count("pk", filter=Q(participant__gender="unknown")),
        )
    )
    return {"contacts_outside_enrolment": contacts_outside, **enrolments}


# --------------------------------------------------------------------------- dashboards
# The steering-group dashboards show the figures above per month and per partnership.
# These break the same counts down further, still in the database and in a fixed number
# of queries; `agreements` is one Agreement or several, as above.


def monthly_participant_flow(
    agreements: Any, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """New participants and exits per month of [start, end] (within one year), by gender.

    Counted as participant_statistics counts them ("new": distinct participants whose
    enrolment started that month; "exited": enrolments that ended), so the months add up
    to its yearly figures (2 queries).
    """
    from participants.models import Enrolment

    base = Enrolment.objects.filter(_by_agreement(agreements))
    new: dict[int, dict[str, int]] = {}
    for row in (
        base.filter(start_date__range=(start, end))
        .annotate(month=ExtractMonth("start_date"))
        .values("month", "participant__gender")
        .annotate(n=Count("participant", distinct=True))
    ):
        new.setdefault(row["month"], {})[row["participant__gender"]] = row["n"]
    exited: dict[int, dict[str, int]] = {}
    for row in (
        base.filter(exit_date__range=(start, end))
        .annotate(month=ExtractMonth("exit_date"))
        .values("month", "participant__gender")
        .annotate(n=Count("pk"))
    ):
        exited.setdefault(row["month"], {})[row["participant__gender"]] = row["n"]
    return {"months": list(range(start.month, end.month + 1)), "new": new, "exited": exited}


def monthly_activity(agreements: Any, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Registered contacts (by the participant's gender), anonymous outreach contacts (by
    gender) and attendance (by status and gender) per month of [start, end] (3 queries).

    Contacts and attendance are added up from their daily totals (reporting/rollup.py),
    which the database keeps equal to a count of the rows.
    """
    from participants.models import AnonymousContactCount

    from .models import AttendanceDay, ContactDay

    contacts: dict[int, dict[str, int]] = {}
    for row in (
        ContactDay.objects.filter(_by_agreement(agreements), day__range=(start, end), total__gt=0)
        .annotate(month=ExtractMonth("day"))
        .values("month", "gender")
        .annotate(n=Sum("total"))
        .order_by()
    ):
        contacts.setdefault(row["month"], {})[row["gender"]] = row["n"]
    anonymous: dict[int, dict[str, int]] = {}
    for anon_row in (
        AnonymousContactCount.objects.filter(_by_agreement(agreements), date__range=(start, end))
        .annotate(month=ExtractMonth("date"))
        .values("month", "gender")
        .annotate(n=Sum("count"))
    ):
        anonymous.setdefault(anon_row["month"], {})[anon_row["gender"]] = anon_row["n"]
    attendance: dict[int, dict[str, dict[str, int]]] = {}
    for row in (
        AttendanceDay.objects.filter(
            _by_agreement(agreements), day__range=(start, end), total__gt=0
        )
        .annotate(month=ExtractMonth("day"))
        .values("month", "status", "gender")
        .annotate(n=Sum("total"))
        .order_by()
    ):
        by_status = attendance.setdefault(row["month"], {}).setdefault(row["status"], {})
        by_status[row["gender"]] = row["n"]
    return {
        "months": list(range(start.month, end.month + 1)),
        "contacts": contacts,
        "anonymous": anonymous,
        "attendance": attendance,
    }


def step_progression_by_gender(
    agreements: Any, start: datetime.date, end: datetime.date
) -> dict[str, dict[str, int]]:
    """step_progression's counts per participant gender (1 query)."""
    return {
        gender: {k: counts[k] for k in _STEP_COUNTS}
        for gender, counts in _first_and_last_step_counts(agreements, start, end).items()
    }


def participants_active_by_agreement(agreements: Any, day: datetime.date) -> dict[int, int]:
    """Participants enrolled on `day`, per agreement (1 query)."""
    from participants.models import Enrolment

    return {
        row["agreement"]: row["n"]
        for row in Enrolment.objects.filter(_by_agreement(agreements))
        .active_on(day)
        .values("agreement")
        .annotate(n=Count("participant", distinct=True))
    }


def followups_by_agreement(
    agreements: list[Agreement], year: int, today: datetime.date
) -> dict[int, dict[str, Any]]:
    """Follow-up meetings held and planned in `year` against the number required, per
    agreement, for many agreements at once (1 query).

    "Required by now" is the year's share of the required meetings up to the current
    quarter (the same rule the deadlines use); a past year requires them all.
    """
    from partnerships.models import Meeting, covered_quarters, required_followups

    counts: dict[int, dict[str, int]] = {}
    for row in (
        Meeting.objects.followups()
        .filter(agreement__in=[a.pk for a in agreements], date__year=year)
        .exclude(status=Meeting.Status.CANCELLED)
        .values("agreement", "status")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(row["agreement"], {})[row["status"]] = row["n"]
    result = {}
    for agreement in agreements:
        held = counts.get(agreement.pk, {}).get(Meeting.Status.HELD, 0)
        if year < today.year:
            elapsed = len(covered_quarters(agreement, year))
        elif year > today.year:
            elapsed = 0
        else:
            current = (today.month - 1) // 3 + 1
            elapsed = sum(1 for q in covered_quarters(agreement, year) if q <= current)
        required_now = required_followups(agreement, year, elapsed)
        result[agreement.pk] = {
            "held": held,
            "planned": counts.get(agreement.pk, {}).get(Meeting.Status.PLANNED, 0),
            "required": required_followups(agreement, year),
            "required_by_now": required_now,
            "behind": held < required_now,
        }
    return result


def budget_by_agreement(agreements: Any, year: int) -> dict[int, dict[str, Decimal]]:
    """Budget total and actual costs booked for `year`, per agreement: financial_account's
    `total` and `actual_total` for many agreements at once (2 queries)."""
    from partnerships.models import CostLine

    lines = CostLine.objects.filter(
        _by_agreement(agreements, "budget__agreement"), budget__year=year
    )
    totals: dict[int, dict[str, Decimal]] = {
        row["budget__agreement"]: {"total": row["total"] or ZERO, "actual_total": ZERO}
        for row in lines.values("budget__agreement").annotate(total=Sum("amount"))
    }
    for row in (
        ActualCost.objects.filter(
            _by_agreement(agreements, "cost_line__budget__agreement"), cost_line__budget__year=year
        )
        .values("cost_line__budget__agreement")
        .annotate(actual=Sum("amount"))
    ):
        entry = totals.setdefault(
            row["cost_line__budget__agreement"], {"total": ZERO, "actual_total": ZERO}
        )
        entry["actual_total"] = row["actual"] or ZERO
    return totals


# --------------------------------------------------------------------------- meetings


def meeting_statistics(agreement: Agreement, year: int) -> dict[str, Any]:
    """Follow-up meetings held vs required, and other meetings held (2 queries)."""
    from partnerships.models import Meeting

    summary = Meeting.objects.followup_summary(agreement, year)
    held_by_kind = {
        row["kind"]: row["n"]
        for row in Meeting.objects.filter(
            agreement=agreement, date__year=year, status=Meeting.Status.HELD
        )
        .values("kind")
        .annotate(n=Count("pk"))
    }
    return {
        "followups_held": summary.held,
        "followups_required": summary.required,
        "followups_planned": summary.planned,
        "behind": summary.held < summary.required and summary.is_behind,
        "missed_quarters": [
            {"quarter": q, "first": first.isoformat(), "last": last.isoformat()}
            for q, first, last in summary.missed_quarters
        ],
        "by_kind": [
            {"kind": str(label), "held": held_by_kind.get(value, 0)}
            for value, label in Meeting.Kind.choices
        ],
    }


# --------------------------------------------------------------------------- the whole report


def annual_report_figures(
    agreement: Agreement, year: int, manual_outcomes: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Everything countable in the annual report for `year`, ready to render or freeze.

    A year outside the agreement raises ValidationError; a missing budget or shares that do
    not add up are reported as blocking problems instead, so the rest can still be read.
    """
    check_year(agreement, year)
    start, end = period(agreement, year)
    version = version_for_year(agreement, year)
    blocking: list[str] = []
    warnings: list[str] = []

    try:
        budget = budget_for(agreement, year)
    except ValidationError as exc:
        account = None
        blocking.extend(exc.messages)
    else:
        account = financial_account(budget)
        if account["shares_error"]:
            blocking.append(account["shares_error"])
        if start <= timezone.localdate():
            missing = [line["description"] for line in account["lines"] if not line["actual_count"]]
            if missing:
                warnings.append(
                    _("Kostnadsposter utan registrerat utfall: %(lines)s.")
                    % {"lines": ", ".join(missing)}
                )
        if account["is_overcompensated"]:
            warnings.append(
                _(
                    "Det offentliga bidraget överstiger de kostnader det får täcka med %(amount)s "
                    "(överkompensation, återbetalningsskyldig)."
                )
                % {"amount": _sek(account["overcompensation"])}
            )

    participants = participant_statistics(agreement, start, end)
    steps = step_progression(agreement, start, end)
    contacts = contact_statistics(agreement, start, end)
    meetings = meeting_statistics(agreement, year)
    quality = participant_data_quality(agreement, start, end)

    measured: dict[str, Decimal | int | None] = {
        Indicator.Metric.SHARE_TO_WORK: participants["share_to_work"],
        Indicator.Metric.SHARE_TO_STUDIES: participants["share_to_studies"],
        Indicator.Metric.STEP_PROGRESSION: steps["share_progressed"],
        Indicator.Metric.OFF_INCOME_SUPPORT: participants["share_off_income_support"],
        Indicator.Metric.PARTICIPANTS: participants["totals"]["enrolled"],
        Indicator.Metric.CONTACTS: contacts["total"],
    }
    goals = goal_fulfilment(agreement, year, measured, manual_outcomes)

    if version is None:
        warnings.append(_("Överenskommelsen har ingen registrerad version att hänvisa till."))
    if quality["unknown_outcome"]:
        warnings.append(
            _("%(n)s avslut under året saknar känd avslutsorsak.")
            % {"n": quality["unknown_outcome"]}
        )
    if quality["contacts_outside_enrolment"]:
        warnings.append(
            _("%(n)s kontakter är registrerade utanför deltagarens inskrivningsperiod.")
            % {"n": quality["contacts_outside_enrolment"]}
        )
    if quality["unknown_gender"]:
        warnings.append(
            _(
                "%(n)s inskrivna deltagare saknar uppgift om kön, så könsuppdelningen blir ofullständig."
            )
            % {"n": quality["unknown_gender"]}
        )
    for goal in goals:
        for ind in goal["indicators"]:
            if ind["target"] is None:
                warnings.append(
                    _("Indikatorn ”%(name)s” saknar målvärde för %(year)s.")
                    % {"name": ind["name"], "year": year}
                )
            elif ind["is_manual"] and ind["outcome"] is None:
                warnings.append(
                    _("Fyll i utfallet för indikatorn ”%(name)s”.") % {"name": ind["name"]}
                )
    if meetings["followups_held"] < meetings["followups_required"] and end < timezone.localdate():
        warnings.append(
            _("%(held)s av %(required)s uppföljningsmöten hölls under året.")
            % {"held": meetings["followups_held"], "required": meetings["followups_required"]}
        )

    return {
        "agreement": {
            "title": agreement.title,
            "short_id": agreement.short_id,
            "decision_reference": agreement.decision_reference,
            "capacity": agreement.capacity,
        },
        "year": year,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "period_label": period_label(agreement, year),
        "due_date": agreement.report_due_date(year).isoformat(),
        "version": version_info(version),
        "version_id": version.pk if version else None,
        "goals": goals,
        "participants": participants,
        "steps": steps,
        "contacts": contacts,
        "meetings": meetings,
        "account": account,
        "quality": {"blocking": blocking, "warnings": warnings, "counts": quality},
    }


def freeze(data: dict[str, Any]) -> dict[str, Any]:
    """The figures as they will be stored: Decimals and dates become strings.

    Previews render this too, so a draft looks exactly like the document that gets frozen.
    """
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
