"""The API's tests: a token per user, calls with and without it, and a fresh rate count for each test."""
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from grants.accounts.models import Role, User
from grants.accounts.tokens import issue_token
from tests import factories


@pytest.fixture
def key_for(db) -> Callable[[User], str]:  # type: ignore[no-untyped-def]
    """A new working token's key for a user."""
    def key(user: User) -> str:
        return issue_token(user=user, name=f"{user.username} のテスト")[1]

    return key


@pytest.fixture
def call(client: Client) -> Callable[..., Any]:
    """``call(url, key=None, method="get", **params)``: the API's response, with ``Authorization: Bearer <key>``
    when a key is given."""
    def request(url: str, key: str | None = None, method: str = "get", **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return getattr(client, method)(url, params if method == "get" else None, headers=headers)

    return request


@pytest.fixture
def panel(db) -> User:  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="shinsa", role=Role.PANEL)


@pytest.fixture
def evaluator(db) -> User:  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="hyoka", role=Role.EVALUATOR)
