"""Notices (通知書) sent to an applicant, and the sequences that number them (文書番号, GRANTS.md §7).

Numbering: one ``DocumentSequence`` per programme and 年度, shared by every kind of notice of that programme
and year, so that numbers never repeat and never skip. The 年度 is the grant's (``case.programme_year``), not
the day of issue: a payment notice issued in the 出納整理期間 (April–May of the next year) belongs to the
old year's sequence, as the payment itself does (CONVENTIONS.md, Dates).

Document number (文書番号) format: ``{prefix}第{era year}-{number}号``, e.g. 「山協第8-12号」 — the sequence's
prefix (記号, edited in the admin), the 和暦 year of the 年度's first day (令和8年度 → 8; 元 for a first year),
a hyphen, and the number within the sequence (1, 2, 3 … without zero padding). The number is written into
``Notice.document_number`` when the notice is issued and never recomputed, so a later change of the prefix
does not change numbers already sent out.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from grants.cases.models import GrantCase
from grants.core.fiscal import era_year, fiscal_year_bounds
from grants.core.models import AppendOnlyModel
from grants.programmes.models import Programme

DEFAULT_PREFIX = "山協"


def format_document_number(prefix: str, fiscal_year: int, number: int) -> str:
    """``("山協", 2026, 12)`` → 「山協第8-12号」: prefix, 和暦 year of the 年度 (by its first day), number."""
    _, year = era_year(fiscal_year_bounds(fiscal_year)[0])
    return f"{prefix}第{year}-{number}号"


class DocumentSequence(models.Model):
    """The 文書番号 sequence of one programme in one 年度. ``last_number`` is the last number issued (0 before
    the first notice); it is moved only by ``grants.notices.services.issue_notice`` under a row lock."""

    programme = models.ForeignKey(
        Programme, verbose_name="事業", on_delete=models.PROTECT, related_name="document_sequences"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    prefix = models.CharField(
        "文書記号", max_length=20,
        help_text="文書番号の頭に付ける記号（例: 山協 →「山協第8-12号」）。変更しても発行済みの番号は変わりません。",
    )
    last_number = models.PositiveIntegerField("最後に発行した番号", default=0)

    class Meta:
        ordering = ["-fiscal_year", "programme"]
        verbose_name = "文書番号の採番"
        verbose_name_plural = "文書番号の採番"
        constraints = [
            models.UniqueConstraint(fields=["programme", "fiscal_year"], name="one_sequence_per_programme_year"),
            # Two programmes with the same prefix in one year would print the same 文書番号.
            models.UniqueConstraint(fields=["fiscal_year", "prefix"], name="sequence_prefix_unique_in_year"),
            models.CheckConstraint(condition=~Q(prefix=""), name="sequence_prefix_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.fiscal_year}年度 {self.prefix}"


class NoticeKind(models.TextChoices):
    DECISION = "decision", "交付決定通知書"
    REFUSAL = "refusal", "不交付決定通知書"
    CONFIRMATION = "confirmation", "額の確定通知書"
    PAYMENT = "payment", "支払通知書"
    CHANGE_DECISION = "change_decision", "変更交付決定通知書"
    REFUND_ORDER = "refund_order", "返還命令書"
    SELECTION = "selection", "採択通知書"
    NON_SELECTION = "non_selection", "不採択通知書"


class NoticeQuerySet(models.QuerySet["Notice"]):
    def for_printing(self) -> "NoticeQuerySet":
        """With everything a PDF needs in one query, in document-number order."""
        return self.select_related("case__programme_year__programme", "case__organization", "sequence").order_by(
            "fiscal_year", "sequence_id", "number"
        )


class Notice(AppendOnlyModel):
    """One notice issued for a case: its number in the programme-year's sequence, the day and who issued it,
    and a snapshot of what it says (``amount`` in whole yen; ``details`` holds the addressee, the amounts,
    dates as ISO strings, the masked account and the computation lines as they were on the day of issue).

    Never edited nor deleted once issued, so that a number is never reused or left a gap: everything a notice
    says is written when it is issued (its PDF is drawn from this snapshot on demand, never stored on the row), so
    nothing needs an UPDATE. ``save`` of a stored row and ``delete`` are refused, and the triggers of
    ``grants.core.append_only`` refuse ``update()``, ``delete()``, raw SQL and (PostgreSQL) TRUNCATE. One notice
    per case and kind (and subject).
    """

    case = models.ForeignKey(GrantCase, verbose_name="案件", on_delete=models.PROTECT, related_name="notices")
    sequence = models.ForeignKey(
        DocumentSequence, verbose_name="採番", on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField("種類", max_length=20, choices=NoticeKind.choices)
    fiscal_year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("番号")
    document_number = models.CharField("文書番号", max_length=60)
    issued_on = models.DateField("発行日")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="発行者", on_delete=models.PROTECT,
                                  related_name="+")
    issued_at = models.DateTimeField("発行日時", auto_now_add=True)
    amount = models.PositiveBigIntegerField("金額（円）")
    details = models.JSONField("記載内容", default=dict, blank=True)
    subject_key = models.CharField(
        "対象", max_length=40, blank=True,
        help_text="同じ案件に同じ種類の通知が複数あるときの区別（変更承認申請・支出命令ごと）",
    )

    objects = NoticeQuerySet.as_manager()
    change_refused = "発行済みの通知書は変更できません。"
    delete_refused = "発行済みの通知書は削除できません（文書番号に欠番が生じるため）。"

    class Meta:
        ordering = ["fiscal_year", "sequence_id", "number"]
        verbose_name = "通知書"
        verbose_name_plural = "通知書"
        constraints = [
            models.UniqueConstraint(fields=["sequence", "number"], name="notice_number_unique_in_sequence"),
            models.UniqueConstraint(fields=["case", "kind", "subject_key"], name="one_notice_per_case_and_kind"),
            models.UniqueConstraint(fields=["document_number"], name="notice_document_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="notice_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.document_number} {self.get_kind_display()}"
