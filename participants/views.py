"""Participant pages: "Mina deltagare", the timeline, and the forms that change a record.

Every view fetches through participants.access (which also writes the access log for
reads), binds a form, calls one verb of participants.actions (which saves the change and its
access-log row in one transaction), and renders or redirects.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from itertools import groupby
from operator import attrgetter
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, F, OrderBy, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from iop.audit import AuditContext
from iop.forms import has_control_characters
from iop.spreadsheets.writer import csv_response
from partnerships.http import AuthedHttpRequest
from partnerships.models import Agreement, AgreementParty, Organisation, User

from . import access, actions, duplicates, views_funder
from .access import ParticipantAccess, log_access, require_participant_role, user_agreements
from .export import participant_data, participant_pdf
from .forms import (
    ActionGoalFormSet,
    ActionPlanForm,
    AnonymousCountForm,
    AssessmentForm,
    AttendanceForm,
    ConsentForm,
    ContactForm,
    DuplicateResolveForm,
    EnrolmentEditForm,
    EnrolmentForm,
    ExitForm,
    ExitRecordForm,
    GroupActivityForm,
    GroupSessionForm,
    ParticipantEditForm,
    ParticipantForm,
    PhaseForm,
    ReferralForm,
    SessionAttendanceForm,
    WithdrawConsentForm,
)
from .forms_funder import ExitResultForm
from .models import (
    AccessLog,
    ActionGoal,
    ActionPlan,
    AnonymousContactCount,
    Attendance,
    Consent,
    Contact,
    DuplicateSuspicion,
    Enrolment,
    EnrolmentQuerySet,
    ExitResult,
    GroupActivity,
    GroupSession,
    Participant,
    Phase,
    PhaseChange,
    ProgressAssessment,
    Referral,
    ReferralStatus,
)

PAGE_SIZE = 50
WAITING_MESSAGE = gettext_lazy(
    "Alla platser i partnerskapet är upptagna: deltagaren står på väntelistan och skrivs in "
    "när en plats blir ledig."
)


def _is_htmx(request: AuthedHttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _form_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --------------------------------------------------------------------------- the list


def _last_contact(user: User) -> Subquery:
    """The date of the latest contact the user may see, for an enrolment row."""
    return Subquery(
        Contact.objects.filter(
            access.visible_contacts_q(user),
            participant_id=OuterRef("participant_id"),
            agreement_id=OuterRef("agreement_id"),
        )
        .order_by("-date")
        .values("date")[:1]
    )


def _list_rows(user: User, agreements: list | None = None) -> EnrolmentQuerySet:
    """Open enrolments the user works with, with everything a row shows, in one query."""
    return (
        access.visible_enrolments(user, agreements=agreements)
        .open()
        # The partnership's title comes from the agreements the page already has (an
        # Agreement built per row cost more than the rest of the row); participants are
        # fetched for the shown page only (one extra query), not joined for every open
        # enrolment before sorting.
        .select_related("phase")
        .prefetch_related("participant")
        .annotate(last_contact=_last_contact(user), show_identity=access.shows_identity(user))
    )


# A placeholder id reversed once per request: a row's links are then string substitutions
# instead of three reverse() calls per row (a list page has 50 rows).
_ROW_ID = "2147483647"


def _list_row_maker(
    today: datetime.date, titles: dict[int, str] | None = None
) -> Callable[[Enrolment, datetime.date | None, bool], dict[str, Any]]:
    """A function giving what a row of the list shows as a flat dict: the template reads
    each value with one dictionary lookup instead of a chain of attribute lookups, and the
    links, days and time status are computed here once rather than by tags and method
    calls per row. `titles` are the partnerships' titles by id (else the row's own)."""
    timeline = reverse("participants:timeline", args=[_ROW_ID])
    contact = reverse("participants:contact_create", args=[_ROW_ID])

    def make(
        e: Enrolment, last_contact: datetime.date | None, show_identity: bool
    ) -> dict[str, Any]:
        participant = e.participant
        return {
            "pk": e.pk,
            "code": participant.code,
            "name": participant.name if show_identity else "",
            "agreement": titles[e.agreement_id] if titles is not None else e.agreement.title,
            "phase": e.phase.name if e.phase else "",
            "days": e.days_enrolled(today),
            "status": e.time_status(today),
            "min_days": e.planned_min_days,
            "max_days": e.planned_max_days,
            "last_contact": last_contact,
            "next_step": e.next_step,
            "timeline_url": timeline.replace(_ROW_ID, str(e.participant_id)),
            "contact_url": contact.replace(_ROW_ID, str(e.pk)),
        }

    return make


def _count(rows: QuerySet) -> Coalesce:
    """The number of `rows` (correlated to an agreement by OuterRef), as an annotation."""
    counted = rows.order_by().values("agreement_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def _agreements_with_occupancy(user: User, shown: EnrolmentQuerySet | None = None) -> list:
    """The user's agreements, each with `occupied`: all open enrolments started by today,
    the places taken whoever the user may see. Given the list's rows as `shown`, also
    `shown`: how many of them are in that agreement, so that their sum is the list's count
    without a query of its own. Both are counted over the agreement's open enrolments
    only (the partial index enrolment_open_by_agreement)."""
    started = Enrolment.objects.open().filter(
        agreement_id=OuterRef("pk"), start_date__lte=timezone.localdate()
    )
    agreements = user_agreements(user).annotate(occupied=_count(started))
    if shown is not None:
        # The list's own rows (their rule, filters and search), never the occupancy's: a
        # count shown to the user must not include anyone the list would hide from them.
        agreements = agreements.annotate(shown=_count(shown.filter(agreement_id=OuterRef("pk"))))
    return list(agreements.order_by("title").only("pk", "title", "capacity", "status"))


class _CountedPaginator(Paginator):
    """A paginator told its count, which the page computed with the occupancy."""

    def __init__(self, object_list: QuerySet, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:  # type: ignore[override]
        return self._known_count


# Sort and filter choices: the query string carries these codes and numbers only, never
# anything typed about a person.
#
# Each sort's keys, in order: the row's attribute, the field compared in the database,
# descending or not, and where nulls sort ("first", "last"; "" for a key never null). The
# list is ordered by these and a "Nästa" link carries the last row's values (dates and ids
# only: the partnership by its id) for keyset paging.
SortKey = tuple[str, str, bool, str]
_AGREEMENT_KEY: SortKey = ("agreement_id", "agreement__title", False, "")
_START_DESC: SortKey = ("start_date", "start_date", True, "")
_PK_DESC: SortKey = ("pk", "pk", True, "")
SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "": (_AGREEMENT_KEY, _START_DESC, _PK_DESC),
    "contact": (("last_contact", "last_contact", False, "first"), _AGREEMENT_KEY, _PK_DESC),
    "days": (("start_date", "start_date", False, ""), _PK_DESC),
    "phase": (("phase_position", "phase__position", False, "last"), _AGREEMENT_KEY)
    + (_START_DESC, _PK_DESC),
}


def _order_by(key: SortKey) -> OrderBy:
    _attr, field, descending, nulls = key
    if descending:
        return F(field).desc()
    if nulls == "first":
        return F(field).asc(nulls_first=True)
    if nulls == "last":
        return F(field).asc(nulls_last=True)
    return F(field).asc()


# Sorts paged by keyset. Not "contact": its first key, the latest visible contact, is
# computed for every row whatever the paging, and a condition on it computed it again
# (measured slower than the offset at 50 000 participants).
KEYSET_SORTS = ("", "days", "phase")

SORTS: dict[str, tuple[OrderBy, ...]] = {
    sort: tuple(_order_by(key) for key in keys) for sort, keys in SORT_KEYS.items()
}
CONTACT_DAYS = ("14", "30", "60", "90")
SORT_LABELS = {
    "": gettext_lazy("Partnerskap, nyast först"),
    "contact": gettext_lazy("Längst sedan kontakt"),
    "days": gettext_lazy("Flest dagar"),
    "phase": gettext_lazy("Fas"),
}


def _list_filters(request: AuthedHttpRequest) -> dict[str, str]:
    """The list's filters from the query string, each kept only if it is a known code."""
    get = request.GET
    filters = {
        "agreement": get.get("agreement", ""),
        "phase": get.get("phase", ""),
        "contact": get.get("contact", ""),
        "over_max": get.get("over_max", ""),
        "sort": get.get("sort", ""),
    }
    valid = {
        "agreement": filters["agreement"].isdigit(),
        "phase": filters["phase"].isdigit(),
        "contact": filters["contact"] in CONTACT_DAYS,
        "over_max": filters["over_max"] == "1",
        "sort": filters["sort"] in SORTS,
    }
    return {key: value for key, value in filters.items() if valid[key] and value}


