"""Partnership verbs: every change to agreements, budgets, meetings, organisations and
calendar links goes through one function here.

A verb takes keyword arguments only, among them the acting `user` and an `audit`
context (never the request), owns its transaction, and writes the agreement's new
version inside it, so a change and its version are saved together or not at all. Every
change that alters what the agreement says is recorded as an AgreementVersion with a
full snapshot (see versions.py for reading them).

`audit` defaults to the system context so that demo data, management commands and tests
can call a verb as they are; views always pass `AuditContext.from_request(request)`.
Versions record the acting user; the audit context is taken for the shared signature and
has no column of its own in this app yet.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.forms import BaseInlineFormSet, ModelForm
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from iop.audit import AuditContext
from iop.roles import Role

from .actions_admin import record_administration
from .extensions import PartyApproval, extension_errors
from .forms import (
    ActualCostForm,
    AgreementForm,
    ContactPersonForm,
    IndexSeriesForm,
    IndexValueForm,
    InvoicingPairForm,
    OrganisationForm,
    OtherFundingForm,
)
from .forms_followup import MeetingForm
from .indexation import indexed
from .models import (
    ActionItem,
    ActualCost,
    Agreement,
    AgreementParty,
    AgreementVersion,
    Attendee,
    BodyMember,
    Budget,
    CalendarToken,
    ContactPerson,
    CostLine,
    Extension,
    ExtensionApproval,
    FundingShare,
    IndexSeries,
    IndexValue,
    InvoicingPair,
    Meeting,
    Organisation,
    OtherFunding,
    User,
    add_months,
)
from .versions import snapshot_agreement

RowFormSet = BaseInlineFormSet[Any, Any, Any]


# --------------------------------------------------------------------------- versions


@transaction.atomic
def record_version(
    *,
    agreement: Agreement,
    user: User | None,
    audit: AuditContext,
    summary: str,
    valid_from: datetime.date | None = None,
    approved_on: datetime.date | None = None,
    approved_by: str = "",
) -> AgreementVersion | None:
    """Store the agreement as it now reads, unless nothing changed since the last version."""
    snapshot = snapshot_agreement(agreement)
    last = agreement.versions.order_by("-number").first()
    if last is not None and last.snapshot == snapshot:
        return None
    number = (agreement.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return AgreementVersion.objects.create(
        agreement=agreement,
        number=number,
        valid_from=valid_from or timezone.localdate(),
        summary=summary,
        approved_on=approved_on,
        approved_by=approved_by,
        snapshot=snapshot,
        created_by=user,
    )


# --------------------------------------------------------------------------- agreements


@transaction.atomic
def create_agreement(*, user: User, audit: AuditContext, form: AgreementForm) -> Agreement:
    """A new draft agreement from a valid form; the creator's organisation becomes a party."""
    agreement = form.save()
    if user.organisation is not None:
        # The creating organisation is a party, so its staff can see the new agreement.
        AgreementParty.objects.create(
            agreement=agreement,
            organisation=user.organisation,
            role=(
                AgreementParty.PartyRole.OPERATOR
                if not user.organisation.is_public
                else AgreementParty.PartyRole.PUBLIC_FUNDER
            ),
        )
    record_version(
        agreement=agreement,
        user=user,
        audit=audit,
        summary=_("Utkast skapat"),
        valid_from=agreement.start_date,
    )
    return agreement


@transaction.atomic
def amend_agreement(
    *,
    user: User,
    audit: AuditContext,
    form: AgreementForm,
    summary: str,
    valid_from: datetime.date | None = None,
    approved_on: datetime.date | None = None,
    approved_by: str = "",
) -> AgreementVersion | None:
    """Save the edited agreement as an amendment; None when nothing changed."""
    agreement = _save_form(form)
    return record_version(
        agreement=agreement,
        user=user,
        audit=audit,
        summary=summary,
        valid_from=valid_from,
        approved_on=approved_on,
        approved_by=approved_by,
    )


