"""The evaluation pages (pages.evaluation): the 評価委員's list, declaration, case page and score form; the city's
page of a case's evaluation (assign, withdraw, publication). Attacks: another evaluator's assignment, a declined
one, forged ids, double submission, bad scores kept as typed; nothing of personal data on the evaluator's page."""
import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from grants.core import once
from grants.evaluation import assignments
from grants.evaluation.models import Assignment, Publication, Score
from tests import factories
from tests.evaluation.cast import assign, cast, closed_case, submitted

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def key(client: Client, url: str) -> str:
    """The one-time key of the form on the page at ``url``."""
    found = re.search(rf'name="{once.FIELD}" value="([^"]+)"', client.get(url).content.decode())
    assert found, url
    return found.group(1)


def test_the_evaluator_lands_on_home_with_a_link_to_their_list_and_no_case_list() -> None:
    c = cast()
    assign(c)
    page = client_of(c.evaluator).get(reverse("home")).content.decode()
    assert "評価をお願いしている案件が1件あります。" in page
    assert reverse("evaluation_home") in page and reverse("case_list") not in page
    listed = client_of(c.evaluator).get(reverse("evaluation_home")).content.decode()
    assert c.case.reference in listed and "未申告" in listed


def test_declare_then_score_a_draft_then_submit_once() -> None:
    c = cast()
    a = assign(c)
    client = client_of(c.evaluator)
    url = reverse("evaluation_assignment", args=[a.pk])
    page = client.get(url).content.decode()
    assert "利益相反の申告" in page and "参加者数" not in page  # nothing of the case before the declaration
    response = client.post(reverse("evaluation_declare", args=[a.pk]), {"conflicted": "no", "reason": ""})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert "参加者数" in page and "120人" in page and "自己評価：目標の達成度" in page
    for private in ("代表 花子", "7654321", "山口銀行", "ｵｵﾄｼ"):
        assert private not in page
    scores_url = reverse("evaluation_scores", args=[a.pk])
    draft = {f"score_{c.criteria[0].pk}": "4", f"comment_{c.criteria[0].pk}": "目標を超えました。", "intent": "draft"}
    assert client.post(scores_url, draft).status_code == 302
    assert Score.objects.get().comment == "目標を超えました。"
    partial = {**draft, "intent": "submit"}
    response = client.post(scores_url, partial)
    assert response.status_code == 400 and "次の評価項目を採点してください" in response.content.decode()
    assert Assignment.objects.get().status == "assigned"
    full = {**draft, f"score_{c.criteria[1].pk}": "3", f"score_{c.criteria[2].pk}": "2", "intent": "submit",
            once.FIELD: key(client, url)}
    assert client.post(scores_url, full).status_code == 302
    assert client.post(scores_url, full).status_code == 302  # the same form again: answered as the first
    a.refresh_from_db()
    assert a.status == "submitted"
    page = client.get(url).content.decode()
    assert "提出した評価" in page and "評価を提出する" not in page
    response = client.post(scores_url, {**full, f"score_{c.criteria[0].pk}": "1", once.FIELD: ""})
    assert "変更できません" in response.content.decode()
    assert Score.objects.get(criterion=c.criteria[0]).score == 4


def test_attack_bad_scores_come_back_as_typed_and_write_nothing() -> None:
    c = cast()
    a = assign(c)
    assignments.declare(assignment_id=a.pk, actor=c.evaluator, conflicted=False)
    client = client_of(c.evaluator)
    response = client.post(reverse("evaluation_scores", args=[a.pk]), {
        f"score_{c.criteria[0].pk}": "9", f"comment_{c.criteria[0].pk}": "残しておく講評", "intent": "draft"})
    page = response.content.decode()
    assert response.status_code == 400 and "1〜5の整数で入力してください。" in page and "残しておく講評" in page
    assert not Score.objects.exists()


def test_declaring_a_conflict_declines_and_the_case_is_gone() -> None:
    c = cast()
    a = assign(c)
    client = client_of(c.evaluator)
    response = client.post(reverse("evaluation_declare", args=[a.pk]), {"conflicted": "yes", "reason": ""})
    assert response.status_code == 400 and "その内容を入力してください" in response.content.decode()
    response = client.post(reverse("evaluation_declare", args=[a.pk]), {"conflicted": "yes", "reason": "妻が会員"})
    assert response.status_code == 302 and response["Location"] == reverse("evaluation_home")
    assert Assignment.objects.get().status == "declined"
    for name in ("evaluation_assignment", "evaluation_scores"):
        assert client.get(reverse(name, args=[a.pk])).status_code == 404
    assert client.post(reverse("evaluation_scores", args=[a.pk]), {"intent": "draft"}).status_code == 404


def test_attack_another_evaluator_gets_404_on_every_url_of_an_assignment() -> None:
    c = cast()
    a = assign(c)
    other = client_of(c.evaluator2)
    for name in ("evaluation_assignment", "evaluation_declare", "evaluation_scores"):
        assert other.post(reverse(name, args=[a.pk]), {"conflicted": "no"}).status_code == 404
    assert other.get(reverse("evaluation_assignment", args=[a.pk])).status_code == 404
    assert other.get(reverse("evaluation_assignment", args=[999_999])).status_code == 404
    assert Assignment.objects.get().conflict_declared is None
    assert client_of(c.evaluator2).get(reverse("case_detail", args=[c.case.pk])).status_code == 404


