"""Regressions found while building the council pages: override carried into a change, decision after a plan
revision, 額の確定 while a bank result is unknown."""
import datetime as dt

import pytest
from django.utils import timezone

from grants.cases import budget, lifecycle, orders, refunds
from grants.cases import services as case_services
from grants.cases.batches import BatchError, approve_payment_batch, create_payment_batch
from grants.cases.models import PerformanceReport, Status
from grants.cases.workflows import CaseActionError
from grants.councils import plans
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry, OrderStatus
from grants.ledger.transfers import earliest_transfer_date
from grants.notices.models import Notice
from tests.councils import builders
from tests.councils.helpers import decide, fake_file, line, pay_orders
from tests.councils.steps import decided, draft, fresh, paid, reported, scheduled, today
from tests.factories import CURRENT_FY


def _excluded_case(w):  # type: ignore[no-untyped-def]
    case = builders.draft_case(w.py, w.org)
    line(case, w.secretary, category=w.cats["genzairyo"], plan_item=builders.item(w.plan, "1-1-2"),
         amount=300_000)
    bad = line(case, w.secretary, category=w.cats["kosaihi"], plan_item=builders.item(w.plan, "1-1-1"),
               amount=10_000, description="来賓への記念品")
    lifecycle.submit(case_id=case.pk, actor=w.secretary)
    override = case_services.override_check(case_id=case.pk, actor=w.staff, check_code=f"category@b{bad.pk}",
                                            justification="市の式典で市長の指示による")
    case_services.approve_override(case_id=case.pk, override_id=override.pk, actor=w.approver)
    return case, bad


def test_regression_an_approved_override_carries_into_the_change_lines(world):  # type: ignore[no-untyped-def]
    case, bad = _excluded_case(world)
    case.refresh_from_db()
    lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=310_000,
                     completion_deadline=case.project_end)
    lifecycle.decide(case_id=case.pk, actor=world.approver)
    change = lifecycle.start_change(case_id=case.pk, actor=world.secretary, reason="数量の見直し",
                                    requested_amount=310_000)
    copy = change.lines.get(description="来賓への記念品")
    carried = case.overrides.get(check_code=f"category@b{copy.pk}")
    assert carried.actor == world.staff and carried.approved_by == world.approver
    assert "変更前の明細「来賓への記念品」の特例判断を引継ぎ" in carried.justification  # by description, never b12
    lifecycle.request_change(case_id=case.pk, actor=world.secretary)
    lifecycle.check_change(case_id=case.pk, actor=world.staff2, assessed_amount=310_000)  # no refusal


def test_regression_deleting_a_change_line_drops_its_carried_override(world):  # type: ignore[no-untyped-def]
    case, bad = _excluded_case(world)
    case.refresh_from_db()
    lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=310_000,
                     completion_deadline=case.project_end)
    lifecycle.decide(case_id=case.pk, actor=world.approver)
    change = lifecycle.start_change(case_id=case.pk, actor=world.secretary, reason="記念品をやめる",
                                    requested_amount=300_000)
    copy = change.lines.get(description="来賓への記念品")
    budget.delete_line(case_id=case.pk, actor=world.secretary, where="change", line_id=copy.pk)
    assert not case.overrides.filter(check_code=f"category@b{copy.pk}").exists()
    assert case.overrides.filter(check_code=f"category@b{bad.pk}").exists()  # the original decision stays


def test_regression_decision_refused_when_the_plan_was_revised_after_review(world):  # type: ignore[no-untyped-def]
    case = builders.draft_case(world.py, world.org)
    line(case, world.secretary, category=world.cats["genzairyo"],
         plan_item=builders.item(world.plan, "1-1-2"), amount=300_000)
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=300_000,
                     completion_deadline=case.project_end)
    revision = plans.start_revision(actor=world.secretary, plan_id=world.plan.pk, reason="防災の取組を追加")
    plans.submit_plan(actor=world.secretary, plan_id=revision.pk)
    plans.approve_plan(actor=world.staff2, plan_id=revision.pk)
    with pytest.raises(CaseActionError, match="審査の後に地域づくり計画が改定されました"):
        lifecycle.decide(case_id=case.pk, actor=world.approver)
    case.refresh_from_db()
    assert case.status == "verified" and case.decided_amount is None