def _filtered_rows(rows: EnrolmentQuerySet, filters: dict[str, str]) -> EnrolmentQuerySet:
    today = timezone.localdate()
    if "agreement" in filters:
        rows = rows.filter(agreement_id=int(filters["agreement"]))
    if "phase" in filters:
        rows = rows.filter(phase_id=int(filters["phase"]))
    if "contact" in filters:
        since = today - datetime.timedelta(days=int(filters["contact"]))
        rows = rows.filter(Q(last_contact__isnull=True) | Q(last_contact__lte=since))
    if "over_max" in filters:
        rows = rows.over_max_on(today)
    return rows.order_by(*SORTS[filters.get("sort", "")])


def _shown_rows(user: User, filters: dict[str, str], query: str) -> EnrolmentQuerySet:
    """The list's rows: filtered, searched and sorted. The page counts them per agreement
    (_agreements_with_occupancy) from this very queryset, so the count cannot differ from
    what the list shows."""
    rows = _filtered_rows(_list_rows(user), filters)
    if query:
        rows = rows.filter(
            Q(participant__code__icontains=query)
            | Q(participant__name__icontains=query, show_identity=True)
        )
    return rows


def _search_query(request: AuthedHttpRequest) -> str:
    """The free-text search, from the POSTed form only."""
    # A `q` in the query string (an old bookmark) is ignored rather than honoured, so
    # that links carrying a name stop working instead of spreading.
    query = request.POST.get("q", "").strip()[:100] if request.method == "POST" else ""
    if has_control_characters(query):
        # PostgreSQL cannot search for NUL (it would answer 500): say so instead.
        messages.error(request, _("Sökningen innehåller otillåtna tecken. Skriv den igen."))
        return ""
    return query


def _cursor(row: Enrolment, sort: str) -> str:
    """The "Nästa" link's cursor: the last row's id ("" for a sort paged by offset). Only
    the id: the row's sort keys are looked up again (_parse_cursor), so that no date about
    a person (when they started) reaches the address and the server's logs."""
    return str(row.pk) if sort in KEYSET_SORTS else ""


def _partnerships_around(agreements: list, agreement_id: int) -> tuple[list[int], list[int]]:
    """The ids of the partnerships whose title equals that of `agreement_id`, and of those
    whose title sorts after it. `agreements` come sorted by title from the database, in its
    collation, as the rows are: a condition on the enrolment's own column then replaces a
    comparison of titles."""
    titles = [a.title for a in agreements]
    title = titles[[a.pk for a in agreements].index(agreement_id)]
    last = len(titles) - 1 - titles[::-1].index(title)
    return [a.pk for a in agreements if a.title == title], [a.pk for a in agreements[last + 1 :]]


def _parse_cursor(
    text: str, sort: str, agreements: list, rows: EnrolmentQuerySet
) -> list[Any] | None:
    """The sort keys of the row a cursor names (_cursor), a partnership as
    _partnerships_around; None when it names no row of this list (exited since, hidden, or
    not a number): the page number is then used alone."""
    if sort not in KEYSET_SORTS or not text.isdigit() or len(text) > 18:
        return None
    row = rows.filter(pk=int(text)).values("pk", "agreement_id", "start_date", "phase__position")
    found = row.first()
    if found is None:
        return None
    by_attr = {
        "pk": found["pk"],
        "start_date": found["start_date"],
        "phase_position": found["phase__position"],
    }
    values: list[Any] = []
    for attr, _field, _descending, _nulls in SORT_KEYS[sort]:
        if attr == "agreement_id":
            values.append(_partnerships_around(agreements, found["agreement_id"]))
        else:
            values.append(by_attr[attr])
    return values


def _beyond(field: str, value: Any, descending: bool, nulls: str) -> Q:
    """Rows whose `field` sorts strictly after `value`."""
    if field == "agreement__title":
        return Q(agreement_id__in=value[1])
    if value is None:  # nulls first: every value follows; nulls last: nothing does
        return ~Q(**{f"{field}__isnull": True}) if nulls == "first" else Q(pk__in=[])
    beyond = Q(**{f"{field}__{'lt' if descending else 'gt'}": value})
    return beyond | Q(**{f"{field}__isnull": True}) if nulls == "last" else beyond


def _after(sort: str, values: list[Any]) -> Q:
    """Rows that sort after the row with these key values: for keys k1…kn, those beyond it
    on k1, or equal on k1 and beyond on k2, and so on (ties broken by the last key, the id)."""
    after = Q(pk__in=[])
    same = Q()
    for (_attr, field, descending, nulls), value in zip(SORT_KEYS[sort], values, strict=True):
        after |= same & _beyond(field, value, descending, nulls)
        if field == "agreement__title":
            same &= Q(agreement_id__in=value[0])
        else:
            same &= Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})
    return after


