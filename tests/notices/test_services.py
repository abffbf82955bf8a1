"""issue_notice: one sequence per programme and 年度 shared by all kinds, never repeating or skipping."""
import datetime as dt

import pytest
from django.db import transaction

from grants.cases import services
from grants.core.fiscal import era_year
from grants.core.models import AuditEvent
from grants.ledger.models import BudgetAccount
from grants.ledger.services import set_budget
from grants.notices.models import DocumentSequence, Notice, NoticeKind, format_document_number
from grants.notices.services import NoticeError, issue_notice, locked_sequence, mask_account_number
from tests import factories
from tests.cases.steps import to_decided, to_verified
from tests.notices.builders import new_case, paid, with_relations

pytestmark = pytest.mark.django_db


# The notices' case (tests/conftest.py notice_case) is this module's case: decided_case and refused_case build on it.
@pytest.fixture
def case(notice_case):  # type: ignore[no-untyped-def]
    return notice_case


ERA_YEAR = era_year(dt.date(factories.CURRENT_FY, 4, 1))[1]


def test_document_number_format() -> None:
    assert format_document_number("山協", 2026, 12) == "山協第8-12号"
    assert format_document_number("山協", 2019, 1) == "山協第31-1号"  # 年度 named by its first day: 平成31年4月1日
    assert format_document_number("山協", 2020, 3) == "山協第2-3号"
    assert format_document_number("山協", 1989, 1) == "山協第元-1号"  # 平成元年4月1日


def test_decision_notice_takes_number_one_and_snapshots_the_case(decided_case, approver) -> None:  # type: ignore[no-untyped-def]
    notice = issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)
    assert (notice.number, notice.fiscal_year, notice.amount) == (1, factories.CURRENT_FY, 70_000)
    assert notice.document_number == f"山協第{ERA_YEAR}-1号"
    assert notice.issued_by == approver
    assert notice.details["organization"] == decided_case.organization.name
    assert (notice.details["head_title"], notice.details["head_name"]) == ("会長", "山口 太郎")
    assert notice.details["decided_amount"] == 70_000
    assert notice.details["computation_lines"][-1]["amount"] == 70_000
    seq = DocumentSequence.objects.get()
    assert (seq.programme, seq.fiscal_year, seq.prefix, seq.last_number) == (
        decided_case.programme_year.programme, factories.CURRENT_FY, "山協", 1)
    event = AuditEvent.objects.for_object(decided_case).get(action="issue_notice")
    assert event.actor == approver and notice.document_number in event.note
    assert list(decided_case.notices.all()) == [notice]


def test_all_kinds_share_one_sequence(decided_case, refused_case, staff, approver, finance) -> None:  # type: ignore[no-untyped-def]
    first = issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)
    second = issue_notice(case=refused_case, kind=NoticeKind.REFUSAL, actor=approver)
    paid_case = with_relations(paid(decided_case, staff, finance))
    third = issue_notice(case=paid_case, kind=NoticeKind.PAYMENT, actor=finance)
    fourth = issue_notice(case=paid_case, kind=NoticeKind.CONFIRMATION, actor=staff)
    assert [n.number for n in (first, second, third, fourth)] == [1, 2, 3, 4]
    assert DocumentSequence.objects.get().last_number == 4
    assert second.amount == 0 and second.details["reason"] == "活動実績が確認できないため。"
    assert third.amount == 70_000 and third.details["paid_on"] == paid_case.paid_on.isoformat()


def test_issuing_twice_returns_the_same_notice_without_a_new_number(decided_case, approver, staff) -> None:  # type: ignore[no-untyped-def]
    first = issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)
    again = issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=staff)
    assert again.pk == first.pk and again.issued_by == approver
    assert DocumentSequence.objects.get().last_number == 1
    assert AuditEvent.objects.for_object(decided_case).filter(action="issue_notice").count() == 1


def test_rollback_of_the_callers_transaction_returns_the_number(decided_case, approver) -> None:  # type: ignore[no-untyped-def]
    before = DocumentSequence.objects.get().last_number  # the decision notice issued by 交付決定
    with pytest.raises(RuntimeError), transaction.atomic():
        issue_notice(case=decided_case, kind=NoticeKind.CONFIRMATION, actor=approver)
        raise RuntimeError("the act the notice reports failed")
    assert not Notice.objects.filter(kind=NoticeKind.CONFIRMATION).exists()
    assert DocumentSequence.objects.get().last_number == before
    assert issue_notice(case=decided_case, kind=NoticeKind.CONFIRMATION, actor=approver).number == before + 1


def test_decision_rolled_back_with_its_act_takes_no_number(case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    """交付決定 refused by the budget check after nothing else: no notice, no number used."""

    to_verified(case, association_head, staff)
    BudgetAccount.objects.filter(programme_year=case.programme_year).update(budget=1)  # less than the amount
    with pytest.raises(services.CaseActionError):
        services.decide_grant(case_id=case.pk, actor=approver)
    assert not Notice.objects.exists() and not DocumentSequence.objects.filter(last_number__gt=0).exists()


def test_confirmation_is_the_decided_amount_unless_a_lower_one_is_given(decided_case, refused_case, staff) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NoticeError, match="確定額"):
        issue_notice(case=decided_case, kind=NoticeKind.CONFIRMATION, actor=staff, confirmed_amount=70_001)
    with pytest.raises(NoticeError, match="確定額"):
        issue_notice(case=decided_case, kind=NoticeKind.CONFIRMATION, actor=staff, confirmed_amount=-1)
    before = DocumentSequence.objects.get().last_number
    notice = issue_notice(case=decided_case, kind=NoticeKind.CONFIRMATION, actor=staff, confirmed_amount=65_000)
    assert (notice.amount, notice.details["confirmed_amount"], notice.details["decided_amount"]) == (
        65_000, 65_000, 70_000)
    assert notice.number == before + 1  # refused attempts used no number


