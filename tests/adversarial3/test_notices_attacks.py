"""Notices attacked: another association's PDF, a past head, huge ids, numbering under rolled-back acts,
applicant text shaped like HTML/CSS (nothing fetched, nothing rendered as markup), batch printing by a head
and the printed file downloaded by someone else."""
import datetime as dt
import re
import subprocess
import urllib.request

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from grants.accounts.models import Role
from grants.cases import services
from grants.cases.batches import (
    BatchError,
    approve_payment_batch,
    create_payment_batch,
    record_transfer_result,
)
from grants.jobs.models import Job, JobStatus
from grants.ledger.models import ItemResult
from grants.notices.models import DocumentSequence, Notice, NoticeKind
from grants.notices.services import issue_notice
from grants.organizations.models import Representative
from reports.pdf import NoticeURLFetcher, render_notice_pdf, render_notices_pdf
from reports.zengin_batch import batch_file
from tests import factories
from tests.cases.steps import login

pytestmark = pytest.mark.django_db



def pdf_text(pdf: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "n.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", "", out.stdout)


@pytest.fixture
def decided_case(case, association_head, staff, approver):  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    services.verify_application(case_id=case.pk, actor=staff)
    return services.decide_grant(case_id=case.pk, actor=approver)


@pytest.fixture
def other_notice(other_case, staff, staff2, approver):  # type: ignore[no-untyped-def]
    services.submit_application(case_id=other_case.pk, actor=staff2)
    services.verify_application(case_id=other_case.pk, actor=staff)
    services.decide_grant(case_id=other_case.pk, actor=approver)
    return Notice.objects.get(case=other_case, kind=NoticeKind.DECISION)


# --- who may open a PDF ---------------------------------------------------------------------------------

def test_head_cannot_open_another_associations_notice(client, association_head, decided_case, other_notice) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    own = Notice.objects.get(case=decided_case)
    assert client.get(reverse("notice_pdf", args=[own.pk])).status_code == 200
    assert client.get(reverse("notice_pdf", args=[other_notice.pk])).status_code == 404


def test_former_head_loses_access_when_the_term_ends(client, association_head, decided_case) -> None:  # type: ignore[no-untyped-def]
    notice = Notice.objects.get(case=decided_case)
    Representative.objects.filter(user=association_head).update(ended_on=timezone.localdate() - dt.timedelta(days=1))
    login(client, association_head)
    assert client.get(reverse("notice_pdf", args=[notice.pk])).status_code == 404


@pytest.mark.parametrize("pk", [0, 999_999, 2**31, 2**63 - 1, 2**63, 10**40])
def test_unknown_and_huge_notice_ids_are_404(client, staff, pk) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    client.raise_request_exception = False
    assert client.get(f"/notices/{pk}/pdf/").status_code == 404


def test_post_and_anonymous_are_refused(client, decided_case) -> None:  # type: ignore[no-untyped-def]
    notice = Notice.objects.get(case=decided_case)
    response = client.get(reverse("notice_pdf", args=[notice.pk]))
    assert response.status_code == 302 and "login" in response.url


# --- numbering ---------------------------------------------------------------------------------------------

def test_decision_refused_by_the_budget_takes_no_number(programme_year, case, association_head, staff, approver, other_case, staff2) -> None:  # type: ignore[no-untyped-def]
    from grants.ledger.models import BudgetAccount

    services.submit_application(case_id=case.pk, actor=association_head)
    services.verify_application(case_id=case.pk, actor=staff)
    BudgetAccount.objects.filter(programme_year=programme_year).update(budget=1)
    with pytest.raises(services.CaseActionError):
        services.decide_grant(case_id=case.pk, actor=approver)
    assert not DocumentSequence.objects.filter(last_number__gt=0).exists()
    BudgetAccount.objects.filter(programme_year=programme_year).update(budget=5_000_000)
    services.decide_grant(case_id=case.pk, actor=approver)
    assert Notice.objects.get(case=case).number == 1


