"""A risk's next review is on the to-do list of the agreement's managers, overdue once its
date has passed; a closed risk and other roles' lists stay out of it."""

import datetime

from django.urls import reverse

from partnerships.deadlines import deadlines_for_user
from partnerships.models import Risk

D = datetime.date


def _risk(world, **extra):
    return Risk.objects.create(
        agreement=world.agreement_a,
        title="För få praktikplatser",
        category="labour_market",
        likelihood=3,
        consequence=2,
        owner_party=world.party_a,
        owner_person="Åsa Påhittad",
        **extra,
    )


def test_risk_review_is_on_the_managers_list_and_overdue_after_its_date(world):
    risk = _risk(world, next_review=D(2026, 6, 15))
    _risk(world, next_review=D(2026, 6, 1), status="closed")
    found = [
        d
        for d in deadlines_for_user(world.manager_a, today=D(2026, 6, 20))
        if d.kind == "risk_review"
    ]
    assert len(found) == 1
    review = found[0]
    assert review.date == D(2026, 6, 15) and review.overdue
    assert review.title == "Se över risken: För få praktikplatser"
    assert review.url == reverse("risk_detail", args=[world.agreement_a.pk, risk.pk])
    assert review.kind_label == "Översyn av risk"


def test_risk_review_is_not_on_other_roles_or_partnerships_lists(world):
    _risk(world, next_review=D(2026, 6, 15))
    for user in (world.coordinator_a, world.finance_a, world.coordinator_b, world.outsider):
        kinds = {d.kind for d in deadlines_for_user(user, today=D(2026, 6, 1))}
        assert "risk_review" not in kinds


def test_risk_review_shows_on_the_start_page(world, login, set_today):
    _risk(world, next_review=D(2026, 6, 15))
    set_today(D(2026, 6, 20))
    html = login(world.manager_a).get(reverse("home")).content.decode()
    assert "Se över risken: För få praktikplatser" in html
