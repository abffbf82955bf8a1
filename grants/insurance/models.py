"""コミュニティ活動保険 (山口市社会貢献活動保険制度): the yearly policy as data (GRANTS.md §6).

The city pays the premium and groups do not enrol beforehand; what an accident is worth depends on the policy of
the year it happened in. Every amount, limit, window and deadline below is a field, edited in the admin; nothing
about cover is in code. Amounts are whole yen; windows and deadlines are days.
"""
import datetime as dt
import os
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from grants.core.deadlines import DayCounting, deadline_wording, due_on
from grants.core.fiscal import fiscal_year_label, wareki
from grants.core.models import AppendOnlyModel


class BenefitMode(models.TextChoices):
    PER_DAY = "per_day", "日額（入院・通院の日数 × 日額）"
    BANDED = "banded", "治療日数に応じた定額（段階）"


class BandTables(models.TextChoices):
    """How a banded policy counts treatment days (定額払の表の分け方): one table on the inpatient and outpatient
    days added together, or one table for each whose amounts are added."""

    COMBINED = "combined", "一つの表（入院と通院の日数の合計）"
    SEPARATE = "separate", "入院と通院で別々の表（それぞれの保険金を合計）"


class BandTable(models.TextChoices):
    """The table a band belongs to (表): which days it counts."""

    COMBINED = "combined", "合算（入院と通院の日数の合計）"
    INPATIENT = "inpatient", "入院"
    OUTPATIENT = "outpatient", "通院"


#: The tables each choice of ``InsurancePolicy.band_tables`` is made of, in the order the lines are shown.
TABLES_OF: dict[str, tuple[BandTable, ...]] = {
    BandTables.COMBINED: (BandTable.COMBINED,),
    BandTables.SEPARATE: (BandTable.INPATIENT, BandTable.OUTPATIENT),
}


