"""No oracles (issue 14, deliverable 5): neither the import preview nor the registration
form tells a user anything about data the user may not see.

The prober is the coordinator of partnership B. The participants of partnership A are
registered with name and personnummer by A's organisation; one of them (`shared`) is also
enrolled in B, where the consent lets B see the participant but not the identity or the
contact notes.
"""

from __future__ import annotations

import datetime
import logging

import pytest
from django.urls import reverse
from django.utils import timezone
from stdnum import luhn

from iop.models import ImportJob
from participants import actions
from participants.duplicates import THROTTLE_LIMIT
from participants.models import AccessLog, Contact, DuplicateSuspicion, Participant
from tests.factories.participants import ConsentFactory, ContactFactory, EnrolmentFactory, enrolled
from tests.io_helpers import csv_bytes, io_settings, preview  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

NEUTRAL = "Deltagaren kan inte registreras – kontakta administratören."
OLD_ANSWER = "Det finns redan en deltagare med det personnumret"


def pnr(birth: str, serial: str) -> str:
    """A valid personnummer ÅÅÅÅMMDD-NNNN from a birth date and three serial digits."""
    return f"{birth}-{serial}{luhn.calc_check_digit(birth[2:] + serial)}"


HELD_1 = pnr("19850315", "123")
HELD_2 = pnr("19790102", "456")
FREE_1 = pnr("19900101", "234")
FREE_2 = pnr("19920202", "345")
FREE_3 = pnr("19930303", "456")


@pytest.fixture
def register(world):
    """A's participants, and `shared`, whom B sees without identity or notes."""
    held_1 = enrolled(world.agreement_a, world.org_a, name="Hemlig Ett", personnummer=HELD_1)
    held_2 = enrolled(world.agreement_a, world.org_a, name="Hemlig Två", personnummer=HELD_2)
    shared = held_1.participant
    ConsentFactory(
        participant=shared, organisation=world.org_b, share_identity=False, share_notes=False
    )
    EnrolmentFactory(participant=shared, agreement=world.agreement_b)
    ContactFactory(
        participant=shared,
        agreement=world.agreement_b,
        staff=world.coordinator_b,
        date=datetime.date(2026, 2, 1),
        note="Hemlig anteckning",
    )
    return held_1.participant, held_2.participant


def _outcome(job: ImportJob) -> tuple:
    return job.status, job.summary, job.rows


# --------------------------------------------------------------------------- the import preview


PARTICIPANT_HEADER = ["Deltagarkod", "Överenskommelse", "Startdatum", "Namn", "Personnummer"]


@pytest.mark.parametrize("column", ["Namn", "Personnummer"])
def test_participants_import_answers_the_same_for_a_right_and_a_wrong_identity_guess(
    world, login, register, column
):
    shared, _other = register
    client = login(world.coordinator_b)
    right = {"Namn": "Hemlig Ett", "Personnummer": HELD_1}[column]
    wrong = {"Namn": "Någon Annan", "Personnummer": FREE_1}[column]
    jobs = []
    for guess in (right, wrong):
        row = [shared.code, "iop-b", "2026-01-15", "", ""]
        row[PARTICIPANT_HEADER.index(column)] = guess
        jobs.append(preview(client, "participants", csv_bytes([PARTICIPANT_HEADER, row])))
    assert _outcome(jobs[0]) == _outcome(jobs[1])
    assert jobs[0].summary["refused"] == 1 and jobs[0].summary["skip"] == 0
    assert "namn, personnummer" in jobs[0].rows[0]["reasons"][0]


def test_contacts_import_answers_the_same_for_a_right_and_a_wrong_note_guess(
    world, login, register
):
    shared, _other = register
    client = login(world.coordinator_b)
    header = ["Deltagarkod", "Överenskommelse", "Datum", "Typ", "Personal", "Anteckning"]
    jobs = [
        preview(
            client,
            "contacts",
            csv_bytes(
                [header, [shared.code, "iop-b", "2026-02-01", "Enskilt möte", "coord_b", note]]
            ),
        )
        for note in ("Hemlig anteckning", "En gissning")
    ]
    assert _outcome(jobs[0]) == _outcome(jobs[1])
    assert jobs[0].summary["refused"] == 1 and jobs[0].summary["skip"] == 0
    assert "anteckningar" in jobs[0].rows[0]["reasons"][0]
    assert Contact.objects.get(participant=shared).note == "Hemlig anteckning"


