"""Refusals and missing pages answer in Japanese, inside the site's layout, with a way back to ホーム."""
import pytest
from django.test import override_settings
from django.urls import reverse

from grants.accounts.models import Role
from tests import factories


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_missing_page_is_in_japanese(client) -> None:  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="tanto", role=Role.STAFF)
    client.force_login(user)
    response = client.get("/insurance/reports/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="ja">' in body and "ページが見つかりません" in body and reverse("home") in body
    assert "Not Found" not in body


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_refused_page_is_in_japanese(client) -> None:  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="tanto", role=Role.STAFF)
    client.force_login(user)
    response = client.get(reverse("insurance_reminders"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "この画面は利用できません" in body and "Forbidden" not in body


def test_the_server_error_page_stands_alone() -> None:
    """500.html is rendered without a request context: it extends nothing and needs no URL lookups."""
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "エラーが発生しました" in html and '<html lang="ja">' in html
