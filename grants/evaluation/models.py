"""評価 (evaluation of funded work): what is stored (the shared spec of issue 17's evaluation, /tmp/h/eval_spec.md).

- ``Criterion`` 評価項目: the criteria of a programme-year (data, admin-editable). A programme-year without criteria
  does not evaluate: no targets are asked in its applications, no 自己評価 in its reports, no evaluator assigned.
- ``Indicator`` 目標と指標: the group's targets, stated in the application, with the results of the 実績報告.
- ``SelfAssessment`` 自己評価: the group's own score per criterion (``used_for_self``), with the 実績報告.
- ``Assignment`` 評価の割当: a 評価委員 assigned to a closed case (相互評価・第三者評価); its state moves on the rail
  (``grants.evaluation.machines``).
- ``Score`` 評価: an evaluator's score per criterion with a comment; staff choose which comments are published.
- ``Publication`` 評価結果の公表: what staff decided to publish of a case's evaluation.

Scores are whole points 1 … ``Criterion.max_score``; indicator values are decimals (12 digits, 2 after the point)
in the indicator's own unit.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from grants.cases.models import GrantCase
from grants.programmes.models import ProgrammeYear


class Criterion(models.Model):
    """An evaluation criterion (評価項目) of a programme-year, e.g. 目標の達成度, 地域への波及効果. Evaluators score it
    1 … ``max_score``; the weighted score of a case is Σ weight × score / Σ weight. ``used_for_self``: the group
    also scores itself on it in the 自己評価."""

    programme_year = models.ForeignKey(ProgrammeYear, verbose_name="事業・年度", on_delete=models.PROTECT,
                                       related_name="evaluation_criteria")
    order = models.PositiveSmallIntegerField("順序", default=1)
    name = models.CharField("評価項目", max_length=60)
    description = models.TextField("着眼点", blank=True)
    max_score = models.PositiveSmallIntegerField("満点", default=5, help_text="1点からこの点数までで評価します。")
    weight = models.PositiveSmallIntegerField("重み", default=1)
    used_for_self = models.BooleanField("自己評価でも尋ねる", default=True)

    class Meta:
        ordering = ["programme_year", "order", "pk"]
        verbose_name = "評価項目"
        verbose_name_plural = "評価項目"
        constraints = [
            models.UniqueConstraint(fields=["programme_year", "order"], name="evaluation_criterion_order_unique"),
            models.CheckConstraint(condition=Q(max_score__gte=1), name="evaluation_criterion_max_score_positive"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="evaluation_criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One target of a case (目標と指標): 指標名 and 単位 (例: 参加者数, 人), 現状値 (optional) and 目標値, stated by
    the group in the application; 実績値 and 達成状況の説明 reported in the 実績報告."""

    case = models.ForeignKey(GrantCase, verbose_name="案件", on_delete=models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField("順序")
    name = models.CharField("指標名", max_length=100)
    unit = models.CharField("単位", max_length=20)
    baseline = models.DecimalField("現状値", max_digits=12, decimal_places=2, null=True, blank=True)
    target = models.DecimalField("目標値", max_digits=12, decimal_places=2)
    result = models.DecimalField("実績値", max_digits=12, decimal_places=2, null=True, blank=True)
    result_note = models.TextField("達成状況の説明", blank=True)

    class Meta:
        ordering = ["case", "order"]
        verbose_name = "目標と指標"
        verbose_name_plural = "目標と指標"
        constraints = [models.UniqueConstraint(fields=["case", "order"], name="evaluation_indicator_order_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class SelfAssessment(models.Model):
    """The group's own score (自己評価) of its case on one criterion, 1 … ``criterion.max_score``, with a comment."""

    case = models.ForeignKey(GrantCase, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="self_assessments")
    criterion = models.ForeignKey(Criterion, verbose_name="評価項目", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField("点数")
    comment = models.TextField("コメント", blank=True)

    class Meta:
        ordering = ["case", "criterion__order"]
        verbose_name = "自己評価"
        verbose_name_plural = "自己評価"
        constraints = [
            models.UniqueConstraint(fields=["case", "criterion"], name="evaluation_self_assessment_unique"),
            models.CheckConstraint(condition=Q(score__gte=1), name="evaluation_self_score_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}：{self.score}点"


class EvaluationKind(models.TextChoices):
    PEER = "peer", "相互評価"
    THIRD_PARTY = "third_party", "第三者評価"


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", "評価待ち"
    SUBMITTED = "submitted", "評価提出済"
    DECLINED = "declined", "辞退（利益相反の申出）"
    WITHDRAWN = "withdrawn", "割当取消"


class Assignment(FSMModelMixin, models.Model):
    """A 評価委員 assigned by staff to evaluate one closed case (評価の割当). The evaluator declares a conflict of
    interest or none (``conflict_declared``: None until declared) before scoring; ``status`` moves only on the
    rail (``grants.evaluation.machines.ASSIGNMENT``)."""

    case = models.ForeignKey(GrantCase, verbose_name="案件", on_delete=models.PROTECT,
                             related_name="evaluation_assignments")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="評価委員", on_delete=models.PROTECT,
                                  related_name="evaluation_assignments")
    kind = models.CharField("評価の種類", max_length=12, choices=EvaluationKind.choices)
    status = FSMField("状態", max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED,
                      protected=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="割り当てた職員", on_delete=models.PROTECT,
                                    related_name="+")
    assigned_at = models.DateTimeField("割当日時", auto_now_add=True)
    submitted_at = models.DateTimeField("評価の提出日時", null=True, blank=True)
    conflict_declared = models.BooleanField("利益相反がある", null=True, blank=True,
                                            help_text="空欄: まだ申告されていません。")
    conflict_reason = models.TextField("利益相反の内容", blank=True)
    declared_at = models.DateTimeField("申告日時", null=True, blank=True)

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = "評価の割当"
        verbose_name_plural = "評価の割当"
        constraints = [
            models.UniqueConstraint(fields=["case", "evaluator"], name="evaluation_one_assignment_per_evaluator"),
        ]

    def __str__(self) -> str:
        return f"{self.case}：{self.evaluator}（{self.get_kind_display()}）"

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` (``grants.evaluation.machines``)."""
        return target


class Score(models.Model):
    """An evaluator's score of a case on one criterion (評価), 1 … ``criterion.max_score``, with a comment; staff
    choose whether the comment is published (``comment_published``)."""

    assignment = models.ForeignKey(Assignment, verbose_name="評価の割当", on_delete=models.CASCADE,
                                   related_name="scores")
    criterion = models.ForeignKey(Criterion, verbose_name="評価項目", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField("点数")
    comment = models.TextField("講評", blank=True)
    comment_published = models.BooleanField("講評を公表する", default=False)

    class Meta:
        ordering = ["assignment", "criterion__order"]
        verbose_name = "評価"
        verbose_name_plural = "評価"
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="evaluation_one_score_per_criterion"),
            models.CheckConstraint(condition=Q(score__gte=1), name="evaluation_score_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}：{self.score}点"


class Publication(models.Model):
    """What staff decided to publish of a case's evaluation (評価結果の公表): the scores or not, and the 講評 for
    the public (the comments published are chosen per ``Score``)."""

    case = models.OneToOneField(GrantCase, verbose_name="案件", on_delete=models.PROTECT,
                                related_name="evaluation_publication")
    publish_scores = models.BooleanField("評価点を公表する", default=False)
    summary = models.TextField("公表用の講評", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="決めた職員", on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField("決めた日時")

    class Meta:
        verbose_name = "評価結果の公表"
        verbose_name_plural = "評価結果の公表"

    def __str__(self) -> str:
        return f"{self.case}の評価結果の公表"
