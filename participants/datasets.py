"""The participants' spreadsheets: participants with their enrolments, contacts and (day)
attendance. Found by the spreadsheet engine (iop/spreadsheets) at start-up; the shared base
and widgets are in iop/spreadsheets/resources.py.

Who may export and import at all: coordinators, partnership managers and administrators
(PARTICIPANT_ROLES), never finance or the steering group, who see no participant identities.

Scope follows participants/access.py: a row may only name a participant the user sees
(enrolled in one of the user's partnerships, with an active consent for the user's
organisation). Names and personnummer are exported only where the consent shares
identity, contact notes only where it shares notes; an empty identity or note cell never
overwrites what is stored, so exporting without them and importing back changes nothing.
Every export and import is written to the access log.

No oracles: a non-empty identity or note cell for a participant whose consent hides it is
refused before the row is compared with what is stored, with the same message whatever it
says (else "unchanged" would confirm a right guess). A personnummer another participant
holds is refused with the neutral answer of participants/duplicates.py, every row of the
file that carries a personnummer gets the same answer, and a case is opened for an
administrator after the (rolled-back) import.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields

from iop.audit import AuditContext
from iop.roles import Role
from iop.spreadsheets.registry import Dataset, register
from iop.spreadsheets.resources import (
    BulkImportResource,
    ChoiceWidget,
    DateWidget,
    IntegerWidget,
    IopResource,
    LookupWidget,
    TextWidget,
    cell_text,
    int_param,
)
from partnerships.datasets import AgreementWidget
from partnerships.models import User

from . import actions, duplicates
from .access import (
    log_access,
    user_agreements,
    visible_contacts_q,
    visible_enrolments,
    visible_participants,
)
from .models import (
    CATEGORY_FIELDS,
    MAX_CONTACT_MINUTES,
    AccessLog,
    Attendance,
    Category,
    Consent,
    ConsentMethod,
    Contact,
    DuplicateSuspicion,
    Enrolment,
    ExitOutcome,
    Gender,
    IncomeSource,
    Participant,
    Phase,
    PhaseChange,
)
from .validators import normalise_personnummer

CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


class ParticipantWidget(LookupWidget):
    """A participant the user sees, by code."""

    not_found = gettext_lazy("Deltagaren %(value)s finns inte eller syns inte för dig.")

    def key(self, value, row):
        return cell_text(value).upper()

    def find(self, key, row):
        return visible_participants(self.user).filter(code=key).first()

    missing_is_final = True

    def prefetch(self, keys):
        found = visible_participants(self.user).filter(code__in=keys)
        for participant in found:
            self.cache[participant.code] = participant
        if self.missing_is_final:
            for key in keys:
                self.cache.setdefault(key, None)

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class NewOrVisibleParticipantWidget(ParticipantWidget):
    """As ParticipantWidget, but an unused code means a new participant (unsaved here)."""

    missing_is_final = False

    def find(self, key, row):
        found = super().find(key, row)
        if found is not None:
            return found
        if Participant.objects.filter(code=key).exists():
            return None  # someone else's participant: refused, never shared or duplicated
        if not (3 <= len(key) <= 12 and set(key) <= CODE_CHARS):
            raise ValueError(
                _("Deltagarkoden ”%(value)s” ska ha 3–12 tecken: A–Z, 0–9 och bindestreck.")
                % {"value": key}
            )
        return Participant(code=key, created_by=self.user)


class PartnershipWidget(AgreementWidget):
    """Agreements whose participants the user works with."""

    def find(self, key, row):
        return user_agreements(self.user).filter(short_id=key).first()


class StaffWidget(LookupWidget):
    """Staff by username: a user of an organisation in the user's partnerships; empty = me."""

    not_found = gettext_lazy("Personalen ”%(value)s” finns inte i dina partnerskap.")

    def clean(self, value, row=None, **kwargs):
        if not cell_text(value):
            return self.user
        return super().clean(value, row, **kwargs)

    def find(self, key, row):
        user = self.user
        staff = User.objects.filter(username=key).first()
        if staff is None or user.is_administrator or staff.pk == user.pk:
            return staff
        if staff.organisation_id is None:
            return None
        agreements = user_agreements(user)
        visible = agreements.filter(parties__organisation_id=staff.organisation_id).exists()
        return staff if visible else None

    def render(self, value, obj=None, **kwargs):
        return value.username if value else ""