def test_staff_assign_from_the_case_page_and_a_tied_evaluator_is_refused_at_the_form() -> None:
    c = cast()
    staff = client_of(c.staff)
    case_page = staff.get(reverse("case_detail", args=[c.case.pk])).content.decode()
    assert reverse("case_evaluation", args=[c.case.pk]) in case_page
    page_url = reverse("case_evaluation", args=[c.case.pk])
    url = reverse("case_evaluation_assign", args=[c.case.pk])
    form = {"evaluator": str(c.evaluator.pk), "kind": "peer", once.FIELD: key(staff, page_url)}
    assert staff.post(url, form).status_code == 302
    assert staff.post(url, form).status_code == 302  # a double click assigns once
    assert Assignment.objects.count() == 1
    factories.RepresentativeFactory(organization=c.org, user=c.evaluator2, name="評価 二郎", role="clerk",
                                    started_on=dt.date(2024, 4, 1))
    response = staff.post(url, {"evaluator": str(c.evaluator2.pk), "kind": "third_party"})
    assert response.status_code == 400 and "役員・利用者（現在または過去）のため" in response.content.decode()
    assert Assignment.objects.count() == 1


def test_staff_withdraw_and_decide_the_publication_and_other_city_roles_only_read() -> None:
    c = cast()
    first = submitted(c, c.evaluator, (4, 3, 2), ("講評その1",))
    waiting = assign(c, c.evaluator2)
    staff = client_of(c.staff)
    page = staff.get(reverse("case_evaluation", args=[c.case.pk])).content.decode()
    assert "評価 一郎" in page and "講評その1" in page and "評価 二郎さんへの割当を取り消す" in page
    assert "評価 一郎さんへの割当を取り消す" not in page  # submitted: not offered
    assert staff.post(reverse("case_evaluation_withdraw", args=[c.case.pk, waiting.pk]), {"note": ""}).status_code == 302
    assert Assignment.objects.get(pk=waiting.pk).status == "withdrawn"
    comment = Score.objects.get(assignment=first, criterion=c.criteria[0])
    response = staff.post(reverse("case_evaluation_publication", args=[c.case.pk]),
                          {"publish_scores": "on", "summary": "よい事業でした。", "comments": [str(comment.pk)]})
    assert response.status_code == 302
    assert Publication.objects.get().publish_scores and Score.objects.get(pk=comment.pk).comment_published
    approver = client_of(factories.UserFactory(username="kessai", role="approver"))
    assert approver.get(reverse("case_evaluation", args=[c.case.pk])).status_code == 200
    assert approver.post(reverse("case_evaluation_publication", args=[c.case.pk]),
                         {"summary": "書き換え"}).status_code == 403
    assert Publication.objects.get().summary == "よい事業でした。"


def test_attack_a_withdrawal_through_another_case_is_not_found() -> None:
    c = cast()
    a = assign(c)
    other = closed_case(c.year, factories.AssociationFactory())
    response = client_of(c.staff).post(reverse("case_evaluation_withdraw", args=[other.pk, a.pk]), {})
    assert response.status_code == 404
    assert Assignment.objects.get().status == "assigned"


def test_attack_the_group_does_not_read_a_declared_conflicts_reason_in_its_case_history() -> None:
    c = cast()
    a = assign(c)
    assignments.declare(assignment_id=a.pk, actor=c.evaluator, conflicted=True, reason="妻がこの会の会員です")
    page = client_of(c.head).get(reverse("case_detail", args=[c.case.pk])).content.decode()
    assert "妻がこの会の会員です" not in page
    assert c.evaluator.display_name not in page
    staff_page = client_of(c.staff).get(reverse("case_evaluation", args=[c.case.pk])).content.decode()
    assert "妻がこの会の会員です" in staff_page


def test_attack_the_group_does_not_learn_who_evaluated_its_case_from_its_history() -> None:
    # given an evaluation submitted, another declined and a third withdrawn on the group's closed case
    c = cast()
    done = submitted(c, c.evaluator, tuple(criterion.max_score for criterion in c.criteria))
    other = factories.UserFactory(username="hyoka-other", role="evaluator")
    third = factories.UserFactory(username="hyoka-third", role="evaluator")
    assignments.declare(assignment_id=assign(c, evaluator=other).pk, actor=other, conflicted=True, reason="親族")
    assignments.withdraw(assignment_id=assign(c, evaluator=third).pk, actor=c.staff)
    assert done.status == "submitted"
    # then the case page the group reads names none of the evaluators
    page = client_of(c.head).get(reverse("case_detail", args=[c.case.pk])).content.decode()
    for evaluator in (c.evaluator, other, third):
        assert evaluator.display_name not in page


def test_a_conflict_found_after_declaring_none_is_declared_from_the_case_page() -> None:
    # given an evaluator who declared no conflict and opened the case
    c = cast()
    a = assign(c)
    assignments.declare(assignment_id=a.pk, actor=c.evaluator, conflicted=False)
    evaluator = client_of(c.evaluator)
    page = evaluator.get(reverse("evaluation_assignment", args=[a.pk])).content.decode()
    assert "利益相反を申し出て辞退する" in page
    found = re.search(rf'name="{once.FIELD}" value="([^"]+)"', page.split('id="late-conflict"')[1])
    assert found
    # when they declare the conflict from the case page
    response = evaluator.post(reverse("evaluation_declare", args=[a.pk]),
                              {once.FIELD: found.group(1), "conflicted": "yes", "reason": "読んでみると親族が代表でした"})
    # then the assignment is declined with the reason, and the case no longer opens
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.status, a.conflict_declared, a.conflict_reason) == ("declined", True, "読んでみると親族が代表でした")
    assert evaluator.get(reverse("evaluation_assignment", args=[a.pk])).status_code == 404