def test_regression_confirmation_waits_for_the_bank_result(world):  # type: ignore[no-untyped-def]
    builders.instalments(world.py, [(1, 1)])
    case = builders.draft_case(world.py, world.org)
    line(case, world.secretary, category=world.cats["genzairyo"],
         plan_item=builders.item(world.plan, "1-1-2"), amount=300_000)
    case = decide(case, world.secretary, world.staff, world.approver)
    pay_orders(case, world.staff, world.finance, world.finance2, record=False)
    lifecycle.save_report(case_id=case.pk, actor=world.secretary, narrative="実施した。",
                          completed_on=timezone.localdate())
    line(case, world.secretary, where="report", category=world.cats["genzairyo"],
         plan_item=builders.item(world.plan, "1-1-2"), amount=200_000)
    lifecycle.submit_report(case_id=case.pk, actor=world.secretary)
    lifecycle.verify_report(case_id=case.pk, actor=world.staff)
    with pytest.raises(CaseActionError, match="銀行の振込結果がまだ記録されていない支払があります"):
        lifecycle.confirm(case_id=case.pk, actor=world.approver)


def test_regression_instalments_dated_before_the_decision_fall_due_on_the_decision_day(world):  # type: ignore[no-untyped-def]
    """The year's plan dates instalments in April and October; a decision in November must not schedule (and print
    on the notice) advances dated before itself."""
    import datetime as dt

    from grants.programmes.models import Instalment

    today = timezone.localdate()
    Instalment.objects.create(programme_year=world.py, order=1, label="第1回（4月）", share_numerator=1,
                              share_denominator=2, pay_on=dt.date(world.py.fiscal_year, 4, 25))
    Instalment.objects.create(programme_year=world.py, order=2, label="第2回（3月）", share_numerator=1,
                              share_denominator=4, pay_on=dt.date(world.py.fiscal_year + 1, 3, 25))
    case = builders.draft_case(world.py, world.org)
    line(case, world.secretary, category=world.cats["genzairyo"],
         plan_item=builders.item(world.plan, "1-1-2"), amount=400_000)
    case = decide(case, world.secretary, world.staff, world.approver)
    dates = list(case.payment_orders.order_by("number").values_list("pay_on", flat=True))
    assert dates == [max(dt.date(world.py.fiscal_year, 4, 25), today),
                     max(dt.date(world.py.fiscal_year + 1, 3, 25), today)]
    assert all(day >= case.decided_on for day in dates)


def test_regression_carried_override_keeps_the_original_judgment_time(world):  # type: ignore[no-untyped-def]
    case, bad = _excluded_case(world)
    case.refresh_from_db()
    lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=310_000,
                     completion_deadline=case.project_end)
    lifecycle.decide(case_id=case.pk, actor=world.approver)
    change = lifecycle.start_change(case_id=case.pk, actor=world.secretary, reason="見直し",
                                    requested_amount=310_000)
    original = case.overrides.get(check_code=f"category@b{bad.pk}")
    carried = case.overrides.get(check_code=f"category@b{change.lines.get(description='来賓への記念品').pk}")
    assert carried.at == original.at <= carried.approved_at