class PhaseWidget(LookupWidget):
    not_found = gettext_lazy("Fasen ”%(value)s” finns inte i partnerskapet.")

    def key(self, value, row):
        return (cell_text(row.get("Överenskommelse")), cell_text(value))

    def clean(self, value, row=None, **kwargs):
        if not cell_text(value):
            return None
        return super().clean(value, row, **kwargs)

    def find(self, key, row):
        short_id, name = key
        agreement = user_agreements(self.user).filter(short_id=short_id).first()
        if agreement is None:
            return None
        return Phase.for_agreement(agreement).filter(name__iexact=name).first()

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class PersonnummerWidget(TextWidget):
    """Stored as ÅÅÅÅMMDD-NNNN; ten or twelve digits with or without dash are accepted."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        try:
            return normalise_personnummer(text)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from exc


class KeepIfBlankField(fields.Field):
    """Sensitive text that the exporter may not have seen: a blank cell keeps the stored value."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        if cell_text(row.get(self.column_name)):
            super().save(instance, row, is_m2m, **kwargs)


class ParticipantDataResource(IopResource):
    """Shared scope for participant data: consent flags per participant, access log."""

    what = "import"
    # Built by the engine for the signed-in user, always one of the project's users.
    user: User
    # Columns the consent may hide: column -> consent flag (see `may`), and the one
    # message a non-empty such cell gets when the flag does not cover the participant.
    hidden_columns: dict[str, str] = {}
    hidden_refusal: Any = ""

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self._flags: dict[str, set[tuple[int, int]]] | None = None
        self._enrolled: dict[tuple[int, int], bool] = {}
        self._touched: set[int] = set()
        self._enrolment_checked: set[int] = set()

    def consented(self, category: str) -> set[tuple[int, int]] | None:
        """(participant, holder) pairs whose active consent towards the user's organisation
        covers `category`; None = all (an administrator). One query per import or export."""
        if self._flags is not None:  # asked once per row: the answer is kept
            return self._flags[category]
        if self.user.is_administrator:
            return None
        if self._flags is None:
            rows = (
                Consent.objects.active_on(timezone.localdate())
                .filter(organisation_id=self.user.organisation_id)
                .values_list("participant_id", "holder_id", *CATEGORY_FIELDS.values())
            )
            self._flags = {category: set() for category in CATEGORY_FIELDS}
            for participant_id, holder_id, *flags in rows:
                for category_key, flag in zip(CATEGORY_FIELDS, flags, strict=True):
                    if flag:
                        self._flags[category_key].add((participant_id, holder_id))
        return self._flags[category]

    def may(self, category: str, participant_id: int | None, source_id: int | None) -> bool:
        """The consent decision of access.may_see, from one query for the whole file."""
        pairs = self.consented(category)
        if pairs is None:
            return True
        if source_id is None or participant_id is None:
            return False
        return source_id == self.user.organisation_id or (participant_id, source_id) in pairs

    def row_participant(self, row) -> Participant | None:
        """The participant the row names, if the user sees it (None: refused later with
        the lookup's own message). A new code gives an unsaved participant."""
        try:
            return self.clean_field("participant", row)
        except ValueError:
            return None

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        self.refuse_hidden_cells(row)

    def refuse_hidden_cells(self, row) -> None:
        """Before the row is matched and compared with what is stored: a cell the consent
        hides is refused whatever it says, so the answer never depends on the stored text."""
        flags = {flag for column, flag in self.hidden_columns.items() if cell_text(row.get(column))}
        if not flags:
            return
        participant = self.row_participant(row)
        if participant is None or participant.pk is None:
            return  # not visible (refused by the lookup) or new (nothing stored to hide)
        # Judged against the consent that would cover the cell, never the stored row.
        source = self.hidden_cell_source(row, participant)
        if not all(self.may(flag, participant.pk, source) for flag in flags):
            self.refuse(str(self.hidden_refusal))

    def hidden_cell_source(self, row, participant: Participant) -> int | None:
        """The organisation whose consent a hidden-column cell is judged by: the registering
        organisation's. Not the row's own staff: before the row is matched nobody knows
        whether it is a new note or a guess at a stored one."""
        return participant.organisation_id

    def chunk_participants(self, rows, seen: set[int]) -> set[int]:
        """The stored participants the chunk's rows name (as its participant widget found
        them) that are not in `seen`."""
        widget = self.fields["participant"].widget
        found = (widget.cache.get(widget.key(row.get("Deltagarkod"), row)) for row in rows)
        return {p.pk for p in found if p is not None and p.pk is not None and p.pk not in seen}

    def prepare_chunk(self, rows):
        super().prepare_chunk(rows)
        # One query for the enrolments of every participant named in the chunk.
        ids = self.chunk_participants(rows, self._enrolment_checked)
        if ids:
            pairs = visible_enrolments(self.user).filter(participant_id__in=ids)
            for pair in pairs.values_list("participant_id", "agreement_id"):
                self._enrolled[pair] = True
            self._enrolment_checked |= ids

    def is_enrolled(self, participant_id: int, agreement_id: int) -> bool:
        key = (participant_id, agreement_id)
        if participant_id in self._enrolment_checked:
            return self._enrolled.get(key, False)
        if key not in self._enrolled:
            self._enrolled[key] = (
                visible_enrolments(self.user)
                .filter(participant_id=participant_id, agreement_id=agreement_id)
                .exists()
            )
        return self._enrolled[key]

    def after_import_row(self, row, row_result, **kwargs):
        participant_id = getattr(self, "_row_participant_id", None)
        self._row_participant_id = None
        if row_result.import_type in ("new", "update") and participant_id:
            self._touched.add(participant_id)
        super().after_import_row(row, row_result, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        self._row_participant_id = instance.participant_id

    def after_rows(self):
        refusals = super().after_rows()
        # One access-log row per participant the file changed, once per import (not once
        # per chunk), inside the import's transaction: rolled back with a preview.
        if self._touched:
            log_access(
                None,
                sorted(self._touched),
                action=AccessLog.Action.CHANGE,
                what=f"import {self.what}",
                user=self.user,
            )
            self._touched = set()
        return refusals

    def on_export(self, params):
        ids = self.export_queryset(params).values_list("participant_id", flat=True).distinct()
        log_access(
            None,
            list(ids),
            action=AccessLog.Action.EXPORT,
            what=f"export {self.what}",
            user=self.user,
        )


# --------------------------------------------------------------------------- contacts

# What ContactResource.passes_field_checks compares with: the model's own limits.
CONTACT_KINDS = frozenset(Contact.Kind.values)
TOPIC_LENGTH = Contact._meta.get_field("topic").max_length or 0
REFERRALS_LENGTH = Contact._meta.get_field("referrals").max_length or 0


class ContactResource(ParticipantDataResource, BulkImportResource):
    what = "kontakter"

    participant = fields.Field("participant", "Deltagarkod", widget=ParticipantWidget())
    agreement = fields.Field("agreement", "Överenskommelse", widget=PartnershipWidget())
    date = fields.Field("date", "Datum", widget=DateWidget())
    kind = fields.Field("kind", "Typ", widget=ChoiceWidget(Contact.Kind.choices))
    staff = fields.Field("staff", "Personal", widget=StaffWidget())
    duration_minutes = fields.Field("duration_minutes", "Längd (minuter)", widget=IntegerWidget())
    topic = fields.Field("topic", "Ämne", widget=TextWidget())
    referrals = fields.Field("referrals", "Hänvisad till", widget=TextWidget())
    note = KeepIfBlankField("note", "Anteckning", widget=TextWidget())

    class Meta(IopResource.Meta):
        model = Contact
        fields = (
            "participant",
            "agreement",
            "date",
            "kind",
            "staff",
            "duration_minutes",
            "topic",
            "referrals",
            "note",
        )
        import_id_fields = ("participant", "agreement", "date", "kind", "staff")
        # Contacts come by the ten thousand: BulkImportResource's path, chunks of 5 000
        # rows written with one COPY each, each row validated in Python without a query
        # per foreign key or constraint.
        use_bulk = True
        batch_size = 5_000
        skip_diff = True

    cell_only_fields = ("participant", "agreement", "date", "kind", "staff", "duration_minutes")
    hidden_columns = {"Anteckning": "notes"}
    hidden_refusal = gettext_lazy(
        "Samtycket omfattar inte anteckningar; lämna kolumnen Anteckning tom."
    )

    column_notes = {
        "Personal": gettext_lazy("Användarnamn; lämna tomt för dig själv."),
        "Anteckning": gettext_lazy("Känslig text. En tom cell ändrar inte en sparad anteckning."),
    }

    def passes_field_checks(self, instance) -> bool:
        # Every rule full_clean checks below (the date not in the future, a kind of the
        # list, 1-720 minutes, topic and referrals within their lengths), checked without
        # building its messages: a row that fails any of them goes through full_clean.
        day, minutes = instance.date, instance.duration_minutes
        return (
            isinstance(day, datetime.date)
            and day <= self.today
            and instance.kind in CONTACT_KINDS
            and type(minutes) is int
            and 1 <= minutes <= MAX_CONTACT_MINUTES
            and isinstance(instance.topic, str)
            and len(instance.topic) <= TOPIC_LENGTH
            and isinstance(instance.referrals, str)
            and len(instance.referrals) <= REFERRALS_LENGTH
            and isinstance(instance.note, str)
            and instance.source_organisation_id is None
            and type(instance.health) is bool
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, "participant", "agreement", "staff"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def check_write(self, instance, new):
        # A note cell the consent hides was refused before the comparison (refuse_hidden_cells).
        if not self.is_enrolled(instance.participant_id, instance.agreement_id):
            self.refuse(_("Deltagaren är inte inskriven i partnerskapet."))
        if new:
            # Information carries its source: the importing user's organisation wrote it.
            instance.source_organisation_id = self.user.organisation_id
            return
        category = Category.HEALTH if instance.health else Category.NOTES
        source = instance.source_organisation_id
        if not self.may(category, instance.participant_id, source):
            # Another organisation's contact that no consent shares: never changed here.
            self.refuse(_("Samtycket omfattar inte anteckningar; lämna kolumnen Anteckning tom."))

    def dehydrate_note(self, obj):
        category = Category.HEALTH if obj.health else Category.NOTES
        return (
            obj.note if self.may(category, obj.participant_id, obj.source_organisation_id) else ""
        )

    def export_queryset(self, params) -> QuerySet:
        qs = (
            Contact.objects.filter(
                visible_contacts_q(self.user),
                agreement__in=user_agreements(self.user),
                participant__in=visible_participants(self.user),
            )
            .select_related("participant", "agreement", "staff")
            .order_by("date", "pk")
        )
        if params.get("agreement"):
            qs = qs.filter(agreement_id=int_param(params["agreement"]))
        if params.get("participant"):
            qs = qs.filter(participant_id=int_param(params["participant"]))
        return qs


# --------------------------------------------------------------------------- attendance


# What AttendanceResource.passes_field_checks compares with: the model's own choices.
ATTENDANCE_STATUSES = frozenset(Attendance.Status.values)


class AttendanceResource(ParticipantDataResource, BulkImportResource):
    what = "närvaro"

    participant = fields.Field("participant", "Deltagarkod", widget=ParticipantWidget())
    agreement = fields.Field("agreement", "Överenskommelse", widget=PartnershipWidget())
    date = fields.Field("date", "Datum", widget=DateWidget())
    status = fields.Field("status", "Närvaro", widget=ChoiceWidget(Attendance.Status.choices))

    class Meta(IopResource.Meta):
        model = Attendance
        fields = ("participant", "agreement", "date", "status")
        import_id_fields = ("participant", "agreement", "date")
        # Attendance comes by the ten thousand too: BulkImportResource's path, as contacts.
        use_bulk = True
        batch_size = 5_000
        skip_diff = True

    cell_only_fields = ("participant", "agreement", "date", "status")

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        # Every enrolment (in any scope, as Attendance.clean reads them) of the participants
        # named so far: (participant, agreement) -> [(start, exit)], one query per chunk.
        self._periods: dict[tuple[int, int], list[tuple[datetime.date, Any]]] = {}
        self._periods_read: set[int] = set()

    def get_queryset(self):
        # Day attendance only; attendance at group sessions is kept on the group pages.
        return Attendance.objects.filter(session__isnull=True)

    def prepare_chunk(self, rows):
        super().prepare_chunk(rows)
        ids = self.chunk_participants(rows, self._periods_read)
        if ids:
            enrolments = Enrolment.objects.filter(participant_id__in=ids).values_list(
                "participant_id", "agreement_id", "start_date", "exit_date"
            )
            for participant_id, agreement_id, start, end in enrolments:
                self._periods.setdefault((participant_id, agreement_id), []).append((start, end))
            self._periods_read |= ids

    def passes_field_checks(self, instance) -> bool:
        # Every rule full_clean checks (a status of the list; Attendance.clean: enrolled in
        # the partnership that day; no other row for the day, which the chunk's stored rows
        # and the engine's duplicate check rule out), checked without building messages or
        # a query per row: a row that fails any of them goes through full_clean.
        day, participant_id = instance.date, instance.participant_id
        if not (
            isinstance(day, datetime.date)
            and instance.status in ATTENDANCE_STATUSES
            and instance.session_id is None
            and participant_id in self._periods_read
        ):
            return False
        periods = self._periods.get((participant_id, instance.agreement_id), ())
        return any(start <= day and (end is None or end >= day) for start, end in periods)

    def check_write(self, instance, new):
        if not self.is_enrolled(instance.participant_id, instance.agreement_id):
            self.refuse(_("Deltagaren är inte inskriven i partnerskapet."))
        if new:
            instance.recorded_by = self.user

    def export_queryset(self, params) -> QuerySet:
        qs = (
            Attendance.objects.filter(
                session__isnull=True,
                agreement__in=user_agreements(self.user),
                participant__in=visible_participants(self.user),
            )
            .select_related("participant", "agreement")
            .order_by("date", "pk")
        )
        if params.get("agreement"):
            qs = qs.filter(agreement_id=int_param(params["agreement"]))
        return qs


# --------------------------------------------------------------------------- participants + enrolments


class EnrolmentResource(ParticipantDataResource):
    """One row per enrolment, with the participant's own details."""

    what = "deltagare"
    _dirty_participants: set[int] = set()
    _current_row: dict = {}
    _old_phase_id: int | None = None

    hidden_columns = {
        "Namn": "identity",
        "Personnummer": "identity",
        "Försörjning vid start": "income",
        "Försörjning vid avslut": "income",
    }
    hidden_refusal = gettext_lazy(
        "Samtycket omfattar inte namn, personnummer eller försörjning; lämna de kolumnerna tomma."
    )

    participant = fields.Field("participant", "Deltagarkod", widget=NewOrVisibleParticipantWidget())
    agreement = fields.Field("agreement", "Överenskommelse", widget=PartnershipWidget())
    start_date = fields.Field("start_date", "Startdatum", widget=DateWidget())
    name = KeepIfBlankField("participant__name", "Namn", widget=TextWidget())
    personnummer = KeepIfBlankField(
        "participant__personnummer", "Personnummer", widget=PersonnummerWidget()
    )
    gender = fields.Field("participant__gender", "Kön", widget=ChoiceWidget(Gender.choices))
    birth_year = fields.Field("participant__birth_year", "Födelseår", widget=IntegerWidget())
    language = fields.Field("participant__language", "Språk", widget=TextWidget())
    phase = fields.Field("phase", "Fas", widget=PhaseWidget())
    # Income is shown only under an income consent: the export leaves the cell blank, and
    # a blank cell changes nothing (a new enrolment keeps "Okänd").
    income_at_start = KeepIfBlankField(
        "income_at_start", "Försörjning vid start", widget=ChoiceWidget(IncomeSource.choices)
    )
    planned_min_days = fields.Field(
        "planned_min_days", "Planerad tid minst (dagar)", widget=IntegerWidget()
    )
    planned_max_days = fields.Field(
        "planned_max_days", "Planerad tid högst (dagar)", widget=IntegerWidget()
    )
    exit_date = fields.Field("exit_date", "Avslutsdatum", widget=DateWidget())
    exit_outcome = fields.Field(
        "exit_outcome", "Avslutsorsak", widget=ChoiceWidget(ExitOutcome.choices, blank=True)
    )
    income_at_exit = KeepIfBlankField(
        "income_at_exit",
        "Försörjning vid avslut",
        widget=ChoiceWidget(IncomeSource.choices, blank=True),
    )
    next_step = fields.Field("next_step", "Nästa planerade steg", widget=TextWidget())

    class Meta(IopResource.Meta):
        model = Enrolment
        fields = (
            "participant",
            "agreement",
            "start_date",
            "name",
            "personnummer",
            "gender",
            "birth_year",
            "language",
            "phase",
            "income_at_start",
            "planned_min_days",
            "planned_max_days",
            "exit_date",
            "exit_outcome",
            "income_at_exit",
            "next_step",
        )
        import_id_fields = ("participant", "agreement", "start_date")

    column_notes = {
        "Deltagarkod": gettext_lazy(
            "Deltagarens kod. En kod som inte finns skapar en ny deltagare med ett samtycke "
            "för din organisation från startdatumet: importera bara deltagare som har samtyckt."
        ),
        "Namn": gettext_lazy("Bara om arbetet kräver det. En tom cell ändrar inget."),
        "Personnummer": gettext_lazy(
            "ÅÅÅÅMMDD-NNNN. Bara om arbetet kräver det. En tom cell ändrar inget."
        ),
        "Fas": gettext_lazy("Fasens namn; tomt ger den första fasen."),
    }

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        # Existing participants whose personnummer a row typed (participant id -> the
        # agreement of the row): cases opened in finish(), after the import's transaction.
        self._collisions: dict[int, int | None] = {}
        self._recent_collisions: int | None = None
        self._throttle_hit = False
        self._concealed = False

    def get_instance(self, instance_loader, row):
        participant = self.fields["participant"].clean(row)
        if participant is not None and participant.pk is None:
            return None  # a new participant has no enrolments yet
        return super().get_instance(instance_loader, row)

    def import_instance(self, instance, row, **kwargs):
        self._old_phase_id = instance.phase_id
        super().import_instance(instance, row, **kwargs)

    def check_write(self, instance, new):
        participant = instance.participant
        # Identity cells the consent hides were refused before the comparison
        # (refuse_hidden_cells); here they are the user's to write.
        identity_given = cell_text(self._current_row.get("Namn")) or cell_text(
            self._current_row.get("Personnummer")
        )
        if participant.pk is None or participant.pk in self._dirty_participants:
            self.refuse_held_personnummer(participant, instance.agreement_id)
            try:
                participant.full_clean(exclude=["code"])
            except ValidationError as exc:
                raise ValidationError(
                    {f"participant__{k}": v for k, v in exc.message_dict.items()}
                ) from exc
            is_new = participant.pk is None
            if is_new:
                participant.organisation_id = self.user.organisation_id
            participant.save()
            if is_new and self.user.organisation_id:
                # The consent to registration; its document is not in the file.
                Consent.objects.create(
                    participant=participant,
                    holder_id=self.user.organisation_id,
                    organisation_id=self.user.organisation_id,
                    given_on=instance.start_date,
                    share_identity=bool(identity_given),
                    purpose=_("Registrering genom import"),
                    method=ConsentMethod.UNRECORDED,
                    recorded_by=self.user,
                )
                self._flags = None
            instance.participant = participant
        if new:
            instance.enrolled_by = self.user
            if instance.phase_id is None:
                instance.phase = Phase.for_agreement(instance.agreement_id).first()

    def before_import_row(self, row, **kwargs):
        self._current_row = row
        super().before_import_row(row, **kwargs)

    def refuse_held_personnummer(self, participant: Participant, agreement_id: int | None) -> None:
        """A new participant, or a personnummer typed for one, that another participant
        holds: the neutral answer unless the user sees that participant with identity."""
        registers = participant.pk is None or any(
            column == "Personnummer" for column, _old, _new in self._changes
        )
        if not registers:
            return
        if self._recent_collisions is None:
            self._recent_collisions = duplicates.recent_collisions(self.user)
        if self._recent_collisions + len(self._collisions) >= duplicates.THROTTLE_LIMIT:
            self._throttle_hit = self._concealed = True
            self.refuse(str(duplicates.NEUTRAL_REFUSAL))
        collision = duplicates.find_collision(
            self.user, participant.personnummer, exclude_id=participant.pk
        )
        if collision is None:
            return
        if not collision.shown:
            self._collisions.setdefault(collision.existing_id, agreement_id)
            self._concealed = True
        self.refuse(collision.message)

    def is_concealable(self, row: dict) -> bool:
        return bool(cell_text(row.get("Personnummer")))

    def concealed_refusal(self) -> str | None:
        return str(duplicates.NEUTRAL_REFUSAL) if self._concealed else None

    def finish(self) -> None:
        audit = AuditContext(organisation_id=self.user.organisation_id)
        for existing_id, agreement_id in self._collisions.items():
            actions.report_duplicate_suspicion(
                user=self.user,
                audit=audit,
                existing_id=existing_id,
                source=DuplicateSuspicion.Source.IMPORT,
                agreement_id=agreement_id,
            )
        if self._throttle_hit:
            duplicates.log_throttled(self.user, "import")
        self._collisions = {}
        self._throttle_hit = self._concealed = False

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = super().skip_row(instance, original, row, import_validation_errors)
        participant_changed = any(c[0] in self._participant_columns() for c in self._changes)
        self._dirty_participants = {instance.participant_id} if participant_changed else set()
        return skip

    def _participant_columns(self) -> set[str]:
        return {
            f.column_name
            for f in self.fields.values()
            if (f.attribute or "").startswith("participant__")
        }

    def after_save_instance(self, instance, row, **kwargs):
        if instance.phase_id and instance.phase_id != getattr(self, "_old_phase_id", None):
            PhaseChange.objects.create(
                enrolment=instance,
                date=instance.start_date if self._old_phase_id is None else timezone.localdate(),
                from_phase_id=self._old_phase_id,
                to_phase_id=instance.phase_id,
                changed_by=self.user,
            )

    def _may_identity(self, obj) -> bool:
        return self.may("identity", obj.participant_id, obj.participant.organisation_id)

    def dehydrate_name(self, obj):
        return obj.participant.name if self._may_identity(obj) else ""

    def dehydrate_personnummer(self, obj):
        return obj.participant.personnummer if self._may_identity(obj) else ""

    def _may_income(self, obj) -> bool:
        return self.may("income", obj.participant_id, obj.participant.organisation_id)

    def dehydrate_income_at_start(self, obj):
        return obj.get_income_at_start_display() if self._may_income(obj) else ""

    def dehydrate_income_at_exit(self, obj):
        return obj.get_income_at_exit_display() if self._may_income(obj) else ""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The participant may still be unsaved here (a new code); it is validated and
        # saved in check_write, so leave the foreign key out of the enrolment's checks.
        errors = dict(import_validation_errors or {})
        if instance.participant.pk is None:
            exclude = [*errors, "participant"]
            try:
                instance.full_clean(
                    exclude=exclude, validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
            if errors:
                raise ValidationError(errors)
            return
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def export_queryset(self, params) -> QuerySet:
        qs = (
            visible_enrolments(self.user)
            .select_related("participant", "agreement", "phase")
            .order_by("agreement__short_id", "participant__code", "start_date", "pk")
        )
        if params.get("agreement"):
            qs = qs.filter(agreement_id=int_param(params["agreement"]))
        if params.get("q"):
            qs = qs.filter(participant__code__icontains=params["q"])
        return qs


# --------------------------------------------------------------------------- datasets

PARTICIPANT_ROLES = (Role.COORDINATOR, Role.CASEWORKER, Role.MANAGER, Role.ADMIN)

register(
    Dataset(
        "participants",
        gettext_lazy("Deltagare och inskrivningar"),
        EnrolmentResource,
        export_roles=PARTICIPANT_ROLES,
        import_roles=PARTICIPANT_ROLES,
        help=gettext_lazy(
            "En rad per inskrivning. Nyckel: deltagarkod, överenskommelse och startdatum. "
            "En ny deltagarkod skapar en ny deltagare."
        ),
    ),
    Dataset(
        "contacts",
        gettext_lazy("Kontakter"),
        ContactResource,
        export_roles=PARTICIPANT_ROLES,
        import_roles=PARTICIPANT_ROLES,
        help=gettext_lazy(
            "Nyckel: deltagarkod, överenskommelse, datum, typ och personal (användarnamn)."
        ),
    ),
    Dataset(
        "attendance",
        gettext_lazy("Närvaro"),
        AttendanceResource,
        export_roles=PARTICIPANT_ROLES,
        import_roles=PARTICIPANT_ROLES,
        help=gettext_lazy(
            "Närvaro per dag. Nyckel: deltagarkod, överenskommelse och datum. "
            "Närvaro på grupptillfällen registreras på gruppens sida."
        ),
    ),
)
