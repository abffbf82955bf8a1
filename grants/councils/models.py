"""地域づくり協議会: the 地域づくり計画, secretariat staff, budget and report lines, and the data that
judges them (費目 and purposes allowed per programme-year). GRANTS.md §2–§5.

Money is whole yen (integers). Plans are versioned: a revised plan is a new ``CommunityPlan`` row with new
items; the old one stays on record, and each case keeps the version it was judged against (``GrantCase.plan``).
"""
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from grants.cases.models import GrantCase
from grants.core.fiscal import fiscal_year_bounds, fiscal_year_label
from grants.organizations.models import Organization
from grants.programmes.models import ProgrammeYear


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "作成中"
    SUBMITTED = "submitted", "提出済（承認待ち）"
    APPROVED = "approved", "承認済"
    SUPERSEDED = "superseded", "改定により終了"


class CommunityPlanQuerySet(models.QuerySet["CommunityPlan"]):
    def in_force(self, organization: Organization | int, fiscal_year: int) -> "CommunityPlan | None":
        """The approved plan of ``organization`` whose term covers ``fiscal_year`` (the latest approved
        version when a revision was approved), or None."""
        return (
            self.filter(organization=organization, status=PlanStatus.APPROVED, first_fiscal_year__lte=fiscal_year,
                        last_fiscal_year__gte=fiscal_year)
            .order_by("-version")
            .first()
        )


class CommunityPlan(models.Model):
    """One version of a council's 地域づくり計画 for a term (期, usually five 年度).

    In force for the 年度 ``first_fiscal_year`` … ``last_fiscal_year`` once approved by city staff. A revision
    (改定) is a new version of the same organisation; approving it marks the earlier approved version
    ``superseded`` — it stays on record with its items, and cases judged against it keep pointing at it.
    """

    organization = models.ForeignKey(Organization, verbose_name="協議会", on_delete=models.PROTECT,
                                     related_name="plans")
    version = models.PositiveSmallIntegerField("版")
    term_label = models.CharField("期", max_length=40, help_text="例: 第3期")
    title = models.CharField("計画の名称", max_length=200)
    first_fiscal_year = models.PositiveSmallIntegerField("計画期間（初年度）")
    last_fiscal_year = models.PositiveSmallIntegerField("計画期間（最終年度）")
    vision = models.TextField("目指す地域の姿", blank=True)
    revision_reason = models.TextField("改定の理由", blank=True)
    revises = models.ForeignKey("self", verbose_name="改定前の版", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="revisions")
    status = models.CharField("状態", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作成者", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出者", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承認者", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField("承認日時", null=True, blank=True)

    objects = CommunityPlanQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "-version"]
        verbose_name = "地域づくり計画"
        verbose_name_plural = "地域づくり計画"
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"], name="plan_version_unique"),
            models.CheckConstraint(condition=Q(first_fiscal_year__lte=models.F("last_fiscal_year")),
                                   name="plan_term_ordered"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("submitted_by")),
                name="plan_approved_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name} {self.title}（{self.term_label}・第{self.version}版）"

    @property
    def term_display(self) -> str:
        return f"{fiscal_year_label(self.first_fiscal_year)}〜{fiscal_year_label(self.last_fiscal_year)}"

    def covers(self, fiscal_year: int) -> bool:
        return self.first_fiscal_year <= fiscal_year <= self.last_fiscal_year


class ItemLevel(models.TextChoices):
    FIELD = "field", "分野"
    MEASURE = "measure", "施策"
    ACTION = "action", "取組"


# The level each level's parent must have.
PARENT_LEVEL = {ItemLevel.FIELD: None, ItemLevel.MEASURE: ItemLevel.FIELD, ItemLevel.ACTION: ItemLevel.MEASURE}