def test_override_can_be_refused_by_a_second_person_and_withdrawn_by_its_author(world):  # type: ignore[no-untyped-def]
    from grants.core.models import AuditEvent

    case = builders.draft_case(world.py, world.org)
    bad = line(case, world.secretary, category=world.cats["kosaihi"],
               plan_item=builders.item(world.plan, "1-1-1"), amount=10_000, description="記念品")
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    code = f"category@b{bad.pk}"
    first = case_services.override_check(case_id=case.pk, actor=world.staff, check_code=code, justification="例外")
    with pytest.raises(CaseActionError, match="却下の理由を入力してください"):
        case_services.reject_override(case_id=case.pk, override_id=first.pk, actor=world.approver, note=" ")
    with pytest.raises(CaseActionError, match="権限がありません"):
        case_services.reject_override(case_id=case.pk, override_id=first.pk, actor=world.finance, note="不可")
    case_services.reject_override(case_id=case.pk, override_id=first.pk, actor=world.approver,
                                  note="交際費は例外を認めない")
    assert not case.overrides.exists()
    event = AuditEvent.objects.for_object(case).get(action="reject_override")
    assert "例外" in event.note and "交際費は例外を認めない" in event.note
    second = case_services.override_check(case_id=case.pk, actor=world.staff, check_code=code, justification="再考")
    case_services.reject_override(case_id=case.pk, override_id=second.pk, actor=world.staff, note="取り下げ")
    third = case_services.override_check(case_id=case.pk, actor=world.staff, check_code=code, justification="再々")
    case_services.approve_override(case_id=case.pk, override_id=third.pk, actor=world.staff2)
    with pytest.raises(CaseActionError, match="承認済みの特例判断は却下できません"):
        case_services.reject_override(case_id=case.pk, override_id=third.pk, actor=world.approver, note="遅い")


def test_katsudo_year_with_advances_change_report_and_refund(council, katsudo, staff, staff2, approver, finance,
                                                             finance2):
    org, secretary = council
    plan = builders.approved_plan(org, staff)
    builders.instalments(katsudo, [(1, 2), (1, 4)])
    cats = builders.categories()
    case = builders.draft_case(katsudo, org)
    line(case, secretary, category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"), amount=600_000,
         description="水路補修の原材料")
    line(case, secretary, category=cats["hoshohi"], plan_item=builders.item(plan, "1-1-1"), amount=400_001,
         description="防災訓練の講師謝礼")
    case = decide(case, secretary, staff, approver, amount=1_000_000, conditions="事業の内容を広報紙で周知すること",
                  note="端数を調整")
    assert case.status == Status.DECIDED and case.decided_amount == 1_000_000 and case.applied_amount == 1_000_001
    assert case.plan == plan
    advances = list(case.payment_orders.order_by("number").values_list("amount", flat=True))
    assert advances == [500_000, 250_000]
    assert Notice.objects.filter(case=case, kind="decision").exists()

    pay_orders(case, staff, finance, finance2)
    case.refresh_from_db()
    assert case.paid_amount == 750_000
    assert Notice.objects.filter(case=case, kind="payment").count() == 2

    # 変更承認申請: the amount goes down to 900,000.
    change = lifecycle.start_change(case_id=case.pk, actor=secretary, reason="資材費の減少", requested_amount=900_000)
    assert change.lines.count() == 2
    lifecycle.request_change(case_id=case.pk, actor=secretary)
    lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=900_000)
    case = lifecycle.approve_change(case_id=case.pk, actor=approver)
    assert case.decided_amount == 900_000
    account = BudgetAccount.objects.get(programme_year=katsudo)
    assert account.committed == 900_000
    assert Notice.objects.filter(case=case, kind="change_decision").exists()

    # 実績報告: eligible actual costs 700,000 → confirmed 700,000, refund 50,000.
    lifecycle.save_report(case_id=case.pk, actor=secretary, narrative="防災訓練と水路補修を行った。",
                          completed_on=timezone.localdate())
    line(case, secretary, where="report", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         amount=500_000, description="水路補修の原材料", recipient="大歳第1自治会")
    line(case, secretary, where="report", category=cats["hoshohi"], plan_item=builders.item(plan, "1-1-1"),
         amount=200_000, description="講師謝礼")
    lifecycle.submit_report(case_id=case.pk, actor=secretary)
    lifecycle.verify_report(case_id=case.pk, actor=staff)
    case = lifecycle.confirm(case_id=case.pk, actor=approver)
    assert case.confirmed_amount == 700_000 and case.status == Status.CONFIRMED
    order = case.refund_order
    assert order.principal == 50_000
    assert Notice.objects.filter(case=case, kind="refund_order").exists()
    account.refresh_from_db()
    assert account.committed == 750_000  # stays at what was paid until the refund comes back

    due = refunds.outstanding(case.refund_order, timezone.localdate())
    assert due == {"principal": 50_000, "surcharge": 0, "late": 0}  # no 加算金 after 額の確定
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=50_000, received_on=timezone.localdate())
    case.refresh_from_db()
    order.refresh_from_db()
    account.refresh_from_db()
    assert case.refunded_amount == 50_000
    assert account.committed == 700_000 and account.paid - account.refunded == 700_000
    assert case.status == Status.CLOSED
    assert PerformanceReport.objects.get(case=case).lines.exclude(recipient="").count() == 1


