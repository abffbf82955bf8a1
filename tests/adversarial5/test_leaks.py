"""Personal data of injured people where it must not be: the lists, the counts, the access log, the home page,
the audit trail outside the report's own page (the admin, the grant workbook), and error messages. The people's
names, addresses and phones are known values (``PERSONAL``); a page that may not show them must not contain any."""
import datetime as dt

import pytest
from django.urls import reverse

from grants.core.models import AuditEvent
from grants.insurance import claims, services
from grants.insurance.models import ClaimDocumentKind, PersonalDataAccess
from reports.exporters import AuditTrailReport, Scope
from tests import factories
from tests.factories import CURRENT_FY
from tests.insurance import builders
from tests.insurance.groups import PERSONAL, get_urls
from tests.insurance.pages import login

pytestmark = pytest.mark.django_db

NAMED_TITLE = "山田 太郎さんの診断書"


def _everything_happened(group, insurance, insurance2) -> None:  # type: ignore[no-untyped-def]
    """Every act that writes an audit row, on group A's accident, with a file titled by the injured person's
    name and every free-text reason filled in."""
    head, draft, claim = group.head, group.draft, group.claim
    services.add_attachment(actor=head, report_id=draft.pk, kind="other", title=NAMED_TITLE, upload=builders.pdf())
    services.remove_attachment(actor=head, report_id=draft.pk, attachment_id=draft.attachments.last().pk)
    services.remove_person(actor=head, report_id=draft.pk, person_id=draft.persons.first().pk)
    services.withdraw_report(actor=head, report_id=draft.pk, reason="けがが軽く、請求しないため。")
    claims.add_claim_document(actor=head, claim_id=claim.pk, kind=ClaimDocumentKind.RECEIPT, title=NAMED_TITLE,
                              upload=builders.pdf(), amount=3_000)
    claims.forward_claim(actor=insurance, claim_id=claim.pk)
    claims.record_payment(actor=insurance, claim_id=claim.pk, paid_on=builders.today(), amount=claim.computed_amount)
    other = builders.draft_report(head, group.organization, accident_date=builders.days_ago(1))
    services.submit_report(actor=head, report_id=other.pk)
    services.return_report(actor=insurance, report_id=other.pk, note="参加者名簿を添付してください。")


def test_regression_audit_notes_carry_no_attachment_title(group_a, insurance, insurance2) -> None:
    """Audit rows leave the report's page (the admin's 監査証跡, the grant workbook's scope queries): names,
    addresses, phones and file titles that name a person stay on the logged pages."""
    _everything_happened(group_a, insurance, insurance2)
    notes = "\n".join(AuditEvent.objects.values_list("note", flat=True))
    for personal in (*PERSONAL, NAMED_TITLE):
        assert personal not in notes, personal


def test_regression_admin_audit_trail_shows_no_attachment_title(client, group_a, insurance, insurance2) -> None:
    _everything_happened(group_a, insurance, insurance2)
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    changelist = client.get(reverse("admin:core_auditevent_changelist") + "?all=").content.decode()
    pages = [changelist] + [client.get(reverse("admin:core_auditevent_change", args=[pk])).content.decode()
                            for pk in AuditEvent.objects.values_list("pk", flat=True)]
    for page in pages:
        for personal in (*PERSONAL, NAMED_TITLE):
            assert personal not in page, personal


def test_the_grant_workbooks_audit_sheet_holds_no_insurance_event(group_a, insurance, insurance2) -> None:
    _everything_happened(group_a, insurance, insurance2)
    factories.programme_year_with_budget(budget=1_000_000)
    rows = list(AuditTrailReport(Scope.of_fiscal_year(CURRENT_FY)).rows())
    flat = "\n".join(str(cell) for row in rows for cell in row)
    assert "insurance" not in flat and "事故報告" not in flat
    for personal in (*PERSONAL, NAMED_TITLE):
        assert personal not in flat


def test_the_access_log_names_kinds_and_numbers_only(client, group_a, insurance, auditor) -> None:
    c = login(client, insurance)
    for target in get_urls(group_a).values():
        assert c.get(target).status_code == 200
    c.logout()
    assert PersonalDataAccess.objects.count() == len(get_urls(group_a))  # one row per file or page
    page = login(client, auditor).get(reverse("insurance_access_log")).content.decode()
    for personal in PERSONAL:
        assert personal not in page
    assert group_a.claim.number in page


@pytest.mark.parametrize("name", ["insurance_report_list", "insurance_claim_list", "home", "insurance_reminders",
                                  "insurance_statistics"])
def test_lists_and_counts_carry_no_names_even_with_a_late_reminder(client, group_a, insurance, name) -> None:
    """A claim overdue enough to be reminded puts its group and number on the reminders page, never the person."""
    old = builders.covered_report(group_a.head, insurance, group_a.organization, accident_date=builders.days_ago(300),
                                  delay_reason="入院していたため。")
    claim = claims.send_claim_forms(actor=insurance, report_id=old.pk, person_id=old.persons.get().pk)
    page = login(client, insurance).get(reverse(name)).content.decode()
    if name == "insurance_reminders":
        assert claim.number in page
    for personal in PERSONAL:
        assert personal not in page, (name, personal)
    assert PersonalDataAccess.objects.count() == 0


def test_the_404_of_another_groups_page_names_nobody(client, group_a, group_b) -> None:
    c = login(client, group_a.head)
    for target in get_urls(group_b).values():
        body = c.get(target).content.decode()
        assert "湯田 花子" not in body


def test_a_refusal_message_to_the_group_names_nobody_of_another_group(client, group_a, group_b) -> None:
    """The message of a refused act (shown on the next page) says what is wrong, never whose record it was."""
    c = login(client, group_a.head)
    response = c.post(reverse("insurance_report_remove_person",
                              args=[group_a.draft.pk, group_b.draft.persons.first().pk]), follow=True)
    body = response.content.decode()
    assert "この事故報告書の関係者を選んでください" in body
    assert "湯田 花子" not in body


def test_a_birth_date_is_not_on_the_claim_list(client, group_a, insurance) -> None:
    page = login(client, insurance).get(reverse("insurance_claim_list")).content.decode()
    assert "1960" not in page and dt.date(1960, 4, 1).isoformat() not in page


def test_the_attachments_history_names_its_kind_and_number(group_a) -> None:
    """Without the title, the report's history still says which document came and went."""
    head, draft = group_a.head, group_a.draft
    added = services.add_attachment(actor=head, report_id=draft.pk, kind="other", title=NAMED_TITLE,
                                    upload=builders.pdf())
    services.remove_attachment(actor=head, report_id=draft.pk, attachment_id=added.pk)
    notes = list(AuditEvent.objects.for_object(draft).filter(action__endswith="_attachment")
                 .values_list("note", flat=True))
    assert notes[-2:] == [f"その他（写真・図面など）（書類番号 {added.pk}）"] * 2
