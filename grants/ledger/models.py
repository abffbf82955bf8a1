"""Budgets and the append-only ledger (GRANTS.md §7).

Each programme-year has one ``BudgetAccount`` holding running totals that the database itself keeps honest
(CHECK: committed ≤ budget, paid − refunded ≤ committed, refunded ≤ paid). Every change to a total is a ``LedgerEntry``
row written in the same transaction (``services.post_entry``); rows are never updated or deleted — a trigger
refuses it — and a correction is a reversing entry that points at the entry it reverses.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from grants.core.fiscal import wareki
from grants.core.models import AppendOnlyModel
from grants.programmes.models import ProgrammeYear


class BudgetAccount(models.Model):
    """Budget (予算額) and running totals of one programme-year, in whole yen. Written only by the ledger."""

    programme_year = models.OneToOneField(
        ProgrammeYear, verbose_name="事業・年度", on_delete=models.PROTECT, related_name="budget_account"
    )
    budget_code = models.CharField("予算科目（款・項・目・節）", max_length=80, blank=True)
    budget = models.PositiveBigIntegerField("予算額", default=0)
    committed = models.PositiveBigIntegerField("交付決定額（支出負担行為）", default=0)
    paid = models.PositiveBigIntegerField("支出済額", default=0)
    refunded = models.PositiveBigIntegerField("返還額", default=0)

    class Meta:
        verbose_name = "予算"
        verbose_name_plural = "予算"
        constraints = [
            models.CheckConstraint(condition=Q(committed__lte=models.F("budget")), name="committed_within_budget"),
            # Net of refunds (戻入): after 額の確定 the commitment falls to the confirmed amount while the
            # advances above it come back as refunds.
            models.CheckConstraint(condition=Q(paid__lte=models.F("committed") + models.F("refunded")),
                                   name="paid_within_committed"),
            models.CheckConstraint(condition=Q(refunded__lte=models.F("paid")), name="refunded_within_paid"),
        ]

    def __str__(self) -> str:
        return str(self.programme_year)

    @property
    def available(self) -> int:
        """Budget not yet committed (執行可能額), whole yen."""
        return self.budget - self.committed


class EntryKind(models.TextChoices):
    BUDGET = "budget", "予算"
    COMMITMENT = "commitment", "交付決定（支出負担行為）"
    PAYMENT = "payment", "支出"
    REFUND = "refund", "返還（戻入）"
    REVERSAL = "reversal", "取消（反対仕訳）"


# Which total of the account each kind moves.
TOTAL_OF_KIND = {
    EntryKind.BUDGET: "budget",
    EntryKind.COMMITMENT: "committed",
    EntryKind.PAYMENT: "paid",
    EntryKind.REFUND: "refunded",
}


class LedgerEntry(AppendOnlyModel):
    """One row of the ledger (台帳): a positive whole-yen amount of one kind, with who and when.

    A REVERSAL undoes exactly the entry in ``reverses`` (same amount, that entry's total moves back); an entry
    is reversed at most once, and a reversal itself is never reversed.
    """

    account = models.ForeignKey(BudgetAccount, verbose_name="予算", on_delete=models.PROTECT, related_name="entries")
    case = models.ForeignKey(
        "cases.GrantCase", verbose_name="案件", null=True, blank=True, on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    kind = models.CharField("区分", max_length=20, choices=EntryKind.choices)
    amount = models.PositiveBigIntegerField("金額（円）")
    reverses = models.OneToOneField(
        "self", verbose_name="取り消す仕訳", null=True, blank=True, on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    entry_date = models.DateField("計上日")
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="記録者", on_delete=models.PROTECT)
    note = models.CharField("摘要", max_length=200, blank=True)

    change_refused = "台帳の仕訳は変更できません。訂正は取消仕訳で行ってください。"
    delete_refused = "台帳の仕訳は削除できません。"

    class Meta:
        ordering = ["pk"]
        verbose_name = "台帳の仕訳"
        verbose_name_plural = "台帳"
        # The ledger page and the admin list entries newest first (計上日, then entry number), each filter walking
        # its own index in that order: the whole ledger, one programme-year's account, one kind.
        indexes = [
            models.Index(fields=["entry_date", "id"], name="ledger_entry_date_id"),
            models.Index(fields=["account", "entry_date", "id"], name="ledger_entry_account_date"),
            models.Index(fields=["kind", "entry_date", "id"], name="ledger_entry_kind_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_positive"),
            models.CheckConstraint(
                condition=(Q(kind="reversal") & Q(reverses__isnull=False))
                | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="reversal_points_at_entry",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["budget", "reversal"]) | Q(case__isnull=False),
                name="case_entries_name_case",
            ),
            models.CheckConstraint(
                condition=~Q(kind="budget") | Q(case__isnull=True), name="budget_entries_have_no_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:,}円"


class LineEnding(models.TextChoices):
    CRLF = "crlf", "CRLF（改行あり）"
    NONE = "none", "改行なし"


class TransferSettings(models.Model):
    """The city's side of the 総合振込 file (振込依頼人), and the options of its designated bank
    (指定金融機関). One row, edited in the admin; ZENGIN.md marks the options that differ by bank."""

    requester_code = models.CharField("委託者コード（振込依頼人コード）", max_length=10)
    requester_name_kana = models.CharField("振込依頼人名（半角カナ）", max_length=40)
    bank_code = models.CharField("仕向銀行番号", max_length=4)
    branch_code = models.CharField("仕向支店番号", max_length=3)
    account_type = models.CharField("預金種目", max_length=1, choices=[("1", "普通"), ("2", "当座"), ("9", "その他")])
    account_number = models.CharField("口座番号", max_length=7)
    line_ending = models.CharField("改行", max_length=4, choices=LineEnding.choices, default=LineEnding.CRLF)
    allow_period_slash = models.BooleanField("名義に「.」「/」を認める", default=False)
    lead_days = models.PositiveSmallIntegerField("振込指定日までの最短営業日数", default=2)
    early_results = models.BooleanField(
        "研修用：振込指定日より前に銀行の結果を記録できる", default=False,
        help_text="研修・デモで一年の流れを一度に試すための設定です。本番では有効にしないでください。"
                  "有効な間は振込バッチの画面にその旨を表示し、前倒しで記録した結果の履歴に記します。",
    )

    class Meta:
        verbose_name = "振込ファイルの設定"
        verbose_name_plural = "振込ファイルの設定"

    def __str__(self) -> str:
        return f"委託者コード {self.requester_code}"


class BatchStatus(models.TextChoices):
    DRAFT = "draft", "作成中（承認待ち）"
    APPROVED = "approved", "承認済（振込ファイル作成済）"
    DISCARDED = "discarded", "取消済"


class PaymentBatch(FSMModelMixin, models.Model):
    """A batch of approved payments sent to the bank as one 総合振込 file on ``transfer_date``.

    Prepared by one finance user, approved by another; approval posts the payments to the ledger and keeps
    the file. The bank's result is then recorded per payment (``BatchItem.result``)."""

    transfer_date = models.DateField("振込指定日")
    status = FSMField("状態", max_length=10, choices=BatchStatus.choices, default=BatchStatus.DRAFT, protected=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作成者", on_delete=models.PROTECT,
                                    related_name="+")
    prepared_at = models.DateTimeField("作成日時", auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承認者", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField("承認日時", null=True, blank=True)
    file = models.FileField("振込ファイル", upload_to="zengin/%Y/", blank=True)
    note = models.CharField("摘要", max_length=200, blank=True)

    class Meta:
        ordering = ["-prepared_at"]
        verbose_name = "振込バッチ"
        verbose_name_plural = "振込バッチ"
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("prepared_by")),
                name="batch_approver_is_not_preparer",
            ),
        ]

    def __str__(self) -> str:
        return f"振込バッチ {self.pk}（{self.transfer_date}）"

    @property
    def filename(self) -> str:
        return f"sogo_furikomi_{self.transfer_date:%Y%m%d}_{self.pk}.txt"

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` along an edge of its
        machine (``grants.ledger.machines.PAYMENT_BATCH``)."""
        return target


class ItemResult(models.TextChoices):
    PENDING = "pending", "未送金"
    SENT = "sent", "振込予定（銀行の結果待ち）"
    PAID = "paid", "振込完了"
    RETURNED = "returned", "返却（組戻し・不能）"


class BatchItem(FSMModelMixin, models.Model):
    """One payment in a batch: a payment order, its case, the amount (whole yen) and the account as it was when
    the batch was made. An order is in at most one batch unless its transfer was returned."""

    batch = models.ForeignKey(PaymentBatch, verbose_name="振込バッチ", on_delete=models.PROTECT, related_name="items")
    case = models.ForeignKey("cases.GrantCase", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="batch_items")
    payment_order = models.ForeignKey("PaymentOrder", verbose_name="支出命令", on_delete=models.PROTECT,
                                      related_name="batch_items")
    amount = models.PositiveBigIntegerField("振込金額")
    bank_code = models.CharField("金融機関コード", max_length=4)
    branch_code = models.CharField("支店コード", max_length=3)
    account_type = models.CharField("預金種目", max_length=1)
    account_number = models.CharField("口座番号", max_length=7)
    holder_kana = models.CharField("口座名義（カナ）", max_length=30)
    result = FSMField("結果", max_length=10, choices=ItemResult.choices, default=ItemResult.PENDING, protected=True)
    payment_entry = models.OneToOneField(LedgerEntry, verbose_name="支出の仕訳", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="batch_item")
    result_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="結果の記録者", null=True,
                                           blank=True, on_delete=models.PROTECT, related_name="+")
    result_recorded_at = models.DateTimeField("結果の記録日時", null=True, blank=True)
    return_reason = models.CharField("返却理由", max_length=200, blank=True)

    class Meta:
        ordering = ["batch", "pk"]
        verbose_name = "振込明細"
        verbose_name_plural = "振込明細"
        constraints = [
            models.UniqueConstraint(fields=["payment_order"], condition=~Q(result="returned"),
                                    name="order_in_one_live_batch"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="batch_item_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.amount:,}円"

    @property
    def result_label(self) -> str:
        """The result as pages show it: sent and not yet reported by the bank reads 振込予定（令和8年12月8日）."""
        if self.result == ItemResult.SENT:
            return f"振込予定（{wareki(self.batch.transfer_date)}）"
        return self.get_result_display()

    @transition(field=result, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``result``, made by ``grants.core.workflow.perform`` along an edge of its
        machine (``grants.ledger.machines.BATCH_ITEM``)."""
        return target


class OrderKind(models.TextChoices):
    ADVANCE = "advance", "概算払"
    SETTLEMENT = "settlement", "精算払"
    WHOLE = "whole", "交付金"


class OrderStatus(models.TextChoices):
    SCHEDULED = "scheduled", "予定"
    PREPARED = "prepared", "支出命令起票済（承認待ち）"
    APPROVED = "approved", "支出承認済"
    # Posted (支出) with its batch's approval, dated the transfer date; paid once the bank reports it (振込完了).
    SENT = "sent", "振込予定"
    PAID = "paid", "支払済"
    CANCELLED = "cancelled", "取りやめ"


class PaymentOrder(FSMModelMixin, models.Model):
    """One payment of a case (支出命令): the whole amount of a formula grant (交付金), an instalment of the 概算払
    plan, or the 精算払 after 額の確定. Amount in whole yen. Drafted by one person (staff or finance), approved by
    a finance user who did not draft it, then paid through a payment batch: every payment is an order. The sum
    of a case's live orders never exceeds its decided amount (checked by the services, and the ledger refuses a
    payment above the case's net commitment)."""

    case = models.ForeignKey("cases.GrantCase", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="payment_orders")
    kind = models.CharField("区分", max_length=12, choices=OrderKind.choices)
    number = models.PositiveSmallIntegerField("回")
    label = models.CharField("名称", max_length=40)
    amount = models.PositiveBigIntegerField("金額（円）")
    pay_on = models.DateField("支払予定日")
    status = FSMField("状態", max_length=12, choices=OrderStatus.choices, default=OrderStatus.SCHEDULED,
                      protected=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="支出命令起票者", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField("起票日時", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="支出承認者", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField("承認日時", null=True, blank=True)
    paid_on = models.DateField("支払日", null=True, blank=True)

    class Meta:
        ordering = ["case", "number"]
        verbose_name = "支出命令"
        verbose_name_plural = "支出命令"
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="payment_order_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_order_amount_positive"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("prepared_by")),
                name="payment_order_approver_is_not_preparer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.label} {self.amount:,}円"

    @property
    def status_label(self) -> str:
        """The state as pages show it: a payment sent to the bank and not yet confirmed reads with its transfer
        date, 振込予定（令和8年12月8日）."""
        if self.status == OrderStatus.SENT and self.paid_on:
            return f"{self.get_status_display()}（{wareki(self.paid_on)}）"
        return self.get_status_display()

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` along an edge of its
        machine (``grants.ledger.machines.PAYMENT_ORDER``)."""
        return target


