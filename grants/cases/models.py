"""Grant cases (交付案件) and their lifecycle, the annual run that creates them, and the parts of a case in the
full lifecycle: budget lines, 変更承認申請, 実績報告 with its lines and receipts, 返還命令 and its receipts."""
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils.functional import cached_property
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from grants.accounts.models import User
from grants.core import deadlines
from grants.core.fiscal import fiscal_year_label, wareki
from grants.core.workflow import machines_of, state_choices
from grants.ledger.models import OrderStatus, PaymentOrder
from grants.organizations.models import Organization, PlanItem, Representative, SecretariatStaff
from grants.programmes.models import ActivityPurpose, ExpenseCategory, ProgrammeYear


class Status(models.TextChoices):
    DRAFT = "draft", "申請前"
    SUBMITTED = "submitted", "申請済（審査待ち）"
    VERIFIED = "verified", "審査済（決裁待ち）"
    DECIDED = "decided", "交付決定済"
    NOT_GRANTED = "not_granted", "不交付決定"
    PAYMENT_PREPARED = "payment_prepared", "支出命令起票済（承認待ち）"
    PAYMENT_APPROVED = "payment_approved", "支出承認済"
    # Posted with its payment batch's approval; paid once the bank reports the transfer done (振込完了).
    TRANSFER_SENT = "transfer_sent", "振込予定"
    PAID = "paid", "支払済"
    # Full lifecycle only (GRANTS.md §3): after the decision, advances are paid by payment orders while the
    # case itself moves through change, report, 額の確定 and closing.
    CHANGE_REQUESTED = "change_requested", "変更承認申請中（審査待ち）"
    CHANGE_CHECKED = "change_checked", "変更審査済（決裁待ち）"
    REPORTED = "reported", "実績報告済（審査待ち）"
    REPORT_VERIFIED = "report_verified", "実績審査済（額の確定の決裁待ち）"
    CONFIRMED = "confirmed", "額確定済（精算払・返還待ち）"
    CANCELLED = "cancelled", "交付決定取消（返還待ち）"
    CLOSED = "closed", "完了"


def case_states() -> list[tuple[str, str]]:
    """Every state a case may be in: the states of every workflow registered for cases (the two built in,
    ``Status``, and any a programme declares as data), in the order they were declared."""
    return state_choices("cases.GrantCase") or list(Status.choices)


def workflow_states() -> dict[str, str]:
    return dict(case_states())


def case_reference(fiscal_year: int, programme_name: str, number: int) -> str:
    """A case number as the city prints it: 年度 in 和暦, the programme's 略称 and the case's number within its
    programme-year, without zeros in front — 令和8年度 活動支援 第128号."""
    return f"{fiscal_year_label(fiscal_year)} {programme_name} 第{number}号"


def _take_numbers(programme_year_id: int, count: int) -> range:
    """The next ``count`` case numbers of a programme-year. Call inside the transaction that inserts the cases: the
    programme-year's row is locked until it ends, so that two cases made at once never take the same number."""
    list(ProgrammeYear.objects.select_for_update(no_key=True).filter(pk=programme_year_id).values_list("pk"))
    last = GrantCase.objects.filter(programme_year_id=programme_year_id).aggregate(last=Max("number"))["last"] or 0
    return range(last + 1, last + 1 + count)


class GrantCaseQuerySet(models.QuerySet["GrantCase"]):
    def bulk_create(self, objs: Iterable["GrantCase"], *args: Any, **kwargs: Any) -> list["GrantCase"]:
        """Insert many cases at once, each without a number given the next of its programme-year."""
        objs = list(objs)
        unnumbered: dict[int, list[GrantCase]] = defaultdict(list)
        for case in objs:
            if case.number is None:
                unnumbered[case.programme_year_id].append(case)
        with transaction.atomic(using=self.db):
            for programme_year_id, cases in sorted(unnumbered.items()):
                for case, number in zip(cases, _take_numbers(programme_year_id, len(cases)), strict=True):
                    case.number = number
            return super().bulk_create(objs, *args, **kwargs)

    def visible_to(self, user: User) -> "GrantCaseQuerySet":
        """Cases ``user`` may see: every case for city staff, and for an association head the cases of
        the organisations they currently represent."""
        if not user.is_authenticated:
            return self.none()
        if user.is_city_user:
            return self
        # One subquery, so that "this user" and "in office today" hold for the same term of office.
        return self.filter(
            organization_id__in=Representative.objects.current().filter(user=user).values("organization_id")
        )