class InsurancePolicy(models.Model):
    """The city's policy for one period (保険期間): insurer, liability limits and injury benefits.

    Liability (賠償責任): bodily injury per person and per accident, property per accident, goods in custody, and
    the deductible (免責金額) per accident. Injury (傷害): death, disability (a percentage of the death benefit by
    grade, kept between a floor and the death benefit), and either per-day benefits (inpatient and outpatient,
    each counted within a window from the accident day — the accident day is day 1 — up to a maximum number of
    days, outpatient after waiting days; surgery as a multiple of the inpatient day) or banded lump sums by the
    number of treatment days, on one table of the inpatient and outpatient days added together or on separate
    inpatient and outpatient tables whose amounts are added (``band_tables``). The 事故報告書 is due
    ``report_due_days`` days after the accident, counted as ``report_due_counting`` says (初日算入: 20 → accident
    + 19 days, 「事故の日を含めて20日以内」; 翌日起算: accident + 20 days); a claim is filed after recovery, or at
    ``claim_after_days`` days from the accident when treatment goes on.
    """

    fiscal_year = models.PositiveSmallIntegerField("年度")
    insurer = models.CharField("保険会社", max_length=100)
    policy_number = models.CharField("証券番号", max_length=40)
    period_start = models.DateField("保険期間（始期）")
    period_end = models.DateField("保険期間（終期）")
    label = models.CharField("表示ラベル", max_length=40, blank=True, help_text="例: サンプル")
    # 賠償責任
    liability_bodily_per_person = models.PositiveBigIntegerField("身体賠償（1名あたり・円）", default=0)
    liability_bodily_per_accident = models.PositiveBigIntegerField("身体賠償（1事故あたり・円）", default=0)
    liability_property_per_accident = models.PositiveBigIntegerField("財物賠償（1事故あたり・円）", default=0)
    liability_custody_per_accident = models.PositiveBigIntegerField("受託物賠償（1事故あたり・円）", default=0)
    liability_deductible = models.PositiveBigIntegerField("免責金額（1事故あたり・円）", default=0)
    # 傷害
    death_benefit = models.PositiveBigIntegerField("死亡保険金（円）", default=0)
    disability_min = models.PositiveBigIntegerField("後遺障害保険金の最低額（円）", default=0)
    benefit_mode = models.CharField("入院・通院の支払方法", max_length=10, choices=BenefitMode.choices,
                                    default=BenefitMode.PER_DAY)
    inpatient_daily = models.PositiveBigIntegerField("入院保険金日額（円）", default=0)
    inpatient_window_days = models.PositiveSmallIntegerField("入院の対象期間（事故の日を含む日数）", default=180)
    inpatient_max_days = models.PositiveSmallIntegerField("入院の支払限度日数", null=True, blank=True)
    outpatient_daily = models.PositiveBigIntegerField("通院保険金日額（円）", default=0)
    outpatient_window_days = models.PositiveSmallIntegerField("通院の対象期間（事故の日を含む日数）", default=180)
    outpatient_max_days = models.PositiveSmallIntegerField("通院の支払限度日数", null=True, blank=True)
    outpatient_waiting_days = models.PositiveSmallIntegerField("通院の免責日数（最初の何日を支払わないか）", default=0)
    surgery_multiple_inpatient = models.PositiveSmallIntegerField("入院中の手術（入院日額の倍数）", default=0)
    surgery_multiple_outpatient = models.PositiveSmallIntegerField("外来の手術（入院日額の倍数）", default=0)
    surgery_max_count = models.PositiveSmallIntegerField("手術保険金を支払う回数（1事故あたり）", default=1)
    banded_window_days = models.PositiveSmallIntegerField("定額払の治療日数の対象期間（事故の日を含む日数）",
                                                          default=180)
    band_tables = models.CharField(
        "定額払の表の分け方", max_length=10, choices=BandTables.choices, default=BandTables.COMBINED,
        help_text="入院と通院に別々の段階表があるときは「別々の表」を選び、各段階の「表」を入院か通院にしてください。")
    # 期限
    report_due_days = models.PositiveSmallIntegerField("事故報告の期限（日数）", default=20)
    report_due_counting = models.CharField(
        "事故報告の期限の数え方", max_length=10, choices=DayCounting.choices, default=DayCounting.INCLUSIVE,
        help_text="要綱が「事故の日を含めて…日以内」なら初日算入、「事故の日の翌日から起算して…日以内」なら"
                  "翌日起算です。")
    claim_after_days = models.PositiveSmallIntegerField("治療中でも請求できる日数（事故の日から）", default=180)
    claim_limit_years = models.PositiveSmallIntegerField(
        "請求権の時効（事故の日からの年数）", default=3, help_text="保険法第95条：3年")
    reminder_interval_days = models.PositiveSmallIntegerField(
        "請求の督促の間隔（日）", default=30, help_text="請求できる日を過ぎても請求がないとき、この間隔で督促します")
    insurer_answer_days = models.PositiveSmallIntegerField(
        "保険会社の回答を待つ日数", default=30, help_text="送付からこの日数を過ぎて回答がなければ照会の対象にします")
    source = models.CharField("根拠（契約・要綱）", max_length=200, blank=True)

    class Meta:
        ordering = ["-period_start"]
        verbose_name = "保険契約（年度別の補償内容）"
        verbose_name_plural = "保険契約（年度別の補償内容）"
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year"], name="one_policy_per_fiscal_year"),
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="policy_period_ordered"),
            models.CheckConstraint(condition=Q(disability_min__lte=models.F("death_benefit")),
                                   name="disability_floor_within_death_benefit"),
            models.CheckConstraint(condition=Q(report_due_days__gte=1), name="report_due_days_positive"),
            models.CheckConstraint(condition=Q(reminder_interval_days__gte=1), name="reminder_interval_positive"),
        ]

    def __str__(self) -> str:
        suffix = f"（{self.label}）" if self.label else ""
        return f"{self.insurer} {self.policy_number}{suffix}"

    @property
    def fiscal_year_label(self) -> str:
        """The 年度 in 和暦, as the pages show it: 2026 → 令和8年度."""
        return fiscal_year_label(self.fiscal_year)

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_start > self.period_end:
            errors["period_end"] = "保険期間の終期は始期より後にしてください。"
        if self.disability_min > self.death_benefit:
            errors["disability_min"] = "後遺障害保険金の最低額は死亡保険金以下にしてください。"
        # On the field the database refuses, so that the form shows no constraint's internal name.
        if self.report_due_days is not None and self.report_due_days < 1:
            errors["report_due_days"] = "事故報告の期限は1日以上にしてください（要綱の日数をそのまま入力します）。"
        if self.reminder_interval_days is not None and self.reminder_interval_days < 1:
            errors["reminder_interval_days"] = "督促の間隔は1日以上にしてください。"
        if self.period_start and self.period_end and "period_end" not in errors:
            overlapping = InsurancePolicy.objects.filter(period_start__lte=self.period_end,
                                                         period_end__gte=self.period_start).exclude(pk=self.pk).first()
            if overlapping is not None:
                errors["period_start"] = (f"保険期間が「{overlapping}」（{wareki(overlapping.period_start)}〜"
                                          f"{wareki(overlapping.period_end)}）と重なっています。事故の日から契約を一つに"
                                          "決められるよう、期間が重ならないようにしてください。")
            errors.update(self._reports_outside_period())
        if errors:
            raise ValidationError(errors)

    def _reports_outside_period(self) -> dict[str, str]:
        """A report keeps its policy: a period moved past a report's accident day would leave that report in no
        period (the group could not save it again, and the day would pick no policy)."""
        if self.pk is None:
            return {}
        errors = {}
        for field, outside in (("period_start", Q(accident_date__lt=self.period_start)),
                               ("period_end", Q(accident_date__gt=self.period_end))):
            report = AccidentReport.objects.filter(outside, policy_id=self.pk).order_by("accident_date").first()
            if report is not None:
                errors[field] = (f"この保険期間の外になる事故報告書があります（受付番号 {report.number}、事故の日 "
                                 f"{wareki(report.accident_date)}）。報告のある日を含む期間にしてください。")
        return errors

    def covers(self, day: dt.date) -> bool:
        return self.period_start <= day <= self.period_end

    def report_due_on(self, accident_date: dt.date) -> dt.date:
        """Last day to file the 事故報告書 of an accident on ``accident_date`` (``grants.core.deadlines.due_on``)."""
        return due_on(accident_date, self.report_due_days, self.report_due_counting)

    @property
    def report_due_wording(self) -> str:
        """The deadline as the 要綱 words it: 「事故の日を含めて20日以内」 or 「事故の日の翌日から起算して20日以内」."""
        return deadline_wording("事故の日", self.report_due_days, self.report_due_counting)

    @property
    def report_due_example(self) -> str:
        """The deadline of an accident on the 1st of May: 「5月1日なら、5月20日まで」 (20 days, 初日算入)."""
        due = self.report_due_on(dt.date(2026, 5, 1))
        return f"5月1日なら、{due.month}月{due.day}日まで"


