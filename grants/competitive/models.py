"""市民活動交流事業補助金: what the competitive programme has of its own (GRANTS.md §2, §3 step 2, §5).

The call for proposals (``Call``, 募集) with its screening criteria, the registration of a 市民活動団体
(``GroupRegistration``), "the same project" across years (``Project``), the project plan of an application
(``ProjectPlan``), the panel (``PanelMember``), its conflict declarations and scores, the selection (``Selection``,
採択) and the 消費税仕入控除税額 report (``TaxCreditReport``).

The application itself is a ``GrantCase`` of a programme whose workflow is ``competitive``
(``grants.competitive.workflows``): after 採択 it follows the shared full lifecycle (交付決定 … 額の確定 … 返還).
The rule (rate by repeat year, cap, year limit, income deduction, rounding) and the 費目 are the call's
programme-year's (``grants.programmes.models``).
"""
from __future__ import annotations

import datetime as dt
import os

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from grants.cases.models import GrantCase
from grants.core.fiscal import fiscal_year_label
from grants.organizations.models import Organization
from grants.programmes.models import ProgrammeYear


class CallStatus(models.TextChoices):
    DRAFT = "draft", "準備中（非公開）"
    PUBLISHED = "published", "公開中"


class Call(FSMModelMixin, models.Model):
    """A call for proposals (募集) of one programme-year: its window, budget, documents, group eligibility and
    screening criteria. The rule that computes the amounts and the 費目 are the programme-year's.

    Applications are accepted from ``opens_on`` to ``closes_on`` inclusive (the end of that day, local time);
    ``budget`` (予算額, whole yen) bounds the selection. Group eligibility is data: ``min_members`` members at
    least, based in the city, bylaws (規約) and a member list on file, and the aims the group declares.
    """

    programme_year = models.ForeignKey(ProgrammeYear, verbose_name="年度別の交付基準", on_delete=models.PROTECT,
                                       related_name="calls")
    title = models.CharField("募集の名称", max_length=200,
                             help_text="例: 令和9年度 市民活動交流事業補助金（第1次募集）")
    label = models.CharField("表示ラベル", max_length=40, blank=True, help_text="例: サンプル")
    summary = models.TextField("募集の趣旨・対象となる事業", blank=True)
    opens_on = models.DateField("受付開始日")
    closes_on = models.DateField("受付終了日")
    budget = models.PositiveBigIntegerField("予算額（円）")
    documents = models.TextField("提出書類", blank=True, help_text="1行に1つずつ書いてください。")
    presentation_on = models.DateTimeField("公開プレゼンテーションの日時", null=True, blank=True)
    presentation_place = models.CharField("公開プレゼンテーションの会場", max_length=200, blank=True)
    min_members = models.PositiveSmallIntegerField("団体の構成員数の下限（人）", default=5)
    require_based_in_city = models.BooleanField("市内に活動拠点があること", default=True)
    require_bylaws = models.BooleanField("規約（会則）があること", default=True)
    require_member_list = models.BooleanField("構成員名簿があること", default=True)
    requires_tax_report = models.BooleanField(
        "消費税仕入控除税額の報告を求める", default=True,
        help_text="額の確定の後、完了した年度の翌々年度の6月30日までに報告を求めます（0円でも報告が必要です）。",
    )
    status = FSMField("状態", max_length=12, choices=CallStatus.choices, default=CallStatus.DRAFT, protected=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作成者", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="公開した職員", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField("公開日時", null=True, blank=True)

    class Meta:
        ordering = ["-opens_on", "pk"]
        verbose_name = "募集"
        verbose_name_plural = "募集"
        constraints = [
            models.CheckConstraint(condition=Q(opens_on__lte=models.F("closes_on")), name="call_window_ordered"),
        ]

    def __str__(self) -> str:
        suffix = f"（{self.label}）" if self.label else ""
        return f"{self.title}{suffix}"

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` (``grants.competitive.calls``)."""
        return target

    @property
    def fiscal_year(self) -> int:
        return self.programme_year.fiscal_year

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.programme_year.fiscal_year)

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]

    def is_open(self, on: dt.date | None = None) -> bool:
        """Whether applications are accepted on ``on`` (today): published, inside the window, and the selection
        not yet sent to the approver (an application made after that could never be screened)."""
        day = on or timezone.localdate()
        return (self.status == CallStatus.PUBLISHED and self.opens_on <= day <= self.closes_on
                and not self.selection_begun())

    def selection_begun(self) -> bool:
        """Whether the selection of this call has gone to the approver or been decided."""
        return Selection.objects.filter(call=self).exclude(status=SelectionStatus.DRAFT).exists()


class Criterion(models.Model):
    """A screening criterion (審査基準) of a call, e.g. 公益性, 先駆性, 実現性: each panel member scores it from 0 to
    ``max_score``; the weighted score of an application is Σ weight × score."""

    call = models.ForeignKey(Call, verbose_name="募集", on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField("順序", default=0)
    name = models.CharField("審査項目", max_length=60)
    description = models.CharField("着眼点", max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField("重み", default=1)
    max_score = models.PositiveSmallIntegerField("満点", default=5)

    class Meta:
        ordering = ["call", "order", "pk"]
        verbose_name = "審査項目"
        verbose_name_plural = "審査項目"
        constraints = [
            models.UniqueConstraint(fields=["call", "name"], name="criterion_name_unique"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gte=1), name="criterion_max_score_positive"),
        ]

    def __str__(self) -> str:
        return self.name


# -- 市民活動団体 ------------------------------------------------------------------------------------------------

class RegistrationStatus(models.TextChoices):
    SUBMITTED = "submitted", "登録申請中（市の確認待ち）"
    RETURNED = "returned", "差戻し（修正待ち）"
    CONFIRMED = "confirmed", "登録済"


def group_file_path(instance: GroupRegistration, filename: str) -> str:
    _, ext = os.path.splitext(filename)
    return f"groups/{instance.organization_id}/{timezone.now():%Y%m%d%H%M%S%f}{ext.lower()}"


class GroupRegistration(FSMModelMixin, models.Model):
    """The registration of a 市民活動団体 (団体登録), made by the group itself and confirmed by city staff before
    the group can apply. The organisation's name, 法人番号 and bank account are on ``Organization`` and
    ``BankAccount``; what a call asks of a group (members, base in the city, bylaws, aims) is here."""

    organization = models.OneToOneField(Organization, verbose_name="団体", on_delete=models.PROTECT,
                                        related_name="group_registration")
    representative_name = models.CharField("代表者氏名", max_length=100)
    contact_name = models.CharField("連絡担当者", max_length=100, blank=True)
    phone = models.CharField("電話番号", max_length=20)
    email = models.EmailField("メールアドレス")
    address = models.CharField("活動拠点の所在地", max_length=200)
    based_in_city = models.BooleanField("市内に活動拠点がある", default=False)
    members = models.PositiveIntegerField("構成員数（人）")
    purpose = models.TextField("団体の目的・主な活動")
    no_political_aim = models.BooleanField("政治活動（政党・候補者の支持など）を目的としない", default=False)
    no_religious_aim = models.BooleanField("宗教活動を目的としない", default=False)
    no_profit_aim = models.BooleanField("営利を目的としない", default=False)
    bylaws = models.FileField("規約（会則）", upload_to=group_file_path, blank=True)
    member_list = models.FileField("構成員名簿", upload_to=group_file_path, blank=True)
    status = FSMField("状態", max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.SUBMITTED,
                      protected=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登録申請者", on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField("登録申請日時", auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="確認した職員", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField("確認日時", null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = "市民活動団体の登録"
        verbose_name_plural = "市民活動団体の登録"

    def __str__(self) -> str:
        return str(self.organization)

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` (``grants.competitive.groups``)."""
        return target


class Project(models.Model):
    """"The same project" of a group across 年度 (同一事業): the repeat-year rate and cap and the year limit count
    the years in which it was selected."""

    organization = models.ForeignKey(Organization, verbose_name="団体", on_delete=models.PROTECT,
                                     related_name="projects")
    title = models.CharField("事業名", max_length=200)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        ordering = ["organization", "pk"]
        verbose_name = "事業（同一事業の継続）"
        verbose_name_plural = "事業（同一事業の継続）"

    def __str__(self) -> str:
        return self.title


class ProjectPlan(models.Model):
    """The 事業計画書 of an application: the call it answers, the project it continues, and the plan in words.
    The year of the same project (何年目) is the case's ``repeat_year``, fixed when the application is submitted.
    One application per group per call."""

    case = models.OneToOneField(GrantCase, verbose_name="案件", on_delete=models.PROTECT, related_name="project_plan")
    call = models.ForeignKey(Call, verbose_name="募集", on_delete=models.PROTECT, related_name="applications")
    organization = models.ForeignKey(Organization, verbose_name="団体", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, verbose_name="事業", on_delete=models.PROTECT, related_name="plans")
    purpose = models.TextField("事業の目的", blank=True)
    content = models.TextField("事業の内容", blank=True)
    expected_effects = models.TextField("期待される効果", blank=True)
    indicators = models.TextField("成果の指標（実績報告で報告するもの）", blank=True,
                                  help_text="1行に1つずつ（例: 参加者数 100人）")
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "事業計画書"
        verbose_name_plural = "事業計画書"
        constraints = [
            models.UniqueConstraint(fields=["call", "organization"], name="one_application_per_group_per_call"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.project}"

    @property
    def indicator_list(self) -> list[str]:
        return [line.strip() for line in self.indicators.splitlines() if line.strip()]


def application_attachment_path(instance: ApplicationAttachment, filename: str) -> str:
    """``applications/<case_id>/<timestamp><ext>``: the name the group gave the file is not kept in the path."""
    _, ext = os.path.splitext(filename)
    return f"applications/{instance.case_id}/{timezone.now():%Y%m%d%H%M%S%f}{ext.lower()}"


class ApplicationAttachment(models.Model):
    """A file attached to an application besides the 事業計画書 and 収支予算書 (添付書類: 見積書, チラシ案, 会場の
    資料 …), added and removed by the group while the application may be edited; ``size`` in bytes."""

    case = models.ForeignKey(GrantCase, verbose_name="案件", on_delete=models.PROTECT,
                             related_name="application_attachments")
    title = models.CharField("書類名", max_length=200)
    file = models.FileField("ファイル", upload_to=application_attachment_path)
    size = models.PositiveIntegerField("大きさ（バイト）", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登録者", on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = "申請の添付書類"
        verbose_name_plural = "申請の添付書類"

    def __str__(self) -> str:
        return self.title


# -- The panel (審査会) -----------------------------------------------------------------------------------------

class PanelMember(models.Model):
    """A 審査委員 assigned to a call by staff. A member sees the applications of the calls they are assigned to,
    except those they are tied to or declared a conflict on (404)."""

    call = models.ForeignKey(Call, verbose_name="募集", on_delete=models.PROTECT, related_name="panel")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="審査委員", on_delete=models.PROTECT,
                             related_name="panel_seats")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="委嘱した職員", on_delete=models.PROTECT,
                                    related_name="+")
    assigned_at = models.DateTimeField("委嘱日時", auto_now_add=True)

    class Meta:
        ordering = ["call", "pk"]
        verbose_name = "審査委員の委嘱"
        verbose_name_plural = "審査委員の委嘱"
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="one_seat_per_member_per_call")]

    def __str__(self) -> str:
        return f"{self.call}：{self.user}"


class ConflictDeclaration(models.Model):
    """A member's declaration on one application (利害関係の申告): ``conflicted`` with its reason, or none. A
    member must declare before opening an application; a conflicted member cannot open or score it."""

    member = models.ForeignKey(PanelMember, verbose_name="審査委員", on_delete=models.PROTECT,
                               related_name="declarations")
    case = models.ForeignKey(GrantCase, verbose_name="案件", on_delete=models.PROTECT, related_name="+")
    conflicted = models.BooleanField("利害関係がある")
    reason = models.CharField("利害関係の内容", max_length=300, blank=True)
    declared_at = models.DateTimeField("申告日時", auto_now_add=True)

    class Meta:
        verbose_name = "利害関係の申告"
        verbose_name_plural = "利害関係の申告"
        constraints = [
            models.UniqueConstraint(fields=["member", "case"], name="one_declaration_per_member_per_case"),
            models.CheckConstraint(condition=Q(conflicted=False) | ~Q(reason=""), name="conflict_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.member.user}：{'利害関係あり' if self.conflicted else '利害関係なし'}"


class Score(models.Model):
    """One member's score of one application on one criterion, 0 … ``criterion.max_score``, with a comment."""

    member = models.ForeignKey(PanelMember, verbose_name="審査委員", on_delete=models.PROTECT, related_name="scores")
    case = models.ForeignKey(GrantCase, verbose_name="案件", on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, verbose_name="審査項目", on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField("点数")
    comment = models.TextField("講評", blank=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        ordering = ["case", "member", "criterion__order"]
        verbose_name = "採点"
        verbose_name_plural = "採点"
        constraints = [
            models.UniqueConstraint(fields=["member", "case", "criterion"], name="one_score_per_member_case_criterion"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}：{self.score}点"


# -- Selection (採択) ---------------------------------------------------------------------------------------------

class SelectionStatus(models.TextChoices):
    DRAFT = "draft", "作成中"
    PROPOSED = "proposed", "決裁待ち"
    APPROVED = "approved", "決定済"


class Selection(FSMModelMixin, models.Model):
    """The selection of a call (採択案 → 採択の決定): staff prepare it from the ranking, within the call's budget,
    with a reason for each 不採択; an approver who did not prepare it decides it, and each application becomes
    採択 or 不採択 with its notice."""

    call = models.OneToOneField(Call, verbose_name="募集", on_delete=models.PROTECT, related_name="selection")
    status = FSMField("状態", max_length=10, choices=SelectionStatus.choices, default=SelectionStatus.DRAFT,
                      protected=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="起案者", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("起案日時", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="決裁者", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("決裁日時", null=True, blank=True)

    class Meta:
        verbose_name = "採択"
        verbose_name_plural = "採択"
        constraints = [
            models.CheckConstraint(condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("prepared_by")),
                                   name="selection_decided_by_another"),
        ]

    def __str__(self) -> str:
        return f"{self.call} の採択"

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` (``grants.competitive.selection``)."""
        return target


class SelectionLine(models.Model):
    """One application in a selection: selected (with the amount the budget reserves for it, whole yen) or not,
    with the reason for a 不採択 as the notice will give it."""

    selection = models.ForeignKey(Selection, verbose_name="採択", on_delete=models.CASCADE, related_name="lines")
    case = models.OneToOneField(GrantCase, verbose_name="案件", on_delete=models.PROTECT, related_name="selection_line")
    rank = models.PositiveSmallIntegerField("順位", null=True, blank=True)
    weighted_score = models.PositiveIntegerField("合計点（重み付き）", default=0)
    selected = models.BooleanField("採択")
    amount = models.PositiveBigIntegerField("採択額（円）", default=0)
    reason = models.TextField("不採択の理由", blank=True)

    class Meta:
        ordering = ["selection", "rank", "pk"]
        verbose_name = "採択の明細"
        verbose_name_plural = "採択の明細"
        constraints = [
            models.CheckConstraint(condition=Q(selected=True) | ~Q(reason=""), name="not_selected_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.case}：{'採択' if self.selected else '不採択'}"


# -- 消費税仕入控除税額の報告 --------------------------------------------------------------------------------------

class TaxReportStatus(models.TextChoices):
    DUE = "due", "報告待ち"
    SUBMITTED = "submitted", "報告済（確認待ち）"
    CONFIRMED = "confirmed", "確認済"


class TaxExemption(models.TextChoices):
    NONE = "", "該当なし（仕入控除税額を報告する）"
    TAX_EXEMPT = "tax_exempt", "免税事業者"
    SIMPLIFIED = "simplified", "簡易課税制度の適用事業者"
    PUBLIC_INTEREST = "public_interest", "特定収入割合が5％を超える公益法人等"


def tax_evidence_path(instance: TaxCreditReport, filename: str) -> str:
    _, ext = os.path.splitext(filename)
    return f"tax_reports/{instance.case_id}/{timezone.now():%Y%m%d%H%M%S%f}{ext.lower()}"


class TaxCreditReport(FSMModelMixin, models.Model):
    """The 消費税及び地方消費税に係る仕入控除税額の報告 of a case whose call's rule requires it: due by 6/30 of the
    second 年度 after completion, required even when the amount is 0. An exemption is recorded with its
    evidence; a positive amount (whole yen) becomes a 返還 through the refund rails."""

    case = models.OneToOneField(GrantCase, verbose_name="案件", on_delete=models.PROTECT, related_name="tax_report")
    due_on = models.DateField("報告期限")
    exemption = models.CharField("報告が不要となる理由", max_length=20, choices=TaxExemption.choices, blank=True)
    amount = models.PositiveBigIntegerField("仕入控除税額（円）", null=True, blank=True)
    evidence = models.FileField("根拠資料", upload_to=tax_evidence_path, blank=True)
    status = FSMField("状態", max_length=10, choices=TaxReportStatus.choices, default=TaxReportStatus.DUE,
                      protected=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="報告者", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("報告日時", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="確認した職員", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField("確認日時", null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "消費税仕入控除税額の報告"
        verbose_name_plural = "消費税仕入控除税額の報告"

    def __str__(self) -> str:
        return f"{self.case} の消費税仕入控除税額の報告"

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` (``grants.competitive.tax``)."""
        return target
