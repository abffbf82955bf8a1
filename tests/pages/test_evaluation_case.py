"""The 評価 section of the case page: the targets form while the application may be edited (input kept and each
error at its row's field, nothing written), the results and 自己評価 form after the decision, another group's case
refused (404, nothing written), and what each reader sees of the evaluators' scores and comments."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.cases.models import GrantCase
from grants.core.models import AuditEvent
from grants.core.once import FIELD
from grants.evaluation.models import Assignment, EvaluationKind, Indicator, Publication, Score, SelfAssessment
from grants.evaluation.targets import NO_TARGETS
from tests.cases.steps import login, messages_of
from tests.councils.steps import draft
from tests.evaluation.targets_world import answer, criteria, decided_with_targets, with_targets
from tests.factories import UserFactory
from tests.pages.case_pages import page


def targets_post(rows: list[tuple[str, str, str, str]], initial: int = 0) -> dict[str, str]:
    data = {"target-TOTAL_FORMS": str(len(rows)), "target-INITIAL_FORMS": str(initial),
            "target-MIN_NUM_FORMS": "0", "target-MAX_NUM_FORMS": "20"}
    for n, (name, unit, baseline, target) in enumerate(rows):
        data.update({f"target-{n}-name": name, f"target-{n}-unit": unit, f"target-{n}-baseline": baseline,
                     f"target-{n}-target": target})
    return data


def error_of(html: str, field_id: str) -> str:
    found = re.search(rf'<span class="errorlist" id="{field_id}_error">([^<]*)</span>', html)
    return found.group(1) if found else ""


@pytest.mark.django_db
def test_the_group_states_its_targets_on_the_case_page(client, katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    html = page(login(client, council[1]), case)
    assert "<h2 id=\"evaluation-heading\">評価</h2>" in html and 'id="targets-required"' in html
    assert 'id="targets-form"' in html and "指標1" in html and "指標2" in html
    response = client.post(reverse("case_targets", args=[case.pk]), targets_post(
        [("講座の参加者数", "人", "40", "100"), ("", "", "", ""), ("清掃の回数", "回", "", "12")]), follow=True)
    assert messages_of(response) == ["目標と指標を保存しました。"]
    assert list(case.indicators.order_by("order").values_list("name", "target")) == [
        ("講座の参加者数", Decimal("100")), ("清掃の回数", Decimal("12"))]
    html = response.content.decode()
    assert 'id="targets-required"' not in html and "講座の参加者数（人）" in html
    assert 'value="講座の参加者数"' in html  # the form offers the rows written, to correct them


@pytest.mark.django_db
def test_bad_targets_come_back_as_typed_with_the_error_at_the_row(client, katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    with_targets(case, council[1])
    before = AuditEvent.objects.count()
    login(client, council[1])
    response = client.post(reverse("case_targets", args=[case.pk]), targets_post(
        [("参加者数", "人", "", "100"), ("見学者数", "", "", "-5")]))
    assert response.status_code == 200
    html = response.content.decode()
    assert error_of(html, "targets-target-1-unit") == "単位: 入力してください。"
    assert error_of(html, "targets-target-1-target") == "目標値: 0以上の数値を入力してください。"
    assert 'value="見学者数"' in html and 'value="-5"' in html
    assert "2行目 単位: 入力してください。" in " ".join(messages_of(response))
    assert [i.name for i in case.indicators.order_by("order")] == ["講座の参加者数", "放置竹林の面積"]
    assert AuditEvent.objects.count() == before
    # Not a number: the form's own check, at the field, the input kept.
    response = client.post(reverse("case_targets", args=[case.pk]), targets_post([("参加者数", "人", "", "百")]))
    html = response.content.decode()
    assert "数値" in error_of(html, "targets-target-0-target") and 'value="百"' in html
    # No row at all: refused at the first row's 指標名.
    response = client.post(reverse("case_targets", args=[case.pk]), targets_post([("", "", "", "")]))
    assert error_of(response.content.decode(), "targets-target-0-name") == f"指標名: {NO_TARGETS}"
    assert case.indicators.count() == 2


@pytest.mark.django_db
def test_another_groups_case_answers_404_and_nothing_is_written(client, katsudo, council, council_b, staff,  # type: ignore[no-untyped-def]
                                                                 approver) -> None:
    found = criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    decided_with_targets(case, council[1], staff, approver)
    before = AuditEvent.objects.count()
    login(client, council_b[1])
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("case_targets", args=[case.pk]),
                       targets_post([("乗っ取り", "件", "", "1")])).status_code == 404
    first = case.indicators.order_by("order").first()
    assert client.post(reverse("case_results", args=[case.pk]),
                       {f"result_{first.pk}": "1", f"score_{found[0].pk}": "1"}).status_code == 404
    assert client.post(reverse("case_targets", args=[999_999]), {}).status_code == 404
    assert case.indicators.count() == 2 and not Indicator.objects.filter(result__isnull=False).exists()
    assert not SelfAssessment.objects.exists() and AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_targets_are_shown_but_not_offered_once_submitted(client, katsudo, council, staff, approver) -> None:  # type: ignore[no-untyped-def]
    criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    decided_with_targets(case, council[1], staff, approver)
    login(client, council[1])
    html = page(client, case)
    assert "講座の参加者数（人）" in html and 'id="targets-form"' not in html
    response = client.post(reverse("case_targets", args=[case.pk]), targets_post([("後から", "件", "", "1")]),
                           follow=True)
    assert response.status_code == 200 and case.indicators.count() == 2
    assert any("交付申請" in m or "できません" in m or "入力できます" in m for m in messages_of(response))


@pytest.mark.django_db
def test_results_and_self_evaluation_after_the_decision(client, katsudo, council, staff, approver) -> None:  # type: ignore[no-untyped-def]
    found = criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    decided_with_targets(case, council[1], staff, approver)
    first, second = case.indicators.order_by("order")
    login(client, council[1])
    html = page(client, case)
    assert 'id="results-form"' in html and "講座の参加者数の実績値（人）" in html
    assert "自己評価「事業の継続性」" not in html  # not asked of the group
    data = {f"result_{first.pk}": "120", f"note_{first.pk}": "毎回満員でした。", f"result_{second.pk}": "",
            f"score_{found[0].pk}": "4", f"comment_{found[0].pk}": "よくできた", f"score_{found[1].pk}": ""}
    response = client.post(reverse("case_results", args=[case.pk]), data)
    html = response.content.decode()
    assert error_of(html, f"results-result_{second.pk}") == f"2. {second.name}の実績値（{second.unit}）: 入力してください。"
    assert error_of(html, f"results-score_{found[1].pk}").endswith("点数を選んでください。")
    assert 'value="120"' in html and "毎回満員でした。" in html and "よくできた" in html
    assert not SelfAssessment.objects.exists() and not Indicator.objects.filter(result__isnull=False).exists()
    data.update({f"result_{second.pk}": "300", f"score_{found[1].pk}": "3"})
    response = client.post(reverse("case_results", args=[case.pk]), data, follow=True)
    assert messages_of(response) == ["実績と自己評価を保存しました。"]
    html = response.content.decode()
    assert "120人" in html and "120.0%" in html and "達成" in html
    # 放置竹林の面積: 500 → 200 (a reduction); 300 reached: (500 − 300) / (500 − 200) = 66.7%.
    assert "66.7%" in html and "未達成" in html
    # 自己評価 weighted: (4 × 2 + 3 × 1) / 3 = 3.7.
    assert "3.7点" in html


def _evaluated(case, found, staff, published: bool):  # type: ignore[no-untyped-def]
    evaluator = UserFactory(username="hyoka", role="evaluator")
    assignment = Assignment.objects.create(case=case, evaluator=evaluator, kind=EvaluationKind.THIRD_PARTY,
                                           assigned_by=staff, conflict_declared=False)
    Assignment.objects.filter(pk=assignment.pk).update(status="submitted", submitted_at=timezone.now())
    Score.objects.create(assignment=assignment, criterion=found[0], score=5, comment="公表する講評です",
                         comment_published=True)
    Score.objects.create(assignment=assignment, criterion=found[1], score=2, comment="内部だけの講評です")
    Score.objects.create(assignment=assignment, criterion=found[2], score=3)
    if published:
        Publication.objects.create(case=case, publish_scores=True, summary="地域に根づいた活動です。", decided_by=staff,
                                   decided_at=timezone.now())
    return evaluator


@pytest.mark.django_db
def test_staff_see_every_comment_the_group_only_what_was_published(client, katsudo, council, staff,  # type: ignore[no-untyped-def]
                                                                   approver) -> None:
    found = criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    decided_with_targets(case, council[1], staff, approver)
    answer(case, council[1], found)
    evaluator = _evaluated(case, found, staff, published=False)
    html = page(login(client, staff), case)
    assert "公表する講評です" in html and "内部だけの講評です" in html and 'id="evaluator-mean"' in html
    # (5 × 2 + 2 × 1 + 3 × 1) / 4 = 3.75 → 3.8
    assert "3.8点（評価した委員 1人）" in html and str(evaluator) not in html
    html = page(login(client, council[1]), case)
    assert "公表する講評です" not in html and "内部だけの講評です" not in html and 'id="evaluator-mean"' not in html
    assert "3.7点" in html  # their own 自己評価
    Publication.objects.create(case=case, publish_scores=True, summary="地域に根づいた活動です。", decided_by=staff,
                               decided_at=timezone.now())
    html = page(client, case)
    assert "公表する講評です" in html and "内部だけの講評です" not in html and "地域に根づいた活動です。" in html
    assert "3.8点" in html


@pytest.mark.django_db
def test_a_formula_case_has_no_evaluation_section(client, staff, approved_case) -> None:  # type: ignore[no-untyped-def]
    assert 'id="evaluation"' not in page(login(client, staff), GrantCase.objects.get(pk=approved_case.pk))


@pytest.mark.django_db
def test_the_targets_form_sent_twice_saves_once(client, katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    html = page(login(client, council[1]), case)
    form = html.split('id="targets-form"')[1].split("</form>")[0]
    key = re.search(rf'name="{FIELD}" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    data = {**targets_post([("講座の参加者数", "人", "", "100")]), FIELD: key}
    first = client.post(reverse("case_targets", args=[case.pk]), data, follow=True)
    second = client.post(reverse("case_targets", args=[case.pk]), data, follow=True)
    assert messages_of(first) == messages_of(second) == ["目標と指標を保存しました。"]
    assert AuditEvent.objects.filter(action="save_targets").count() == 1 and case.indicators.count() == 1
    # The same key with other input (Back and send again) is refused and writes nothing.
    third = client.post(reverse("case_targets", args=[case.pk]),
                        {**targets_post([("別の指標", "回", "", "5")]), FIELD: key}, follow=True)
    assert "目標と指標を保存しました。" not in messages_of(third)
    assert list(case.indicators.values_list("name", flat=True)) == ["講座の参加者数"]


@pytest.mark.django_db
def test_a_competitive_application_asks_for_targets_too(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    from grants.cases.workflows import CaseActionError
    from grants.competitive.workflows import COMPETITIVE
    from grants.core import workflow
    from tests.competitive import steps as competitive

    criteria(open_call.programme_year)
    case = competitive.draft(open_call, *npo)
    html = page(login(client, npo[1]), case)
    assert 'id="targets-form"' in html and 'id="targets-required"' in html
    with pytest.raises(CaseActionError, match="目標と指標"):
        workflow.perform(COMPETITIVE.machine, case.pk, "submit", actor=npo[1])
    client.post(reverse("case_targets", args=[case.pk]), targets_post([("交流会の参加者数", "人", "", "300")]))
    workflow.perform(COMPETITIVE.machine, case.pk, "submit", actor=npo[1])
    assert GrantCase.objects.get(pk=case.pk).status == "submitted"
