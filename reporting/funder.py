"""The funders' reports: the ESF+ participant report and Malmökraften's monthly follow-up.

Every figure is a count of people split by the funders' genders (woman, man, non-binary,
not stated) and passes through the one small-number policy (reporting/suppression.py).
An item left blank, answered "vill ej uppge" or never recorded is counted in its own
"unknown" row: an unknown is never a zero. Each population is counted in one grouped
query whatever the number of participants (the ESF+ report: 3 queries and 1 for the
comparison values; the monthly follow-up: 11).

The indicator codes are those of Regulation (EU) 2021/1057, Annex I (EECO = output at
entry, EECR = result); codes starting with a letter other than E are this system's own
(inactive and not in education, the unknown rows and the population totals), so that
the funder's system can skip them.
"""

from __future__ import annotations

import calendar
import datetime
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from participants.models import (
    Enrolment,
    ExitOutcome,
    FollowUp,
    Gender,
)
from participants.models.funder import LONG_TERM_UNEMPLOYED_MONTHS
from partnerships.models import Agreement, Indicator, IndicatorTarget

from .figures import casework as casework_figures
from .figures.participants import ENROLMENT_FIGURES, enrolments_in_period
from .models import ReferenceValue
from .suppression import Cell, Share, Suppressor, threshold

# ESF+ asks for persons; the funders' own order of the gender columns.
FUNDER_GENDERS = (Gender.WOMAN, Gender.MAN, Gender.OTHER, Gender.UNKNOWN)


def funder_gender_labels() -> list[str]:
    return [_("Kvinna"), _("Man"), _("Icke-binär"), _("Ej angivet")]


# --------------------------------------------------------------------------- rows


@dataclass
class Row:
    """One indicator: a count per funder gender and their total, with comparison values."""

    code: str
    label: str
    cells: list[Cell]
    total: Cell
    references: list[ReferenceValue] = field(default_factory=list)

    def csv(self) -> list[str]:
        return [self.code, self.label, *(c.csv for c in self.cells), self.total.csv]


@dataclass
class Section:
    title: str
    rows: list[Row]


def _row(s: Suppressor, code: str, label: str, counts: dict[str, int]) -> Row:
    cells = [s.cell(counts.get(g, 0)) for g in FUNDER_GENDERS]
    return Row(code, label, cells, s.total(cells, breakdown=True))


def _relate_rows(s: Suppressor, total: Row, parts: list[Row]) -> None:
    """Rows that add up to another row, column by column (hiding holds across rows)."""
    for i in range(len(FUNDER_GENDERS)):
        s.relate(total.cells[i], [p.cells[i] for p in parts])
    s.relate(total.total, [p.total for p in parts])


def _by_gender(
    rows: Any, keys: list[str], gender: str = "participant__gender"
) -> dict[str, dict[str, int]]:
    """{key: {gender: n}} from rows grouped by the participant's gender."""
    result: dict[str, dict[str, int]] = {k: {} for k in keys}
    for row in rows:
        for k in keys:
            result[k][row[gender]] = row[k]
    return result


def _references(agreement: Agreement) -> dict[str, list[ReferenceValue]]:
    found: dict[str, list[ReferenceValue]] = {}
    for ref in ReferenceValue.objects.filter(agreement=agreement).order_by("indicator", "pk"):
        found.setdefault(ref.indicator, []).append(ref)
    return found


# --------------------------------------------------------------------------- period


def check_period(agreement: Agreement, start: datetime.date, end: datetime.date) -> None:
    """A report period lies inside the agreement (the message goes next to the field)."""
    if end < start:
        raise ValidationError({"end": _("Periodens slut ligger före dess början.")})
    if start < agreement.start_date:
        raise ValidationError(
            {
                "start": _("Perioden börjar före partnerskapets start %(date)s.")
                % {"date": agreement.start_date.isoformat()}
            }
        )
    if agreement.end_date and end > agreement.end_date:
        raise ValidationError(
            {
                "end": _("Perioden slutar efter partnerskapets slut %(date)s.")
                % {"date": agreement.end_date.isoformat()}
            }
        )


