"""評価結果 published with the award data: a companion dataset per 年度, one file beside each year's awards.

What: for each award published individually (公表の単位「個別」) whose evaluation staff chose to publish
(``grants.evaluation.publication.published_results``: only submitted evaluations, no evaluator named), rows in the
award's order, each linked to its award by 交付決定のID:

- one row per 評価項目: its 満点, 重み, the mean score (one decimal place) and how many evaluators scored it;
- one 総合 row: the weighted mean, the number of evaluators (of each kind) and the 公表用の講評 (summary);
- one 講評 row per comment staff chose to publish, under its criterion.

An award published only as a total per 地域, or not at all, has its evaluation left out too: its rows would name the
organisation or the project the policy keeps out. The evaluation's text is what staff chose to publish; they are
asked to write no person's name in it.

Same conventions as the awards (``dataset``): the first three columns, IDs stable (the award's ID, then E1, E2 …
in order), numbers without separators, empty for unknown.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max

from grants.cases.models import GrantCase
from grants.core.fiscal import fiscal_year_label
from grants.evaluation.models import Publication
from grants.evaluation.publication import PublishedEvaluation, published_results

from .dataset import (
    INTEGER,
    TEXT,
    Column,
    Record,
    YearNotPublished,
    city_code,
    city_name,
    decided,
    policy,
    year_data,
)
from .models import PublicationMode

TITLE = "補助金・交付金の評価結果"
SCORE = "数値（小数第1位まで）"
CRITERION_SECTION = "評価項目"
OVERALL_SECTION = "総合"
COMMENT_SECTION = "講評"

COLUMNS: tuple[Column, ...] = (
    Column("全国地方公共団体コード", "local_government_code", TEXT,
           "総務省の全国地方公共団体コード（6桁、末尾は検査数字）。", "352039"),
    Column("ID", "id", TEXT, "行を一意に識別する番号。交付決定のIDに「-E」と評価の行の通し番号を付けたもの。",
           "2026-shimin_katsudo-3-E1"),
    Column("地方公共団体名", "local_government_name", TEXT, "データを公開する地方公共団体の名称。", "山口市"),
    Column("年度", "fiscal_year", INTEGER, "交付決定の年度（西暦）。", "2026"),
    Column("交付決定のID", "award_id", TEXT, "評価した交付決定の、交付決定一覧のID。", "2026-shimin_katsudo-3"),
    Column("交付金・補助金の名称", "programme_name", TEXT, "交付金・補助金の制度の名称。", "市民活動交流事業補助金"),
    Column("交付先の名称", "recipient_name", TEXT, "交付先の団体の名称。", "大殿まちなみ保存の会"),
    Column("事業名", "project_title", TEXT, "評価した事業の名称。", "町並みの記録"),
    Column("区分", "section", TEXT,
           "「評価項目」は評価項目ごとの平均点、「総合」は重みを付けた平均点と公表用の講評、「講評」は公表する"
           "評価委員の講評。", CRITERION_SECTION),
    Column("評価項目", "criterion", TEXT, "評価項目の名称。総合の行では空欄。", "公益性"),
    Column("満点", "max_score", INTEGER, "評価項目の満点。総合・講評の行では空欄。", "5"),
    Column("重み", "weight", INTEGER, "総合の平均点を求めるときの評価項目の重み。総合・講評の行では空欄。", "2"),
    Column("評価点", "score", SCORE,
           "評価項目の行は提出された評価の平均点、総合の行は重みを付けた平均点（いずれも小数第2位を四捨五入）。"
           "採点がなければ空欄。講評の行では空欄。", "3.5"),
    Column("評価者数", "evaluators", INTEGER,
           "評価項目の行はその項目を採点した評価委員の数、総合の行は評価を提出した評価委員の数。", "3"),
    Column("評価の種類", "kinds", TEXT, "総合の行のみ。相互評価・第三者評価それぞれの評価委員の数。",
           "相互評価1人・第三者評価2人"),
    Column("講評", "comment", TEXT,
           "総合の行は公表用の講評、講評の行は公表する評価委員の講評（評価委員名は出しません）。",
           "地域の記録として価値の高い事業です。"),
)


@dataclass(frozen=True)
class EvaluationRow:
    """One row of the 評価結果 (see ``COLUMNS``); ``score`` to one decimal place, ``None`` for unknown."""

    local_government_code: str
    id: str
    local_government_name: str
    fiscal_year: int
    award_id: str
    programme_name: str
    recipient_name: str
    project_title: str
    section: str
    criterion: str
    max_score: int | None
    weight: int | None
    score: Decimal | None
    evaluators: int | None
    kinds: str
    comment: str

    def record(self) -> Record:
        """The row keyed by column name, the score a ``Decimal`` of one place (CSV 「4.5」, JSON 4.5)."""
        return {column.name: getattr(self, column.attribute) for column in COLUMNS}


@dataclass
class EvaluationData:
    """The published evaluations of one 年度 (rows in award order) and when they last changed."""

    fiscal_year: int
    rows: list[EvaluationRow]
    last_modified: dt.datetime

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)


def _kinds(evaluation: PublishedEvaluation) -> str:
    parts = [f"相互評価{evaluation.peer}人"] if evaluation.peer else []
    parts += [f"第三者評価{evaluation.third_party}人"] if evaluation.third_party else []
    return "・".join(parts)


def _rows_of(award: Record, evaluation: PublishedEvaluation) -> list[EvaluationRow]:
    """The rows of one award's evaluation: each criterion, the overall row, then each published comment."""
    parts: list[dict[str, object]] = [
        {"section": CRITERION_SECTION, "criterion": c.name, "max_score": c.max_score, "weight": c.weight,
         "score": c.mean, "evaluators": c.scorers} for c in evaluation.criteria]
    parts.append({"section": OVERALL_SECTION, "score": evaluation.weighted_mean, "evaluators": evaluation.evaluators,
                  "kinds": _kinds(evaluation), "comment": evaluation.summary})
    parts += [{"section": COMMENT_SECTION, "criterion": c.criterion, "comment": c.text} for c in evaluation.comments]
    award_id = str(award["ID"])
    common = {"local_government_code": city_code(), "local_government_name": city_name(),
              "fiscal_year": award["年度"], "award_id": award_id, "programme_name": award["交付金・補助金の名称"],
              "recipient_name": award["交付先の名称"], "project_title": award["事業名"]}
    blank = {"criterion": "", "max_score": None, "weight": None, "score": None, "evaluators": None, "kinds": "",
             "comment": ""}
    return [EvaluationRow(id=f"{award_id}-E{number}", **{**common, **blank, **part})  # type: ignore[arg-type]
            for number, part in enumerate(parts, start=1)]