def _within_partnerships(
    rows: EnrolmentQuerySet, agreements: list, start: int, end: int
) -> tuple[EnrolmentQuerySet, int]:
    """The default sort keeps a partnership's rows together (those of partnerships of the
    same title mixed by date). Knowing how many rows each shows (`shown`), the rows
    [start, end) are looked for only among the partnerships that hold them, which come
    after `skipped` rows; within one title they are ordered without it, in the order of
    the index enrolment_open_by_agreement, so PostgreSQL reads them from there rather
    than sorting every visible open enrolment."""
    skipped = seen = 0
    groups: list[list[int]] = []
    for _title, group in groupby(agreements, key=attrgetter("title")):
        members = list(group)
        ids, count = [a.pk for a in members], sum(a.shown for a in members)
        if seen + count <= start:
            skipped += count
        elif seen < end:
            groups.append(ids)
        seen += count
    if not groups:
        return rows, 0
    window = rows.filter(agreement_id__in=[pk for ids in groups for pk in ids])
    if len(groups) == 1:
        window = window.order_by(*SORTS[""][1:])
    return window, skipped


def _page_rows(
    user: User, agreements: list, rows: EnrolmentQuerySet, page: Page, filters: dict[str, str]
) -> list[Any]:
    """The rows of one page, everything they show included. Past the first page, the page
    is picked by ids first (sorted and sliced without the rows' last contact and name check
    unless the sort needs them), so that the database does not compute those for every row
    it skips; on the first page that would only add work."""
    if not page.paginator.count:
        return []
    first, last = page.start_index() - 1, page.end_index()
    sort = filters.get("sort", "")
    skipped = 0
    if sort == "":
        rows, skipped = _within_partnerships(rows, agreements, first, last)
    if first == 0:
        return list(rows[:last])
    ids = rows.values_list("pk", flat=True)[first - skipped : last - skipped]
    return list(_list_rows(user, agreements).filter(pk__in=ids).order_by(*SORTS[sort]))


def _page(
    request: AuthedHttpRequest,
    agreements: list,
    rows: EnrolmentQuerySet,
    paginator: Paginator,
    filters: dict[str, str],
) -> tuple[Page, list[Any]]:
    """The page asked for and its rows. Following "Nästa", the link carries the last row's
    sort keys (`after`) and the page starts right after that row (keyset): the database
    reads on from there instead of sorting and skipping every earlier row. A page number
    alone (a direct link, "Föregående", a cursor that no longer fits) is found by offset."""
    sort = filters.get("sort", "")
    number = request.GET.get("page", "")
    after = _parse_cursor(request.GET.get("after", ""), sort, agreements, rows)
    if after is not None:
        try:
            wanted = paginator.validate_number(number)
        except InvalidPage:
            wanted = 1
        shown = list(rows.filter(_after(sort, after))[:PAGE_SIZE]) if wanted > 1 else []
        if shown:
            return Page(shown, wanted, paginator), shown
    page = paginator.get_page(number)
    return page, _page_rows(request.user, agreements, rows, page, filters)


@require_http_methods(["GET", "POST"])
def participant_list(request: AuthedHttpRequest) -> HttpResponse:
    """Mina deltagare. The free-text search is POSTed and the page rendered in reply, so
    a name typed into it never reaches a URL (address bar, history, proxy and server
    logs, Referer). Partnership, phase, filters, sort, page and the last row's sort keys
    (`after`), which are codes, dates and numbers, stay in the query string."""
    user = request.user
    require_participant_role(user)
    filters = _list_filters(request)
    query = _search_query(request)
    rows = _shown_rows(user, filters, query)
    agreements = _agreements_with_occupancy(user, rows)
    # The agreements' literal ids let PostgreSQL plan the page from the enrolment side.
    rows = rows.filter(agreement_id__in=[a.pk for a in agreements])
    paginator = _CountedPaginator(rows, PAGE_SIZE, count=sum(a.shown for a in agreements))
    page, shown = _page(request, agreements, rows, paginator, filters)
    log_access(
        request, [e.participant_id for e in shown], action=AccessLog.Action.VIEW, what="lista"
    )
    today = timezone.localdate()
    make_row = _list_row_maker(today, {a.pk: a.title for a in agreements})
    return render(
        request,
        "participants/list.html",
        {
            "page": page,
            "rows": [make_row(e, e.last_contact, e.show_identity) for e in shown],
            "next_after": _cursor(shown[-1], filters.get("sort", ""))
            if page.has_next() and shown
            else "",
            "capacity": [a for a in agreements if a.status == "active"],
            "query": query,
            "filters": filters,
            "filter_query": urlencode(filters),
            "agreement_filter": filters.get("agreement", ""),
            "phases": Phase.objects.filter(
                Q(agreement__isnull=True) | Q(agreement__in=[a.pk for a in agreements])
            )
            .select_related("agreement")
            .order_by("agreement__title", "position", "pk"),
            "contact_days": CONTACT_DAYS,
            "sorts": SORT_LABELS,
            "today": today,
        },
    )


def _row_response(
    request: AuthedHttpRequest, enrolment: Enrolment, *, saved: bool = False
) -> HttpResponse:
    """One list row, built from the enrolment the view already checked and fetched (with
    participant, agreement and phase): one small query adds the latest visible contact and
    whether the name shows, instead of the list's query again (its visibility check, joins
    and participant fetch)."""
    if not enrolment.is_open:  # exited meanwhile: no longer on the list
        raise Http404
    user = request.user
    last_contact, show_identity = (
        Enrolment.objects.filter(pk=enrolment.pk)
        .annotate(last_contact=_last_contact(user), show_identity=access.shows_identity(user))
        .values_list("last_contact", "show_identity")
        .get()
    )
    today = timezone.localdate()
    return render(
        request,
        "participants/_row.html",
        {
            "rows": [_list_row_maker(today)(enrolment, last_contact, show_identity)],
            "today": today,
            "saved": saved,
        },
    )


def participant_row(request: AuthedHttpRequest, enrolment_id: int) -> HttpResponse:
    """One list row (htmx: after cancelling the contact form)."""
    enrolment = access.access_enrolment_by_id(request, enrolment_id, what="lista")
    return _row_response(request, enrolment)


def _last_contact_defaults(user: User) -> dict[str, Any]:
    """Kind and duration of the user's latest contact, so the next form starts with them."""
    last = (
        Contact.objects.filter(staff=user)
        .order_by("-created_at")
        .values("kind", "duration_minutes")
        .first()
    )
    return dict(last) if last else {"kind": Contact.Kind.MEETING, "duration_minutes": 30}


