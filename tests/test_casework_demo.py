"""The casework demo: Internationella kvinnor (seed 003) with its four phases and
coordinated plans, and Malmökraften's intake windows."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", allow_demo_data=True, stdout=StringIO())


def test_internationella_kvinnor_has_its_four_phases_and_agreed_coordinated_plans(demo):
    from participants.models import ActionPlan, FollowUp, IntakeWindow, Phase
    from partnerships.models import Agreement

    agreement = Agreement.objects.get(title="Internationella kvinnor")
    assert (agreement.start_date.isoformat(), agreement.end_date.isoformat()) == (
        "2014-06-01",
        "2016-12-31",
    )
    assert list(Phase.for_agreement(agreement).values_list("name", flat=True)) == [
        "Inrekrytering",
        "Visionsbygge",
        "Aktivitet",
        "Utmatchning",
    ]
    plans = ActionPlan.objects.filter(enrolment__agreement=agreement)
    assert plans.count() == 30
    assert plans.filter(agreed_revision__isnull=False, agreed_agency_count__gte=1).count() > 20
    assert not plans.filter(goals__responsible_organisation__isnull=True).exists()
    assert FollowUp.objects.filter(enrolment__agreement=agreement).exists()
    mk = Agreement.objects.get(short_id="malmokraften")
    months = {w.starts_on.month for w in IntakeWindow.objects.filter(agreement=mk)}
    assert months and not months & {6, 7, 12}
