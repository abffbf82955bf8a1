"""The public catalogue's pages (/programmes/): no login, only what is published, the search, the wording of the
rule, and cache-friendly answers (public Cache-Control, an ETag answered 304, no cookie, no Vary: Cookie, a
constant number of queries), the same page for a logged-in visitor."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.programmes.models import AmountBasis
from grants.publication.models import ApplicantKind, Topic
from tests import factories
from tests.competitive import builders as competitive
from tests.publication import builders

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LIST = "/programmes/"


@pytest.fixture(autouse=True)
def _two_factor_on(settings):  # type: ignore[no-untyped-def]
    """As in production: the two-factor gate reads the user (and so the session) of every request it sees."""
    settings.REQUIRE_TWO_FACTOR = True


@pytest.fixture
def shown(db):  # type: ignore[no-untyped-def]
    """A published cost guide (⅔, cap 300,000), a hidden one, a published and a hidden other programme."""
    py = factories.rule(code="katsudo", cap=300_000)
    py.components.all().delete()
    py.amount_basis, py.rate_numerator, py.rate_denominator = AmountBasis.COST, 2, 3
    py.save()
    py.programme.name = "地域活動応援補助金"
    py.programme.save()
    guide = builders.guide(py.programme, kinds=(ApplicantKind.JICHIKAI,), topics=("防災・防犯",),
                           contact_phone="083-934-2937")
    hidden = builders.guide(factories.programme("secret"), published=False, summary="非公開の制度の概要")
    other = builders.other("こども未来助成（架空）", kinds=(ApplicantKind.NPO,), topics=("子育て",),
                           opens_on=TODAY - dt.timedelta(days=1), closes_on=TODAY + dt.timedelta(days=9))
    hidden_other = builders.other("非公開の助成", published=False)
    return {"py": py, "guide": guide, "hidden": hidden, "other": other, "hidden_other": hidden_other}


def test_anonymous_visitor_sees_only_published_entries(client, shown):  # type: ignore[no-untyped-def]
    body = client.get(LIST).content.decode()
    assert "地域活動応援補助金" in body and "こども未来助成（架空）" in body
    assert "自治会等自治振興交付金" not in body and "非公開" not in body
    assert "対象経費の3分の2以内（上限30万円）" in body


def test_unpublished_guides_and_programmes_answer_404(client, shown):  # type: ignore[no-untyped-def]
    assert client.get(reverse("catalogue_city", args=[shown["hidden"].pk])).status_code == 404
    assert client.get(reverse("catalogue_other", args=[shown["hidden_other"].pk])).status_code == 404
    # a guide's id under the other kind's address (and the reverse) is not found either
    assert client.get(reverse("catalogue_other", args=[shown["guide"].pk + 10_000])).status_code == 404


def test_city_detail_says_amount_window_documents_and_contact(client, shown):  # type: ignore[no-untyped-def]
    response = client.get(reverse("catalogue_city", args=[shown["guide"].pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<dd id="amount">対象経費の3分の2以内（上限30万円）</dd>' in body
    assert "補助対象経費の2/3を補助します。" in body  # the rule's sentences (grants.programmes.describe)
    assert "<li>申請書</li>" in body and "083-934-2937" in body and "協働推進課" in body
    assert "受付中" in body


def test_rule_change_changes_the_page(client, shown):  # type: ignore[no-untyped-def]
    url = reverse("catalogue_city", args=[shown["guide"].pk])
    first = client.get(url)
    py = shown["py"]
    py.rate_numerator, py.rate_denominator, py.cap_amount = 1, 2, 500_000
    py.save()
    second = client.get(url, HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert second.status_code == 200
    assert "対象経費の2分の1以内（上限50万円）" in second.content.decode()


def test_other_detail_links_out_as_an_external_site(client, shown):  # type: ignore[no-untyped-def]
    body = client.get(reverse("catalogue_other", args=[shown["other"].pk])).content.decode()
    assert '<a href="https://example.org/josei" rel="noopener noreferrer external" target="_blank">' in body
    assert "外部サイト" in body and "やまぐち未来財団（架空）" in body and "1団体50万円まで" in body


def test_search_by_kind_topic_keyword_and_open_only(client, shown):  # type: ignore[no-untyped-def]
    topic = Topic.objects.get(name="子育て")
    by_kind = client.get(LIST, {"applicant_kind": ApplicantKind.JICHIKAI}).content.decode()
    assert "地域活動応援補助金" in by_kind and "こども未来助成" not in by_kind
    by_topic = client.get(LIST, {"topic": topic.pk}).content.decode()
    assert "こども未来助成" in by_topic and "地域活動応援補助金" not in by_topic
    by_word = client.get(LIST, {"keyword": "未来"}).content.decode()
    assert "こども未来助成" in by_word and "地域活動応援補助金" not in by_word
    py = shown["py"]
    py.application_opens, py.application_closes = TODAY + dt.timedelta(days=5), TODAY + dt.timedelta(days=30)
    py.save()
    open_only = client.get(LIST, {"open_only": "on"}).content.decode()
    assert "こども未来助成" in open_only and "地域活動応援補助金" not in open_only
    assert "条件に合う制度は1件です。" in open_only


def test_forged_search_values_are_refused_on_their_field_and_the_rest_still_searches(client, shown):  # type: ignore[no-untyped-def]
    response = client.get(LIST, {"applicant_kind": "superuser", "topic": "999999", "keyword": "未来"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "団体の種類: " in body and "活動の分野: " in body  # each field says what is wrong with it
    assert "こども未来助成" in body and "地域活動応援補助金" not in body
    assert client.get(LIST, {"topic": "<script>"}).status_code == 200


def test_the_search_keeps_what_was_typed(client, shown):  # type: ignore[no-untyped-def]
    body = client.get(LIST, {"keyword": "未来 助成", "open_only": "on"}).content.decode()
    assert 'value="未来 助成"' in body and 'checked' in body


def test_answers_are_public_cacheable_without_cookies(client, shown):  # type: ignore[no-untyped-def]
    for url in (LIST, f"{LIST}?keyword=未来", reverse("catalogue_city", args=[shown["guide"].pk]),
                reverse("catalogue_other", args=[shown["other"].pk])):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "public" in response.headers["Cache-Control"] and "max-age=300" in response.headers["Cache-Control"]
        assert "Cookie" not in response.headers.get("Vary", ""), url
        assert not response.cookies, url
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert response.headers["ETag"]


def test_the_page_reads_no_session_even_with_a_session_cookie(client, shown, staff):  # type: ignore[no-untyped-def]
    """A logged-in visitor gets the very same page (no user menu, no name) and reads no session row."""
    anonymous = client.get(LIST)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as queries:
        logged_in = client.get(LIST)
    assert any("publication_" in q["sql"] for q in queries)  # the page's own queries were seen …
    assert not [q for q in queries if "django_session" in q["sql"] or "accounts_user" in q["sql"]]  # … and no other
    assert logged_in.content == anonymous.content
    assert logged_in.headers["ETag"] == anonymous.headers["ETag"]
    assert not logged_in.cookies and "Cookie" not in logged_in.headers.get("Vary", "")
    assert staff.display_name not in logged_in.content.decode() and "ログアウト" not in logged_in.content.decode()


def test_conditional_get_answers_304(client, shown):  # type: ignore[no-untyped-def]
    for url in (LIST, reverse("catalogue_city", args=[shown["guide"].pk])):
        first = client.get(url)
        again = client.get(url, HTTP_IF_NONE_MATCH=first.headers["ETag"])
        assert again.status_code == 304 and again.content == b""
        assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_post_is_refused(client, shown):  # type: ignore[no-untyped-def]
    assert client.post(LIST).status_code == 405
    assert client.post(reverse("catalogue_city", args=[shown["guide"].pk])).status_code == 405


def test_queries_do_not_grow_with_entries(client, shown):  # type: ignore[no-untyped-def]
    def add(code: str) -> None:
        py = factories.rule(code=code, cap=100_000)
        builders.guide(py.programme, topics=("福祉", "防災・防犯"))
        builders.other(f"助成{code}", topics=("子育て",))

    staff = factories.UserFactory(username="staff-cq", role="staff")
    competitive.call(competitive.programme_year(), staff)
    builders.guide(factories.programme("shimin_katsudo"), kinds=(ApplicantKind.SHIMIN_DANTAI,))
    add("a")
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for code in ("b", "c", "d"):
        add(code)
    with CaptureQueriesContext(connection) as many:
        body = client.get(LIST).content.decode()
    assert "助成d" in body
    assert len(many) == len(few) == 11  # topics, then search: 10 (no measure on any component: no query for it)


def test_nothing_personal_is_on_the_pages(client, shown, case):  # type: ignore[no-untyped-def]
    """A case, its organisation and its head exist; no catalogue page names them."""
    names = [case.organization.name, *case.organization.representatives.values_list("name", flat=True)]
    for url in (LIST, reverse("catalogue_city", args=[shown["guide"].pk])):
        body = client.get(url).content.decode()
        assert not [name for name in names if name and name in body], url


def test_the_login_page_links_to_the_catalogue(client):  # type: ignore[no-untyped-def]
    assert f'href="{LIST}"' in client.get(reverse("login")).content.decode()