def test_contacts_import_without_the_hidden_note_still_works(world, login, register):
    shared, _other = register
    # B's own contact with a participant whose other notes B may not see.
    Contact.objects.filter(participant=shared).update(source_organisation=world.org_b)
    client = login(world.coordinator_b)
    header = ["Deltagarkod", "Överenskommelse", "Datum", "Typ", "Personal", "Längd (minuter)"]
    row = [shared.code, "iop-b", "2026-02-01", "Enskilt möte", "coord_b", "50"]
    job = preview(client, "contacts", csv_bytes([header, row]))
    assert job.summary["update"] == 1, job.rows
    assert job.rows[0]["changes"] == [["Längd (minuter)", "45", "50"]]


def _guesses(personnummers: list[str], agreement: str = "iop-b") -> bytes:
    rows = [PARTICIPANT_HEADER]
    for number, value in enumerate(personnummers, 1):
        rows.append([f"GISS-{number}", agreement, "2026-01-15", "", value])
    return csv_bytes(rows)


def test_an_import_of_guesses_does_not_show_which_personnummer_exist(
    world, login, register, caplog
):
    held_1, held_2 = register
    client = login(world.coordinator_b)
    caplog.set_level(logging.INFO)
    # Two files with the same codes: hits at rows 2 and 4 in one, at row 3 in the other.
    one = preview(client, "participants", _guesses([HELD_1, FREE_1, HELD_2, FREE_2]))
    two = preview(client, "participants", _guesses([FREE_1, HELD_2, FREE_2, FREE_3]))
    assert _outcome(one) == _outcome(two)
    assert one.summary["refused"] == 4 and one.summary["new"] == 0
    assert {reason for row in one.rows for reason in row["reasons"]} == {NEUTRAL}
    # A file without any hit is imported as usual, so the test above could fail.
    none = preview(client, "participants", _guesses([FREE_1, FREE_2, FREE_3]))
    assert none.summary["new"] == 3 and none.summary["refused"] == 0
    # Nothing of the guesses was saved; a case per hit is left for an administrator.
    assert not Participant.objects.filter(code__startswith="GISS").exists()
    cases = DuplicateSuspicion.objects.order_by("pk")
    assert [(c.existing_id, c.reported_by_id, c.source) for c in cases] == [
        (held_1.pk, world.coordinator_b.pk, "import"),
        (held_2.pk, world.coordinator_b.pk, "import"),
        (held_2.pk, world.coordinator_b.pk, "import"),
    ]
    assert {c.agreement_id for c in cases} == {world.agreement_b.pk}
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Duplicate personnummer: case" in logged
    for value in (HELD_1, HELD_2, held_1.code, held_2.code, "Hemlig"):
        assert value not in logged


def test_own_participants_personnummer_in_an_import_is_named(world, login, register):
    held_1, _held_2 = register
    client = login(world.coordinator_a)
    job = preview(client, "participants", _guesses([HELD_1], "iop-a"))
    assert job.summary["refused"] == 1
    assert held_1.code in job.rows[0]["reasons"][0]
    assert not DuplicateSuspicion.objects.exists()


def test_throttled_importer_gets_the_neutral_answer_for_every_new_participant(
    world, login, register, caplog
):
    held_1, _held_2 = register
    for _ in range(THROTTLE_LIMIT):
        DuplicateSuspicion.objects.create(
            existing=held_1, reported_by=world.coordinator_b, source="registration"
        )
    client = login(world.coordinator_b)
    caplog.set_level(logging.INFO)
    header = ["Deltagarkod", "Överenskommelse", "Startdatum"]
    job = preview(client, "participants", csv_bytes([header, ["NY-1", "iop-b", "2026-01-15"]]))
    assert job.summary["refused"] == 1
    assert job.rows[0]["reasons"] == [NEUTRAL]
    assert DuplicateSuspicion.objects.count() == THROTTLE_LIMIT
    assert "Registration refused" in caplog.text


# --------------------------------------------------------------------------- the registration form


