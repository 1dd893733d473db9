"""Existing rows get what the consent document and the source stamp need.

- A participant's registering organisation: its creator's organisation, else the
  organisation of its earliest consent.
- A consent's holder: the participant's registering organisation (which held the name
  and the notes when the consent was taken), else the recipient itself. Its purpose
  and method say that it was registered before the document was required.
- Contacts, assessments, plans and goals: the organisation of the user who wrote them,
  else the participant's registering organisation.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

LEGACY_PURPOSE = "Registrerat före dokumentkravet (ändamålet angavs inte)"


def forwards(apps, schema_editor):
    Participant = apps.get_model("participants", "Participant")
    Consent = apps.get_model("participants", "Consent")
    Contact = apps.get_model("participants", "Contact")
    ProgressAssessment = apps.get_model("participants", "ProgressAssessment")
    ActionPlan = apps.get_model("participants", "ActionPlan")
    ActionGoal = apps.get_model("participants", "ActionGoal")
    User = apps.get_model("partnerships", "User")

    def org_of(user_field):
        return Subquery(User.objects.filter(pk=OuterRef(user_field)).values("organisation_id")[:1])

    first_consent = Consent.objects.filter(participant_id=OuterRef("pk")).order_by(
        "given_on", "pk"
    )
    Participant.objects.filter(organisation__isnull=True).update(
        organisation_id=Coalesce(
            org_of("created_by_id"), Subquery(first_consent.values("organisation_id")[:1])
        )
    )
    registering = Participant.objects.filter(pk=OuterRef("participant_id")).values(
        "organisation_id"
    )[:1]
    Consent.objects.filter(holder__isnull=True).update(
        holder_id=Coalesce(Subquery(registering), "organisation_id"),
        purpose=LEGACY_PURPOSE,
        method="unrecorded",
    )
    Consent.objects.filter(withdrawn_on__isnull=False).update(withdrawal_method="unrecorded")
    Contact.objects.filter(source_organisation__isnull=True).update(
        source_organisation_id=Coalesce(org_of("staff_id"), Subquery(registering))
    )
    enrolment_registering = Participant.objects.filter(
        enrolments=OuterRef("enrolment_id")
    ).values("organisation_id")[:1]
    ProgressAssessment.objects.filter(source_organisation__isnull=True).update(
        source_organisation_id=Coalesce(
            org_of("assessed_by_id"), Subquery(enrolment_registering)
        )
    )
    ActionPlan.objects.filter(source_organisation__isnull=True).update(
        source_organisation_id=Coalesce(org_of("updated_by_id"), Subquery(enrolment_registering))
    )
    ActionGoal.objects.filter(source_organisation__isnull=True).update(
        source_organisation_id=Subquery(
            ActionPlan.objects.filter(pk=OuterRef("plan_id")).values("source_organisation_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [("participants", "0009_consent_document_and_sources")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
