from tests.cases.conftest import case, other_case, ready_association  # noqa: F401
