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

The default state is the subject's concrete fields (less ``audit_exclude``, e.g. a password hash), its
many-to-many fields (a user's groups) and the rows of the admin's inlines (a policy's bands), so that a change of
any of them is a line. A row that has history besides this admin's own edits (events in the audit trail written
by the services) cannot be deleted here; an unused row may be, and its deletion is an event too.

``HistoryAdminMixin`` is for the admins of records that have history (cases, payments, notices …): nothing is
deleted through them, not even by a superuser.
"""
from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest

from .admin_inputs import LabelledInputsMixin
from .models import AuditEvent, record_event

_BEFORE = "_audited_admin_before"
_ROWS = "rows:"  # the key of an inline's rows in a state: rows:<app_label.Model>


class HistoryAdminMixin(LabelledInputsMixin):
    """The admin of records that have history (a case, a payment, a notice, a report …): they are never deleted
    here, not even by a superuser. The delete page answers 403 and the list offers no 「削除」 action (Django offers
    it only to who may delete); a delete reaching the model admin otherwise is refused too. Goes before
    ``admin.ModelAdmin`` in the bases (after ``AuditedAdminMixin`` when both are used)."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        raise PermissionDenied

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        raise PermissionDenied


class AuditedAdminMixin(LabelledInputsMixin):
    """Audit every save and deletion of a ``ModelAdmin`` (see the module's docstring)."""

    audit_action = "admin_change"
    #: Fields never written to the audit trail (a password hash) nor compared.
    audit_exclude: tuple[str, ...] = ()

    # -- hooks --------------------------------------------------------------------------------------------------

    def audit_subject(self, obj: models.Model) -> models.Model:
        return obj

    def audit_state(self, subject: models.Model) -> Any:
        """{attname: value} of the concrete fields, {name: [names]} of the many-to-many fields, and
        {"rows:<model>": {pk: "ラベル: 値、…"}} of each inline's rows."""
        state: dict[str, Any] = {f.attname: getattr(subject, f.attname) for f in subject._meta.concrete_fields
                                 if f.attname not in self.audit_exclude}
        if subject.pk is None:
            return state
        for field in subject._meta.many_to_many:
            if field.name not in self.audit_exclude:
                state[field.name] = sorted(str(related) for related in getattr(subject, field.name).all())
        for inline in getattr(self, "inlines", ()):
            model = inline.model
            parent = inline.fk_name or next(f.name for f in model._meta.concrete_fields
                                            if f.is_relation and issubclass(type(subject), f.related_model))
            rows = model._default_manager.filter(**{parent: subject}).order_by("pk")
            state[f"{_ROWS}{model._meta.label}"] = {row.pk: _row_text(row, parent) for row in rows}
        return state

    def audit_changes(self, before: Any, after: Any) -> list[str]:
        """``ラベル: 旧 → 新`` for each field whose value differs (every filled field for a new object), and for an
        inline's rows ``名称を追加: …``, ``名称を削除: …`` or ``名称: 旧 → 新``."""
        before = before or {}
        lines = []
        for name, value in after.items():
            if name.startswith(_ROWS):
                lines += _row_changes(name[len(_ROWS):], before.get(name, {}), value)
                continue
            if name not in before and value in (None, "", []):
                continue
            if name not in before or before[name] != value:
                label = self._field_label(name)
                old, new = self._value_text(name, before.get(name)), self._value_text(name, value)
                lines.append(f"{label}: {old} → {new}")
        return lines

    def has_history(self, obj: models.Model) -> bool:
        """Whether ``obj`` has events in the audit trail besides this admin's own edits (then it is not deleted)."""
        return AuditEvent.objects.for_object(obj).exclude(action__startswith=self.audit_action).exists()

    def audited(self, request: HttpRequest, form: ModelForm[Any], subject: models.Model, before: Any, after: Any,
                lines: list[str]) -> list[str]:
        """The note's lines, once the change is saved and before the event is written (inside the transaction)."""
        return lines

    # -- the mechanism --------------------------------------------------------------------------------------------

    def _field_label(self, attname: str) -> str:
        model: type[models.Model] = self.model  # type: ignore[attr-defined]
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            if field.attname == attname or field.name == attname:
                return str(field.verbose_name)
        return attname

    def _value_text(self, name: str, value: Any) -> str:
        """A value as people read it: a choice by its label, a box as はい/いいえ, nothing as （なし）."""
        model: type[models.Model] = self.model  # type: ignore[attr-defined]
        field = next((f for f in model._meta.concrete_fields if f.attname == name), None)
        if field is not None and field.choices and value not in (None, ""):
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "はい" if value else "いいえ"
        return _shown(value)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.audit_subject(obj) is obj and self.has_history(obj):
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]

    def audit_before(self, request: HttpRequest) -> Any:
        """The subject's state read before this request changed it (None for a new object)."""
        return getattr(request, _BEFORE, None)

    def _remember_before(self, request: HttpRequest, subject: models.Model) -> None:
        if hasattr(request, _BEFORE) or subject.pk is None:
            return
        # The subject's row stays locked until the admin's transaction ends: two saves take turns. (A view of the
        # admin outside a transaction — Django's password form of a user — changes no audited field.)
        if transaction.get_connection().in_atomic_block:
            list(type(subject)._default_manager.select_for_update().filter(pk=subject.pk).values_list("pk"))
        setattr(request, _BEFORE, self.audit_state(subject))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None and request.method == "POST":
            self._remember_before(request, self.audit_subject(obj))
        return obj

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
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



def _shown(value: Any) -> str:
    if value in (None, "", []):
        return "（なし）"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _row_text(row: models.Model, parent: str) -> str:
    """「ラベル: 値、ラベル: 値」 of a row's filled fields, without its id and its link to the parent."""
    parts = []
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if field.primary_key or field.name == parent or value in (None, ""):
            continue
        parts.append(f"{field.verbose_name}: {value}")
    return "、".join(parts)


def _row_changes(label: str, before: dict[Any, str], after: dict[Any, str]) -> list[str]:
    name = str(apps.get_model(label)._meta.verbose_name)
    lines = [f"{name}を削除: {text}" for pk, text in before.items() if pk not in after]
    for pk, text in after.items():
        if pk not in before:
            lines.append(f"{name}を追加: {text}")
        elif before[pk] != text:
            lines.append(f"{name}: {before[pk]} → {text}")
    return lines