def contact_create(request: AuthedHttpRequest, enrolment_id: int) -> HttpResponse:
    """Log a contact. From the list (htmx) the form opens in the row and the row comes back
    updated; without htmx it is an ordinary page."""
    posted = request.method == "POST"
    # A successful POST is logged by log_contact as a change; only reads are logged here.
    enrolment = access.access_enrolment_by_id(request, enrolment_id, what="kontakt", log=not posted)
    if not enrolment.is_open:
        raise Http404
    contact = Contact(
        participant_id=enrolment.participant_id,
        agreement_id=enrolment.agreement_id,
        staff=request.user,
    )
    if posted:
        form = ContactForm(request.POST, instance=contact)
        if form.is_valid():
            actions.log_contact(
                user=request.user,
                audit=AuditContext.from_request(request),
                contact=form.save(commit=False),
                enrolment=enrolment,
            )
            if _is_htmx(request):
                return _row_response(request, enrolment, saved=True)
            messages.success(request, _("Kontakten är sparad."))
            return redirect(enrolment.participant)
        log_access(
            request, [enrolment.participant_id], action=AccessLog.Action.VIEW, what="kontakt"
        )
    else:
        initial = {"date": timezone.localdate(), **_last_contact_defaults(request.user)}
        form = ContactForm(instance=contact, initial=initial)
        # Date, kind and duration are filled in: the cursor goes to the topic, and Enter saves.
        form.fields["topic"].widget.attrs["autofocus"] = True
    template = (
        "participants/_contact_row_form.html"
        if _is_htmx(request)
        else "participants/contact_form.html"
    )
    return render(request, template, {"form": form, "e": enrolment, "enrolment": enrolment})


# --------------------------------------------------------------------------- timeline


def _contact_category(contact: Contact) -> str:
    return access.Category.HEALTH if contact.health else access.Category.NOTES


def _label(contacts: list[Any], attendance: list[Any]) -> None:
    """Each contact's kind and attendance's status as `kind_label` and `status_label`,
    looked up once per page: get_FOO_display() builds the choices' dict on every call."""
    kinds, statuses = dict(Contact.Kind.choices), dict(Attendance.Status.choices)
    for c in contacts:
        c.kind_label = kinds.get(c.kind, c.kind)
    for a in attendance:
        a.status_label = statuses.get(a.status, a.status)


def _timeline(seen: ParticipantAccess) -> dict:
    """Everything on the participant's page the user may see. The consent decision for each
    stamped row uses the sources fetched once in `seen` (no query per row)."""
    participant = seen.participant

    def in_view(qs, field="agreement_id"):
        return qs if seen.all_agreements else qs.filter(**{f"{field}__in": seen.agreement_ids})

    referrals = list(in_view(participant.referrals.select_related("organisation", "agreement")))
    for r in referrals:
        r.reason_shown = seen.sees(
            access.Category.NOTES, r.organisation_id or participant.organisation_id
        )
    consent_rows = participant.consents.select_related("organisation", "holder", "recorded_by")
    if not seen.all_agreements:
        # Consents towards organisations outside the user's partnerships would reveal
        # where else the participant is enrolled.
        consent_rows = consent_rows.filter(
            organisation__agreement_parties__agreement_id__in=seen.agreement_ids
        ).distinct()
    consents = list(consent_rows)
    enrolments = list(
        in_view(participant.enrolments.all())
        .select_related("agreement", "phase")
        .prefetch_related(
            Prefetch(
                "phase_changes",
                queryset=PhaseChange.objects.select_related("from_phase", "to_phase", "changed_by"),
            ),
            Prefetch(
                "assessments", queryset=ProgressAssessment.objects.select_related("assessed_by")
            ),
            Prefetch(
                "action_plan",
                queryset=ActionPlan.objects.prefetch_related(
                    Prefetch(
                        "goals",
                        queryset=ActionGoal.objects.select_related("responsible_organisation"),
                    )
                ),
            ),
            "follow_ups",
        )
        .order_by("start_date")
    )
    # The events show neither a contact's nor an attendance's partnership: no Agreement is
    # built for each of them.
    all_contacts = list(in_view(participant.contacts.select_related("staff")))
    contacts = [
        c for c in all_contacts if seen.sees(_contact_category(c), c.source_organisation_id)
    ]
    attendance = list(in_view(participant.attendance.select_related("session__activity")))
    _label(contacts, attendance)
    events: list[tuple[datetime.date, int, str, object]] = []
    for r in referrals:
        events.append((r.date, 0, "referral", r))
    for c in consents:
        events.append((c.given_on, 1, "consent", c))
        if c.withdrawn_on:
            events.append((c.withdrawn_on, 1, "consent_withdrawn", c))
    plans, assessments_total, assessments_shown = _enrolment_events(seen, enrolments, events)
    for c in contacts:
        events.append((c.date, 5, "contact", c))
    for a in attendance:
        events.append((a.date, 6, "attendance", a))
    events.sort(key=lambda ev: (ev[0], ev[1]), reverse=True)
    return {
        "events": [{"date": d, "kind": k, "obj": o} for d, _order, k, o in events],
        "enrolments": enrolments,
        "open_enrolments": [e for e in enrolments if e.is_open],
        "consents": consents,
        "plans": plans,
        "contacts_shown": len(contacts),
        "contacts_total": len(all_contacts),
        "assessments_shown": assessments_shown,
        "assessments_total": assessments_total,
    }


def _enrolment_events(
    seen: ParticipantAccess,
    enrolments: list[Enrolment],
    events: list[tuple[datetime.date, int, str, object]],
) -> tuple[list[ActionPlan], int, int]:
    """Add each enrolment's events; return its plans shown and the assessments counted."""
    plans = []
    total = shown = 0
    plan_category = access.Category.PLAN
    for e in enrolments:
        events.append((e.start_date, 2, "enrolment", e))
        for change in e.phase_changes.all():
            if change.from_phase_id is not None:
                events.append((change.date, 3, "phase", change))
        for a in e.assessments.all():
            total += 1
            if seen.sees(plan_category, a.source_organisation_id):
                shown += 1
                events.append((a.date, 4, "assessment", a))
        plan = getattr(e, "action_plan", None)
        if plan is not None and seen.sees(plan_category, plan.source_organisation_id):
            events.append((plan.drawn_up_on, 4, "plan", plan))
            plans.append(plan)
        if e.exit_date:
            events.append((e.exit_date, 9, "exit", e))
    return plans, total, shown


def _action_plan_or_none(enrolment: Enrolment) -> ActionPlan | None:
    try:
        return enrolment.action_plan
    except ActionPlan.DoesNotExist:
        return None


def participant_timeline(request: AuthedHttpRequest, participant_id: int) -> HttpResponse:
    seen = access.access_participant_by_id(request, participant_id, what="tidslinje")
    context = _timeline(seen)
    return render(
        request,
        "participants/timeline.html",
        {"seen": seen, "participant": seen.participant, "today": timezone.localdate(), **context},
    )


# --------------------------------------------------------------------------- register and edit


