"""Forms for running the partnership: bodies and their members, stages, risks, obstacles."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .forms import DateInput, model_choice_field
from .models import (
    Agreement,
    BodyMember,
    GovernanceBody,
    Obstacle,
    Risk,
    Stage,
    User,
)


class AgreementPartForm(forms.ModelForm):
    """A form for a part of one agreement: the agreement is set, never posted."""

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agreement = agreement


class GovernanceBodyForm(AgreementPartForm):
    class Meta:
        model = GovernanceBody
        fields = ["kind", "name", "mandate"]
        widgets = {"mandate": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"kind": {"required": _("Välj vilket slags organ det är.")}}


class BodyMemberForm(forms.ModelForm):
    class Meta:
        model = BodyMember
        fields = ["user", "name", "organisation_name", "title", "role", "start_date", "end_date"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}
        error_messages = {
            "start_date": {"required": _("Ange från vilket datum personen är ledamot.")},
            "user": {"invalid_choice": _("Användaren hör inte till någon av parterna.")},
        }

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "user")
        field.queryset = User.objects.filter(
            organisation__agreement_parties__agreement=agreement
        ).order_by("last_name", "first_name", "username")
        cached = getattr(agreement, "_user_choices", None)
        if cached is None:
            cached = [("", "---------")] + [
                (u.pk, u.get_full_name() or u.username) for u in field.queryset
            ]
            agreement._user_choices = cached  # type: ignore[attr-defined]
        field.choices = cached


BodyMemberFormSet = inlineformset_factory(
    GovernanceBody, BodyMember, form=BodyMemberForm, extra=2, can_delete=True
)


class StageForm(AgreementPartForm):
    class Meta:
        model = Stage
        fields = ["name", "start_date", "end_date", "goals"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "goals": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "name": {"required": _("Ange etappens namn.")},
            "start_date": {"required": _("Ange etappens första dag.")},
            "end_date": {"required": _("Ange etappens sista dag.")},
        }


class RiskForm(AgreementPartForm):
    class Meta:
        model = Risk
        fields = [
            "title",
            "category",
            "likelihood",
            "consequence",
            "owner_party",
            "owner_person",
            "mitigation",
            "status",
            "next_review",
        ]
        widgets = {"next_review": DateInput(), "mitigation": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "title": {"required": _("Beskriv risken.")},
            "category": {"required": _("Välj en kategori.")},
            "likelihood": {"required": _("Ange sannolikheten: stor, medel eller liten.")},
            "consequence": {"required": _("Ange konsekvensen: stor, medel eller liten.")},
            "owner_party": {
                "required": _("Ange vilken part som äger risken."),
                "invalid_choice": _("Ägaren måste vara part i överenskommelsen."),
            },
            "owner_person": {"required": _("Ange vem som äger risken.")},
        }

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, agreement=agreement, **kwargs)
        model_choice_field(self, "owner_party").queryset = agreement.parties.select_related(
            "organisation"
        )


class ObstacleForm(AgreementPartForm):
    class Meta:
        model = Obstacle
        fields = [
            "description",
            "level",
            "lies_with",
            "raised_on",
            "raised_by",
            "escalated_to",
            "escalated_on",
            "status",
            "resolution",
            "resolved_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "resolution": forms.Textarea(attrs={"rows": 3}),
            "raised_on": DateInput(),
            "escalated_on": DateInput(),
            "resolved_on": DateInput(),
        }
        error_messages = {
            "description": {"required": _("Beskriv hindret.")},
            "level": {"required": _("Ange på vilken nivå hindret ligger.")},
            "lies_with": {"required": _("Ange var hindret ligger: myndighet eller regel.")},
            "raised_on": {"required": _("Ange när hindret lyftes.")},
            "raised_by": {"required": _("Ange vem som lyfte hindret.")},
        }
