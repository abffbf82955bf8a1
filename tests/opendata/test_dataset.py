"""The dataset of decided awards: which cases, which rows under each kind's policy, which columns."""
import datetime as dt
import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from stdnum.jp import cn

from grants.opendata import dataset
from grants.opendata.codes import is_valid_code
from grants.opendata.models import DEFAULT_POLICY, DEFAULT_REASONS, KindPolicy, PublicationMode
from grants.organizations.models import OrganizationKind
from tests.opendata import builders
from tests.opendata.builders import FY, PREV

pytestmark = pytest.mark.django_db


def _ids(rows: list[dataset.AwardRow]) -> list[str]:
    return [row.id for row in rows]


def test_the_migration_writes_the_default_policy_with_its_reasons() -> None:
    migration = importlib.import_module("grants.opendata.migrations.0001_initial")
    assert {kind: mode for kind, mode, _ in migration.DEFAULTS} == DEFAULT_POLICY
    assert {kind: reason for kind, _, reason in migration.DEFAULTS} == DEFAULT_REASONS
    assert DEFAULT_POLICY[OrganizationKind.JICHIKAI] == PublicationMode.AREA_TOTALS


def test_default_policy_names_councils_and_groups_and_totals_the_associations_per_area() -> None:
    builders.city()
    rows = dataset.award_rows(FY)
    assert _ids(rows) == [
        "2025-jichi_shinko-01-jichikai", "2025-jichi_shinko-03-jichikai",
        "2025-katsudo_shien-1", "2025-katsudo_shien-2",
        "2025-rengo_shinko-1",
        "2025-shimin_katsudo-1", "2025-shimin_katsudo-2", "2025-shimin_katsudo-5",
    ]
    ohdono, yuda = rows[0], rows[1]
    assert (ohdono.unit, ohdono.recipient_name, ohdono.area_name, ohdono.award_count, ohdono.decided_amount,
            ohdono.confirmed_amount, ohdono.decided_on, ohdono.status) == (
        "地域ごとの合計", "", "大殿", 3, 300_000, None, None, "")
    assert (yuda.award_count, yuda.decided_amount, yuda.recipient_kind) == (1, 90_000, "自治会・町内会")


def test_an_individual_row_has_every_column_of_its_case() -> None:
    builders.city()
    npo = next(row for row in dataset.award_rows(FY) if row.id == "2025-shimin_katsudo-1")
    assert npo == dataset.AwardRow(
        local_government_code="352039", id="2025-shimin_katsudo-1", local_government_name="山口市",
        fiscal_year=2025, programme_name="市民活動交流事業補助金", unit="個別",
        recipient_name="NPO法人 やまぐち子ども食堂ネット", recipient_kind="市民活動団体",
        corporate_number="4011105005409", area_name="湯田", project_title="こども食堂の開設", award_count=1,
        decided_on=dt.date(2025, 5, 20), decided_amount=300_000, confirmed_amount=280_000, status="額の確定")


def test_refused_not_selected_and_undecided_cases_are_left_out() -> None:
    city = builders.city()
    ids = _ids(dataset.award_rows(FY))
    for key in ("s3", "s4"):
        assert f"2025-shimin_katsudo-{city.cases[key].number}" not in ids
    ohdono = dataset.award_rows(FY)[0]
    assert ohdono.award_count == 3  # 大殿第4自治会's 不交付決定 is not counted


def test_a_cancelled_decision_stays_with_the_amount_it_keeps() -> None:
    builders.city()
    rows = {row.id: row for row in dataset.award_rows(FY)}
    full = rows["2025-katsudo_shien-2"]
    assert (full.status, full.decided_amount, full.confirmed_amount) == ("交付決定取消", 1_000_000, 0)
    closed_since = rows["2025-shimin_katsudo-5"]
    assert (closed_since.status, closed_since.confirmed_amount) == ("交付決定取消", 50_000)
    assert rows["2025-katsudo_shien-1"].status == "額の確定"
    assert rows["2025-shimin_katsudo-2"].status == "交付決定"


def test_individual_mode_for_associations_names_each_one() -> None:
    builders.city()
    KindPolicy.objects.filter(kind=OrganizationKind.JICHIKAI).update(mode=PublicationMode.INDIVIDUAL)
    names = [row.recipient_name for row in dataset.award_rows(FY) if row.recipient_kind == "自治会・町内会"]
    assert names == ["大殿第1自治会", "大殿第2自治会", "大殿第3自治会", "湯田第1自治会"]


def test_none_mode_leaves_a_kind_out_entirely() -> None:
    builders.city()
    KindPolicy.objects.filter(kind=OrganizationKind.JICHIKAI).update(mode=PublicationMode.NONE)
    assert all(row.recipient_kind != "自治会・町内会" for row in dataset.award_rows(FY))


