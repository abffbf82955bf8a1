"""Load the public reference data (the 21 地域 and the city-wide figures) from shared/data/.

Safe to re-run: rows are matched on their key (Area.code, CityFigure.item) and updated in place. Both files
are read and checked first and written in one transaction, so a bad file changes nothing.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from grants.core.models import concrete_field
from grants.organizations.models import Area, CityFigure

AREAS_FILE = "yamaguchi_areas.csv"
FIGURES_FILE = "yamaguchi_city_totals.csv"

AREA_COLUMNS = (
    "code", "name", "kana", "centre_name", "former_municipality", "named_in_public_source",
    "population", "households", "as_of", "source",
)
FIGURE_COLUMNS = ("item", "value", "as_of", "source")

#: CSV column → Area field, for the columns stored as text.
AREA_TEXT_FIELDS = {
    "code": "code",
    "name": "name",
    "kana": "kana",
    "centre_name": "centre_name",
    "former_municipality": "former_municipality",
    "as_of": "figures_as_of",
    "source": "figures_source",
}
AREA_REQUIRED = ("code", "name", "kana", "centre_name")
FIGURE_REQUIRED = ("item", "value", "source")
BOOLEANS = {"yes": True, "no": False}


@dataclass(frozen=True)
class Cell:
    """One cell of a CSV file, for error messages: file name, line number (header = 1), column."""

    file: str
    line: int
    column: str
    value: str

    def error(self, problem: str) -> CommandError:
        return CommandError(
            f"{self.file} の {self.line}行目、列「{self.column}」: {problem}（値: 「{self.value}」）"
        )


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) of a UTF-8 CSV file whose header holds ``columns``."""
    if not path.is_file():
        raise CommandError(f"{path.name} が見つかりません（{path}）。")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                names = "」「".join(missing)
                raise CommandError(f"{path.name} の 1行目（見出し）に列「{names}」がありません。")
            for row in reader:
                if None in row:
                    raise CommandError(
                        f"{path.name} の {reader.line_num}行目: 列の数が見出しより多くなっています。"
                    )
                if all(not (v or "").strip() for v in row.values()):
                    continue  # a blank line
                if any(row[c] is None for c in columns):
                    raise CommandError(
                        f"{path.name} の {reader.line_num}行目: 列の数が見出しより少なくなっています。"
                    )
                yield reader.line_num, {c: row[c].strip() for c in columns}
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path.name} を UTF-8 として読めません（{exc.start}バイト目付近）。") from exc
    except csv.Error as exc:
        raise CommandError(f"{path.name} の CSV 形式が正しくありません: {exc}") from exc


def _text(cell: Cell, field: models.Field[Any, Any], *, required: bool) -> str:
    if required and not cell.value:
        raise cell.error("値が空です")
    if field.max_length is not None and len(cell.value) > field.max_length:
        raise cell.error(f"{field.max_length}文字以内にしてください")
    return cell.value


def _whole_number(cell: Cell) -> int | None:
    """Blank → None; otherwise a non-negative whole number (thousands separators allowed)."""
    if not cell.value:
        return None
    digits = cell.value.replace(",", "")
    if not digits.isascii() or not digits.isdigit():
        raise cell.error("0以上の整数ではありません")
    return int(digits)


def _boolean(cell: Cell) -> bool:
    if cell.value.lower() not in BOOLEANS:
        raise cell.error("yes か no を指定してください")
    return BOOLEANS[cell.value.lower()]


def _decimal(cell: Cell, field: models.DecimalField[Any, Any]) -> Decimal:
    if not cell.value:
        raise cell.error("値が空です")
    try:
        value = Decimal(cell.value.replace(",", ""))
    except InvalidOperation:
        raise cell.error("数値ではありません") from None
    if not value.is_finite():
        raise cell.error("数値ではありません")
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    decimals = max(-exponent, 0)
    whole_digits = max(len(digits) + exponent, 0)
    if decimals > field.decimal_places or whole_digits > field.max_digits - field.decimal_places:
        whole_max = field.max_digits - field.decimal_places
        raise cell.error(f"整数部{whole_max}桁、小数部{field.decimal_places}桁以内にしてください")
    return value


def _parse(
    path: Path, columns: tuple[str, ...], key: str, convert: Callable[[Callable[[str], Cell]], dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """Read ``path`` into (key value, field values) pairs; duplicated keys are an error."""
    parsed: list[tuple[str, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for line, row in _rows(path, columns):
        def cell(column: str, line: int = line, row: dict[str, str] = row) -> Cell:
            return Cell(path.name, line, column, row[column])

        values = convert(cell)
        key_value = values.pop(key)
        if key_value in seen:
            raise cell(key).error(f"{seen[key_value]}行目と重複しています")
        seen[key_value] = line
        parsed.append((key_value, values))
    return parsed


def _area_values(cell: Callable[[str], Cell]) -> dict[str, Any]:
    values: dict[str, Any] = {
        field: _text(cell(column), concrete_field(Area, field), required=column in AREA_REQUIRED)
        for column, field in AREA_TEXT_FIELDS.items()
    }
    values["named_in_public_source"] = _boolean(cell("named_in_public_source"))
    values["population"] = _whole_number(cell("population"))
    values["households"] = _whole_number(cell("households"))
    return values


def _figure_values(cell: Callable[[str], Cell]) -> dict[str, Any]:
    values_field = CityFigure._meta.get_field("value")
    assert isinstance(values_field, models.DecimalField)
    return {
        "item": _text(cell("item"), CityFigure._meta.get_field("item"), required=True),
        "value": _decimal(cell("value"), values_field),
        "as_of": _text(cell("as_of"), CityFigure._meta.get_field("as_of"), required=False),
        "source": _text(cell("source"), CityFigure._meta.get_field("source"), required=True),
    }


class Command(BaseCommand):
    help = "地域（21地域）と市の統計値を shared/data/ の CSV から読み込みます（再実行しても安全です）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help=(
                f"CSV のあるフォルダ（既定: settings.SHARED_DATA_DIR）。"
                f"{AREAS_FILE} と {FIGURES_FILE} を読みます。"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(options["data_dir"] or settings.SHARED_DATA_DIR)
        areas = _parse(data_dir / AREAS_FILE, AREA_COLUMNS, "code", _area_values)
        figures = _parse(data_dir / FIGURES_FILE, FIGURE_COLUMNS, "item", _figure_values)
        if not areas:
            raise CommandError(f"{AREAS_FILE} にデータ行がありません。")
        if not figures:
            raise CommandError(f"{FIGURES_FILE} にデータ行がありません。")
        with transaction.atomic():
            for code, values in areas:
                Area.objects.update_or_create(code=code, defaults=values)
            for item, values in figures:
                CityFigure.objects.update_or_create(item=item, defaults=values)
        self.stdout.write(
            self.style.SUCCESS(f"地域 {len(areas)}件、市の統計値 {len(figures)}件を読み込みました。")
        )
