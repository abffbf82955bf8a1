"""The auditor's exports as background jobs: requested from the programme-year page, run by the real
django-tasks database worker, downloaded from the job page and opened with openpyxl."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grants.core.fiscal import fiscal_year_label
from grants.core.models import AuditEvent
from grants.jobs.models import Job, JobStatus
from grants.jobs.services import request_job
from grants.ledger.models import BudgetAccount
from grants.organizations.models import Organization
from tests import factories
from tests.cases.steps import login
from tests.jobs.worker import run_worker
from tests.reports.builders import open_case, ready_association

pytestmark = pytest.mark.django_db


SHEETS = ["台帳", "集計", "案件一覧", "交付決定", "支払", "返還", "監査証跡"]


HOSTILE = '=HYPERLINK("x")'


def request_export(client, url: str, data: dict[str, str], capture) -> Job:  # type: ignore[no-untyped-def]
    """POST ``data`` to ``url`` as the logged-in user, run the worker, and return the job, refreshed."""
    with capture(execute=True):
        response = client.post(url, data)
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("job_detail", args=[job.pk])
    run_worker()
    job.refresh_from_db()
    return job


def download(client, job: Job) -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_auditor_exports_the_workbook_in_the_background(client, paid_case, auditor, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    # given the paid case of the association named =HYPERLINK("x")
    Organization.objects.filter(pk=paid_case.organization_id).update(name=HOSTILE)
    py = paid_case.programme_year

    # when the auditor asks for the Excel export and the worker runs
    job = request_export(login(client, auditor), reverse("request_programme_year_export", args=[py.pk]),
                         {"format": "xlsx"}, django_capture_on_commit_callbacks)

    # then the job is done, with its progress counted in rows, and its page offers the file
    assert (job.kind, job.status, job.params) == ("programme_year_workbook", JobStatus.DONE, {"programme_year": py.pk})
    events = AuditEvent.objects.for_object(paid_case).count()
    assert job.total == 3 + 5 + 1 + 1 + 1 + 0 + events and job.done == job.total
    assert job.filename == f"台帳_{factories.CURRENT_FY}_自治振興.xlsx"
    status = client.get(reverse("job_detail", args=[job.pk]), HTTP_ACCEPT="application/json").json()
    assert (status["status"], status["percent"]) == ("done", 100)

    # and the downloaded workbook has the seven sheets
    book = load_workbook(io.BytesIO(download(client, job)))
    assert book.sheetnames == SHEETS
    # and 集計 reconciles with the budget account
    account = BudgetAccount.objects.get(programme_year=py)
    summary = {row[0]: row[1:] for row in book["集計"].iter_rows(min_row=2, values_only=True)}
    for label, total in (("予算額", account.budget), ("交付決定額", account.committed), ("支出済額", account.paid),
                         ("返還額", account.refunded), ("執行可能額", account.available)):
        assert summary[label] == (total, total, 0)
    # and the hostile name is a string wherever it appears
    for sheet, column in (("台帳", 9), ("案件一覧", 3), ("交付決定", 3), ("支払", 6)):
        cell = book[sheet].cell(row=2 if sheet != "台帳" else 3, column=column)
        assert (cell.value, cell.data_type) == (HOSTILE, "s"), sheet


def test_auditor_exports_the_ledger_as_csv(client, paid_case, auditor, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    py = paid_case.programme_year
    job = request_export(login(client, auditor), reverse("request_programme_year_export", args=[py.pk]),
                         {"format": "csv"}, django_capture_on_commit_callbacks)

    assert (job.kind, job.status, job.content_type) == ("ledger_csv", JobStatus.DONE, "text/csv; charset=utf-8")
    assert job.filename == f"台帳_{factories.CURRENT_FY}_自治振興.csv"
    raw = download(client, job)
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("番号,計上日,記録日時,区分,金額（円）")
    assert len(lines) == 1 + 3 + 1  # header, three entries, and the final line break
    assert "'=1+1" in lines[2] and ",70000," in lines[2]


def test_auditor_exports_every_programme_of_a_fiscal_year(client, paid_case, auditor, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    # given a second programme-year in the same fiscal year with one draft case
    from grants.programmes.models import Programme

    Programme.objects.create(code="shimin_katsudo", name="市民活動支援補助金", recipient_kind="npo")
    second = factories.rule(code="shimin_katsudo")
    open_case(second, ready_association(name="市民活動団体A", households=1, code="30-001"), 1)

    # when the auditor asks for the fiscal year's workbook
    url = reverse("request_fiscal_year_export", args=[factories.CURRENT_FY])
    job = request_export(login(client, auditor), url, {}, django_capture_on_commit_callbacks)

    # then both programmes' cases are in it, each with its 事業
    assert (job.kind, job.status, job.params) == ("fiscal_year_workbook", JobStatus.DONE,
                                                  {"fiscal_year": factories.CURRENT_FY})
    book = load_workbook(io.BytesIO(download(client, job)))
    assert book.sheetnames == SHEETS
    cases = [row[:2] for row in book["案件一覧"].iter_rows(min_row=2, values_only=True)]
    assert cases == [("自治会等自治振興交付金", paid_case.reference),
                     ("市民活動支援補助金", f"{fiscal_year_label(factories.CURRENT_FY)} 市民活動支援補助金 第1号")]


def test_programme_year_page_offers_the_export_forms(client, programme_year, auditor):  # type: ignore[no-untyped-def]
    page = login(client, auditor).get(reverse("programme_year", args=[programme_year.pk])).content.decode()
    action = reverse("request_programme_year_export", args=[programme_year.pk])
    assert page.count(f'action="{action}"') == 2
    assert "台帳・案件一覧などをExcelで出力する</button>" in page and "台帳をCSVで出力する</button>" in page
    assert 'name="format" value="xlsx"' in page and 'name="format" value="csv"' in page


def test_association_head_may_not_request_exports_or_see_the_job(client, programme_year, association_head, auditor):  # type: ignore[no-untyped-def]
    # given an export requested by the auditor
    login(client, auditor).post(reverse("request_programme_year_export", args=[programme_year.pk]), {"format": "xlsx"})
    job = Job.objects.get()
    client.logout()

    # when an association head posts the same forms, they are refused and no job is queued
    login(client, association_head)
    url = reverse("request_programme_year_export", args=[programme_year.pk])
    assert client.post(url, {"format": "xlsx"}).status_code == 403
    assert client.post(url, {"format": "csv"}).status_code == 403
    assert client.post(reverse("request_fiscal_year_export", args=[factories.CURRENT_FY])).status_code == 403
    assert Job.objects.count() == 1
    # and the auditor's job is not found for them
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, programme_year):  # type: ignore[no-untyped-def]
    response = client.post(reverse("request_programme_year_export", args=[programme_year.pk]), {"format": "xlsx"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("method", "url_name", "args", "data", "status"),
    [
        ("get", "request_programme_year_export", "year", {}, 405),
        ("post", "request_programme_year_export", "year", {"format": "pdf"}, 400),
        ("post", "request_programme_year_export", "year", {}, 400),
        ("post", "request_programme_year_export", 99999, {"format": "xlsx"}, 404),
        ("post", "request_fiscal_year_export", 1999, {}, 404),
        ("get", "request_fiscal_year_export", factories.CURRENT_FY, {}, 405),
    ],
)
def test_bad_requests_queue_nothing(client, programme_year, auditor, method, url_name, args, data, status):  # type: ignore[no-untyped-def]
    url = reverse(url_name, args=[programme_year.pk if args == "year" else args])
    assert getattr(login(client, auditor), method)(url, data).status_code == status
    assert not Job.objects.exists()


# Background jobs and exports attacked: heads on /jobs/, other users' job ids and files, a role change after
# the request, failed jobs, exports of years that do not exist, formula-looking and markup-shaped names in the
# CSV and the workbook, the fiscal-year workbook of an empty year.


def test_fiscal_year_workbook_job_of_an_empty_year(auditor, django_capture_on_commit_callbacks, run_worker) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        job = request_job(kind="fiscal_year_workbook", actor=auditor, title="x", params={"fiscal_year": 1999})
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.filename == "台帳_1999_全事業.xlsx"
