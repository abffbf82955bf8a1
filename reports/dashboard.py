"""Reads for the budget dashboard (予算ダッシュボード): figures per programme-year and per 地域 (GRANTS.md §7).

Nothing here writes. Amounts are whole yen (``int``). Per programme-year the figures are the running totals of
its ``BudgetAccount``; per 地域 they are summed from the ledger itself (``LedgerEntry`` → case → organisation →
地域), net of reversals, so the two views of the same money must reconcile: for one fiscal year, the area
totals of 交付決定額, 支出済額 and 返還額 equal the sums of the programme totals (every commitment, payment and
refund names its case; only budget entries do not).

A payment is posted (支出済額, ``paid``) when its payment batch is approved, dated the transfer date, but it is
paid only once the bank reports the transfer done (振込完了): until then its order is 振込予定 (``OrderStatus.SENT``).
The rows therefore split ``paid`` into ``pending`` (振込予定額: posted, the bank's result not yet recorded) and
``made`` (振込済額 = ``paid`` − ``pending``: confirmed by the bank, or paid before payment batches existed). A transfer
whose date has passed without a result is still pending: the city counts a transfer as made on the bank's result,
as the 支払通知書 and the case's closing do, since a 返却 (振込不能・組戻し) may come after the date.

For a programme-year of the competitive programme (市民活動交流事業補助金), ``call_totals`` sets each call's
(募集) budget against what its decided selection (採択) reserved.

Query cost is fixed, whatever the number of cases or entries: ``programme_totals`` is one query,
``area_totals`` three (areas, ledger sums grouped by 地域, case counts and pending transfers grouped by 地域),
``call_totals`` one.

``evaluation_totals`` sums up the evaluation (評価) of each programme-year that has evaluation criteria: its cases'
自己評価, evaluators' scores and targets reached (``EvaluationRow``).
"""
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import BigIntegerField, Case, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from grants.cases.models import GrantCase
from grants.competitive.models import Call, ProjectPlan, SelectionLine, SelectionStatus
from grants.evaluation.models import AssignmentStatus, Criterion, Indicator, SelfAssessment
from grants.evaluation.models import Score as EvaluatorScore
from grants.evaluation.summary import achieved, rounded, weighted_exact
from grants.ledger.models import TOTAL_OF_KIND, BudgetAccount, EntryKind, LedgerEntry, OrderStatus, PaymentOrder
from grants.organizations.models import Area
from grants.programmes.models import ProgrammeYear

# The ledger totals shown per 地域, each with the entry kind that moves it.
AREA_TOTAL_KINDS: dict[str, EntryKind] = {
    TOTAL_OF_KIND[kind]: kind for kind in (EntryKind.COMMITMENT, EntryKind.PAYMENT, EntryKind.REFUND)
}


@dataclass(frozen=True)
class Row:
    """One programme-year of a fiscal year, from its budget account. Amounts in whole yen.

    ``available`` (執行可能額) = ``budget`` (予算額) − ``committed`` (交付決定額); ``paid`` (支出済額, the ledger's
    total) = ``made`` (振込済額) + ``pending`` (振込予定額).
    """

    programme_year_id: int
    programme_code: str
    label: str  # e.g. "令和8年度 自治会等自治振興交付金（サンプル）"
    budget_code: str  # 款・項・目・節, may be ""
    budget: int
    committed: int
    paid: int
    refunded: int
    pending: int = 0

    @property
    def available(self) -> int:
        return self.budget - self.committed

    @property
    def made(self) -> int:
        """振込済額: what the bank has confirmed paid, whole yen."""
        return self.paid - self.pending


@dataclass(frozen=True)
class AreaRow:
    """One 地域 in a fiscal year (optionally one programme-year). Amounts in whole yen, net of reversals.

    ``case_count`` (件数) counts every case of the year's programme-years whose organisation is in the 地域,
    whatever its status; ``paid_case_count`` those that have been paid (支払済: some of their money confirmed by the
    bank, or a council case paid in advances or at its 精算払); ``pending_case_count`` those with a transfer still
    waiting for the bank's result. ``paid`` = ``made`` (振込済額) + ``pending`` (振込予定額).
    """

    area_id: int
    code: str  # 地域コード, "01".."21"
    name: str  # 地域名
    case_count: int
    paid_case_count: int
    committed: int
    paid: int
    refunded: int
    pending: int = 0
    pending_case_count: int = 0

    @property
    def made(self) -> int:
        """振込済額: what the bank has confirmed paid, whole yen."""
        return self.paid - self.pending


def _pending_of(path: str) -> Coalesce:
    """The amount of the payment orders sent to the bank and not yet confirmed (振込予定) whose ``path`` is the
    outer row, as a correlated subquery; 0 without any."""
    sent = (PaymentOrder.objects.filter(status=OrderStatus.SENT, **{path: OuterRef("pk")}).order_by()
            .values(path).annotate(total=Sum("amount")).values("total"))
    return Coalesce(Subquery(sent), Value(0), output_field=BigIntegerField())


