"""The case list's filters (pages/cases/filters.py): each narrows the list to what it says (amounts, days, the
実績報告 past its due date, programme-year, status, 地域), and input it cannot read is shown back with its error at
the field, never a 500 nor a wider list. The exports of the same list: tests/reports/test_case_list_export.py."""
import datetime as dt

import pytest
from django.urls import reverse

from grants.cases.models import GrantCase, Status
from pages.cases.filters import GrantCaseFilter
from tests import factories
from tests.cases.deadlines import case as council_case
from tests.cases.deadlines import completed
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db

TOKYO = dt.timezone(dt.timedelta(hours=9))


def made(py, name, area=None, status=Status.DRAFT, **fields):  # type: ignore[no-untyped-def]
    """A case of ``name``'s new association with its amounts and days set as given (state set directly: the
    lifecycle is tested elsewhere)."""
    org = factories.AssociationFactory(name=name, **({"area": area} if area else {}))
    case = GrantCase.objects.create(programme_year=py, organization=org, **fields)
    GrantCase.objects.filter(pk=case.pk).update(status=status)
    return case


@pytest.fixture
def cases(programme_year):  # type: ignore[no-untyped-def]
    """Three cases: small (decided 50,000 on 6月1日), large (decided 100,000 on 8月1日), and a draft."""
    return {
        "small": made(programme_year, "小さい自治会", status=Status.DECIDED, computed_amount=50_000,
                      decided_amount=50_000, decided_on=dt.date(CURRENT_FY, 6, 1),
                      submitted_at=dt.datetime(CURRENT_FY, 5, 10, 9, 0, tzinfo=TOKYO)),
        "large": made(programme_year, "大きい自治会", status=Status.DECIDED, computed_amount=120_000,
                      decided_amount=100_000, decided_on=dt.date(CURRENT_FY, 8, 1),
                      submitted_at=dt.datetime(CURRENT_FY, 7, 1, 9, 0, tzinfo=TOKYO)),
        "draft": made(programme_year, "申請前の自治会", computed_amount=70_000),
    }


def names(data: dict[str, str], today: dt.date | None = None) -> set[str]:
    found = GrantCaseFilter(data, queryset=GrantCase.objects.all(), today=today).qs
    return set(found.values_list("organization__name", flat=True))


@pytest.mark.parametrize(("data", "expected"), [
    ({"decided_min": "60000"}, {"大きい自治会"}),
    ({"decided_max": "50000"}, {"小さい自治会"}),
    ({"decided_min": "50000", "decided_max": "100000"}, {"小さい自治会", "大きい自治会"}),
    ({"computed_min": "60000", "computed_max": "80000"}, {"申請前の自治会"}),
    ({"computed_min": "１００，０００"}, {"大きい自治会"}),  # as a Japanese keyboard types it
    ({"submitted_from": f"{CURRENT_FY}-06-01"}, {"大きい自治会"}),
    ({"submitted_to": f"{CURRENT_FY}-05-10"}, {"小さい自治会"}),
    ({"decided_from": f"{CURRENT_FY}-06-01", "decided_to": f"{CURRENT_FY}-06-01"}, {"小さい自治会"}),
    ({"decided_from": f"{CURRENT_FY}-06-02"}, {"大きい自治会"}),
    ({"status": Status.DRAFT}, {"申請前の自治会"}),
    ({}, {"小さい自治会", "大きい自治会", "申請前の自治会"}),
])
def test_each_filter_narrows_the_list(cases, data, expected):
    assert names(data) == expected


def test_the_day_of_an_application_is_the_citys(programme_year):
    """Sent at 23:30 in Yamaguchi on 5月31日 (14:30 UTC): an application of 5月31日, not of 6月1日."""
    made(programme_year, "深夜の自治会", submitted_at=dt.datetime(CURRENT_FY, 5, 31, 23, 30, tzinfo=TOKYO))
    assert names({"submitted_to": f"{CURRENT_FY}-05-31"}) == {"深夜の自治会"}
    assert names({"submitted_from": f"{CURRENT_FY}-06-01"}) == set()


def test_programme_year_and_area(cases, programme_year, year):
    other_area = factories.AreaFactory(code="20", name="白石")
    made(programme_year, "白石の自治会", area=other_area)
    council_case(year, "A")
    assert names({"organization__area": str(other_area.pk)}) == {"白石の自治会"}
    assert names({"programme_year": str(year.pk)}) == {"A地域づくり協議会"}


def test_overdue_is_the_deadline_rule_of_grants_cases_overdue(cases, year, today):
    """A day late is overdue; due today is not yet; a case of a programme without 実績報告 never is."""
    council_case(year, "A", completion_deadline=completed(today, 1))
    council_case(year, "B", completion_deadline=completed(today, 0))
    council_case(year, "C", status=Status.REPORTED, completion_deadline=completed(today, 30))  # reported: done
    assert names({"overdue": "overdue"}, today) == {"A地域づくり協議会"}
    assert names({"overdue": "overdue"}, today + dt.timedelta(days=1)) == {"A地域づくり協議会", "B地域づくり協議会"}
    assert len(names({"overdue": ""}, today)) == 6


def test_overdue_combines_with_the_other_filters(year, today):
    council_case(year, "A", completion_deadline=completed(today, 3))
    council_case(year, "B", completion_deadline=completed(today, 3))
    assert names({"overdue": "overdue", "q": "B地域"}, today) == {"B地域づくり協議会"}


