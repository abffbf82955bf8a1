"""Pages: scoping (404 for another association's case), forms going through services, import errors shown."""
import io

import pytest
from django.urls import reverse

from grants.cases.models import AnnualRun, GrantCase, Status
from grants.core.models import AuditEvent
from grants.organizations.models import HouseholdCount
from tests.cases.steps import login

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