def programme_totals(fiscal_year: int) -> list[Row]:
    """Budget and running totals of every programme-year of ``fiscal_year`` (Western start year) that has a
    budget account, ordered by programme code. One query."""
    accounts = (
        BudgetAccount.objects.filter(programme_year__fiscal_year=fiscal_year)
        .select_related("programme_year__programme")
        .annotate(pending=_pending_of("case__programme_year__budget_account"))
        .order_by("programme_year__programme__code", "pk")
    )
    return [
        Row(
            programme_year_id=a.programme_year_id,
            programme_code=a.programme_year.programme.code,
            label=str(a.programme_year),
            budget_code=a.budget_code,
            budget=a.budget,
            committed=a.committed,
            paid=a.paid,
            refunded=a.refunded,
            pending=a.pending,
        )
        for a in accounts
    ]


def _net_sum(kind: EntryKind) -> Coalesce:
    """SUM of ``kind`` entries minus the reversals of ``kind`` entries (a reversal subtracts the amount of
    the entry it reverses, which is its own amount), 0 when there is none. Signed whole yen."""
    signed = Case(
        When(kind=kind, then=F("amount")),
        When(kind=EntryKind.REVERSAL, reverses__kind=kind, then=-F("amount")),
        default=Value(0),
        output_field=BigIntegerField(),
    )
    return Coalesce(Sum(signed), Value(0), output_field=BigIntegerField())


def area_totals(fiscal_year: int, programme_year: ProgrammeYear | int | None = None) -> list[AreaRow]:
    """Ledger totals and case counts per 地域 for ``fiscal_year`` (Western start year), or for one
    programme-year of it when ``programme_year`` (instance or pk) is given.

    Every 地域 has a row, in 地域コード order, with zeros where it has no case. Three queries, whatever the
    number of areas, cases or entries.
    """
    entries = LedgerEntry.objects.filter(account__programme_year__fiscal_year=fiscal_year, case__isnull=False)
    cases = GrantCase.objects.filter(programme_year__fiscal_year=fiscal_year)
    if programme_year is not None:
        py_id = programme_year.pk if isinstance(programme_year, ProgrammeYear) else programme_year
        entries = entries.filter(account__programme_year_id=py_id)
        cases = cases.filter(programme_year_id=py_id)

    sums = {
        row.pop("case__organization__area"): row
        for row in entries.order_by()
        .values("case__organization__area")
        .annotate(**{total: _net_sum(kind) for total, kind in AREA_TOTAL_KINDS.items()})
    }
    counts = {
        row.pop("organization__area"): row
        for row in cases.order_by()
        .alias(sent=_pending_of("case"))
        .values("organization__area")
        .annotate(case_count=Count("pk"), paid_case_count=Count("pk", filter=Q(paid_amount__gt=F("sent"))),
                  pending_case_count=Count("pk", filter=Q(sent__gt=0)), pending=Sum("sent"))
    }
    empty_sums = dict.fromkeys(AREA_TOTAL_KINDS, 0)
    empty_counts = {"case_count": 0, "paid_case_count": 0, "pending_case_count": 0, "pending": 0}
    return [
        AreaRow(
            area_id=area.pk,
            code=area.code,
            name=area.name,
            **counts.get(area.pk, empty_counts),
            **sums.get(area.pk, empty_sums),
        )
        for area in Area.objects.order_by("code").only("pk", "code", "name")
    ]


def sum_programme_rows(rows: Iterable[Row]) -> Row:
    """The 合計 line of ``rows``: amounts summed (whole yen); ids and labels empty."""
    rows = list(rows)
    return Row(
        programme_year_id=0, programme_code="", label="合計", budget_code="",
        **{name: sum(getattr(r, name) for r in rows)
           for name in ("budget", "committed", "paid", "refunded", "pending")},
    )


def sum_area_rows(rows: Iterable[AreaRow]) -> AreaRow:
    """The 合計 line of ``rows``: counts and amounts summed (whole yen); id and code empty."""
    rows = list(rows)
    names = ("case_count", "paid_case_count", "pending_case_count", "committed", "paid", "refunded", "pending")
    return AreaRow(area_id=0, code="", name="合計", **{name: sum(getattr(r, name) for r in rows) for name in names})


def fiscal_years() -> list[int]:
    """The fiscal years (Western start years) that have a programme-year, newest first. One query."""
    return list(
        ProgrammeYear.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct()
    )


@dataclass(frozen=True)
class CallRow:
    """One call (募集) of a fiscal year: its budget against its decided selection. Amounts in whole yen.

    ``applications`` counts the applications submitted (not drafts); ``selected_count`` and ``selected_total``
    (採択額の合計) count only a selection the approver has decided; ``remaining`` = ``budget`` − ``selected_total``.
    """

    call_id: int
    programme_year_id: int
    title: str
    label: str  # e.g. "サンプル", may be ""
    opens_on: dt.date
    closes_on: dt.date
    budget: int
    applications: int
    selected_count: int
    selected_total: int

    @property
    def remaining(self) -> int:
        return self.budget - self.selected_total


