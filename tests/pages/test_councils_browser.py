"""The council pages in a real browser: a secretary drafts a plan with the forms, another staff member approves
it, and axe finds no WCAG 2.1 A/AA violation on the plan pages, the staff page (with form errors) and the
実績報告 deadlines."""
import datetime as dt

import pytest
from django.utils import timezone

from grants.accounts.models import Role
from grants.cases.models import GrantCase, Status
from grants.organizations.models import CommunityPlan, PlanStatus
from tests import factories
from tests.councils import builders
from tests.factories import CURRENT_FY
from tests.pages.browser import add_plan_items, attach_plan_file, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_plan_pages_work_and_are_accessible(live_server, page, check_a11y, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    org, secretary = builders.council()
    factories.UserFactory(username="tanto2", role=Role.STAFF)

    log_in(page, live_server.url, secretary.username)
    page.get_by_role("link", name="地域づくり計画").click()
    page.get_by_role("link", name="新しい計画（最初の計画・次の期の計画）を作成する").click()
    page.get_by_label("期", exact=True).fill("第4期")
    page.get_by_label("計画の名称", exact=True).fill("大歳地域づくり計画")
    page.get_by_label("計画期間（最終年度）").select_option(str(CURRENT_FY + 4))
    check_a11y(page, "plan_create")
    page.get_by_role("button", name="作成する").click()
    page.get_by_text("地域づくり計画（作成中）を作成しました。").wait_for()

    add_plan_items(page, (("field", None, "1", "安心・安全"), ("measure", "分野 1 安心・安全", "1-1", "防災力の向上"),
                          ("action", "施策 1-1 防災力の向上", "1-1-1", "防災訓練")))
    attach_plan_file(page, "計画書")
    check_a11y(page, "plan_detail_draft")
    page.get_by_role("button", name="計画を提出する").click()
    page.get_by_text("計画を提出しました。").wait_for()

    log_in(page, live_server.url, "tanto2")
    plan = CommunityPlan.objects.get()
    page.goto(f"{live_server.url}/councils/plans/{plan.pk}/")
    check_a11y(page, "plan_detail_submitted")
    page.get_by_role("button", name="計画を承認する").click()
    page.get_by_text("計画を承認しました。").wait_for()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    page.get_by_role("link", name="地域づくり計画").first.click()
    check_a11y(page, "plan_list")


def test_staff_and_deadline_pages_are_accessible(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    org, secretary = builders.council()
    factories.UserFactory(username="tanto", role=Role.STAFF)
    builders.staff_member(org, secretary)
    py = builders.katsudo_year(report_due_days=30, report_due_fixed=None)
    today = timezone.localdate()
    plan = builders.approved_plan(org, secretary)
    case = GrantCase.objects.create(programme_year=py, organization=org, plan=plan,
                                    completion_deadline=today - dt.timedelta(days=31))
    GrantCase.objects.filter(pk=case.pk).update(status=Status.DECIDED)

    log_in(page, live_server.url, "tanto")
    page.goto(f"{live_server.url}/organizations/{org.pk}/")
    page.get_by_role("link", name="大歳地域づくり協議会の事務局員と雇用経費").click()
    page.get_by_role("heading", name="大歳地域づくり協議会　事務局員").wait_for()
    page.get_by_label("氏名").fill("鈴木 一郎")
    page.get_by_label("職名").fill("事務局員")
    page.get_by_label("時給", exact=True).check()
    page.get_by_label("雇用開始日").fill(f"{CURRENT_FY}-10-01")
    page.get_by_role("button", name="登録する", exact=True).last.click()
    page.get_by_text("時給の方は時給と月間の勤務時間を入力してください。").wait_for()
    check_a11y(page, "council_staff_errors")

    page.get_by_role("link", name="実績報告の期限").click()
    page.get_by_text("1日超過").wait_for()
    check_a11y(page, "overdue_reports")
