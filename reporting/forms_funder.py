"""The funder reports' period forms and the comparison values' form.

A period outside the agreement is refused with a Swedish message next to the field
(reporting.funder.check_period / month_period), and no report is drawn.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from partnerships.models import Agreement, Indicator

from .funder import (
    TARGET_METRICS,
    check_period,
    entry_indicators,
    exit_indicators,
    followup_indicators,
    month_period,
)
from .models import ReferenceValue


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_lazy("Från"), widget=DateInput())
    end = forms.DateField(label=_lazy("Till"), widget=DateInput())

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agreement = agreement

    @staticmethod
    def defaults(agreement: Agreement, today: datetime.date) -> dict[str, str]:
        """This year, as far as the agreement runs."""
        year = min(max(today.year, agreement.start_date.year), agreement.end_date.year)
        start = max(datetime.date(year, 1, 1), agreement.start_date)
        end = min(datetime.date(year, 12, 31), agreement.end_date)
        return {"start": start.isoformat(), "end": end.isoformat()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end"):
            try:
                check_period(self.agreement, data["start"], data["end"])
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    for error in errors:
                        self.add_error(name, error)
        return data


MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_lazy("Månad"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "ÅÅÅÅ-MM"}),
        help_text=_lazy("ÅÅÅÅ-MM"),
    )

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agreement = agreement

    @staticmethod
    def defaults(agreement: Agreement, today: datetime.date) -> dict[str, str]:
        day = min(max(today, agreement.start_date), agreement.end_date)
        return {"month": f"{day.year}-{day.month:02d}"}

    def clean_month(self) -> tuple[int, int]:
        found = MONTH.match(self.cleaned_data["month"].strip())
        if not found or not 1 <= int(found[2]) <= 12:
            raise ValidationError(_("Ange månaden som ÅÅÅÅ-MM, till exempel 2026-03."))
        year, month = int(found[1]), int(found[2])
        try:
            month_period(self.agreement, year, month)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["month"]) from exc
        return year, month


def indicator_choices() -> list[tuple[str, str]]:
    esf = [
        (code, f"{code} {label}")
        for code, label, _q in (*entry_indicators(), *exit_indicators(), *followup_indicators())
        if code.startswith("E")
    ]
    metrics = [(m.value, str(m.label)) for m in Indicator.Metric if m in TARGET_METRICS]
    return [*esf, *metrics]


class ReferenceValueForm(forms.ModelForm):
    indicator = forms.ChoiceField(label=_lazy("Indikator"), choices=())

    class Meta:
        model = ReferenceValue
        fields = ["indicator", "gender", "value", "unit", "source", "year"]

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.agreement = agreement
        self.fields["indicator"].choices = indicator_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        taken = ReferenceValue.objects.filter(
            agreement=self.instance.agreement,
            indicator=data.get("indicator"),
            gender=data.get("gender") or "",
            year=data.get("year") or 0,
        )
        if data.get("year") and taken.exists():
            self.add_error(
                "year", _("Det finns redan ett jämförelsevärde för indikatorn, könet och året.")
            )
        return data
