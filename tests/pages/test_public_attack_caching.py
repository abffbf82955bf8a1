"""What a shared cache may keep: an answer marked Cache-Control: public must set no cookie, must not hold the
visitor's data and must vary on what it depends on."""
import pytest
from django.test import Client

from tests import factories
from tests.opendata import builders
from tests.opendata.builders import FY

pytestmark = pytest.mark.django_db

URLS = ["/opendata/", "/opendata/dictionary/", "/programmes/", f"/opendata/{FY}/awards.csv",
        f"/opendata/{FY}/awards.json", "/api/v1/public/catalogue", "/api/v1/public/opendata/years",
        f"/api/v1/public/opendata/{FY}/awards", "/opendata/dictionary.csv"]


@pytest.mark.parametrize("url", URLS)
def test_attack_public_answers_set_no_cookie_and_hold_nothing_of_a_logged_in_user(url) -> None:  # type: ignore[no-untyped-def]
    builders.city()
    anonymous = Client().get(url)
    assert anonymous.status_code == 200, url
    if "public" in anonymous.get("Cache-Control", ""):
        assert not anonymous.cookies, (url, anonymous.cookies)
    user = factories.UserFactory(username="cache-staff", role="staff", display_name="職員 秘密太郎")
    client = Client()
    client.force_login(user)
    logged = client.get(url)
    body = logged.content.decode("utf-8", "replace")
    if "public" in logged.get("Cache-Control", ""):
        assert "秘密太郎" not in body and "cache-staff" not in body, url
        assert not logged.cookies, (url, logged.cookies)
    else:
        assert "private" in logged.get("Cache-Control", "") or "no-store" in logged.get("Cache-Control", ""), url


@pytest.mark.parametrize("inm,ims", [
    ("*", ""), ('W/"x"', ""), ('"' + "a" * 5000 + '"', ""), ("garbage, ,,,", ""), ("", "garbage"),
    ("", "Sat, 01 Jan 99999 00:00:00 GMT"), ("", "Thu, 01 Jan 1970 00:00:00 GMT"), ("\x00", "\x00"),
    ("", "Mon, 32 Jan 2026 00:00:00 GMT"), ("", "-1"),
])
@pytest.mark.parametrize("url", URLS)
def test_attack_weird_conditional_headers_never_500(url, inm, ims) -> None:  # type: ignore[no-untyped-def]
    builders.city()
    headers = {}
    if inm:
        headers["If-None-Match"] = inm
    if ims:
        headers["If-Modified-Since"] = ims
    response = Client().get(url, headers=headers)
    assert response.status_code in (200, 304), (url, response.status_code)