def _per_call(rows: QuerySet[ProjectPlan] | QuerySet[SelectionLine], path: str, value: Count | Sum) -> Coalesce:
    """``value`` over ``rows`` of the outer call (reached by ``path``), as a correlated subquery; 0 without rows."""
    summed = rows.filter(**{path: OuterRef("pk")}).order_by().values(path).annotate(value=value).values("value")
    return Coalesce(Subquery(summed), Value(0), output_field=BigIntegerField())


def call_totals(fiscal_year: int) -> list[CallRow]:
    """Every call (募集) of the programme-years of ``fiscal_year`` (Western start year), by programme code and
    受付開始日, with its budget, applications and decided 採択 (see ``CallRow``). One query."""
    chosen = SelectionLine.objects.filter(selection__status=SelectionStatus.APPROVED, selected=True)
    calls = (
        Call.objects.filter(programme_year__fiscal_year=fiscal_year)
        .annotate(
            applications_count=_per_call(ProjectPlan.objects.exclude(case__status="draft"), "call", Count("pk")),
            selected_count=_per_call(chosen, "selection__call", Count("pk")),
            selected_total=_per_call(chosen, "selection__call", Sum("amount")),
        )
        .order_by("programme_year__programme__code", "opens_on", "pk")
        .values_list("pk", "programme_year_id", "title", "label", "opens_on", "closes_on", "budget",
                     "applications_count", "selected_count", "selected_total")
    )
    return [CallRow(*row) for row in calls]


@dataclass(frozen=True)
class EvaluationRow:
    """The evaluation (評価) of one programme-year's cases, for a programme-year that has evaluation criteria.

    ``cases`` counts its cases; ``reported`` those whose 実績報告 was submitted with a 自己評価; ``evaluated`` those
    with at least one submitted evaluation (評価提出済). ``self_mean`` and ``evaluator_mean`` are the plain means of
    the cases' exact weighted means (Σ weight × score / Σ weight; an evaluator's score per criterion is the mean of
    the submitted evaluations), rounded half up to one decimal place only then, None without any
    (``grants.evaluation.summary``). ``targets`` counts the indicators with a result of the reported cases,
    ``achieved`` those reached; ``achieved_share`` is their share in percent (one decimal place)."""

    programme_year_id: int
    label: str
    cases: int
    reported: int
    evaluated: int
    self_mean: Decimal | None
    evaluator_mean: Decimal | None
    targets: int
    achieved: int

    @property
    def achieved_share(self) -> Decimal | None:
        return rounded(Fraction(self.achieved * 100, self.targets)) if self.targets else None


def _mean_of(values: Sequence[Fraction]) -> Decimal | None:
    """The mean of exact values, rounded half up to one decimal place (None without any)."""
    if not values:
        return None
    return rounded(sum(values, Fraction(0)) / len(values))


def evaluation_totals(fiscal_year: int) -> list[EvaluationRow]:
    """One row per programme-year of ``fiscal_year`` that has evaluation criteria, by programme code (see
    ``EvaluationRow``). Seven queries whatever the number of cases."""
    years = list(ProgrammeYear.objects.filter(fiscal_year=fiscal_year, evaluation_criteria__isnull=False)
                 .distinct().select_related("programme").order_by("programme__code", "pk"))
    if not years:
        return []
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(programme_year__in=years).order_by("order", "pk"):
        criteria[criterion.programme_year_id].append(criterion)
    cases = dict(GrantCase.objects.filter(programme_year__in=years).values_list("pk", "programme_year_id"))
    reported = set(GrantCase.objects.filter(programme_year__in=years, report__submitted_at__isnull=False)
                   .values_list("pk", flat=True))
    own: dict[int, dict[int, Fraction]] = defaultdict(dict)
    for case_id, criterion_id, score in SelfAssessment.objects.filter(case_id__in=reported).values_list(
            "case_id", "criterion_id", "score"):
        own[case_id][criterion_id] = Fraction(score)
    given: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for case_id, criterion_id, score in EvaluatorScore.objects.filter(
            assignment__case__programme_year__in=years, assignment__status=AssignmentStatus.SUBMITTED,
    ).values_list("assignment__case_id", "criterion_id", "score"):
        given[case_id][criterion_id].append(score)
    results: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in Indicator.objects.filter(case_id__in=reported, result__isnull=False):
        results[indicator.case_id].append(indicator)
    rows = []
    for year in years:
        ids = [pk for pk, year_id in cases.items() if year_id == year.pk]
        own_means = [m for pk in ids if pk in own and (m := weighted_exact(own[pk], criteria[year.pk])) is not None]
        evaluator_means = [m for pk in ids if pk in given and (m := weighted_exact(
            {c: Fraction(sum(v), len(v)) for c, v in given[pk].items()}, criteria[year.pk])) is not None]
        reached = [achieved(i) for pk in ids for i in results.get(pk, [])]
        rows.append(EvaluationRow(
            programme_year_id=year.pk, label=str(year), cases=len(ids), reported=len(own_means),
            evaluated=len(evaluator_means), self_mean=_mean_of(own_means), evaluator_mean=_mean_of(evaluator_means),
            targets=len(reached), achieved=sum(1 for r in reached if r),
        ))
    return rows
