"""Import/export of participants with enrolments, contacts and attendance."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from iop.models import ImportJob
from participants.models import AccessLog, Attendance, Consent, Contact, Enrolment, Participant
from tests.factories.participants import AttendanceFactory, ContactFactory, enrolled
from tests.io_helpers import (  # noqa: F401 - io_settings is an autouse fixture
    csv_bytes,
    import_file,
    io_settings,
    preview,
    read_csv,
    read_xlsx,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    """Two participants of A (one without identity consent) and one of B."""
    anna = enrolled(
        world.agreement_a, world.org_a, name="Anna Andersson", personnummer="19850315-1238"
    )
    hidden = enrolled(
        world.agreement_a,
        world.org_a,
        consent={"share_identity": False, "share_notes": False},
        name="Dold Person",
    )
    other = enrolled(world.agreement_b, world.org_b, name="Bea B")
    for enrolment in (anna, hidden):
        ContactFactory(
            participant=enrolment.participant,
            agreement=world.agreement_a,
            staff=world.coordinator_a,
            note="Känslig anteckning",
            topic="=Möte",
        )
        AttendanceFactory(
            participant=enrolment.participant,
            agreement=world.agreement_a,
            date=datetime.date(2026, 3, 2),
        )
    ContactFactory(
        participant=other.participant, agreement=world.agreement_b, staff=world.coordinator_b
    )
    return anna, hidden, other


def _state():
    return (
        sorted(
            Participant.objects.values_list("code", "name", "personnummer", "gender", "birth_year")
        ),
        sorted(
            Enrolment.objects.values_list(
                "participant_id",
                "agreement_id",
                "start_date",
                "phase_id",
                "exit_date",
                "income_at_start",
            )
        ),
        sorted(
            Contact.objects.values_list(
                "participant_id", "date", "kind", "staff_id", "duration_minutes", "topic", "note"
            )
        ),
        sorted(Attendance.objects.values_list("participant_id", "date", "status")),
        Consent.objects.count(),
    )


@pytest.mark.parametrize("kind", ["participants", "contacts", "attendance"])
def test_coordinator_round_trip_xlsx_changes_nothing(world, login, people, kind):
    client = login(world.coordinator_a)
    before = _state()
    rows = read_xlsx(client.get(reverse("io_export", args=[kind]) + "?format=xlsx"))
    # Header + A's two; B's participant is not exported, and the hidden participant's
    # contact (the consent does not cover the registering organisation's notes) neither.
    shown = 1 if kind == "contacts" else 2
    assert len(rows) == 1 + shown
    job = import_file(client, kind, xlsx_bytes(rows), name=f"{kind}.xlsx")
    assert job.summary["skip"] == shown, job.rows
    assert job.summary["new"] == job.summary["update"] == job.summary["refused"] == 0
    assert _state() == before


def test_identity_and_notes_follow_consent_in_exports(world, login, people):
    anna, hidden, _other = people
    client = login(world.coordinator_a)
    rows = read_csv(client.get(reverse("io_export", args=["participants"])))
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code[anna.participant.code][3:5] == ["Anna Andersson", "19850315-1238"]
    assert by_code[hidden.participant.code][3:5] == ["", ""]
    contacts = read_csv(client.get(reverse("io_export", args=["contacts"])))
    notes = {r[0]: r[8] for r in contacts[1:]}
    # Without a consent for notes, not even the topic, staff or date of a contact.
    assert notes == {anna.participant.code: "Känslig anteckning"}
    # The topic "=Möte" is neutralised.
    assert {r[6] for r in contacts[1:]} == {"'=Möte"}
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 3


@pytest.mark.parametrize("user_attr", ["finance_a", "steering_a"])
@pytest.mark.parametrize("kind", ["participants", "contacts", "attendance"])
def test_finance_and_steering_never_get_participant_data(world, login, people, user_attr, kind):
    client = login(getattr(world, user_attr))
    assert client.get(reverse("io_export", args=[kind])).status_code == 403
    assert client.get(reverse("io_import", args=[kind])).status_code == 403
    assert client.get(reverse("io_template", args=[kind])).status_code == 403


def test_row_naming_other_partnerships_participant_is_refused(world, login, people):
    anna, _hidden, other = people
    client = login(world.coordinator_a)
    before = _state()
    content = csv_bytes(
        [
            ["Deltagarkod", "Överenskommelse", "Datum", "Typ", "Personal", "Längd (minuter)"],
            [anna.participant.code, "iop-a", "2026-04-01", "Telefon", "", "15"],
            [other.participant.code, "iop-a", "2026-04-01", "Telefon", "", "15"],
            [anna.participant.code, "iop-b", "2026-04-01", "Telefon", "", "15"],
        ]
    )
    job = preview(client, "contacts", content)
    assert job.summary["new"] == 1 and job.summary["refused"] == 2
    reasons = {r["row"]: " ".join(r.get("reasons", [])) for r in job.rows}
    assert "syns inte för dig" in reasons[3]
    assert "hör inte till dina partnerskap" in reasons[4]
    assert client.post(reverse("io_job_confirm", args=[job.pk])).status_code == 403
    assert _state() == before


def test_identity_cannot_be_written_without_identity_consent(world, login, people):
    _anna, hidden, _other = people
    client = login(world.coordinator_a)
    content = csv_bytes(
        [
            ["Deltagarkod", "Överenskommelse", "Startdatum", "Namn", "Kön"],
            [hidden.participant.code, "iop-a", "2026-01-15", "Nytt Namn", "Kvinna"],
        ]
    )
    job = preview(client, "participants", content)
    assert job.summary["refused"] == 1
    assert "namn, personnummer" in job.rows[0]["reasons"][0]
    assert Participant.objects.get(pk=hidden.participant_id).name == "Dold Person"


def test_new_participants_are_created_once(world, login, people):
    client = login(world.coordinator_a)
    content = csv_bytes(
        [
            [
                "Deltagarkod",
                "Överenskommelse",
                "Startdatum",
                "Namn",
                "Personnummer",
                "Kön",
                "Försörjning vid start",
            ],
            [
                "D-NY1",
                "iop-a",
                "2026-05-01",
                "Ny Deltagare",
                "198112189876",
                "Kvinna",
                "Försörjningsstöd",
            ],
            ["D-NY2", "iop-a", "2026-05-02", "", "", "Man", "Lön"],
        ]
    )
    job = import_file(client, "participants", content)
    assert job.summary["new"] == 2, job.rows
    new = Participant.objects.get(code="D-NY1")
    assert new.personnummer == "19811218-9876" and new.birth_year == 1981
    assert Consent.objects.filter(participant=new, organisation=world.org_a).exists()
    assert new.enrolments.get().phase is not None
    again = import_file(client, "participants", content)
    assert again.summary["skip"] == 2 and again.summary["new"] == 0, again.rows
    assert Participant.objects.filter(code__startswith="D-NY").count() == 2


def test_invalid_personnummer_is_refused_and_nothing_is_written(world, login, people):
    client = login(world.coordinator_a)
    before = _state()
    content = csv_bytes(
        [
            ["Deltagarkod", "Överenskommelse", "Startdatum", "Personnummer"],
            ["D-OK1", "iop-a", "2026-05-01", ""],
            ["D-BAD", "iop-a", "2026-05-01", "19850315-1232"],
        ]
    )
    job = preview(client, "participants", content)
    assert job.summary["new"] == 1 and job.summary["refused"] == 1
    assert "Kontrollsiffran" in " ".join(job.rows[1]["reasons"])
    assert _state() == before


def test_contacts_import_then_same_file_again_changes_nothing(world, login, people):
    anna, _hidden, _other = people
    client = login(world.coordinator_a)
    content = csv_bytes(
        [
            ["participant", "agreement", "date", "kind", "staff", "duration_minutes", "topic"],
            [anna.participant.code, "iop-a", "2026-04-01", "phone", "coord_a", "15", "Samtal"],
            [anna.participant.code, "iop-a", "2026-04-02", "Enskilt möte", "", "60", "Möte"],
        ],
        delimiter=",",
    )
    job = import_file(client, "contacts", content)
    assert job.summary["new"] == 2, job.rows
    assert Contact.objects.filter(participant=anna.participant, date__month=4).count() == 2
    assert AccessLog.objects.filter(
        action=AccessLog.Action.CHANGE, what="import kontakter"
    ).exists()
    again = import_file(client, "contacts", content)
    assert again.summary["skip"] == 2 and again.summary["new"] == 0
    assert Contact.objects.filter(participant=anna.participant, date__month=4).count() == 2


def test_contact_in_the_future_is_refused(world, login, people):
    anna, _hidden, _other = people
    client = login(world.coordinator_a)
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    content = csv_bytes(
        [
            ["Deltagarkod", "Överenskommelse", "Datum", "Typ", "Personal", "Längd (minuter)"],
            [anna.participant.code, "iop-a", future, "Telefon", "", "15"],
            [anna.participant.code, "iop-a", "2026-04-01", "Telefon", "", "9999"],
        ]
    )
    job = preview(client, "contacts", content)
    assert job.summary["refused"] == 2
    assert "framtiden" in job.rows[0]["reasons"][0]


def test_attendance_for_participant_not_enrolled_that_day_is_refused(world, login, people):
    anna, _hidden, _other = people
    client = login(world.coordinator_a)
    content = csv_bytes(
        [
            ["Deltagarkod", "Överenskommelse", "Datum", "Närvaro"],
            [anna.participant.code, "iop-a", "2025-12-01", "Närvarande"],
        ]
    )
    job = preview(client, "attendance", content)
    assert job.summary["refused"] == 1
    assert "inte inskriven" in job.rows[0]["reasons"][0]
    assert not ImportJob.objects.filter(status=ImportJob.Status.DONE).exists()


# 80 rows, new and then unchanged: 17 and 15 queries before the bulk path, 11 and 7 now.
QUERIES = {"new": 11, "unchanged": 7}


def test_contact_import_queries_do_not_grow_with_rows(
    world, login, people, tmp_path, django_assert_num_queries
):
    from django.db import transaction

    from iop.spreadsheets import engine as imports
    from iop.spreadsheets.registry import get_dataset

    anna, hidden, _other = people
    header = ["Deltagarkod", "Överenskommelse", "Datum", "Typ", "Personal", "Längd (minuter)"]
    rows = [header] + [
        [
            p.participant.code,
            "iop-a",
            (datetime.date(2026, 1, 16) + datetime.timedelta(days=d)).isoformat(),
            "Telefon",
            "coord_a",
            "20",
        ]
        for d in range(40)
        for p in (anna, hidden)
    ]
    path = tmp_path / "k.csv"
    path.write_bytes(csv_bytes(rows))
    for _round in ("new", "unchanged"):
        outcome = imports.Outcome()
        resource = get_dataset("contacts").resource(world.coordinator_a)
        world.coordinator_a.roles()
        with django_assert_num_queries(QUERIES[_round]), transaction.atomic():
            imports.import_rows(
                resource=resource, rows=imports.iter_file(str(path), "csv"), outcome=outcome
            )
        assert outcome.counts[_round if _round == "new" else "skip"] == 80, outcome.rows[:3]


# 80 rows, new and then unchanged: 973 queries for the new rows on the per-row path.
ATTENDANCE_QUERIES = {"new": 11, "unchanged": 7}


def test_attendance_import_queries_do_not_grow_with_rows(
    world, login, people, tmp_path, django_assert_num_queries
):
    """Attendance.clean asks whether the participant was enrolled that day: one query for
    the chunk, not one (plus the constraint checks) per row."""
    from django.db import transaction

    from iop.spreadsheets import engine as imports
    from iop.spreadsheets.registry import get_dataset

    anna, hidden, _other = people
    header = ["Deltagarkod", "Överenskommelse", "Datum", "Närvaro"]
    rows = [header] + [
        [
            p.participant.code,
            "iop-a",
            (datetime.date(2026, 1, 16) + datetime.timedelta(days=d)).isoformat(),
            "Närvarande",
        ]
        for d in range(40)
        for p in (anna, hidden)
    ]
    path = tmp_path / "n.csv"
    path.write_bytes(csv_bytes(rows))
    for _round in ("new", "unchanged"):
        outcome = imports.Outcome()
        resource = get_dataset("attendance").resource(world.coordinator_a)
        world.coordinator_a.roles()
        with django_assert_num_queries(ATTENDANCE_QUERIES[_round]), transaction.atomic():
            imports.import_rows(
                resource=resource, rows=imports.iter_file(str(path), "csv"), outcome=outcome
            )
        assert outcome.counts[_round if _round == "new" else "skip"] == 80, outcome.rows[:3]
    assert Attendance.objects.filter(date__month=1, agreement=world.agreement_a).count() == 32


def test_attendance_rows_the_model_refuses_keep_the_models_messages(world, login, people):
    """Rows that pass the quick checks skip full_clean; the others get its messages."""
    anna, _hidden, _other = people
    client = login(world.coordinator_a)
    code = anna.participant.code
    header = ["Deltagarkod", "Överenskommelse", "Datum", "Närvaro"]
    rows = [
        [code, "iop-a", "2026-04-01", "Närvarande"],  # fine
        [code, "iop-a", "2026-01-14", "Närvarande"],  # the day before the enrolment
        [code, "iop-a", "2026-04-02", "kanske"],
        [code, "iop-a", "2026-04-03", ""],
    ]
    job = preview(client, "attendance", csv_bytes([header, *rows]))
    assert job.summary["new"] == 1 and job.summary["refused"] == 3, job.rows
    reasons = {r["row"]: r.get("reasons", []) for r in job.rows}
    assert reasons[3] == ["Datum: Deltagaren är inte inskriven i partnerskapet det datumet."]
    assert "är inget giltigt val" in reasons[4][0]
    assert "Värde saknas" in reasons[5][0]


def test_changed_contact_and_attendance_are_updated_in_place(world, login, people):
    anna, _hidden, _other = people
    client = login(world.coordinator_a)
    rows = read_csv(client.get(reverse("io_export", args=["contacts"])))
    target = next(r for r in rows[1:] if r[0] == anna.participant.code)
    target[5] = "90"  # Längd (minuter)
    target[8] = ""  # an empty note keeps the stored note
    job = import_file(client, "contacts", csv_bytes([rows[0], target]))
    assert job.summary["update"] == 1, job.rows
    assert job.rows[0]["changes"] == [["Längd (minuter)", "45", "90"]]
    contact = Contact.objects.get(participant=anna.participant, agreement=world.agreement_a)
    assert contact.duration_minutes == 90 and contact.note == "Känslig anteckning"
    rows = read_csv(client.get(reverse("io_export", args=["attendance"])))
    target = next(r for r in rows[1:] if r[0] == anna.participant.code)
    target[3] = "Frånvarande"
    job = import_file(client, "attendance", csv_bytes([rows[0], target]))
    assert job.summary["update"] == 1
    assert Attendance.objects.get(participant=anna.participant).status == Attendance.Status.ABSENT


def test_income_follows_the_income_consent_and_a_blank_cell_changes_nothing(world, login, people):
    """Income is a category of its own: without an income consent the export leaves it
    blank, a re-import of that file changes nothing, and a typed income is refused."""
    anna, _hidden, _other = people
    no_income = enrolled(
        world.agreement_a,
        world.org_a,
        consent={"share_income": False},
        name="Inkomst Dold",
    )
    Enrolment.objects.filter(pk=no_income.pk).update(income_at_start="income_support")
    Enrolment.objects.filter(pk=anna.pk).update(income_at_start="salary")
    client = login(world.coordinator_a)
    rows = read_csv(client.get(reverse("io_export", args=["participants"])))
    column = rows[0].index("Försörjning vid start")
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code[anna.participant.code][column] == "Lön"
    assert by_code[no_income.participant.code][column] == ""

    before = _state()
    job = import_file(client, "participants", csv_bytes(rows))
    assert job.summary["refused"] == 0, job.rows
    assert _state() == before

    header = ["Deltagarkod", "Överenskommelse", "Startdatum", "Försörjning vid start"]
    guess = [no_income.participant.code, "iop-a", no_income.start_date.isoformat(), "Lön"]
    job = preview(client, "participants", csv_bytes([header, guess]))
    assert job.summary["refused"] == 1
    assert "försörjning" in job.rows[0]["reasons"][0]
    assert Enrolment.objects.get(pk=no_income.pk).income_at_start == "income_support"


def test_the_access_log_gets_one_row_per_participant_per_import_not_per_chunk(
    world, login, people, monkeypatch
):
    """A big file is imported in chunks; each participant it changed is logged once."""
    from iop.spreadsheets import engine as imports
    from participants.datasets import ContactResource

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    monkeypatch.setattr(ContactResource, "chunk_rows", 2)
    anna, _hidden, _other = people
    client = login(world.coordinator_a)
    header = ["Deltagarkod", "Överenskommelse", "Datum", "Typ", "Personal", "Längd (minuter)"]
    days = [f"2026-04-0{d}" for d in range(1, 7)]
    job = import_file(
        client,
        "contacts",
        csv_bytes(
            [header] + [[anna.participant.code, "iop-a", d, "Telefon", "", "15"] for d in days]
        ),
    )
    assert job.summary["new"] == 6, job.rows
    logged = AccessLog.objects.filter(action=AccessLog.Action.CHANGE, what="import kontakter")
    assert list(logged.values_list("participant_id", flat=True)) == [anna.participant.pk]


def test_contact_rows_the_model_refuses_keep_the_models_messages(world, login, people):
    """Rows that pass the quick checks skip full_clean; the others get its messages."""
    anna, _hidden, _other = people
    client = login(world.coordinator_a)
    code = anna.participant.code
    header = ["Deltagarkod", "Överenskommelse", "Datum", "Typ", "Personal", "Längd (minuter)"]
    header += ["Ämne", "Hänvisad till"]
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    rows = [
        [code, "iop-a", "2026-04-01", "Telefon", "", "15", "Samtal", ""],  # fine
        [code, "iop-a", future, "Telefon", "", "15", "", ""],
        [code, "iop-a", "2026-04-02", "Telefon", "", "0", "", ""],
        [code, "iop-a", "2026-04-03", "Telefon", "", "721", "", ""],
        [code, "iop-a", "2026-04-04", "Telefon", "", "", "", ""],
        [code, "iop-a", "2026-04-05", "Telefon", "", "15", "x" * 201, ""],
        [code, "iop-a", "2026-04-06", "Telefon", "", "15", "", "y" * 301],
        [code, "iop-a", "2026-04-07", "Telefon", "", "tio", "", ""],
    ]
    job = preview(client, "contacts", csv_bytes([header, *rows]))
    assert job.summary["new"] == 1 and job.summary["refused"] == 7, job.rows
    reasons = {r["row"]: r.get("reasons", []) for r in job.rows}
    expected = {}
    for number, row in enumerate(rows[1:], 3):
        contact = Contact(
            participant=anna.participant,
            agreement=world.agreement_a,
            staff=world.coordinator_a,
            date=datetime.date.fromisoformat(row[2]),
            kind=Contact.Kind.PHONE,
            duration_minutes=int(row[5]) if row[5].isdigit() else None,
            topic=row[6],
            referrals=row[7],
        )
        try:
            contact.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            columns = {"duration_minutes": "Längd (minuter)", "topic": "Ämne"}
            columns |= {"referrals": "Hänvisad till", "date": "Datum"}
            expected[number] = [
                f"{columns[name]}: {message}"
                for name, messages in exc.message_dict.items()
                for message in messages
            ]
    expected[9] = ["Längd (minuter): ”tio” är inget heltal."]
    assert reasons[3] == expected[3] and "framtiden" in reasons[3][0]
    assert {n: reasons[n] for n in expected} == expected


def test_bulk_rows_start_as_the_model_builds_them(world, people):
    """BulkImportResource builds new instances from a copy of the constant defaults: the
    same attributes and values as `Model()`, a callable default asked for per instance,
    and Model.__init__ itself for a model with init signal receivers."""
    from django.db.models.signals import post_init

    from iop.spreadsheets.registry import get_dataset

    for kind, model in (("contacts", Contact), ("attendance", Attendance)):
        resource = get_dataset(kind).resource(world.coordinator_a)
        built, plain = resource._new_instance(), model()
        assert built._state.adding and built._state.db is None and built.pk is None
        assert built._state is not resource._new_instance()._state
        assert {k for k in vars(built) if k != "_state"} == {
            k for k in vars(plain) if k != "_state"
        }
        for name, value in vars(plain).items():
            if name not in ("_state", "created_at"):
                assert getattr(built, name) == value, name
    first, second = (get_dataset("contacts").resource(world.coordinator_a) for _ in range(2))
    assert first._new_instance().created_at <= second._new_instance().created_at
    constants, dynamic = first._new_plan
    assert [f.name for f in dynamic] == ["created_at"]  # timezone.now, asked per instance

    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Contact)
    try:
        built = get_dataset("contacts").resource(world.coordinator_a)._new_instance()
        other = get_dataset("contacts").resource(world.coordinator_a)
        other._new_instance()
    finally:
        post_init.disconnect(receiver, sender=Contact)
    assert seen[0] is built and other._new_plan is False  # Model.__init__, with its signal
