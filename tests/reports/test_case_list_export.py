"""The case list's exports (reports/case_list.py, pages/cases/exports.py): the .xlsx read back with openpyxl and the
CSV parsed with csv hold exactly the rows of the list for the same query, in its order, with the state's words
(never its code), dates as dates, the 実績報告 deadline by grants.cases.overdue, and what a spreadsheet would run as a
formula escaped; only city staff may export; the rows take a fixed number of queries. The filters themselves:
tests/pages/test_case_filters.py."""
import codecs
import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from grants.cases.models import GrantCase, Status
from grants.core.models import AuditEvent
from grants.jobs.models import Job
from grants.jobs.registry import JobRefused
from grants.organizations.models import Organization
from pages.cases import exports
from pages.cases.filters import GrantCaseFilter
from reports.case_list import CaseListReport
from tests import factories
from tests.cases.deadlines import case as council_case
from tests.cases.deadlines import completed
from tests.factories import CURRENT_FY
from tests.reports.test_exporters import as_excel_date

pytestmark = pytest.mark.django_db

TOKYO = dt.timezone(dt.timedelta(hours=9))
HEADER = ["案件番号", "年度", "事業", "団体コード", "団体名", "地域", "状態", "世帯数", "算定額", "交付決定額", "確定額",
          "支払済額", "うち振込予定額", "申請日", "交付決定日", "実績報告期限", "期限超過"]


def made(py, name, status=Status.DRAFT, **fields):  # type: ignore[no-untyped-def]
    org = factories.AssociationFactory(name=name)
    case = GrantCase.objects.create(programme_year=py, organization=org, **fields)
    GrantCase.objects.filter(pk=case.pk).update(status=status)
    return GrantCase.objects.get(pk=case.pk)


@pytest.fixture
def cases(programme_year):  # type: ignore[no-untyped-def]
    """A case decided at 100,000 (申請 5月31日 23:30 in Yamaguchi), one at 50,000, and a draft of 70,000."""
    return {
        "large": made(programme_year, "大きい自治会", status=Status.DECIDED, household_count=180,
                      computed_amount=120_000, decided_amount=100_000, decided_on=dt.date(CURRENT_FY, 8, 1),
                      submitted_at=dt.datetime(CURRENT_FY, 5, 31, 23, 30, tzinfo=TOKYO)),
        "small": made(programme_year, "小さい自治会", status=Status.DECIDED, computed_amount=50_000,
                      decided_amount=50_000, decided_on=dt.date(CURRENT_FY, 6, 1)),
        "draft": made(programme_year, "申請前の自治会", computed_amount=70_000),
    }


def download(client, user, name, query):  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get(reverse(name), query)
    assert response.status_code == 200, response.status_code
    return response


def xlsx_rows(response):  # type: ignore[no-untyped-def]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["案件一覧"]
    return [list(row) for row in sheet.iter_rows(values_only=True)], sheet


def csv_rows(response):  # type: ignore[no-untyped-def]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def listed(query):  # type: ignore[no-untyped-def]
    return [case.reference for case in GrantCaseFilter(query, queryset=GrantCase.objects.all()).qs]


def test_xlsx_holds_the_filtered_list_with_labels_and_date_cells(client, cases, auditor):
    query = {"decided_min": "60000"}
    response = download(client, auditor, "case_list_xlsx", query)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    rows, sheet = xlsx_rows(response)
    large = cases["large"]
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == listed(query) == [large.reference]
    assert rows[1][1:] == [
        f"令和{CURRENT_FY - 2018}年度", "自治会等自治振興交付金", large.organization.code, "大きい自治会", "大歳",
        "交付決定済", 180, 120_000, 100_000, None, 0, 0,
        as_excel_date(dt.date(CURRENT_FY, 5, 31)), as_excel_date(dt.date(CURRENT_FY, 8, 1)), None, None,
    ]
    assert sheet.cell(2, 14).is_date and sheet.cell(2, 15).is_date and sheet.cell(2, 10).data_type == "n"