def _enrollable_agreements(user: User):
    # Past its end date an agreement has ended, even before end_expired_agreements ran.
    return (
        user_agreements(user)
        .filter(status="active", end_date__gte=timezone.localdate())
        .order_by("title")
    )


def _own_consent(user: User) -> Consent:
    """The consent a new participant gives the registering user's organisation (an
    administrator without one picks the organisation in the form)."""
    if user.organisation_id is None:
        return Consent()
    return Consent(organisation_id=user.organisation_id, holder_id=user.organisation_id)


def participant_create(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    require_participant_role(user)
    if user.organisation_id is None and not user.is_administrator:
        raise PermissionDenied
    data = request.POST or None
    files = request.FILES or None
    participant_form = ParticipantForm(data, prefix="p", user=user)
    enrolment_form = EnrolmentForm(data, prefix="e", agreements=_enrollable_agreements(user))
    consent_form = ConsentForm(
        data,
        files,
        prefix="c",
        organisations=None if not user.is_administrator else Organisation.objects.all(),
        instance=_own_consent(user),
        initial={
            "share_identity": True,
            "share_notes": True,
            "share_plan": True,
            "purpose": _("Registrering och stöd i partnerskapet"),
        },
    )
    referral_form = ReferralForm(
        data, prefix="r", optional=True, organisations=access.referral_organisations(user)
    )
    background_form = views_funder.new_background_form(data, user)
    forms_ = [participant_form, enrolment_form, consent_form, referral_form]
    valid = request.method == "POST" and all([f.is_valid() for f in forms_])  # noqa: C419 - every form shows its errors
    valid = (
        views_funder.check_background(
            background_form, participant_form.instance, enrolment_form.instance
        )
        and valid
    )
    agreement = getattr(enrolment_form, "cleaned_data", {}).get("agreement")
    _report_refusal(request, participant_form, DuplicateSuspicion.Source.REGISTRATION, agreement)
    if valid:
        enrolment = enrolment_form.save(commit=False)
        try:
            participant = actions.register_participant(
                user=user,
                audit=AuditContext.from_request(request),
                participant=participant_form.save(commit=False),
                agreement=enrolment.agreement,
                start_date=enrolment.start_date,
                consent=consent_form.save(commit=False),
                enrolment=enrolment,
                referral=None if referral_form.is_empty() else referral_form.save(commit=False),
                background=background_form.save(commit=False),
            )
        except ValidationError as exc:
            bad = views_funder.is_background_error(exc)
            _form_error(background_form if bad else enrolment_form, exc)
        else:
            messages.success(
                request, _("Deltagaren %(code)s är registrerad.") % {"code": participant.code}
            )
            if not participant.enrolments.exists():
                messages.warning(request, WAITING_MESSAGE)
            return redirect(participant)
    return render(
        request,
        "participants/participant_form.html",
        {
            "participant_form": participant_form,
            "enrolment_form": enrolment_form,
            "consent_form": consent_form,
            "referral_form": referral_form,
            "background_form": background_form,
        },
    )


def _report_refusal(
    request: AuthedHttpRequest,
    form: ParticipantForm,
    source: str,
    agreement: Agreement | None = None,
) -> None:
    """A personnummer refused for someone the user may not know of: open a duplicate case
    (or log the throttle). The user's page says the same either way."""
    if form.throttled:
        duplicates.log_throttled(request.user, source)
    elif form.collision is not None and not form.collision.shown:
        actions.report_duplicate_suspicion(
            user=request.user,
            audit=AuditContext.from_request(request),
            existing_id=form.collision.existing_id,
            source=source,
            agreement_id=agreement.pk if agreement is not None else None,
        )


def participant_edit(request: AuthedHttpRequest, participant_id: int) -> HttpResponse:
    seen = access.access_participant_by_id(
        request,
        participant_id,
        what="personuppgifter",
        action=AccessLog.Action.CHANGE if request.method == "POST" else AccessLog.Action.VIEW,
    )
    participant = seen.participant
    form = ParticipantEditForm(
        request.POST or None,
        instance=participant,
        show_identity=seen.identity,
        initial={"revision": participant.revision},
        user=request.user,
    )
    valid = request.method == "POST" and form.is_valid()
    _report_refusal(request, form, DuplicateSuspicion.Source.EDIT)
    if valid:
        try:
            actions.edit_participant(
                user=request.user,
                audit=AuditContext.from_request(request),
                participant=form.save(commit=False),
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Uppgifterna är sparade."))
            return redirect(participant)
    return render(
        request,
        "participants/simple_form.html",
        {
            "form": form,
            "participant": participant,
            "title": _("Ändra uppgifter för %(code)s") % {"code": participant.code},
        },
    )


def _simple(request, participant, form, title, enrolment=None, **extra):
    return render(
        request,
        "participants/simple_form.html",
        {
            "form": form,
            "participant": participant,
            "enrolment": enrolment,
            "title": title,
            **extra,
        },
    )


def enrolment_create(request: AuthedHttpRequest, participant_id: int) -> HttpResponse:
    seen = access.access_participant_by_id(request, participant_id, what="inskrivning")
    participant = seen.participant
    form = EnrolmentForm(
        request.POST or None,
        agreements=_enrollable_agreements(request.user),
        instance=Enrolment(participant=participant),
    )
    background_form = views_funder.new_background_form(request.POST or None, request.user)
    valid = request.method == "POST" and form.is_valid()
    if views_funder.check_background(background_form, participant, form.instance) and valid:
        try:
            placed = actions.enrol(
                user=request.user,
                audit=AuditContext.from_request(request),
                enrolment=form.save(commit=False),
                background=background_form.save(commit=False),
            )
        except ValidationError as exc:
            bad = views_funder.is_background_error(exc)
            _form_error(background_form if bad else form, exc)
        else:
            if isinstance(placed, Referral):
                messages.warning(request, WAITING_MESSAGE)
            else:
                messages.success(request, _("Deltagaren är inskriven."))
            return redirect(participant)
    return render(
        request,
        "participants/funder/enrolment_form.html",
        {
            "form": form,
            "background_form": background_form,
            "participant": participant,
            "title": _("Skriv in %(code)s") % {"code": participant.code},
        },
    )


def enrolment_edit(request: AuthedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access.access_enrolment_by_id(
        request,
        enrolment_id,
        what="inskrivning och bakgrund vid start",
        action=AccessLog.Action.CHANGE if request.method == "POST" else AccessLog.Action.VIEW,
    )
    form = EnrolmentEditForm(
        request.POST or None, instance=enrolment, initial={"revision": enrolment.revision}
    )
    background_form = views_funder.background_form_for(
        request.POST or None, request.user, enrolment
    )
    valid = request.method == "POST" and form.is_valid()
    if valid and (background_form is None or background_form.is_valid()):
        try:
            actions.edit_enrolment(
                user=request.user,
                audit=AuditContext.from_request(request),
                enrolment=form.save(commit=False),
                revision=form.cleaned_data["revision"],
                background=background_form.save(commit=False) if background_form else None,
            )
        except ValidationError as exc:
            bad = background_form is not None and views_funder.is_background_error(exc)
            _form_error(background_form if bad else form, exc)
        else:
            messages.success(request, _("Inskrivningen är sparad."))
            return redirect(enrolment.participant)
    return render(
        request,
        "participants/funder/enrolment_form.html",
        {
            "form": form,
            "background_form": background_form,
            "participant": enrolment.participant,
            "enrolment": enrolment,
            "age_at_entry": background_form.instance.age_at_entry if background_form else None,
            "title": _("Ändra inskrivning i %(a)s") % {"a": enrolment.agreement},
        },
    )


def enrolment_phase(request: AuthedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access.access_enrolment_by_id(request, enrolment_id, what="fas")
    form = PhaseForm(request.POST or None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_phase(
                user=request.user,
                audit=AuditContext.from_request(request),
                enrolment=enrolment,
                phase=form.cleaned_data["phase"],
                date=form.cleaned_data["date"],
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Fasen är ändrad."))
            return redirect(enrolment.participant)
    return _simple(request, enrolment.participant, form, _("Byt fas"), enrolment)


def enrolment_exit(request: AuthedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access.access_enrolment_by_id(request, enrolment_id, what="avslut")
    if not enrolment.is_open:
        raise Http404
    form = ExitForm(request.POST or None, instance=enrolment)
    record_form = ExitRecordForm(request.POST or None, prefix="x")
    # Validated after the exit form, which sets the outcome the results must agree with.
    result_form = ExitResultForm(
        request.POST or None, prefix="r", instance=ExitResult(enrolment=enrolment)
    )
    forms_ = [form, record_form, result_form]
    if request.method == "POST" and all([f.is_valid() for f in forms_]):  # noqa: C419 - every form shows its errors
        try:
            actions.exit_enrolment(
                user=request.user,
                audit=AuditContext.from_request(request),
                enrolment=form.save(commit=False),
                revision=form.cleaned_data["revision"],
                exit_record=record_form.save(commit=False),
                exit_result=result_form.save(commit=False),
            )
        except ValidationError as exc:
            _form_error(_exit_error_form(exc, record_form, result_form, form), exc)
        else:
            messages.success(
                request,
                _("Inskrivningen är avslutad. Uppföljning efter en och sex månader är planerad."),
            )
            return redirect(enrolment.participant)
    return _simple(
        request,
        enrolment.participant,
        form,
        _("Avsluta inskrivning i %(a)s") % {"a": enrolment.agreement},
        enrolment,
        extra_form=record_form,
        extra_title=_("Vid avslut"),
        result_form=result_form,
    )


def _exit_error_form(exc: ValidationError, *candidates):
    """The form holding the fields the error names (the last candidate otherwise)."""
    if hasattr(exc, "error_dict"):
        for candidate in candidates[:-1]:
            if set(exc.error_dict) & set(candidate.fields):
                return candidate
    return candidates[-1]


def consent_create(request: AuthedHttpRequest, participant_id: int) -> HttpResponse:
    """Register a consent document: the user's organisation (the holder) may share with
    another party of the participant's partnerships. Never towards the user's own
    organisation: a user cannot widen their own access."""
    seen = access.access_participant_by_id(request, participant_id, what="samtycke")
    participant = seen.participant
    user = request.user
    if user.organisation_id is None:
        # An administrator is a third party: only the holder registers a consent.
        access.log_denial(request, participant.pk, what="samtycke")
        raise PermissionDenied
    agreements = user_agreements(user).filter(enrolments__participant=participant)
    organisations = (
        Organisation.objects.filter(
            pk__in=AgreementParty.objects.filter(agreement__in=agreements).values("organisation_id")
        )
        .exclude(pk=user.organisation_id)
        .order_by("name")
    )
    form = ConsentForm(
        request.POST or None,
        request.FILES or None,
        organisations=organisations,
        instance=Consent(participant=participant, holder_id=user.organisation_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_consent(
                user=user, audit=AuditContext.from_request(request), consent=form.save(commit=False)
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Samtycket är registrerat och parterna har meddelats."))
            return redirect(participant)
    return _simple(
        request,
        participant,
        form,
        _("Registrera samtycke"),
        lead=_(
            "Deltagaren samtycker till att %(holder)s delar uppgifter med en annan part. "
            "Bara den organisation som har uppgifterna registrerar samtycket."
        )
        % {"holder": user.organisation},
    )


def consent_withdraw(request: AuthedHttpRequest, consent_id: int) -> HttpResponse:
    """Record the participant's withdrawal of a consent the user's organisation holds."""
    require_participant_role(request.user)
    user = request.user
    try:
        consent = (
            Consent.objects.filter(
                participant__in=access.visible_participants(user),
                holder_id=user.organisation_id,
                withdrawn_on__isnull=True,
            )
            .select_related("participant", "holder", "organisation")
            .get(pk=consent_id)
        )
    except Consent.DoesNotExist as exc:
        participant_id = (
            Consent.objects.filter(pk=consent_id).values_list("participant_id", flat=True).first()
        )
        if participant_id is not None:
            access.log_denial(request, participant_id, what="samtycke")
        raise Http404 from exc
    form = WithdrawConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.withdraw_consent(
            user=user,
            audit=AuditContext.from_request(request),
            consent=consent,
            day=timezone.localdate(),
            **form.cleaned_data,
        )
        messages.success(request, _("Samtycket är återkallat från och med i dag."))
        if access.visible_participants(user).filter(pk=consent.participant_id).exists():
            return redirect(consent.participant)
        return redirect("participants:list")
    return _simple(
        request,
        consent.participant,
        form,
        _("Återkalla samtycke"),
        lead=_("%(holder)s delar inte längre med %(recipient)s: %(categories)s.")
        % {
            "holder": consent.holder,
            "recipient": consent.organisation,
            "categories": ", ".join(consent.categories()),
        },
    )


def referral_create(request: AuthedHttpRequest, participant_id: int) -> HttpResponse:
    seen = access.access_participant_by_id(request, participant_id, what="anvisning")
    participant = seen.participant
    form = ReferralForm(
        request.POST or None,
        organisations=access.referral_organisations(request.user),
        instance=Referral(participant=participant, recorded_by=request.user),
        agreements=_enrollable_agreements(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = actions.record_referral(
                user=request.user,
                audit=AuditContext.from_request(request),
                referral=form.save(commit=False),
                agreement=form.cleaned_data["agreement"],
                outside_intake_confirmed=form.cleaned_data["confirm_outside_intake"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Anvisningen är registrerad."))
            if referral.status == ReferralStatus.WAITING:
                messages.warning(request, WAITING_MESSAGE)
            return redirect(participant)
    return _simple(request, participant, form, _("Registrera anvisning"))


def assessment_create(request: AuthedHttpRequest, enrolment_id: int) -> HttpResponse:
    # An assessment is stamped with the user's organisation, which always sees its own.
    enrolment = access.access_enrolment_by_id(request, enrolment_id, what="stegbedömning")
    form = AssessmentForm(
        request.POST or None,
        instance=ProgressAssessment(enrolment=enrolment, assessed_by=request.user),
    )
    if request.method == "POST" and form.is_valid():
        actions.record_assessment(
            user=request.user,
            audit=AuditContext.from_request(request),
            assessment=form.save(commit=False),
        )
        messages.success(request, _("Bedömningen är sparad."))
        return redirect(enrolment.participant)
    return _simple(request, enrolment.participant, form, _("Stegbedömning"), enrolment)


def _plan_organisations(user: User, enrolment: Enrolment) -> QuerySet[Organisation]:
    """The agencies that may take responsibility for a goal: the partnership's parties."""
    return (
        Organisation.objects.filter(
            Q(agreement_parties__agreement_id=enrolment.agreement_id) | Q(pk=user.organisation_id)
        )
        .distinct()
        .order_by("name")
    )


def action_plan_edit(request: AuthedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access.access_enrolment_by_id(request, enrolment_id, what="handlingsplan")
    existing = _action_plan_or_none(enrolment)
    if existing is not None and not access.may_see(
        request.user, enrolment.participant, access.Category.PLAN, existing.source_organisation_id
    ):
        # Another organisation's plan, not shared with the user's: refused and logged.
        access.log_denial(request, enrolment.participant_id, what="handlingsplan")
        raise PermissionDenied
    plan = existing or ActionPlan(enrolment=enrolment, drawn_up_on=timezone.localdate())
    form = ActionPlanForm(request.POST or None, instance=plan, initial={"revision": plan.revision})
    goals = ActionGoalFormSet(
        request.POST or None,
        instance=plan,
        prefix="goals",
        form_kwargs={"organisations": _plan_organisations(request.user, enrolment)},
    )
    if request.method == "POST" and form.is_valid() and goals.is_valid():
        try:
            actions.save_action_plan(
                user=request.user,
                audit=AuditContext.from_request(request),
                plan=form.save(commit=False),
                goals=goals,
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Handlingsplanen är sparad."))
            return redirect(enrolment.participant)
    return render(
        request,
        "participants/action_plan_form.html",
        {
            "form": form,
            "goals": goals,
            "enrolment": enrolment,
            "participant": enrolment.participant,
        },
    )


def attendance_create(request: AuthedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access.access_enrolment_by_id(request, enrolment_id, what="närvaro")
    form = AttendanceForm(
        request.POST or None,
        instance=Attendance(
            participant_id=enrolment.participant_id,
            agreement_id=enrolment.agreement_id,
            recorded_by=request.user,
        ),
        initial={"date": timezone.localdate(), "status": Attendance.Status.PRESENT},
    )
    if request.method == "POST" and form.is_valid():
        actions.record_attendance(
            user=request.user,
            audit=AuditContext.from_request(request),
            attendance=form.save(commit=False),
        )
        messages.success(request, _("Närvaron är sparad."))
        return redirect(enrolment.participant)
    return _simple(request, enrolment.participant, form, _("Registrera närvaro"), enrolment)


# --------------------------------------------------------------------------- groups


def group_list(request: AuthedHttpRequest) -> HttpResponse:
    require_participant_role(request.user)
    agreements = user_agreements(request.user)
    activities = (
        GroupActivity.objects.filter(agreement__in=agreements)
        .select_related("agreement")
        .annotate(session_count=Count("sessions"))
        .order_by("agreement__title", "name")
    )
    form = GroupActivityForm(
        request.POST or None,
        agreements=agreements.filter(status="active", end_date__gte=timezone.localdate()),
    )
    if request.method == "POST" and form.is_valid():
        activity = actions.create_group_activity(
            user=request.user,
            audit=AuditContext.from_request(request),
            activity=form.save(commit=False),
        )
        messages.success(request, _("Aktiviteten är skapad."))
        return redirect("participants:group_detail", activity.pk)
    return render(request, "participants/group_list.html", {"activities": activities, "form": form})


def group_detail(request: AuthedHttpRequest, activity_id: int) -> HttpResponse:
    activity = access.access_activity_by_id(request.user, activity_id)
    form = GroupSessionForm(
        request.POST or None, instance=GroupSession(activity=activity, leader=request.user)
    )
    if request.method == "POST" and form.is_valid():
        session = actions.schedule_group_session(
            user=request.user,
            audit=AuditContext.from_request(request),
            session=form.save(commit=False),
        )
        return redirect("participants:session_attendance", session.pk)
    # Newest first: an explicit order, since Meta.ordering is dropped from GROUP BY queries.
    sessions = activity.sessions.annotate(
        present=Count("attendance", filter=Q(attendance__status=Attendance.Status.PRESENT)),
        marked=Count("attendance"),
    ).order_by("-date", "-start_time", "-pk")
    candidates = _member_candidates(activity, request.user)
    members = set(activity.members.values_list("pk", flat=True))
    return render(
        request,
        "participants/group_detail.html",
        {
            "activity": activity,
            "sessions": sessions,
            "form": form,
            "candidates": [(e, e.participant_id in members) for e in candidates],
        },
    )


def _member_candidates(activity: GroupActivity, user: User) -> list[Enrolment]:
    return list(
        access.visible_enrolments(user)
        .open()
        .filter(agreement_id=activity.agreement_id)
        .select_related("participant")
        .annotate(shown_name=access.shown_name(user))
        .order_by("shown_name", "participant__code")
    )


@require_POST
def group_members(request: AuthedHttpRequest, activity_id: int) -> HttpResponse:
    """Who belongs to the group. Only participants the user sees are touched; members
    visible to other organisations stay."""
    activity = access.access_activity_by_id(request.user, activity_id)
    candidates = {e.participant_id for e in _member_candidates(activity, request.user)}
    chosen = {int(v) for v in request.POST.getlist("member") if v.isdigit()} & candidates
    actions.set_group_members(
        user=request.user,
        audit=AuditContext.from_request(request),
        activity=activity,
        candidates=candidates,
        chosen=chosen,
    )
    messages.success(request, _("Gruppens deltagare är sparade."))
    return redirect("participants:group_detail", activity.pk)


def _roster(session: GroupSession, user: User) -> list[Enrolment]:
    """Who should be on the session's list: the activity's members, or everyone enrolled
    in the partnership on the day, that the user may see."""
    enrolments = (
        access.visible_enrolments(user)
        .filter(agreement_id=session.activity.agreement_id)
        .active_on(session.date)
        .select_related("participant")
        .annotate(shown_name=access.shown_name(user))
        .order_by("shown_name", "participant__code")
    )
    members = session.activity.members.values("pk")
    if session.activity.members.exists():
        enrolments = enrolments.filter(participant_id__in=members)
    return list(enrolments)


def session_attendance(request: AuthedHttpRequest, session_id: int) -> HttpResponse:
    session = access.access_session_by_id(request.user, session_id)
    roster = _roster(session, request.user)
    current = dict(session.attendance.values_list("participant_id", "status"))
    form = SessionAttendanceForm(request.POST or None, roster=roster, current=current)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_session_attendance(
                user=request.user,
                audit=AuditContext.from_request(request),
                session=session,
                statuses=form.statuses(),
            )
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("Närvaron är sparad."))
            return redirect("participants:group_detail", session.activity_id)
    elif request.method != "POST":
        log_access(
            request,
            [e.participant_id for e in roster],
            action=AccessLog.Action.VIEW,
            what="närvarolista",
        )
    return render(
        request,
        "participants/session_attendance.html",
        {"session": session, "form": form, "error": error},
    )


# --------------------------------------------------------------------------- anonymous outreach


def anonymous_counts(request: AuthedHttpRequest) -> HttpResponse:
    require_participant_role(request.user)
    agreements = user_agreements(request.user)
    form = AnonymousCountForm(request.POST or None, agreements=agreements.filter(status="active"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.record_anonymous_counts(
            user=request.user,
            audit=AuditContext.from_request(request),
            agreement=data["agreement"],
            date=data["date"],
            place=data["place"],
            counts=form.counts(),
        )
        messages.success(request, _("De anonyma kontakterna är sparade."))
        return redirect("participants:anonymous")
    recent = (
        AnonymousContactCount.objects.filter(agreement__in=agreements)
        .values("agreement__title", "date", "place")
        .annotate(people=Sum("count"))
        .order_by("-date", "agreement__title")[:30]
    )
    return render(request, "participants/anonymous.html", {"form": form, "recent": recent})


# --------------------------------------------------------------------------- administrators: export and access log


def _require_administrator(user: User) -> None:
    if not user.is_authenticated or not user.is_administrator:
        raise Http404


def _admin_participant(request: AuthedHttpRequest, participant_id: int, what: str) -> Participant:
    _require_administrator(request.user)
    seen = access.access_participant_by_id(
        request, participant_id, what=what, action=AccessLog.Action.EXPORT
    )
    return seen.participant


def export_json(request: AuthedHttpRequest, participant_id: int) -> HttpResponse:
    participant = _admin_participant(request, participant_id, "registerutdrag JSON")
    response = JsonResponse(
        participant_data(participant), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="{participant.code}.json"'
    return response


def export_pdf(request: AuthedHttpRequest, participant_id: int) -> HttpResponse:
    participant = _admin_participant(request, participant_id, "registerutdrag PDF")
    response = HttpResponse(
        participant_pdf(participant_data(participant)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{participant.code}.pdf"'
    return response


def _log_rows(request: AuthedHttpRequest) -> tuple[QuerySet[AccessLog], dict]:
    logs = AccessLog.objects.select_related("participant", "organisation")
    filters: dict = {}
    participant_id = request.GET.get("participant", "")
    user_id = request.GET.get("user", "")
    if participant_id.isdigit():
        logs = logs.filter(participant_id=int(participant_id))
        filters["participant"] = Participant.objects.filter(pk=int(participant_id)).first()
    if user_id.isdigit():
        logs = logs.filter(user_id=int(user_id))
        filters["user"] = User.objects.filter(pk=int(user_id)).first()
    return logs.order_by("-at", "-pk"), filters


def access_log_list(request: AuthedHttpRequest) -> HttpResponse:
    _require_administrator(request.user)
    logs, filters = _log_rows(request)
    page = Paginator(logs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "participants/access_log.html",
        {
            "page": page,
            "filters": filters,
            "querystring": request.GET.urlencode(),
        },
    )


def access_log_participant(request: AuthedHttpRequest, participant_id: int) -> HttpResponse:
    _require_administrator(request.user)
    return redirect(f"{reverse('participants:access_log')}?participant={int(participant_id)}")


def access_log_csv(request: AuthedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    _require_administrator(request.user)
    logs, _filters = _log_rows(request)
    header = [
        _("Tidpunkt"),
        _("Användare"),
        _("Organisation"),
        _("Deltagare"),
        _("Händelse"),
        _("Vad"),
        _("IP-adress"),
    ]
    rows = (
        [
            timezone.localtime(log.at).isoformat(timespec="seconds"),
            log.username,
            log.organisation.name if log.organisation else "",
            log.participant.code,
            log.get_action_display(),
            log.what,
            log.ip_address or "",
        ]
        for log in logs.iterator(chunk_size=2000)
    )
    # Through the one writer: an organisation named "=1+cmd|..." stays text.
    return csv_response("atkomstlogg.csv", header, rows)


# --------------------------------------------------------------------------- administrators: duplicate personnummer


def duplicate_list(request: AuthedHttpRequest) -> HttpResponse:
    """Open duplicate cases, oldest first, and the latest resolved ones."""
    _require_administrator(request.user)
    cases = DuplicateSuspicion.objects.select_related(
        "existing", "reported_by", "organisation", "agreement", "resolved_by"
    )
    open_cases = list(cases.open().order_by("reported_at", "pk"))
    resolved = list(cases.filter(resolved_at__isnull=False).order_by("-resolved_at", "-pk")[:20])
    log_access(
        request,
        sorted({case.existing_id for case in open_cases + resolved}),
        action=AccessLog.Action.VIEW,
        what="dubblettmisstankar",
    )
    return render(
        request,
        "participants/duplicates.html",
        {"open_cases": open_cases, "resolved": resolved},
    )


def duplicate_resolve(request: AuthedHttpRequest, case_id: int) -> HttpResponse:
    case = access.access_duplicate_case_by_id(request.user, case_id)
    if request.method != "POST":
        log_access(
            request, [case.existing_id], action=AccessLog.Action.VIEW, what="dubblettmisstanke"
        )
    data = request.POST if request.method == "POST" and case.is_open else None
    form = DuplicateResolveForm(data, instance=case)
    if data is not None and form.is_valid():
        try:
            actions.resolve_duplicate_suspicion(
                user=request.user,
                audit=AuditContext.from_request(request),
                case=case,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["resolution_note"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Ärendet är hanterat."))
            return redirect("participants:duplicates")
    # A resolved case shows how it was resolved, without a form.
    shown = form if case.is_open else None
    return render(request, "participants/duplicate_resolve.html", {"case": case, "form": shown})
