"""The registration form fits the screen and is filled in sensibly (issue 13, point 3).

Quoted: "The registration form is broken at 1366, 1536 and 1920 px: the page scrolls
sideways (1 615–1 700 px wide) and the consent card covers the enrolment inputs; tick boxes
float above their labels; a one-option partnership menu must still be chosen; the consent
date is not filled in."
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import browser_login


@pytest.mark.django_db
def test_the_only_partnership_a_coordinator_can_enrol_into_is_preselected(world, login):
    client = login(world.coordinator_a)
    form = client.get("/participants/new/").context["enrolment_form"]
    assert form["agreement"].value() == world.agreement_a.pk
    # No empty "---------" option to pick past when there is nothing to choose.
    assert [value for value, _label in form.fields["agreement"].choices] == [world.agreement_a.pk]


@pytest.mark.django_db
def test_consent_and_start_dates_are_today(world, login):
    client = login(world.coordinator_a)
    context = client.get("/participants/new/").context
    today = timezone.localdate()
    assert context["consent_form"]["given_on"].value() == today
    assert context["enrolment_form"]["start_date"].value() == today


# Fits without sideways scrolling, the cards do not cover each other, and every tick box
# sits on the same line as its label.
LAYOUT_PROBE = """() => {
  const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
      && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const cards = [...document.querySelectorAll('main fieldset')].map(f => f.getBoundingClientRect());
  let overlaps = 0;
  cards.forEach((a, i) => cards.slice(i + 1).forEach(b => { if (overlap(a, b)) overlaps++; }));
  const controls = [...document.querySelectorAll('main input, main select, main textarea')]
      .filter(el => el.type !== 'hidden').map(el => el.getBoundingClientRect());
  const outside = controls.filter(r => r.right > window.innerWidth + 1).length;
  const detached = [...document.querySelectorAll('main input[type=checkbox]')].filter(box => {
    const label = document.querySelector('label[for="' + box.id + '"]').getBoundingClientRect();
    const r = box.getBoundingClientRect();
    const middle = r.top + r.height / 2;
    return !(middle > label.top && middle < label.bottom && r.right <= label.left + 1);
  }).map(box => box.id);
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
          overlaps, outside, detached};
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_registration_form_fits_from_320_to_1920_px(page, world):
    browser_login(page, world.coordinator_a.username)
    page.goto("/participants/new/")
    for width in (320, 390, 768, 1366, 1536, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        probe = page.evaluate(LAYOUT_PROBE)
        assert probe["scroll"] <= probe["inner"], (width, probe)
        assert probe["overlaps"] == 0, (width, probe)
        assert probe["outside"] == 0, (width, probe)
        assert probe["detached"] == [], (width, probe)
