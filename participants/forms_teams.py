"""Forms for teams, their members and shared specialists, and an enrolment's team,
caseworker and contacts at other agencies. Model clean() and constraints run too."""

from __future__ import annotations

from typing import Any

from django import forms

from iop.forms import AmountField
from partnerships.models import Agreement, Organisation, User

from .forms import DateInput
from .models import AgencyContact, Enrolment, SharedSpecialist, Team, TeamMember


def _party_organisations(agreement: Agreement):
    return Organisation.objects.filter(agreement_parties__agreement=agreement).distinct()


def _party_staff(agreement: Agreement):
    return (
        User.objects.filter(organisation__agreement_parties__agreement=agreement, is_active=True)
        .select_related("organisation")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.get_username()
        return f"{name} ({obj.organisation})" if obj.organisation_id else name


class _ScopedForm(forms.ModelForm):
    """A form whose owner (the agreement, the enrolment) is set by the view, not typed:
    the unique constraints that name it are still checked, with their messages."""

    scope_field = ""

    def _get_validation_exclusions(self) -> set[str]:
        exclude = super()._get_validation_exclusions()  # type: ignore[misc]
        exclude.discard(self.scope_field)
        return exclude


class TeamForm(_ScopedForm):
    scope_field = "agreement"

    class Meta:
        model = Team
        fields = ["name", "caseload_target"]

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agreement = agreement


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = [
            "user",
            "organisation",
            "function",
            "fte",
            "is_lead",
            "caseload_target",
            "start_date",
            "end_date",
        ]
        field_classes = {"fte": AmountField, "user": StaffChoiceField}
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.team = team
        self.fields["user"].queryset = _party_staff(team.agreement)  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = _party_organisations(team.agreement)  # type: ignore[attr-defined]


class SharedSpecialistForm(forms.ModelForm):
    class Meta:
        model = SharedSpecialist
        fields = ["user", "organisation", "function", "fte", "teams", "start_date", "end_date"]
        field_classes = {"fte": AmountField, "user": StaffChoiceField}
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "teams": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agreement = agreement
        self.fields["user"].queryset = _party_staff(agreement)  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = _party_organisations(agreement)  # type: ignore[attr-defined]
        self.fields["teams"].queryset = agreement.teams.all()  # type: ignore[attr-defined]


class CaseAssignmentForm(forms.ModelForm):
    """The enrolment's team and its responsible caseworker (a member of that team)."""

    class Meta:
        model = Enrolment
        fields = ["team", "caseworker"]
        field_classes = {"caseworker": StaffChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agreement_id = self.instance.agreement_id
        self.fields["team"].queryset = Team.objects.filter(agreement_id=agreement_id)  # type: ignore[attr-defined]
        self.fields["caseworker"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(team_memberships__team__agreement_id=agreement_id)
            .select_related("organisation")
            .distinct()
            .order_by("first_name", "last_name")
        )


class AgencyContactForm(_ScopedForm):
    scope_field = "enrolment"

    class Meta:
        model = AgencyContact
        fields = ["organisation", "user", "function"]
        field_classes = {"user": StaffChoiceField}

    def __init__(self, *args, enrolment: Enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.enrolment = enrolment
        self.fields["organisation"].queryset = _party_organisations(enrolment.agreement)  # type: ignore[attr-defined]
        self.fields["user"].queryset = _party_staff(enrolment.agreement)  # type: ignore[attr-defined]
