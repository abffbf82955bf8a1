"""Grant cases (交付案件) and their lifecycle, and the annual run that creates them."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from grants.accounts.models import User
from grants.organizations.models import Organization
from grants.programmes.models import ProgrammeYear


class Status(models.TextChoices):
    DRAFT = "draft", "申請前"
    SUBMITTED = "submitted", "申請済（審査待ち）"
    VERIFIED = "verified", "審査済（決裁待ち）"
    DECIDED = "decided", "交付決定済"
    NOT_GRANTED = "not_granted", "不交付決定"
    PAYMENT_PREPARED = "payment_prepared", "支出命令起票済（承認待ち）"
    PAYMENT_APPROVED = "payment_approved", "支出承認済"
    PAID = "paid", "支払済"


class GrantCaseQuerySet(models.QuerySet["GrantCase"]):
    def visible_to(self, user: User) -> "GrantCaseQuerySet":
        """Cases ``user`` may see: every case for city staff, and for an association head the cases of
        the organisations they currently represent."""
        if not user.is_authenticated:
            return self.none()
        if user.is_city_user:
            return self
        from grants.organizations.models import Representative

        # One subquery, so that "this user" and "in office today" hold for the same term of office.
        return self.filter(
            organization_id__in=Representative.objects.current().filter(user=user).values("organization_id")
        )


class GrantCase(FSMModelMixin, models.Model):
    """One organisation's case in one programme-year (交付案件).

    Amounts are whole yen and stored snapshots, never recomputed from later rules: ``computed_amount``
    (算定額, from the rule and the counts), ``decided_amount`` (交付決定額, set by the decision and
    committed in the ledger) and ``paid_amount`` (支出済額). ``status`` moves only through
    ``grants.cases.services`` (protected FSM field).
    """

    programme_year = models.ForeignKey(
        ProgrammeYear, verbose_name="事業・年度", on_delete=models.PROTECT, related_name="cases"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="団体", on_delete=models.PROTECT, related_name="cases"
    )
    status = FSMField("状態", default=Status.DRAFT, choices=Status.choices, protected=True)
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
    payment_prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="支出命令起票者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    payment_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="支出承認者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    paid_on = models.DateField("支払日", null=True, blank=True)

    objects = GrantCaseQuerySet.as_manager()

    class Meta:
        ordering = ["programme_year", "organization__code"]
        verbose_name = "交付案件"
        verbose_name_plural = "交付案件"
        constraints = [
            models.UniqueConstraint(fields=["programme_year", "organization"], name="one_case_per_programme_year"),
            models.CheckConstraint(
                condition=Q(decided_amount__isnull=True) | Q(paid_amount__lte=models.F("decided_amount")),
                name="case_paid_within_decided",
            ),
            models.CheckConstraint(
                condition=Q(decided_amount__isnull=False) | Q(paid_amount=0), name="case_paid_only_when_decided"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_year} {self.organization}"

    @property
    def reference(self) -> str:
        """Case reference shown to users: fiscal year, programme code and number (e.g. 2026-jichi_shinko-00042)."""
        return f"{self.programme_year.fiscal_year}-{self.programme_year.programme.code}-{self.pk:05d}"

    # Transitions. Who may take them, and what else happens, is in flow.FLOW and services.py.
    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED)
    def submit(self) -> None: ...

    @transition(field=status, source=[Status.SUBMITTED, Status.VERIFIED], target=Status.DRAFT)
    def return_to_applicant(self) -> None: ...

    @transition(field=status, source=Status.SUBMITTED, target=Status.VERIFIED)
    def verify(self) -> None: ...

    @transition(field=status, source=Status.VERIFIED, target=Status.DECIDED)
    def decide(self) -> None: ...

    @transition(field=status, source=Status.VERIFIED, target=Status.NOT_GRANTED)
    def refuse(self) -> None: ...

    @transition(field=status, source=Status.DECIDED, target=Status.PAYMENT_PREPARED)
    def prepare_payment(self) -> None: ...

    @transition(field=status, source=Status.PAYMENT_PREPARED, target=Status.PAYMENT_APPROVED)
    def approve_payment(self) -> None: ...

    @transition(field=status, source=Status.PAYMENT_PREPARED, target=Status.DECIDED)
    def reject_payment(self) -> None: ...

    @transition(field=status, source=Status.PAYMENT_APPROVED, target=Status.PAID)
    def record_paid(self) -> None: ...

    @transition(field=status, source=Status.PAID, target=Status.PAYMENT_APPROVED)
    def return_transfer(self) -> None: ...


class EligibilityOverride(models.Model):
    """A staff decision to pass a failed eligibility check, with its recorded justification."""

    case = models.ForeignKey(GrantCase, verbose_name="案件", on_delete=models.PROTECT, related_name="overrides")
    check_code = models.CharField("確認項目", max_length=40)
    justification = models.TextField("理由")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="判断者", on_delete=models.PROTECT)
    at = models.DateTimeField("日時", auto_now_add=True)

    class Meta:
        verbose_name = "要件確認の特例判断"
        verbose_name_plural = "要件確認の特例判断"
        constraints = [
            models.UniqueConstraint(fields=["case", "check_code"], name="one_override_per_check"),
            models.CheckConstraint(condition=~Q(justification=""), name="override_has_justification"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.check_code}"


class RunStatus(models.TextChoices):
    RUNNING = "running", "処理中"
    DONE = "done", "完了"


class AnnualRun(models.Model):
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
    status = models.CharField("状態", max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
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
