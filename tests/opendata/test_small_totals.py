"""自治会 are published only as totals per 地域 so that a small association's household count is not known; a total
of one or two awards would give each one's amount back (and, with the formula the catalogue publishes, its household
count). A total of fewer than OPENDATA_MIN_AREA_COUNT awards shows its count only."""
import pytest

from grants.opendata import dataset
from tests.opendata import builders
from tests.opendata.builders import FY

pytestmark = pytest.mark.django_db


def test_attack_an_area_total_of_fewer_awards_than_the_minimum_shows_no_amount(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OPENDATA_MIN_AREA_COUNT = 3
    builders.city()
    totals = [row for row in dataset.year_data(FY).rows if row.unit == dataset.AREA_TOTAL_UNIT]
    small = [row for row in totals if row.award_count < 3]
    assert small, "the city of the builders has a 地域 with one or two associations"
    assert [(row.decided_amount, row.confirmed_amount, row.status) for row in small] == \
        [(None, None, dataset.SUPPRESSED_LABEL)] * len(small)


def test_a_total_at_the_minimum_shows_its_sums(settings) -> None:  # type: ignore[no-untyped-def]
    builders.city()
    settings.OPENDATA_MIN_AREA_COUNT = 1
    shown = {row.id: row for row in dataset.year_data(FY).rows if row.unit == dataset.AREA_TOTAL_UNIT}
    settings.OPENDATA_MIN_AREA_COUNT = min(row.award_count for row in shown.values())
    at_minimum = [row for row in dataset.year_data(FY).rows if row.unit == dataset.AREA_TOTAL_UNIT
                  and row.award_count == settings.OPENDATA_MIN_AREA_COUNT]
    assert at_minimum and all(row.decided_amount == shown[row.id].decided_amount and row.status == ""
                              for row in at_minimum)
