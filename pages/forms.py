"""Typed access to a form's own fields: ``form.fields`` is typed as plain ``forms.Field``, so a page that sets a
choice field's ``queryset`` or ``choices`` for one request reaches the field through its class."""
from decimal import Decimal
from typing import Any, TypeVar

import jaconv
from django import forms

F = TypeVar("F", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """``form.fields[name]``, declared as a ``kind`` (``TypeError`` otherwise: a mistake in the form class)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


def half_width_number(value: object) -> object:
    """A number as typed with a Japanese keyboard, in the half-width form Django parses: full-width digits, point
    and minus to half-width (jaconv), digit-group commas and surrounding spaces removed (「１，２３４．５」 →
    「1234.5」). Anything else is left for the field to refuse."""
    if not isinstance(value, str):
        return value
    return jaconv.z2h(value, kana=False, ascii=True, digit=True).replace(",", "").strip()


class TypedDecimalField(forms.DecimalField):
    """A decimal typed as a Japanese user types it (``half_width_number``), in a text box that accepts the IME's
    full-width digits (``inputmode="decimal"``; a number box would drop them)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # Django: DecimalField(IntegerField)
        return super().to_python(half_width_number(value))


class TypedIntegerField(forms.IntegerField):
    """A whole number typed as a Japanese user types it (``half_width_number``), ``inputmode="numeric"``."""

    widget = forms.TextInput(attrs={"inputmode": "numeric"})

    def to_python(self, value: Any) -> int | None:
        return super().to_python(half_width_number(value))