def test_csv_holds_the_same_rows_in_iso_dates(client, cases, staff):
    query = {"status": Status.DECIDED}
    rows = csv_rows(download(client, staff, "case_list_csv", query))
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == listed(query)
    by_name = {row[4]: row for row in rows[1:]}
    assert set(by_name) == {"大きい自治会", "小さい自治会"}
    large = by_name["大きい自治会"]
    assert large[6:] == ["交付決定済", "180", "120000", "100000", "", "0", "0", f"{CURRENT_FY}-05-31",
                         f"{CURRENT_FY}-08-01", "", ""]
    assert not any(Status.DECIDED.value in row for row in rows)  # the words, never the code


def test_no_filter_exports_every_visible_case_beyond_one_page(client, programme_year, staff):
    for i in range(55):  # the list shows 50 a page; the export has them all
        made(programme_year, f"第{i}自治会")
    rows = csv_rows(download(client, staff, "case_list_csv", {"page": "2"}))
    assert len(rows) == 56


def test_rows_follow_the_lists_sort(client, cases, staff):
    rows = csv_rows(download(client, staff, "case_list_csv", {"sort": "-decided_amount"}))
    names = [row[4] for row in rows[1:]]
    assert names.index("大きい自治会") < names.index("小さい自治会")
    rows = csv_rows(download(client, staff, "case_list_csv", {"sort": "decided_amount"}))
    names = [row[4] for row in rows[1:] if row[9]]
    assert names == ["小さい自治会", "大きい自治会"]


def test_overdue_report_shows_its_due_date_and_the_days_past(client, year, today, staff):
    late = council_case(year, "A", completion_deadline=completed(today, 3))
    council_case(year, "B", completion_deadline=completed(today, -2))
    rows, sheet = xlsx_rows(download(client, staff, "case_list_xlsx", {"overdue": "overdue"}))
    assert [row[0] for row in rows[1:]] == [late.reference]
    assert rows[1][15:] == [as_excel_date(today - dt.timedelta(days=3)), "3日超過"]
    rows = csv_rows(download(client, staff, "case_list_csv", {"programme_year": str(year.pk)}))
    assert {row[4]: row[15:] for row in rows[1:]} == {
        "A地域づくり協議会": [(today - dt.timedelta(days=3)).isoformat(), "3日超過"],
        "B地域づくり協議会": [(today + dt.timedelta(days=2)).isoformat(), ""],
    }


def test_formulas_in_names_are_text_in_both(client, programme_year, staff):
    formulas = ["=1+1", '=HYPERLINK("http://x","y")', "+81-3", "@SUM(A1)", "＝1+1", "  -2+3"]
    for i, name in enumerate(formulas):
        case = made(programme_year, f"tmp{i}")
        Organization.objects.filter(pk=case.organization_id).update(name=name)
    rows = csv_rows(download(client, staff, "case_list_csv", {}))
    assert sorted(row[4] for row in rows[1:]) == sorted("'" + name for name in formulas)
    rows, sheet = xlsx_rows(download(client, staff, "case_list_xlsx", {}))
    assert sorted(row[4] for row in rows[1:]) == sorted(formulas)
    assert all(sheet.cell(row, 5).data_type == "s" for row in range(2, len(rows) + 1))  # never a formula cell


