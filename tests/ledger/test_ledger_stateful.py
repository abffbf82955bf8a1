"""The ledger under any sequence of legitimate acts (a Hypothesis state machine).

Each rule is an act through the real services, by the role the workflow names: a council applies and the staff
verify, an approver decides (commitment, or the budget's refusal), an advance is paid (起票, 支出承認, a batch,
its approval, the bank's result: done or returned), a returned payment is paid again, a 変更交付決定 lowers the
amount, the 実績報告 is verified, the amount is confirmed (額の確定, possibly below what was decided and paid),
the 精算払 is paid, a refund is received, the decision is cancelled (取消, keeping part or nothing); a case closes
by itself once its money is settled. After every step the invariants are checked: committed ≤ budget; paid − refunded ≤ committed (for the
budget and for each case); confirmed ≤ decided; the budget's totals equal its ledger entries recomputed and the
sum of the cases' ledger totals; and each case's ledger totals (``case_totals``) equal what its state says.

A refused act is allowed only with one of the refusals the rule names (a budget too small, a payment still on
its way to the bank); it must leave the ledger, the budget and the case as they were.

Each example runs in a savepoint of the test's transaction that is rolled back at its end: the ledger's tables
are append-only (triggers refuse DELETE and UPDATE), but a rollback undoes the inserts. The settings are
derandomized (the examples are drawn from a seed fixed by the test's own code, and the example database is
off), so CI runs the same sequences every time and a failure reproduces exactly, rather than turning up on one
run in many; ``LEDGER_EXAMPLES`` widens the search locally.
"""
import datetime as dt
import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from grants.cases import lifecycle, orders, refunds
from grants.cases.batches import approve_payment_batch, create_payment_batch, record_transfer_result
from grants.cases.models import ChangeRequest, GrantCase, RefundOrder, RefundStatus, Status
from grants.core.workflow import ActionRefused
from grants.ledger.models import BatchItem, BudgetAccount, EntryKind, ItemResult, LedgerEntry, OrderStatus, PaymentOrder
from grants.ledger.services import case_totals
from grants.ledger.transfers import earliest_transfer_date
from reports.exporters import ledger_totals
from tests.councils import builders
from tests.councils.helpers import fake_file, line

pytestmark = pytest.mark.django_db

BUDGET = 1_500_000  # small enough that decisions are refused once it is used up
FIRST = 3  # cases applied for before the first act
CASES = 4  # councils (one case each in the programme-year)
AMOUNTS = (300_000, 600_000, 900_000)  # 交付申請額 = 査定額 of a case
SHARES = (0.5, 0.8, 1.0, 1.2)  # 実績 or 変更 as a share of the decided amount
EDITED = (Status.DECIDED,)  # where a change or the 実績報告 may be written
CANCELLABLE = (Status.DECIDED, Status.CHANGE_REQUESTED, Status.CHANGE_CHECKED, Status.REPORTED, Status.REPORT_VERIFIED)
IN_FORCE = (*CANCELLABLE,)  # the decided amount is the commitment
SETTLING = (Status.CONFIRMED, Status.CANCELLED, Status.CLOSED)  # the commitment is what the grant keeps

