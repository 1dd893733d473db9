"""What funders ask, recorded (issue 15): the background at entry with the enrolment, the
agreement's target-group rules checked at enrolment (a breach needs a justification and is
a data-quality finding), the results at exit and at the 6-month follow-up, bad input
refused with a Swedish message next to the field, and the access rules around it all."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from stdnum import luhn

from participants.models import (
    AccessLog,
    Consent,
    EligibilityRule,
    Enrolment,
    EntryBackground,
    ExitResult,
    FollowUp,
    FunderProfile,
    Participant,
    Referral,
    ReferralStatus,
)
from participants.models.funder import AgeGroup, FunderGender, funder_gender
from participants.worklist import work_for
from partnerships.models import Role
from reporting import figures
from reporting.figures.report import _participant_data_warnings
from tests.factories.participants import EnrolmentFactory, enrolled
from tests.factories.partnerships import AgreementFactory, PartyFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def pnr(born: datetime.date, serial: str = "123") -> str:
    """A valid personnummer for a birth date (the check digit by Luhn)."""
    nine = f"{born:%y%m%d}{serial}"
    return f"{born:%Y%m%d}-{serial}{luhn.calc_check_digit(nine)}"


def _returning(world, **fields) -> Enrolment:
    """A participant who left agreement A in January: visible to A's staff, free to enrol
    again."""
    e = enrolled(world.agreement_a, world.org_a, **fields)
    e.start_date, e.exit_date, e.exit_outcome = D(2026, 1, 5), D(2026, 1, 31), "work"
    e.save()
    return e


def _esf(agreement, *rules: tuple[str, int | None]) -> FunderProfile:
    profile = FunderProfile.objects.create(agreement=agreement, programme="esf")
    for kind, value in rules:
        EligibilityRule.objects.create(agreement=agreement, kind=kind, value=value)
    return profile


def _enrol_data(world, **background) -> dict:
    data = {
        "agreement": world.agreement_a.pk,
        "start_date": "2026-03-02",
        "income_at_start": "income_support",
    }
    data.update({f"b-{name}": value for name, value in background.items()})
    return data


@pytest.fixture
def march(set_today):
    set_today(D(2026, 3, 10))


# --------------------------------------------------------------------------- background


def test_the_background_is_saved_with_the_enrolment_and_the_age_derived(world, login, march):
    before = _returning(world, personnummer=pnr(D(1990, 3, 3)), birth_year=1990)
    client = login(world.coordinator_a)
    response = client.post(
        reverse("participants:enrolment_create", args=[before.participant_id]),
        _enrol_data(
            world,
            labour_market_status="unemployed",
            unemployed_months="14",
            education_level="isced_3_4",
            disability="declined",
            homeless="no",
            income_sources=["income_support", "activity_support"],
        ),
    )
    assert response.status_code == 302
    background = EntryBackground.objects.get(enrolment__start_date=D(2026, 3, 2))
    # Born 1990-03-03, started 2026-03-02: still 35 (the birth year alone would say 36).
    assert background.age_at_entry == 35
    assert background.age_group == AgeGroup.FROM_30_TO_54
    assert background.long_term_unemployed is True
    assert background.income_sources == ["income_support", "activity_support"]
    assert (background.third_country_national, background.foreign_background) == ("", "")
    assert (background.recorded_by, background.source_organisation) == (
        world.coordinator_a,
        world.org_a,
    )
    assert background.eligibility_breaches == []


def test_registering_a_participant_records_the_background_too(world, login, march):
    client = login(world.coordinator_a)
    response = client.post(
        reverse("participants:create"),
        {
            "p-name": "Påhittad Person",
            "p-gender": "other",
            "p-birth_year": "2010",
            "p-identity_status": "registered",
            "e-agreement": world.agreement_a.pk,
            "e-start_date": "2026-03-02",
            "e-income_at_start": "none",
            "c-share_identity": "on",
            "c-share_plan": "on",
            "c-purpose": "Stöd mot arbete",
            "c-given_on": "2026-03-02",
            "c-method": "written",
            "c-reference": "REG-2026-9",
            "b-labour_market_status": "inactive",
            "b-education_level": "isced_0_2",
        },
    )
    assert response.status_code == 302, response.content.decode()
    background = EntryBackground.objects.get()
    assert background.age_at_entry == 16
    assert background.age_group == AgeGroup.UNDER_18
    assert background.long_term_unemployed is False
    assert funder_gender(background.enrolment.participant.gender) == FunderGender.NON_BINARY


def test_funders_gender_is_mapped_in_one_place():
    assert [funder_gender(g) for g in ("woman", "man", "other", "unknown", "")] == [
        FunderGender.WOMAN,
        FunderGender.MAN,
        FunderGender.NON_BINARY,
        FunderGender.NOT_STATED,
        FunderGender.NOT_STATED,
    ]


def test_required_background_items_are_asked_for(world, login, march):
    FunderProfile.objects.create(
        agreement=world.agreement_a, programme="finsam", required_background=["education_level"]
    )
    before = _returning(world)
    response = login(world.coordinator_a).post(
        reverse("participants:enrolment_create", args=[before.participant_id]),
        _enrol_data(world),
    )
    assert "Finansiären kräver den här uppgiften." in response.content.decode()
    assert Enrolment.objects.filter(participant=before.participant).count() == 1


def test_the_background_can_be_corrected_later(world, login, march):
    e = enrolled(world.agreement_a, world.org_a)
    client = login(world.coordinator_a)
    url = reverse("participants:enrolment_edit", args=[e.pk])
    response = client.post(
        url,
        {
            "revision": e.revision,
            "income_at_start": "income_support",
            "b-labour_market_status": "unemployed",
            "b-unemployed_months": "6",
        },
    )
    assert response.status_code == 302
    assert EntryBackground.objects.get(enrolment=e).unemployed_months == 6
    page = client.get(url).content.decode()
    assert "Bakgrund vid start" in page
    assert "41 år vid start" in page  # born 1985, started 2026 (birth year only)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("months", ["-1", "601"])
def test_months_of_unemployment_out_of_range_are_refused(world, login, march, months):
    before = _returning(world)
    response = login(world.coordinator_a).post(
        reverse("participants:enrolment_create", args=[before.participant_id]),
        _enrol_data(world, labour_market_status="unemployed", unemployed_months=months),
    )
    assert "Ange antal månader i arbetslöshet mellan 0 och 600." in response.content.decode()
    assert Enrolment.objects.filter(participant=before.participant).count() == 1
    assert not EntryBackground.objects.exists()


def test_the_model_refuses_months_out_of_range_and_months_when_not_unemployed(world):
    e = enrolled(world.agreement_a, world.org_a)
    with pytest.raises(ValidationError) as exc:
        EntryBackground(
            enrolment=e, labour_market_status="unemployed", unemployed_months=601
        ).full_clean()
    assert "Ange antal månader i arbetslöshet mellan 0 och 600." in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        EntryBackground(
            enrolment=e, labour_market_status="employed", unemployed_months=3
        ).full_clean()
    assert "bara för den som är arbetslös" in str(exc.value)


def test_a_birth_year_that_contradicts_the_personnummer_is_refused(world, login):
    e = enrolled(world.agreement_a, world.org_a, personnummer=pnr(D(1990, 3, 3)), birth_year=1990)
    participant = e.participant
    # The participant's consent covers identity for A (the factory's default).
    response = login(world.coordinator_a).post(
        reverse("participants:edit", args=[participant.pk]),
        {
            "revision": participant.revision,
            "identity_status": "registered",
            "personnummer": participant.personnummer,
            "gender": "woman",
            "birth_year": "1991",
            "language": "svenska",
        },
    )
    assert "Födelseåret stämmer inte med personnumret." in response.content.decode()
    participant.refresh_from_db()
    assert participant.birth_year == 1990
    with pytest.raises(ValidationError) as exc:
        Participant(personnummer=pnr(D(1990, 3, 3)), birth_year=1991, gender="man").full_clean()
    assert "Födelseåret stämmer inte med personnumret." in str(exc.value)


def _exit_data(e, outcome: str, **results) -> dict:
    data = {
        "exit_date": "2026-03-09",
        "exit_outcome": outcome,
        "income_at_exit": "salary",
        "revision": e.revision,
        "x-needs_clarified": "Inget mer",
        "x-handover": "none",
    }
    data.update({f"r-{name}": value for name, value in results.items()})
    return data


@pytest.mark.parametrize(
    ("outcome", "results", "message"),
    [
        ("studies", {"in_employment": "yes"}, "avslutsorsaken är inte arbete"),
        ("work", {"in_employment": "no"}, "Avslutsorsaken är arbete"),
        ("studies", {"in_education": "no"}, "Avslutsorsaken är studier"),
    ],
)
def test_an_exit_result_that_contradicts_the_outcome_is_refused(
    world, login, march, outcome, results, message
):
    e = enrolled(world.agreement_a, world.org_a)
    response = login(world.coordinator_a).post(
        reverse("participants:enrolment_exit", args=[e.pk]), _exit_data(e, outcome, **results)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    e.refresh_from_db()
    assert e.exit_date is None
    assert not ExitResult.objects.exists() and not FollowUp.objects.exists()
    # The model says the same to the admin, an import or the shell.
    e.exit_outcome = outcome
    with pytest.raises(ValidationError) as exc:
        ExitResult(enrolment=e, **results).full_clean()
    assert message in str(exc.value)


def test_the_results_at_exit_are_recorded_blank_meaning_unknown(world, login, march):
    e = enrolled(world.agreement_a, world.org_a)
    response = login(world.coordinator_a).post(
        reverse("participants:enrolment_exit", args=[e.pk]),
        _exit_data(
            e,
            "work_with_support",
            in_employment="yes",
            gained_qualification="unknown",
            income_sources=["salary"],
        ),
    )
    assert response.status_code == 302
    result = ExitResult.objects.get(enrolment=e)
    assert (result.in_employment, result.gained_qualification) == ("yes", "unknown")
    assert (result.job_seeking, result.in_education) == ("", "")
    assert result.income_sources == ["salary"]
    assert result.source_organisation == world.org_a
    # The data-subject export holds the results (and the background) too.
    export = login(world.admin).get(reverse("participants:export_json", args=[e.participant_id]))
    enrolment = export.json()["enrolments"][0]
    assert enrolment["exit_result"]["in_employment"] == "yes"
    assert enrolment["background"] is None


def test_a_six_month_follow_up_before_the_exit_is_refused(world, login, set_today):
    set_today(D(2026, 9, 1))
    e = enrolled(world.agreement_a, world.org_a)
    e.exit_date, e.exit_outcome = D(2026, 8, 31), "work"
    e.save()
    follow_up = FollowUp.objects.create(enrolment=e, months=6, due_on=D(2027, 2, 28))
    response = login(world.coordinator_a).post(
        reverse("participants:follow_up", args=[follow_up.pk]),
        {"done_on": "2026-08-30", "income": "salary", "in_employment": "yes"},
    )
    assert "Uppföljningen kan inte ligga före avslutet." in response.content.decode()
    follow_up.refresh_from_db()
    assert (follow_up.done_on, follow_up.in_employment) == (None, "")
    follow_up.done_on, follow_up.income = D(2026, 8, 30), "salary"
    with pytest.raises(ValidationError) as exc:
        follow_up.full_clean()
    assert "Uppföljningen kan inte ligga före avslutet." in str(exc.value)


# --------------------------------------------------------------------------- follow-up


def test_the_due_six_month_follow_up_is_on_the_start_page_and_records_the_results(
    world, login, set_today
):
    set_today(D(2026, 9, 1))
    e = enrolled(world.agreement_a, world.org_a)
    client = login(world.coordinator_a)
    client.post(
        reverse("participants:enrolment_exit", args=[e.pk]),
        _exit_data(e, "work", in_employment="yes") | {"exit_date": "2026-08-31"},
    )
    six = FollowUp.objects.get(enrolment=e, months=6)
    one = FollowUp.objects.get(enrolment=e, months=1)
    assert (
        "in_employment"
        not in client.get(reverse("participants:follow_up", args=[one.pk])).content.decode()
    )

    set_today(D(2027, 2, 25))
    start = client.get(reverse("participants:start")).content.decode()
    assert reverse("participants:follow_up", args=[six.pk]) in start
    items = work_for(world.coordinator_a, D(2027, 2, 25), Enrolment.objects.none())
    assert "Uppföljning 6 månader efter avslut" in [str(item.label) for item in items]
    response = client.post(
        reverse("participants:follow_up", args=[six.pk]),
        {"done_on": "2027-02-25", "income": "salary", "in_employment": "yes"},
    )
    assert response.status_code == 302
    six.refresh_from_db()
    # Better situation not answered: unknown (blank), never "no".
    assert (six.in_employment, six.better_situation) == ("yes", "")
    start = client.get(reverse("participants:start")).content.decode()
    assert reverse("participants:follow_up", args=[six.pk]) not in start


# --------------------------------------------------------------------------- eligibility


def test_a_breach_of_the_target_group_needs_a_justification(world, login, march):
    _esf(world.agreement_a, ("min_age", 30), ("min_unemployed", 12))
    before = _returning(world, birth_year=2000)
    client = login(world.coordinator_a)
    url = reverse("participants:enrolment_create", args=[before.participant_id])
    data = _enrol_data(world, labour_market_status="unemployed", unemployed_months="5")
    page = client.post(url, data).content.decode()
    assert "Inskrivningen avviker från partnerskapets målgrupp" in page
    assert "Deltagaren är 26 år vid start; målgruppen är från 30 år." in page
    assert "arbetslös 5 månader" in page
    assert "skriv en motivering för att skriva in ändå" in page
    assert Enrolment.objects.filter(participant=before.participant).count() == 1

    data["b-eligibility_justification"] = "Anvisad av Arbetsförmedlingen trots åldern."
    assert client.post(url, data).status_code == 302
    background = EntryBackground.objects.get()
    assert background.eligibility_breaches == ["min_age", "min_unemployed"]
    assert background.eligibility_justification.startswith("Anvisad")


def test_an_enrolment_within_the_target_group_goes_straight_through(world, login, march):
    _esf(world.agreement_a, ("min_age", 30), ("max_age", 64), ("min_unemployed", 12))
    before = _returning(world, birth_year=1980)
    response = login(world.coordinator_a).post(
        reverse("participants:enrolment_create", args=[before.participant_id]),
        _enrol_data(world, labour_market_status="unemployed", unemployed_months="12"),
    )
    assert response.status_code == 302
    assert EntryBackground.objects.get().eligibility_breaches == []


def test_the_parallel_esf_check_covers_other_agreements_without_naming_hidden_ones(
    world, login, march
):
    _esf(world.agreement_a, ("no_parallel_esf", None))
    before = _returning(world)
    participant = before.participant
    # Open in B, an ESF project of another partnership that A's coordinator cannot see.
    FunderProfile.objects.create(agreement=world.agreement_b, programme="esf_finsam")
    EnrolmentFactory.create(
        participant=participant, agreement=world.agreement_b, start_date=D(2026, 2, 1)
    )
    client = login(world.coordinator_a)
    url = reverse("participants:enrolment_create", args=[participant.pk])
    page = client.post(url, _enrol_data(world)).content.decode()
    assert "samtidigt inskriven i ett annat ESF-finansierat projekt" in page
    assert world.agreement_b.title not in page and world.org_b.name not in page
    assert not AccessLog.objects.filter(action=AccessLog.Action.DENIED).exists()
    assert Enrolment.objects.filter(participant=participant).count() == 2


def test_the_parallel_esf_check_names_a_project_the_user_sees(world, login, march):
    _esf(world.agreement_a, ("no_parallel_esf", None))
    before = _returning(world)
    other = AgreementFactory.create(short_id="iop-c", title="ESF-projektet C")
    PartyFactory.create(agreement=other, organisation=world.org_a)
    FunderProfile.objects.create(agreement=other, programme="esf")
    EnrolmentFactory.create(
        participant=before.participant,
        agreement=other,
        start_date=D(2026, 1, 1),
        exit_date=D(2026, 3, 5),
        exit_outcome="other_programme",
    )
    page = (
        login(world.coordinator_a)
        .post(
            reverse("participants:enrolment_create", args=[before.participant_id]),
            _enrol_data(world),
        )
        .content.decode()
    )
    assert "samtidigt inskriven i ESF-projektet ESF-projektet C" in page


def test_no_parallel_breach_for_a_non_esf_or_an_earlier_enrolment(world, login, march):
    _esf(world.agreement_a, ("no_parallel_esf", None))
    before = _returning(world)
    FunderProfile.objects.create(agreement=world.agreement_b, programme="finsam")
    EnrolmentFactory.create(
        participant=before.participant, agreement=world.agreement_b, start_date=D(2026, 2, 1)
    )
    ended = AgreementFactory.create(short_id="iop-d", title="Avslutat ESF")
    FunderProfile.objects.create(agreement=ended, programme="esf")
    EnrolmentFactory.create(
        participant=before.participant,
        agreement=ended,
        start_date=D(2025, 1, 1),
        exit_date=D(2026, 3, 1),
        exit_outcome="other",
    )
    response = login(world.coordinator_a).post(
        reverse("participants:enrolment_create", args=[before.participant_id]),
        _enrol_data(world),
    )
    assert response.status_code == 302


def test_flagged_enrolments_are_a_data_quality_finding(world):
    flagged = enrolled(world.agreement_a, world.org_a)
    EntryBackground.objects.create(
        enrolment=flagged, eligibility_breaches=["min_age"], eligibility_justification="Skäl"
    )
    clean = enrolled(world.agreement_a, world.org_a)
    EntryBackground.objects.create(enrolment=clean)
    enrolled(world.agreement_a, world.org_a)  # no background at all
    quality = figures.participant_data_quality(world.agreement_a, D(2026, 1, 1), D(2026, 12, 31))
    assert quality["eligibility_flagged"] == 1
    assert "1 inskrivningar under året avviker från målgruppens regler" in " ".join(
        _participant_data_warnings(quality)
    )


def test_a_breach_without_justification_cannot_be_saved_by_any_door(world):
    e = enrolled(world.agreement_a, world.org_a)
    with pytest.raises(ValidationError):
        EntryBackground(enrolment=e, eligibility_breaches=["min_age"]).full_clean()


# --------------------------------------------------------------------------- the rules page


def test_the_manager_sets_the_funder_and_the_target_group(world, login):
    url = reverse("participants:funder_profile", args=[world.agreement_a.pk])
    detail = login(world.manager_a).get(reverse("agreement_detail", args=[world.agreement_a.pk]))
    assert url in detail.content.decode()
    data = {
        "programme": "esf",
        "project_reference": "2026/00123",
        "finsam_intervention": "",
        "required_background": ["labour_market_status", "education_level"],
        "rules-TOTAL_FORMS": "2",
        "rules-INITIAL_FORMS": "0",
        "rules-0-kind": "min_age",
        "rules-0-value": "30",
        "rules-1-kind": "no_parallel_esf",
        "rules-1-value": "",
    }
    assert login(world.manager_a).post(url, data).status_code == 302
    profile = FunderProfile.objects.get(agreement=world.agreement_a)
    assert (profile.is_esf, profile.required_background) == (
        True,
        ["labour_market_status", "education_level"],
    )
    assert set(world.agreement_a.eligibility_rules.values_list("kind", "value")) == {
        ("min_age", 30),
        ("no_parallel_esf", None),
    }
    bad = dict(data, **{"rules-1-value": "3"})
    page = login(world.manager_a).post(url, bad).content.decode()
    assert "Regeln om parallella ESF-projekt har inget värde." in page
    # Others who see the agreement read the rules; they cannot change them.
    read = login(world.coordinator_a).get(url)
    assert read.status_code == 200 and "Lägst ålder vid start: 30" in read.content.decode()
    assert login(world.coordinator_a).post(url, data).status_code == 403
    assert login(world.outsider).get(url).status_code == 404


# --------------------------------------------------------------------------- access


def _recorded(world) -> Enrolment:
    e = enrolled(world.agreement_a, world.org_a)
    EntryBackground.objects.create(
        enrolment=e,
        labour_market_status="unemployed",
        unemployed_months=20,
        disability="yes",
        income_sources=["sickness_benefit"],
        source_organisation=world.org_a,
        recorded_by=world.coordinator_a,
    )
    return e


def test_the_background_is_read_within_the_access_model_and_logged(world, login):
    e = _recorded(world)
    url = reverse("participants:enrolment_edit", args=[e.pk])
    page = login(world.coordinator_a).get(url).content.decode()
    assert "Funktionsnedsättning" in page
    assert AccessLog.objects.filter(
        participant=e.participant, what="inskrivning och bakgrund vid start", action="view"
    ).exists()
    for who in ("coordinator_b", "outsider"):
        assert login(getattr(world, who)).get(url).status_code == 404
    for who in ("finance_a", "steering_a"):
        assert login(getattr(world, who)).get(url).status_code in (403, 404)


def test_disability_needs_the_health_category_of_the_recording_organisation(world, login):
    e = _recorded(world)
    colleague = UserFactory.create(
        username="kommun_coord", organisation=world.municipality, role=Role.COORDINATOR
    )
    url = reverse("participants:enrolment_edit", args=[e.pk])
    # The municipality sees the participant, but org A has not been allowed to share
    # anything it recorded with it.
    Consent.objects.create(
        participant=e.participant,
        holder=e.participant.organisation,
        organisation=world.municipality,
        share_identity=True,
        share_plan=True,
        purpose="Samordning",
        method="written",
        reference="S-1",
        given_on=D(2026, 1, 1),
    )
    page = login(colleague).get(url).content.decode()
    assert "Bakgrund vid start" not in page
    Consent.objects.create(
        participant=e.participant,
        holder=world.org_a,
        organisation=world.municipality,
        share_plan=True,
        purpose="Samordning",
        method="written",
        reference="S-2",
        given_on=D(2026, 1, 1),
    )
    page = login(colleague).get(url).content.decode()
    assert "Bakgrund vid start" in page and "Funktionsnedsättning" not in page
    assert 'name="b-income_sources"' not in page
    # Saving what it sees keeps what it does not.
    response = login(colleague).post(
        url,
        {
            "revision": e.revision,
            "income_at_start": "income_support",
            "b-labour_market_status": "unemployed",
            "b-unemployed_months": "21",
        },
    )
    assert response.status_code == 302
    background = EntryBackground.objects.get(enrolment=e)
    assert (background.unemployed_months, background.disability) == (21, "yes")
    assert background.income_sources == ["sickness_benefit"]


def test_the_enrolment_pages_query_count(world, login, march, django_assert_num_queries):
    _esf(world.agreement_a, ("min_age", 30), ("no_parallel_esf", None))
    before = _returning(world)
    e = _recorded(world)
    client = login(world.coordinator_a)
    create = reverse("participants:enrolment_create", args=[before.participant_id])
    edit = reverse("participants:enrolment_edit", args=[e.pk])
    with django_assert_num_queries(10):
        assert client.get(create).status_code == 200
    with django_assert_num_queries(7):
        assert client.get(edit).status_code == 200


def test_the_verb_checks_the_rules_again_and_saves_nothing_on_a_breach(world, march):
    from iop.audit import AuditContext
    from participants import actions

    _esf(world.agreement_a, ("min_age", 30))
    before = _returning(world, birth_year=2005)
    enrolment = Enrolment(
        participant=before.participant, agreement=world.agreement_a, start_date=D(2026, 3, 2)
    )
    with pytest.raises(ValidationError) as exc:
        actions.enrol(
            user=world.coordinator_a,
            audit=AuditContext.system(),
            enrolment=enrolment,
            background=EntryBackground(labour_market_status="inactive"),
        )
    assert "eligibility_justification" in exc.value.message_dict
    assert Enrolment.objects.filter(participant=before.participant).count() == 1
    assert not EntryBackground.objects.exists()


# --------------------------------------------------------------------------- waiting list


@pytest.fixture
def full(world, set_today):
    """Agreement A with one place, taken, on 2026-03-10."""
    set_today(D(2026, 3, 10))
    world.agreement_a.capacity = 1
    world.agreement_a.save()
    return enrolled(world.agreement_a, world.org_a)


def _free_the_place(client, set_today, e: Enrolment, exit_date: str = "2026-03-20"):
    """Exit `e` (on the 25th): the place opens the day after the exit date, to the first
    on the waiting list."""
    set_today(D(2026, 3, 25))
    data = _exit_data(e, "work")
    data["exit_date"] = exit_date
    response = client.post(reverse("participants:enrolment_exit", args=[e.pk]), data)
    assert response.status_code == 302, response.content.decode()


def test_the_background_typed_for_the_waiting_list_is_kept_until_admission(
    world, login, full, set_today
):
    before = _returning(world, personnummer=pnr(D(1990, 3, 15)), birth_year=1990)
    client = login(world.coordinator_a)
    response = client.post(
        reverse("participants:enrolment_create", args=[before.participant_id]),
        _enrol_data(
            world,
            labour_market_status="unemployed",
            unemployed_months="14",
            education_level="isced_3_4",
            disability="declined",
            income_sources=["income_support"],
        )
        | {"start_date": "2026-03-10"},
    )
    assert response.status_code == 302
    referral = Referral.objects.get(participant=before.participant)
    assert referral.status == ReferralStatus.WAITING
    assert referral.background["unemployed_months"] == 14
    assert not EntryBackground.objects.exists()
    # Personal data held on the referral is in the data-subject export.
    export = login(world.admin).get(
        reverse("participants:export_json", args=[before.participant_id])
    )
    assert export.json()["referrals"][0]["background"]["disability"] == "declined"
    client = login(world.coordinator_a)

    _free_the_place(client, set_today, full)
    background = EntryBackground.objects.get()
    assert background.enrolment.participant == before.participant
    assert background.enrolment.start_date == D(2026, 3, 21)
    # Born 1990-03-15: 35 on the requested start, 36 on the actual start.
    assert background.age_at_entry == 36
    assert (background.labour_market_status, background.unemployed_months) == ("unemployed", 14)
    assert (background.education_level, background.disability) == ("isced_3_4", "declined")
    assert background.income_sources == ["income_support"]
    assert background.eligibility_breaches == []
    assert (background.recorded_by, background.source_organisation) == (
        world.coordinator_a,
        world.org_a,
    )
    referral.refresh_from_db()
    assert (referral.status, referral.background) == (ReferralStatus.ENROLLED, {})


def test_a_registration_that_waits_keeps_its_background_too(world, login, full, set_today):
    client = login(world.coordinator_a)
    response = client.post(
        reverse("participants:create"),
        {
            "p-name": "Påhittad Väntande",
            "p-gender": "woman",
            "p-birth_year": "1980",
            "p-identity_status": "registered",
            "e-agreement": world.agreement_a.pk,
            "e-start_date": "2026-03-10",
            "e-income_at_start": "none",
            "c-share_identity": "on",
            "c-share_plan": "on",
            "c-purpose": "Stöd mot arbete",
            "c-given_on": "2026-03-10",
            "c-method": "written",
            "c-reference": "REG-2026-8",
            "b-labour_market_status": "inactive",
            "b-homeless": "yes",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Referral.objects.waiting().get().background["homeless"] == "yes"
    _free_the_place(client, set_today, full)
    background = EntryBackground.objects.get()
    assert (background.labour_market_status, background.homeless) == ("inactive", "yes")
    assert background.age_at_entry == 46


def test_admission_by_hand_keeps_the_justification_given_at_referral(world, login, full, set_today):
    _esf(world.agreement_a, ("min_age", 30))
    before = _returning(world, birth_year=2000)
    client = login(world.coordinator_a)
    data = _enrol_data(world, labour_market_status="inactive") | {"start_date": "2026-03-10"}
    data["b-eligibility_justification"] = "Anvisad av Arbetsförmedlingen trots åldern."
    assert (
        client.post(
            reverse("participants:enrolment_create", args=[before.participant_id]), data
        ).status_code
        == 302
    )
    assert Referral.objects.waiting().count() == 1
    # The place frees without the waiting list being served (a closed enrolment edited).
    Enrolment.objects.filter(pk=full.pk).update(exit_date=D(2026, 3, 12), exit_outcome="work")
    set_today(D(2026, 3, 16))
    waiting_list = reverse("participants:waiting_list", args=[world.agreement_a.pk])
    assert client.post(waiting_list).status_code == 302
    background = EntryBackground.objects.get()
    assert background.enrolment.start_date == D(2026, 3, 16)
    assert background.eligibility_breaches == ["min_age"]
    assert background.eligibility_justification.startswith("Anvisad av Arbetsförmedlingen")


def test_an_admission_that_breaks_the_rules_is_flagged_without_justification(
    world, login, full, set_today
):
    # Up to 29 years: 29 on the requested start, 30 on the day the place opens.
    _esf(world.agreement_a, ("max_age", 29))
    before = _returning(world, personnummer=pnr(D(1996, 3, 15)), birth_year=1996)
    client = login(world.coordinator_a)
    data = _enrol_data(world, labour_market_status="inactive") | {"start_date": "2026-03-10"}
    assert (
        client.post(
            reverse("participants:enrolment_create", args=[before.participant_id]), data
        ).status_code
        == 302
    )
    assert (
        Referral.objects.get(participant=before.participant).background["eligibility_justification"]
        == ""
    )

    _free_the_place(client, set_today, full)
    background = EntryBackground.objects.get()
    assert background.age_at_entry == 30
    assert background.eligibility_breaches == ["max_age"]
    assert background.eligibility_justification == "Antagen från väntelistan; motivering saknas"
    quality = figures.participant_data_quality(world.agreement_a, D(2026, 1, 1), D(2026, 12, 31))
    assert quality["eligibility_flagged"] == 1
    assert "1 inskrivningar under året avviker från målgruppens regler" in " ".join(
        _participant_data_warnings(quality)
    )


def test_a_referral_without_background_is_checked_at_admission(world, full):
    from iop.audit import AuditContext
    from participants import actions

    _esf(world.agreement_a, ("min_unemployed", 12))
    before = _returning(world)
    audit = AuditContext.system()
    referral = actions.record_referral(
        user=world.coordinator_a,
        audit=audit,
        agreement=world.agreement_a,
        referral=Referral(
            participant=before.participant,
            date=D(2026, 3, 10),
            referred_by="Handläggare på Arbetsförmedlingen",
        ),
    )
    assert referral.status == ReferralStatus.WAITING
    Enrolment.objects.filter(pk=full.pk).update(exit_date=D(2026, 3, 9), exit_outcome="work")
    admitted = actions.admit_from_waiting_list(
        user=world.coordinator_a, audit=audit, agreement=world.agreement_a, day=D(2026, 3, 10)
    )
    assert [e.participant for e in admitted] == [before.participant]
    background = EntryBackground.objects.get(enrolment=admitted[0])
    assert background.eligibility_breaches == ["min_unemployed"]
    assert background.eligibility_justification == "Antagen från väntelistan; motivering saknas"
    assert background.labour_market_status == ""


def test_an_admission_within_the_rules_and_without_background_adds_no_background(world, full):
    from iop.audit import AuditContext
    from participants import actions

    before = _returning(world)
    audit = AuditContext.system()
    actions.enrol(
        user=world.coordinator_a,
        audit=audit,
        enrolment=Enrolment(
            participant=before.participant, agreement=world.agreement_a, start_date=D(2026, 3, 10)
        ),
    )
    Enrolment.objects.filter(pk=full.pk).update(exit_date=D(2026, 3, 9), exit_outcome="work")
    admitted = actions.admit_from_waiting_list(
        user=world.coordinator_a, audit=audit, agreement=world.agreement_a, day=D(2026, 3, 10)
    )
    assert len(admitted) == 1
    assert not EntryBackground.objects.exists()


# --------------------------------------------------------------------------- stale age


def test_correcting_the_birth_date_recomputes_the_age_at_entry(world, login, march):
    e = _returning(world, personnummer=pnr(D(1990, 3, 3)), birth_year=1990)
    earlier = EntryBackground(enrolment=e)
    earlier.full_clean()
    earlier.save()
    later = EnrolmentFactory.create(
        participant=e.participant, agreement=world.agreement_a, start_date=D(2026, 3, 2)
    )
    current = EntryBackground(enrolment=later)
    current.full_clean()
    current.save()
    assert (earlier.age_at_entry, current.age_at_entry) == (35, 35)
    participant = e.participant
    response = login(world.coordinator_a).post(
        reverse("participants:edit", args=[participant.pk]),
        {
            "revision": participant.revision,
            "identity_status": "registered",
            "personnummer": pnr(D(1992, 1, 20)),
            "gender": "woman",
            "birth_year": "1992",
            "language": "svenska",
        },
    )
    assert response.status_code == 302, response.content.decode()
    earlier.refresh_from_db()
    current.refresh_from_db()
    assert (earlier.age_at_entry, current.age_at_entry) == (33, 34)


def test_correcting_the_birth_year_alone_recomputes_the_age_at_entry(world, march):
    from iop.audit import AuditContext
    from participants import actions

    e = enrolled(world.agreement_a, world.org_a, birth_year=1985)
    background = EntryBackground(enrolment=e)
    background.full_clean()
    background.save()
    assert background.age_at_entry == 41
    participant = e.participant
    participant.birth_year = 1987
    actions.edit_participant(
        user=world.coordinator_a,
        audit=AuditContext.system(),
        participant=participant,
        revision=participant.revision,
    )
    background.refresh_from_db()
    assert background.age_at_entry == 39


def test_pseudonymisation_empties_the_background_a_referral_holds(world, full):
    from iop.audit import AuditContext
    from participants import actions

    before = _returning(world)
    audit = AuditContext.system()
    waiting = actions.enrol(
        user=world.coordinator_a,
        audit=audit,
        enrolment=Enrolment(
            participant=before.participant, agreement=world.agreement_a, start_date=D(2026, 3, 10)
        ),
        background=EntryBackground(disability="yes"),
    )
    assert isinstance(waiting, Referral) and waiting.background["disability"] == "yes"
    actions.pseudonymise(user=None, audit=audit, participants=[before.participant])
    waiting.refresh_from_db()
    assert waiting.background == {}