class BenefitBand(models.Model):
    """A lump sum paid when the treatment days counted by its ``table`` (within the window) fall in the band:
    from ``lower_days`` to ``upper_days`` inclusive (以上 … 以下; no upper = no limit). The table is the
    policy's one table of inpatient + outpatient days (合算), or, on a policy with separate tables, the
    inpatient (入院) or the outpatient (通院) days. Bands of one table neither overlap nor leave a gap
    (``band_table_errors``) and sit on the policy's own tables (``table_error``), both checked in the admin."""

    policy = models.ForeignKey(InsurancePolicy, verbose_name="保険契約", on_delete=models.CASCADE, related_name="bands")
    table = models.CharField("表", max_length=10, choices=BandTable.choices, default=BandTable.COMBINED)
    lower_days = models.PositiveSmallIntegerField("治療日数（以上）")
    upper_days = models.PositiveSmallIntegerField("治療日数（以下、空欄は上限なし）", null=True, blank=True)
    amount = models.PositiveBigIntegerField("保険金（円）")

    class Meta:
        ordering = ["policy", "table", "lower_days"]
        verbose_name = "定額払の段階"
        verbose_name_plural = "定額払の段階"
        constraints = [
            models.CheckConstraint(condition=Q(lower_days__gte=1), name="band_lower_at_least_one_day"),
            models.CheckConstraint(condition=Q(upper_days__isnull=True) | Q(upper_days__gte=models.F("lower_days")),
                                   name="band_days_ordered"),
        ]

    def __str__(self) -> str:
        table = "" if self.table == BandTable.COMBINED else f"{self.get_table_display()} "
        return f"{table}{self.days_text}：{self.amount:,}円"

    @property
    def days_text(self) -> str:
        """The band's days as the 要綱 writes them: 「10〜29日」, 「30日以上」 (no upper)."""
        return days_text(self.lower_days, self.upper_days)

    def clean(self) -> None:
        """Days from 1, the upper not below the lower, refused on the field (the database's checks name no row)."""
        if self.lower_days is not None and self.lower_days < 1:
            raise ValidationError({"lower_days": "治療日数（以上）は1日以上にしてください。"})
        if self.lower_days is not None and self.upper_days is not None and self.upper_days < self.lower_days:
            raise ValidationError({"upper_days": f"「以下」（{self.upper_days}日）が「以上」（{self.lower_days}日）より"
                                                 "少なくなっています。上限のない段階は空欄にしてください。"})

    def contains(self, days: int) -> bool:
        return self.lower_days <= days and (self.upper_days is None or days <= self.upper_days)



def table_error(band_tables: str, table: str) -> str:
    """Why a band on ``table`` does not belong to a policy whose tables are ``band_tables`` (a row that would
    never be read, its days silently unpaid), in Japanese; "" when it belongs."""
    if table in TABLES_OF[band_tables]:
        return ""
    allowed = "」か「".join(str(t.label) for t in TABLES_OF[band_tables])
    return f"表の分け方が「{BandTables(band_tables).label}」の保険契約です。表は「{allowed}」にしてください。"


def days_text(lower: int, upper: int | None) -> str:
    """Days from ``lower`` to ``upper`` inclusive, as the 要綱 writes them: 「10〜29日」, 「30日以上」, 「5日」."""
    if upper is None:
        return f"{lower}日以上"
    return f"{lower}日" if upper == lower else f"{lower}〜{upper}日"


