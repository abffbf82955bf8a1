import pytest

from tests.councils import builders


@pytest.fixture
def council(db):  # type: ignore[no-untyped-def]
    return builders.council()


@pytest.fixture
def katsudo(db):  # type: ignore[no-untyped-def]
    return builders.katsudo_year()


@pytest.fixture
def unei(db):  # type: ignore[no-untyped-def]
    return builders.unei_year()
