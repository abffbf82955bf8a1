"""The files of a year: they parse with the standard csv and json modules, hold exactly the decided awards, keep
every character (UTF-8) or mark the ones Shift_JIS cannot hold (〓), and never hold personal, bank or insurance
data."""
import codecs
import csv
import io
import json

import pytest
from django.utils import timezone

from grants.opendata import dataset, files
from grants.opendata.models import KindPolicy, PublicationMode
from grants.organizations.models import OrganizationKind
from tests.opendata import builders
from tests.opendata.builders import FY

pytestmark = pytest.mark.django_db

DICTIONARY_URL = "http://testserver/opendata/dictionary/"

#: (ID, 交付先の名称, 件数, 交付決定日, 交付決定額, 確定額, 交付の状況) of FY2025 in the fixtures' city, by hand.
EXPECTED = [
    ("2025-jichi_shinko-01-jichikai", "", "3", "", "300000", "", ""),
    ("2025-jichi_shinko-03-jichikai", "", "1", "", "90000", "", ""),
    ("2025-katsudo_shien-1", "大殿地域づくり協議会", "1", "2025-05-20", "1500000", "1480000", "額の確定"),
    ("2025-katsudo_shien-2", "湯田まちづくり協議会", "1", "2025-05-20", "1000000", "0", "交付決定取消"),
    ("2025-rengo_shinko-1", "大殿連合自治会", "1", "2025-05-20", "50000", "", "交付決定"),
    ("2025-shimin_katsudo-1", "NPO法人 やまぐち子ども食堂ネット", "1", "2025-05-20", "300000", "280000", "額の確定"),
    ("2025-shimin_katsudo-2", "大殿まちなみ保存の会", "1", "2025-05-20", "200000", "", "交付決定"),
    ("2025-shimin_katsudo-5", "取消された会", "1", "2025-05-20", "400000", "50000", "交付決定取消"),
]
PICK = ("ID", "交付先の名称", "件数", "交付決定日", "交付決定額", "確定額", "交付の状況")


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_utf8_csv_has_a_bom_and_exactly_the_decided_awards() -> None:
    builders.city()
    body = files.csv_utf8(dataset.year_data(FY))
    assert body.startswith(codecs.BOM_UTF8)
    rows = _csv_rows(body.decode("utf-8-sig"))
    assert [tuple(row[name] for name in PICK) for row in rows] == EXPECTED
    assert list(rows[0]) == [column.name for column in dataset.COLUMNS]
    assert {row["全国地方公共団体コード"] for row in rows} == {"352039"}
    assert {row["地方公共団体名"] for row in rows} == {"山口市"}
    assert b"\r\n" in body and b"," in body


def test_the_sjis_csv_decodes_with_cp932_and_holds_the_same_rows() -> None:
    builders.city()
    data = dataset.year_data(FY)
    assert _csv_rows(files.csv_sjis(data).decode("cp932")) == _csv_rows(files.csv_utf8(data).decode("utf-8-sig"))


def test_the_json_parses_and_holds_the_very_rows_of_the_csv_typed() -> None:
    builders.city()
    data = dataset.year_data(FY)
    document = json.loads(files.json_bytes(data, DICTIONARY_URL))
    meta = document["metadata"]
    assert meta["license"] == {"name": "CC BY 4.0", "title": "クリエイティブ・コモンズ 表示 4.0 国際",
                               "url": "https://creativecommons.org/licenses/by/4.0/deed.ja"}
    assert (meta["publisher"], meta["fiscal_year"], meta["dictionary"], meta["record_count"]) == (
        "山口市", 2025, DICTIONARY_URL, 8)
    assert meta["generated"] == timezone.localtime(data.last_modified).date().isoformat()  # Japan's date
    assert meta["title"] == "山口市 補助金・交付金の交付決定一覧（令和7年度）"
    records = document["records"]
    assert records == dataset.records(FY)
    assert records[0]["確定額"] is None and records[2]["交付決定額"] == 1_500_000
    as_text = [{k: "" if v is None else str(v) for k, v in r.items()} for r in records]
    assert as_text == _csv_rows(files.csv_utf8(data).decode("utf-8-sig"))