def band_table_errors(band_tables: str, rows: Sequence[tuple[int, str, int, int | None]], *,
                      banded: bool = True) -> list[str]:
    """What is wrong with a policy's bands, in Japanese, each naming its row(s); empty when nothing is.

    ``rows``: (row number as shown, 1-based; table; lower days; upper days or None) of the bands kept. Within each
    table of ``band_tables`` (``TABLES_OF``): a band overlapping an earlier one (「3行目（10〜29日）が2行目（5〜12日）
    と重なっています。」), days between two bands that no band covers (「2行目と3行目の間（13〜14日）がどの区分にも
    入っていません。」), and, when the policy pays by bands (``banded``), a table without any band. Days below the
    first band of a table are not a gap (a 要綱 may pay from 5 days). Rows of a table that is not the policy's
    are left to ``table_error``."""
    errors: list[str] = []
    for table in TABLES_OF[band_tables]:
        prefix = "" if table == BandTable.COMBINED else f"{table.label} "
        mine = sorted((lower, upper, number) for number, t, lower, upper in rows if t == table)
        if banded and not mine:
            errors.append("定額払（段階）の保険契約には、定額払の段階を1つ以上入力してください。"
                          if table == BandTable.COMBINED else
                          f"{table.label}の表に定額払の段階を1つ以上入力してください（{table.label}の保険金がないときは、"
                          "1日以上・0円の段階を入力してください）。")
        reach: tuple[int | None, int] | None = None  # (the highest upper so far, its row); None upper = no limit
        for lower, upper, number in mine:
            if reach is not None:
                top, row = reach
                if top is None or lower <= top:
                    earlier = next(r for r in rows if r[0] == row)
                    errors.append(f"{number}行目（{prefix}{days_text(lower, upper)}）が{row}行目"
                                  f"（{prefix}{days_text(earlier[2], earlier[3])}）と重なっています。")
                elif lower > top + 1:
                    errors.append(f"{row}行目と{number}行目の間（{prefix}{days_text(top + 1, lower - 1)}）が"
                                  "どの区分にも入っていません。")
            if reach is None or (reach[0] is not None and (upper is None or upper > reach[0])):
                reach = (upper, number)
    return errors


class ConditionKind(models.TextChoices):
    CONDITION = "condition", "補償の条件（すべて満たす必要があります）"
    EXCLUSION = "exclusion", "対象外となる場合（一つでも該当すれば対象外）"


class PolicyCondition(models.Model):
    """One item staff judge after an accident (GRANTS.md §6): a condition of cover (all must hold: 5 or more
    members based in the city with a member list; voluntary public-benefit activity with bylaws; part of a
    planned annual programme; unpaid, transport costs allowed) or an exclusion (any one applies → not covered:
    competitors and spectators, own vehicles, natural disasters, intentional acts, illness). Data per policy,
    edited in the admin; ``STANDARD_CONDITIONS`` below is the city's usual set."""

    policy = models.ForeignKey(InsurancePolicy, verbose_name="保険契約", on_delete=models.CASCADE,
                               related_name="conditions")
    kind = models.CharField("区分", max_length=10, choices=ConditionKind.choices)
    code = models.SlugField("コード", max_length=40)
    label = models.CharField("項目", max_length=120)
    guidance = models.TextField("確認の方法", blank=True)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        ordering = ["policy", "kind", "order", "pk"]
        verbose_name = "判定項目"
        verbose_name_plural = "判定項目"
        constraints = [models.UniqueConstraint(fields=["policy", "code"], name="one_condition_code_per_policy")]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        """An item that findings were recorded on keeps its kind: a condition turned into an exclusion would turn
        every past 「満たす ○」 into 「該当する ×」 under a judgment that still says 補償の対象. Its label may be
        corrected (each finding keeps the reason written when it was judged)."""
        if self.pk is None:
            return
        before = PolicyCondition.objects.filter(pk=self.pk).values_list("kind", flat=True).first()
        if before is not None and before != self.kind and Finding.objects.filter(condition_id=self.pk).exists():
            raise ValidationError({"kind": "判定に使われた項目の区分は変更できません。区分の違う項目を新しく追加して"
                                           "ください。"})


# The city's usual items (山口市社会貢献活動保険制度, GRANTS.md §6): (kind, code, label, guidance).
STANDARD_CONDITIONS: tuple[tuple[str, str, str, str], ...] = (
    (ConditionKind.CONDITION, "members", "市内を拠点とする5人以上の団体で、会員名簿がある",
     "会員名簿で、市内に拠点があることと会員が5人以上であることを確認します。"),
    (ConditionKind.CONDITION, "public_benefit", "自主的な公益活動で、会則・規約がある",
     "会則・規約で、団体の目的が自主的な公益活動であることを確認します。"),
    (ConditionKind.CONDITION, "annual_plan", "年間の事業計画に基づく活動である",
     "年間事業計画に、事故が起きた活動が計画されていることを確認します。"),
    (ConditionKind.CONDITION, "unpaid", "無償の活動である（実費の交通費は可）",
     "謝礼・報酬がないこと（実費弁償の交通費を除く）を確認します。"),
    (ConditionKind.EXCLUSION, "event_competitor", "大会・催しの競技参加者や観客のけが",
     "催しの主催者・運営者としての活動中のけがは対象です。"),
    (ConditionKind.EXCLUSION, "own_vehicle", "自動車・バイクなど自ら運転する車両による事故", ""),
    (ConditionKind.EXCLUSION, "natural_disaster", "地震・噴火・津波などの自然災害による事故", ""),
    (ConditionKind.EXCLUSION, "intentional", "故意または重大な過失による事故", ""),
    (ConditionKind.EXCLUSION, "illness", "病気（熱中症・心疾患など、けがによらないもの）", ""),
)


