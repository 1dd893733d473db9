"""Forms for participant work. Swedish messages sit next to the field; model clean() and
constraints run too (ModelForm validation), so the same rules hold for every door."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships import documents as archive
from partnerships.models import Agreement, Organisation, User

from . import duplicates
from .casework import OUTSIDE_INTAKE, outside_intake
from .models import (
    MAX_CONTACT_MINUTES,
    NO_RESPONSIBLE_AGENCY,
    STEP_SCALE_MAX,
    STEP_SCALE_MIN,
    ActionGoal,
    ActionPlan,
    AgeBand,
    Attendance,
    Consent,
    ConsentMethod,
    Contact,
    DuplicateSuspicion,
    Enrolment,
    ExitRecord,
    FollowUp,
    Gender,
    GoalStatus,
    GroupActivity,
    GroupSession,
    IntakeWindow,
    Participant,
    Phase,
    ProgressAssessment,
    Referral,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class RevisionForm(forms.Form):
    """Carries the revision the user started editing from (optimistic locking)."""

    revision = forms.IntegerField(widget=forms.HiddenInput)


def _not_in_future(day):
    if day and day > timezone.localdate():
        raise ValidationError(_("Datumet kan inte ligga i framtiden."))
    return day


def preselect_single_choice(form: forms.BaseForm, name: str) -> None:
    """A required menu with one possible answer is answered already: the user is not asked
    to pick past an empty line."""
    field = form.fields[name]
    queryset = field.queryset  # type: ignore[attr-defined]
    if not field.required or queryset is None:
        return
    only = list(queryset[:2])
    if len(only) == 1:
        field.empty_label = None  # type: ignore[attr-defined]
        form.initial.setdefault(name, only[0].pk)


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["identity_status", "name", "personnummer", "gender", "birth_year", "language"]

    def __init__(self, *args, show_identity: bool = True, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_identity:
            # The consent does not cover identity for this organisation: not even the inputs.
            del self.fields["identity_status"]
            del self.fields["name"]
            del self.fields["personnummer"]
        self.user = user
        # Set by clean_personnummer for the view: a collision to open a duplicate case for,
        # or the throttle to log (participants/duplicates.py).
        self.collision: duplicates.Collision | None = None
        self.throttled = False

    def clean_personnummer(self) -> str:
        value = self.cleaned_data.get("personnummer", "")
        stored = self.instance.personnummer
        registers = self.instance.pk is None or (value and duplicates.normalised(value) != stored)
        if self.user is None or not registers:
            return value
        if duplicates.is_throttled(self.user):
            self.throttled = True
            raise ValidationError(duplicates.NEUTRAL_REFUSAL, code="refused")
        self.collision = duplicates.find_collision(self.user, value, exclude_id=self.instance.pk)
        if self.collision is not None:
            # The same words whether the holder is hidden or the user is throttled.
            raise ValidationError(self.collision.message, code="refused")
        return value


class ParticipantEditForm(ParticipantForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)


class DuplicateResolveForm(forms.ModelForm):
    class Meta:
        model = DuplicateSuspicion
        fields = ["resolution", "resolution_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["resolution"])
        field.required = True
        field.choices = DuplicateSuspicion.Resolution.choices


class EnrolmentForm(forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = [
            "agreement",
            "start_date",
            "planned_min_days",
            "planned_max_days",
            "income_at_start",
            "next_step",
        ]
        widgets = {"start_date": DateInput()}

    def __init__(self, *args, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements  # type: ignore[attr-defined]
        preselect_single_choice(self, "agreement")
        self.fields["start_date"].initial = timezone.localdate()


class EnrolmentEditForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Enrolment
        fields = ["planned_min_days", "planned_max_days", "income_at_start", "next_step"]


class PhaseForm(forms.Form):
    phase = forms.ModelChoiceField(label=_("Ny fas"), queryset=Phase.objects.none())
    date = forms.DateField(label=_("Datum"), widget=DateInput())
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, enrolment: Enrolment, **kwargs):
        kwargs.setdefault("initial", {}).update(
            {
                "date": timezone.localdate(),
                "revision": enrolment.revision,
                "phase": enrolment.phase_id,
            }
        )
        super().__init__(*args, **kwargs)
        phase = cast(forms.ModelChoiceField, self.fields["phase"])
        phase.queryset = Phase.for_agreement(enrolment.agreement_id)

    def clean_date(self):
        return _not_in_future(self.cleaned_data["date"])


class ExitForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Enrolment
        fields = ["exit_date", "exit_outcome", "income_at_exit"]
        widgets = {"exit_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].required = True
        self.fields["exit_date"].error_messages["required"] = _("Ange avslutsdatum.")
        self.fields["exit_outcome"].error_messages["required"] = _("Ange avslutsorsak.")
        self.fields["income_at_exit"].error_messages["required"] = _("Ange försörjning vid avslut.")
        if not self.is_bound:
            self.initial.setdefault("exit_date", timezone.localdate())
            self.initial["revision"] = self.instance.revision

    def clean_exit_date(self):
        return _not_in_future(self.cleaned_data["exit_date"])


class ConsentForm(forms.ModelForm):
    """A consent document. The holder is always the user's own organisation (set by the
    verb); `organisations` are the possible recipients, or None when registering a new
    participant (the consent to registration, towards the registering organisation)."""

    class Meta:
        model = Consent
        fields = [
            "organisation",
            "share_identity",
            "share_notes",
            "share_plan",
            "share_health",
            "share_income",
            "purpose",
            "given_on",
            "expires_on",
            "method",
            "reference",
            "scan",
            "witness",
        ]
        widgets = {"given_on": DateInput(), "expires_on": DateInput()}

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        method = cast(forms.ChoiceField, self.fields["method"])
        method.choices = [c for c in ConsentMethod.choices if c[0] != ConsentMethod.UNRECORDED]
        # The unsaved instance's empty date would otherwise override the field's initial.
        if not self.initial.get("given_on"):
            self.initial["given_on"] = timezone.localdate()

    def clean_given_on(self):
        return _not_in_future(self.cleaned_data["given_on"])

    def clean_scan(self):
        """A scan is a PDF or a picture, judged by its content as in the document archive."""
        scan = self.cleaned_data.get("scan")
        if scan and not getattr(scan, "_committed", False):
            kind = archive.check_upload(scan)
            if kind not in SCAN_KINDS:
                raise ValidationError(
                    _("En inskannad blankett ska vara en PDF-, PNG- eller JPEG-fil."),
                    code="type_not_allowed",
                )
        return scan


# What a scanned consent form may be.
SCAN_KINDS = (archive.PDF, archive.PNG, archive.JPEG)


class WithdrawConsentForm(forms.Form):
    """How the participant withdrew a consent: recorded like the consent itself."""

    method = forms.ChoiceField(
        label=_("Hur återkallelsen lämnades"),
        choices=[c for c in ConsentMethod.choices if c[0] != ConsentMethod.UNRECORDED],
    )
    reference = forms.CharField(
        label=_("Referens"),
        max_length=100,
        required=False,
        help_text=_("Diarienummer eller blankettens nummer. Krävs för skriftlig återkallelse."),
    )
    witness = forms.CharField(
        label=_("Vittne"),
        max_length=200,
        required=False,
        help_text=_("Namn och befattning. Krävs för muntlig återkallelse."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == ConsentMethod.WRITTEN and not data.get("reference"):
            self.add_error("reference", _("Ange den skriftliga återkallelsens referens."))
        if data.get("method") == ConsentMethod.ORAL and not data.get("witness"):
            self.add_error("witness", _("Ange vittnet till den muntliga återkallelsen."))
        return data


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["date", "referred_by", "organisation", "reason", "requested_start"]
        widgets = {
            "date": DateInput(),
            "requested_start": DateInput(),
            "reason": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"referred_by": _("Anvisad av (person)"), "organisation": _("Anvisande myndighet")}

    agreement = forms.ModelChoiceField(
        label=_("Till partnerskap"), queryset=Agreement.objects.none(), required=False
    )
    confirm_outside_intake = forms.BooleanField(
        label=_("Registrera anvisningen fast den ligger utanför intagsperioderna"),
        required=False,
    )

    def __init__(self, *args, organisations, optional: bool = False, agreements=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agreements is None:
            # Registering a new participant: the referral goes to the enrolment's partnership.
            del self.fields["agreement"]
            del self.fields["confirm_outside_intake"]
        else:
            self.fields["agreement"].queryset = agreements  # type: ignore[attr-defined]
            self.fields["agreement"].required = True
            self.order_fields(["agreement"])
        # Only the organisations of the user's partnerships (access.referral_organisations).
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["date"].initial = timezone.localdate()
        self.optional = optional
        if optional:
            for field in self.fields.values():
                field.required = False

    def clean_date(self):
        return _not_in_future(self.cleaned_data.get("date"))

    def clean(self):
        data = super().clean()
        if self.optional and data.get("referred_by") and not data.get("date"):
            self.add_error("date", _("Ange datum för anvisningen."))
        agreement, day = data.get("agreement"), data.get("date")
        if (
            agreement is not None
            and day is not None
            and not data.get("confirm_outside_intake")
            and outside_intake(agreement, day)
        ):
            # A warning the user confirms: the referral is not refused, only held back once.
            self.add_error("date", OUTSIDE_INTAKE)
        return data

    def is_empty(self) -> bool:
        return not (self.cleaned_data.get("referred_by") or self.cleaned_data.get("organisation"))

    def _post_clean(self):
        # An empty optional referral is not validated against the model (it will not be saved).
        if self.optional and not (
            self.cleaned_data.get("referred_by") or self.cleaned_data.get("organisation")
        ):
            return
        super()._post_clean()


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["date", "kind", "duration_minutes", "topic", "referrals", "note", "health"]
        widgets = {
            "date": DateInput(),
            "note": forms.Textarea(attrs={"rows": 2}),
            "duration_minutes": forms.NumberInput(
                attrs={"min": 1, "max": MAX_CONTACT_MINUTES, "step": 5}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        duration = self.fields["duration_minutes"]
        message = _("Ange längden i minuter, mellan 1 och %(max)s.") % {"max": MAX_CONTACT_MINUTES}
        duration.error_messages.update({"min_value": message, "max_value": message})

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day and day > timezone.localdate():
            raise ValidationError(_("En kontakt kan inte ligga i framtiden."))
        return day

    def clean_duration_minutes(self):
        minutes = self.cleaned_data["duration_minutes"]
        if minutes is not None and not 1 <= minutes <= MAX_CONTACT_MINUTES:
            raise ValidationError(
                _("Ange längden i minuter, mellan 1 och %(max)s.") % {"max": MAX_CONTACT_MINUTES}
            )
        return minutes


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = ProgressAssessment
        fields = ["date", "step", "comment"]
        widgets = {"date": DateInput(), "comment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()

    def clean_date(self):
        day = _not_in_future(self.cleaned_data["date"])
        enrolment = self.instance.enrolment
        if day and day < enrolment.start_date:
            raise ValidationError(_("Bedömningen kan inte ligga före inskrivningen."))
        return day

    def clean_step(self):
        step = self.cleaned_data["step"]
        if step is not None and not STEP_SCALE_MIN <= step <= STEP_SCALE_MAX:
            raise ValidationError(_("Steget ska vara mellan 1 och 7."))
        return step


class ActionPlanForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ActionPlan
        fields = ["drawn_up_on", "summary"]
        widgets = {"drawn_up_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 3})}


class ActionGoalForm(forms.ModelForm):
    class Meta:
        model = ActionGoal
        fields = [
            "description",
            "responsible_organisation",
            "responsible_person",
            "target_date",
            "status",
            "achieved_on",
        ]
        widgets = {"target_date": DateInput(), "achieved_on": DateInput()}

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["responsible_organisation"])
        field.required = True
        field.error_messages["required"] = NO_RESPONSIBLE_AGENCY
        if organisations is not None:
            field.queryset = organisations

    def clean(self):
        data = super().clean()
        if data.get("status") == GoalStatus.ACHIEVED and not data.get("achieved_on"):
            self.add_error("achieved_on", _("Ange när målet uppnåddes."))
        return data


ActionGoalFormSet = forms.inlineformset_factory(
    ActionPlan,
    ActionGoal,
    form=ActionGoalForm,
    extra=2,
    can_delete=True,
)


class PlanAgreementForm(forms.Form):
    """One party's agreement to the plan: an agency (for itself) or the participant."""

    party = forms.ChoiceField(label=_("Vem godkänner"))
    agreed_on = forms.DateField(label=_("Datum"), widget=DateInput())
    revision = forms.IntegerField(widget=forms.HiddenInput)

    PARTICIPANT = "participant"

    def __init__(self, *args, parties: list[tuple[str, str]], revision: int, **kwargs):
        kwargs.setdefault("initial", {}).update(
            {"agreed_on": timezone.localdate(), "revision": revision}
        )
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["party"]).choices = parties
        self.fields["party"].error_messages["required"] = _("Välj vem som godkänner planen.")

    def clean_agreed_on(self):
        return _not_in_future(self.cleaned_data["agreed_on"])


