"""評価結果 published with the awards: only what staff chose to publish, only for awards published individually,
linked to the award's row, and never an evaluator's name or an unpublished comment."""
import csv
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.opendata import dataset, evaluations, files
from grants.opendata.models import KindPolicy, PublicationMode
from grants.organizations.models import OrganizationKind
from tests.opendata import builders
from tests.opendata.builders import FY, PREV

pytestmark = pytest.mark.django_db


def _city() -> builders.City:
    city = builders.city()
    builders.evaluated(city)
    return city


def test_the_published_evaluation_of_an_individual_award_by_criterion_overall_and_comment() -> None:
    _city()
    rows = evaluations.evaluation_data(FY).rows
    assert [(r.id, r.section, r.criterion, r.max_score, r.weight, r.score, r.evaluators, r.kinds, r.comment)
            for r in rows] == [
        ("2025-shimin_katsudo-2-E1", "評価項目", "公益性", 5, 2, Decimal("4.5"), 2, "", ""),
        ("2025-shimin_katsudo-2-E2", "評価項目", "独創性", 5, 1, Decimal("3.5"), 2, "", ""),
        # (2 × 4.5 + 1 × 3.5) / 3 = 4.1666… → 4.2
        ("2025-shimin_katsudo-2-E3", "総合", "", None, None, Decimal("4.2"), 2, "相互評価1人・第三者評価1人",
         "町並みを丁寧に記録した事業です。"),
        ("2025-shimin_katsudo-2-E4", "講評", "公益性", None, None, None, None, "", "地域の記録として価値が高い。"),
    ]
    first = rows[0]
    assert (first.award_id, first.recipient_name, first.project_title, first.programme_name) == (
        "2025-shimin_katsudo-2", "大殿まちなみ保存の会", "町並みの記録", "市民活動交流事業補助金")
    assert first.award_id in [row.id for row in dataset.award_rows(FY)]


def test_an_award_published_only_as_a_total_has_no_evaluation_published() -> None:
    _city()
    assert all(not row.award_id.startswith("2025-jichi_shinko") for row in evaluations.evaluation_data(FY).rows)
    KindPolicy.objects.filter(kind=OrganizationKind.JICHIKAI).update(mode=PublicationMode.INDIVIDUAL)
    ids = {row.award_id for row in evaluations.evaluation_data(FY).rows}
    assert ids == {"2025-shimin_katsudo-2", "2025-jichi_shinko-1"}


def test_an_unpublished_evaluation_and_a_year_without_one_are_not_published() -> None:
    _city()
    assert "2025-shimin_katsudo-1" not in {row.award_id for row in evaluations.evaluation_data(FY).rows}
    with pytest.raises(dataset.YearNotPublished):
        evaluations.evaluation_data(PREV)
    assert evaluations.published_evaluation_years() == [FY]
    KindPolicy.objects.filter(kind=OrganizationKind.SHIMIN_DANTAI).update(mode=PublicationMode.AREA_TOTALS)
    with pytest.raises(dataset.YearNotPublished):
        evaluations.evaluation_data(FY)
    assert evaluations.published_evaluation_years() == []


def test_the_files_parse_and_agree() -> None:
    _city()
    data = evaluations.evaluation_data(FY)
    utf8 = list(csv.DictReader(io.StringIO(files.evaluations_csv_utf8(data).decode("utf-8-sig"))))
    sjis = list(csv.DictReader(io.StringIO(files.evaluations_csv_sjis(data).decode("cp932"))))
    document = json.loads(files.evaluations_json(data, "http://testserver/opendata/dictionary/"))
    assert utf8 == sjis
    assert list(utf8[0]) == [column.name for column in evaluations.COLUMNS]
    assert utf8[0]["評価点"] == "4.5" and utf8[2]["評価の種類"] == "相互評価1人・第三者評価1人"
    assert document["records"] == [{k: float(v) if isinstance(v, Decimal) else v for k, v in r.items()}
                                   for r in evaluations.evaluation_records(FY)]
    assert document["records"][0]["評価点"] == 4.5 and document["records"][0]["満点"] == 5
    assert document["records"][2]["評価点"] == 4.2
    assert '"評価点": 4.2,' in files.evaluations_json(data, "").decode()
    assert document["metadata"]["title"] == "山口市 補助金・交付金の評価結果（令和7年度）"
    assert document["metadata"]["license"]["name"] == "CC BY 4.0"
    assert [{k: "" if v is None else str(v) for k, v in r.items()} for r in document["records"]] == utf8


def test_no_evaluator_name_nor_unpublished_text_in_any_file() -> None:
    _city()
    data = evaluations.evaluation_data(FY)
    for text in (files.evaluations_csv_utf8(data).decode("utf-8-sig"), files.evaluations_csv_sjis(data).decode("cp932"),
                 files.evaluations_json(data, "").decode()):
        for hidden in (builders.EVALUATOR_NAME, builders.HIDDEN_COMMENT, "公表しない総評", "自治会の総評", "e-0",
                       *builders.PLANTED):
            assert hidden not in text


def test_the_evaluations_take_the_same_number_of_queries_whatever_the_number_of_rows() -> None:
    city = _city()
    evaluations.evaluation_data(FY)  # the content types cached, as after the first request of a process
    with CaptureQueriesContext(connection) as few:
        evaluations.evaluation_data(FY)
    KindPolicy.objects.filter(kind=OrganizationKind.JICHIKAI).update(mode=PublicationMode.INDIVIDUAL)
    for key in ("j2", "j3"):
        builders.Publication.objects.create(case=city.cases[key], publish_scores=True, summary="総評",
                                            decided_by=builders.User.objects.get(username="e-staff"),
                                            decided_at=builders.timezone.now())
    with CaptureQueriesContext(connection) as many:
        assert len(evaluations.evaluation_data(FY).rows) > 4
    assert len(few) == len(many)


def test_the_dictionary_csv_has_both_datasets() -> None:
    rows = list(csv.DictReader(io.StringIO(files.dictionary_csv().decode("utf-8-sig"))))
    assert [r["項目名"] for r in rows if r["データ"] == "補助金・交付金の評価結果"] == [
        column.name for column in evaluations.COLUMNS]
    assert [r["項目名"] for r in rows if r["データ"] == "補助金・交付金の交付決定一覧"] == [
        column.name for column in dataset.COLUMNS]
