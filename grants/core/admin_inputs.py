"""Inputs of the admin's forms that a screen reader can name (issue 15, WCAG 2.1 1.3.1 / 4.1.2).

Django's split date-and-time field (``AdminSplitDateTime``: a date input and a time input under one label) names
neither input: since Django 4 its ``<label>`` points at no input (a multi-input widget has no single id), and axe
reports both as unlabelled. ``LabelledInputsMixin`` gives each its own name — 「申請日時（日付）」「申請日時（時刻）」 —
from the field's label. ``HistoryAdminMixin`` and ``AuditedAdminMixin`` (grants.core.admin_audit) are built on it, so
every admin of the project that changes anything has it; the others are read-only and render no input."""
from __future__ import annotations

from typing import Any

from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.forms import Field
from django.http import HttpRequest


def name_inputs(formfield: Field) -> None:
    """Name the date and the time input of a split date-and-time ``formfield`` after its label."""
    widget = formfield.widget
    if isinstance(widget, AdminSplitDateTime):
        date, time = widget.widgets
        date.attrs["aria-label"] = f"{formfield.label}（日付）"
        time.attrs["aria-label"] = f"{formfield.label}（時刻）"


class LabelledInputsMixin:
    """Name each input of the admin's split date-and-time fields (see the module's docstring)."""

    def formfield_for_dbfield(self, db_field: models.Field[Any, Any], request: HttpRequest,
                              **kwargs: Any) -> Field | None:
        formfield: Field | None = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if formfield is not None:
            name_inputs(formfield)
        return formfield