class ExitRecordForm(forms.ModelForm):
    class Meta:
        model = ExitRecord
        fields = ["needs_clarified", "handover", "handed_over_to", "handover_note"]
        widgets = {"needs_clarified": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs_clarified"].error_messages["required"] = _(
            "Beskriv vilka behov som har klarlagts."
        )
        self.fields["handed_over_to"].queryset = Organisation.objects.order_by("name")  # type: ignore[attr-defined]


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["done_on", "income", "in_employment", "better_situation", "note"]
        widgets = {"done_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The longer-term results (ESF+) are asked at the 6-month follow-up only.
        if self.instance.months != 6:
            del self.fields["in_employment"]
            del self.fields["better_situation"]
        else:
            for name in ("in_employment", "better_situation"):
                self.fields[name].help_text = _("Lämna tomt om uppgiften inte är känd.")
        self.fields["done_on"].required = True
        self.fields["done_on"].error_messages["required"] = _("Ange när uppföljningen gjordes.")
        self.fields["income"].required = True
        self.fields["income"].error_messages["required"] = _(
            "Ange försörjningen vid uppföljningen."
        )
        if not self.is_bound and not self.initial.get("done_on"):
            self.initial["done_on"] = timezone.localdate()

    def clean_done_on(self):
        day = _not_in_future(self.cleaned_data["done_on"])
        exit_date = self.instance.enrolment.exit_date
        if day and exit_date and day < exit_date:
            raise ValidationError(_("Uppföljningen kan inte ligga före avslutet."))
        return day


class AgreementPhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["position", "name"]

    def has_changed(self) -> bool:
        # A default phase offered as the start of the agreement's own list is saved as it
        # stands, changed or not.
        return super().has_changed() or (
            self.instance.pk is None and bool(self.initial.get("name"))
        )


PhaseFormSet = forms.inlineformset_factory(
    Agreement, Phase, form=AgreementPhaseForm, extra=2, can_delete=True
)

IntakeWindowFormSet = forms.inlineformset_factory(
    Agreement,
    IntakeWindow,
    fields=["starts_on", "ends_on"],
    widgets={"starts_on": DateInput(), "ends_on": DateInput()},
    extra=2,
    can_delete=True,
)


class AttendanceForm(forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ["date", "status"]
        widgets = {"date": DateInput()}

    def clean_date(self):
        return _not_in_future(self.cleaned_data["date"])


class GroupActivityForm(forms.ModelForm):
    class Meta:
        model = GroupActivity
        fields = ["agreement", "name", "kind", "description"]

    def __init__(self, *args, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements  # type: ignore[attr-defined]


class GroupSessionForm(forms.ModelForm):
    class Meta:
        model = GroupSession
        fields = ["date", "start_time", "duration_minutes", "topic"]
        widgets = {"date": DateInput(), "start_time": forms.TimeInput(attrs={"type": "time"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The instance's empty date would win over a field initial: set the form's own.
        if not self.initial.get("date"):
            self.initial["date"] = timezone.localdate()


class AnonymousCountForm(forms.Form):
    """People met in outreach: one number per gender and age band."""

    agreement = forms.ModelChoiceField(label=_("Partnerskap"), queryset=Agreement.objects.none())
    date = forms.DateField(label=_("Datum"), widget=DateInput())
    place = forms.CharField(label=_("Plats"), max_length=200, required=False)

    GENDERS = [Gender.WOMAN, Gender.MAN, Gender.OTHER, Gender.UNKNOWN]
    BANDS = list(AgeBand)

    def __init__(self, *args, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements  # type: ignore[attr-defined]
        self.fields["date"].initial = timezone.localdate()
        for gender in self.GENDERS:
            for band in self.BANDS:
                self.fields[self.cell_name(gender, band)] = forms.IntegerField(
                    label=f"{gender.label}, {band.label}",
                    min_value=0,
                    max_value=10000,
                    required=False,
                    error_messages={
                        "min_value": _("Antalet kan inte vara negativt."),
                        "max_value": _("Orimligt stort antal."),
                    },
                    widget=forms.NumberInput(attrs={"min": 0, "class": "count"}),
                )

    @staticmethod
    def cell_name(gender: str, band: str) -> str:
        return f"n_{gender}_{band}".replace("-", "_").replace("+", "plus")

    def rows(self):
        """Bound fields as a table: one row per gender, one column per age band."""
        return [
            (gender.label, [self[self.cell_name(gender, band)] for band in self.BANDS])
            for gender in self.GENDERS
        ]

    def clean_date(self):
        return _not_in_future(self.cleaned_data["date"])

    def clean(self):
        data = super().clean()
        if not any(data.get(self.cell_name(g, b)) for g in self.GENDERS for b in self.BANDS):
            raise ValidationError(_("Fyll i hur många personer ni mötte."))
        return data

    def counts(self):
        for gender in self.GENDERS:
            for band in self.BANDS:
                n = self.cleaned_data.get(self.cell_name(gender, band))
                if n:
                    yield gender, band, n


class SessionAttendanceForm(forms.Form):
    """One row per participant on a group session's list: "närvarande" and "anmäld
    frånvaro" tick boxes; unticked is absent. Both ticked is a contradiction and refused at
    the row (the model stores one status, so it could only have guessed)."""

    CONTRADICTION = _("Välj antingen närvarande eller anmäld frånvaro, inte båda.")

    def __init__(self, *args, roster: list[Enrolment], current: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.roster = roster
        for e in roster:
            pid = e.participant_id
            status = current.get(pid)
            self.fields[f"present_{pid}"] = forms.BooleanField(
                label=_("Närvarande"),
                required=False,
                initial=status == Attendance.Status.PRESENT,
                widget=forms.CheckboxInput(attrs={"class": "present"}),
            )
            self.fields[f"excused_{pid}"] = forms.BooleanField(
                label=_("Anmäld frånvaro"),
                required=False,
                initial=status == Attendance.Status.EXCUSED,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for e in self.roster:
            pid = e.participant_id
            if data.get(f"present_{pid}") and data.get(f"excused_{pid}"):
                self.add_error(f"excused_{pid}", self.CONTRADICTION)
        return data

    def rows(self) -> list[tuple[Enrolment, forms.BoundField, forms.BoundField]]:
        return [
            (e, self[f"present_{e.participant_id}"], self[f"excused_{e.participant_id}"])
            for e in self.roster
        ]

    def statuses(self) -> dict[int, str]:
        statuses: dict[int, str] = {}
        for e in self.roster:
            pid = e.participant_id
            if self.cleaned_data[f"present_{pid}"]:
                statuses[pid] = Attendance.Status.PRESENT
            elif self.cleaned_data[f"excused_{pid}"]:
                statuses[pid] = Attendance.Status.EXCUSED
            else:
                statuses[pid] = Attendance.Status.ABSENT
        return statuses
