"""The admin of a programme-year's rule: every save audited with old and new values, and a rule used by a decided
case changed only by a new version, with the reason of the change (issue 12 §9).

``RuleAdminMixin`` goes before ``admin.ModelAdmin`` on the admins that edit a rule (the programme-year with its
inlines, and a formula component with its bands). When decided cases compute with the rule as it stands, the form
says so at the top and asks for 改正の理由; saving keeps the rule as it was as a version (version 1 the first
time) for those cases and records the new rule as the next version, with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest

from grants.core.admin_audit import AuditedAdminMixin

from . import versions
from .models import ProgrammeYear, RuleVersion

REASON_FIELD = "revision_reason"
REASON_HELP = "例: 要綱の改正（令和8年4月1日施行）"
_USAGE = "_rule_usage"


@dataclass(frozen=True)
class Usage:
    """Decided cases computing with the rule as it stands (``count``), the version they use (``current``: its
    number ``number``, None when it is still to be taken from the rule as it stands)."""

    count: int
    current: RuleVersion | None
    number: int

    @property
    def warning(self) -> str:
        if not self.count:
            return (f"この交付基準には交付決定に用いた版の記録があります（第{self.number}版まで）。保存すると"
                    f"第{self.number + 1}版になります。")
        return (f"この交付基準は交付決定済みの案件（{self.count}件）に使われています。保存すると第{self.number + 1}版に"
                f"なり、決定済みの案件は第{self.number}版のまま計算します。")


def usage_of(rule: ProgrammeYear, current: versions.Snapshot) -> Usage | None:
    """Who computes with ``rule`` as it stands (``current``, its snapshot); None when no decided case does and the
    rule has no version yet. Once a rule has a version, every change is a new version with its reason, so that the
    list of versions is the history of its 改正."""
    version = versions.current_version(rule, current)
    count = versions.decided_count(rule, version)
    latest = versions.latest_version(rule)
    if not count and latest is None:
        return None
    if version is not None:
        return Usage(count, version, version.number)
    latest = versions.latest_version(rule)
    return Usage(count, None, (latest.number if latest else 0) + 1)


class RuleAdminMixin(AuditedAdminMixin):
    """Audit and version the rule that an admin's object belongs to (``rule_of``)."""

    audit_action = "change_rule"
    show_versions = True  # the versions' history below the form (``RuleVersionInline``)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        inlines = list(super().get_inlines(request, obj))  # type: ignore[misc]
        return [*inlines, RuleVersionInline] if self.show_versions and obj is not None else inlines

    def rule_of(self, obj: models.Model) -> ProgrammeYear:
        assert isinstance(obj, ProgrammeYear)
        return obj

    def audit_subject(self, obj: models.Model) -> models.Model:
        return self.rule_of(obj)

    def audit_state(self, subject: models.Model) -> Any:
        return versions.snapshot(versions.load_for_snapshot(subject.pk)) if subject.pk else None

    def audit_changes(self, before: Any, after: Any) -> list[str]:
        if after is None:
            return []
        return [str(change) for change in versions.diff(before, after)]

    def _usage(self, request: HttpRequest, obj: models.Model | None) -> Usage | None:
        if obj is None:
            return None
        if not hasattr(request, _USAGE):
            rule = self.rule_of(obj)
            before = self.audit_before(request)
            setattr(request, _USAGE, usage_of(rule, before if before is not None else self.audit_state(rule)))
        return getattr(request, _USAGE)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if kwargs.get("fields"):  # the fieldsets name the reason, which is no field of the model
            kwargs["fields"] = [f for f in kwargs["fields"] if f != REASON_FIELD]
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        if self._usage(request, obj) is None:
            return form
        reason = forms.CharField(label="改正の理由", max_length=200, help_text=REASON_HELP,
                                 error_messages={"required": "改正の理由を入力してください（" + REASON_HELP + "）。"})
        return type(form.__name__, (form,), {REASON_FIELD: reason})

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        usage = self._usage(request, obj)
        if usage is None:
            return fieldsets
        rest = [(name, {**options, "fields": [f for f in options["fields"] if f != REASON_FIELD]})
                for name, options in fieldsets]
        return [("交付基準の改正", {"description": usage.warning, "fields": [REASON_FIELD]}), *rest]

    def audited(self, request: HttpRequest, form: Any, subject: models.Model, before: Any, after: Any,
                lines: list[str]) -> list[str]:
        """A change of a rule used by decided cases: the rule as it was becomes (or stays) their version, and the
        new rule the next version, with the reason."""
        if before is None and isinstance(subject, ProgrammeYear):
            return [f"交付基準「{subject}」を作成しました。", *lines]
        if lines and before is not None and after is not None:
            assert isinstance(subject, ProgrammeYear)
            recomputed = versions.revised(subject, actor=request.user)
            if recomputed:
                lines = [*lines, f"決定前の案件（{recomputed}件）の算定額を、改正後の交付基準で計算し直しました。"]
        usage = getattr(request, _USAGE, None)
        if usage is None or not lines or before is None:
            return lines
        assert isinstance(subject, ProgrammeYear)
        reason = form.cleaned_data[REASON_FIELD].strip()
        kept = usage.current or versions.record_version(subject, before, actor=request.user,
                                                         reason=versions.FIRST_USE_REASON)
        versions.adopt(subject, kept)
        new = versions.record_version(subject, after, actor=request.user, reason=reason)
        head = f"第{new.number}版を作成（改正の理由: {reason}）。"
        if usage.count:
            head += f"交付決定済みの案件（{usage.count}件）は第{kept.number}版で計算します。"
        messages.info(request, head.replace("を作成", "として保存しました"))
        return [head, *lines]


class RuleVersionInline(admin.TabularInline):
    """The versions of the rule, read only (a version is never edited or deleted)."""

    model = RuleVersion
    extra = 0
    fields = ("number", "created_at", "created_by", "reason")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "交付基準の版（決定済みの案件は、決定した時点の版で計算します）"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ComponentRuleAdminMixin(RuleAdminMixin):
    """A formula component edited on its own page (with its bands): audited and versioned as its rule. It stays in
    its rule (``programme_year`` is read only once saved); adding one to a rule used by decided cases is refused
    here, since the reason of the change is asked on the rule's own page."""

    show_versions = False
    used_refusal = ("この交付基準は交付決定済みの案件に使われています。算定項目は「年度別の交付基準」の画面で、"
                    "改正の理由とともに追加・削除してください。")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Not on a rule used by decided cases (the list's bulk deletion too): the reason of the change is asked on
        the rule's own page."""
        if obj is not None and self._usage(request, obj) is not None:
            return False
        return super().has_delete_permission(request, obj)

    def rule_of(self, obj: models.Model) -> ProgrammeYear:
        rule = getattr(obj, "programme_year", None)
        assert isinstance(rule, ProgrammeYear)
        return rule

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return (*fields, "programme_year") if obj is not None else fields

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None:
            return form

        def clean(self: forms.ModelForm[Any]) -> dict[str, Any]:
            data = form.clean(self)
            rule = data.get("programme_year")
            if isinstance(rule, ProgrammeYear) and usage_of(rule, versions.snapshot(
                    versions.load_for_snapshot(rule.pk))) is not None:
                raise forms.ValidationError(ComponentRuleAdminMixin.used_refusal)
            return data

        return type(form.__name__, (form,), {"clean": clean})
