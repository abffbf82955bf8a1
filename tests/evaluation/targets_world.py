"""Shared steps of the targets-and-results tests (no tests here): criteria on the 活動支援 programme-year, a draft
case with targets, and the case decided and reported with results and a 自己評価, through the real services."""
from __future__ import annotations

from decimal import Decimal

from grants.cases import lifecycle
from grants.evaluation import targets
from grants.evaluation.models import Criterion
from grants.evaluation.targets import ResultRow, SelfScore, TargetRow
from grants.programmes.models import ProgrammeYear
from tests.councils.helpers import decide, line
from tests.councils.steps import today

CRITERIA = (("目標の達成度", 5, 2, True), ("地域への波及効果", 5, 1, True), ("事業の継続性", 3, 1, False))


def criteria(year: ProgrammeYear) -> list[Criterion]:
    """Three criteria (満点, 重み, asked in the 自己評価 or not) on ``year``."""
    return [Criterion.objects.create(programme_year=year, order=i + 1, name=name, max_score=top, weight=weight,
                                     used_for_self=own)
            for i, (name, top, weight, own) in enumerate(CRITERIA)]


ROWS = [TargetRow("講座の参加者数", "人", Decimal("40"), Decimal("100")),
        TargetRow("放置竹林の面積", "㎡", Decimal("500"), Decimal("200"))]


def with_targets(case, actor, rows=ROWS):  # type: ignore[no-untyped-def]
    return targets.save_targets(case_id=case.pk, actor=actor, rows=rows)


def decided_with_targets(case, secretary, staff, approver):  # type: ignore[no-untyped-def]
    with_targets(case, secretary)
    return decide(case, secretary, staff, approver)


def report_lines(case, plan, cats, secretary):  # type: ignore[no-untyped-def]
    from tests.councils import builders

    lifecycle.save_report(case_id=case.pk, actor=secretary, narrative="実施した。", completed_on=today())
    line(case, secretary, where="report", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         amount=500_000, description="実績1")


def answer(case, secretary, found, values=(("120", "毎回満員でした。"), ("300", "半分ほど整備しました。")),  # type: ignore[no-untyped-def]
           scores=(4, 3)):
    indicators = list(case.indicators.order_by("order"))
    results = [ResultRow(i.pk, Decimal(v), note) for i, (v, note) in zip(indicators, values, strict=True)]
    asked = [c for c in found if c.used_for_self]
    own = [SelfScore(c.pk, s, f"{c.name}について") for c, s in zip(asked, scores, strict=True)]
    targets.save_results(case_id=case.pk, actor=secretary, results=results, scores=own)
