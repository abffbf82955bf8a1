"""issue_notice under acts that fail or roll back: a decision refused by the budget takes no number, an outer
rollback gives the number back, a failing 支払 notice rolls back the 額の確定 notice's number; who may issue."""
import pytest
from django.db import transaction

from grants.accounts.models import Role
from grants.cases import services
from grants.cases.batches import BatchError, approve_payment_batch, create_payment_batch, record_transfer_result
from grants.ledger.models import ItemResult
from grants.notices.models import DocumentSequence, Notice, NoticeKind
from grants.notices.services import issue_notice
from reports.zengin_batch import batch_file

pytestmark = pytest.mark.django_db


def test_decision_refused_by_the_budget_takes_no_number(programme_year, case, association_head, staff, approver, other_case, staff2) -> None:  # type: ignore[no-untyped-def]
    from grants.ledger.models import BudgetAccount

    services.submit_application(case_id=case.pk, actor=association_head)
    services.verify_application(case_id=case.pk, actor=staff)
    BudgetAccount.objects.filter(programme_year=programme_year).update(budget=1)
    with pytest.raises(services.CaseActionError):
        services.decide_grant(case_id=case.pk, actor=approver)
    assert not DocumentSequence.objects.filter(last_number__gt=0).exists()
    BudgetAccount.objects.filter(programme_year=programme_year).update(budget=5_000_000)
    services.decide_grant(case_id=case.pk, actor=approver)
    assert Notice.objects.get(case=case).number == 1


def test_outer_rollback_of_a_decision_returns_its_number(case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    services.verify_application(case_id=case.pk, actor=staff)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.decide_grant(case_id=case.pk, actor=approver)
        raise RuntimeError("the request failed after the decision")
    assert not Notice.objects.exists()
    assert DocumentSequence.objects.filter(last_number__gt=0).count() == 0
    services.decide_grant(case_id=case.pk, actor=approver)
    assert Notice.objects.get().number == 1


def test_payment_notice_failure_rolls_back_the_confirmation_number(decided_case, staff, finance, finance2, transfer_day, transfer_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Recording 振込完了 issues 額の確定 then 支払 notices; if the second fails, the first's number goes back."""
    from grants.notices import services as notice_services

    services.prepare_payment(case_id=decided_case.pk, actor=staff)
    services.approve_payment(case_id=decided_case.pk, actor=finance)
    batch = create_payment_batch(actor=finance, case_ids=[decided_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    before = DocumentSequence.objects.get().last_number
    real = notice_services.issue_notice

    def failing(*, case, kind, actor, **kw):  # type: ignore[no-untyped-def]
        if kind == NoticeKind.PAYMENT:
            raise notice_services.NoticeError("印刷できません")
        return real(case=case, kind=kind, actor=actor, **kw)

    monkeypatch.setattr(notice_services, "issue_notice", failing)
    with pytest.raises(BatchError):
        record_transfer_result(item_id=batch.items.get().pk, actor=finance, returned=False)
    assert DocumentSequence.objects.get().last_number == before
    assert not Notice.objects.filter(kind=NoticeKind.CONFIRMATION).exists()
    assert batch.items.get().result == ItemResult.SENT
    monkeypatch.setattr(notice_services, "issue_notice", real)
    record_transfer_result(item_id=batch.items.get().pk, actor=finance, returned=False)
    numbers = sorted(Notice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))  # no gap


def test_auditor_role_is_city_but_cannot_issue(decided_case, auditor) -> None:  # type: ignore[no-untyped-def]
    from grants.notices.services import NoticeError

    with pytest.raises(NoticeError):
        issue_notice(case=decided_case, kind=NoticeKind.CONFIRMATION, actor=auditor)
    assert auditor.role == Role.AUDITOR
