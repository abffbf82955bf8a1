"""The page header names who is logged in: their name and their role once (it read 「協働推進課 担当（デモ）（協働推進課
担当）」)."""
import re

import pytest
from django.urls import reverse

from grants.accounts.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _signed_in_as(client, user) -> str:  # type: ignore[no-untyped-def]
    client.force_login(user)
    body = client.get(reverse("home")).content.decode()
    found = re.search(r'<span class="signed-in-as">(.*?)</span>', body)
    assert found, "the header names no user"
    return found.group(1)


def test_a_name_that_already_says_the_role_is_not_followed_by_it_again(client) -> None:  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="tanto", role=Role.STAFF, display_name="協働推進課 担当（デモ）")
    shown = _signed_in_as(client, user)
    assert shown == "協働推進課 担当（デモ）"
    assert shown.count("担当") == 1


def test_a_person_s_name_is_followed_by_the_role_once(client) -> None:  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="kessai", role=Role.APPROVER, display_name="山田 花子")
    assert _signed_in_as(client, user) == "山田 花子（決裁者）"


def test_an_applicant_s_role_is_named_without_its_explanation(client) -> None:  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="kaicho", role=Role.ASSOCIATION_HEAD, display_name="自治会長（デモ）")
    shown = _signed_in_as(client, user)
    assert shown == "自治会長（デモ）（団体の利用者）"
    assert "（代表者・会計・担当者）" not in shown