def _register_data(world, personnummer: str, **overrides) -> dict:
    data = {
        "p-name": "Ny Person",
        "p-personnummer": personnummer,
        "p-gender": "woman",
        "p-birth_year": "",
        "p-language": "",
        "e-agreement": str(world.agreement_b.pk),
        "e-start_date": "2026-02-01",
        "e-planned_min_days": "",
        "e-planned_max_days": "",
        "e-income_at_start": "income_support",
        "e-next_step": "",
        "c-share_identity": "on",
        "c-purpose": "Stöd mot arbete",
        "c-given_on": "2026-02-01",
        "c-expires_on": "",
        "c-method": "written",
        "c-reference": "REG-2026-1",
        "c-witness": "",
        "p-identity_status": "registered",
    }
    data.update(overrides)
    return data


def _personnummer_errors(response) -> str:
    """The error text shown next to the personnummer field."""
    page = response.content.decode()
    start = page.index('id="id_p-personnummer"')
    block = page[start : page.index("</div>", page.index("field-errors", start))]
    return block[block.index("field-errors") :]


def test_registering_a_personnummer_held_elsewhere_gets_the_neutral_answer_and_a_case(
    world, login, register, caplog
):
    held_1, _held_2 = register
    client = login(world.coordinator_b)
    caplog.set_level(logging.INFO)
    before = Participant.objects.count()
    response = client.post(reverse("participants:create"), _register_data(world, HELD_1))
    assert response.status_code == 200
    page = response.content.decode()
    assert OLD_ANSWER not in page and held_1.code not in page
    assert NEUTRAL in _personnummer_errors(response)
    assert Participant.objects.count() == before
    case = DuplicateSuspicion.objects.get()
    assert (case.existing, case.reported_by, case.organisation, case.agreement, case.source) == (
        held_1,
        world.coordinator_b,
        world.org_b,
        world.agreement_b,
        "registration",
    )
    assert case.is_open
    assert AccessLog.objects.filter(participant=held_1, what="dubblettmisstanke").exists()
    assert HELD_1 not in caplog.text and held_1.code not in caplog.text


def test_the_answer_is_the_same_whether_the_holder_is_hidden_or_the_user_throttled(
    world, login, register
):
    _held_1, held_2 = register
    client = login(world.coordinator_b)
    hidden = client.post(reverse("participants:create"), _register_data(world, HELD_2))
    for _ in range(THROTTLE_LIMIT - 1):
        client.post(reverse("participants:create"), _register_data(world, HELD_2))
    assert DuplicateSuspicion.objects.count() == THROTTLE_LIMIT
    throttled = client.post(reverse("participants:create"), _register_data(world, FREE_1))
    assert _personnummer_errors(throttled) == _personnummer_errors(hidden)
    assert not Participant.objects.filter(personnummer=FREE_1).exists()
    assert DuplicateSuspicion.objects.count() == THROTTLE_LIMIT  # no case for a free number
    # Below the throttle a free personnummer registers as usual.
    DuplicateSuspicion.objects.update(reported_at=timezone.now() - datetime.timedelta(hours=2))
    free = client.post(reverse("participants:create"), _register_data(world, FREE_1))
    assert free.status_code == 302
    assert held_2.pk != Participant.objects.get(personnummer=FREE_1).pk


def test_a_participant_seen_without_identity_is_not_named_either(world, login, register):
    held_1, _held_2 = register  # B sees held_1 (the shared participant), but not the identity
    client = login(world.coordinator_b)
    response = client.post(reverse("participants:create"), _register_data(world, HELD_1))
    assert held_1.code not in response.content.decode()
    assert NEUTRAL in _personnummer_errors(response)
    assert DuplicateSuspicion.objects.filter(existing=held_1).count() == 1


def test_a_participant_seen_with_identity_is_named_with_a_link(world, login, register):
    held_1, _held_2 = register
    client = login(world.coordinator_a)
    data = _register_data(world, HELD_1, **{"e-agreement": str(world.agreement_a.pk)})
    response = client.post(reverse("participants:create"), data)
    assert held_1.code in _personnummer_errors(response)
    assert reverse("participants:timeline", args=[held_1.pk]) in response.content.decode()
    assert not DuplicateSuspicion.objects.exists()


def test_editing_in_a_personnummer_held_elsewhere_gets_the_neutral_answer(world, login, register):
    held_1, _held_2 = register
    own = enrolled(world.agreement_b, world.org_b, name="Egen Deltagare").participant
    client = login(world.coordinator_b)
    response = client.post(
        reverse("participants:edit", args=[own.pk]),
        {
            "name": "Egen Deltagare",
            "personnummer": HELD_1,
            "gender": "woman",
            "birth_year": "",
            "language": "",
            "revision": own.revision,
        },
    )
    assert response.status_code == 200
    assert NEUTRAL in response.content.decode()
    own.refresh_from_db()
    assert own.personnummer == ""
    assert DuplicateSuspicion.objects.get().source == "edit"