def test_unei_year_with_settlement(council, unei, staff, approver, finance, finance2):
    org, secretary = council
    builders.approved_plan(org, staff)
    builders.instalments(unei, [(1, 2)])
    cats = builders.categories()
    person = builders.staff_member(org, secretary)  # 207,000 a month
    fy_start = dt.date(unei.fiscal_year, 4, 1)
    case = builders.draft_case(unei, org, start=fy_start)
    line(case, secretary, category=cats["jinkenhi"], staff=person, amount=person.cost_in(unei.fiscal_year),
         description="事務局員 人件費", spent_on=fy_start)
    line(case, secretary, category=cats["kounetsu"], amount=700_000, description="事務所の光熱水費",
         spent_on=fy_start)
    # min(2,400,000, 2,484,000) + min(600,000, 700,000) = 3,000,000
    case = decide(case, secretary, staff, approver)
    assert case.decided_amount == 3_000_000
    assert [o.amount for o in case.payment_orders.all()] == [1_500_000]
    pay_orders(case, staff, finance, finance2)
    lifecycle.save_report(case_id=case.pk, actor=secretary, narrative="事務局を運営した。",
                          completed_on=timezone.localdate())
    line(case, secretary, where="report", category=cats["jinkenhi"], staff=person, amount=2_300_000,
         description="人件費（実績）", spent_on=fy_start)
    line(case, secretary, where="report", category=cats["kounetsu"], amount=550_000, description="光熱水費（実績）",
         spent_on=fy_start)
    lifecycle.submit_report(case_id=case.pk, actor=secretary)
    lifecycle.verify_report(case_id=case.pk, actor=staff)
    case = lifecycle.confirm(case_id=case.pk, actor=approver)
    assert case.confirmed_amount == 2_850_000
    settlement = case.payment_orders.get(kind="settlement")
    assert settlement.amount == 1_350_000 and settlement.status == OrderStatus.SCHEDULED
    pay_orders(case, staff, finance, finance2, kinds=("settlement",))
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.paid_amount == 2_850_000


# Double clicks: every act posted twice in a row. The second is refused with a message (or, where two equal
# acts are legitimate, does exactly what it says), and nothing is written twice.


@pytest.mark.django_db
def test_verify_and_decide_twice(katsudo, council, staff, staff2, approver, approver2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft(katsudo, council, staff)
    lifecycle.submit(case_id=case.pk, actor=council[1])
    deadline = dt.date(CURRENT_FY + 1, 3, 31)
    lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=1_000_000, completion_deadline=deadline)
    with pytest.raises(CaseActionError):
        lifecycle.verify(case_id=case.pk, actor=staff2, assessed_amount=1_000_000, completion_deadline=deadline)
    lifecycle.decide(case_id=case.pk, actor=approver)
    with pytest.raises(CaseActionError):
        lifecycle.decide(case_id=case.pk, actor=approver2)
    assert LedgerEntry.objects.filter(case=case, kind=EntryKind.COMMITMENT).count() == 1
    assert Notice.objects.filter(case=case, kind="decision").count() == 1


