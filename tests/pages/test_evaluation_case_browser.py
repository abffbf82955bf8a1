"""The 評価 section of a council's case in a real browser: the secretary is refused the submission without targets,
enters them in the form (a wrong row shown again as typed, its error at its field), submits; after the decision
enters the results and the 自己評価 with its report; axe finds no WCAG 2.1 A/AA violation on the application's and
the report's sections, with their errors shown too (every <details> opened)."""
import pytest
from django.utils import timezone

from grants.cases import lifecycle
from grants.evaluation.models import Indicator, SelfAssessment
from tests import factories
from tests.councils import builders
from tests.councils.helpers import line
from tests.councils.steps import draft
from tests.evaluation.targets_world import criteria
from tests.factories import CURRENT_FY
from tests.pages.browser import done, log_in, open_case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
]


def test_targets_and_results_on_the_case_page_are_accessible(live_server, page, check_a11y, settings,  # type: ignore[no-untyped-def]
                                                             tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    org, secretary = builders.council()
    staff = factories.UserFactory(username="tanto", role="staff")
    approver = factories.UserFactory(username="kessai", role="approver")
    katsudo = builders.katsudo_year()
    found = criteria(katsudo)
    case, plan, cats = draft(katsudo, (org, secretary), staff)
    base = live_server.url

    log_in(page, base, secretary.username)
    open_case(page, base, case.pk)
    page.get_by_role("button", name="交付申請書を提出する").click()
    page.locator(".message-error", has_text="目標と指標: 1つ以上入力して保存してから").wait_for()
    open_case(page, base, case.pk)
    rows = page.locator("#targets-form fieldset")
    first, second = rows.nth(0), rows.nth(1)
    first.get_by_label("指標名").fill("講座の参加者数")
    first.get_by_label("単位").fill("人")
    first.get_by_label("現状値").fill("40")
    first.get_by_label("目標値").fill("100")
    second.get_by_label("指標名").fill("見学者数")
    second.get_by_label("目標値").fill("30")
    page.get_by_role("button", name="目標と指標を保存する").click()
    page.locator("#targets-target-1-unit_error", has_text="単位: 入力してください。").wait_for()
    assert page.locator("#targets-target-1-name").input_value() == "見学者数"
    assert not Indicator.objects.exists()
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    check_a11y(page, "evaluation_targets_error")
    page.locator("#targets-target-1-unit").fill("人")
    page.get_by_role("button", name="目標と指標を保存する").click()
    done(page, "目標と指標を保存しました。")
    open_case(page, base, case.pk)
    page.locator("#evaluation").scroll_into_view_if_needed()
    check_a11y(page, "evaluation_targets")
    page.get_by_role("button", name="交付申請書を提出する").click()
    page.locator("#case-status", has_text="申請済").wait_for()

    lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=1_000_000, conditions="",
                     completion_deadline=timezone.datetime(CURRENT_FY + 1, 3, 31).date(), note="")
    lifecycle.decide(case_id=case.pk, actor=approver)
    lifecycle.save_report(case_id=case.pk, actor=secretary, narrative="実施した。", completed_on=timezone.localdate())
    line(case, secretary, where="report", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         amount=500_000, description="実績1")

    open_case(page, base, case.pk)
    first_indicator, second_indicator = Indicator.objects.filter(case=case).order_by("order")
    page.locator(f"#results-result_{first_indicator.pk}").fill("120")
    page.locator(f"#results-note_{first_indicator.pk}").fill("毎回ほぼ満員でした。")
    page.locator(f"#results-score_{found[0].pk}").select_option("4")
    page.get_by_role("button", name="実績と自己評価を保存する").click()
    page.locator(f"#results-result_{second_indicator.pk}_error", has_text="入力してください。").wait_for()
    assert page.locator(f"#results-result_{first_indicator.pk}").input_value() == "120"
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    check_a11y(page, "evaluation_results_error")
    page.locator(f"#results-result_{second_indicator.pk}").fill("25")
    page.locator(f"#results-score_{found[1].pk}").select_option("3")
    page.get_by_role("button", name="実績と自己評価を保存する").click()
    done(page, "実績と自己評価を保存しました。")
    assert SelfAssessment.objects.filter(case=case).count() == 2
    open_case(page, base, case.pk)
    page.locator("#evaluation").scroll_into_view_if_needed()
    check_a11y(page, "evaluation_results")
    page.get_by_role("button", name="実績報告書を提出する").click()
    page.locator("#case-status", has_text="実績報告済").wait_for()
