from tests.api.conftest import _fresh_rate_counts, call, evaluator, key_for, panel  # noqa: F401
