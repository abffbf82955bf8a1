"""地域, organisations, their representatives, bank accounts and household counts."""
import datetime as dt
import re
from collections.abc import Callable, Collection
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition
from stdnum.jp import cn as corporate_number

from grants.core.fiscal import fiscal_year_bounds, fiscal_year_label
from grants.core.models import AppendOnlyModel

from .kana import AccountNameError, BankCodeProblem, bank_code_problem, normalize_account_name


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
        # The annual run's chunks (grants.cases.annual_run._chunk_query): the filter and the order by code in one
        # range scan, so that no chunk's plan depends on the table's statistics being fresh.
        indexes = [
            models.Index(fields=["kind", "is_active", "code"], name="organization_annual_run_chunk"),
            # Every page asks whether demo rows exist (pages.context_processors.demo_notice): without it, a
            # scan of every organisation when there are none, as in production.
            models.Index(fields=["is_demo"], condition=Q(is_demo=True), name="organization_demo_rows"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.corporate_number and not corporate_number.is_valid(self.corporate_number):
            raise ValidationError({"corporate_number": "法人番号（13桁）が正しくありません。"})

    def current_representative(self, on: dt.date | None = None) -> "Representative | None":
        """The head (代表者) in office on ``on`` (today by default): the addressee of notices and the 代表者名 on
        documents. The organisation's other members (会計, 担当者) are never "the" representative."""
        return self.representatives.current(on).heads().first()

    def current_bank_account(self) -> "BankAccount | None":
        return self.bank_accounts.filter(is_current=True).first()

    def household_count_on(self, base_date: dt.date) -> "HouseholdCount | None":
        """The latest recorded count for ``base_date`` (later rows correct earlier ones)."""
        return self.household_counts.filter(base_date=base_date).order_by("-recorded_at", "-pk").first()


class MemberRole(models.TextChoices):
    """What a member does for the organisation. Every current member sees the organisation's cases, claims and
    plans; the rail's edges and activities say which of these roles may take each step (``org_roles``): the head
    submits, withdraws and accepts, the 会計 enters receipts and money lines, the 担当者 drafts content."""

    HEAD = "head", "代表者"
    TREASURER = "treasurer", "会計"
    CLERK = "clerk", "担当者"


class RepresentativeQuerySet(models.QuerySet["Representative"]):
    def current(self, on: dt.date | None = None) -> "RepresentativeQuerySet":
        """Terms (of any role) in office on ``on`` (today by default)."""
        day = on or timezone.localdate()
        return self.filter(started_on__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))

    def heads(self) -> "RepresentativeQuerySet":
        """The terms of the organisations' heads (代表者) only."""
        return self.filter(role=MemberRole.HEAD)


class Representative(models.Model):
    """A term of one of the organisation's officers or users: its head (自治会長, 会長, 代表者), its 会計 or a
    担当者 (``role``). A user acts for the organisation only while the term is current; ended terms stay as
    history. One open head term per organisation, and one open term per organisation and user."""

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
    role = models.CharField("役割", max_length=12, choices=MemberRole.choices, default=MemberRole.HEAD)
    started_on = models.DateField("就任日")
    ended_on = models.DateField("退任日", null=True, blank=True)

    objects = RepresentativeQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "-started_on"]
        verbose_name = "団体の役員・利用者の任期"
        verbose_name_plural = "団体の役員・利用者の任期"
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(ended_on__isnull=True, role="head"),
                name="one_open_head_term_per_organization",
            ),
            models.UniqueConstraint(
                fields=["organization", "user"], condition=Q(ended_on__isnull=True),
                name="one_open_term_per_organization_user",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="term_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.title or self.get_role_display()} {self.name}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "受諾待ち"
    ACCEPTED = "accepted", "受諾済"
    REVOKED = "revoked", "取消済"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self, now: dt.datetime | None = None) -> "InvitationQuerySet":
        """Invitations not yet accepted nor revoked whose link has not expired."""
        return self.filter(status=InvitationStatus.PENDING, expires_at__gt=now or timezone.now())