@transaction.atomic
def change_status(
    *,
    agreement: Agreement,
    new_status: str,
    user: User,
    audit: AuditContext,
    day: datetime.date | None = None,
    reason: str = "",
) -> Agreement:
    """Move the agreement along its lifecycle; refuses transitions that are not allowed."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if new_status not in agreement.allowed_transitions():
        raise ValidationError(
            _("Statusen kan inte ändras från ”%(old)s” till ”%(new)s”.")
            % {
                "old": agreement.get_status_display(),
                "new": dict(Agreement.Status.choices).get(new_status, new_status),
            },
            code="forbidden_transition",
        )
    day = day or timezone.localdate()
    if new_status == Agreement.Status.ACTIVE and not agreement.decision_date:
        raise ValidationError(
            _("Ange beslutsdatum och diarienummer innan överenskommelsen blir gällande."),
            code="decision_missing",
        )
    if new_status == Agreement.Status.TERMINATED:
        if not reason:
            raise ValidationError(_("Ange skälet till uppsägningen."), code="reason_missing")
        agreement.terminated_on = day
        agreement.termination_reason = reason
    agreement.status = new_status
    agreement.revision += 1
    agreement.save()
    record_version(
        agreement=agreement,
        user=user,
        audit=audit,
        summary=_("Status ändrad till %(status)s") % {"status": agreement.get_status_display()},
        valid_from=day,
    )
    return agreement


@transaction.atomic
def extend_agreement(
    *,
    agreement: Agreement,
    user: User,
    audit: AuditContext,
    decided_on: datetime.date,
    approvals: Sequence[PartyApproval],
    decision_reference: str = "",
    late_reason: str = "",
) -> Extension:
    """Exercise one extension option: the end date moves by the agreed number of months.

    Refused unless every party has approved it, and after the agreement's end date; a
    decision after the agreement's deadline needs `late_reason`, which the history shows.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    errors = extension_errors(
        agreement=agreement, decided_on=decided_on, approvals=approvals, late_reason=late_reason
    )
    previous = agreement.end_date
    deadline = agreement.decision_deadline_for_current_end()
    if decided_on > deadline and not user.has_role(Role.MANAGER, Role.ADMIN):
        errors.setdefault("late_reason", []).append(
            _("Ett sent beslut kan bara registreras av en verksamhetschef, med skäl.")
        )
    if errors:
        raise ValidationError(errors)
    new_end = add_months(previous, agreement.extension_months)
    extension = Extension.objects.create(
        agreement=agreement,
        decided_on=decided_on,
        decision_reference=decision_reference,
        previous_end_date=previous,
        new_end_date=new_end,
        decision_deadline=deadline,
        late_reason=late_reason.strip() if decided_on > deadline else "",
        recorded_by=user,
    )
    ExtensionApproval.objects.bulk_create(
        ExtensionApproval(
            extension=extension,
            party=approval.party,
            approved_on=approval.approved_on,
            approved_by=approval.approved_by.strip(),
            recorded_by=user,
        )
        for approval in approvals
    )
    agreement.end_date = new_end
    agreement.revision += 1
    agreement.save()
    summary = _("Förlängd till %(end)s") % {"end": new_end.isoformat()}
    if extension.is_late:
        summary += _(" – SENT BESLUT, efter tidsgränsen %(deadline)s: %(reason)s") % {
            "deadline": deadline.isoformat(),
            "reason": extension.late_reason,
        }
    record_version(
        agreement=agreement,
        user=user,
        audit=audit,
        summary=Truncator(summary).chars(300),
        valid_from=decided_on,
        approved_on=decided_on,
        approved_by="\n".join(
            f"{approval.party.organisation.name}: {approval.approved_by} "
            f"({approval.approved_on.isoformat()})"
            for approval in approvals
        )
        + (f"\n{decision_reference}" if decision_reference else ""),
    )
    return extension


@transaction.atomic
def end_expired_agreements(
    *, today: datetime.date, audit: AuditContext, user: User | None = None
) -> list[Agreement]:
    """Mark every active agreement whose end date has passed as ended, with a version.

    Run daily (manage.py end_expired_agreements); running it again changes nothing. Pages
    already show such an agreement as ended (Agreement.status_on); this makes it durable,
    so that the status column, the admin and exports say the same.
    """
    ended = []
    for agreement in Agreement.objects.select_for_update().past_end(today).order_by("pk"):
        agreement.status = Agreement.Status.ENDED
        agreement.revision += 1
        agreement.save(update_fields=["status", "revision", "updated_at"])
        record_version(
            agreement=agreement,
            user=user,
            audit=audit,
            summary=_("Avslutad: slutdatum %(end)s har passerats")
            % {"end": agreement.end_date.isoformat()},
            valid_from=agreement.end_date + datetime.timedelta(days=1),
        )
        ended.append(agreement)
    return ended


# --------------------------------------------------------------------------- parts


def _save_form(form: ModelForm[Any], formsets: Sequence[RowFormSet] = ()) -> Any:
    """Save a validated form and its row formsets; call inside the verb's transaction.

    An existing agreement or budget moves to its next revision, so a form opened on an
    older revision (RevisionMixin) is refused instead of overwriting this change.
    """
    part = form.save(commit=False)
    if part.pk is not None and isinstance(part, Agreement | Budget):
        part.revision += 1
    part.save()
    form.save_m2m()
    for formset in formsets:
        formset.instance = part
        formset.save()
    return part


