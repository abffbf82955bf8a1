"""load_reference_data: the 21 地域 and the city figures from shared/data/."""
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from grants.organizations.models import Area, CityFigure

pytestmark = pytest.mark.django_db


def _copy_data(tmp_path: Path) -> Path:
    for name in ("yamaguchi_areas.csv", "yamaguchi_city_totals.csv"):
        shutil.copy(Path(settings.SHARED_DATA_DIR) / name, tmp_path / name)
    return tmp_path


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_loads_the_21_areas_and_10_city_figures(capsys: pytest.CaptureFixture[str]) -> None:
    # Given an empty database
    # When the reference data is loaded from shared/data/
    call_command("load_reference_data")

    # Then the 21 地域 and 10 figures are there, with their dates and sources
    assert "地域 21件、市の統計値 10件を読み込みました。" in capsys.readouterr().out
    assert Area.objects.count() == 21
    assert CityFigure.objects.count() == 10
    ootoshi = Area.objects.get(name="大歳")
    assert ootoshi.code == "10"
    assert ootoshi.kana == "おおとし"
    assert ootoshi.centre_name == "大歳地域交流センター"
    assert ootoshi.former_municipality == "山口市"
    assert ootoshi.named_in_public_source is True
    assert ootoshi.population == 13274
    assert ootoshi.households == 6117
    assert ootoshi.figures_as_of == "2015-06-01"
    assert ootoshi.figures_source == "area centre publication"
    shiraishi = Area.objects.get(code="02")
    assert (shiraishi.name, shiraishi.named_in_public_source) == ("白石", False)
    assert (shiraishi.population, shiraishi.households, shiraishi.figures_as_of) == (None, None, "")
    assert Area.objects.get(code="17").former_municipality == "小郡町"
    assert Area.objects.filter(named_in_public_source=True).count() == 9
    households = CityFigure.objects.get(item="households")
    assert (households.value, households.as_of) == (Decimal("88799"), "2023-07-01")
    assert CityFigure.objects.get(item="association_membership_rate").value == Decimal("0.80")
    assert CityFigure.objects.get(item="area_km2").value == Decimal("1023.23")
    assert CityFigure.objects.get(item="neighbourhood_associations").value == Decimal("770")


def test_running_twice_keeps_one_row_each() -> None:
    # Given the reference data already loaded
    call_command("load_reference_data")

    # When it is loaded again
    call_command("load_reference_data")

    # Then nothing is duplicated
    assert Area.objects.count() == 21
    assert CityFigure.objects.count() == 10


def test_updates_rows_in_place_from_another_folder(tmp_path: Path) -> None:
    # Given the data loaded, then a corrected copy of the files in another folder
    call_command("load_reference_data")
    area_pk = Area.objects.get(code="10").pk
    data_dir = _copy_data(tmp_path)
    _replace_in(data_dir / "yamaguchi_areas.csv", "yes,13274,6117,", "yes,13300,6200,")

    # When loaded with --data-dir
    call_command("load_reference_data", data_dir=str(data_dir))

    # Then the same row carries the new figures
    ootoshi = Area.objects.get(code="10")
    assert (ootoshi.pk, ootoshi.population, ootoshi.households) == (area_pk, 13300, 6200)
    assert Area.objects.count() == 21


def test_non_numeric_population_names_file_row_and_column(tmp_path: Path) -> None:
    # Given an areas file whose 大歳 population (line 11, header = line 1) is not a number
    data_dir = _copy_data(tmp_path)
    _replace_in(data_dir / "yamaguchi_areas.csv", ",13274,", ",約13千,")

    # When it is loaded
    with pytest.raises(CommandError) as excinfo:
        call_command("load_reference_data", "--data-dir", str(data_dir))

    # Then the error names the file, the row and the column, and nothing is written
    assert str(excinfo.value) == (
        "yamaguchi_areas.csv の 11行目、列「population」: 0以上の整数ではありません（値: 「約13千」）"
    )
    assert Area.objects.count() == 0
    assert CityFigure.objects.count() == 0


def test_bad_second_file_writes_nothing_from_the_first(tmp_path: Path) -> None:
    # Given a valid areas file but a city-totals file with a non-numeric value (line 3: households)
    data_dir = _copy_data(tmp_path)
    _replace_in(data_dir / "yamaguchi_city_totals.csv", "households,88799,", "households,八万,")

    # When it is loaded
    with pytest.raises(CommandError) as excinfo:
        call_command("load_reference_data", data_dir=str(data_dir))

    # Then the error names the file, row and column, and not even the (valid) areas are written
    assert str(excinfo.value) == (
        "yamaguchi_city_totals.csv の 3行目、列「value」: 数値ではありません（値: 「八万」）"
    )
    assert Area.objects.count() == 0
    assert CityFigure.objects.count() == 0


def test_bad_yes_no_value_keeps_previous_data(tmp_path: Path) -> None:
    # Given the data loaded, then a copy where 白石's yes/no column holds "maybe" and 大殿 was renamed
    call_command("load_reference_data")
    data_dir = _copy_data(tmp_path)
    _replace_in(data_dir / "yamaguchi_areas.csv", "01,大殿,", "01,大殿X,")
    _replace_in(data_dir / "yamaguchi_areas.csv", "センター,山口市,no,,", "センター,山口市,maybe,,")

    # When it is loaded
    with pytest.raises(CommandError) as excinfo:
        call_command("load_reference_data", data_dir=str(data_dir))

    # Then the error names line 3, column named_in_public_source, and the earlier rename is not kept
    assert "yamaguchi_areas.csv の 3行目、列「named_in_public_source」" in str(excinfo.value)
    assert Area.objects.get(code="01").name == "大殿"


def test_missing_file_and_missing_column(tmp_path: Path) -> None:
    # Given a folder without the areas file
    # When loaded, then the file is named
    with pytest.raises(CommandError, match="yamaguchi_areas.csv が見つかりません"):
        call_command("load_reference_data", data_dir=str(tmp_path))

    # Given a city-totals file without its "source" column
    data_dir = _copy_data(tmp_path)
    totals = data_dir / "yamaguchi_city_totals.csv"
    totals.write_text(
        "\n".join(line.rsplit(",", 1)[0] for line in totals.read_text(encoding="utf-8").splitlines()),
        encoding="utf-8",
    )
    # When loaded, then the header row and the column are named
    with pytest.raises(CommandError) as excinfo:
        call_command("load_reference_data", data_dir=str(data_dir))
    assert str(excinfo.value) == "yamaguchi_city_totals.csv の 1行目（見出し）に列「source」がありません。"
    assert Area.objects.count() == 0