class Invitation(FSMModelMixin, models.Model):
    """An invitation to act for an organisation as its head (代表者), 会計 or 担当者, sent as a one-time link.

    Only the SHA-256 of the link's token is kept (``token_hash``): the link itself is shown once to the inviter
    and mailed to ``email``. The link works until ``expires_at`` (settings.INVITATION_DAYS days) and once; accepting
    it creates the user and the term (``grants.organizations.invitations``). A head's invitation names the
    handover day (``handover_on``): the outgoing head's term ends the day before."""

    organization = models.ForeignKey(Organization, verbose_name="団体", on_delete=models.PROTECT,
                                     related_name="invitations")
    role = models.CharField("役割", max_length=12, choices=MemberRole.choices)
    name = models.CharField("氏名", max_length=100)
    email = models.EmailField("メールアドレス")
    token_hash = models.CharField("リンクのハッシュ値", max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField("有効期限")
    handover_on = models.DateField("交代日（代表者）", null=True, blank=True)
    status = FSMField("状態", max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING,
                      protected=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="招待した人", on_delete=models.PROTECT,
                                   related_name="+")
    invited_at = models.DateTimeField("招待日時", auto_now_add=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="受諾した利用者", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField("受諾日時", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="取り消した人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField("取消日時", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "-invited_at", "-pk"]
        verbose_name = "団体の利用者への招待"
        verbose_name_plural = "団体の利用者への招待"
        constraints = [
            models.CheckConstraint(condition=Q(role="head") | Q(handover_on__isnull=True),
                                   name="invitation_handover_for_head_only"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_role_display()} {self.name}"

    @property
    def is_expired(self) -> bool:
        return self.status == InvitationStatus.PENDING and self.expires_at <= timezone.now()

    @property
    def status_label(self) -> str:
        """「受諾待ち」「受諾済」「取消済」, or 「期限切れ」 for a pending invitation past ``expires_at``."""
        return "期限切れ" if self.is_expired else self.get_status_display()

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` along an edge of its machine
        (``grants.organizations.invitations.INVITATION``)."""
        return target


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

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        """The field checks, with 口座名義 (holder_kana) normalised by ``normalize_account_name`` instead of
        the column's checks: its 30-byte limit is on the name as it goes into the 全銀 file, not on the text as
        typed (up to 100 characters; a corporate word written out in full is abbreviated first). The column
        holds the normalised name, one byte per character. Skipped, like any field, when in ``exclude`` (a
        form that already refused it), so the name gets one message."""
        excluded = {*(exclude or ())}
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().clean_fields(exclude={*excluded, "holder_kana"})
        except ValidationError as exc:
            errors = exc.error_dict
        if "holder_kana" not in excluded:
            try:
                self.holder_kana = normalize_account_name(self.holder_kana)
            except AccountNameError as exc:
                errors["holder_kana"] = [ValidationError(str(exc), code="account_name")]
        if errors:
            raise ValidationError(errors)

    def bank_code_problem(self) -> BankCodeProblem | None:
        """Why this account cannot be paid with the bank data we have (a code gone with a merger), or None:
        ``grants.organizations.kana.bank_code_problem``."""
        return bank_code_problem(self.bank_code, self.branch_code)

    def clean(self) -> None:
        problem = self.bank_code_problem()
        if problem is not None:
            raise ValidationError({problem.field: problem.message})
        if not re.fullmatch(r"[0-9]{7}", self.account_number):
            raise ValidationError({"account_number": "口座番号は7桁の数字で入力してください。"})


# Sanity limit on one organisation's member households: more than the whole city has (88,799 in 2023).
# Not a programme rule; it stops typos such as 1,000,000 and keeps counts inside a 32-bit column.
MAX_HOUSEHOLDS = 100_000

# Input names of the rule engine that are not measures: the households (HouseholdCount), the cost inputs of the
# full flow and the project's year (何年目).
RESERVED_INPUT_CODES = ("households", "staff_costs", "running_costs", "eligible_cost", "income", "year_no")


class CountSource(models.TextChoices):
    REGISTER = "register", "市の台帳"
    IMPORT = "import", "取込み"
    CORRECTION = "correction", "申請者による訂正"
    DEMO = "demo", "デモ用生成値"


class HouseholdCount(AppendOnlyModel):
    """Member households (加入世帯数) of an organisation on a base date (基準日). Append-only: a correction
    is a newer row with a reason; the latest row for a base date is the count in force. Nothing is ever filled in
    later, so no column may change: ``save`` of a stored row, ``delete``, ``update()``, raw SQL and (PostgreSQL)
    TRUNCATE are refused (``AppendOnlyModel`` and the triggers of ``grants.core.append_only``)."""

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

    change_refused = "世帯数の記録は変更できません。訂正は、訂正理由を付けて新しい記録を追加してください。"
    delete_refused = "世帯数の記録は削除できません。訂正は、訂正理由を付けて新しい記録を追加してください。"

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


# Headings of the household-count file (grants.cases.imports) that a measure's name may not take.
RESERVED_HEADINGS = ("団体コード", "世帯数")

# Sanity limit of a figure (人口, 面積 …): far above any association's; stops typos, not a programme rule.
MAX_FIGURE = Decimal("1000000000")


class Measure(models.Model):
    """An input an association's formula may use besides the households (人口, 面積, 広報紙の年間発行回数 …),
    as data edited by the administrator: its code (the engine's input name), its Japanese name, its unit (人,
    km², 回) and the decimal places its values have (0–2). The values are ``OrganizationFigure`` rows."""

    code = models.SlugField("項目コード", max_length=30, unique=True, help_text="例: population、area")
    name = models.CharField("名称", max_length=40, unique=True, help_text="例: 人口、面積")
    unit = models.CharField("単位", max_length=10, help_text="例: 人、km²、回")
    decimal_places = models.PositiveSmallIntegerField(
        "小数点以下の桁数", default=0, validators=[MaxValueValidator(2)],
        help_text="0〜2。面積（km²）なら2、人数や回数なら0です。",
    )
    order = models.PositiveSmallIntegerField("順序", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "算定に使う数値の項目"
        verbose_name_plural = "算定に使う数値の項目"
        constraints = [
            models.CheckConstraint(condition=Q(decimal_places__lte=2), name="measure_places_at_most_two"),
            # The households are HouseholdCount rows; the engine's other input names are not measures.
            models.CheckConstraint(
                condition=~Q(code__in=RESERVED_INPUT_CODES), name="measure_code_not_reserved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"

    def clean(self) -> None:
        if self.code in RESERVED_INPUT_CODES:
            raise ValidationError({"code": f"「{self.code}」は世帯数や経費の項目のコードのため使えません。"})
        if self.name in RESERVED_HEADINGS:
            # The household-count file's own headings: a measure's column is found by its name.
            raise ValidationError({"name": f"「{self.name}」は世帯数の取込みの見出しのため、名称に使えません。"})

    def check_value(self, value: Decimal) -> str | None:
        """Why ``value`` is not a figure of this measure (negative, too many decimal places, too large), in
        Japanese, or None when it is one."""
        if not value.is_finite() or value < 0 or value >= MAX_FIGURE:
            return f"{self.name}は0以上{MAX_FIGURE:,}未満の数で入力してください。"
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.decimal_places:
            places = "整数" if not self.decimal_places else f"小数点以下{self.decimal_places}桁まで"
            return f"{self.name}は{places}で入力してください。"
        return None

    def engine_value(self, value: Decimal) -> int | Decimal:
        """The value as the rule engine takes it: an int for a measure without decimals, else a Decimal."""
        return int(value) if not self.decimal_places else value.quantize(Decimal(1).scaleb(-self.decimal_places))


#: Who names a measure by its code, which no foreign key protects (a rule's condition: 広報紙の年間発行回数 ≥ 2):
#: functions the layers above register (``register_measure_uses``), each giving a measure's uses in words.
_MEASURE_USES: list[Callable[[Measure], list[str]]] = []


def register_measure_uses(find: Callable[[Measure], list[str]]) -> None:
    """Register ``find(measure)`` → its uses in words (「令和8年度 …の算定項目「世帯割」の適用条件」)."""
    _MEASURE_USES.append(find)


def measure_uses(measure: Measure) -> list[str]:
    """The uses of ``measure`` by its code, in words (empty when none): the admin refuses to delete it then, since
    a rule testing a deleted measure could never be computed."""
    return [use for find in _MEASURE_USES for use in find(measure)]


class OrganizationFigureQuerySet(models.QuerySet["OrganizationFigure"]):
    def in_force(
        self, organization_ids: list[int], base_date: dt.date, measure_ids: list[int],
        as_of: dt.datetime | None = None,
    ) -> dict[int, dict[int, Decimal]]:
        """{organisation id: {measure id: value}}: for each organisation and measure, the latest figure recorded
        for ``base_date`` (up to ``as_of`` when given: a run's figures are those on file when it starts).
        One query, whatever the number of organisations and measures."""
        rows = self.filter(organization_id__in=organization_ids, base_date=base_date, measure_id__in=measure_ids)
        if as_of is not None:
            rows = rows.filter(recorded_at__lte=as_of)
        found: dict[int, dict[int, Decimal]] = {}
        for org_id, measure_id, value in rows.order_by("recorded_at", "pk").values_list(
                "organization_id", "measure_id", "value"):
            found.setdefault(org_id, {})[measure_id] = value
        return found


class OrganizationFigure(AppendOnlyModel):
    """A figure of an organisation other than its households (人口, 面積 …) on a base date (基準日), with its
    source. Append-only like ``HouseholdCount`` (and enforced the same way, down to the database's triggers): a
    correction is a newer row with a note (the reason); the latest row recorded for a base date is the figure in
    force. ``value`` has at most the measure's decimal places and is ≥ 0."""

    organization = models.ForeignKey(
        Organization, verbose_name="団体", on_delete=models.PROTECT, related_name="figures"
    )
    measure = models.ForeignKey(Measure, verbose_name="項目", on_delete=models.PROTECT, related_name="figures")
    base_date = models.DateField("基準日")
    value = models.DecimalField("値", max_digits=12, decimal_places=2)
    source = models.CharField("出所", max_length=20, choices=CountSource.choices)
    note = models.TextField("備考・訂正理由", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="記録者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    objects = OrganizationFigureQuerySet.as_manager()
    change_refused = "団体の数値の記録は変更できません。訂正は、理由を備考に書いて新しい記録を追加してください。"
    delete_refused = "団体の数値の記録は削除できません。訂正は、理由を備考に書いて新しい記録を追加してください。"

    class Meta:
        ordering = ["organization", "measure", "-base_date", "-recorded_at", "-pk"]
        verbose_name = "団体の数値（人口・面積など）"
        verbose_name_plural = "団体の数値（人口・面積など）"
        indexes = [models.Index(fields=["organization", "base_date", "measure"])]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="figure_not_negative"),
            models.CheckConstraint(
                condition=~Q(source="correction") | ~Q(note=""), name="figure_correction_has_note"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.base_date} {self.measure.name} {self.display_value}"

    @property
    def display_value(self) -> str:
        """「12.34km²」「1,234人」: the value with the measure's places and unit."""
        return format_figure(self.value, self.measure)

    def clean(self) -> None:
        if self.measure_id and self.value is not None:
            problem = self.measure.check_value(self.value)
            if problem:
                raise ValidationError({"value": problem})
        if self.source == CountSource.CORRECTION and not self.note.strip():
            raise ValidationError({"note": "訂正の理由を入力してください。"})


def format_figure(value: Decimal | int, measure: Measure) -> str:
    """The value with the measure's decimal places, thousands commas and unit: 「12.34km²」「1,234人」."""
    return f"{Decimal(value):,.{measure.decimal_places}f}{measure.unit}"


# -- 地域づくり計画 and 事務局員 of a 地域づくり協議会 (GRANTS.md §1, §5) ----------------------------------------

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


class CommunityPlan(FSMModelMixin, models.Model):
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
    status = FSMField("状態", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT, protected=True)
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
            # Its drafter neither (grants.councils.plans: a staff member's revision submitted by the council head).
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("created_by")),
                name="plan_approved_by_other_than_drafter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name} {self.title}（{self.term_label}・第{self.version}版）"

    @property
    def term_display(self) -> str:
        return f"{fiscal_year_label(self.first_fiscal_year)}〜{fiscal_year_label(self.last_fiscal_year)}"

    def covers(self, fiscal_year: int) -> bool:
        return self.first_fiscal_year <= fiscal_year <= self.last_fiscal_year

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` along an edge of its
        machine (``grants.organizations.machines.COMMUNITY_PLAN``)."""
        return target


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
        parent = self.parent if self.parent_id is not None else None
        if parent is not None:
            if parent.plan_id != self.plan_id:
                raise ValidationError({"parent": "上位の項目は同じ計画の項目にしてください。"})
            if parent.level != expected:
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