def add_standard_conditions(policy: InsurancePolicy) -> int:
    """Give ``policy`` the city's usual items it does not have yet; returns how many were added."""
    have = set(policy.conditions.values_list("code", flat=True))
    new = [PolicyCondition(policy=policy, kind=kind, code=code, label=label, guidance=guidance, order=i)
           for i, (kind, code, label, guidance) in enumerate(STANDARD_CONDITIONS) if code not in have]
    PolicyCondition.objects.bulk_create(new)
    return len(new)


# -- 事故報告書 -------------------------------------------------------------------------------------------------

class ReportStatus(models.TextChoices):
    DRAFT = "draft", "作成中"
    SUBMITTED = "submitted", "提出済（判定待ち）"
    RETURNED = "returned", "差戻し（修正待ち）"
    COVERED = "covered", "補償の対象"
    NOT_COVERED = "not_covered", "補償の対象外"
    WITHDRAWN = "withdrawn", "取下げ"


class Reward(models.TextChoices):
    NONE = "none", "謝礼・報酬なし"
    TRANSPORT = "transport", "実費の交通費のみ"
    PAID = "paid", "謝礼・報酬あり"


class AccidentReport(FSMModelMixin, models.Model):
    """事故報告書: an accident during a group's activity, filed online by the group (or entered by the 保険担当
    from a paper report). いつ・どこで・だれが・どうして・どうなった, the activity and its place in the group's
    annual plan, the kinds of harm, and the people involved (``InvolvedPerson``). The due date is the accident
    day + ``policy.report_due_days`` − 1; a report submitted later is flagged and carries a 遅延理由書."""

    organization = models.ForeignKey("organizations.Organization", verbose_name="団体", on_delete=models.PROTECT,
                                     related_name="accident_reports")
    policy = models.ForeignKey(InsurancePolicy, verbose_name="保険契約", on_delete=models.PROTECT,
                               related_name="reports")
    serial = models.PositiveIntegerField("受付番号（年度内）")
    status = FSMField("状態", max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT, protected=True)
    # 活動
    activity_name = models.CharField("活動の名称", max_length=100)
    plan_entry = models.CharField("年間事業計画での位置づけ", max_length=200,
                                  help_text="年間事業計画の行事名と予定時期（例：5月 河川清掃）")
    activity_description = models.TextField("活動の内容", max_length=2000)
    reward = models.CharField("謝礼・報酬", max_length=10, choices=Reward.choices, default=Reward.NONE)
    participants_count = models.PositiveIntegerField("参加者数（人）", null=True, blank=True)
    # いつ・どこで・だれが・どうして・どうなった
    accident_date = models.DateField("事故の日（いつ）")
    accident_time = models.TimeField("事故の時刻", null=True, blank=True)
    place = models.CharField("場所（どこで）", max_length=200)
    who = models.CharField("だれが", max_length=200)
    how = models.TextField("どうして（事故の原因・状況）", max_length=2000)
    outcome = models.TextField("どうなった（けが・損害の内容）", max_length=2000)
    kind_injury = models.BooleanField("活動者のけが（傷害）", default=False)
    kind_liability_bodily = models.BooleanField("第三者へのけが（賠償・身体）", default=False)
    kind_liability_property = models.BooleanField("第三者の物の損害（賠償・財物）", default=False)
    # 期限
    due_date = models.DateField("報告期限")
    filed_on = models.DateField("報告日", null=True, blank=True)
    is_late = models.BooleanField("期限後の報告", default=False)
    delay_reason = models.TextField("遅延理由書（期限を過ぎた理由）", max_length=2000, blank=True)
    # 手続の記録
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作成者", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出者", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)
    returned_note = models.TextField("差戻しの理由", blank=True)

    class Meta:
        ordering = ["-accident_date", "-pk"]
        verbose_name = "事故報告書"
        verbose_name_plural = "事故報告書"
        constraints = [
            models.UniqueConstraint(fields=["policy", "serial"], name="one_report_serial_per_policy"),
            models.CheckConstraint(condition=Q(is_late=False) | ~Q(delay_reason=""), name="late_report_has_reason"),
        ]

    def __str__(self) -> str:
        return f"事故報告 {self.number}"

    @property
    def number(self) -> str:
        """受付番号, e.g. 「2026-0007」 (the policy's fiscal year and the serial)."""
        return f"{self.policy.fiscal_year}-{self.serial:04d}"

    @property
    def kinds_label(self) -> str:
        names = [label for flag, label in ((self.kind_injury, "傷害"), (self.kind_liability_bodily, "賠償（身体）"),
                                            (self.kind_liability_property, "賠償（財物）")) if flag]
        return "・".join(names)

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` along an edge of its
        machine (``grants.insurance.machines.ACCIDENT_REPORT``)."""
        return target


class PersonRole(models.TextChoices):
    LEADER = "leader", "指導者・責任者"
    PARTICIPANT = "participant", "参加者"
    THIRD_PARTY = "third_party", "第三者"


class Harm(models.TextChoices):
    NONE = "none", "けが・損害なし（関係者）"
    INJURY = "injury", "本人のけが（傷害保険）"
    BODILY = "bodily", "第三者のけが（賠償責任・身体）"
    PROPERTY = "property", "第三者の物の損害（賠償責任・財物）"


# Keyed and filled by the values stored in the fields (PersonRole, Harm).
HARMS_BY_ROLE: dict[str, set[str]] = {
    PersonRole.LEADER: {Harm.NONE, Harm.INJURY},
    PersonRole.PARTICIPANT: {Harm.NONE, Harm.INJURY},
    PersonRole.THIRD_PARTY: {Harm.NONE, Harm.BODILY, Harm.PROPERTY},
}


class InvolvedPerson(models.Model):
    """A person involved in the accident (個人情報: seen only by the 保険担当 and the reporting group, each view
    logged in ``PersonalDataAccess``)."""

    report = models.ForeignKey(AccidentReport, verbose_name="事故報告書", on_delete=models.CASCADE,
                               related_name="persons")
    role = models.CharField("立場", max_length=20, choices=PersonRole.choices)
    harm = models.CharField("けが・損害", max_length=10, choices=Harm.choices)
    name = models.CharField("氏名", max_length=100)
    name_kana = models.CharField("ふりがな", max_length=100, blank=True)
    birth_date = models.DateField("生年月日", null=True, blank=True)
    address = models.CharField("住所", max_length=200, blank=True)
    phone = models.CharField("電話番号", max_length=30, blank=True)
    detail = models.TextField("けが・損害の内容", max_length=2000, blank=True)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = "関係者"
        verbose_name_plural = "関係者"

    def __str__(self) -> str:
        return self.name


class AttachmentKind(models.TextChoices):
    BYLAWS = "bylaws", "会則・規約"
    MEMBER_LIST = "member_list", "会員名簿"
    ANNUAL_PLAN = "annual_plan", "年間事業計画"
    PARTICIPANT_LIST = "participant_list", "参加者名簿"
    DELAY_REASON = "delay_reason", "遅延理由書"
    OTHER = "other", "その他（写真・図面など）"


REQUIRED_ATTACHMENTS = (AttachmentKind.BYLAWS, AttachmentKind.MEMBER_LIST, AttachmentKind.ANNUAL_PLAN,
                        AttachmentKind.PARTICIPANT_LIST)


def report_attachment_path(instance: "ReportAttachment", filename: str) -> str:
    return f"insurance/reports/{instance.report_id}/{uuid.uuid4().hex}{os.path.splitext(filename)[1].lower()}"


class ReportAttachment(models.Model):
    """A document attached to the 事故報告書 (会則, 会員名簿, 年間事業計画, 参加者名簿, 遅延理由書…). Files are
    served only through a view that checks who may see the report, and each download is logged."""

    report = models.ForeignKey(AccidentReport, verbose_name="事故報告書", on_delete=models.CASCADE,
                               related_name="attachments")
    kind = models.CharField("書類", max_length=20, choices=AttachmentKind.choices)
    title = models.CharField("内容", max_length=200)
    file = models.FileField("ファイル", upload_to=report_attachment_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登録者", on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = "事故報告書の添付書類"
        verbose_name_plural = "事故報告書の添付書類"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


# -- 判定 -----------------------------------------------------------------------------------------------------

class Judgment(models.Model):
    """The 保険担当's judgment of eligibility (補償の対象か否か), one per report, with a finding and its reason
    for every condition and exclusion of the policy. Covered ⇔ every condition holds and no exclusion applies."""

    report = models.OneToOneField(AccidentReport, verbose_name="事故報告書", on_delete=models.PROTECT,
                                  related_name="judgment")
    covered = models.BooleanField("補償の対象")
    note = models.TextField("判定の所見", max_length=2000, blank=True)
    judged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="判定者", on_delete=models.PROTECT,
                                  related_name="+")
    judged_at = models.DateTimeField("判定日時")

    class Meta:
        verbose_name = "補償対象の判定"
        verbose_name_plural = "補償対象の判定"

    def __str__(self) -> str:
        return f"{self.report}：{'対象' if self.covered else '対象外'}"


class Finding(models.Model):
    """One item of a judgment: for a condition, whether it holds; for an exclusion, whether it applies. The
    reason is always recorded (what was checked, in which document)."""

    judgment = models.ForeignKey(Judgment, verbose_name="判定", on_delete=models.PROTECT, related_name="findings")
    condition = models.ForeignKey(PolicyCondition, verbose_name="判定項目", on_delete=models.PROTECT,
                                  related_name="+")
    holds = models.BooleanField("該当（条件は満たす・対象外事由は当てはまる）")
    reason = models.TextField("理由", max_length=1000)

    class Meta:
        ordering = ["judgment", "condition__kind", "condition__order", "pk"]
        verbose_name = "判定項目ごとの所見"
        verbose_name_plural = "判定項目ごとの所見"
        constraints = [
            models.UniqueConstraint(fields=["judgment", "condition"], name="one_finding_per_condition"),
            models.CheckConstraint(condition=~Q(reason=""), name="finding_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.condition}：{'該当' if self.holds else '非該当'}"

    @property
    def favourable(self) -> bool:
        """True when this item does not stand in the way of cover."""
        return self.holds if self.condition.kind == ConditionKind.CONDITION else not self.holds


# -- 保険金請求 -------------------------------------------------------------------------------------------------

class ClaimKind(models.TextChoices):
    INJURY = "injury", "傷害保険金"
    LIABILITY_BODILY = "liability_bodily", "賠償責任保険金（身体）"
    LIABILITY_PROPERTY = "liability_property", "賠償責任保険金（財物）"


CLAIM_KIND_FOR_HARM = {Harm.INJURY: ClaimKind.INJURY, Harm.BODILY: ClaimKind.LIABILITY_BODILY,
                       Harm.PROPERTY: ClaimKind.LIABILITY_PROPERTY}


class ClaimStatus(models.TextChoices):
    FORMS_SENT = "forms_sent", "請求書類送付済（請求待ち）"
    FILED = "filed", "請求受付（保険会社への送付待ち）"
    FORWARDED = "forwarded", "保険会社へ送付済（回答待ち）"
    PAID = "paid", "保険金支払済"
    DENIED = "denied", "不支払（保険会社の判断）"
    WITHDRAWN = "withdrawn", "取下げ"


OPEN_CLAIM_STATUSES = (ClaimStatus.FORMS_SENT, ClaimStatus.FILED, ClaimStatus.FORWARDED)


class Claim(FSMModelMixin, models.Model):
    """保険金請求 of one person of a covered accident. The city sends the claim forms (``forms_sent``); the person
    files after recovery or once ``claim_after_days`` have passed, with treatment days and receipts (``filed``);
    the 保険担当 forwards the document set (PDF and .xlsx) to the insurer with the amount computed from the
    policy (``forwarded``); the insurer's payment or denial is recorded (``paid`` / ``denied``)."""

    report = models.ForeignKey(AccidentReport, verbose_name="事故報告書", on_delete=models.PROTECT,
                               related_name="claims")
    serial = models.PositiveSmallIntegerField("請求の番号（事故報告書内）")
    person = models.ForeignKey(InvolvedPerson, verbose_name="被保険者・被害者", on_delete=models.PROTECT,
                               related_name="claims")
    kind = models.CharField("請求の種類", max_length=20, choices=ClaimKind.choices)
    status = FSMField("状態", max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.FORMS_SENT,
                      protected=True)
    forms_sent_on = models.DateField("請求書類の送付日")
    forms_sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="送付者", on_delete=models.PROTECT,
                                      related_name="+")
    # 治療・損害
    in_treatment = models.BooleanField("治療中", default=True)
    recovered_on = models.DateField("治療を終えた日", null=True, blank=True)
    surgeries_inpatient = models.PositiveSmallIntegerField("入院中の手術（回）", default=0)
    surgeries_outpatient = models.PositiveSmallIntegerField("外来の手術（回）", default=0)
    died = models.BooleanField("死亡", default=False)
    disability_percent = models.DecimalField("後遺障害の割合（％）", max_digits=5, decimal_places=2, null=True,
                                             blank=True)
    damages = models.PositiveBigIntegerField("損害額（円・賠償）", null=True, blank=True)
    # 請求
    filed_on = models.DateField("請求日", null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="請求の登録者", on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    computed_amount = models.PositiveBigIntegerField("算定額（円）", null=True, blank=True)
    computed_lines = models.JSONField("算定の内訳", default=list, blank=True)
    forwarded_on = models.DateField("保険会社への送付日", null=True, blank=True)
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="送付者（保険会社）",
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    insurer_reference = models.CharField("保険会社の受付番号", max_length=40, blank=True)
    # 保険会社の回答
    result_on = models.DateField("保険会社の回答日", null=True, blank=True)
    result_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回答の登録者", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    paid_amount = models.PositiveBigIntegerField("支払額（円）", null=True, blank=True)
    denial_reason = models.TextField("不支払の理由", max_length=2000, blank=True)
    result_note = models.TextField("備考", max_length=2000, blank=True)
    withdrawn_reason = models.TextField("取下げの理由", max_length=2000, blank=True)

    class Meta:
        ordering = ["report", "serial"]
        verbose_name = "保険金請求"
        verbose_name_plural = "保険金請求"
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="one_claim_per_person_and_kind"),
            models.UniqueConstraint(fields=["report", "serial"], name="one_claim_serial_per_report"),
            models.CheckConstraint(condition=~Q(status="paid") | Q(paid_amount__isnull=False),
                                   name="paid_claim_has_amount"),
            models.CheckConstraint(condition=~Q(status="denied") | ~Q(denial_reason=""),
                                   name="denied_claim_has_reason"),
        ]

    def __str__(self) -> str:
        return f"保険金請求 {self.number}"

    @property
    def number(self) -> str:
        """請求番号: the report's number and the claim's serial in it, e.g. 「2026-0007-2」."""
        return f"{self.report.number}-{self.serial}"

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` along an edge of its
        machine (``grants.insurance.machines.CLAIM``)."""
        return target


class InpatientPeriod(models.Model):
    """An inpatient stay (入院), first and last day inclusive."""

    claim = models.ForeignKey(Claim, verbose_name="保険金請求", on_delete=models.CASCADE, related_name="inpatient")
    first_day = models.DateField("入院日")
    last_day = models.DateField("退院日")

    class Meta:
        ordering = ["claim", "first_day"]
        verbose_name = "入院期間"
        verbose_name_plural = "入院期間"
        constraints = [models.CheckConstraint(condition=Q(first_day__lte=models.F("last_day")),
                                              name="inpatient_period_ordered")]

    def __str__(self) -> str:
        return f"{self.first_day}〜{self.last_day}"


class OutpatientVisit(models.Model):
    """A day of outpatient treatment (通院日)."""

    claim = models.ForeignKey(Claim, verbose_name="保険金請求", on_delete=models.CASCADE, related_name="outpatient")
    day = models.DateField("通院日")

    class Meta:
        ordering = ["claim", "day"]
        verbose_name = "通院日"
        verbose_name_plural = "通院日"
        constraints = [models.UniqueConstraint(fields=["claim", "day"], name="one_visit_per_day")]

    def __str__(self) -> str:
        return f"{self.day}"


class ClaimDocumentKind(models.TextChoices):
    CLAIM_FORM = "claim_form", "保険金請求書"
    RECEIPT = "receipt", "領収書（治療費・通院交通費など）"
    MEDICAL = "medical", "診断書・通院証明書"
    DAMAGE = "damage", "損害の見積書・写真"
    OTHER = "other", "その他"


def claim_document_path(instance: "ClaimDocument", filename: str) -> str:
    return f"insurance/claims/{instance.claim_id}/{uuid.uuid4().hex}{os.path.splitext(filename)[1].lower()}"


class ClaimDocument(models.Model):
    """A document of a claim: the claim form, receipts, medical certificates, estimates."""

    claim = models.ForeignKey(Claim, verbose_name="保険金請求", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("書類", max_length=20, choices=ClaimDocumentKind.choices)
    title = models.CharField("内容", max_length=200)
    amount = models.PositiveBigIntegerField("金額（円・領収書）", null=True, blank=True)
    file = models.FileField("ファイル", upload_to=claim_document_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登録者", on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        ordering = ["claim", "pk"]
        verbose_name = "請求書類"
        verbose_name_plural = "請求書類"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


class ReminderKind(models.TextChoices):
    CLAIM_DUE = "claim_due", "保険金請求のご案内（督促）"
    INSURER_CHASE = "insurer_chase", "保険会社への照会"


class Reminder(models.Model):
    """A reminder sent: to the group, that a claim can be (and has not been) filed; or to the insurer, that its
    answer is overdue. Shown on the claim's page; the group sees its own. ``sent_by`` is empty for a 督促 the
    daily scheduler mailed to the group itself (``reminders.send_scheduled_reminder``): no person sent it."""

    claim = models.ForeignKey(Claim, verbose_name="保険金請求", on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField("種類", max_length=20, choices=ReminderKind.choices)
    sent_on = models.DateField("送付日")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="送付者", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    message = models.TextField("内容", max_length=2000)

    class Meta:
        ordering = ["claim", "sent_on", "pk"]
        verbose_name = "督促・照会"
        verbose_name_plural = "督促・照会"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.sent_on}）"

    @property
    def sender_label(self) -> str:
        """Who sent it, as the pages show it: the 保険担当, or the daily scheduler's mail."""
        return str(self.sent_by) if self.sent_by_id else "メールで自動送信"