def test_outer_rollback_of_a_decision_returns_its_number(case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    services.verify_application(case_id=case.pk, actor=staff)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.decide_grant(case_id=case.pk, actor=approver)
        raise RuntimeError("the request failed after the decision")
    assert not Notice.objects.exists()
    assert DocumentSequence.objects.filter(last_number__gt=0).count() == 0
    services.decide_grant(case_id=case.pk, actor=approver)
    assert Notice.objects.get().number == 1


def test_payment_notice_failure_rolls_back_the_confirmation_number(decided_case, staff, finance, finance2, transfer_day, transfer_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Recording 振込完了 issues 額の確定 then 支払 notices; if the second fails, the first's number goes back."""
    from grants.notices import services as notice_services

    services.prepare_payment(case_id=decided_case.pk, actor=staff)
    services.approve_payment(case_id=decided_case.pk, actor=finance)
    batch = create_payment_batch(actor=finance, case_ids=[decided_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    before = DocumentSequence.objects.get().last_number
    real = notice_services.issue_notice

    def failing(*, case, kind, actor, **kw):  # type: ignore[no-untyped-def]
        if kind == NoticeKind.PAYMENT:
            raise notice_services.NoticeError("印刷できません")
        return real(case=case, kind=kind, actor=actor, **kw)

    monkeypatch.setattr(notice_services, "issue_notice", failing)
    with pytest.raises(BatchError):
        record_transfer_result(item_id=batch.items.get().pk, actor=finance, returned=False)
    assert DocumentSequence.objects.get().last_number == before
    assert not Notice.objects.filter(kind=NoticeKind.CONFIRMATION).exists()
    assert batch.items.get().result == ItemResult.SENT
    monkeypatch.setattr(notice_services, "issue_notice", real)
    record_transfer_result(item_id=batch.items.get().pk, actor=finance, returned=False)
    numbers = sorted(Notice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))  # no gap


# --- applicant text shaped like markup ---------------------------------------------------------------------------

EVIL = [
    "<style>@import url(http://example.com/x.css)</style>",
    "url(file:///etc/passwd)",
    "<style>*{background:url(file:///etc/passwd)}</style>",
    '<img src="http://example.com/pixel.png">',
    "<svg><image href='file:///etc/hostname'/></svg>",
    "</p></article><link rel=stylesheet href=//example.com/y.css>",
    "{{ secret }}{% now 'Y' %}",
]


@pytest.fixture
def fetch_spy(monkeypatch):  # type: ignore[no-untyped-def]
    calls: list[str] = []
    original = NoticeURLFetcher.fetch

    def spy(self, url, headers=None):  # type: ignore[no-untyped-def]
        calls.append(url)
        return original(self, url, headers)

    def no_network(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(f"urlopen {args[:1]}")
        raise AssertionError("network access")

    monkeypatch.setattr(NoticeURLFetcher, "fetch", spy)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    return calls


@pytest.mark.parametrize("evil", EVIL)
def test_markup_in_every_applicant_field_is_printed_as_text(programme_year, staff, staff2, approver, finance, fetch_spy, tmp_path, evil) -> None:  # type: ignore[no-untyped-def]
    org = factories.AssociationFactory(name=evil[:100])
    factories.RepresentativeFactory(organization=org, name=evil[:100], title=evil[:40])
    factories.BankAccountFactory(organization=org)
    factories.count(org, programme_year.base_date, 10)
    case = services.GrantCase(programme_year=programme_year, organization=org)
    services.apply_count(case, 10)
    case.save()
    services.submit_application(case_id=case.pk, actor=staff2)
    services.verify_application(case_id=case.pk, actor=staff)
    services.refuse_grant(case_id=case.pk, actor=approver, note=evil)
    notice = Notice.objects.get(case=case, kind=NoticeKind.REFUSAL)
    text = pdf_text(render_notice_pdf(notice), tmp_path)
    assert re.sub(r"\s+", "", evil[:100]) in text
    assert fetch_spy == []
    batch = render_notices_pdf([notice, notice])
    assert fetch_spy == [] and batch.startswith(b"%PDF")


# --- batch printing ---------------------------------------------------------------------------------------------

def test_head_cannot_request_batch_printing(client, association_head, decided_case, programme_year) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    assert client.post(reverse("notices_print", args=[programme_year.pk])).status_code == 403
    assert not Job.objects.exists()


@pytest.mark.parametrize("kind", ["bogus", "decision' OR 1=1", "DECISION"])
def test_unknown_kind_queues_nothing(client, staff, decided_case, programme_year, kind) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    assert client.post(reverse("notices_print", args=[programme_year.pk]), {"kind": kind}).status_code == 302
    assert not Job.objects.exists()


def test_unknown_year_is_404(client, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    assert client.post(reverse("notices_print", args=[999_999])).status_code == 404
    assert client.get(reverse("notices_print", args=[1])).status_code == 405


def test_printed_batch_is_not_for_heads_but_for_other_city_users(client, staff, auditor, association_head, decided_case, programme_year, django_capture_on_commit_callbacks, run_worker) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notices_print", args=[programme_year.pk]), {"kind": ""})
    job = Job.objects.get()
    assert response.url == reverse("job_detail", args=[job.pk])
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    client.logout()
    login(client, association_head)  # their own association's notice is in it, but not only theirs
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
    client.logout()
    login(client, auditor)  # by design every city user sees batch printing jobs
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 200


def test_job_of_a_deleted_notice_kind_param_fails_cleanly(staff, programme_year, decided_case, django_capture_on_commit_callbacks, run_worker) -> None:  # type: ignore[no-untyped-def]
    from grants.jobs.services import request_job

    with django_capture_on_commit_callbacks(execute=True):
        job = request_job(kind="notices_batch", actor=staff, title="x",
                          params={"programme_year": programme_year.pk, "kind": "<script>"})
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file


def test_auditor_role_is_city_but_cannot_issue(decided_case, auditor) -> None:  # type: ignore[no-untyped-def]
    from grants.notices.services import NoticeError

    with pytest.raises(NoticeError):
        issue_notice(case=decided_case, kind=NoticeKind.CONFIRMATION, actor=auditor)
    assert auditor.role == Role.AUDITOR
