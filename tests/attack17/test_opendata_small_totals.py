"""自治会 are published only as totals per 地域 "so that a small 自治会's household count is not known"
(DEFAULT_REASONS). A total of ONE award is that 自治会's own amount: with the formula the catalogue publishes
(基本額 + 世帯数に応じた額), its household count follows. No small-cell rule (e.g. fewer than 3 awards → merged or
left out) exists; the open-data tests even expect 「湯田 1件 90000」."""
import pytest

from grants.opendata import dataset
from tests.opendata import builders
from tests.opendata.builders import FY

pytestmark = pytest.mark.django_db

MIN_CELL = 3


def test_attack_an_area_total_of_a_single_association_is_published() -> None:
    builders.city()
    small = [(row.id, row.area_name, row.award_count, row.decided_amount)
             for row in dataset.year_data(FY).rows
             if row.unit == dataset.AREA_TOTAL_UNIT and row.award_count < MIN_CELL]
    assert not small, f"totals per 地域 of fewer than {MIN_CELL} 自治会 (each one's own amount): {small}"
