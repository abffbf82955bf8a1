"""The open-data pages and files, for anyone without logging in: what they answer, their caching, the 304 of a
conditional GET, no cookie and no session read, a year not published (404), and nothing personal anywhere."""
import csv
import io
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.opendata.models import KindPolicy, PublicationMode
from tests import factories
from tests.opendata import builders
from tests.opendata.builders import FY, PREV

pytestmark = pytest.mark.django_db

FILES = ("opendata_awards_csv", "opendata_awards_sjis_csv", "opendata_awards_json")


def _url(name: str, year: int = FY) -> str:
    return reverse(name, args=[year])


def test_the_page_lists_the_published_years_with_three_files_each_and_the_licence(client: Client) -> None:
    builders.city()
    response = client.get(reverse("opendata_index"))
    html = response.content.decode()
    assert response.status_code == 200
    for year in (FY, PREV):
        for name in FILES:
            assert f'href="{_url(name, year)}"' in html
    assert "令和7年度" in html and "令和6年度" in html
    assert "クリエイティブ・コモンズ 表示 4.0 国際" in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/deed.ja"' in html
    assert "出典：山口市「補助金・交付金の交付決定一覧」" in html
    assert f'href="{reverse("opendata_dictionary")}"' in html
    assert "地域ごとの合計のみ" in html and "会長の世帯が特定される" in html  # the 自治会 policy and its reason


def test_the_page_says_so_when_nothing_is_published(client: Client) -> None:
    response = client.get(reverse("opendata_index"))
    assert 'id="no-years"' in response.content.decode()


@pytest.mark.parametrize(("name", "content_type", "filename"), [
    ("opendata_awards_csv", "text/csv; charset=utf-8", "352039_subsidy_awards_2025.csv"),
    ("opendata_awards_sjis_csv", "text/csv; charset=Shift_JIS", "352039_subsidy_awards_2025_sjis.csv"),
    ("opendata_awards_json", "application/json", "352039_subsidy_awards_2025.json"),
])
def test_each_file_downloads_with_its_type_and_name(client: Client, name: str, content_type: str,
                                                    filename: str) -> None:
    builders.city()
    response = client.get(_url(name))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["Content-Length"] == str(len(response.content))


def test_the_files_parse_and_hold_the_same_rows(client: Client) -> None:
    builders.city()
    utf8 = list(csv.DictReader(io.StringIO(client.get(_url(FILES[0])).content.decode("utf-8-sig"))))
    sjis = list(csv.DictReader(io.StringIO(client.get(_url(FILES[1])).content.decode("cp932"))))
    records = json.loads(client.get(_url(FILES[2])).content)["records"]
    assert utf8 == sjis
    assert [r["ID"] for r in utf8] == [r["ID"] for r in records]
    assert len(utf8) == 8
    document = json.loads(client.get(_url(FILES[2])).content)
    assert document["metadata"]["dictionary"] == "http://testserver/opendata/dictionary/"


@pytest.mark.parametrize("name", FILES)
def test_a_year_not_published_is_404(client: Client, name: str) -> None:
    builders.city()
    assert client.get(_url(name, 2019)).status_code == 404
    KindPolicy.objects.update(mode=PublicationMode.NONE)
    assert client.get(_url(name, FY)).status_code == 404


