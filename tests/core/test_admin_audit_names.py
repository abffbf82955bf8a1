"""The audit trail's admin (grants/core/admin.py) names acts and states in words — 交付決定, 審査済（決裁待ち） —
not by their codes (decide, verified), in its list and in its filter; the names come from grants.cases.labels,
registered at start-up (grants.core sits below it)."""
import pytest
from django.urls import reverse

from grants.core.models import ACTION_NAMES, record_event

pytestmark = pytest.mark.django_db


def table(page: str) -> str:
    start = page.index('id="result_list"')
    return page[start:page.index("</table>", start)]


def test_the_audit_list_and_its_filter_show_words_not_codes(client, root, case) -> None:  # type: ignore[no-untyped-def]
    assert ACTION_NAMES["decide"] == "交付決定" and ACTION_NAMES["admin_change"] == "管理画面での変更"
    record_event(actor=root, subject=case, action="decide", from_state="verified", to_state="decided",
                 machine="case.formula")
    record_event(actor=root, subject=case, action="recompute_at_decision", note="算定のやり直し")
    client.force_login(root)
    page = client.get(reverse("admin:core_auditevent_changelist")).content.decode()
    listed = table(page)
    assert "交付決定" in listed and "交付決定時の算定のやり直し" in listed
    assert "審査済（決裁待ち）" in listed and "交付決定済" in listed
    for code in (">decide<", ">recompute_at_decision<", ">verified<", ">decided<"):
        assert code not in page, code
    # the filter lists the acts by name, and filters by the code behind it
    assert "?action=recompute_at_decision" in page and ">交付決定時の算定のやり直し</a>" in page
    only = client.get(reverse("admin:core_auditevent_changelist"), {"action": "decide"}).content.decode()
    assert "交付決定時の算定のやり直し" not in table(only) and "交付決定" in table(only)
