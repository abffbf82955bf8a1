"""An admin that writes the audit trail (監査証跡) of what it changes, with the old and new values in Japanese.

``AuditedAdminMixin`` goes before ``admin.ModelAdmin`` in the bases. Each save through the change form — the
object's own fields and its inlines, additions and deletions too — writes one ``AuditEvent`` on the audited
subject, in the admin's transaction: the subject's state is read before the form is applied (the row locked)
and after its inlines are saved (``save_related``), and the note lists the differences, one a line. Deleting
writes one too. A model admin says what it audits through three hooks:

- ``audit_subject(obj)``: the object the event is about (the object itself by default; a rule's part names its
  rule);
- ``audit_state(subject)``: a comparable value of the subject (by default its concrete fields by attname);
- ``audit_changes(before, after)``: the differences as Japanese lines (``before`` None for a new object).

``audited(...)`` may add to the lines before the event is written (e.g. a new version of a rule).
"""
from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest

from .models import record_event

_BEFORE = "_audited_admin_before"


class AuditedAdminMixin:
    """Audit every save and deletion of a ``ModelAdmin`` (see the module's docstring)."""

    audit_action = "admin_change"

    # -- hooks --------------------------------------------------------------------------------------------------

    def audit_subject(self, obj: models.Model) -> models.Model:
        return obj

    def audit_state(self, subject: models.Model) -> Any:
        return {f.attname: getattr(subject, f.attname) for f in subject._meta.concrete_fields}

    def audit_changes(self, before: Any, after: Any) -> list[str]:
        """``ラベル: 旧 → 新`` for each concrete field whose value differs (every filled field for a new object)."""
        before = before or {}
        lines = []
        for name, value in after.items():
            if name not in before and value in (None, ""):
                continue
            if name not in before or before[name] != value:
                label = self._field_label(name)
                old = "（なし）" if before.get(name) in (None, "") else before[name]
                new = "（なし）" if value in (None, "") else value
                lines.append(f"{label}: {old} → {new}")
        return lines

    def audited(self, request: HttpRequest, form: ModelForm[Any], subject: models.Model, before: Any, after: Any,
                lines: list[str]) -> list[str]:
        """The note's lines, once the change is saved and before the event is written (inside the transaction)."""
        return lines

    # -- the mechanism --------------------------------------------------------------------------------------------

    def _field_label(self, attname: str) -> str:
        model: type[models.Model] = self.model  # type: ignore[attr-defined]
        for field in model._meta.concrete_fields:
            if field.attname == attname:
                return str(field.verbose_name)
        return attname

    def audit_before(self, request: HttpRequest) -> Any:
        """The subject's state read before this request changed it (None for a new object)."""
        return getattr(request, _BEFORE, None)

    def _remember_before(self, request: HttpRequest, subject: models.Model) -> None:
        if hasattr(request, _BEFORE) or subject.pk is None:
            return
        # The subject's row stays locked until the admin's transaction ends: two saves take turns.
        list(type(subject)._default_manager.select_for_update().filter(pk=subject.pk).values_list("pk"))
        setattr(request, _BEFORE, self.audit_state(subject))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None and request.method == "POST":
            self._remember_before(request, self.audit_subject(obj))
        return obj

    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm[Any], change: bool) -> None:
        if not change and obj.pk is None:
            subject = self.audit_subject(obj)
            if subject is not obj:  # a part added to an existing subject
                self._remember_before(request, subject)
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_related(self, request: HttpRequest, form: ModelForm[Any], formsets: list[BaseFormSet[Any]],
                     change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        subject = self.audit_subject(form.instance)
        before = self.audit_before(request)
        after = self.audit_state(subject)
        lines = self.audited(request, form, subject, before, after, self.audit_changes(before, after))
        record_event(actor=request.user, subject=subject,  # type: ignore[arg-type]
                     action=self.audit_action if before is not None else f"{self.audit_action}_add",
                     note="\n".join(lines) or "変更はありません。")

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        subject = self.audit_subject(obj)
        if subject is obj:
            record_event(actor=request.user, subject=obj,  # type: ignore[arg-type]
                         action=f"{self.audit_action}_delete",
                         note=f"{obj._meta.verbose_name}「{obj}」を削除しました。")
            super().delete_model(request, obj)  # type: ignore[misc]
            return
        self._remember_before(request, subject)
        before = self.audit_before(request)
        super().delete_model(request, obj)  # type: ignore[misc]
        after = self.audit_state(subject)
        record_event(actor=request.user, subject=subject,  # type: ignore[arg-type]
                     action=self.audit_action, note="\n".join(self.audit_changes(before, after)))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """The list's bulk deletion, one audited deletion at a time."""
        for obj in queryset:
            self.forget_before(request)
            self.delete_model(request, obj)

    def forget_before(self, request: HttpRequest) -> None:
        """Forget the state read before (a bulk deletion reads each object's subject afresh)."""
        if hasattr(request, _BEFORE):
            delattr(request, _BEFORE)

