"""A sessionless URL that answers 404 renders the site's 404 page (context processors, base.html) without a
session or messages: never a 500, for a visitor or a logged-in user, by GET or HEAD."""
import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/programmes/city/999/", "/programmes/other/999/", "/opendata/1999/awards.csv",
                                 "/opendata/1999/evaluations.json"])
@pytest.mark.parametrize("role", [None, "staff", "association_head", "evaluator"])
def test_attack_sessionless_404_never_500(url, role) -> None:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    if role:
        client.force_login(factories.UserFactory(username=f"u-{role}", role=role))
    for method in ("get", "head"):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (url, role, method, response.status_code)
        assert not response.cookies, (url, role, response.cookies)