def month_period(
    agreement: Agreement, year: int, month: int
) -> tuple[datetime.date, datetime.date]:
    """The month, which must overlap the agreement (clipped to it)."""
    start = datetime.date(year, month, 1)
    end = datetime.date(year, month, calendar.monthrange(year, month)[1])
    if end < agreement.start_date or (agreement.end_date and start > agreement.end_date):
        raise ValidationError(
            {
                "month": _("Månaden ligger utanför partnerskapets period %(start)s – %(end)s.")
                % {
                    "start": agreement.start_date.isoformat(),
                    "end": agreement.end_date.isoformat() if agreement.end_date else "",
                }
            }
        )
    return max(start, agreement.start_date), min(end, agreement.end_date or end)


# --------------------------------------------------------------------------- ESF+

B = "background__"
UNEMPLOYED = Q(background__labour_market_status="unemployed")
NOT_STATED = ("", "declined")
NOT_KNOWN = ("", "unknown")


def _unknown(field_name: str, values: tuple[str, ...] = NOT_STATED) -> Q:
    return Q(**{f"{B}isnull": True}) | Q(**{f"{B}{field_name}__in": values})


def _yes(field_name: str) -> Q:
    return Q(**{f"{B}{field_name}": "yes"})


# (code, label, filter) per population; rows in the order shown and written.
def entry_indicators() -> list[tuple[str, str, Q]]:
    status = "labour_market_status"
    return [
        ("TOT-IN", _("Deltagare som började under perioden"), Q()),
        ("EECO01", _("Arbetslösa, även långtidsarbetslösa"), UNEMPLOYED),
        (
            "EECO02",
            _("varav långtidsarbetslösa (minst 12 månader)"),
            UNEMPLOYED & Q(background__unemployed_months__gte=LONG_TERM_UNEMPLOYED_MONTHS),
        ),
        (
            "U-EECO02",
            _("varav okänd arbetslöshetstid"),
            UNEMPLOYED & Q(background__unemployed_months__isnull=True),
        ),
        (
            "EECO03",
            _("Utanför arbetskraften"),
            Q(background__labour_market_status__in=("inactive", "inactive_no_edu")),
        ),
        (
            "X-EECO03",
            _("varav inte i utbildning"),
            Q(background__labour_market_status="inactive_no_edu"),
        ),
        (
            "EECO04",
            _("Sysselsatta, även egenföretagare"),
            Q(background__labour_market_status="employed"),
        ),
        ("U-STATUS", _("Ställning på arbetsmarknaden okänd eller ej angiven"), _unknown(status)),
        ("EECO05", _("Under 18 år"), Q(background__age_at_entry__lt=18)),
        ("EECO06", _("18–29 år"), Q(background__age_at_entry__range=(18, 29))),
        ("EECO07", _("55 år och äldre"), Q(background__age_at_entry__gte=55)),
        (
            "U-AGE",
            _("Ålder okänd"),
            Q(background__isnull=True) | Q(background__age_at_entry__isnull=True),
        ),
        ("EECO08", _("Högst grundskola (ISCED 0–2)"), Q(background__education_level="isced_0_2")),
        ("EECO09", _("Gymnasium (ISCED 3–4)"), Q(background__education_level="isced_3_4")),
        ("EECO10", _("Eftergymnasial (ISCED 5–8)"), Q(background__education_level="isced_5_8")),
        ("U-EDU", _("Utbildningsnivå okänd eller ej angiven"), _unknown("education_level")),
        ("EECO12", _("Personer med funktionsnedsättning"), _yes("disability")),
        ("U-EECO12", _("Funktionsnedsättning okänd eller ej angiven"), _unknown("disability")),
        ("EECO13", _("Medborgare i land utanför EU/EES"), _yes("third_country_national")),
        (
            "U-EECO13",
            _("Medborgarskap okänt eller ej angivet"),
            _unknown("third_country_national"),
        ),
        ("EECO14", _("Personer med utländsk bakgrund"), _yes("foreign_background")),
        ("U-EECO14", _("Bakgrund okänd eller ej angiven"), _unknown("foreign_background")),
        ("EECO16", _("Hemlösa eller utestängda från bostadsmarknaden"), _yes("homeless")),
        ("U-EECO16", _("Boendesituation okänd eller ej angiven"), _unknown("homeless")),
    ]


def _result(field_name: str) -> tuple[Q, Q]:
    yes = Q(**{f"exit_result__{field_name}": "yes"})
    unknown = Q(exit_result__isnull=True) | Q(**{f"exit_result__{field_name}__in": NOT_KNOWN})
    return yes, unknown


