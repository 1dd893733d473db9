# "Mina deltagare" sorts, pages and counts open enrolments only: partial indexes holding
# just those, in the order of the list's default sort within a partnership and of its
# "days" sort.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0015_referral_background"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(
                condition=models.Q(("exit_date__isnull", True)),
                fields=["agreement", "-start_date", "-id"],
                name="enrolment_open_by_agreement",
            ),
        ),
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(
                condition=models.Q(("exit_date__isnull", True)),
                fields=["start_date", "-id"],
                name="enrolment_open_by_start",
            ),
        ),
    ]
