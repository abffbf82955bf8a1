"""Typed access to a form's own fields: ``form.fields`` is typed as plain ``forms.Field``, so a page that sets a
choice field's ``queryset`` or ``choices`` for one request reaches the field through its class."""
from typing import TypeVar

from django import forms

F = TypeVar("F", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """``form.fields[name]``, declared as a ``kind`` (``TypeError`` otherwise: a mistake in the form class)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field
