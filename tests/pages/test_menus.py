"""The menu lists what applies to the logged-in user: 地域づくり計画 for the city and for a 協議会's users, not for a
自治会長 (who found an empty list there in the walk-through)."""
import pytest
from django.urls import reverse

from tests import factories
from tests.cases.steps import login
from tests.councils import builders

pytestmark = pytest.mark.django_db

PLANS = f'<a href="{reverse("plan_list")}">地域づくり計画</a>'


def _menu(client, user) -> str:  # type: ignore[no-untyped-def]
    body = login(client, user).get(reverse("home")).content.decode()
    return body[body.index('<nav aria-label="主なメニュー">'):body.index("</nav>")]


def test_a_jichikai_head_is_not_offered_the_councils_plans(client, association_head) -> None:  # type: ignore[no-untyped-def]
    assert PLANS not in _menu(client, association_head)


def test_a_councils_user_and_the_city_are_offered_the_plans(client) -> None:  # type: ignore[no-untyped-def]
    _, secretary = builders.council()
    assert PLANS in _menu(client, secretary)
    for role in ("staff", "approver", "finance", "auditor"):
        assert PLANS in _menu(client, factories.UserFactory(username=f"city-{role}", role=role)), role
    assert PLANS not in _menu(client, factories.UserFactory(username="hoken", role="insurance"))