def exit_indicators() -> list[tuple[str, str, Q]]:
    rows = [("TOT-OUT", _("Deltagare som avslutades under perioden"), Q())]
    for code, label, name in (
        ("EECR01", _("Arbetssökande vid avslut"), "job_seeking"),
        ("EECR02", _("I utbildning vid avslut"), "in_education"),
        ("EECR03", _("Har fått en kvalifikation vid avslut"), "gained_qualification"),
        ("EECR04", _("I arbete vid avslut, även egenföretagare"), "in_employment"),
    ):
        yes, unknown = _result(name)
        rows.append((code, label, yes))
        rows.append((f"U-{code}", _("varav resultat okänt"), unknown))
    return rows


def followup_indicators() -> list[tuple[str, str, Q]]:
    return [
        ("TOT-6M", _("Uppföljningar sex månader efter avslut under perioden"), Q()),
        (
            "EECR05",
            _("I arbete sex månader efter avslut, även egenföretagare"),
            Q(in_employment="yes"),
        ),
        (
            "U-EECR05",
            _("varav resultat okänt (även ej gjorda uppföljningar)"),
            Q(done_on__isnull=True) | Q(in_employment__in=NOT_KNOWN),
        ),
        (
            "EECR06",
            _("Bättre ställning på arbetsmarknaden sex månader efter avslut"),
            Q(better_situation="yes"),
        ),
        (
            "U-EECR06",
            _("varav resultat okänt (även ej gjorda uppföljningar)"),
            Q(done_on__isnull=True) | Q(better_situation__in=NOT_KNOWN),
        ),
    ]


@dataclass
class EsfReport:
    agreement: Agreement
    start: datetime.date
    end: datetime.date
    sections: list[Section]
    genders: list[str]

    def csv_rows(self) -> Iterator[list[str]]:
        for section in self.sections:
            for row in section.rows:
                yield row.csv()


def csv_header() -> list[str]:
    return [_("Indikatorkod"), _("Indikator"), *funder_gender_labels(), _("Totalt")]


def entry_counts(agreement: Agreement, start: datetime.date, end: datetime.date) -> dict:
    """{code: {gender: participants who started in the period}} (1 query)."""
    indicators = entry_indicators()
    rows = (
        Enrolment.objects.filter(agreement=agreement, start_date__range=(start, end))
        .values("participant__gender")
        .annotate(
            **{
                code: Count("participant", filter=q or None, distinct=True)
                for code, _l, q in indicators
            }
        )
        .order_by()
    )
    return _by_gender(rows, [code for code, _l, _q in indicators])


def exit_counts(agreement: Agreement, start: datetime.date, end: datetime.date) -> dict:
    """{code: {gender: exits in the period}} (1 query)."""
    indicators = exit_indicators()
    rows = (
        Enrolment.objects.filter(agreement=agreement, exit_date__range=(start, end))
        .values("participant__gender")
        .annotate(**{code: Count("pk", filter=q or None) for code, _l, q in indicators})
        .order_by()
    )
    return _by_gender(rows, [code for code, _l, _q in indicators])


def followup_counts(agreement: Agreement, start: datetime.date, end: datetime.date) -> dict:
    """{code: {gender: 6-month follow-ups due in the period}} (1 query). A follow-up not
    done is an unknown result, not a "no"."""
    indicators = followup_indicators()
    rows = (
        FollowUp.objects.filter(
            enrolment__agreement=agreement, months=6, due_on__range=(start, end)
        )
        .values(gender=F("enrolment__participant__gender"))
        .annotate(**{code: Count("pk", filter=q or None) for code, _l, q in indicators})
        .order_by()
    )
    return _by_gender(rows, [code for code, _l, _q in indicators], "gender")


def _section(
    s: Suppressor,
    title: str,
    indicators: list[tuple[str, str, Q]],
    counts: dict[str, dict[str, int]],
    references: dict[str, list[ReferenceValue]],
) -> Section:
    rows = []
    for code, label, _q in indicators:
        row = _row(s, code, label, counts[code])
        row.references = references.get(code, [])
        rows.append(row)
    return Section(title, rows)


