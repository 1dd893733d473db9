"""Property-based tests (hypothesis) for the validators and parsers that take outside input:
organisation numbers, GLN, PEPPOL ids, personnummer, money, and spreadsheet import cells.

The properties: every valid value is accepted and normalised stably; a one-digit change
is caught; and arbitrary junk is refused with a ValidationError (or the importer's
ValueError), never with any other exception.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum import ean, luhn

from iop.money import format_sek, round_money
from iop.spreadsheets.resources import DateWidget, DecimalWidget, IntegerWidget, neutralise
from participants.validators import normalise_personnummer, validate_personnummer
from partnerships.validators import (
    normalise_org_number,
    validate_gln,
    validate_org_number,
    validate_peppol_id,
)

pytestmark = pytest.mark.filterwarnings("ignore")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

junk = st.text(max_size=40) | st.text(alphabet="0123456789-: +", max_size=20)


def _org_number(body: str) -> str:
    return body + luhn.calc_check_digit(body)


# An organisation number's third digit is 2 or more (that is what tells it from a birth date).
org_bodies = st.from_regex(r"\A[0-9]{2}[2-9][0-9]{6}\Z")


def _other_digit(digit: str, shift: int) -> str:
    return str((int(digit) + shift) % 10)


# --------------------------------------------------------------------------- org numbers


@FUZZ
@given(org_bodies)
def test_valid_org_numbers_are_accepted_in_both_spellings(body):
    number = _org_number(body)
    validate_org_number(number)
    dashed = normalise_org_number(number)
    assert re.fullmatch(r"\d{6}-\d{4}", dashed)
    validate_org_number(dashed)
    assert normalise_org_number(dashed) == dashed


@FUZZ
@given(org_bodies, st.integers(0, 9), st.integers(1, 9))
def test_one_wrong_digit_in_an_org_number_is_caught(body, position, shift):
    digits = list(_org_number(body))
    digits[position] = _other_digit(digits[position], shift)
    changed = "".join(digits)
    assume(not luhn.is_valid(changed))
    with pytest.raises(ValidationError):
        validate_org_number(changed)


@FUZZ
@given(junk)
def test_org_number_junk_raises_only_validation_error(text):
    try:
        validate_org_number(text)
    except ValidationError:
        return
    # Accepted: then it really is ten digits with a correct check digit.
    assert luhn.is_valid(normalise_org_number(text).replace("-", ""))


# --------------------------------------------------------------------------- GLN


@FUZZ
@given(st.from_regex(r"\A[0-9]{12}\Z"))
def test_valid_gln_is_accepted(body):
    validate_gln(body + ean.calc_check_digit(body))


@FUZZ
@given(st.from_regex(r"\A[0-9]{12}\Z"), st.integers(1, 9))
def test_gln_with_wrong_check_digit_is_refused(body, shift):
    wrong = _other_digit(ean.calc_check_digit(body), shift)
    with pytest.raises(ValidationError):
        validate_gln(body + wrong)


@FUZZ
@given(junk)
def test_gln_junk_raises_only_validation_error(text):
    try:
        validate_gln(text)
    except ValidationError:
        return
    assert len(text) == 13 and text.isdigit() and ean.is_valid(text)


# --------------------------------------------------------------------------- PEPPOL


@FUZZ
@given(org_bodies)
def test_peppol_0007_takes_a_valid_org_number(body):
    validate_peppol_id("0007:" + _org_number(body))


@FUZZ
@given(st.from_regex(r"\A[0-9]{12}\Z"))
def test_peppol_0088_takes_a_valid_gln_and_refuses_a_wrong_one(body):
    validate_peppol_id(f"0088:{body}{ean.calc_check_digit(body)}")
    with pytest.raises(ValidationError):
        validate_peppol_id(f"0088:{body}{_other_digit(ean.calc_check_digit(body), 1)}")


@FUZZ
@given(junk | st.builds(lambda a, b: f"{a}:{b}", st.text(max_size=6), st.text(max_size=60)))
def test_peppol_junk_raises_only_validation_error(text):
    try:
        validate_peppol_id(text)
    except ValidationError:
        return
    scheme, _sep, value = text.partition(":")
    assert re.fullmatch(r"\d{4}", scheme) and 1 <= len(value) <= 50


# --------------------------------------------------------------------------- personnummer


def _personnummer(day: datetime.date, serial: int) -> str:
    body = f"{day:%y%m%d}{serial:03d}"
    return f"{day:%Y%m%d}-{serial:03d}{luhn.calc_check_digit(body)}"


birth_dates = st.dates(datetime.date(1910, 1, 1), datetime.date(2025, 12, 31))


@FUZZ
@given(birth_dates, st.integers(0, 999))
def test_valid_personnummer_is_normalised_to_twelve_digits(day, serial):
    number = _personnummer(day, serial)
    assert normalise_personnummer(number) == number
    assert normalise_personnummer(number.replace("-", "")) == number
    validate_personnummer(number)


@FUZZ
@given(birth_dates, st.integers(0, 999), st.integers(1, 9))
def test_personnummer_with_wrong_check_digit_is_refused(day, serial, shift):
    number = _personnummer(day, serial)
    wrong = number[:-1] + _other_digit(number[-1], shift)
    with pytest.raises(ValidationError):
        normalise_personnummer(wrong)


@FUZZ
@given(junk)
def test_personnummer_junk_raises_only_validation_error(text):
    try:
        result = normalise_personnummer(text)
    except ValidationError:
        return
    assert re.fullmatch(r"\d{8}-\d{4}", result)


# --------------------------------------------------------------------------- money


amounts = st.decimals(
    min_value=Decimal("-1000000000"),
    max_value=Decimal("1000000000"),
    allow_nan=False,
    allow_infinity=False,
    places=4,
)


@FUZZ
@given(amounts)
def test_round_money_gives_ore_and_is_idempotent(amount):
    rounded = round_money(amount)
    assert rounded.as_tuple().exponent == -2
    assert abs(rounded - amount) <= Decimal("0.005")
    assert round_money(rounded) == rounded


@FUZZ
@given(amounts)
def test_format_sek_reads_back_as_the_rounded_amount(amount):
    text = format_sek(amount, decimals=True)
    assert text.endswith(" kr")
    assert re.fullmatch(r"-?\d{1,3}( \d{3})*,\d{2} kr", text), text
    back = Decimal(text.removesuffix(" kr").replace(" ", "").replace(",", "."))
    assert back == round_money(amount) or (back == 0 and round_money(amount) == 0)


@FUZZ
@given(amounts)
def test_import_reads_back_an_exported_amount(amount):
    widget = DecimalWidget()
    money = round_money(amount)
    assert widget.clean(widget.render(money)) == money
    assert widget.clean(format_sek(money, decimals=True)) == money


# --------------------------------------------------------------------------- import cells


cells = st.none() | st.text(max_size=30) | st.integers() | st.floats()


@FUZZ
@given(cells)
def test_import_amount_cell_refuses_junk_with_a_message(value):
    try:
        result = DecimalWidget().clean(value)
    except ValueError:
        return
    assert result is None or (isinstance(result, Decimal) and result.is_finite())


@pytest.mark.parametrize("value", [1e26, float("inf"), float("-inf"), "NaN", "Infinity", "1e400"])
def test_import_amount_cell_refuses_huge_and_infinite_floats(value):
    with pytest.raises(ValueError):
        DecimalWidget().clean(value)


@FUZZ
@given(cells)
def test_import_date_and_integer_cells_refuse_junk_with_a_message(value):
    for widget in (DateWidget(), IntegerWidget()):
        try:
            widget.clean(value)
        except ValueError:
            continue


@FUZZ
@given(st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)))
def test_import_reads_back_an_exported_date(day):
    widget = DateWidget()
    assert widget.clean(widget.render(day)) == day


@FUZZ
@given(st.text(max_size=40))
def test_exported_text_never_starts_a_formula(text):
    cell = neutralise(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
