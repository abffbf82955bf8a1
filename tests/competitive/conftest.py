"""The cast of the competitive programme's tests (tests/competitive/builders.py)."""
import pytest

from tests.competitive import builders


@pytest.fixture
def shimin_year(db):  # type: ignore[no-untyped-def]
    return builders.programme_year()


@pytest.fixture
def open_call(shimin_year, staff):  # type: ignore[no-untyped-def]
    return builders.call(shimin_year, staff)


@pytest.fixture
def npo(staff):  # type: ignore[no-untyped-def]
    """(organisation, representative user) of a confirmed group."""
    return builders.group(confirmed_by=staff)


@pytest.fixture
def npo_b(staff):  # type: ignore[no-untyped-def]
    return builders.group("circle-head", "大歳まちなか音楽サークル", confirmed_by=staff)


@pytest.fixture
def judge(open_call, staff):  # type: ignore[no-untyped-def]
    return builders.panel_member(open_call, "judge1", staff)


@pytest.fixture
def judge2(open_call, staff):  # type: ignore[no-untyped-def]
    return builders.panel_member(open_call, "judge2", staff)