# -- 個人情報の閲覧記録 -----------------------------------------------------------------------------------------

class AccessKind(models.TextChoices):
    REPORT_PAGE = "report_page", "事故報告書の画面"
    CLAIM_PAGE = "claim_page", "保険金請求の画面"
    ATTACHMENT = "attachment", "添付書類のダウンロード"
    CLAIM_DOCUMENT = "claim_document", "請求書類のダウンロード"
    DOCUMENT_SET_PDF = "document_set_pdf", "保険会社への送付書類（PDF）"
    DOCUMENT_SET_XLSX = "document_set_xlsx", "保険会社への送付書類（Excel）"
    CLAIM_FORM = "claim_form", "保険金請求書（記入用）のダウンロード"
    DOCUMENT_SET_ZIP = "document_set_zip", "保険会社への送付書類一式（ZIP）"


class PersonalDataAccess(AppendOnlyModel):
    """One view of injured people's personal data (CONVENTIONS.md: 個人情報, access logged): who, when, which
    report or claim, through which page or file. Written before the data is shown; never edited or deleted
    (database triggers refuse it)."""

    at = models.DateTimeField("日時", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="閲覧者", on_delete=models.PROTECT,
                             related_name="+")
    report = models.ForeignKey(AccidentReport, verbose_name="事故報告書", on_delete=models.PROTECT,
                               related_name="accesses")
    claim = models.ForeignKey(Claim, verbose_name="保険金請求", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="accesses")
    kind = models.CharField("閲覧の方法", max_length=20, choices=AccessKind.choices)
    detail = models.CharField("対象", max_length=200, blank=True)

    change_refused = "閲覧記録は変更できません。"
    delete_refused = "閲覧記録は削除できません。"

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "個人情報の閲覧記録"
        verbose_name_plural = "個人情報の閲覧記録"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