@pytest.mark.parametrize("name", FILES)
def test_a_file_is_public_cacheable_and_answers_304_to_a_conditional_get(client: Client, name: str) -> None:
    builders.city()
    first = client.get(_url(name))
    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
    assert first["Last-Modified"] and first["ETag"]
    by_tag = client.get(_url(name), HTTP_IF_NONE_MATCH=first["ETag"])
    assert by_tag.status_code == 304 and by_tag.content == b""
    assert by_tag["ETag"] == first["ETag"] and by_tag["Last-Modified"] == first["Last-Modified"]
    # the date alone never revalidates: it cannot see every change of the file (tests/pages/test_opendata_attacks.py)
    assert client.get(_url(name), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200
    assert client.get(_url(name), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_change_of_policy_is_a_new_version_of_the_file(client: Client) -> None:
    builders.city()
    first = client.get(_url(FILES[0]))
    policy = KindPolicy.objects.get(kind="jichikai")
    policy.mode = PublicationMode.INDIVIDUAL
    policy.save()
    again = client.get(_url(FILES[0]), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and "大殿第1自治会" in again.content.decode("utf-8-sig")


@pytest.mark.parametrize("name", [*FILES, "opendata_dictionary_csv"])
def test_a_file_sets_no_cookie_and_reads_no_session_even_with_a_session_cookie(client: Client, name: str) -> None:
    builders.city()
    client.force_login(factories.UserFactory(username="logged-in-staff"))
    url = _url(name) if name != "opendata_dictionary_csv" else reverse(name)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    tables = " ".join(query["sql"] for query in queries)
    assert "django_session" not in tables and "accounts_user" not in tables
    assert response["X-Frame-Options"] == "DENY"


def test_each_file_takes_the_same_number_of_queries_whatever_the_number_of_awards(client: Client) -> None:
    city = builders.city()
    counts = []
    for extra in (0, 15):
        for n in range(extra):
            org = builders.organization("shimin_dantai", f"Q-{n}", f"会{n}", city.ohdono)
            builders.case(org, city.py["shimin_katsudo"], "decided", decided=1_000 + n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(FILES[0])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6


def test_the_dictionary_page_and_csv(client: Client) -> None:
    page = client.get(reverse("opendata_dictionary"))
    html = page.content.decode()
    assert page.status_code == 200 and "全国地方公共団体コード" in html and "交付決定額" in html
    assert "public" in page["Cache-Control"]
    csv_file = client.get(reverse("opendata_dictionary_csv"))
    assert csv_file["Content-Disposition"] == 'attachment; filename="352039_subsidy_awards_dictionary.csv"'
    assert csv_file.content.decode("utf-8-sig").startswith("データ,項番,項目名,型,説明,例\r\n")


def test_a_logged_in_users_page_is_private(client: Client) -> None:
    client.force_login(factories.UserFactory(username="staff-reader"))
    response = client.get(reverse("opendata_index"))
    assert response.status_code == 200 and "private" in response["Cache-Control"]


def test_the_page_answers_304_to_its_etag(client: Client) -> None:
    builders.city()
    first = client.get(reverse("opendata_index"))
    assert client.get(reverse("opendata_index"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize("name", [*FILES])
def test_a_post_is_refused_and_changes_nothing(client: Client, name: str) -> None:
    builders.city()
    before = list(KindPolicy.objects.values_list("kind", "mode", "updated_at"))
    assert client.post(_url(name)).status_code == 405
    assert list(KindPolicy.objects.values_list("kind", "mode", "updated_at")) == before


@pytest.mark.parametrize("year", ["0", "99999", "2025x", "-1"])
def test_forged_years_are_404(client: Client, year: str) -> None:
    builders.city()
    assert client.get(f"/opendata/{year}/awards.csv").status_code == 404


def test_no_personal_bank_or_insurance_data_on_the_pages(client: Client) -> None:
    builders.city()
    KindPolicy.objects.update(mode=PublicationMode.INDIVIDUAL)
    texts = [client.get(reverse("opendata_index")).content.decode(),
             client.get(reverse("opendata_dictionary")).content.decode()]
    texts += [client.get(_url(FILES[0])).content.decode("utf-8-sig"),
              client.get(_url(FILES[2])).content.decode()]
    for text in texts:
        for planted in builders.PLANTED:
            assert planted not in text


EVALUATION_FILES = ("opendata_evaluations_csv", "opendata_evaluations_sjis_csv", "opendata_evaluations_json")


def test_the_page_offers_the_evaluations_only_for_a_year_that_has_them(client: Client) -> None:
    city = builders.city()
    html = client.get(reverse("opendata_index")).content.decode()
    assert "opendata/2025/evaluations" not in html
    builders.evaluated(city)
    html = client.get(reverse("opendata_index")).content.decode()
    for name in EVALUATION_FILES:
        assert f'href="{_url(name, FY)}"' in html
        assert f'href="{_url(name, PREV)}"' not in html


@pytest.mark.parametrize(("name", "content_type", "filename"), [
    ("opendata_evaluations_csv", "text/csv; charset=utf-8", "352039_subsidy_evaluations_2025.csv"),
    ("opendata_evaluations_sjis_csv", "text/csv; charset=Shift_JIS", "352039_subsidy_evaluations_2025_sjis.csv"),
    ("opendata_evaluations_json", "application/json", "352039_subsidy_evaluations_2025.json"),
])
def test_each_evaluation_file_downloads_cacheable_with_304_and_no_session(client: Client, name: str,
                                                                         content_type: str, filename: str) -> None:
    builders.evaluated(builders.city())
    client.force_login(factories.UserFactory(username="reader"))
    with CaptureQueriesContext(connection) as queries:
        first = client.get(_url(name))
    assert (first.status_code, first["Content-Type"]) == (200, content_type)
    assert first["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "public" in first["Cache-Control"] and not first.cookies
    assert "django_session" not in " ".join(q["sql"] for q in queries)
    assert client.get(_url(name), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(_url(name), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200


@pytest.mark.parametrize("name", EVALUATION_FILES)
def test_a_year_without_published_evaluations_is_404(client: Client, name: str) -> None:
    builders.evaluated(builders.city())
    assert client.get(_url(name, PREV)).status_code == 404
    assert client.get(_url(name, 2019)).status_code == 404


def test_the_evaluation_files_name_no_evaluator(client: Client) -> None:
    builders.evaluated(builders.city())
    for name in EVALUATION_FILES:
        body = client.get(_url(name)).content
        text = body.decode("cp932") if "sjis" in name else body.decode("utf-8-sig")
        assert builders.EVALUATOR_NAME not in text and builders.HIDDEN_COMMENT not in text
        assert "大殿まちなみ保存の会" in text