@pytest.mark.django_db
def test_order_prepared_approved_and_batched_twice(katsudo, council, staff, staff2, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    order = scheduled(case)[0]
    orders.prepare_order(order_id=order.pk, actor=staff)
    with pytest.raises(CaseActionError, match="起票できません"):
        orders.prepare_order(order_id=order.pk, actor=staff2)
    orders.approve_order(order_id=order.pk, actor=finance)
    with pytest.raises(CaseActionError, match="承認できません"):
        orders.approve_order(order_id=order.pk, actor=finance2)
    batch = create_payment_batch(actor=finance, case_ids=[], order_ids=[order.pk],
                                 transfer_date=earliest_transfer_date())
    with pytest.raises(CaseActionError, match="振込バッチに入っている"):
        orders.reject_order(order_id=order.pk, actor=finance2, note="x")
    with pytest.raises(BatchError, match="すでに振込バッチ"):
        create_payment_batch(actor=finance2, case_ids=[], order_ids=[order.pk], transfer_date=earliest_transfer_date())
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    with pytest.raises(BatchError, match="すでに承認"):
        approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    assert LedgerEntry.objects.filter(case=case, kind=EntryKind.PAYMENT).count() == 1
    assert fresh(case).paid_amount == order.amount


@pytest.mark.django_db
def test_change_approved_twice_moves_the_commitment_once(katsudo, council, staff, approver, approver2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    lifecycle.start_change(case_id=case.pk, actor=council[1], reason="減額", requested_amount=800_000)
    lifecycle.request_change(case_id=case.pk, actor=council[1])
    lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=800_000)
    lifecycle.approve_change(case_id=case.pk, actor=approver)
    with pytest.raises(CaseActionError):
        lifecycle.approve_change(case_id=case.pk, actor=approver2)
    from grants.ledger.services import case_totals

    assert case_totals(case)[EntryKind.COMMITMENT] == 800_000
    assert Notice.objects.filter(case=case, kind="change_decision").count() == 1


@pytest.mark.django_db
def test_report_submitted_and_confirmed_twice(katsudo, council, staff, approver, approver2, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
    reported(case, plan, cats, council[1], staff)
    with pytest.raises(CaseActionError):
        lifecycle.submit_report(case_id=case.pk, actor=council[1])
    lifecycle.confirm(case_id=case.pk, actor=approver)
    with pytest.raises(CaseActionError):
        lifecycle.confirm(case_id=case.pk, actor=approver2)
    assert Notice.objects.filter(case=case, kind="confirmation").count() == 1
    assert Notice.objects.filter(case=case, kind="refund_order").count() == 1


@pytest.mark.django_db
def test_cancel_twice(katsudo, council, staff, approver, approver2, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = paid(katsudo, council, staff, approver, finance, finance2)
    lifecycle.cancel(case_id=case.pk, actor=approver, note="目的外使用")
    with pytest.raises(CaseActionError):
        lifecycle.cancel(case_id=case.pk, actor=approver2, note="目的外使用")
    assert Notice.objects.filter(case=case, kind="refund_order").count() == 1


# Bad input in every form of the council pages: amounts that are negative, huge, not integers or in other
# digits; dates outside the 年度 or at the end of the calendar; empty, very long or control-character texts;
# HTML in every text (escaped in pages and notices); and rows of another council or programme-year posted
# directly. The page always answers (never a 500), names the field, and writes nothing.


@pytest.fixture
def drafted(katsudo, council, staff):  # type: ignore[no-untyped-def]
    return draft(katsudo, council, staff)


@pytest.mark.django_db
def test_verify_completion_deadline_and_amounts_are_bounded(council, staff, drafted) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = drafted
    lifecycle.submit(case_id=case.pk, actor=council[1])
    deadline = dt.date(CURRENT_FY + 1, 3, 31)
    for amount in (0, -1, True, 1_000_001, 10**30, 500_000.0):
        with pytest.raises(CaseActionError, match="査定額"):
            lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=amount, completion_deadline=deadline,
                             note="x")
    for day in (dt.date(CURRENT_FY + 1, 4, 1), dt.date(9999, 12, 31), None):
        with pytest.raises(CaseActionError, match="完了期限"):
            lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=1_000_000, completion_deadline=day)
    assert fresh(case).status == Status.SUBMITTED


@pytest.mark.django_db
def test_regression_verify_with_a_deadline_or_conditions_of_the_wrong_type_is_refused(council, staff, drafted) -> None:  # type: ignore[no-untyped-def]
    """The 審査's effect compared the completion deadline with the 年度's bounds as given: a text ("2027-03-31")
    or a datetime raised TypeError (a server error, not a refusal), and conditions that were not text raised
    AttributeError."""
    case, _, _ = drafted
    lifecycle.submit(case_id=case.pk, actor=council[1])
    for day in ("2027-03-31", dt.datetime(CURRENT_FY + 1, 3, 1, 9, 0, tzinfo=dt.UTC), CURRENT_FY + 1):
        with pytest.raises(CaseActionError, match="完了期限"):
            lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=1_000_000, completion_deadline=day)  # type: ignore[arg-type]
    with pytest.raises(CaseActionError, match="交付の条件"):
        lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=1_000_000, conditions=123,  # type: ignore[arg-type]
                         completion_deadline=dt.date(CURRENT_FY + 1, 3, 31))
    assert fresh(case).status == Status.SUBMITTED