class GrantCase(FSMModelMixin, models.Model):
    """One organisation's case in one programme-year (交付案件).

    Amounts are whole yen and stored snapshots, never recomputed from later rules: ``computed_amount``
    (算定額, from the rule and the counts), ``decided_amount`` (交付決定額, set by the decision and
    committed in the ledger) and ``paid_amount`` (支出済額). ``status`` is a protected FSM field: it moves
    only along an edge of the programme's workflow, through ``grants.core.workflow.perform``.
    """

    programme_year = models.ForeignKey(
        ProgrammeYear, verbose_name="事業・年度", on_delete=models.PROTECT, related_name="cases"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="団体", on_delete=models.PROTECT, related_name="cases"
    )
    number = models.PositiveIntegerField(
        "番号", editable=False,
        help_text="事業・年度ごとの通し番号です。案件番号（令和8年度 活動支援 第128号）に印字します。",
    )
    status = FSMField("状態", max_length=32, default=Status.DRAFT, choices=case_states, protected=True)
    household_count = models.PositiveIntegerField("世帯数（基準日）", null=True, blank=True)
    computation = models.JSONField("算定内訳", default=dict, blank=True)
    computed_amount = models.PositiveBigIntegerField("算定額", null=True, blank=True)
    decided_amount = models.PositiveBigIntegerField("交付決定額", null=True, blank=True)
    paid_amount = models.PositiveBigIntegerField("支出済額", default=0)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    submitted_at = models.DateTimeField("申請日時", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申請者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="審査者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="決裁者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField("交付決定日", null=True, blank=True)
    rule_version = models.ForeignKey(
        "programmes.RuleVersion", verbose_name="適用した交付基準の版", null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
        help_text="交付決定の時点の交付基準。決定後の算定（変更・額の確定・概算払）はこの版で行います。",
    )
    payment_prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="支出命令起票者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    payment_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="支出承認者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    paid_on = models.DateField("支払日", null=True, blank=True)
    # Full lifecycle (交付申請・交付決定・実績報告・額の確定), GRANTS.md §3.
    project_title = models.CharField("事業名", max_length=200, blank=True)
    project_start = models.DateField("着手予定日", null=True, blank=True)
    project_end = models.DateField("完了予定日", null=True, blank=True)
    applied_amount = models.PositiveBigIntegerField("交付申請額", null=True, blank=True)
    repeat_year = models.PositiveSmallIntegerField(
        "同一事業の何年目", default=1, help_text="補助率・上限額が継続年数で変わる規則（何年目）に渡す値です。"
    )
    assessed_amount = models.PositiveBigIntegerField("査定額（交付決定の案）", null=True, blank=True)
    decision_conditions = models.TextField("交付の条件", blank=True)
    completion_deadline = models.DateField("完了期限", null=True, blank=True)
    plan = models.ForeignKey(
        "organizations.CommunityPlan", verbose_name="審査に用いた地域づくり計画", null=True, blank=True,
        on_delete=models.PROTECT, related_name="cases",
    )
    change_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="変更申請者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    change_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="変更審査者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="実績報告者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    report_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="実績審査者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    justified_amount = models.PositiveBigIntegerField("実績による算定額", null=True, blank=True)
    justification_computation = models.JSONField("実績による算定内訳", default=dict, blank=True)
    confirmed_amount = models.PositiveBigIntegerField("確定額", null=True, blank=True)
    confirmed_on = models.DateField("額の確定日", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="額の確定の決裁者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    refunded_amount = models.PositiveBigIntegerField("返還済額", default=0)
    closed_on = models.DateField("完了日", null=True, blank=True)

    objects = GrantCaseQuerySet.as_manager()

    class Meta:
        ordering = ["programme_year", "organization__code"]
        verbose_name = "交付案件"
        verbose_name_plural = "交付案件"
        # The case list's orders and filters at 100,000 cases and more (pages.cases): by case number, each
        # programme-year through ``one_number_per_programme_year`` (``querysets.CaseNumberOrder``), also within a
        # 状態; and the columns it sorts by, so that a sorted page reads its rows in order instead of sorting all.
        indexes = [
            models.Index(fields=["programme_year", "status", "number"], name="case_year_status_number"),
            models.Index(fields=["computed_amount"], name="case_computed_amount"),
            models.Index(fields=["decided_amount"], name="case_decided_amount"),
            models.Index(fields=["household_count"], name="case_household_count"),
            models.Index(fields=["status"], name="case_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["programme_year", "organization"], name="one_case_per_programme_year"),
            models.UniqueConstraint(fields=["programme_year", "number"], name="one_number_per_programme_year"),
            models.CheckConstraint(
                condition=Q(decided_amount__isnull=True) | Q(paid_amount__lte=models.F("decided_amount")),
                name="case_paid_within_decided",
            ),
            models.CheckConstraint(
                condition=Q(decided_amount__isnull=False) | Q(paid_amount=0), name="case_paid_only_when_decided"
            ),
            models.CheckConstraint(
                condition=Q(confirmed_amount__isnull=True) | Q(confirmed_amount__lte=models.F("decided_amount")),
                name="case_confirmed_within_decided",
            ),
            models.CheckConstraint(condition=Q(refunded_amount__lte=models.F("paid_amount")),
                                   name="case_refunded_within_paid"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_year} {self.organization}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new case takes the next number of its programme-year, in the transaction that inserts it."""
        if self.number is not None:
            super().save(*args, **kwargs)
            return
        try:
            with transaction.atomic(using=kwargs.get("using")):
                self.number = _take_numbers(self.programme_year_id, 1)[0]
                super().save(*args, **kwargs)
        except BaseException:
            self.number = None  # not inserted: the number was not taken
            raise

    @property
    def reference(self) -> str:
        """The case number shown and printed wherever people read it (令和8年度 活動支援 第128号); URLs and files
        keep the id."""
        py = self.programme_year
        return case_reference(py.fiscal_year, py.programme.number_name, self.number)

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` along an edge of the case's
        workflow (``grants.cases.workflows``)."""
        return target

    @property
    def status_label(self) -> str:
        """The state in the words of the case's own workflow (its programme's ``workflow``: a competitive case in
        ``submitted`` is 申請済（受付待ち）, a full one 申請済（審査待ち）), else in the words of any workflow. A
        payment sent to the bank and not yet confirmed reads with its transfer date: 振込予定（令和8年12月8日）."""
        variant = self.programme_year.programme.workflow
        label = next((m.state_label(self.status) for m in machines_of("cases.GrantCase") if m.variant == variant),
                     None) or workflow_states().get(self.status, self.status)
        if self.status == Status.TRANSFER_SENT and self.paid_on:
            return f"{label}（{wareki(self.paid_on)}）"
        return label

    @cached_property
    def pending_transfers(self) -> list[PaymentOrder]:
        """The case's payments sent to the bank whose result is not recorded yet (振込予定), by transfer date:
        posted to the ledger and counted in ``paid_amount``, but not paid until the bank's 振込完了."""
        return list(self.payment_orders.filter(status=OrderStatus.SENT).order_by("paid_on", "number"))

    @property
    def pending_amount(self) -> int:
        """The amount of ``pending_transfers`` (振込予定額), whole yen."""
        return sum(order.amount for order in self.pending_transfers)

    @property
    def transferred_amount(self) -> int:
        """What has been paid (支払済: the bank confirmed the transfer), whole yen: ``paid_amount`` less the
        transfers still pending."""
        return self.paid_amount - self.pending_amount

    @property
    def refund_order(self) -> "RefundOrder | None":
        """The case's 返還命令 of its 額の確定 or 取消 (at most one), or None. A later 返還命令 of the
        消費税仕入控除税額 is not this one: ``refund_orders`` holds both."""
        return self.refund_orders.exclude(reason=RefundReason.TAX_CREDIT).first()


class EligibilityOverride(models.Model):
    """A staff decision to pass a failed eligibility check, with its recorded justification.

    In programmes of the full lifecycle the override counts only once a second person (another staff member
    or an approver) has approved it (``approved_by``); the database refuses approval by its author."""

    case = models.ForeignKey(GrantCase, verbose_name="案件", on_delete=models.PROTECT, related_name="overrides")
    check_code = models.CharField("確認項目", max_length=40)
    justification = models.TextField("理由")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="判断者", on_delete=models.PROTECT)
    at = models.DateTimeField("日時", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="承認者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("承認日時", null=True, blank=True)

    class Meta:
        verbose_name = "要件確認の特例判断"
        verbose_name_plural = "要件確認の特例判断"
        constraints = [
            models.UniqueConstraint(fields=["case", "check_code"], name="one_override_per_check"),
            models.CheckConstraint(condition=~Q(justification=""), name="override_has_justification"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("actor")),
                name="override_approved_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.check_code}"


class RunStatus(models.TextChoices):
    RUNNING = "running", "処理中"
    DONE = "done", "完了"


class AnnualRun(FSMModelMixin, models.Model):
    """The yearly batch that creates every association's case for a programme-year (年次一括作成).

    Counts are fixed when the run starts (imported or on file); cases are then created in chunks so that
    progress can be shown. Re-running creates nothing twice (one case per organisation and programme-year).
    """

    programme_year = models.ForeignKey(
        ProgrammeYear, verbose_name="事業・年度", on_delete=models.PROTECT, related_name="annual_runs"
    )
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="実行者", on_delete=models.PROTECT)
    started_at = models.DateTimeField("開始日時", auto_now_add=True)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)
    counts_source = models.CharField("世帯数の出所", max_length=200)
    status = FSMField("状態", max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING, protected=True)
    total = models.PositiveIntegerField("対象団体数", default=0)
    processed = models.PositiveIntegerField("処理済", default=0)
    created_count = models.PositiveIntegerField("新規作成", default=0)
    existing_count = models.PositiveIntegerField("作成済のため対象外", default=0)
    missing_count_count = models.PositiveIntegerField("世帯数なし", default=0)
    last_code = models.CharField("処理済の最後の団体コード", max_length=20, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "年次一括作成"
        verbose_name_plural = "年次一括作成"
        constraints = [
            models.CheckConstraint(condition=Q(processed__lte=models.F("total")), name="run_processed_within_total")
        ]

    def __str__(self) -> str:
        return f"{self.programme_year} 年次一括作成 {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.processed * 100 // self.total


# -- the full lifecycle: budget lines, 変更承認申請, 実績報告, receipts, 返還命令 (GRANTS.md §3) --------------

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` along an edge of its
        machine (``grants.cases.machines.ANNUAL_RUN``)."""
        return target


class LineKind(models.TextChoices):
    INCOME = "income", "収入"
    EXPENSE = "expense", "支出"


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", "作成中"
    PENDING = "pending", "審査中"
    APPROVED = "approved", "承認"
    REJECTED = "rejected", "不承認"
    WITHDRAWN = "withdrawn", "取下げ"


class ChangeRequest(FSMModelMixin, models.Model):
    """A 変更承認申請: the council asks, before changing the project, for a new amount, deadline and budget
    lines (with their plan links). Approval makes its lines the case's current budget."""

    case = models.ForeignKey(GrantCase, verbose_name="案件", on_delete=models.PROTECT, related_name="change_requests")
    reason = models.TextField("変更の理由")
    requested_amount = models.PositiveBigIntegerField("変更後の交付申請額")
    new_completion_deadline = models.DateField("変更後の完了期限", null=True, blank=True)
    status = FSMField("状態", max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT, protected=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申請者", on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField("申請日時", auto_now_add=True)
    assessed_amount = models.PositiveBigIntegerField("査定額", null=True, blank=True)
    previous_amount = models.PositiveBigIntegerField("変更前の交付決定額", null=True, blank=True)
    decided_amount = models.PositiveBigIntegerField("変更後の交付決定額", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="決裁者", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("決裁日時", null=True, blank=True)

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = "変更承認申請"
        verbose_name_plural = "変更承認申請"
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status__in=["draft", "pending"]),
                                    name="one_open_change_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case} 変更承認申請 {self.requested_at:%Y-%m-%d}"

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` along an edge of its
        machine (``grants.cases.machines.CHANGE_REQUEST``)."""
        return target


class LineFields(models.Model):
    """What budget and report lines share: 収入 or 支出, 費目, link to the plan, purpose, amount, date."""

    kind = models.CharField("区分", max_length=10, choices=LineKind.choices, default=LineKind.EXPENSE)
    category = models.ForeignKey(ExpenseCategory, verbose_name="費目", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    plan_item = models.ForeignKey(PlanItem, verbose_name="計画の取組", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    purpose = models.ForeignKey(ActivityPurpose, verbose_name="活動の目的", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(SecretariatStaff, verbose_name="事務局員", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    description = models.CharField("内容", max_length=200)
    amount = models.PositiveBigIntegerField("金額（円）")
    spent_on = models.DateField("支出（予定）日", null=True, blank=True)
    condition_confirmed = models.BooleanField("条件を満たすことを確認した", default=False)
    order = models.PositiveSmallIntegerField("順序", default=0)

    class Meta:
        abstract = True
        ordering = ["kind", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.category or ''} {self.description} {self.amount:,}円"


class BudgetLine(LineFields):
    """A line of the 収支予算書 of an application (``change_request`` empty) or of a 変更承認申請."""

    case = models.ForeignKey(GrantCase, verbose_name="案件", on_delete=models.CASCADE, related_name="budget_lines")
    change_request = models.ForeignKey(ChangeRequest, verbose_name="変更承認申請", null=True, blank=True,
                                       on_delete=models.CASCADE, related_name="lines")

    class Meta(LineFields.Meta):
        verbose_name = "収支予算の明細"
        verbose_name_plural = "収支予算の明細"
        constraints = [
            models.CheckConstraint(condition=Q(kind="income") | Q(category__isnull=False),
                                   name="budget_expense_has_category"),
        ]


class PerformanceReport(models.Model):
    """The 実績報告 of a case: narrative, completion date and the 収支決算 lines, with receipts attached."""

    case = models.OneToOneField(GrantCase, verbose_name="案件", on_delete=models.PROTECT, related_name="report")
    narrative = models.TextField("事業の実施状況")
    completed_on = models.DateField("事業完了日")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="記入者", on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)

    class Meta:
        verbose_name = "実績報告"
        verbose_name_plural = "実績報告"

    def __str__(self) -> str:
        return f"{self.case} 実績報告"


class ReportLine(LineFields):
    """A line of the 収支決算書. An expense line with a ``recipient`` is a re-grant (再交付) of the council to a
    local group, e.g. small road and waterway works (道路・水路の小規模修繕)."""

    report = models.ForeignKey(PerformanceReport, verbose_name="実績報告", on_delete=models.CASCADE,
                               related_name="lines")
    recipient = models.CharField("再交付先（交付した団体）", max_length=120, blank=True)

    class Meta(LineFields.Meta):
        verbose_name = "収支決算の明細"
        verbose_name_plural = "収支決算の明細"
        constraints = [
            models.CheckConstraint(condition=Q(kind="income") | Q(category__isnull=False),
                                   name="report_expense_has_category"),
            models.CheckConstraint(condition=Q(kind="expense") | Q(recipient=""), name="subgrant_is_expense"),
        ]


def receipt_path(instance: "Receipt", filename: str) -> str:
    return f"receipts/{instance.report.case_id}/{filename}"


class Receipt(models.Model):
    """A copy of a receipt (領収書の写し) attached to the 実績報告, optionally for one line."""

    report = models.ForeignKey(PerformanceReport, verbose_name="実績報告", on_delete=models.CASCADE,
                               related_name="receipts")
    line = models.ForeignKey(ReportLine, verbose_name="明細", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="receipts")
    title = models.CharField("内容", max_length=200)
    file = models.FileField("ファイル", upload_to=receipt_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登録者", on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = "領収書の写し"
        verbose_name_plural = "領収書の写し"

    def __str__(self) -> str:
        return self.title


class RefundReason(models.TextChoices):
    CONFIRMATION = "confirmation", "額の確定による返還（適正化法第18条第2項の例）"
    CANCELLATION = "cancellation", "交付決定の取消による返還（適正化法第18条第1項の例）"
    TAX_CREDIT = "tax_credit", "消費税仕入控除税額の返還"


TAX_CREDIT_NOTICE_KEY = "tax_credit"


class RefundStatus(models.TextChoices):
    ORDERED = "ordered", "納付待ち"
    SETTLED = "settled", "納付済"


class RefundOrder(FSMModelMixin, models.Model):
    """A 返還命令: the council must return ``principal`` yen (advances above the confirmed amount, or above what
    a cancellation leaves) by ``due_on``. 延滞金 runs on what is unpaid after the due date; 加算金 only when the
    refund follows a cancellation (取消), on each part from the day it was received to the day it is returned.
    Yearly rates on a 365-day year (適正化法第19条; 施行令: refunds are taken from the latest receipts first,
    and partial payments go to the principal first). Rates are copied here when the order is issued (0 % 加算金
    for a refund after 額の確定)."""

    # At most one order of the 額の確定 or 取消 and one of the 消費税仕入控除税額 per case (constraints below).
    case = models.ForeignKey(GrantCase, verbose_name="案件", on_delete=models.PROTECT, related_name="refund_orders")
    principal = models.PositiveBigIntegerField("返還を命じる額（円）")
    reason = models.CharField("返還の理由", max_length=20, choices=RefundReason.choices,
                              default=RefundReason.CONFIRMATION)
    ordered_on = models.DateField("返還命令日")
    due_on = models.DateField("納期限")
    surcharge_rate = models.DecimalField("加算金の年率（％）", max_digits=6, decimal_places=3)
    late_rate = models.DecimalField("延滞金の年率（％）", max_digits=6, decimal_places=3)
    penalty_rounding_unit = models.PositiveIntegerField("加算金・延滞金の端数処理の単位（円）", default=1)
    status = FSMField("状態", max_length=10, choices=RefundStatus.choices, default=RefundStatus.ORDERED, protected=True)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="命令者", on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = "返還命令"
        verbose_name_plural = "返還命令"
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="refund_principal_positive"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("ordered_on")), name="refund_due_after_order"),
            models.UniqueConstraint(fields=["case"], condition=~Q(reason=RefundReason.TAX_CREDIT),
                                    name="one_settlement_refund_per_case"),
            models.UniqueConstraint(fields=["case"], condition=Q(reason=RefundReason.TAX_CREDIT),
                                    name="one_tax_credit_refund_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case} 返還命令 {self.principal:,}円"

    @property
    def notice_key(self) -> str:
        """The ``subject_key`` of this order's 返還命令書: "" for the order of the 額の確定 or 取消 (as before),
        ``TAX_CREDIT_NOTICE_KEY`` for the 消費税仕入控除税額's, so that a case may have one notice of each."""
        return TAX_CREDIT_NOTICE_KEY if self.reason == RefundReason.TAX_CREDIT else ""

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` along an edge of its
        machine (``grants.cases.machines.REFUND_ORDER``)."""
        return target


class RefundReceipt(models.Model):
    """One payment received against a 返還命令 (戻入): how much went to the principal (posted to the ledger as
    a refund) and to 加算金 and 延滞金 (revenue, 歳入), whole yen."""

    order = models.ForeignKey(RefundOrder, verbose_name="返還命令", on_delete=models.PROTECT, related_name="receipts")
    received_on = models.DateField("納付日")
    principal_part = models.PositiveBigIntegerField("元金への充当額")
    surcharge_part = models.PositiveBigIntegerField("加算金", default=0)
    late_part = models.PositiveBigIntegerField("延滞金", default=0)
    ledger_entry = models.OneToOneField("ledger.LedgerEntry", verbose_name="返還の仕訳", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="refund_receipt")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="記録者", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        ordering = ["order", "received_on", "pk"]
        verbose_name = "返還金の納付"
        verbose_name_plural = "返還金の納付"

    def __str__(self) -> str:
        return f"{self.order} 納付 {self.received_on}"


def report_due_date(programme_year: ProgrammeYear, completed_on: dt.date | None) -> dt.date | None:
    """Due date of the 実績報告: the earlier of ``report_due_days`` days from ``completed_on`` (counted by
    ``report_due_counting``: 翌日起算 → completed_on + days, 初日算入 → completed_on + days − 1;
    ``grants.core.deadlines.due_on``) and ``report_due_fixed`` (all data of the programme-year; either may be
    absent). None when neither applies."""
    candidates = []
    if completed_on is not None and programme_year.report_due_days:
        candidates.append(deadlines.due_on(completed_on, programme_year.report_due_days,
                                           programme_year.report_due_counting))
    if programme_year.report_due_fixed is not None:
        candidates.append(programme_year.report_due_fixed)
    return min(candidates) if candidates else None