@pytest.mark.parametrize("typed", ["第2号", "第２号", "第 2 号", "令和8年度 自治振興 第2号"])
def test_a_case_is_found_by_its_number_as_printed(cases, typed):
    """The three cases are 第1号, 第2号 and 第3号 of their programme-year: the number as printed finds only its case,
    typed half- or full-width, alone or as the whole case number."""
    assert cases["large"].number == 2
    assert names({"q": typed}) == {"大きい自治会"}


def test_a_bare_number_finds_the_case_besides_codes_and_names(cases):
    assert "大きい自治会" in names({"q": "2"})
    assert names({"q": "第4号"}) == set()
    assert names({"q": "第12345678901234567890号"}) == set()  # no case's number, and no 500


@pytest.mark.parametrize(("data", "field", "error"), [
    ({"decided_min": "abc"}, "decided_min", "金額は円単位の数字で入力してください"),
    ({"computed_max": "12.5"}, "computed_max", "金額は円単位の数字で入力してください"),
    ({"decided_min": "-1"}, "decided_min", "金額は0円以上で入力してください"),
    ({"decided_min": "100000", "decided_max": "50000"}, "decided_max", "交付決定額の上限は、下限以上の額"),
    ({"computed_min": "9", "computed_max": "8"}, "computed_max", "算定額の上限は、下限以上の額"),
    ({"submitted_from": f"{CURRENT_FY}-06-01", "submitted_to": f"{CURRENT_FY}-05-01"}, "submitted_to",
     "申請日の終わりは、始まり以後の日"),
    ({"decided_from": f"{CURRENT_FY}-06-01", "decided_to": f"{CURRENT_FY}-05-01"}, "decided_to",
     "交付決定日の終わりは、始まり以後の日"),
    ({"decided_from": "昨日"}, "decided_from", "日付を正しく入力してください"),
    ({"submitted_to": f"{CURRENT_FY}-02-30"}, "submitted_to", "日付を正しく入力してください"),
])
def test_bad_input_is_an_error_at_its_field_and_lists_nothing(cases, data, field, error):
    filterset = GrantCaseFilter(data, queryset=GrantCase.objects.all())
    assert not filterset.qs.exists()
    assert error in " ".join(filterset.form.errors[field])


def test_the_page_shows_the_error_at_the_field_and_keeps_what_was_typed(client, cases, staff):
    client.force_login(staff)
    response = client.get(reverse("case_list"), {"decided_min": "１０万", "decided_from": f"{CURRENT_FY}-06-01",
                                                 "decided_to": f"{CURRENT_FY}-05-01"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="１０万"' in page  # as typed
    field_error = page.split('id="id_decided_min"', 1)[1].split("</p>", 1)[0]
    assert 'id="id_decided_min_error"' in field_error and "金額は円単位の数字で入力してください" in field_error
    assert 'aria-describedby="id_decided_min_error"' in page
    assert "交付決定日の終わりは、始まり以後の日を入力してください。" in page
    assert "小さい自治会" not in page and "該当する案件はありません。" in page


@pytest.mark.parametrize("query", [
    {"decided_min": "9" * 40}, {"computed_max": "1e9"}, {"submitted_from": "9999-99-99"},
    {"decided_to": "0000-01-01"}, {"programme_year": "abc"}, {"programme_year": "999999"},
    {"organization__area": "-1"}, {"status": "nope"}, {"overdue": "maybe"}, {"decided_min": "\x00"},
])
def test_odd_queries_never_give_a_500(client, cases, staff, query):
    client.force_login(staff)
    assert client.get(reverse("case_list"), query).status_code == 200


def test_selects_offer_all_never_dashes(client, cases, staff):
    client.force_login(staff)
    page = client.get(reverse("case_list")).content.decode()
    assert "---------" not in page
    for name in ("programme_year", "status", "organization__area", "overdue"):
        select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        assert '<option value="" selected>すべて</option>' in select, name


def test_an_applicant_filters_only_their_own_cases(client, cases, case, association_head):
    """The filters narrow what the user may see; they never widen it."""
    client.force_login(association_head)
    page = client.get(reverse("case_list"), {"decided_min": "0"}).content.decode()
    assert "小さい自治会" not in page and "大きい自治会" not in page
    assert case.organization.name not in page  # a draft has no decided amount: not ≥ 0
    assert case.organization.name in client.get(reverse("case_list"), {"computed_min": "0"}).content.decode()



def test_attack_the_whole_printed_number_finds_that_case_alone(cases, year):
    """「令和8年度 自治振興 第1号」 is one case: not 第1号 of the councils' programme, nor of another 年度 (it found
    case 1 of every programme-year — ten cases in the demo)."""
    council = council_case(year, "A")
    assert cases["small"].number == 1 and council.number == 1
    fy = year.fiscal_year
    assert names({"q": "第1号"}) == {"小さい自治会", "A地域づくり協議会"}
    assert names({"q": "令和8年度 自治振興 第1号"}) == {"小さい自治会"}
    assert names({"q": "令和８年度　自治会等自治振興交付金　第１号"}) == {"小さい自治会"}  # its full name, full-width
    assert names({"q": f"令和{fy - 2018}年度 {year.programme.number_name} 第1号"}) == {"A地域づくり協議会"}
    assert names({"q": "令和7年度 自治振興 第1号"}) == set()
    assert names({"q": "令和8年度 第1号"}) == ({"小さい自治会", "A地域づくり協議会"} if fy == 2026 else {"小さい自治会"})