def test_a_character_shift_jis_cannot_hold_becomes_geta_in_that_file_only() -> None:
    city = builders.city()
    org = city.orgs["s2"]
    org.name = "𠮷田まちなみ保存の会😀"
    org.save()
    data = dataset.year_data(FY)
    sjis = _csv_rows(files.csv_sjis(data).decode("cp932"))
    utf8 = _csv_rows(files.csv_utf8(data).decode("utf-8-sig"))
    assert [r["交付先の名称"] for r in sjis if r["ID"] == "2025-shimin_katsudo-2"] == ["〓田まちなみ保存の会〓"]
    assert [r["交付先の名称"] for r in utf8 if r["ID"] == "2025-shimin_katsudo-2"] == ["𠮷田まちなみ保存の会😀"]
    assert json.loads(files.json_bytes(data, DICTIONARY_URL))["records"][6]["交付先の名称"] == "𠮷田まちなみ保存の会😀"


def test_jis_characters_unicode_spells_twice_keep_their_meaning_in_shift_jis() -> None:
    assert files.to_cp932("4月〜5月 −5 ‖ —").decode("cp932") == "4月～5月 －5 ∥ ―"
    assert files.to_cp932("髙橋 ①").decode("cp932") == "髙橋 ①"  # in cp932's extensions: kept


def test_a_name_that_starts_a_formula_is_quoted_in_the_csvs_and_exact_in_the_json() -> None:
    city = builders.city()
    org = city.orgs["s2"]
    org.name = '=HYPERLINK("http://example.invalid","x")'
    org.save()
    data = dataset.year_data(FY)
    for body, encoding in ((files.csv_utf8(data), "utf-8-sig"), (files.csv_sjis(data), "cp932")):
        names = [r["交付先の名称"] for r in _csv_rows(body.decode(encoding))]
        assert "'" + org.name in names and org.name not in names
    assert org.name in [r["交付先の名称"] for r in json.loads(files.json_bytes(data, DICTIONARY_URL))["records"]]


@pytest.mark.parametrize("mode", [PublicationMode.INDIVIDUAL, PublicationMode.AREA_TOTALS])
def test_no_person_bank_or_insurance_data_in_any_file(mode: str, policy: object) -> None:
    city = builders.city()
    from tests.insurance import builders as insurance

    head = city.user
    insurance.draft_report(head, city.orgs["j1"], persons={builders.INJURED: "injury"},
                           activity_name=builders.ACCIDENT)
    KindPolicy.objects.update(mode=mode)
    data = dataset.year_data(FY)
    texts = [files.csv_utf8(data).decode("utf-8-sig"), files.csv_sjis(data).decode("cp932"),
             files.json_bytes(data, DICTIONARY_URL).decode("utf-8"), files.dictionary_csv().decode("utf-8-sig")]
    for text in texts:
        for planted in builders.PLANTED:
            assert planted not in text
        assert "保険" not in text and "口座" not in text and "代表者" not in text


def test_the_dictionary_csv_lists_every_column_with_its_type_description_and_example() -> None:
    rows = _csv_rows(files.dictionary_csv().decode("utf-8-sig"))
    awards = [r for r in rows if r["データ"] == "補助金・交付金の交付決定一覧"]
    assert [r["項目名"] for r in awards] == [column.name for column in dataset.COLUMNS]
    assert list(rows[0]) == ["データ", "項番", "項目名", "型", "説明", "例"]
    assert rows[0] == {"データ": "補助金・交付金の交付決定一覧", "項番": "1", "項目名": "全国地方公共団体コード",
                       "型": "文字列", "説明": "総務省の全国地方公共団体コード（6桁、末尾は検査数字）。", "例": "352039"}
    assert all(r["型"] and r["説明"] and r["例"] for r in rows)


def test_the_associations_totals_name_no_association() -> None:
    builders.city()
    text = files.csv_utf8(dataset.year_data(FY)).decode("utf-8-sig")
    assert "自治会" in text  # the kind is there …
    assert "大殿第1自治会" not in text and "湯田第1自治会" not in text  # … never a name under the default
    KindPolicy.objects.filter(kind=OrganizationKind.JICHIKAI).update(mode=PublicationMode.INDIVIDUAL)
    assert "大殿第1自治会" in files.csv_utf8(dataset.year_data(FY)).decode("utf-8-sig")
