"""What funders ask: the background form beside the enrolment forms, and a partnership
manager's page for the agreement's funding programme and target-group rules.

The background and the results are personal data under the participant's consent:
the items themselves are the participant's situation as assessed by the organisation that
recorded them (Category.PLAN of that source), the income sources are Category.INCOME and
the disability answer is health data (Category.HEALTH). Nothing of it is shown without the
matching consent; every page that shows it is reached through an access helper that logs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from iop.audit import AuditContext
from partnerships import access as partnership_access
from partnerships.http import AuthedHttpRequest
from partnerships.models import User

from . import access, actions_funder
from .forms_funder import EligibilityRuleFormSet, EntryBackgroundForm, FunderProfileForm
from .models import Category, Enrolment, EntryBackground, FunderProfile, Participant

BACKGROUND_PREFIX = "b"


@dataclass(frozen=True)
class Shown:
    """Which parts of a background or result recorded by one organisation a user sees."""

    any: bool
    health: bool
    income: bool


EVERYTHING = Shown(any=True, health=True, income=True)


def shown_to(user: User, participant: Participant, source_organisation_id: int | None) -> Shown:
    """What the user sees of information `source_organisation_id` recorded (None: not yet
    recorded, so the user will be its source)."""
    if source_organisation_id is None or source_organisation_id == user.organisation_id:
        return EVERYTHING
    seen = access.participant_access(user, participant)
    return Shown(
        any=seen.sees(Category.PLAN, source_organisation_id),
        health=seen.sees(Category.HEALTH, source_organisation_id),
        income=seen.sees(Category.INCOME, source_organisation_id),
    )


def new_background_form(data: QueryDict | None, user: User) -> EntryBackgroundForm:
    return EntryBackgroundForm(data, prefix=BACKGROUND_PREFIX, user=user)


def background_form_for(
    data: QueryDict | None, user: User, enrolment: Enrolment
) -> EntryBackgroundForm | None:
    """The form for an enrolment's background, or None when the user may not see it."""
    background = EntryBackground.objects.filter(enrolment=enrolment).first()
    if background is None:
        background = EntryBackground(enrolment=enrolment)
    shown = shown_to(user, enrolment.participant, background.source_organisation_id)
    if not shown.any:
        return None
    form = EntryBackgroundForm(
        data,
        prefix=BACKGROUND_PREFIX,
        user=user,
        instance=background,
        show_health=shown.health,
        show_income=shown.income,
    )
    form.for_enrolment(enrolment.participant, enrolment)
    return form


def check_background(
    form: EntryBackgroundForm | None, participant: Participant, enrolment: Enrolment
) -> bool:
    """Validate a bound background form against the enrolment being made (its agreement's
    required items and target-group rules). True when there is nothing to stop."""
    if form is None:
        return True
    if not form.is_bound:
        return False
    form.for_enrolment(participant, enrolment)
    return form.is_valid()


def is_background_error(exc: ValidationError) -> bool:
    fields = set(EntryBackgroundForm.Meta.fields)
    return hasattr(exc, "error_dict") and bool(set(exc.error_dict) & fields)


def funder_profile_edit(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    """A partnership manager's (or administrator's) funding programme, required background
    items and target-group rules of an agreement."""
    user = request.user
    # Nothing personal here: whoever sees the agreement sees its target group; partnership
    # managers and administrators change it.
    can_edit = user.has_role(*partnership_access.CAN_EDIT_AGREEMENT)
    agreement = partnership_access.access_agreement_by_id(
        user, agreement_id, for_edit=request.method == "POST"
    )
    profile = FunderProfile.objects.filter(agreement=agreement).first() or FunderProfile(
        agreement=agreement
    )
    data = request.POST or None
    form = FunderProfileForm(data, instance=profile)
    rules = EligibilityRuleFormSet(data, instance=agreement, prefix="rules")
    if request.method == "POST" and form.is_valid() and rules.is_valid():
        try:
            actions_funder.save_funder_profile(
                user=request.user,
                audit=AuditContext.from_request(request),
                agreement=agreement,
                profile=form.save(commit=False),
                rules=rules,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Finansiär och målgruppsregler är sparade."))
            return redirect("participants:funder_profile", agreement.pk)
    return render(
        request,
        "participants/funder/profile_form.html",
        {
            "agreement": agreement,
            "form": form,
            "rules": rules,
            "profile": profile,
            "rule_list": agreement.eligibility_rules.all(),
            "can_edit": can_edit,
        },
    )
