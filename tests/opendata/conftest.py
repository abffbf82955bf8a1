import pytest


@pytest.fixture(autouse=True)
def _every_total_shows_its_amounts(settings):  # type: ignore[no-untyped-def]
    """The dataset's tests read totals of one or two associations (their sums, their rows): here every total shows
    its amounts. The minimum count (OPENDATA_MIN_AREA_COUNT, 3 by default) is tested in test_small_totals.py."""
    settings.OPENDATA_MIN_AREA_COUNT = 1
