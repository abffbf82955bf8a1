"""The demo's evaluation (評価): sample criteria (評価項目) for the 地域づくり活動支援交付金 and the
市民活動交流事業補助金 of this year and last year, and, for last year's closed cases of both, the targets the groups
had stated with their results and a 自己評価 — what next year's screening panel and the dashboard show. This year's
applications submitted before the criteria existed are given sample targets too, so that their case pages show them.

Called by ``setup_demo`` after the councils' and the competitive demo. Idempotent: a second run changes nothing.
Assignments to 評価委員 are not made here (the evaluators' own demo adds them)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase
from grants.evaluation import assignments, publication, scoring
from grants.evaluation.models import Assignment, Criterion, EvaluationKind, Indicator, Score, SelfAssessment
from grants.programmes.models import ProgrammeYear

from .competitive import CODE as COMPETITIVE
from .councils import KATSUDO

#: name, description (着眼点), 満点, 重み, asked in the 自己評価
CRITERIA: dict[str, tuple[tuple[str, str, int, int, bool], ...]] = {
    KATSUDO: (
        ("目標の達成度", "申請時に掲げた目標と指標をどの程度達成したか", 5, 2, True),
        ("住民の参加", "幅広い世代・立場の住民が参加し、担い手が広がったか", 5, 1, True),
        ("地域づくり計画との整合", "地域づくり計画の施策・取組に沿って実施されたか", 5, 1, True),
        ("経費の適正さ", "経費が事業の内容に見合い、適正に執行されたか", 5, 1, False),
    ),
    COMPETITIVE: (
        ("目標の達成度", "申請時に掲げた目標と指標をどの程度達成したか", 5, 2, True),
        ("公益性・波及効果", "団体の構成員以外の市民に効果が及び、地域に広がったか", 5, 1, True),
        ("協働の成果", "市・他団体との協働がどの程度進んだか", 5, 1, True),
        ("継続・自立の見通し", "補助の終了後も事業を続ける見通しが立ったか", 5, 1, False),
    ),
}

#: Sample targets: 指標名, 単位, 現状値, 目標値, 実績値 (last year's cases), 達成状況の説明
TARGETS: dict[str, tuple[tuple[str, str, str | None, str, str, str], ...]] = {
    KATSUDO: (
        ("地域行事の参加者数", "人", "300", "400", "428", "夏祭りと防災訓練の参加者が増え、目標を上回りました。"),
        ("活動に加わった新しい担い手", "人", "5", "15", "11", "若い世代が加わりましたが、目標には届きませんでした。"),
    ),
    COMPETITIVE: (
        ("参加者数（延べ）", "人", None, "600", "640", "計画どおり24回開催し、延べ640人が参加しました。"),
        ("開催回数", "回", None, "24", "24", "毎月2回、予定どおり開催しました。"),
    ),
}
SELF_SCORES = (4, 3, 4)  # on the criteria asked, in order
SELF_COMMENT = "目標はおおむね達成できました。担い手づくりは来年度も課題です。"


@dataclass(frozen=True)
class EvaluationDemoSummary:
    criteria: int
    evaluated_cases: int


def setup_evaluation_demo(*, fiscal_year: int) -> EvaluationDemoSummary:
    """Criteria for the programme-years of ``fiscal_year`` and ``fiscal_year - 1`` of both programmes; last year's
    closed cases with targets, results and a 自己評価; this year's submitted applications with targets."""
    years = ProgrammeYear.objects.filter(programme__code__in=CRITERIA, fiscal_year__in=(fiscal_year - 1, fiscal_year))
    evaluated = 0
    for year in years.select_related("programme"):
        code = year.programme.code
        found = _criteria(year, code)
        last_year = year.fiscal_year < fiscal_year
        for case in GrantCase.objects.filter(programme_year=year).exclude(status="draft").order_by("pk"):
            if last_year and case.status != "closed":
                continue
            if _targets(case, code, with_results=last_year) and last_year:
                _self_assessment(case, found)
                evaluated += 1
    return EvaluationDemoSummary(criteria=Criterion.objects.filter(programme_year__in=years).count(),
                                 evaluated_cases=evaluated)


def _criteria(year: ProgrammeYear, code: str) -> list[Criterion]:
    return [Criterion.objects.get_or_create(programme_year=year, order=i + 1, defaults={
        "name": name, "description": description, "max_score": top, "weight": weight, "used_for_self": own})[0]
        for i, (name, description, top, weight, own) in enumerate(CRITERIA[code])]


