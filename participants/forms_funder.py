"""Forms for what funders ask: the background at entry, the results at exit, and the
agreement's funding programme and target-group rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from iop.forms import CheckboxList
from partnerships.models import Agreement, User

from . import funder
from .models import (
    EligibilityRule,
    Enrolment,
    EntryBackground,
    ExitResult,
    FunderProfile,
    Participant,
)
from .models.choices import IncomeSource
from .models.funder import MAX_UNEMPLOYED_MONTHS

UNEMPLOYED_MONTHS_MESSAGE = _("Ange antal månader i arbetslöshet mellan 0 och 600.")
REQUIRED_MESSAGE = _("Finansiären kräver den här uppgiften.")


class IncomeSourcesField(forms.MultipleChoiceField):
    widget = CheckboxList

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", IncomeSource.choices)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class EntryBackgroundForm(forms.ModelForm):
    """The background at entry. Before validating, the view calls `for_enrolment` with the
    (possibly unsaved) participant and enrolment so that the agreement's required items
    and target-group rules apply."""

    unemployed_months = forms.IntegerField(
        label=_("Månader i arbetslöshet"),
        required=False,
        help_text=_(
            "Sammanhängande tid utan arbete fram till starten; 12 månader eller mer är långtidsarbetslös."
        ),
        error_messages={
            "min_value": UNEMPLOYED_MONTHS_MESSAGE,
            "max_value": UNEMPLOYED_MONTHS_MESSAGE,
            "invalid": UNEMPLOYED_MONTHS_MESSAGE,
        },
        min_value=0,
        max_value=MAX_UNEMPLOYED_MONTHS,
    )
    income_sources = IncomeSourcesField(label=_("Försörjning vid start"))

    class Meta:
        model = EntryBackground
        fields = [
            "labour_market_status",
            "unemployed_months",
            "education_level",
            "disability",
            "third_country_national",
            "foreign_background",
            "homeless",
            "income_sources",
            "eligibility_justification",
        ]
        widgets = {"eligibility_justification": forms.Textarea(attrs={"rows": 2})}

    def __init__(
        self, *args: Any, user: User, show_health: bool = True, show_income: bool = True, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.participant: Participant | None = None
        self.enrolment: Enrolment | None = None
        self.breaches: list[funder.Breach] = []
        # Disability is health data, income sources income data: shown only within consent.
        if not show_health:
            del self.fields["disability"]
        if not show_income:
            del self.fields["income_sources"]
        self.fields["eligibility_justification"].help_text = _(
            "Krävs bara när inskrivningen avviker från partnerskapets målgrupp."
        )

    def for_enrolment(self, participant: Participant, enrolment: Enrolment) -> None:
        self.participant = participant
        self.enrolment = enrolment
        for name in funder.required_background(
            enrolment.agreement if enrolment.agreement_id else None
        ):
            if name in self.fields:
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = REQUIRED_MESSAGE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.participant is None or self.enrolment is None:
            return data
        probe = EntryBackground(
            labour_market_status=data.get("labour_market_status") or "",
            unemployed_months=data.get("unemployed_months"),
        )
        self.breaches = funder.evaluate(
            user=self.user, participant=self.participant, enrolment=self.enrolment, background=probe
        )
        if self.breaches and not (data.get("eligibility_justification") or "").strip():
            self.add_error(
                "eligibility_justification",
                _(
                    "Inskrivningen avviker från målgruppen: skriv en motivering för att skriva in ändå."
                ),
            )
        return data


class ExitResultForm(forms.ModelForm):
    income_sources = IncomeSourcesField(label=_("Försörjning vid avslut"))

    class Meta:
        model = ExitResult
        fields = [
            "job_seeking",
            "in_education",
            "gained_qualification",
            "in_employment",
            "income_sources",
        ]

    def __init__(self, *args: Any, show_income: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not show_income:
            del self.fields["income_sources"]
        for name in ("job_seeking", "in_education", "gained_qualification", "in_employment"):
            self.fields[name].help_text = _("Lämna tomt om uppgiften inte är känd.")


BACKGROUND_LABELS = {
    name: getattr(EntryBackground._meta.get_field(name), "verbose_name", name)
    for name in funder.BACKGROUND_FIELDS
}


class FunderProfileForm(forms.ModelForm):
    required_background = forms.MultipleChoiceField(
        label=_("Obligatoriska bakgrundsuppgifter vid inskrivning"),
        choices=[(name, str(label).capitalize()) for name, label in BACKGROUND_LABELS.items()],
        widget=CheckboxList,
        required=False,
    )

    class Meta:
        model = FunderProfile
        fields = ["programme", "project_reference", "finsam_intervention", "required_background"]


class EligibilityRuleForm(forms.ModelForm):
    class Meta:
        model = EligibilityRule
        fields = ["kind", "value"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        value = data.get("value")
        if kind == EligibilityRule.Kind.NO_PARALLEL_ESF and value is not None:
            self.add_error("value", _("Regeln om parallella ESF-projekt har inget värde."))
        elif kind and kind != EligibilityRule.Kind.NO_PARALLEL_ESF and value is None:
            self.add_error("value", _("Ange ett värde för regeln."))
        return data


EligibilityRuleFormSet = forms.inlineformset_factory(
    Agreement, EligibilityRule, form=EligibilityRuleForm, extra=2, can_delete=True
)