@pytest.mark.django_db
def test_regression_application_and_report_dates_of_the_wrong_type_are_refused(council, staff, approver,  # type: ignore[no-untyped-def]
                                                                              katsudo) -> None:
    """The 着手予定日・完了予定日 and the 事業完了日 were compared with the 年度's bounds as given: a text or a
    datetime raised TypeError instead of the refusal naming the field."""
    case, _, _ = draft(katsudo, council, staff)
    day = dt.date(CURRENT_FY, 6, 1)
    for start, end in (("2026-06-01", day), (day, dt.datetime(CURRENT_FY, 7, 1, tzinfo=dt.UTC))):
        with pytest.raises(CaseActionError, match="予定日"):
            lifecycle.save_application(case_id=case.pk, actor=council[1], project_title="事業",  # type: ignore[arg-type]
                                       project_start=start, project_end=end)
    assert fresh(case).project_title == case.project_title
    case = decide(case, council[1], staff, approver)
    for completed in (today().isoformat(), timezone.now()):
        with pytest.raises(CaseActionError, match="事業完了日"):
            lifecycle.save_report(case_id=case.pk, actor=council[1], narrative="実施", completed_on=completed)  # type: ignore[arg-type]
    assert not PerformanceReport.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_regression_huge_change_amount_is_refused_not_a_database_error(council, staff, approver, katsudo) -> None:  # type: ignore[no-untyped-def]
    """The service took any integer as 変更後の交付申請額; one above the database's range crashed the act."""
    case, _, _ = decided(katsudo, council, staff, approver)
    for amount in (2**63, 10**30):
        with pytest.raises(CaseActionError, match="変更後の交付申請額"):
            lifecycle.start_change(case_id=case.pk, actor=council[1], reason="増額", requested_amount=amount)
    assert not case.change_requests.exists()


@pytest.mark.django_db
def test_change_fields_are_checked(council, staff, approver, katsudo) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    for kwargs, match in (
        ({"reason": "  ", "requested_amount": 900_000}, "変更の理由"),
        ({"reason": "x", "requested_amount": 0}, "変更後の交付申請額"),
        ({"reason": "x", "requested_amount": -1}, "変更後の交付申請額"),
        ({"reason": "x", "requested_amount": True}, "変更後の交付申請額"),
        ({"reason": "x", "requested_amount": "900000"}, "変更後の交付申請額"),
        ({"reason": "x", "requested_amount": 900_000, "new_completion_deadline": dt.date(CURRENT_FY + 1, 4, 1)},
         "完了期限"),
    ):
        with pytest.raises(CaseActionError, match=match):
            lifecycle.start_change(case_id=case.pk, actor=council[1], **kwargs)
    assert not case.change_requests.exists()


