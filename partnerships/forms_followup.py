"""Forms for meetings: the meeting itself and its attendees, decisions and action items.

The organisation fields only offer the agreement's parties; anything else posted answers
with a message saying so (the models check the same in clean(), for other doors).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .forms import DateInput, model_choice_field
from .models import (
    ActionItem,
    Agreement,
    Attendee,
    BodyMember,
    Decision,
    Meeting,
    Organisation,
)

NOT_A_PARTY = _("Organisationen är inte part i överenskommelsen.")


def _party_organisations(agreement: Agreement):
    return Organisation.objects.filter(agreement_parties__agreement=agreement).order_by("name")


def _limit_to_parties(field, agreement: Agreement) -> None:
    """Offer only the agreement's parties. The choices are read once per agreement and
    shared by every row of a formset (one query, not one per row); validation still
    goes through the queryset."""
    field.queryset = _party_organisations(agreement)
    cached = getattr(agreement, "_party_choices", None)
    if cached is None:
        cached = [("", "---------")] + [(o.pk, o.name) for o in field.queryset]
        agreement._party_choices = cached  # type: ignore[attr-defined]
    field.choices = cached


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        super().__init__(**kwargs)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "kind",
            "body",
            "status",
            "date",
            "start_time",
            "place",
            "convened_by",
            "agenda",
            "minutes",
        ]
        widgets = {
            "date": DateInput(),
            "start_time": TimeInput(),
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "minutes": forms.Textarea(attrs={"rows": 10}),
        }
        error_messages = {
            "date": {"required": _("Ange mötets datum.")},
            "convened_by": {
                "required": _("Ange vilken part som kallade till mötet."),
                "invalid_choice": NOT_A_PARTY,
            },
        }

    present_members = forms.ModelMultipleChoiceField(
        label=_("Närvarande ledamöter"),
        queryset=BodyMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Välj bland organets ledamöter; gäster läggs till för hand nedan."),
        error_messages={"invalid_choice": _("Personen är inte ledamot i något av organen.")},
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agreement = agreement
        _limit_to_parties(self.fields["convened_by"], agreement)
        model_choice_field(self, "body").queryset = agreement.bodies.all()
        members = BodyMember.objects.filter(body__agreement=agreement).select_related(
            "body", "user__organisation"
        )
        field = self.fields["present_members"]
        field.queryset = members  # type: ignore[attr-defined]
        field.label_from_instance = _member_label  # type: ignore[attr-defined]
        if self.instance.pk and "present_members" not in self.initial:
            self.initial["present_members"] = [
                a.member_id for a in self.instance.attendees.all() if a.member_id
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        body, members = data.get("body"), data.get("present_members") or []
        day = data.get("date")
        wrong = [m for m in members if body is None or m.body_id != body.pk]
        if wrong:
            self.add_error(
                "present_members",
                _("%(name)s är inte ledamot i mötets organ.") % {"name": wrong[0].display_name},
            )
        elif day is not None:
            absent = [m for m in members if not m.serves_on(day)]
            if absent:
                self.add_error(
                    "present_members",
                    _("%(name)s var inte ledamot %(day)s.")
                    % {"name": absent[0].display_name, "day": day.isoformat()},
                )
        return data


def _member_label(member: BodyMember) -> str:
    org = member.display_organisation
    return f"{member.display_name}{', ' + org if org else ''} – {member.get_role_display()} ({member.body})"


class AttendeeForm(forms.ModelForm):
    class Meta:
        model = Attendee
        fields = ["name", "title", "organisation"]
        error_messages = {
            "name": {"required": _("Ange deltagarens namn.")},
            "organisation": {
                "required": _("Ange vilken part deltagaren företräder."),
                "invalid_choice": NOT_A_PARTY,
            },
        }

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        # Guests added by hand represent a party; members come from present_members.
        self.fields["organisation"].required = True
        _limit_to_parties(self.fields["organisation"], agreement)


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["text", "amendment"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "amendment": {"invalid_choice": _("Ändringen hör till en annan överenskommelse.")},
        }

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "amendment")
        field.queryset = agreement.versions.order_by("-number")
        cached = getattr(agreement, "_amendment_choices", None)
        if cached is None:
            cached = [("", "---------")] + [
                (v.pk, f"{v.label} {v.summary}")
                for v in field.queryset.only("pk", "number", "valid_from", "summary")
            ]
            agreement._amendment_choices = cached  # type: ignore[attr-defined]
        field.choices = cached


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["description", "owner", "owner_organisation", "due_date"]
        widgets = {"due_date": DateInput()}
        error_messages = {
            "description": {"required": _("Beskriv åtgärden.")},
            "owner": {"required": _("Ange vem som ansvarar för åtgärden.")},
            "due_date": {"required": _("Ange när åtgärden ska vara klar.")},
            "owner_organisation": {"invalid_choice": NOT_A_PARTY},
        }

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_to_parties(self.fields["owner_organisation"], agreement)


class PositionedFormSet(BaseInlineFormSet):
    """Keeps the order the rows were entered in (decisions are numbered in the minutes)."""

    def save(self, commit: bool = True):
        for position, form in enumerate(self.ordered_forms if self.can_order else self.forms):
            if hasattr(form.instance, "position"):
                form.instance.position = position
        return super().save(commit)


class ActionItemFormSetBase(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            # An item already ticked off stays as it is; its due date is history.
            if form.instance.pk and form.instance.done_on and set(form.changed_data) - {"DELETE"}:
                raise ValidationError(_("En avbockad åtgärd kan inte ändras."))


AttendeeFormSet = inlineformset_factory(
    Meeting, Attendee, form=AttendeeForm, extra=3, can_delete=True
)
DecisionFormSet = inlineformset_factory(
    Meeting, Decision, form=DecisionForm, formset=PositionedFormSet, extra=2, can_delete=True
)
ActionItemFormSet = inlineformset_factory(
    Meeting,
    ActionItem,
    form=ActionItemForm,
    formset=ActionItemFormSetBase,
    extra=2,
    can_delete=True,
    fk_name="meeting",
)
