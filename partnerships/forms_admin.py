"""Forms for user administration: invite, organisation and role, reasons, and the
invitation link's own form (password and authenticator in one step)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from iop.roles import Role

from .access import assignable_organisations, grantable_roles
from .models import Organisation, User


class RoleFields(forms.Form):
    """Organisation and role, limited to what the acting user may give."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    role = forms.ChoiceField(label=_("Roll"))

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        organisation = cast("forms.ModelChoiceField[Organisation]", self.fields["organisation"])
        organisation.queryset = assignable_organisations(actor)
        role = cast(forms.ChoiceField, self.fields["role"])
        role.choices = [(r.value, r.label) for r in grantable_roles(actor)]
        if not actor.is_administrator:
            # A partnership manager places users in their own organisation only.
            organisation.required = True
            organisation.empty_label = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = data.get("role") != Role.ADMIN and not data.get("organisation")
        if missing and "organisation" not in self.errors:
            self.add_error("organisation", _("Välj organisation för den här rollen."))
        return data


class InviteForm(RoleFields):
    username = forms.CharField(label=_("Användarnamn"), max_length=150)
    first_name = forms.CharField(label=_("Förnamn"), max_length=150)
    last_name = forms.CharField(label=_("Efternamn"), max_length=150)
    email = forms.EmailField(
        label=_("E-post"), help_text=_("Inbjudningslänken skickas hit och gäller i sju dagar.")
    )
    field_order = ["username", "first_name", "last_name", "email", "organisation", "role"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Användarnamnet är upptaget."))
        return username


class AssignForm(RoleFields):
    pass


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Skrivs i administrationsloggen. Inga personuppgifter utöver det nödvändiga."),
    )


class InvitationForm(SetPasswordForm):
    """The new password twice and the first code from the newly linked app."""

    code = forms.CharField(
        label=_("Kod från appen"),
        max_length=6,
        help_text=_("Skanna QR-koden med appen och skriv de sex siffror den visar just nu."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