def esf_report(agreement: Agreement, start: datetime.date, end: datetime.date) -> EsfReport:
    """The ESF+ participant report for [start, end] (4 queries)."""
    check_period(agreement, start, end)
    references = _references(agreement)
    s = Suppressor()
    entry = _section(
        s,
        _("Deltagare vid start"),
        entry_indicators(),
        entry_counts(agreement, start, end),
        references,
    )
    results = _section(
        s,
        _("Resultat vid avslut"),
        exit_indicators(),
        exit_counts(agreement, start, end),
        references,
    )
    later = _section(
        s,
        _("Resultat sex månader efter avslut"),
        followup_indicators(),
        followup_counts(agreement, start, end),
        references,
    )
    by_code = {row.code: row for row in entry.rows}
    _relate_rows(
        s, by_code["TOT-IN"], [by_code[c] for c in ("EECO01", "EECO03", "EECO04", "U-STATUS")]
    )
    _relate_rows(
        s, by_code["TOT-IN"], [by_code[c] for c in ("EECO08", "EECO09", "EECO10", "U-EDU")]
    )
    s.apply()
    return EsfReport(agreement, start, end, [entry, results, later], funder_gender_labels())


# --------------------------------------------------------------------------- monthly

# The shares the monthly follow-up sets against the agreement's targets (IndicatorTarget
# of the month's year on an indicator measured as this metric).
TARGET_METRICS = (
    Indicator.Metric.SHARE_TO_WORK,
    Indicator.Metric.SHARE_TO_STUDIES,
    Indicator.Metric.OFF_INCOME_SUPPORT,
    Indicator.Metric.HANDOVER_AF_FK,
    Indicator.Metric.PLAN_AGREED,
)


@dataclass
class TargetRow:
    metric: str
    label: str
    numerator: Row
    denominator: Row
    shares: list[Share]
    share: Share
    target: Decimal | None
    references: list[ReferenceValue] = field(default_factory=list)

    @property
    def target_text(self) -> str:
        """ "45" for 45.00, "12,5" for 12.50."""
        if self.target is None:
            return ""
        return f"{self.target.normalize():f}".replace(".", ",")

    @property
    def met(self) -> bool | None:
        value = self.share.value
        if self.target is None or value is None or self.share.hidden:
            return None
        return value >= self.target


@dataclass
class MonthlyReport:
    agreement: Agreement
    start: datetime.date
    end: datetime.date
    genders: list[str]
    flow: list[Row]
    outcomes: list[Row]
    phases: list[Row]
    referrals: list[Row]
    targets: list[TargetRow]
    days_n: int
    days_mean: float | None

    @property
    def days_hidden(self) -> bool:
        return 0 < self.days_n < threshold()

    def csv_rows(self) -> Iterator[list[str]]:
        for row in (*self.flow, *self.outcomes, *self.phases, *self.referrals):
            yield row.csv()
        days = "*" if self.days_hidden else str(self.days_mean or "").replace(".", ",")
        yield ["DAYS", _("Genomsnittlig tid i insatsen vid avslut (dagar)"), "", "", "", "", days]
        for t in self.targets:
            yield [
                f"PCT-{t.metric}",
                t.label,
                *(share.csv for share in t.shares),
                t.share.csv,
            ]
            yield [
                f"TGT-{t.metric}",
                _("Mål (procent)"),
                "",
                "",
                "",
                "",
                t.target_text,
            ]


def _monthly_counts(agreement: Agreement, start: datetime.date, end: datetime.date) -> dict:
    """Per gender: intake, active at the month's end, exits, to work, to studies, on
    income support at start and off it at exit (1 query, the annual report's filters)."""
    keys = (
        "new",
        "active_at_end",
        "exited",
        "to_work",
        "to_studies",
        "on_income_support_at_start",
        "left_income_support",
    )

    def count(key: str) -> Count:
        condition, per_participant = ENROLMENT_FIGURES[key]
        q = condition(start, end) or None
        if per_participant:
            return Count("participant", filter=q, distinct=True)
        return Count("pk", filter=q)

    rows = (
        enrolments_in_period(agreement, start, end)
        .values("participant__gender")
        .annotate(**{k: count(k) for k in keys})
        .order_by()
    )
    return _by_gender(rows, list(keys))