def test_a_failing_access_log_leaves_no_case(world, register, monkeypatch):
    held_1, _held_2 = register

    def broken(**kwargs):
        raise RuntimeError("log down")

    monkeypatch.setattr(actions, "record_access", broken)
    with pytest.raises(RuntimeError):
        actions.report_duplicate_suspicion(
            user=world.coordinator_b,
            audit=actions.AuditContext(),
            existing_id=held_1.pk,
            source="registration",
        )
    assert not DuplicateSuspicion.objects.exists()


# --------------------------------------------------------------------------- the administrator's page


def test_administrator_lists_and_resolves_a_case(world, login, register):
    held_1, _held_2 = register
    login(world.coordinator_b).post(reverse("participants:create"), _register_data(world, HELD_1))
    case = DuplicateSuspicion.objects.get()
    client = login(world.admin)
    listing = client.get(reverse("participants:duplicates")).content.decode()
    assert held_1.code in listing and "coord_b" in listing
    assert reverse("participants:duplicate_resolve", args=[case.pk]) in listing
    missing = client.post(reverse("participants:duplicate_resolve", args=[case.pk]), {})
    assert missing.status_code == 200 and "field-errors" in missing.content.decode()
    response = client.post(
        reverse("participants:duplicate_resolve", args=[case.pk]),
        {"resolution": "same_person", "resolution_note": "Kontakt tagen med B."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert not case.is_open and case.resolved_by == world.admin
    assert AccessLog.objects.filter(
        participant=held_1, user=world.admin, what="dubblettmisstanke hanterad"
    ).exists()
    again = client.post(
        reverse("participants:duplicate_resolve", args=[case.pk]),
        {"resolution": "typing_error", "resolution_note": ""},
    )
    assert again.status_code == 200
    case.refresh_from_db()
    assert case.resolution == "same_person"


def test_a_case_resolved_meanwhile_is_not_resolved_twice(world, register):
    held_1, _held_2 = register
    case = DuplicateSuspicion.objects.create(
        existing=held_1, reported_by=world.coordinator_b, source="import"
    )
    stale = DuplicateSuspicion.objects.get(pk=case.pk)
    actions.resolve_duplicate_suspicion(
        user=world.admin,
        audit=actions.AuditContext(),
        case=case,
        resolution="not_pursued",
        note="",
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.resolve_duplicate_suspicion(
            user=world.admin,
            audit=actions.AuditContext(),
            case=stale,
            resolution="typing_error",
            note="",
        )


@pytest.mark.parametrize("user_attr", ["coordinator_a", "coordinator_b", "manager_a"])
def test_only_administrators_see_the_cases(world, login, register, user_attr):
    held_1, _held_2 = register
    case = DuplicateSuspicion.objects.create(
        existing=held_1, reported_by=world.coordinator_b, source="import"
    )
    client = login(getattr(world, user_attr))
    assert client.get(reverse("participants:duplicates")).status_code == 404
    url = reverse("participants:duplicate_resolve", args=[case.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"resolution": "not_pursued"}).status_code == 404
    case.refresh_from_db()
    assert case.is_open


def test_case_list_query_count_does_not_grow_with_cases(world, login, register):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    held_1, held_2 = register
    client = login(world.admin)
    counts = []
    for existing in (held_1, held_2, held_2, held_1):
        DuplicateSuspicion.objects.create(
            existing=existing,
            reported_by=world.coordinator_b,
            organisation=world.org_b,
            agreement=world.agreement_b,
            source="import",
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("participants:duplicates")).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts


def test_a_failing_access_log_leaves_the_case_open(world, register, monkeypatch):
    held_1, _held_2 = register
    case = DuplicateSuspicion.objects.create(
        existing=held_1, reported_by=world.coordinator_b, source="import"
    )

    def broken(**kwargs):
        raise RuntimeError("log down")

    monkeypatch.setattr(actions, "record_access", broken)
    with pytest.raises(RuntimeError):
        actions.resolve_duplicate_suspicion(
            user=world.admin,
            audit=actions.AuditContext(),
            case=case,
            resolution="not_pursued",
            note="",
        )
    case.refresh_from_db()
    assert case.is_open and case.resolution == ""