def test_totals_of_councils_sum_the_rows_they_replace() -> None:
    builders.city()
    individual = [row for row in dataset.award_rows(FY) if row.recipient_kind == "地域づくり協議会"]
    KindPolicy.objects.filter(kind=OrganizationKind.KYOGIKAI).update(mode=PublicationMode.AREA_TOTALS)
    totals = [row for row in dataset.award_rows(FY) if row.recipient_kind == "地域づくり協議会"]
    assert sum(r.decided_amount for r in totals) == sum(r.decided_amount for r in individual) == 2_500_000
    assert [(r.area_name, r.confirmed_amount, r.recipient_name) for r in totals] == [
        ("大殿", 1_480_000, ""), ("湯田", 0, "")]


def test_a_total_with_an_unconfirmed_case_has_no_confirmed_amount() -> None:
    builders.city()
    KindPolicy.objects.filter(kind=OrganizationKind.SHIMIN_DANTAI).update(mode=PublicationMode.AREA_TOTALS)
    totals = {row.area_name: row for row in dataset.award_rows(FY) if row.recipient_kind == "市民活動団体"}
    assert (totals["大殿"].decided_amount, totals["大殿"].confirmed_amount) == (200_000, None)
    assert (totals["湯田"].award_count, totals["湯田"].confirmed_amount) == (2, 330_000)


def test_a_kind_without_a_policy_row_follows_the_default() -> None:
    builders.city()
    KindPolicy.objects.all().delete()
    assert dataset.policy() == DEFAULT_POLICY
    units = {(row.recipient_kind, row.unit) for row in dataset.award_rows(FY)}
    assert ("自治会・町内会", "地域ごとの合計") in units and ("連合自治会", "個別") in units


def test_a_kind_the_defaults_do_not_name_is_not_published(monkeypatch: pytest.MonkeyPatch) -> None:
    builders.city()
    KindPolicy.objects.filter(kind=OrganizationKind.RENGO).delete()
    monkeypatch.delitem(DEFAULT_POLICY, OrganizationKind.RENGO)
    assert dataset.policy()[OrganizationKind.RENGO] == PublicationMode.NONE
    assert all(row.recipient_kind != "連合自治会" for row in dataset.award_rows(FY))


def test_published_years_are_those_with_a_published_award_newest_first() -> None:
    builders.city()
    assert dataset.published_years() == [FY, PREV]
    KindPolicy.objects.filter(kind=OrganizationKind.KYOGIKAI).update(mode=PublicationMode.NONE)
    assert dataset.published_years() == [FY]


def test_a_year_without_a_published_award_is_not_published() -> None:
    builders.city()
    with pytest.raises(dataset.YearNotPublished):
        dataset.award_rows(2019)
    KindPolicy.objects.update(mode=PublicationMode.NONE)
    with pytest.raises(dataset.YearNotPublished):
        dataset.award_rows(FY)


def test_the_rows_take_the_same_number_of_queries_whatever_the_number_of_cases() -> None:
    city = builders.city()
    dataset.year_data(FY)  # the content types cached, as after the first request of a process
    with CaptureQueriesContext(connection) as few:
        dataset.year_data(FY)
    for n in range(20):
        org = builders.organization(OrganizationKind.SHIMIN_DANTAI, f"X-{n}", f"追加の会{n}", city.yuda)
        builders.case(org, city.py["shimin_katsudo"], "decided", decided=10_000 + n, title=f"事業{n}")
    with CaptureQueriesContext(connection) as many:
        data = dataset.year_data(FY)
    assert len(data.rows) == 28
    assert len(many) == len(few) <= 6


def test_last_modified_moves_with_a_policy_change() -> None:
    builders.city()
    before = dataset.year_data(FY).last_modified
    policy = KindPolicy.objects.get(kind=OrganizationKind.RENGO)
    policy.mode = PublicationMode.NONE
    policy.save()
    assert dataset.year_data(FY).last_modified >= before
    assert dataset.year_data(FY).last_modified == policy.updated_at.replace(microsecond=0)


def test_records_key_each_row_by_column_name_in_dictionary_order() -> None:
    builders.city()
    record = dataset.records(FY)[2]
    assert list(record) == [column.name for column in dataset.data_dictionary()]
    assert record["交付決定日"] == "2025-05-20"
    assert record["確定額"] == 1_480_000


def test_the_dictionarys_examples_are_values_of_their_type() -> None:
    examples = {column.name: column.example for column in dataset.data_dictionary()}
    assert is_valid_code(examples["全国地方公共団体コード"])
    assert cn.is_valid(examples["法人番号"])
    assert dt.date.fromisoformat(examples["交付決定日"])
    for column in dataset.data_dictionary():
        if column.type in (dataset.INTEGER, dataset.YEN):
            assert column.example.isdigit(), column.name
