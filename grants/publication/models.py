"""The public catalogue of grants (各種助成・補助金制度の情報提供): a public guide per city programme, the
activity topics a citizen searches by, and other funders' programmes (民間助成, 県・国の補助金) staff list as an
information service. Everything here is edited by an administrator in the admin and shown only when published.

Amounts, rates, caps and windows of the city's programmes are NOT here: the catalogue reads them from the
programme-year's rule (``grants.programmes``), so the public page and the computed amount never disagree.
"""
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from grants.organizations.models import OrganizationKind
from grants.programmes.models import Programme


class ApplicantKind(models.TextChoices):
    """Who may apply, as a citizen would call themselves: the organisation kinds of ``grants.organizations`` and
    the applicants the city's register does not hold (NPO法人など, 個人・グループ, 事業者)."""

    JICHIKAI = OrganizationKind.JICHIKAI.value, OrganizationKind.JICHIKAI.label
    RENGO = OrganizationKind.RENGO.value, OrganizationKind.RENGO.label
    KYOGIKAI = OrganizationKind.KYOGIKAI.value, OrganizationKind.KYOGIKAI.label
    SHIMIN_DANTAI = OrganizationKind.SHIMIN_DANTAI.value, OrganizationKind.SHIMIN_DANTAI.label
    NPO = "npo", "NPO法人・一般社団法人など"
    GROUP = "group", "個人・任意のグループ"
    BUSINESS = "business", "事業者"


def clean_applicant_kinds(value: object) -> list[str]:
    """The applicant kinds of ``value`` (a list of ``ApplicantKind`` codes) in their order; ValidationError for
    anything else or an empty list (an entry found by no search)."""
    if not isinstance(value, list) or not value:
        raise ValidationError("申請できる団体の種類を1つ以上選んでください。")
    unknown = [code for code in value if code not in ApplicantKind.values]
    if unknown:
        raise ValidationError(f"申請できる団体の種類に不明な値があります（{'、'.join(map(str, unknown))}）。")
    return [code for code in ApplicantKind.values if code in value]


phone_validator = RegexValidator(r"^[0-9０-９\-－（）() ]{6,20}$",
                                 "電話番号は数字とハイフンで入力してください（例: 083-934-2937）。")


class Topic(models.Model):
    """An activity topic (活動の分野: 防災・防犯, 子育て, 福祉 …) a citizen searches by; data, not code."""

    name = models.CharField("分野", max_length=40, unique=True)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "活動の分野"
        verbose_name_plural = "活動の分野"

    def __str__(self) -> str:
        return self.name


class PublishedQuerySet(models.QuerySet):
    def published(self) -> "PublishedQuerySet":
        """The rows marked 公開する: the only ones any public page or API shows."""
        return self.filter(is_published=True)


class ProgrammeGuide(models.Model):
    """The public guide (募集案内) of one city programme: what it is for, who may apply, what is funded, the
    documents, how to apply and whom to ask. Rate, cap and window come from the programme's rule per 年度."""

    programme = models.OneToOneField(Programme, verbose_name="事業", on_delete=models.PROTECT, related_name="guide")
    summary = models.TextField("公開用の概要", help_text="市民向けに、制度の目的と内容を2〜3文で書いてください。")
    applicant_kinds = models.JSONField("申請できる団体の種類", default=list,
                                       help_text="検索に使います。当てはまるものをすべて選んでください。")
    eligibility = models.TextField("申請できる方（説明）", blank=True,
                                   help_text="例: 市内に活動拠点がある、構成員5人以上の団体")
    funded = models.TextField("対象となる経費・活動", blank=True, help_text="1行に1つずつ書いてください。")
    documents = models.TextField("提出書類", blank=True, help_text="1行に1つずつ書いてください。")
    how_to_apply = models.TextField("申請の方法", blank=True)
    contact_section = models.CharField("担当課", max_length=60, blank=True, help_text="例: 協働推進課")
    contact_phone = models.CharField("電話番号", max_length=20, blank=True, validators=[phone_validator])
    topics = models.ManyToManyField(Topic, verbose_name="活動の分野", blank=True, related_name="guides")
    is_published = models.BooleanField("公開する", default=False)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = ["programme__code"]
        verbose_name = "市の制度の案内"
        verbose_name_plural = "市の制度の案内"

    def __str__(self) -> str:
        return f"{self.programme.name}の案内"

    def clean(self) -> None:
        try:
            self.applicant_kinds = clean_applicant_kinds(self.applicant_kinds)
        except ValidationError as error:
            raise ValidationError({"applicant_kinds": error.messages}) from error


class FunderKind(models.TextChoices):
    PRIVATE = "private", "民間助成"
    PREFECTURE = "prefecture", "県の補助金"
    NATIONAL = "national", "国の補助金"
    OTHER = "other", "その他"


class FunderProgramme(models.Model):
    """Another funder's programme (民間助成, 県・国の補助金), listed with a link to the funder's own page as the
    city's information service. Its amount is words as the funder writes it (助成額), its window optional."""

    funder_kind = models.CharField("種類", max_length=12, choices=FunderKind.choices)
    funder = models.CharField("実施団体", max_length=100, help_text="例: 山口県、○○財団")
    title = models.CharField("制度の名称", max_length=200)
    summary = models.TextField("概要")
    applicant_kinds = models.JSONField("申請できる団体の種類", default=list,
                                       help_text="検索に使います。当てはまるものをすべて選んでください。")
    eligibility = models.TextField("申請できる方（説明）", blank=True)
    topics = models.ManyToManyField(Topic, verbose_name="活動の分野", blank=True, related_name="funder_programmes")
    amount_text = models.CharField("助成額（文章）", max_length=200, blank=True,
                                   help_text="実施団体の案内のとおりに書いてください（例: 1団体50万円まで）。")
    opens_on = models.DateField("受付開始日", null=True, blank=True)
    closes_on = models.DateField("受付終了日", null=True, blank=True)
    url = models.URLField("案内のページ（URL）", max_length=500,
                          help_text="実施団体の公式ページのURLです（https:// から）。")
    is_published = models.BooleanField("公開する", default=False)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = ["funder_kind", "title", "pk"]
        verbose_name = "他の団体の助成制度"
        verbose_name_plural = "他の団体の助成制度"
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(closes_on__isnull=True) | Q(opens_on__lte=models.F("closes_on")),
                name="funder_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.funder}）"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        try:
            self.applicant_kinds = clean_applicant_kinds(self.applicant_kinds)
        except ValidationError as error:
            errors["applicant_kinds"] = error.messages
        if self.opens_on and self.closes_on and self.opens_on > self.closes_on:
            errors["closes_on"] = ["受付終了日は受付開始日より後にしてください。"]
        if self.url and not self.url.lower().startswith(("https://", "http://")):
            errors["url"] = ["URLは https:// から入力してください。"]
        if errors:
            raise ValidationError(errors)