@transaction.atomic
def save_agreement_part(
    *,
    user: User,
    audit: AuditContext,
    agreement: Agreement,
    form: ModelForm[Any],
    formsets: Sequence[RowFormSet] = (),
    summary: str,
) -> Any:
    """Save a part of the agreement (party, goal, indicator, budget) with its rows from
    validated forms, and record the agreement's new version: all of it, or nothing."""
    part = _save_form(form, formsets)
    record_version(agreement=agreement, user=user, audit=audit, summary=summary)
    return part


@transaction.atomic
def remove_agreement_part(
    *, user: User, audit: AuditContext, agreement: Agreement, part: Model, summary: str
) -> None:
    """Delete a part of the agreement and record the change as a new version."""
    part.delete()
    record_version(agreement=agreement, user=user, audit=audit, summary=summary)


# --------------------------------------------------------------------------- invoicing pairs


@transaction.atomic
def save_invoicing_pair(
    *, user: User, audit: AuditContext, agreement: Agreement, form: InvoicingPairForm
) -> InvoicingPair:
    """Add or change who invoices whom, from a validated form, as a new version."""
    pair = form.save()
    record_version(
        agreement=agreement,
        user=user,
        audit=audit,
        summary=_("Faktureringspar sparat: %(pair)s") % {"pair": pair},
    )
    return pair


@transaction.atomic
def remove_invoicing_pair(*, user: User, audit: AuditContext, pair: InvoicingPair) -> None:
    """Remove a pair no issued document refers to, as a new version of the agreement.

    A pair with issued documents is kept (they name it); its share or marking can still
    be changed. Refused with a Swedish ValidationError, nothing removed."""
    pair = InvoicingPair.objects.select_for_update().get(pk=pair.pk)
    if pair.is_in_use():
        raise ValidationError(
            _(
                "Fakturaunderlag är utfärdade för %(pair)s, så paret kan inte tas bort. "
                "Ändra andelen eller beloppet i stället."
            )
            % {"pair": pair},
            code="pair_in_use",
        )
    summary = _("Faktureringspar borttaget: %(pair)s") % {"pair": pair}
    agreement = pair.agreement
    pair.delete()
    record_version(agreement=agreement, user=user, audit=audit, summary=summary)


# --------------------------------------------------------------------------- budgets


@transaction.atomic
def index_into_next_year(*, budget: Budget) -> Budget:
    """Create next year's budget: every cost line indexed, the same funding shares.

    Percent shares carry over as they are; fixed-amount shares are indexed like the cost
    lines so that the shares still add up to the total. Records no version: for callers
    that record their own (the demo data records the approved amendment);
    `derive_next_year` is the verb that does both.
    """
    agreement = budget.agreement
    year = budget.year + 1
    if not agreement.covers_year(year):
        raise ValidationError(
            _("Året %(year)s ligger utanför överenskommelsens period.") % {"year": year}
        )
    if Budget.objects.filter(agreement=agreement, year=year).exists():
        raise ValidationError(_("Det finns redan en budget för %(year)s.") % {"year": year})
    # The index series' value for the new year, or the fixed percentage; refused (before
    # anything is written) when the series has no value for that year yet.
    pct = budget.indexation_percent_into_next_year()
    series = budget.index_series
    note = _("Uppräknad från %(year)s med %(pct)s %%.") % {"year": budget.year, "pct": pct}
    if series is not None:
        note = _("Uppräknad från %(year)s med %(series)s, %(pct)s %%.") % {
            "year": budget.year,
            "series": series.name,
            "pct": pct,
        }
    new = Budget.objects.create(
        agreement=agreement,
        year=year,
        indexation_percent=budget.indexation_percent,
        index_series=series,
        applied_index_percent=pct if series is not None else None,
        public_grant=indexed(budget.public_grant, pct) if budget.public_grant is not None else None,
        derived_from=budget,
        note=note,
    )
    CostLine.objects.bulk_create(
        CostLine(
            budget=new,
            category=line.category,
            description=line.description,
            fte=line.fte,
            amount=indexed(line.amount, pct),
            position=line.position,
        )
        for line in budget.cost_lines.all()
    )
    FundingShare.objects.bulk_create(
        FundingShare(
            budget=new,
            party=share.party,
            percent=share.percent,
            amount=indexed(share.amount, pct) if share.amount is not None else None,
        )
        for share in budget.shares.all()
    )
    return new


@transaction.atomic
def derive_next_year(*, budget: Budget, user: User | None = None, audit: AuditContext) -> Budget:
    """Next year's budget by the indexation rule, recorded as a new version."""
    new = index_into_next_year(budget=budget)
    record_version(
        agreement=budget.agreement,
        user=user,
        audit=audit,
        summary=_("Budget %(year)s uppräknad från %(prev)s")
        % {"year": new.year, "prev": budget.year},
    )
    return new