SETTINGS = settings(max_examples=int(os.environ.get("LEDGER_EXAMPLES", "15")), stateful_step_count=15,
                    deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

IN_FLIGHT = "振込の済んでいない支出命令があります"
OVER_BUDGET = "予算額を超えるため交付決定できません"


def yen_of(amount: int, share: float) -> int:
    """``share`` of ``amount``, rounded down to 1,000円."""
    return int(amount * share) // 1_000 * 1_000


class Cast:
    """Who acts, on which programme-year, for which councils: made once per test, outside the examples."""

    def __init__(self, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
        self.staff, self.approver, self.finance, self.finance2 = staff, approver, finance, finance2
        self.py = builders.katsudo_year(budget=BUDGET)
        builders.instalments(self.py, [(1, 2), (1, 4)])
        self.cats = builders.categories()
        self.councils = [builders.council(name=f"第{i}地域づくり協議会", username=f"sec{i}") for i in range(CASES)]
        self.plans = [builders.approved_plan(org, staff) for org, _ in self.councils]

    def deadline(self) -> dt.date:
        return dt.date(self.py.fiscal_year + 1, 3, 31)


class LedgerMachine(RuleBasedStateMachine):
    cast: Cast
    done: Counter[str]

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.cases: list[int] = []  # pks, in the order of ``cast.councils``
        self.facts: dict[str, Any] = {}
        self.note_state()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    # -- what the rules act on ------------------------------------------------------------------------------

    def note_state(self) -> None:
        """What the preconditions read: the cases' states, their scheduled orders, returned payments waiting
        to be paid again, refunds due."""
        rows = GrantCase.objects.filter(pk__in=self.cases)
        scheduled = PaymentOrder.objects.filter(case__in=self.cases, status=OrderStatus.SCHEDULED)
        live = BatchItem.objects.exclude(result=ItemResult.RETURNED).values("payment_order_id")
        self.facts = {
            "status": dict(rows.values_list("pk", "status")),
            "advance": set(scheduled.filter(kind="advance").values_list("case_id", flat=True)),
            "settlement": set(scheduled.filter(kind="settlement").values_list("case_id", flat=True)),
            "returned": list(PaymentOrder.objects.filter(case__in=self.cases, status=OrderStatus.APPROVED)
                             .exclude(pk__in=live).values_list("pk", flat=True)),
            "refund": set(RefundOrder.objects.filter(case__in=self.cases, status=RefundStatus.ORDERED)
                          .values_list("case_id", flat=True)),
            "changed": set(ChangeRequest.objects.filter(case__in=self.cases).values_list("case_id", flat=True)),
        }
        account = BudgetAccount.objects.get(programme_year=self.cast.py)
        self.facts["fits"] = set(rows.filter(status=Status.VERIFIED,
                                             assessed_amount__lte=account.budget - account.committed)
                                 .values_list("pk", flat=True))

    def in_state(self, *statuses: str) -> list[int]:
        return [pk for pk, status in self.facts["status"].items() if status in statuses]

    def pick(self, data: st.DataObject, pks: list[int] | set[int]) -> GrantCase:
        return GrantCase.objects.get(pk=data.draw(st.sampled_from(sorted(pks))))

    def council(self, case: GrantCase) -> int:
        return self.cases.index(case.pk)

    def attempt(self, name: str, act: Callable[[], object], *allowed: str) -> bool:
        """Run ``act``; a refusal must be one of ``allowed`` (text it contains) and change nothing."""
        before = snapshot(self.cast.py, self.cases)
        try:
            act()
        except ActionRefused as exc:
            assert any(text in str(exc) for text in allowed), f"{name}: unexpected refusal {exc}"
            assert snapshot(self.cast.py, self.cases) == before, f"{name}: a refusal wrote something"
            self.done[f"{name} refused"] += 1
            return False
        self.done[name] += 1
        return True

    def pay(self, order: PaymentOrder, returned: bool) -> None:
        """起票 (staff), 支出承認 (finance), a batch (finance), its approval (finance2), the bank's result."""
        cast = self.cast
        if order.status == OrderStatus.SCHEDULED:
            orders.prepare_order(order_id=order.pk, actor=cast.staff)
            orders.approve_order(order_id=order.pk, actor=cast.finance)
        batch = create_payment_batch(actor=cast.finance, order_ids=[order.pk], transfer_date=earliest_transfer_date())
        approve_payment_batch(batch_id=batch.pk, actor=cast.finance2, write_file=fake_file)
        record_transfer_result(item_id=batch.items.get().pk, actor=cast.finance, returned=returned,
                               reason="口座解約" if returned else "")

    # -- the rules ------------------------------------------------------------------------------------------

    @initialize(amounts=st.lists(st.sampled_from(AMOUNTS), min_size=FIRST, max_size=FIRST))
    def start(self, amounts: list[int]) -> None:
        """The first cases, applied for, verified and decided in turn (the budget may refuse the last ones),
        and the first advance of each decided one paid."""
        for amount in amounts:
            self.apply(amount)
            case = GrantCase.objects.get(pk=self.cases[-1])
            self.decide_case(case)
            first = case.payment_orders.filter(kind="advance").order_by("number").first()
            if first is not None:
                self.attempt("pay_advance", lambda first=first: self.pay(first, returned=False))
        self.note_state()

    @precondition(lambda self: len(self.cases) < CASES)
    @rule(amount=st.sampled_from(AMOUNTS))
    def apply(self, amount: int) -> None:
        """交付申請 of one expense line of ``amount`` yen, verified at that amount (審査)."""
        cast, i = self.cast, len(self.cases)
        org, secretary = cast.councils[i]
        case = builders.draft_case(cast.py, org)
        self.cases.append(case.pk)
        line(case, secretary, category=cast.cats["genzairyo"], plan_item=builders.item(cast.plans[i], "1-1-2"),
             amount=amount, description="水路補修の原材料")
        lifecycle.submit(case_id=case.pk, actor=secretary)
        lifecycle.verify(case_id=case.pk, actor=cast.staff, assessed_amount=amount,
                         completion_deadline=cast.deadline())
        self.done["apply"] += 1
        self.note_state()

    @precondition(lambda self: self.facts["fits"])
    @rule(data=st.data())
    def decide(self, data: st.DataObject) -> None:
        """交付決定 of a case the budget has room for (a cancellation or a change may have made room for a case
        refused at the start)."""
        self.decide_case(self.pick(data, self.facts["fits"]))

    def decide_case(self, case: GrantCase) -> None:
        """交付決定: refused exactly when the budget has less room than the assessed amount."""
        account = BudgetAccount.objects.get(programme_year=self.cast.py)
        decided = self.attempt("decide", lambda: lifecycle.decide(case_id=case.pk, actor=self.cast.approver),
                               OVER_BUDGET)
        assert decided == (account.committed + (case.assessed_amount or 0) <= account.budget)
        self.note_state()

    @precondition(lambda self: set(self.in_state(Status.DECIDED)) & self.facts["advance"])
    @rule(data=st.data(), returned=st.sampled_from((False, False, False, True)))
    def pay_advance(self, data: st.DataObject, returned: bool) -> None:
        """The next 概算払 paid through a batch; the bank confirms it or (one time in four) returns it."""
        case = self.pick(data, set(self.in_state(Status.DECIDED)) & self.facts["advance"])
        order = case.payment_orders.filter(status=OrderStatus.SCHEDULED, kind="advance").order_by("number").first()
        assert order is not None
        self.attempt("pay_advance returned" if returned else "pay_advance", lambda: self.pay(order, returned))
        self.note_state()

    @precondition(lambda self: self.facts["returned"])
    @rule(data=st.data())
    def pay_again(self, data: st.DataObject) -> None:
        """A payment the bank returned, in a new batch once the account is corrected, and confirmed."""
        order = PaymentOrder.objects.get(pk=data.draw(st.sampled_from(self.facts["returned"])))
        self.attempt("pay_again", lambda: self.pay(order, returned=False))
        self.note_state()

    @precondition(lambda self: set(self.in_state(*SETTLING[:2])) & self.facts["settlement"])
    @rule(data=st.data())
    def pay_settlement(self, data: st.DataObject) -> None:
        """The 精算払 after 額の確定 (or 一部取消), paid and confirmed by the bank."""
        case = self.pick(data, set(self.in_state(*SETTLING[:2])) & self.facts["settlement"])
        order = case.payment_orders.get(status=OrderStatus.SCHEDULED, kind="settlement")
        self.attempt("pay_settlement", lambda: self.pay(order, returned=False))
        self.note_state()

    @precondition(lambda self: set(self.in_state(*EDITED)) - self.facts["changed"])
    @rule(data=st.data(), share=st.sampled_from(SHARES[:2]))
    def lower_by_change(self, data: st.DataObject, share: float) -> None:
        """変更交付決定 (once a case) to ``share`` of the decided amount (not below what was paid): requested by
        the council, checked by the staff, approved by the approver."""
        cast = self.cast
        case = self.pick(data, set(self.in_state(*EDITED)) - self.facts["changed"])
        secretary = cast.councils[self.council(case)][1]
        amount = max(yen_of(case.decided_amount or 0, share), case.paid_amount, 1)

        def change() -> None:
            with transaction.atomic():  # the test's own shortcut: the four steps or none of them
                lifecycle.start_change(case_id=case.pk, actor=secretary, reason="資材の単価が下がったため",
                                       requested_amount=amount)
                lifecycle.request_change(case_id=case.pk, actor=secretary)
                lifecycle.check_change(case_id=case.pk, actor=cast.staff, assessed_amount=amount)
                lifecycle.approve_change(case_id=case.pk, actor=cast.approver)

        self.attempt("lower_by_change", change, "支払手続中の概算払")
        self.note_state()

    @precondition(lambda self: self.in_state(*EDITED))
    @rule(data=st.data(), share=st.sampled_from(SHARES))
    def report(self, data: st.DataObject, share: float) -> None:
        """実績報告 of an eligible cost of ``share`` of the decided amount, submitted and verified."""
        cast = self.cast
        case = self.pick(data, self.in_state(*EDITED))
        i = self.council(case)
        secretary = cast.councils[i][1]

        def report() -> None:
            lifecycle.save_report(case_id=case.pk, actor=secretary, narrative="事業を実施しました。",
                                  completed_on=timezone.localdate())
            line(case, secretary, where="report", category=cast.cats["genzairyo"],
                 plan_item=builders.item(cast.plans[i], "1-1-2"), amount=yen_of(case.decided_amount or 0, share),
                 description="原材料（実績）")
            lifecycle.submit_report(case_id=case.pk, actor=secretary)
            lifecycle.verify_report(case_id=case.pk, actor=cast.staff)

        self.attempt("report", report)
        self.note_state()

    @precondition(lambda self: self.in_state(Status.REPORT_VERIFIED))
    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        """額の確定: refused only while a payment is on its way to the bank."""
        case = self.pick(data, self.in_state(Status.REPORT_VERIFIED))
        self.attempt("confirm", lambda: lifecycle.confirm(case_id=case.pk, actor=self.cast.approver), IN_FLIGHT)
        self.note_state()

    @precondition(lambda self: self.in_state(*CANCELLABLE))
    @rule(data=st.data(), keep=st.sampled_from(("nothing", "half", "paid")))
    def cancel(self, data: st.DataObject, keep: str) -> None:
        """取消, keeping nothing, half the decided amount or what was paid."""
        case = self.pick(data, self.in_state(*CANCELLABLE))
        decided = case.decided_amount or 0
        kept = {"nothing": 0, "half": decided // 2, "paid": min(decided, case.paid_amount)}[keep]
        self.attempt("cancel", lambda: lifecycle.cancel(case_id=case.pk, actor=self.cast.approver,
                                                        note="交付の条件に違反したため", kept_amount=kept), IN_FLIGHT)
        self.note_state()

    @precondition(lambda self: self.facts["refund"])
    @rule(data=st.data(), whole=st.booleans())
    def receive_refund(self, data: st.DataObject, whole: bool) -> None:
        """A payment of the 返還命令: everything due today, or half of it."""
        case = self.pick(data, self.facts["refund"])
        order = RefundOrder.objects.filter(case=case, status=RefundStatus.ORDERED).order_by("pk").first()
        assert order is not None
        today = timezone.localdate()
        due = sum(refunds.outstanding(order, today).values())
        amount = due if whole else max(1, due // 2)
        self.attempt("receive_refund", lambda: refunds.record_refund_receipt(
            case_id=case.pk, actor=self.cast.finance, amount=amount, received_on=today))
        self.note_state()

    @rule()
    def nothing_happens(self) -> None:
        """A day without an act (every case may be done with): the invariants still hold."""

    # -- the invariants -------------------------------------------------------------------------------------

    @invariant()
    def budget_holds(self) -> None:
        account = BudgetAccount.objects.get(programme_year=self.cast.py)
        assert account.committed <= account.budget
        assert account.paid - account.refunded <= account.committed
        assert account.refunded <= account.paid
        assert ledger_totals(self.cast.py) == {"budget": account.budget, "committed": account.committed,
                                               "paid": account.paid, "refunded": account.refunded}

    @invariant()
    def ledger_agrees_with_the_cases(self) -> None:
        account = BudgetAccount.objects.get(programme_year=self.cast.py)
        committed = paid = refunded = 0
        for case in GrantCase.objects.filter(pk__in=self.cases):
            totals = case_totals(case)
            assert totals == {EntryKind.COMMITMENT: commitment_of(case), EntryKind.PAYMENT: case.paid_amount,
                              EntryKind.REFUND: case.refunded_amount}, (case.status, totals)
            assert case.paid_amount - case.refunded_amount <= totals[EntryKind.COMMITMENT]
            paid_orders = case.payment_orders.filter(status=OrderStatus.PAID).values_list("amount", flat=True)
            assert sum(paid_orders) == case.paid_amount
            if case.confirmed_amount is not None:
                assert case.confirmed_amount <= (case.decided_amount or 0)
            if case.status == Status.CLOSED:
                assert case.paid_amount - case.refunded_amount == case.confirmed_amount
            committed += totals[EntryKind.COMMITMENT]
            paid += totals[EntryKind.PAYMENT]
            refunded += totals[EntryKind.REFUND]
        assert (committed, paid, refunded) == (account.committed, account.paid, account.refunded)


def commitment_of(case: GrantCase) -> int:
    """What the case's state says it commits (支出負担行為): nothing before the decision or after a refusal, the
    decided amount while the decision stands, and after 額の確定 or 取消 the amount the grant keeps, or what was
    paid (net of refunds) until the excess comes back."""
    if case.status in IN_FORCE:
        return case.decided_amount or 0
    if case.status in SETTLING:
        return max(case.confirmed_amount or 0, case.paid_amount - case.refunded_amount)
    return 0


def snapshot(py: Any, cases: list[int]) -> tuple[object, ...]:
    """What a refused act must leave as it was: the budget's totals, the ledger and the cases' rows."""
    account = BudgetAccount.objects.get(programme_year=py)
    return ((account.committed, account.paid, account.refunded), LedgerEntry.objects.count(),
            list(GrantCase.objects.filter(pk__in=cases).order_by("pk").values()),
            list(PaymentOrder.objects.filter(case__in=cases).order_by("pk").values_list("pk", "status")),
            list(ChangeRequest.objects.filter(case__in=cases).order_by("pk").values_list("pk", "status")),
            list(RefundOrder.objects.filter(case__in=cases).order_by("pk").values_list("pk", "status")))


def test_ledger_invariants_hold_under_any_sequence_of_acts(staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    """15 sequences of up to 15 acts on up to four cases sharing one budget of 1,500,000円; every kind of act
    must have gone through at least once, and the budget must have refused a decision, so that the invariants
    were checked on the states that matter. (``LEDGER_EXAMPLES=200`` runs more sequences, for a local search.)"""
    LedgerMachine.cast = Cast(staff, approver, finance, finance2)
    LedgerMachine.done = Counter()
    run_state_machine_as_test(LedgerMachine, settings=SETTINGS)
    done = LedgerMachine.done
    missing = {"apply", "decide", "decide refused", "pay_advance", "pay_advance returned", "pay_again",
               "lower_by_change", "report", "confirm", "pay_settlement", "cancel", "receive_refund"} - set(done)
    assert not missing, done
