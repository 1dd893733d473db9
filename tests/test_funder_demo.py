"""The funder demo (issue 15, deliverable 7): Malmökraften (ESF+ and Finsam) and
Internationella kvinnor (Finsam) participants with a background at entry, results at exit
that agree with the exit outcome, and 6-month results, so the funder reports have content.

The demo is loaded once for the module (twice, to show a re-run replaces rather than adds)
inside a transaction rolled back at the end; each test reads it.
"""

from __future__ import annotations

import datetime
import os
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from participants.demo_funder import age_at_entry, breaches
from participants.models import (
    EligibilityRule,
    Enrolment,
    EntryBackground,
    ExitOutcome,
    ExitResult,
    FollowUp,
    FunderProfile,
    Gender,
    Participant,
)
from participants.models.funder import FundingProgramme, LabourMarketStatus
from partnerships.models import Agreement

pytestmark = pytest.mark.django_db

AGREEMENTS = {"malmokraften", "internationella-kvinnor"}
WORK = {ExitOutcome.WORK, ExitOutcome.WORK_WITH_SUPPORT}


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    # The demo users' passwords are hashed for real by load_demo; a fast hasher saves seconds.
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        for _ in range(2):
            call_command("load_demo", allow_demo_data=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        yield
        transaction.set_rollback(True)


def _enrolments():
    return Enrolment.objects.filter(agreement__short_id__in=AGREEMENTS).select_related(
        "participant", "agreement"
    )


def test_it_gives_both_agreements_their_funder_profile_and_malmokraftens_rules():
    mk = FunderProfile.objects.get(agreement__short_id="malmokraften")
    assert mk.programme == FundingProgramme.ESF_AND_FINSAM and mk.is_esf and mk.is_finsam
    assert mk.project_reference and mk.finsam_intervention
    ik = FunderProfile.objects.get(agreement__short_id="internationella-kvinnor")
    assert ik.programme == FundingProgramme.FINSAM and not ik.is_esf
    assert ik.finsam_intervention
    rules = set(
        EligibilityRule.objects.filter(agreement__short_id="malmokraften").values_list(
            "kind", "value"
        )
    )
    assert rules == {("min_age", 30), ("min_unemployed", 12), ("no_parallel_esf", None)}
    assert not EligibilityRule.objects.filter(agreement__short_id="internationella-kvinnor")


def test_every_enrolment_has_a_background_with_its_age_at_entry():
    enrolments = list(_enrolments().select_related("background"))
    per_agreement = Counter(e.agreement.short_id for e in enrolments)
    assert per_agreement["malmokraften"] >= 40 and per_agreement["internationella-kvinnor"] == 30
    for enrolment in enrolments:
        background = enrolment.background
        # Birth year only: the birthday is taken as passed at the start.
        expected = enrolment.start_date.year - enrolment.participant.birth_year
        assert background.age_at_entry == expected, enrolment.participant.code
    assert EntryBackground.objects.count() == len(enrolments)


def test_age_at_entry_counts_the_birthday_from_the_personnummer_else_takes_it_as_passed():
    with_number = Participant(personnummer="19900615-1238", birth_year=1990)
    assert age_at_entry(with_number, datetime.date(2024, 6, 14)) == 33
    assert age_at_entry(with_number, datetime.date(2024, 6, 15)) == 34
    year_only = Participant(birth_year=1990)
    assert age_at_entry(year_only, datetime.date(2024, 1, 2)) == 34
    assert age_at_entry(Participant(), datetime.date(2024, 1, 2)) is None


def test_malmokraften_is_long_term_unemployed_and_30_or_older_but_for_the_flagged():
    backgrounds = EntryBackground.objects.filter(enrolment__agreement__short_id="malmokraften")
    rules = list(EligibilityRule.objects.filter(agreement__short_id="malmokraften"))
    flagged = [b for b in backgrounds if b.eligibility_breaches]
    assert 1 <= len(flagged) <= 3
    assert {kind for b in flagged for kind in b.eligibility_breaches} == {
        "min_age",
        "min_unemployed",
    }
    for background in backgrounds:
        # What is flagged is exactly what the rules find, and every flag is justified.
        assert background.eligibility_breaches == breaches(background, rules)
        if background.eligibility_breaches:
            assert background.eligibility_justification.strip()
            continue
        assert background.age_at_entry >= 30
        assert background.labour_market_status == LabourMarketStatus.UNEMPLOYED
        assert background.long_term_unemployed is True
    assert len({b.education_level for b in backgrounds}) >= 4  # three levels and unknowns
    assert backgrounds.filter(disability="yes").exists()
    assert backgrounds.filter(homeless="yes").exists()
    foreign = backgrounds.filter(foreign_background="yes").count()
    assert foreign > backgrounds.count() / 2
    sources = {s for b in backgrounds for s in b.income_sources}
    assert {"income_support", "sickness_benefit", "activity_support"} <= sources


def test_internationella_kvinnor_are_newly_arrived_women_mostly_outside_work():
    backgrounds = list(
        EntryBackground.objects.filter(
            enrolment__agreement__short_id="internationella-kvinnor"
        ).select_related("enrolment__participant")
    )
    assert {b.enrolment.participant.gender for b in backgrounds} == {Gender.WOMAN}
    assert all(b.foreign_background == "yes" for b in backgrounds)
    assert sum(b.third_country_national == "yes" for b in backgrounds) >= 25
    statuses = Counter(b.labour_market_status for b in backgrounds)
    assert statuses["employed"] == 0
    assert statuses["inactive"] + statuses["inactive_no_edu"] + statuses["unemployed"] >= 25
    assert {"isced_0_2", "isced_3_4", "isced_5_8"} <= {b.education_level for b in backgrounds}
    assert not any(b.eligibility_breaches for b in backgrounds)


def test_there_are_unknowns_and_declined_answers():
    backgrounds = EntryBackground.objects.filter(enrolment__agreement__short_id__in=AGREEMENTS)
    assert backgrounds.filter(education_level="").exists()
    assert backgrounds.filter(education_level="declined").exists()
    assert backgrounds.filter(disability="declined").exists()
    assert backgrounds.filter(homeless="").exists()
    assert ExitResult.objects.filter(in_employment="unknown").exists()
    six = FollowUp.objects.filter(
        enrolment__agreement__short_id__in=AGREEMENTS, months=6, done_on__isnull=False
    )
    assert six.filter(in_employment="unknown").exists()
    assert six.filter(in_employment="").exists()


def test_exit_results_agree_with_the_exit_outcome():
    enrolments = list(_enrolments().select_related("exit_result"))
    exited = [e for e in enrolments if e.exit_date]
    assert len(exited) >= 20
    assert {e.exit_outcome for e in exited} >= {"work", "studies", "other_programme"}
    for enrolment in enrolments:
        result = getattr(enrolment, "exit_result", None)
        if not enrolment.exit_date:
            assert result is None
            continue
        assert result is not None, enrolment.participant.code
        outcome = enrolment.exit_outcome
        assert (result.in_employment == "yes") == (outcome in WORK), enrolment.participant.code
        assert (result.in_education == "yes") == (outcome == "studies")
        assert result.income_sources
        if enrolment.income_at_exit:
            assert enrolment.income_at_exit in result.income_sources, enrolment.participant.code


def test_six_month_results_only_on_done_six_month_follow_ups():
    follow_ups = FollowUp.objects.filter(enrolment__agreement__short_id__in=AGREEMENTS)
    with_result = follow_ups.exclude(in_employment="", better_situation="")
    assert with_result.count() >= 10
    assert not with_result.filter(months=1).exists()
    assert not with_result.filter(done_on__isnull=True).exists()
    assert with_result.filter(in_employment="yes").exists()
    assert with_result.filter(in_employment="no").exists()
    assert with_result.filter(better_situation="yes").exists()


def test_both_genders_have_backgrounds_and_results():
    backgrounds = EntryBackground.objects.filter(enrolment__agreement__short_id__in=AGREEMENTS)
    genders = Counter(backgrounds.values_list("enrolment__participant__gender", flat=True))
    assert genders[Gender.WOMAN] >= 10 and genders[Gender.MAN] >= 10
    results = ExitResult.objects.filter(enrolment__agreement__short_id__in=AGREEMENTS)
    assert {Gender.WOMAN, Gender.MAN} <= set(
        results.values_list("enrolment__participant__gender", flat=True)
    )


def test_every_new_row_passes_full_clean():
    rows = [
        *FunderProfile.objects.filter(agreement__short_id__in=AGREEMENTS),
        *EligibilityRule.objects.filter(agreement__short_id__in=AGREEMENTS),
        *EntryBackground.objects.filter(enrolment__agreement__short_id__in=AGREEMENTS),
        *ExitResult.objects.filter(enrolment__agreement__short_id__in=AGREEMENTS),
        *FollowUp.objects.filter(enrolment__agreement__short_id__in=AGREEMENTS),
    ]
    assert len(rows) > 150
    for row in rows:
        row.full_clean()


def test_the_seed_agreements_exist_once():
    # A re-run of the demo replaced the rows (the module loads it twice).
    assert Agreement.objects.filter(short_id__in=AGREEMENTS).count() == 2


# --------------------------------------------------------------------------- the demo's reports


def _pdf_text(data: bytes) -> str:
    import io
    import re

    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(re.sub(r"\s+", " ", page.extract_text()) for page in pages)


def _csv(response) -> dict[str, list[str]]:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return {row[0]: row for row in rows[1:]}


def _shown_equal(row: list[str], expected: list[int]) -> int:
    """Every cell shown equals the count; hidden ones are hidden because they are small or
    give a small one away (the one suppression policy). Returns the largest shown count."""
    shown = 0
    for cell, count in zip(row[2:], expected, strict=True):
        if cell not in ("*", "<5"):
            assert cell == str(count), (row, expected)
            shown = max(shown, count)
        elif cell == "<5":
            assert 0 < count < 5, (row, expected)
    return shown


def _by_funder_gender(queryset) -> list[int]:
    genders = Counter(queryset.values_list("participant__gender", flat=True))
    order = [Gender.WOMAN, Gender.MAN, Gender.OTHER, Gender.UNKNOWN]
    counts = [genders.get(g, 0) for g in order]
    return [*counts, sum(counts)]


@pytest.mark.parametrize("short_id", sorted(AGREEMENTS))
def test_the_demos_esf_report_has_content_and_its_pdf_reads_back(client, short_id):
    from django.urls import reverse

    from partnerships.models import User

    agreement = Agreement.objects.get(short_id=short_id)
    client.force_login(User.objects.get(username="admin"))
    period = {"start": agreement.start_date.isoformat(), "end": agreement.end_date.isoformat()}
    started = _by_funder_gender(
        Enrolment.objects.filter(
            agreement=agreement, start_date__range=(agreement.start_date, agreement.end_date)
        )
    )
    rows = _csv(
        client.get(reverse("reporting:funder_esf_file", args=[agreement.pk, "csv"]), period)
    )
    largest = _shown_equal(rows["TOT-IN"], started)
    assert largest >= 5  # the demo has content above the small-number threshold
    response = client.get(reverse("reporting:funder_esf_file", args=[agreement.pk, "pdf"]), period)
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Deltagare som började under perioden" in text
    assert str(largest) in text


def test_the_demos_monthly_follow_up_has_content_and_its_pdf_reads_back(client):
    from django.db.models import Count
    from django.db.models.functions import TruncMonth
    from django.urls import reverse

    from partnerships.models import User

    agreement = Agreement.objects.get(short_id="malmokraften")
    busiest = (
        Enrolment.objects.filter(agreement=agreement)
        .annotate(month=TruncMonth("start_date"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-n", "month")
        .first()
    )
    assert busiest is not None and busiest["n"] >= 5
    month = {"month": busiest["month"].strftime("%Y-%m")}
    client.force_login(User.objects.get(username="admin"))
    rows = _csv(
        client.get(reverse("reporting:funder_monthly_file", args=[agreement.pk, "csv"]), month)
    )
    started = _by_funder_gender(
        Enrolment.objects.filter(
            agreement=agreement,
            start_date__year=busiest["month"].year,
            start_date__month=busiest["month"].month,
        )
    )
    largest = _shown_equal(rows["NEW"], started)
    assert largest >= 5
    response = client.get(
        reverse("reporting:funder_monthly_file", args=[agreement.pk, "pdf"]), month
    )
    text = _pdf_text(response.content)
    assert "Nya deltagare under månaden" in text and str(largest) in text