@transaction.atomic
def add_index_series(*, user: User, audit: AuditContext, form: IndexSeriesForm) -> IndexSeries:
    """Add an index series (such as OPI) that budgets can be indexed by."""
    return form.save()


@transaction.atomic
def record_index_value(*, user: User, audit: AuditContext, form: IndexValueForm) -> IndexValue:
    """Record a series' value for a year, or its final value over the provisional one.
    Budgets already indexed with the provisional value show the adjustment
    (Budget.indexation_adjustment)."""
    return form.save()


@transaction.atomic
def record_actual_cost(*, user: User, audit: AuditContext, form: ActualCostForm) -> ActualCost:
    """Book an actual cost against a cost line of the budget, from a validated form."""
    actual = form.save(commit=False)
    actual.recorded_by = user
    actual.save()
    return actual


@transaction.atomic
def add_other_funding(*, user: User, audit: AuditContext, form: OtherFundingForm) -> OtherFunding:
    """Register funding from outside the agreement on the form's budget."""
    return form.save()


# --------------------------------------------------------------------------- organisations


@transaction.atomic
def save_organisation(*, user: User, audit: AuditContext, form: OrganisationForm) -> Organisation:
    created = form.instance.pk is None
    organisation = form.save()
    if created:
        # A new organisation is an administrative act: it goes into the administration log.
        record_administration(
            user=user,
            audit=audit,
            action="organisation_created",
            organisation=organisation,
        )
    return organisation


@transaction.atomic
def add_contact_person(
    *, user: User, audit: AuditContext, form: ContactPersonForm
) -> ContactPerson:
    return form.save()


# --------------------------------------------------------------------------- meetings


@transaction.atomic
def save_meeting(
    *,
    form: MeetingForm,
    attendees: RowFormSet,
    decisions: RowFormSet,
    action_items: RowFormSet,
    user: User,
    audit: AuditContext,
) -> Meeting:
    """Save a validated meeting form and its three row formsets together, or nothing."""
    meeting = form.save(commit=False)
    if meeting.pk is None:
        meeting.created_by = user
    meeting.save()
    for formset in (attendees, decisions, action_items):
        formset.instance = meeting
        formset.save()
    _record_present_members(meeting, form.cleaned_data.get("present_members") or [])
    return meeting


def _record_present_members(meeting: Meeting, members: Sequence[BodyMember]) -> None:
    """The body's members marked present become attendees (and unmarked ones stop being)."""
    chosen = {m.pk: m for m in members}
    meeting.attendees.filter(member__isnull=False).exclude(member__in=list(chosen)).delete()
    already = set(
        meeting.attendees.filter(member__in=list(chosen)).values_list("member", flat=True)
    )
    Attendee.objects.bulk_create(
        Attendee(
            meeting=meeting,
            member=member,
            name=member.display_name,
            title=member.title or str(member.get_role_display()),
            organisation=member.user.organisation if member.user is not None else None,
            organisation_name=member.display_organisation,
        )
        for member in members
        if member.pk not in already
    )


@transaction.atomic
def complete_action_item(
    *,
    item: ActionItem,
    user: User,
    audit: AuditContext,
    meeting: Meeting | None = None,
    day: datetime.date | None = None,
) -> ActionItem:
    """Tick an action item off, at a (later) meeting of the same agreement or on a day."""
    item = ActionItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    if meeting is not None and meeting.agreement_id != item.meeting.agreement_id:
        raise ValidationError(_("Åtgärden hör till en annan överenskommelse."))
    if item.done_on is not None:
        return item
    item.done_on = day or (meeting.date if meeting is not None else timezone.localdate())
    item.done_at_meeting = meeting
    item.save(update_fields=["done_on", "done_at_meeting"])
    return item


@transaction.atomic
def reopen_action_item(*, item: ActionItem, user: User, audit: AuditContext) -> ActionItem:
    item.done_on = None
    item.done_at_meeting = None
    item.save(update_fields=["done_on", "done_at_meeting"])
    return item


# --------------------------------------------------------------------------- calendar link


@transaction.atomic
def create_calendar_token(*, user: User, audit: AuditContext) -> CalendarToken:
    """A new secret address; the previous one (if any) stops working."""
    revoke_calendar_token(user=user, audit=audit)
    return CalendarToken.objects.create(user=user, token=secrets.token_urlsafe(32))


@transaction.atomic
def revoke_calendar_token(*, user: User, audit: AuditContext) -> int:
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
