"""地域, organisations, their representatives, bank accounts and household counts."""
import datetime as dt
import re

import zengin_code
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from stdnum.jp import cn as corporate_number

from .kana import AccountNameError, normalize_account_name


class Area(models.Model):
    """地域: one of the city's 21 areas, each with its 地域交流センター (shared/data/yamaguchi_areas.csv)."""

    code = models.CharField("地域コード", max_length=2, unique=True)
    name = models.CharField("地域名", max_length=20)
    kana = models.CharField("よみ", max_length=40)
    centre_name = models.CharField("地域交流センター", max_length=60)
    former_municipality = models.CharField("旧市町", max_length=20, blank=True)
    named_in_public_source = models.BooleanField("公開資料で名称確認済み", default=False)
    population = models.PositiveIntegerField("人口", null=True, blank=True)
    households = models.PositiveIntegerField("世帯数", null=True, blank=True)
    figures_as_of = models.CharField("数値の時点", max_length=20, blank=True)
    figures_source = models.CharField("数値の出典", max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "地域"
        verbose_name_plural = "地域"

    def __str__(self) -> str:
        return self.name


class CityFigure(models.Model):
    """A public city-wide figure with its date and source (yamaguchi_city_totals.csv)."""

    item = models.CharField("項目", max_length=60, unique=True)
    value = models.DecimalField("値", max_digits=18, decimal_places=4)
    as_of = models.CharField("時点", max_length=20, blank=True)
    source = models.CharField("出典", max_length=200)

    class Meta:
        ordering = ["item"]
        verbose_name = "市の統計値"
        verbose_name_plural = "市の統計値"

    def __str__(self) -> str:
        return f"{self.item} = {self.value}"


class OrganizationKind(models.TextChoices):
    JICHIKAI = "jichikai", "自治会・町内会"
    RENGO = "rengo", "連合自治会"
    KYOGIKAI = "kyogikai", "地域づくり協議会"
    SHIMIN_DANTAI = "shimin_dantai", "市民活動団体"


class Organization(models.Model):
    """An applicant body (自治会, 連合自治会, 地域づくり協議会, 市民活動団体), tied to its 地域.

    Cases belong to the organisation, not to a person, so a change of head keeps the history.
    ``is_demo`` marks organisations generated for the demonstration (their figures are not real).
    """

    kind = models.CharField("種別", max_length=20, choices=OrganizationKind.choices)
    code = models.CharField("団体コード", max_length=20, unique=True)
    name = models.CharField("名称", max_length=120)
    name_kana = models.CharField("名称（カナ）", max_length=200, blank=True)
    area = models.ForeignKey(Area, verbose_name="地域", on_delete=models.PROTECT, related_name="organizations")
    parent = models.ForeignKey(
        "self", verbose_name="所属する連合自治会", null=True, blank=True, on_delete=models.PROTECT
    )
    corporate_number = models.CharField("法人番号", max_length=13, blank=True)
    is_active = models.BooleanField("活動中", default=True)
    is_demo = models.BooleanField("デモ用データ", default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = "団体"
        verbose_name_plural = "団体"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.corporate_number and not corporate_number.is_valid(self.corporate_number):
            raise ValidationError({"corporate_number": "法人番号（13桁）が正しくありません。"})

    def current_representative(self, on: dt.date | None = None) -> "Representative | None":
        return self.representatives.current(on).first()

    def current_bank_account(self) -> "BankAccount | None":
        return self.bank_accounts.filter(is_current=True).first()

    def household_count_on(self, base_date: dt.date) -> "HouseholdCount | None":
        """The latest recorded count for ``base_date`` (later rows correct earlier ones)."""
        return self.household_counts.filter(base_date=base_date).order_by("-recorded_at", "-pk").first()


class RepresentativeQuerySet(models.QuerySet["Representative"]):
    def current(self, on: dt.date | None = None) -> "RepresentativeQuerySet":
        """Representatives in office on ``on`` (today by default)."""
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(started_on__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class Representative(models.Model):
    """A term of office of a head (自治会長, 会長, 代表者). A user acts for the organisation only while the
    term is current; ended terms stay as history."""

    organization = models.ForeignKey(
        Organization, verbose_name="団体", on_delete=models.PROTECT, related_name="representatives"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ログイン利用者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="representations",
    )
    name = models.CharField("氏名", max_length=100)
    title = models.CharField("役職", max_length=40, default="会長")
    started_on = models.DateField("就任日")
    ended_on = models.DateField("退任日", null=True, blank=True)

    objects = RepresentativeQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "-started_on"]
        verbose_name = "代表者"
        verbose_name_plural = "代表者"
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(ended_on__isnull=True), name="one_open_term_per_organization"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="term_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.title} {self.name}"


class AccountType(models.TextChoices):
    ORDINARY = "1", "普通"
    CURRENT = "2", "当座"
    SAVINGS = "4", "貯蓄"
    OTHER = "9", "その他"


class BankAccount(models.Model):
    """The organisation's account for transfers (振込先口座). Bank and branch codes are checked against the
    zengin-code data; the 口座名義カナ is kept as given from the passbook, normalised for the 全銀 file
    (half-width kana, corporate abbreviations, at most 30 bytes: grants.organizations.kana)."""

    organization = models.ForeignKey(
        Organization, verbose_name="団体", on_delete=models.PROTECT, related_name="bank_accounts"
    )
    bank_code = models.CharField("金融機関コード", max_length=4)
    bank_name = models.CharField("金融機関名", max_length=60)
    branch_code = models.CharField("支店コード", max_length=3)
    branch_name = models.CharField("支店名", max_length=60)
    account_type = models.CharField("預金種目", max_length=1, choices=AccountType.choices)
    account_number = models.CharField("口座番号", max_length=7)
    holder_kana = models.CharField("口座名義（カナ）", max_length=30)
    is_current = models.BooleanField("現在の口座", default=True)
    registered_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "振込先口座"
        verbose_name_plural = "振込先口座"
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_current=True), name="one_current_account_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.branch_name} {self.get_account_type_display()} {self.account_number}"

    def clean(self) -> None:
        try:
            self.holder_kana = normalize_account_name(self.holder_kana)
        except AccountNameError as exc:
            raise ValidationError({"holder_kana": str(exc)}) from exc
        bank = zengin_code.Bank.all.get(self.bank_code)
        if bank is None:
            raise ValidationError({"bank_code": f"金融機関コード「{self.bank_code}」は存在しません。"})
        if self.branch_code not in bank.branches:
            raise ValidationError(
                {"branch_code": f"{bank.name}に支店コード「{self.branch_code}」はありません。"}
            )
        if not re.fullmatch(r"[0-9]{7}", self.account_number):
            raise ValidationError({"account_number": "口座番号は7桁の数字で入力してください。"})


# Sanity limit on one organisation's member households: more than the whole city has (88,799 in 2023).
# Not a programme rule; it stops typos such as 1,000,000 and keeps counts inside a 32-bit column.
MAX_HOUSEHOLDS = 100_000


class CountSource(models.TextChoices):
    REGISTER = "register", "市の台帳"
    IMPORT = "import", "取込み"
    CORRECTION = "correction", "申請者による訂正"
    DEMO = "demo", "デモ用生成値"


class HouseholdCount(models.Model):
    """Member households (加入世帯数) of an organisation on a base date (基準日). Append-only: a correction
    is a newer row with a reason; the latest row for a base date is the count in force."""

    organization = models.ForeignKey(
        Organization, verbose_name="団体", on_delete=models.PROTECT, related_name="household_counts"
    )
    base_date = models.DateField("基準日")
    households = models.PositiveIntegerField("世帯数")
    source = models.CharField("出所", max_length=20, choices=CountSource.choices)
    reason = models.TextField("訂正理由", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="記録者", null=True, blank=True, on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "世帯数"
        verbose_name_plural = "世帯数"
        indexes = [models.Index(fields=["organization", "base_date"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="correction") | ~Q(reason=""), name="correction_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.base_date} {self.households}世帯"