@pytest.mark.django_db
def test_report_dates_and_narrative_are_checked(council, staff, approver, katsudo) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    for narrative, day, match in (
        ("", today(), "実施状況"),
        ("   ", today(), "実施状況"),
        ("x", today() + dt.timedelta(days=1), "未来"),
        ("x", dt.date(CURRENT_FY, 3, 31), "事業完了日"),
        ("x", dt.date(9999, 12, 31), "事業完了日"),
        ("x", None, "事業完了日"),
    ):
        with pytest.raises(CaseActionError, match=match):
            lifecycle.save_report(case_id=case.pk, actor=council[1], narrative=narrative, completed_on=day)
    assert not hasattr(fresh(case), "report") or fresh(case).report is None


# 取下げ of a draft 変更承認申請 (``lifecycle.withdraw_change``, the change_request machine's withdraw_change edge).

@pytest.mark.django_db
def test_a_draft_change_is_withdrawn_and_a_new_one_may_be_drafted(katsudo, council, staff, approver) -> None:  # type: ignore[no-untyped-def]
    from grants.cases.models import ChangeStatus
    from grants.core.models import AuditEvent

    case, _, _ = decided(katsudo, council, staff, approver)
    first = lifecycle.start_change(case_id=case.pk, actor=council[1], reason="減額", requested_amount=800_000)
    lifecycle.withdraw_change(case_id=case.pk, actor=council[1])
    first.refresh_from_db()
    assert first.status == ChangeStatus.WITHDRAWN and first.lines.exists()  # on record with its lines
    assert (fresh(case).status, fresh(case).decided_amount) == (Status.DECIDED, case.decided_amount)
    row = AuditEvent.objects.for_object(case).get(action="withdraw_change")
    assert (row.actor, row.machine, row.from_state, row.to_state) == (
        council[1], "change_request", ChangeStatus.DRAFT, ChangeStatus.WITHDRAWN)
    with pytest.raises(CaseActionError, match="作成中の変更承認申請はありません"):  # the double click
        lifecycle.withdraw_change(case_id=case.pk, actor=council[1])
    second = lifecycle.start_change(case_id=case.pk, actor=staff, reason="再度の減額", requested_amount=900_000)
    lifecycle.withdraw_change(case_id=case.pk, actor=staff)  # the staff may withdraw it too
    assert fresh(case).change_requests.get(pk=second.pk).status == ChangeStatus.WITHDRAWN


@pytest.mark.django_db
def test_withdraw_change_refuses_a_submitted_change_another_role_and_another_council(katsudo, council, staff, approver) -> None:  # type: ignore[no-untyped-def]
    from grants.cases.models import ChangeRequest, ChangeStatus

    case, _, _ = decided(katsudo, council, staff, approver)
    change = lifecycle.start_change(case_id=case.pk, actor=council[1], reason="減額", requested_amount=800_000)
    with pytest.raises(CaseActionError, match="申請者または担当者のみ"):
        lifecycle.withdraw_change(case_id=case.pk, actor=approver)
    _, stranger = builders.council(name="湯田地域づくり協議会", username="yuda-secretary")
    with pytest.raises(case.DoesNotExist):
        lifecycle.withdraw_change(case_id=case.pk, actor=stranger)
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.DRAFT
    lifecycle.request_change(case_id=case.pk, actor=council[1])
    with pytest.raises(CaseActionError, match="作成中の変更承認申請はありません"):
        lifecycle.withdraw_change(case_id=case.pk, actor=council[1])
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.PENDING


@pytest.mark.django_db
def test_report_saved_is_on_the_history_with_its_day_in_wareki(katsudo, council, staff, approver) -> None:  # type: ignore[no-untyped-def]
    from grants.core.models import AuditEvent

    case, _, _ = decided(katsudo, council, staff, approver)
    lifecycle.save_report(case_id=case.pk, actor=council[1], narrative="実施した", completed_on=today())
    day = today()
    assert AuditEvent.objects.for_object(case).get(action="save_report").note == (
        f"事業完了日 令和{day.year - 2018}年{day.month}月{day.day}日")