def _targets(case: GrantCase, code: str, *, with_results: bool) -> bool:
    """Give ``case`` the sample targets (with their results when ``with_results``) unless it has targets already.
    Returns whether it was given them."""
    if Indicator.objects.filter(case=case).exists():
        return False
    Indicator.objects.bulk_create(
        Indicator(case=case, order=i + 1, name=name, unit=unit, target=Decimal(target),
                  baseline=Decimal(baseline) if baseline is not None else None,
                  result=Decimal(result) if with_results else None, result_note=note if with_results else "")
        for i, (name, unit, baseline, target, result, note) in enumerate(TARGETS[code]))
    return True


def _self_assessment(case: GrantCase, found: list[Criterion]) -> None:
    asked = [c for c in found if c.used_for_self]
    for criterion, score in zip(asked, SELF_SCORES, strict=False):
        SelfAssessment.objects.get_or_create(case=case, criterion=criterion,
                                             defaults={"score": min(score, criterion.max_score),
                                                       "comment": SELF_COMMENT})


# -- the 評価委員 and their assignments ---------------------------------------------------------------------

#: The demo's 評価委員 (members of the 協働推進委員会): login, display name.
EVALUATORS = [("hyoka1", "評価委員 学識経験者（デモ）"), ("hyoka2", "評価委員 市民活動団体の代表（デモ）")]
#: hyoka1's submitted third-party evaluation of the first closed case: a score and a comment per criterion.
SUBMITTED = ((4, "参加者数の目標を上回り、地域の関心の高まりが見られます。"),
             (4, "新たな担い手が加わり、活動の輪が広がりました。"),
             (3, "関係団体との協働は始まったばかりです。来年度の広がりに期待します。"),
             (4, "次年度以降の運営体制も見通しが立っています。"))
PUBLIC_SUMMARY = "目標を上回る参加があり、地域に根ざした活動として評価できます。担い手の育成を引き続き期待します。"


def evaluator_users(password: str) -> list[User]:
    """The demo's 評価委員 (created once, with ``password``)."""
    found = []
    for username, name in EVALUATORS:
        # With the address every demo login gets (setup_demo), before the assignment's お知らせ is written.
        user, created = User.objects.get_or_create(username=username, defaults={
            "role": Role.EVALUATOR, "display_name": name, "email": f"{username}@example.jp"})
        if created:
            user.set_password(password)
            user.save()
        found.append(user)
    return found


def setup_evaluator_demo(*, fiscal_year: int, staff: User, password: str) -> int:
    """The 評価委員 ``hyoka1`` and ``hyoka2`` and their assignments on last year's closed, self-assessed cases,
    made by ``staff`` through the services: on the first case ``hyoka1``'s third-party evaluation is submitted and
    published (scores, a summary, its first comment) and ``hyoka2`` has declared no conflict and saved a draft
    (相互評価); on the second ``hyoka1`` has not yet declared. Idempotent. Returns the number of assignments."""
    first, second = evaluator_users(password)
    cases = list(GrantCase.objects.filter(programme_year__fiscal_year=fiscal_year - 1, status="closed",
                                          self_assessments__isnull=False).distinct().order_by("pk")[:2])
    if not cases:
        return 0
    case = cases[0]
    done = _assigned(case, first, EvaluationKind.THIRD_PARTY, staff)
    if done.conflict_declared is None:
        assignments.declare(assignment_id=done.pk, actor=first, conflicted=False)
        criteria = scoring.criteria_of(done)
        scoring.submit(assignment_id=done.pk, actor=first,
                       scores={c.pk: min(s, c.max_score) for c, (s, _) in zip(criteria, SUBMITTED, strict=False)},
                       comments={c.pk: t for c, (_, t) in zip(criteria, SUBMITTED, strict=False)})
        comment = Score.objects.filter(assignment=done).order_by("criterion__order").first()
        publication.decide_publication(case_id=case.pk, actor=staff, publish_scores=True, summary=PUBLIC_SUMMARY,
                                       published_comments={comment.pk} if comment else set())
    draft = _assigned(case, second, EvaluationKind.PEER, staff)
    if draft.conflict_declared is None:
        assignments.declare(assignment_id=draft.pk, actor=second, conflicted=False)
        criteria = scoring.criteria_of(draft)
        scoring.save_draft(assignment_id=draft.pk, actor=second, scores={criteria[0].pk: 3},
                           comments={criteria[0].pk: "（下書き）目標の達成は確認できました。"})
    if len(cases) > 1:
        _assigned(cases[1], first, EvaluationKind.THIRD_PARTY, staff)
    return Assignment.objects.filter(evaluator__in=(first, second)).count()


def _assigned(case: GrantCase, evaluator: User, kind: str, staff: User) -> Assignment:
    found = Assignment.objects.filter(case=case, evaluator=evaluator).first()
    return found or assignments.assign(case_id=case.pk, evaluator_id=evaluator.pk, kind=kind, actor=staff)
