"""Budgets and the append-only ledger (GRANTS.md §7).

Each programme-year has one ``BudgetAccount`` holding running totals that the database itself keeps honest
(CHECK: committed ≤ budget, paid ≤ committed, refunded ≤ paid). Every change to a total is a ``LedgerEntry``
row written in the same transaction (``services.post_entry``); rows are never updated or deleted — a trigger
refuses it — and a correction is a reversing entry that points at the entry it reverses.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

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
            models.CheckConstraint(condition=Q(paid__lte=models.F("committed")), name="paid_within_committed"),
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


class LedgerEntry(models.Model):
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

    class Meta:
        ordering = ["pk"]
        verbose_name = "台帳の仕訳"
        verbose_name_plural = "台帳"
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

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("台帳の仕訳は変更できません。訂正は取消仕訳で行ってください。")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("台帳の仕訳は削除できません。")
