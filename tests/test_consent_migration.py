"""The data migration gives consents registered before the document was required a holder,
and stamps existing contacts, assessments and plans with their writer's organisation."""

from __future__ import annotations

import datetime

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("participants", "0008_teams_and_caseworkers")]
AFTER = [("participants", "0011_consent_holder_required")]


@pytest.fixture
def migrator():
    """The executor; afterwards the schema is the latest again, with the triggers that
    post_migrate installs (a bare executor does not send it)."""
    executor = MigrationExecutor(connection)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")


@pytest.mark.django_db(transaction=True)
def test_existing_rows_get_holder_purpose_and_source(migrator):
    from tests.factories.partnerships import AgreementFactory

    agreement_id = AgreementFactory(short_id="mig").pk
    executor = migrator
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Organisation = apps.get_model("partnerships", "Organisation")
    User = apps.get_model("partnerships", "User")
    Agreement = apps.get_model("partnerships", "Agreement")
    Participant = apps.get_model("participants", "Participant")
    Consent = apps.get_model("participants", "Consent")
    Contact = apps.get_model("participants", "Contact")
    registering = Organisation.objects.create(name="Reg", org_number="556000-0001", kind="np")
    other = Organisation.objects.create(name="Annan", org_number="556000-0002", kind="np")
    staff = User.objects.create(username="gammal", organisation=registering)
    agreement = Agreement.objects.get(pk=agreement_id)
    participant = Participant.objects.create(code="D-MIGR01", created_by=staff)
    orphan = Participant.objects.create(code="D-MIGR02")
    day = datetime.date(2025, 3, 1)
    own = Consent.objects.create(participant=participant, organisation=registering, given_on=day)
    shared = Consent.objects.create(
        participant=participant,
        organisation=other,
        given_on=day,
        share_notes=True,
        withdrawn_on=datetime.date(2025, 6, 1),
    )
    orphan_consent = Consent.objects.create(participant=orphan, organisation=other, given_on=day)
    note = Contact.objects.create(
        participant=participant,
        agreement=agreement,
        date=day,
        kind="meeting",
        duration_minutes=30,
        staff=staff,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Participant = apps.get_model("participants", "Participant")
    Consent = apps.get_model("participants", "Consent")
    Contact = apps.get_model("participants", "Contact")
    assert Participant.objects.get(code="D-MIGR01").organisation_id == registering.pk
    # Without a creator, the organisation of the earliest consent registered her.
    assert Participant.objects.get(code="D-MIGR02").organisation_id == other.pk
    own, shared, orphan_consent = (
        Consent.objects.get(pk=c.pk) for c in (own, shared, orphan_consent)
    )
    assert (own.holder_id, own.organisation_id) == (registering.pk, registering.pk)
    assert (shared.holder_id, shared.organisation_id) == (registering.pk, other.pk)
    assert shared.withdrawal_method == "unrecorded" and own.withdrawal_method == ""
    assert orphan_consent.holder_id == other.pk
    assert all(c.method == "unrecorded" and c.purpose for c in (own, shared, orphan_consent))
    assert Contact.objects.get(pk=note.pk).source_organisation_id == registering.pk
