"""Cases and decisions through the API: each role's token sees exactly the cases the case list shows that user
(the page's own queryset, ``pages.cases.filters.case_filter``) and nothing more; a case of another organisation is
404 as on its page; a page costs the same number of queries whatever its place and size."""
import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from grants.cases.models import GrantCase
from grants.opendata import dataset
from pages.cases.filters import case_filter


@pytest.fixture
def cases_world(ledger_story, refused_case):  # type: ignore[no-untyped-def]
    """The ledger story's cases (大歳 ``case`` of user ``head``, 湯田 and 湯田第2 paid or decided) and another
    association's refused case (user ``other-head``)."""
    return ledger_story


ROLES = ["staff", "approver", "finance", "auditor", "insurance", "panel", "evaluator", "association_head",
         "other_head"]


@pytest.fixture
def user_of(request, refused_case):  # type: ignore[no-untyped-def]
    from grants.accounts.models import User

    def user(role: str) -> User:
        if role == "other_head":
            return User.objects.get(username="other-head")
        return request.getfixturevalue(role)

    return user


def _page_ids(user) -> set[int]:  # type: ignore[no-untyped-def]
    """The cases the case list shows ``user`` (all its pages)."""
    return set(case_filter(QueryDict(), user).qs.values_list("pk", flat=True))


def test_each_roles_token_sees_exactly_the_cases_of_the_case_list(call, key_for, cases_world,
                                                                   user_of) -> None:  # type: ignore[no-untyped-def]
    expected = {"staff": 4, "approver": 4, "finance": 4, "auditor": 4, "insurance": 0, "panel": 0, "evaluator": 0,
                "association_head": 1, "other_head": 1}
    for role in ROLES:
        user = user_of(role)
        body = call("/api/v1/cases", key_for(user), limit=100).json()
        ids = {item["id"] for item in body["items"]}
        assert ids == _page_ids(user) and body["count"] == len(ids) == expected[role], role
    heads = [{i["id"] for i in call("/api/v1/cases", key_for(user_of(r))).json()["items"]}
             for r in ("association_head", "other_head")]
    assert not heads[0] & heads[1]


def test_an_association_heads_token_sees_its_case_and_not_another_organisations(
        call, key_for, cases_world, association_head, case, refused_case) -> None:  # type: ignore[no-untyped-def]
    key = key_for(association_head)
    own = call(f"/api/v1/cases/{case.pk}", key)
    assert own.status_code == 200
    body = own.json()
    case.refresh_from_db()
    assert body["reference"] == case.reference and body["organization_name"] == case.organization.name
    assert body["decided_amount"] == 70_000 and body["paid_amount"] == 70_000
    assert body["status_label"] == case.status_label
    other = call(f"/api/v1/cases/{refused_case.pk}", key)
    assert other.status_code == 404 and other.json() == {"detail": "案件が見つかりません。"}
    assert call("/api/v1/cases/999999999", key).status_code == 404


def test_roles_without_grant_cases_read_no_case_by_id(call, key_for, cases_world, case,
                                                      user_of) -> None:  # type: ignore[no-untyped-def]
    for role in ["insurance", "panel", "evaluator"]:
        assert call(f"/api/v1/cases/{case.pk}", key_for(user_of(role))).status_code == 404, role
        assert call("/api/v1/decisions", key_for(user_of(role))).json()["count"] == 0, role


def test_the_case_filters_match_the_case_list(call, key_for, cases_world, staff) -> None:  # type: ignore[no-untyped-def]
    key = key_for(staff)
    py = cases_world
    paid = call("/api/v1/cases", key, status="paid").json()
    assert {i["id"] for i in paid["items"]} == set(GrantCase.objects.filter(status="paid").values_list("pk", flat=True))
    assert paid["count"] == 2
    assert call("/api/v1/cases", key, programme_year=py.pk).json()["count"] == 4
    assert call("/api/v1/cases", key, fiscal_year=py.fiscal_year).json()["count"] == 4
    assert call("/api/v1/cases", key, fiscal_year=py.fiscal_year - 1).json()["count"] == 0
    assert call("/api/v1/cases", key, status="selected").json()["count"] == 0  # a competitive call's state
    refused = call("/api/v1/cases", key, status="no-such-state")
    assert refused.status_code == 422 and refused.json()["detail"].startswith("入力が正しくありません（status）")


def test_decisions_are_the_visible_cases_decided_and_not_the_refused(call, key_for, cases_world, auditor,
                                                               association_head, case) -> None:  # type: ignore[no-untyped-def]
    body = call("/api/v1/decisions", key_for(auditor)).json()
    decided = GrantCase.objects.filter(dataset.decided())  # the open data's rule: reached 交付決定
    assert not decided.filter(status="not_granted").exists()
    assert {i["case_id"]: i["decided_amount"] for i in body["items"]} == dict(decided.values_list("pk",
                                                                                                 "decided_amount"))
    assert all(i["decided_on"] for i in body["items"]) and body["count"] == 3
    own = call("/api/v1/decisions", key_for(association_head)).json()
    assert [i["case_id"] for i in own["items"]] == [case.pk]


def test_a_page_of_cases_costs_the_same_queries_wherever_it_is_and_whatever_its_size(
        call, key_for, cases_world, staff) -> None:  # type: ignore[no-untyped-def]
    key = key_for(staff)
    call("/api/v1/cases", key)  # the token's first use is recorded once; the pages below do not write
    counts, seen = [], []
    for limit, offset in [(1, 0), (1, 1), (2, 2), (100, 0)]:
        with CaptureQueriesContext(connection) as queries:
            body = call("/api/v1/cases", key, limit=limit, offset=offset).json()
        counts.append(len(queries))
        seen.append([i["id"] for i in body["items"]])
    assert len(set(counts)) == 1, counts
    assert seen[0] + seen[1] + seen[2] == seen[3]  # the pages follow one another in case-number order