def published_evaluation_years() -> list[int]:
    """The 年度 with at least one published evaluation of an award published individually, newest first (two
    queries)."""
    individual = [kind for kind, mode in policy().items() if mode == PublicationMode.INDIVIDUAL]
    years = (Publication.objects.filter(publish_scores=True, case__in=GrantCase.objects.filter(
        decided(), organization__kind__in=individual)).values_list("case__programme_year__fiscal_year", flat=True))
    return sorted(set(years), reverse=True)


def evaluation_data(fiscal_year: int) -> EvaluationData:
    """The published evaluations of ``fiscal_year``'s individually published awards, in the awards' order. Raises
    ``YearNotPublished`` when the year's awards are not published or none of its published awards has a published
    evaluation. A fixed number of queries (the awards' five, the evaluation's four, one for the date)."""
    awards = year_data(fiscal_year)
    results = published_results(fiscal_year)
    records = {row.id: row.record() for row in awards.rows}
    rows = [row for case_id, award_id in awards.case_ids.items() if case_id in results
            for row in _rows_of(records[award_id], results[case_id])]
    if not rows:
        raise YearNotPublished(fiscal_year)
    published_at = Publication.objects.filter(case_id__in=[c for c in awards.case_ids if c in results]).aggregate(
        at=Max("decided_at"))["at"]
    changed = max(t for t in (awards.last_modified, published_at) if t is not None).replace(microsecond=0)
    return EvaluationData(fiscal_year=fiscal_year, rows=rows, last_modified=changed)


def evaluation_records(fiscal_year: int) -> list[Record]:
    """The rows of ``fiscal_year``'s 評価結果 keyed by column name (the JSON's records). Raises ``YearNotPublished``."""
    return [row.record() for row in evaluation_data(fiscal_year).rows]


def evaluation_dictionary() -> tuple[Column, ...]:
    """The columns of the 評価結果 in file order (項目定義書)."""
    return COLUMNS
