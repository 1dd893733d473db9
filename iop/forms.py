from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# --------------------------------------------------------------------------- text

# C0 control characters (NUL among them) and DEL; tab, line feed and carriage return are
# ordinary in a text area. PostgreSQL refuses NUL in text outright (a 500, not a message),
# and the others are invisible in every page and break exports and PDFs.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(value: object) -> bool:
    return isinstance(value, str) and CONTROL_CHARACTERS.search(value) is not None


def validate_no_control_characters(value: object) -> None:
    if has_control_characters(value):
        raise ValidationError(
            _(
                "Texten innehåller osynliga styrtecken (till exempel från en kopierad "
                "fil). Ta bort dem och skriv texten igen."
            ),
            code="control_characters",
        )


def install_text_validation() -> None:
    """Every text field of every form (the app's, the admin's, sign-in) refuses control
    characters with a message at the field: one validator added to forms.CharField, which
    all text inputs and text areas are (IopConfig.ready() calls this once)."""
    if validate_no_control_characters not in forms.CharField.default_validators:
        forms.CharField.default_validators = [
            *forms.CharField.default_validators,
            validate_no_control_characters,
        ]


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Kod"),
        max_length=16,
        help_text=_("Sex siffror från appen, eller en av dina reservkoder."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Kod från appen"),
        max_length=6,
        help_text=_("Skriv de sex siffror som appen visar just nu."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


# --------------------------------------------------------------------------- amounts

# Spaces people and programs put between thousands: plain, no-break, narrow no-break, thin.
_GROUP_SPACES = re.compile("[ \u00a0\u202f\u2009]")
_WHOLE_GROUPED = re.compile(r"\d{1,3}( \d{3})*")
_SEPARATORS = (",", ".")


def _ambiguous(text: str) -> ValidationError:
    return ValidationError(
        _(
            "”%(value)s” går inte att tolka säkert. Skriv mellanslag mellan tusentalen och "
            "kommatecken före decimalerna, till exempel 1 250,50."
        ),
        code="ambiguous",
        params={"value": text},
    )


def parse_amount(value: object, *, decimal_places: int | None = 2) -> Decimal | None:
    """Read an amount the way it is written in Sweden, whatever the browser's language.

    The rule, strict on purpose so that nothing is ever read a hundred times too large:

    - thousands may be separated by spaces only, in groups of three (`1 104 000`);
    - the decimal separator is a comma (`1 250,50`) or a point (`1250.50`), at most one;
    - a comma and a point together (`1,250.50`, `1.250,50`) or several separators
      (`1.250.000`) are refused as ambiguous;
    - where the field holds fewer than three decimals, exactly three digits after a single
      separator (`1,250`, `1.250`) are refused too: they may be meant as thousands;
    - a trailing `kr` and a leading minus sign (`-` or `−`) are allowed.

    Returns None for an empty entry; raises ValidationError with a Swedish message.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError(_("Ange ett tal."), code="invalid")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    text = str(value).strip()
    if text.lower().endswith("kr"):
        text = text[:-2].strip()
    if not text:
        return None
    original = str(value).strip()
    sign = ""
    if text[0] in "-−":
        sign, text = "-", text[1:].strip()
    text = _GROUP_SPACES.sub(" ", text)
    separators = [c for c in text if c in _SEPARATORS]
    if len(separators) > 1:
        raise _ambiguous(original)
    whole, frac = text, ""
    if separators:
        whole, frac = text.split(separators[0])
        if not frac.isdigit():
            raise ValidationError(_("Ange ett tal."), code="invalid")
        if len(frac) == 3 and (decimal_places is None or decimal_places < 3):
            raise _ambiguous(original)
    if not whole:
        whole = "0"
    if " " in whole and not _WHOLE_GROUPED.fullmatch(whole):
        raise ValidationError(
            _("Mellanslag får bara skilja tusental åt, till exempel 1 104 000."), code="grouping"
        )
    whole = whole.replace(" ", "")
    if not whole.isdigit():
        raise ValidationError(_("Ange ett tal."), code="invalid")
    return Decimal(f"{sign}{whole}.{frac or 0}")


def format_amount_input(value: Decimal) -> str:
    """An amount as it goes back into a form field: `1 250,50`, `1 104 000`, `0,5`.

    Read back by parse_amount to the same value, in every language of the interface.
    """
    if value == value.to_integral_value():
        text = f"{value:.0f}"
    else:
        text = f"{value.normalize():f}"
        if len(text.partition(".")[2]) == 1 and value.as_tuple().exponent == -2:
            text += "0"  # öre keep both digits: 1 250,50
    sign = "-" if text.startswith("-") else ""
    whole, _sep, frac = text.lstrip("-").partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + " ".join(groups) + ("," + frac if frac else "")


class AmountInput(forms.TextInput):
    """A text box, not type=number: the browser's language cannot reinterpret the entry,
    while `inputmode=decimal` still brings up the number keyboard on a phone."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            return format_amount_input(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format_amount_input(Decimal(str(value)))
        return super().format_value(value)


class AmountField(forms.DecimalField):
    """A decimal form field for amounts, per cents and FTE, read by parse_amount."""

    widget = AmountInput

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value, decimal_places=self.decimal_places)
        except ValidationError as exc:
            if exc.code == "invalid":
                # Django's own wording, in the language of the interface.
                raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
            raise


class CheckboxList(forms.CheckboxSelectMultiple):
    """Tick boxes each beside its own label rather than wrapped in it, one per line: the
    box sits left of its label's text, as with every other tick box in the app."""

    template_name = "iop/widgets/checkbox_list.html"
    option_template_name = "iop/widgets/checkbox_option.html"
