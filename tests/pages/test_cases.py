"""Pages: scoping (404 for another association's case), forms going through services, import errors shown."""
import io

import pytest
from django.urls import reverse

from grants.cases import services
from grants.cases.models import AnnualRun, GrantCase, Status
from grants.core.models import AuditEvent
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from grants.organizations.models import HouseholdCount
from tests.cases.steps import login, to_verified

pytestmark = pytest.mark.django_db


def test_head_sees_own_case_with_computation_lines(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    page = login(client, association_head).get(reverse("case_detail", args=[case.pk])).content.decode()
    for text in ("均等割", "10,000円", "世帯割", "120 × 500円", "60,000円", "交付額", "70,000円"):
        assert text in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_head_gets_404_for_another_associations_case(client, case, other_case, association_head, method) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    urls = [reverse("case_detail", args=[other_case.pk])] if method == "get" else [
        reverse("case_action", args=[other_case.pk, "submit"]),
        reverse("correct_count", args=[other_case.pk]),
    ]
    for url in urls:
        response = getattr(client, method)(url, {"households": 1, "reason": "x", "note": ""})
        assert response.status_code == 404
    other_case.refresh_from_db()
    assert (other_case.status, other_case.household_count) == (Status.DRAFT, 40)
    assert not AuditEvent.objects.exists()


def test_head_case_list_shows_only_own(client, case, other_case, association_head) -> None:  # type: ignore[no-untyped-def]
    page = login(client, association_head).get(reverse("case_list")).content.decode()
    assert case.organization.name in page and other_case.organization.name not in page


def test_head_cannot_open_programme_year_or_export(client, programme_year, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    assert client.get(reverse("programme_year", args=[programme_year.pk])).status_code == 403
    assert client.post(reverse("request_programme_year_export", args=[programme_year.pk]),
                       {"format": "xlsx"}).status_code == 403


def test_action_buttons_go_through_services_and_show_refusals(client, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head).post(reverse("case_action", args=[case.pk, "submit"]), {"note": ""})
    assert GrantCase.objects.get(pk=case.pk).status == Status.SUBMITTED
    login(client, staff).post(reverse("case_action", args=[case.pk, "verify"]), {"note": ""})
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "審査した方は、同じ案件の決裁を行えません。" not in page  # staff has no decide button at all
    assert GrantCase.objects.get(pk=case.pk).status == Status.VERIFIED


def test_double_submit_is_harmless(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    url = reverse("case_action", args=[case.pk, "submit"])
    client.post(url, {"note": ""})
    response = client.post(url, {"note": ""}, follow=True)
    assert "この操作はできません" in response.content.decode()
    assert AuditEvent.objects.filter(action="submit").count() == 1


def test_import_with_errors_writes_nothing_and_names_row_and_column(client, programme_year, association, staff) -> None:  # type: ignore[no-untyped-def]
    upload = io.BytesIO(f"団体コード,世帯数\n{association.code},-3\nZZ,4\n".encode())
    upload.name = "counts.csv"
    response = login(client, staff).post(reverse("annual_run_start", args=[programme_year.pk]),
                                         {"source": "import", "file": upload})
    page = response.content.decode()
    assert "2行目 B列（世帯数）: 「-3」は0以上100,000以下の整数ではありません。" in page
    assert "3行目 A列（団体コード）: 「ZZ」は登録されている団体の団体コードではありません。" in page
    assert not AnnualRun.objects.exists() and not HouseholdCount.objects.exists() and not GrantCase.objects.exists()


def test_the_import_form_states_the_limits_set_for_this_city(client, programme_year, staff, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HOUSEHOLD_IMPORT_MAX_BYTES, settings.IMPORT_MAX_ROWS = 1024 * 1024, 3_000
    url = reverse("annual_run_start", args=[programme_year.pk])
    assert "大きさは1MB、3,000行までです。" in login(client, staff).get(url).content.decode()
    upload = io.BytesIO(b"x" * (1024 * 1024 + 1))
    upload.name = "counts.csv"
    page = client.post(url, {"source": "import", "file": upload}).content.decode()
    assert "ファイルが大きすぎます（1MBまで）。" in page and not AnnualRun.objects.exists()


def test_annual_run_through_pages(client, programme_year, association, staff) -> None:  # type: ignore[no-untyped-def]
    upload = io.BytesIO(f"団体コード,世帯数\n{association.code},30\n".encode())
    upload.name = "counts.csv"
    response = login(client, staff).post(reverse("annual_run_start", args=[programme_year.pk]),
                                         {"source": "import", "file": upload})
    run = AnnualRun.objects.get()
    assert response.url == reverse("annual_run", args=[run.pk])
    data = client.post(reverse("annual_run_step", args=[run.pk]), HTTP_ACCEPT="application/json").json()
    assert (data["status"], data["created"], data["percent"]) == ("done", 1, 100)
    assert GrantCase.objects.get().computed_amount == 25_000


def test_programme_year_shows_budget_figures(client, programme_year, staff) -> None:  # type: ignore[no-untyped-def]
    page = login(client, staff).get(reverse("programme_year", args=[programme_year.pk])).content.decode()
    assert "5,000,000円" in page and "執行可能額" in page


def test_login_required(client, case) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_auditor_downloads_workbook(client, case, association_head, staff, approver, auditor, export_workbook) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    from grants.cases import services

    services.submit_application(case_id=case.pk, actor=association_head)
    services.verify_application(case_id=case.pk, actor=staff)
    services.decide_grant(case_id=case.pk, actor=approver)
    book = load_workbook(io.BytesIO(export_workbook(auditor, case.programme_year.pk)))
    assert book.sheetnames == ["台帳", "集計", "案件一覧", "交付決定", "支払", "返還", "監査証跡"]
    amounts = [row[4] for row in book["台帳"].iter_rows(min_row=2, values_only=True)]
    assert amounts == [5_000_000, 70_000]


def test_staff_changes_head_on_organization_page(client, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    from tests import factories

    new_head = factories.UserFactory(username="newhead", role="association_head")
    url = reverse("organization_detail", args=[case.organization_id])
    response = login(client, staff).post(url, {"name": "新会長 花子", "title": "会長", "started_on": "2026-06-01",
                                               "username": "newhead"}, follow=True)
    assert "新会長 花子さんに交代しました" in response.content.decode()
    client.logout()
    assert login(client, new_head).get(reverse("case_detail", args=[case.pk])).status_code == 200
    client.logout()
    assert login(client, association_head).get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert login(client, association_head).get(url).status_code == 404


def test_head_cannot_change_head(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    url = reverse("organization_detail", args=[case.organization_id])
    response = login(client, association_head).post(url, {"name": "乗っ取り", "title": "会長",
                                                          "started_on": "2026-06-01"}, follow=True)
    assert "担当者のみが登録できます" in response.content.decode()
    assert case.organization.representatives.count() == 1


def test_case_list_pagination_is_in_japanese(client, staff, programme_year) -> None:  # type: ignore[no-untyped-def]
    from grants.cases.models import GrantCase
    from tests import factories

    for org in factories.AssociationFactory.create_batch(55):
        GrantCase.objects.create(programme_year=programme_year, organization=org)
    page = login(client, staff).get(reverse("case_list")).content.decode()
    assert "次のページ" in page and "1ページ目" in page and ">next<" not in page
    assert "前のページ" in login(client, staff).get(reverse("case_list") + "?page=2").content.decode()


# Count corrections with absurd values, HTML/JS in free text, double clicks on the page.


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _page(client, case):  # type: ignore[no-untyped-def]
    return client.get(reverse("case_detail", args=[case.pk])).content.decode()


def _assert_escaped(page: str) -> None:
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


@pytest.mark.parametrize("value", ["1000000000", "100001", "-1", "1e3", "12.5", "", "abc", "10**9",
                                   "99999999999999999999999"])
def test_absurd_counts_refused_by_the_form(client, case, association_head, value) -> None:  # type: ignore[no-untyped-def]
    response = login(client, association_head).post(reverse("correct_count", args=[case.pk]),
                                                     {"households": value, "reason": "訂正"}, follow=True)
    assert "基準日の世帯数:" in response.content.decode()
    case.refresh_from_db()
    assert case.household_count == 120
    assert not HouseholdCount.objects.filter(source="correction").exists()


@pytest.mark.parametrize("value, expected", [("１２０", 120), ("-0", 0), ("-0.0", 0), ("7.0", 7), (" 5 ", 5), ("100000", 100_000)])
def test_edge_counts_accepted_by_the_form(client, case, association_head, value, expected) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head).post(reverse("correct_count", args=[case.pk]), {"households": value, "reason": "訂正"})
    assert GrantCase.objects.get(pk=case.pk).household_count == expected


def test_huge_reason_refused_and_whitespace_reason_refused(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    for reason in ("x" * 2001, "   ", "\u3000\n"):
        client.post(reverse("correct_count", args=[case.pk]), {"households": 5, "reason": reason})
    assert GrantCase.objects.get(pk=case.pk).household_count == 120
    assert not HouseholdCount.objects.filter(source="correction").exists()


def test_html_in_correction_reason_is_escaped(client, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    services.correct_household_count(case_id=case.pk, actor=association_head, households=5, reason=XSS)
    _assert_escaped(_page(login(client, staff), case))


def test_html_in_return_note_and_override_is_escaped(client, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    case.organization.bank_accounts.all().delete()
    services.submit_application(case_id=case.pk, actor=association_head)
    services.override_check(case_id=case.pk, actor=staff, check_code="bank_account", justification=XSS)
    login(client, staff).post(reverse("case_action", args=[case.pk, "return_to_applicant"]), {"note": XSS})
    assert GrantCase.objects.get(pk=case.pk).status == Status.DRAFT
    page = _page(client, case)
    _assert_escaped(page)
    client.logout()
    _assert_escaped(_page(login(client, association_head), case))


def test_html_in_organization_and_representative_names_is_escaped(client, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    org = case.organization
    org.name = XSS
    org.save()
    login(client, staff).post(reverse("organization_detail", args=[org.pk]),
                              {"name": XSS, "title": "<b>会長</b>", "started_on": "2026-06-01"})
    for url in (reverse("case_list"), reverse("case_detail", args=[case.pk]), reverse("organization_detail", args=[org.pk]),
                reverse("home")):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>会長" not in page, url


def test_html_in_search_box_is_escaped(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    page = login(client, association_head).get(reverse("case_list"), {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in page


@pytest.mark.parametrize("step", ["verify", "decide", "prepare_payment", "approve_payment"])
def test_double_post_of_each_step_acts_once(client, case, association_head, staff, approver, finance, finance2, step) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    actor = {"verify": staff, "decide": approver, "prepare_payment": finance, "approve_payment": finance2,
             "record_paid": finance}
    order = ["verify", "decide", "prepare_payment", "approve_payment", "record_paid"]
    for earlier in order[: order.index(step)]:
        services.__dict__[{"verify": "verify_application", "decide": "decide_grant", "prepare_payment": "prepare_payment",
                           "approve_payment": "approve_payment"}[earlier]](case_id=case.pk, actor=actor[earlier])
    login(client, actor[step])
    url = reverse("case_action", args=[case.pk, step])
    client.post(url, {"note": ""})
    second = client.post(url, {"note": ""}, follow=True).content.decode()
    assert "この操作はできません" in second
    assert AuditEvent.objects.filter(action=step).count() == 1
    account = BudgetAccount.objects.get(programme_year=case.programme_year)
    assert account.committed == (70_000 if order.index(step) >= 1 else 0)
    assert account.paid == (70_000 if step == "record_paid" else 0)
    assert LedgerEntry.objects.filter(case=case).count() == (order.index(step) >= 1) + (step == "record_paid")


def test_payment_is_not_recorded_from_the_case_page(client, case, association_head, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    """Payments go out only through an approved payment batch (with its 全銀 file): the case page has no
    record_paid action, and posting to it is 404."""
    services.submit_application(case_id=case.pk, actor=association_head)
    to_verified_and_on(case, staff, approver, finance, finance2)
    login(client, finance)
    assert client.post(reverse("case_action", args=[case.pk, "record_paid"]), {"note": ""}).status_code == 404
    assert "振込を実行する" not in client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert BudgetAccount.objects.get(programme_year=case.programme_year).paid == 0


def to_verified_and_on(case, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    services.verify_application(case_id=case.pk, actor=staff)
    services.decide_grant(case_id=case.pk, actor=approver)
    services.prepare_payment(case_id=case.pk, actor=finance)
    services.approve_payment(case_id=case.pk, actor=finance2)


def test_double_correction_keeps_history(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    for _ in range(2):
        client.post(reverse("correct_count", args=[case.pk]), {"households": 130, "reason": "訂正"})
    assert GrantCase.objects.get(pk=case.pk).computed_amount == 10_000 + 130 * 500
    assert HouseholdCount.objects.filter(organization=case.organization, source="correction").count() == 2


def test_regression_overlong_note_silently_dropped(client, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (views.case_action): when NoteForm is invalid (note over 2,000 characters) the view uses note=""
    and carries on. For verify/submit the applicant's or reviewer's note is lost without a word; for a step
    whose note is required (差戻し, 不交付) the user is told 「理由を入力してください」 although they did. The
    view should report the form error and not act."""
    services.submit_application(case_id=case.pk, actor=association_head)
    login(client, staff).post(reverse("case_action", args=[case.pk, "verify"]), {"note": "確認済み。" + "x" * 2000})
    assert GrantCase.objects.get(pk=case.pk).status == Status.SUBMITTED, "acted with the note thrown away"


def test_refuse_needs_reason(client, case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    to_verified(case, association_head, staff)
    login(client, approver)
    response = client.post(reverse("case_action", args=[case.pk, "refuse"]), {"note": "  "}, follow=True)
    assert "理由を入力してください" in response.content.decode()
    assert GrantCase.objects.get(pk=case.pk).status == Status.VERIFIED


# Attacks on scoping and roles: another association's data, ended terms, wrong roles, separation of duties.


@pytest.mark.parametrize("query", ["?per_page=0", "?page=-1", "?page=0", "?page=abc", "?per_page=abc",
                                   "?page=1000", "?sort=nonexistent"])
def test_case_list_tolerates_odd_pagination(client, case, association_head, query) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    assert client.get(reverse("case_list") + query).status_code == 200


@pytest.mark.parametrize("query", ["?per_page=-5", "?page=99999999999999999999", "?per_page=99999999999999999999"])
def test_regression_case_list_pagination_params_crash(client, case, association_head, query) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed: django-tables2's RequestConfig reads ``per_page``/``page`` from the query string unchecked.
    ``per_page=-5`` gives a negative slice (ValueError "Negative indexing is not supported"), and a 20-digit
    ``page``/``per_page`` reaches SQL LIMIT/OFFSET (SQLite "datatype mismatch", PostgreSQL bigint out of range):
    any logged-in user gets a 500 from /cases/."""
    login(client, association_head)
    client.raise_request_exception = False
    response = client.get(reverse("case_list") + query)
    assert response.status_code in (200, 404), response.status_code


def test_disabled_buttons_cannot_be_forced_by_post(client, case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    """A head posting straight to verify/decide, bypassing the page, is refused by the service."""
    services.submit_application(case_id=case.pk, actor=association_head)
    login(client, association_head)
    for action in ("verify", "decide", "return_to_applicant"):
        response = client.post(reverse("case_action", args=[case.pk, action]), {"note": "x"}, follow=True)
        assert "権限がありません" in response.content.decode()
    assert GrantCase.objects.get(pk=case.pk).status == Status.SUBMITTED


def test_unknown_action_slug_is_404(client, case, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    for slug in ("save", "delete", "__init__", "_transition", "apply_count"):
        assert client.post(reverse("case_action", args=[case.pk, slug])).status_code == 404


def test_actions_need_post(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    assert client.get(reverse("case_action", args=[case.pk, "submit"])).status_code == 405
    assert client.get(reverse("correct_count", args=[case.pk])).status_code == 405


def test_csrf_is_enforced(case, association_head) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, association_head)
    assert client.post(reverse("case_action", args=[case.pk, "submit"]), {"note": ""}).status_code == 403
    assert GrantCase.objects.get(pk=case.pk).status == Status.DRAFT


@pytest.mark.parametrize("name", ["case_detail", "organization_detail", "programme_year", "annual_run",
                                  "annual_run_start"])
def test_huge_ids_in_urls_are_404(client, case, staff, name) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    assert client.get(reverse(name, args=[99999999999999999999])).status_code == 404


def test_huge_ids_in_post_urls_are_404(client, case, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    huge = 99999999999999999999
    assert client.post(reverse("case_action", args=[huge, "verify"])).status_code == 404
    assert client.post(reverse("correct_count", args=[huge]), {"households": 1, "reason": "x"}).status_code == 404
    assert client.post(reverse("annual_run_step", args=[huge])).status_code == 404


# Payment batches attacked by the wrong people: every role but 会計課 through the pages (POSTs) and the
# services, the preparer approving their own batch (also after a role change), an association head on the
# /payments/ pages, an auditor downloading the 全銀 file.


@pytest.mark.parametrize("action", ["record_paid", "return_transfer"])
def test_batch_only_transitions_cannot_be_posted_from_the_case_page(client, approved_case, finance2, action) -> None:  # type: ignore[no-untyped-def]
    """Paying without a batch (no 全銀 file, no second 会計課 approval) through the generic case action URL."""
    login(client, finance2)
    response = client.post(reverse("case_action", args=[approved_case.pk, action]), {"note": "x"})
    assert response.status_code == 404
    assert GrantCase.objects.get(pk=approved_case.pk).status == Status.PAYMENT_APPROVED
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()