class PlanItem(models.Model):
    """An item of a plan version: 分野 → 施策 → 取組. Budget and report lines link to 施策 or 取組."""

    plan = models.ForeignKey(CommunityPlan, verbose_name="計画", on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey("self", verbose_name="上位の項目", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    level = models.CharField("階層", max_length=10, choices=ItemLevel.choices)
    code = models.CharField("番号", max_length=20, help_text="例: 1-2-3")
    title = models.CharField("名称", max_length=200)
    description = models.TextField("内容", blank=True)

    class Meta:
        ordering = ["plan", "code"]
        verbose_name = "計画の項目"
        verbose_name_plural = "計画の項目"
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_item_code_unique"),
            models.CheckConstraint(condition=Q(level="field", parent__isnull=True)
                                   | (~Q(level="field") & Q(parent__isnull=False)), name="plan_item_parent_by_level"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        expected = PARENT_LEVEL.get(ItemLevel(self.level)) if self.level else None
        if self.parent_id is not None:
            if self.parent.plan_id != self.plan_id:
                raise ValidationError({"parent": "上位の項目は同じ計画の項目にしてください。"})
            if self.parent.level != expected:
                above = ItemLevel(expected).label if expected else "なし"
                raise ValidationError({"parent": f"{self.get_level_display()}の上位は{above}です。"})


def plan_attachment_path(instance: "PlanAttachment", filename: str) -> str:
    return f"plans/{instance.plan.organization_id}/{instance.plan_id}/{filename}"


class PlanAttachment(models.Model):
    """A file attached to a plan version (the plan document, minutes of the general meeting …)."""

    plan = models.ForeignKey(CommunityPlan, verbose_name="計画", on_delete=models.PROTECT, related_name="attachments")
    title = models.CharField("資料名", max_length=200)
    file = models.FileField("ファイル", upload_to=plan_attachment_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登録者", on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = "計画の添付資料"
        verbose_name_plural = "計画の添付資料"

    def __str__(self) -> str:
        return self.title


class PayBasis(models.TextChoices):
    MONTHLY = "monthly", "月給"
    HOURLY = "hourly", "時給"


class SecretariatStaff(models.Model):
    """A member of a council's secretariat (事務局員) and the cost of employing them, in whole yen.

    Monthly cost = monthly wage (月給), or hourly rate × hours per month (時給 × 月間時間), plus the employer's
    social insurance per month (社会保険料の事業主負担分). The yearly cost for a 年度 counts each month of the
    年度 in which the person is employed for at least one day (在職月数、月単位)."""

    organization = models.ForeignKey(Organization, verbose_name="協議会", on_delete=models.PROTECT,
                                     related_name="secretariat_staff")
    name = models.CharField("氏名", max_length=100)
    role = models.CharField("職名", max_length=40, help_text="例: 事務局長、事務局員")
    pay_basis = models.CharField("給与の形態", max_length=10, choices=PayBasis.choices)
    monthly_wage = models.PositiveIntegerField("月給（円）", null=True, blank=True)
    hourly_rate = models.PositiveIntegerField("時給（円）", null=True, blank=True)
    hours_per_month = models.PositiveSmallIntegerField("月間の勤務時間", null=True, blank=True)
    social_insurance_monthly = models.PositiveIntegerField("社会保険料の事業主負担（月額・円）", default=0)
    employed_from = models.DateField("雇用開始日")
    employed_until = models.DateField("雇用終了日", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登録者", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        ordering = ["organization", "employed_from", "pk"]
        verbose_name = "事務局員"
        verbose_name_plural = "事務局員"
        constraints = [
            models.CheckConstraint(
                condition=(Q(pay_basis="monthly") & Q(monthly_wage__isnull=False))
                | (Q(pay_basis="hourly") & Q(hourly_rate__isnull=False) & Q(hours_per_month__isnull=False)),
                name="staff_pay_complete",
            ),
            models.CheckConstraint(
                condition=Q(employed_until__isnull=True) | Q(employed_until__gte=models.F("employed_from")),
                name="staff_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.name}"

    def clean(self) -> None:
        errors = {}
        if self.pay_basis == PayBasis.MONTHLY and self.monthly_wage is None:
            errors["monthly_wage"] = "月給の方は月給を入力してください。"
        if self.pay_basis == PayBasis.HOURLY and (self.hourly_rate is None or self.hours_per_month is None):
            errors["hourly_rate"] = "時給の方は時給と月間の勤務時間を入力してください。"
        if self.employed_until and self.employed_from and self.employed_until < self.employed_from:
            errors["employed_until"] = "雇用終了日は雇用開始日より後にしてください。"
        if errors:
            raise ValidationError(errors)

    @property
    def monthly_cost(self) -> int:
        """Pay per month plus the employer's social insurance, whole yen."""
        pay = self.monthly_wage if self.pay_basis == PayBasis.MONTHLY else (self.hourly_rate or 0) * (
            self.hours_per_month or 0)
        return (pay or 0) + self.social_insurance_monthly

    def months_in(self, fiscal_year: int) -> int:
        """Months of the 年度 (April … March) in which the person is employed for at least one day."""
        start, end = fiscal_year_bounds(fiscal_year)
        first = max(start, self.employed_from)
        last = min(end, self.employed_until or end)
        if first > last:
            return 0
        return (last.year - first.year) * 12 + last.month - first.month + 1

    def cost_in(self, fiscal_year: int) -> int:
        """Planned yearly cost for the 年度, whole yen (monthly cost × months employed)."""
        return self.monthly_cost * self.months_in(fiscal_year)


class ExpenseCategory(models.Model):
    """An expense category (費目) of 収支予算書 and 収支決算書, e.g. 報償費, 食糧費 (GRANTS.md §5)."""

    code = models.SlugField("費目コード", max_length=30, unique=True)
    name = models.CharField("費目", max_length=40)
    order = models.PositiveSmallIntegerField("順序", default=0)
    is_staff_cost = models.BooleanField("人件費（事務局員の雇用経費）", default=False)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "費目"
        verbose_name_plural = "費目"

    def __str__(self) -> str:
        return self.name


class Treatment(models.TextChoices):
    ALLOWED = "allowed", "対象"
    CONDITIONAL = "conditional", "条件付きで対象"
    EXCLUDED = "excluded", "対象外"


class ExpenseRule(models.Model):
    """How a programme-year treats one 費目: allowed, excluded, or conditional with its condition in words
    (e.g. 食糧費: 作業中の飲み物は対象、弁当・酒類は対象外). A 費目 without a rule is not eligible."""

    programme_year = models.ForeignKey(ProgrammeYear, verbose_name="年度別の交付基準", on_delete=models.CASCADE,
                                       related_name="expense_rules")
    category = models.ForeignKey(ExpenseCategory, verbose_name="費目", on_delete=models.PROTECT, related_name="rules")
    treatment = models.CharField("取扱い", max_length=12, choices=Treatment.choices)
    condition = models.CharField("対象となる条件", max_length=200, blank=True,
                                 help_text="条件付きの場合に、申請者が確認する条件（例: 作業中の飲み物代であること）")
    reason = models.CharField("対象外の理由・注意", max_length=200, blank=True)

    class Meta:
        ordering = ["programme_year", "category"]
        verbose_name = "費目の取扱い"
        verbose_name_plural = "費目の取扱い"
        constraints = [
            models.UniqueConstraint(fields=["programme_year", "category"], name="one_rule_per_category"),
            models.CheckConstraint(condition=~Q(treatment="conditional") | ~Q(condition=""),
                                   name="conditional_rule_has_condition"),
        ]

    def __str__(self) -> str:
        return f"{self.category}：{self.get_treatment_display()}"


class ActivityPurpose(models.Model):
    """A purpose an activity line declares (防災, 福祉, 環境 …), per programme-year. Excluded purposes
    (営利のみ, 宗教活動, 政治活動, 特定の個人の利益) make the line ineligible, with ``reason`` in words."""

    programme_year = models.ForeignKey(ProgrammeYear, verbose_name="年度別の交付基準", on_delete=models.CASCADE,
                                       related_name="purposes")
    name = models.CharField("目的", max_length=60)
    excluded = models.BooleanField("対象外の目的", default=False)
    reason = models.CharField("対象外の理由", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("順序", default=0)

    class Meta:
        ordering = ["programme_year", "order", "pk"]
        verbose_name = "活動の目的"
        verbose_name_plural = "活動の目的"
        constraints = [
            models.UniqueConstraint(fields=["programme_year", "name"], name="purpose_name_unique"),
            models.CheckConstraint(condition=Q(excluded=False) | ~Q(reason=""), name="excluded_purpose_has_reason"),
        ]

    def __str__(self) -> str:
        return self.name


class LineKind(models.TextChoices):
    INCOME = "income", "収入"
    EXPENSE = "expense", "支出"


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", "作成中"
    PENDING = "pending", "審査中"
    APPROVED = "approved", "承認"
    REJECTED = "rejected", "不承認"


class ChangeRequest(models.Model):
    """A 変更承認申請: the council asks, before changing the project, for a new amount, deadline and budget
    lines (with their plan links). Approval makes its lines the case's current budget."""

    case = models.ForeignKey(GrantCase, verbose_name="案件", on_delete=models.PROTECT, related_name="change_requests")
    reason = models.TextField("変更の理由")
    requested_amount = models.PositiveBigIntegerField("変更後の交付申請額")
    new_completion_deadline = models.DateField("変更後の完了期限", null=True, blank=True)
    status = models.CharField("状態", max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT)
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


class RefundStatus(models.TextChoices):
    ORDERED = "ordered", "納付待ち"
    SETTLED = "settled", "納付済"


class RefundOrder(models.Model):
    """A 返還命令: the council must return ``principal`` yen (advances above the confirmed amount, or above what
    a cancellation leaves) by ``due_on``. 延滞金 runs on what is unpaid after the due date; 加算金 only when the
    refund follows a cancellation (取消), on each part from the day it was received to the day it is returned.
    Yearly rates on a 365-day year (適正化法第19条; 施行令: refunds are taken from the latest receipts first,
    and partial payments go to the principal first). Rates are copied here when the order is issued (0 % 加算金
    for a refund after 額の確定)."""

    case = models.OneToOneField(GrantCase, verbose_name="案件", on_delete=models.PROTECT, related_name="refund_order")
    principal = models.PositiveBigIntegerField("返還を命じる額（円）")
    reason = models.CharField("返還の理由", max_length=20, choices=RefundReason.choices,
                              default=RefundReason.CONFIRMATION)
    ordered_on = models.DateField("返還命令日")
    due_on = models.DateField("納期限")
    surcharge_rate = models.DecimalField("加算金の年率（％）", max_digits=6, decimal_places=3)
    late_rate = models.DecimalField("延滞金の年率（％）", max_digits=6, decimal_places=3)
    penalty_rounding_unit = models.PositiveIntegerField("加算金・延滞金の端数処理の単位（円）", default=1)
    status = models.CharField("状態", max_length=10, choices=RefundStatus.choices, default=RefundStatus.ORDERED)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="命令者", on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = "返還命令"
        verbose_name_plural = "返還命令"
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="refund_principal_positive"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("ordered_on")), name="refund_due_after_order"),
        ]

    def __str__(self) -> str:
        return f"{self.case} 返還命令 {self.principal:,}円"


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
    submission_key = models.CharField(
        "送信の識別子", max_length=40, blank=True,
        help_text="同じ画面からの二重送信で同じ納付が2回記録されないための識別子（画面ごとに生成）",
    )

    class Meta:
        ordering = ["order", "received_on", "pk"]
        verbose_name = "返還金の納付"
        verbose_name_plural = "返還金の納付"
        constraints = [
            models.UniqueConstraint(fields=["order", "submission_key"], condition=~Q(submission_key=""),
                                    name="refund_receipt_submitted_once"),
        ]

    def __str__(self) -> str:
        return f"{self.order} 納付 {self.received_on}"


def report_due_date(programme_year: ProgrammeYear, completed_on: dt.date | None) -> dt.date | None:
    """Due date of the 実績報告: the earlier of ``completed_on`` + ``report_due_days`` days and
    ``report_due_fixed`` (both data of the programme-year; either may be absent). None when neither applies."""
    candidates = []
    if completed_on is not None and programme_year.report_due_days is not None:
        candidates.append(completed_on + dt.timedelta(days=programme_year.report_due_days))
    if programme_year.report_due_fixed is not None:
        candidates.append(programme_year.report_due_fixed)
    return min(candidates) if candidates else None
