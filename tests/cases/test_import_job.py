"""The household-count import as a background job (grants/cases/import_job.py): a file above the threshold is
kept and queued, the request answering at once; the real worker reads it, all or nothing; the job page shows
the run it opened or every error; a file refusable at once is refused on the upload's page, nothing queued."""
import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import Workbook

from grants.cases.models import AnnualRun, GrantCase
from grants.jobs.models import Job, JobStatus
from grants.organizations.models import HouseholdCount
from tests import factories
from tests.cases.steps import login, post_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_import_in_the_background(settings):  # type: ignore[no-untyped-def]
    settings.HOUSEHOLD_IMPORT_BACKGROUND_BYTES = 0


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _queued(client, programme_year, name, data, django_capture_on_commit_callbacks) -> Job:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_import(client, programme_year, name, data)
    job = Job.objects.get(kind="household_import")
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == JobStatus.QUEUED
    assert not AnnualRun.objects.exists()  # nothing read in the request
    return job


def _kept_files(media: Path) -> list[Path]:
    return [p for p in (Path(media) / "imports").glob("*") if p.is_file()] if (Path(media) / "imports").exists() else []


def test_a_large_file_is_imported_by_the_worker_and_its_page_opens_the_run(  # type: ignore[no-untyped-def]
        client, staff, programme_year, media, every_import_in_the_background, django_capture_on_commit_callbacks,
        run_worker) -> None:
    orgs = factories.AssociationFactory.create_batch(3)
    data = xlsx([["団体コード", "世帯数"], *([org.code, 100 + n] for n, org in enumerate(orgs))])
    login(client, staff)
    job = _queued(client, programme_year, "counts.xlsx", data, django_capture_on_commit_callbacks)
    assert len(_kept_files(media)) == 1
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 4, 4)
    run = AnnualRun.objects.get()
    assert run.counts_source == "取込み: counts.xlsx（3件）" and run.started_by == staff
    assert sorted(HouseholdCount.objects.values_list("households", flat=True)) == [100, 101, 102]
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "3団体の世帯数を取り込み、年次一括作成を開始しました。" in page
    assert f'href="{reverse("annual_run", args=[run.pk])}"' in page and "年次一括作成の画面を開く" in page
    assert 'id="job-download" hidden' in page  # no file to download
    listed = client.get(reverse("job_list")).content.decode()
    assert f'<a href="{reverse("job_detail", args=[job.pk])}">結果を見る</a>' in listed
    assert reverse("job_download", args=[job.pk]) not in listed
    assert _kept_files(media) == []


def test_a_large_file_with_an_error_in_row_3000_fails_naming_it_and_writes_nothing(  # type: ignore[no-untyped-def]
        client, staff, programme_year, media, every_import_in_the_background, django_capture_on_commit_callbacks,
        run_worker) -> None:
    orgs = factories.AssociationFactory.create_batch(5)
    rows: list[list[object]] = [["団体コード", "世帯数"], *([org.code, 10] for org in orgs)]
    rows += [[None, None]] * (2_999 - len(rows)) + [["ZZZ", 1]]
    login(client, staff)
    job = _queued(client, programme_year, "c.xlsx", xlsx(rows), django_capture_on_commit_callbacks)
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.splitlines() == [
        "ファイルを取り込めませんでした。次の誤りを直してから、もう一度取り込んでください（何も登録していません）。",
        "3000行目 A列（団体コード）: 「ZZZ」は登録されている団体の団体コードではありません。",
    ]
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert 'id="job-errors"' in page and "<li>3000行目 A列（団体コード）" in page
    assert not AnnualRun.objects.exists() and not HouseholdCount.objects.exists() and not GrantCase.objects.exists()
    assert _kept_files(media) == []


def test_a_zip_bomb_is_refused_on_the_upload_page_and_nothing_is_queued(  # type: ignore[no-untyped-def]
        client, staff, programme_year, every_import_in_the_background) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<row/>" * 2_000_000)
    login(client, staff)
    response = post_import(client, programme_year, "c.xlsx", out.getvalue())
    assert response.status_code == 200
    assert "圧縮率が上限（100倍）を超えています。" in response.content.decode()
    assert not Job.objects.exists()


def test_only_staff_may_run_an_import_job(client, programme_year, auditor,  # type: ignore[no-untyped-def]
                                           every_import_in_the_background) -> None:
    data = xlsx([["団体コード", "世帯数"], ["10-001", 1]])
    login(client, auditor)
    response = post_import(client, programme_year, "c.xlsx", data)
    assert response.status_code == 200
    assert "この処理を依頼する権限がありません。" in response.content.decode()
    assert not Job.objects.exists()