@pytest.mark.parametrize("name", ["case_list_xlsx", "case_list_csv"])
def test_applicants_may_not_export(client, cases, case, association_head, name):
    """An applicant sees only their own cases on the list; the exports are for city staff (403), as the auditor's."""
    client.force_login(association_head)
    assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse(name), {"q": case.organization.name}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, cases):
    response = client.get(reverse("case_list_csv"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_query_the_filters_cannot_read_goes_back_to_the_list(client, cases, staff):
    client.force_login(staff)
    response = client.get(reverse("case_list_xlsx"), {"decided_min": "abc", "status": Status.DECIDED})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("case_list") + "?") and "decided_min=abc" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "金額は円単位の数字で入力してください" in page


def test_the_list_links_its_exports_with_the_current_query_for_staff_only(client, cases, case, staff,
                                                                          association_head):
    client.force_login(staff)
    page = client.get(reverse("case_list"), {"decided_min": "60000", "status": Status.DECIDED}).content.decode()
    query = f"decided_min=60000&amp;status={Status.DECIDED.value}"
    assert f'href="{reverse("case_list_xlsx")}?{query}">Excelで出力</a>' in page
    assert f'href="{reverse("case_list_csv")}?{query}">CSVで出力</a>' in page
    client.force_login(association_head)
    page = client.get(reverse("case_list")).content.decode()
    assert "Excelで出力" not in page and "CSVで出力" not in page


def test_rows_take_a_fixed_number_of_queries(programme_year, year, today):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            list(CaseListReport(GrantCase.objects.all(), today=today).rows())
        return len(captured)

    made(programme_year, "一つ目")
    council_case(year, "A", completion_deadline=completed(today, 1))
    few = queries()
    for i in range(10):
        made(programme_year, f"第{i}自治会")
        council_case(year, f"X{i}", completion_deadline=completed(today, i))
    assert queries() == few == 2


def test_a_large_list_is_made_in_the_background_for_the_same_query(client, cases, staff, run_worker,
                                                                   django_capture_on_commit_callbacks, monkeypatch):
    """Past ``IN_REQUEST_ROWS`` the link's page asks to confirm; its form queues a job (on the audit trail), and the
    job's file holds the same rows the list shows, in its order."""
    monkeypatch.setattr(exports, "IN_REQUEST_ROWS", 1)
    query = {"decided_min": "1", "sort": "-decided_amount"}
    page = download(client, staff, "case_list_csv", query).content.decode()
    assert "絞り込んだ案件は2件あります" in page and 'name="query" value="decided_min=1&amp;sort=-decided_amount"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("case_list_csv"), {"query": "decided_min=1&sort=-decided_amount"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert AuditEvent.objects.filter(action="request_job", actor=staff).count() == 1
    run_worker()
    rows = csv_rows(client.get(reverse("job_download", args=[job.pk])))
    assert [row[4] for row in rows[1:]] == ["大きい自治会", "小さい自治会"]


def test_the_job_refuses_a_query_it_cannot_read(cases, staff):
    job = Job.objects.create(kind="case_list_export", title="x", requested_by=staff,
                             params={"query": "decided_min=abc", "format": "xlsx"})
    with pytest.raises(JobRefused, match="絞り込みの条件を読み取れませんでした"):
        exports.CASE_LIST_EXPORT.run(job, lambda done, total=None: None, io.BytesIO())


def test_applicants_may_not_request_the_job(client, cases, association_head):
    client.force_login(association_head)
    assert client.post(reverse("case_list_xlsx"), {"query": ""}).status_code == 403
    assert not Job.objects.exists()


def test_attack_a_transfer_waiting_for_the_banks_result_is_counted_apart(client, case, association_head, staff,
                                                                         approver, finance, finance2):
    """A payment posted (its batch approved) but not yet confirmed by the bank: the export's 支払済額 counts it as the
    ledger posts it, and うち振込予定額 says how much of it waits for the bank, as the workbook's 案件一覧 does — the
    export read 支払済額 alone, as if the money had reached the association."""
    from grants.cases import services
    from tests.cases.steps import take_to

    take_to(case, Status.TRANSFER_SENT, head=association_head, staff=staff, approver=approver, finance=finance,
            finance2=finance2)
    sent = GrantCase.objects.get(pk=case.pk)
    assert sent.paid_amount > 0
    rows = csv_rows(download(client, staff, "case_list_csv", {}))
    row = next(r for r in rows[1:] if r[0] == sent.reference)
    assert row[6].startswith("振込予定")
    assert row[11:13] == [str(sent.paid_amount), str(sent.paid_amount)]
    services.confirm_transfer(case_id=sent.pk, actor=finance)  # the bank's result: 振込完了
    rows = csv_rows(download(client, staff, "case_list_csv", {}))
    row = next(r for r in rows[1:] if r[0] == sent.reference)
    assert row[11:13] == [str(sent.paid_amount), "0"]