def test_confirmation_defaults_to_decided_amount(decided_case, staff) -> None:  # type: ignore[no-untyped-def]
    assert issue_notice(case=decided_case, kind=NoticeKind.CONFIRMATION, actor=staff).amount == 70_000


@pytest.mark.parametrize("kind", [NoticeKind.DECISION, NoticeKind.REFUSAL, NoticeKind.CONFIRMATION,
                                  NoticeKind.PAYMENT])
def test_a_draft_case_has_no_notice(case, staff, kind) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NoticeError):
        issue_notice(case=with_relations(case), kind=kind, actor=staff)
    assert not DocumentSequence.objects.filter(last_number__gt=0).exists()


def test_wrong_kind_for_the_state_and_unknown_kind(decided_case, refused_case, staff) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NoticeError):
        issue_notice(case=decided_case, kind=NoticeKind.REFUSAL, actor=staff)
    with pytest.raises(NoticeError):
        issue_notice(case=decided_case, kind=NoticeKind.PAYMENT, actor=staff)
    with pytest.raises(NoticeError):
        issue_notice(case=refused_case, kind=NoticeKind.DECISION, actor=staff)
    with pytest.raises(NoticeError):
        issue_notice(case=decided_case, kind="reminder", actor=staff)


def test_only_issuing_roles_issue(decided_case, association_head, auditor) -> None:  # type: ignore[no-untyped-def]
    for user in (association_head, auditor):
        with pytest.raises(NoticeError, match="権限"):
            issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=user)


def test_payment_notice_masks_the_account(decided_case, staff, finance) -> None:  # type: ignore[no-untyped-def]
    paid_case = with_relations(paid(decided_case, staff, finance))
    notice = issue_notice(case=paid_case, kind=NoticeKind.PAYMENT, actor=finance)
    assert notice.details["account"] == "山口銀行 本店営業部 普通 ****567"
    assert "1234567" not in str(notice.details)
    assert mask_account_number("1234567") == "****567" and mask_account_number("12") == "**"


def test_notice_keeps_the_head_of_the_day_of_issue(decided_case, approver) -> None:  # type: ignore[no-untyped-def]
    notice = issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)
    decided_case.organization.representatives.update(name="後任 次郎")
    notice.refresh_from_db()
    assert notice.details["head_name"] == "山口 太郎"


def test_issued_notice_cannot_be_changed(decided_case, approver) -> None:  # type: ignore[no-untyped-def]
    notice = issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)
    notice.amount = 1
    with pytest.raises(ValueError, match="変更できません"):
        notice.save()


def test_prefix_carries_over_from_the_previous_year(staff, approver, finance) -> None:  # type: ignore[no-untyped-def]
    py = factories.rule(code="carry_over")
    BudgetAccount.objects.create(programme_year=py)
    set_budget(programme_year=py, budget=1_000_000, actor=finance)
    DocumentSequence.objects.create(programme=py.programme, fiscal_year=factories.CURRENT_FY - 1, prefix="山口協働")
    head = factories.UserFactory(username="carry-head", role="association_head")
    case = to_decided(new_case(py, head_user=head), head, staff, approver)
    assert case.notices.get().document_number == f"山口協働第{ERA_YEAR}-1号"


def test_second_programme_does_not_take_a_prefix_used_this_year(decided_case, approver, settings) -> None:  # type: ignore[no-untyped-def]
    issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)  # 山協 for the first programme
    other = factories.programme("other_programme")
    with transaction.atomic():
        seq = locked_sequence(other, factories.CURRENT_FY)
    assert seq.prefix == f"山協{other.pk}"
    settings.NOTICE_DEFAULT_PREFIX = "山口市協"
    third = factories.programme("third_programme")
    with transaction.atomic():
        assert locked_sequence(third, factories.CURRENT_FY).prefix == "山口市協"


def test_a_prefix_edited_to_an_issued_number_is_refused(decided_case, approver, staff, finance) -> None:  # type: ignore[no-untyped-def]
    issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)
    first = DocumentSequence.objects.get()
    # Staff rename the first programme's prefix, then give the old one to a second programme: its first number
    # would print 山協第N-1号 a second time, which the service refuses (and takes no number).
    DocumentSequence.objects.filter(pk=first.pk).update(prefix="旧山協")
    py = factories.rule(code="other_programme")
    BudgetAccount.objects.create(programme_year=py)
    set_budget(programme_year=py, budget=1_000_000, actor=finance)
    second = DocumentSequence.objects.create(programme=py.programme, fiscal_year=py.fiscal_year, prefix="山協")
    head = factories.UserFactory(username="second-head", role="association_head")
    from grants.cases.models import Status

    other_case = to_verified(new_case(py, head_user=head), head, staff)
    with pytest.raises(services.CaseActionError, match="すでに使われています"):
        services.decide_grant(case_id=other_case.pk, actor=approver)  # the act and its notice fail together
    second.refresh_from_db()
    assert second.last_number == 0 and not other_case.notices.exists()
    other_case.refresh_from_db()
    assert other_case.status == Status.VERIFIED
