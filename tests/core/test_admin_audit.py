"""The audited admin's default hooks (grants.core.admin_audit), for a model admin that states no hook of its own:
the subject is the object, its state its concrete fields, and each changed field a line 「ラベル: 旧 → 新」."""
from django.contrib import admin

from grants.core.admin_audit import AuditedAdminMixin
from grants.core.models import AuditEvent


class EventAdmin(AuditedAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    pass


def _admin() -> EventAdmin:
    return EventAdmin(AuditEvent, admin.site)


def test_a_changed_field_is_one_line_with_its_label_and_both_values() -> None:
    event = AuditEvent(action="correct_household_count", note="")
    before = _admin().audit_state(event)
    event.note = "世帯数 120 → 118"
    assert _admin().audit_changes(before, _admin().audit_state(event)) == ["備考: （なし） → 世帯数 120 → 118"]


def test_an_unchanged_object_has_no_line_and_a_new_one_lists_its_filled_fields() -> None:
    event = AuditEvent(action="decide", note="")
    state = _admin().audit_state(event)
    assert _admin().audit_changes(state, state) == []
    lines = _admin().audit_changes(None, state)
    assert "操作: （なし） → decide" in lines
    assert not any(line.startswith("備考") for line in lines)  # empty: not listed
    assert _admin().audit_subject(event) is event