def _outcome_counts(agreement: Agreement, start: datetime.date, end: datetime.date) -> dict:
    """{outcome: {gender: exits}} (1 query)."""
    found: dict[str, dict[str, int]] = {}
    for row in (
        enrolments_in_period(agreement, start, end)
        .filter(exit_date__range=(start, end))
        .values("exit_outcome", "participant__gender")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        found.setdefault(row["exit_outcome"] or ExitOutcome.UNKNOWN, {}).setdefault(
            row["participant__gender"], 0
        )
        found[row["exit_outcome"] or ExitOutcome.UNKNOWN][row["participant__gender"]] += row["n"]
    return found


def _phase_counts(agreement: Agreement, start: datetime.date, end: datetime.date) -> list:
    """[(phase name, {gender: participants active at the month's end})] (1 query)."""
    condition, _per_participant = ENROLMENT_FIGURES["active_at_end"]
    found: dict[str, dict[str, int]] = {}
    for row in (
        enrolments_in_period(agreement, start, end)
        .filter(condition(start, end))
        .values("phase__position", "phase__name", "participant__gender")
        .annotate(n=Count("participant", distinct=True))
        .order_by("phase__position", "phase__name")
    ):
        name = row["phase__name"] or _("Ingen fas angiven")
        found.setdefault(name, {})[row["participant__gender"]] = row["n"]
    return list(found.items())


def _days_in_programme(
    agreement: Agreement, start: datetime.date, end: datetime.date
) -> tuple[int, float | None]:
    """Exits in the month: how many, and their mean days from start to exit (1 query)."""
    days = [
        (exited - started).days
        for started, exited in Enrolment.objects.filter(
            agreement=agreement, exit_date__range=(start, end)
        ).values_list("start_date", "exit_date")
        if exited is not None
    ]
    return len(days), round(statistics.fmean(days), 1) if days else None


def _referral_counts(agreement: Agreement, start: datetime.date, end: datetime.date) -> list:
    """[(referring agency, {gender: referrals in the month})] (1 query, the casework's)."""
    found: dict[str, dict[str, int]] = {}
    for r in casework_figures.referrals_by_agency_and_month(agreement, start, end):
        agency = found.setdefault(r["agency"] or _("Ingen anvisande organisation"), {})
        agency[r["gender"]] = agency.get(r["gender"], 0) + r["n"]
    return sorted(found.items())


def _targets(agreement: Agreement, year: int) -> dict[str, Decimal]:
    return dict(
        IndicatorTarget.objects.filter(
            indicator__goal__agreement=agreement,
            indicator__metric__in=TARGET_METRICS,
            year=year,
        )
        .order_by("indicator__metric", "pk")
        .values_list("indicator__metric", "target")
    )


def _target_rows(
    s: Suppressor,
    agreement: Agreement,
    start: datetime.date,
    end: datetime.date,
    counts: dict[str, dict[str, int]],
) -> list[tuple[str, str, Row, Row]]:
    """(metric, label, numerator, denominator) per target (3 queries: plan, hand-over)."""
    plan = casework_figures.plan_agreement(agreement, start, end)["by_gender"]
    handover = casework_figures.sickness_benefit_handover(agreement, start, end)
    pairs: list[tuple[str, str, dict[str, int], dict[str, int], str, str]] = [
        (
            Indicator.Metric.SHARE_TO_WORK,
            _("Avslutade till arbete"),
            counts["to_work"],
            counts["exited"],
            "WORK",
            "OUT",
        ),
        (
            Indicator.Metric.SHARE_TO_STUDIES,
            _("Avslutade till studier"),
            counts["to_studies"],
            counts["exited"],
            "STUDIES",
            "OUT",
        ),
        (
            Indicator.Metric.OFF_INCOME_SUPPORT,
            _("Lämnat försörjningsstöd vid avslut (av dem med försörjningsstöd vid start)"),
            counts["left_income_support"],
            counts["on_income_support_at_start"],
            "OFF-IS",
            "IS",
        ),
        (
            Indicator.Metric.HANDOVER_AF_FK,
            _("Överlämnade till AF–FK-samverkan (av avslutade med sjukpenning vid start)"),
            {g: v["handed_over"] for g, v in handover.items()},
            {g: v["exits"] for g, v in handover.items()},
            "AFFK",
            "SICK",
        ),
        (
            Indicator.Metric.PLAN_AGREED,
            _("Med samordnad plan godkänd av flera myndigheter (av inskrivna)"),
            {g: v["agreed"] for g, v in plan.items()},
            {g: v["enrolled"] for g, v in plan.items()},
            "PLAN",
            "ENR",
        ),
    ]
    return [
        (metric, label, _row(s, code, label, num), _row(s, base, _("Underlag"), den))
        for metric, label, num, den, code, base in pairs
    ]


def monthly_report(agreement: Agreement, year: int, month: int) -> MonthlyReport:
    """The monthly follow-up of one month (11 queries)."""
    start, end = month_period(agreement, year, month)
    references = _references(agreement)
    counts = _monthly_counts(agreement, start, end)
    s = Suppressor()
    flow = [
        _row(s, "NEW", _("Nya deltagare under månaden"), counts["new"]),
        _row(s, "ACTIVE", _("Aktiva vid månadens slut"), counts["active_at_end"]),
        _row(s, "OUT", _("Avslutade under månaden"), counts["exited"]),
    ]
    found = _outcome_counts(agreement, start, end)
    outcomes = [
        _row(s, f"OUT-{value}", str(label), found.get(value, {}))
        for value, label in ExitOutcome.choices
    ]
    _relate_rows(s, flow[2], outcomes)
    phases = [
        _row(s, f"PHASE-{i}", name, by_gender)
        for i, (name, by_gender) in enumerate(_phase_counts(agreement, start, end), start=1)
    ]
    _relate_rows(s, flow[1], phases)
    referrals = [
        _row(s, f"REF-{i}", agency, by_gender)
        for i, (agency, by_gender) in enumerate(_referral_counts(agreement, start, end), start=1)
    ]
    pairs = _target_rows(s, agreement, start, end, counts)
    days_n, days_mean = _days_in_programme(agreement, start, end)
    targets = _targets(agreement, start.year)
    s.apply()
    return MonthlyReport(
        agreement=agreement,
        start=start,
        end=end,
        genders=funder_gender_labels(),
        flow=flow,
        outcomes=outcomes,
        phases=phases,
        referrals=referrals,
        targets=[
            TargetRow(
                metric=metric,
                label=label,
                numerator=num,
                denominator=den,
                shares=[Share(n, d) for n, d in zip(num.cells, den.cells, strict=True)],
                share=Share(num.total, den.total),
                target=targets.get(metric),
                references=references.get(metric, []),
            )
            for metric, label, num, den in pairs
        ],
        days_n=days_n,
        days_mean=days_mean,
    )


# --------------------------------------------------------------------------- dashboards


@dataclass
class DashboardTarget:
    label: str
    share: Share
    target: Decimal
    references: list[ReferenceValue]

    @property
    def met(self) -> bool | None:
        value = self.share.value
        if value is None or self.share.hidden:
            return None
        return value >= self.target


def dashboard_casework_targets(
    agreement: Agreement, start: datetime.date, end: datetime.date, year: int
) -> tuple[list[DashboardTarget], list[ReferenceValue]]:
    """The agreement's dashboard: the plan-agreement and hand-over shares where the
    agreement has a target for them (1 query, 4 more when it has), and every comparison
    value (1 query)."""
    found = _targets(agreement, year)
    references = list(ReferenceValue.objects.filter(agreement=agreement))
    by_metric: dict[str, list[ReferenceValue]] = {}
    for ref in references:
        by_metric.setdefault(ref.indicator, []).append(ref)
    rows = []
    s = Suppressor()
    if Indicator.Metric.PLAN_AGREED in found:
        plan = casework_figures.plan_agreement(agreement, start, end)["by_gender"].values()
        agreed = s.cell(sum(v["agreed"] for v in plan))
        enrolled = s.cell(sum(v["enrolled"] for v in plan))
        rows.append(
            DashboardTarget(
                _("Med samordnad plan godkänd av flera myndigheter"),
                Share(agreed, enrolled),
                found[Indicator.Metric.PLAN_AGREED],
                by_metric.get(Indicator.Metric.PLAN_AGREED, []),
            )
        )
    if Indicator.Metric.HANDOVER_AF_FK in found:
        handover = casework_figures.sickness_benefit_handover(agreement, start, end).values()
        handed = s.cell(sum(v["handed_over"] for v in handover))
        exits = s.cell(sum(v["exits"] for v in handover))
        rows.append(
            DashboardTarget(
                _("Överlämnade till AF–FK-samverkan (av avslutade med sjukpenning vid start)"),
                Share(handed, exits),
                found[Indicator.Metric.HANDOVER_AF_FK],
                by_metric.get(Indicator.Metric.HANDOVER_AF_FK, []),
            )
        )
    s.apply()
    return rows, references
