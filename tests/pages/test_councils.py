"""The 地域づくり計画 pages: list, detail (item tree, attachments, versions, history), every form through the
services in ``grants.councils.plans``, who sees which action, 404 for plans of another council, and the
attachment download."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.cases.models import GrantCase
from grants.core.fiscal import fiscal_year_label
from grants.core.models import AuditEvent
from grants.councils import plans
from grants.organizations.models import Area, CommunityPlan, Organization, PlanAttachment, PlanItem, PlanStatus
from tests import factories
from tests.cases.steps import login, messages_of
from tests.councils import builders
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db



def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


@pytest.fixture
def other_council(db):  # type: ignore[no-untyped-def]
    """湯田まちづくり協議会 (another area, another kind of name) with its own secretary."""
    org, secretary = builders.council(name="湯田まちづくり協議会", username="secretary-yuda")
    yuda = Area.objects.create(code="03", name="湯田", kana="ゆだ", centre_name="湯田地域交流センター")
    Organization.objects.filter(pk=org.pk).update(area=yuda)
    org.refresh_from_db()
    return org, secretary


@pytest.fixture
def draft(council, staff):  # type: ignore[no-untyped-def]
    """A draft plan of 大歳 made by its secretary, with one 分野."""
    org, secretary = council
    plan = plans.create_plan(actor=secretary, organization=org, term_label="第4期", title="大歳地域づくり計画",
                             first_fiscal_year=CURRENT_FY, last_fiscal_year=CURRENT_FY + 4)
    plans.add_item(actor=secretary, plan_id=plan.pk, level="field", code="1", title="安心・安全")
    return plan


def submitted(plan, actor):  # type: ignore[no-untyped-def]
    field = plan.items.get(code="1")
    measure = plans.add_item(actor=actor, plan_id=plan.pk, level="measure", code="1-1", title="防災力の向上",
                             parent_id=field.pk)
    plans.add_item(actor=actor, plan_id=plan.pk, level="action", code="1-1-1", title="防災訓練",
                   parent_id=measure.pk)
    return plans.submit_plan(actor=actor, plan_id=plan.pk)


def snapshot(plan):  # type: ignore[no-untyped-def]
    plan.refresh_from_db()
    return (plan.status, plan.items.count(), plan.attachments.count(), CommunityPlan.objects.count(),
            AuditEvent.objects.count())


# -- list ---------------------------------------------------------------------------------------------------------

def test_staff_list_shows_every_council_with_its_own_name_area_term_and_status(client, council, other_council,
                                                                                staff, draft):
    approved = builders.approved_plan(other_council[0], staff)
    page = text(login(client, staff).get(reverse("plan_list")))
    for expected in ("大歳地域づくり協議会", "湯田まちづくり協議会", "大歳", "湯田", "第4期", "第3期", "第1版",
                     f"{fiscal_year_label(CURRENT_FY)}〜{fiscal_year_label(CURRENT_FY + 4)}", "作成中", "承認済",
                     reverse("plan_detail", args=[approved.pk])):
        assert expected in page
    filtered = text(client.get(reverse("plan_list"), {"status": "approved"}))
    assert "湯田まちづくり協議会" in filtered and reverse("plan_detail", args=[draft.pk]) not in filtered
    by_council = text(client.get(reverse("plan_list"), {"organization": council[0].pk}))
    assert reverse("plan_detail", args=[draft.pk]) in by_council
    assert reverse("plan_detail", args=[approved.pk]) not in by_council


def test_secretary_list_shows_only_own_councils_versions(client, council, other_council, staff, draft):
    other_plan = builders.approved_plan(other_council[0], staff)
    page = text(login(client, council[1]).get(reverse("plan_list")))
    assert reverse("plan_detail", args=[draft.pk]) in page
    assert reverse("plan_detail", args=[other_plan.pk]) not in page and "湯田まちづくり協議会" not in page
    # Filtering by another council's id reveals nothing either.
    page = text(client.get(reverse("plan_list"), {"organization": other_council[0].pk}))
    assert reverse("plan_detail", args=[other_plan.pk]) not in page


def test_nav_links_plans_for_everyone_deadlines_for_city_users(client, council, auditor):
    page = text(login(client, council[1]).get(reverse("home")))
    assert reverse("plan_list") in page and reverse("overdue_reports") not in page
    page = text(login(client, auditor).get(reverse("home")))
    assert reverse("plan_list") in page and reverse("overdue_reports") in page


def test_council_page_links_to_its_plans_and_staff(client, council, staff):
    org = council[0]
    page = text(login(client, staff).get(reverse("organization_detail", args=[org.pk])))
    assert f'{reverse("plan_list")}?organization={org.pk}' in page
    assert reverse("council_staff", args=[org.pk]) in page


# -- detail -------------------------------------------------------------------------------------------------------

def test_detail_shows_tree_versions_cases_and_history(client, council, staff, staff2, katsudo):
    org, secretary = council
    v1 = builders.approved_plan(org, staff)
    case = GrantCase.objects.create(programme_year=katsudo, organization=org, plan=v1)
    v2 = plans.start_revision(actor=secretary, plan_id=v1.pk, reason="防災の取組を見直すため")
    page = text(login(client, secretary).get(reverse("plan_detail", args=[v2.pk])))
    for expected in ("分野 1　安心・安全", "施策 1-1　防災力の向上", "取組 1-1-1　防災訓練",
                     "取組 1-1-2　水路・道路の小規模補修", "防災の取組を見直すため", "改定版の作成", "第2版（表示中）",
                     reverse("plan_detail", args=[v1.pk])):
        assert expected in page
    # The tree nests: the 取組 is inside the 施策's list, which is inside the 分野's.
    tree = page[page.index('id="plan-items"'):]
    assert tree.index("分野 1") < tree.index("施策 1-1") < tree.index("取組 1-1-1")
    old = text(client.get(reverse("plan_detail", args=[v1.pk])))
    assert reverse("case_detail", args=[case.pk]) in old and case.reference in old
    assert reverse("plan_detail", args=[v2.pk]) in old


def test_detail_of_another_councils_plan_is_404_and_every_post_too(client, council, other_council, staff, draft,
                                                                    media):
    attachment = plans.add_attachment(actor=council[1], plan_id=draft.pk, title="計画書",
                                      upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 x"))
    item = draft.items.get()
    before = snapshot(draft)
    login(client, other_council[1])
    assert client.get(reverse("plan_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("plan_attachment", args=[draft.pk, attachment.pk])).status_code == 404
    posts = [
        (reverse("plan_add_item", args=[draft.pk]), {"level": "field", "code": "9", "title": "x"}),
        (reverse("plan_delete_item", args=[draft.pk, item.pk]), {}),
        (reverse("plan_add_attachment", args=[draft.pk]),
         {"title": "x", "file": SimpleUploadedFile("x.pdf", b"%PDF")}),
        (reverse("plan_submit", args=[draft.pk]), {}),
        (reverse("plan_return", args=[draft.pk]), {"note": "x"}),
        (reverse("plan_approve", args=[draft.pk]), {"note": ""}),
        (reverse("plan_revise", args=[draft.pk]), {"reason": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    # Invalid input for a plan one may not see is still 404, not a form error.
    assert client.post(reverse("plan_add_item", args=[draft.pk]), {}).status_code == 404
    assert snapshot(draft) == before


def test_missing_plan_is_404(client, staff):
    assert login(client, staff).get(reverse("plan_detail", args=[999])).status_code == 404


def test_auditor_reads_but_has_no_forms_and_posts_change_nothing(client, council, auditor, draft, media):
    page = text(login(client, auditor).get(reverse("plan_detail", args=[draft.pk])))
    assert "安心・安全" in page
    for form_url in ("plan_add_item", "plan_add_attachment", "plan_submit", "plan_return", "plan_approve",
                     "plan_revise"):
        assert reverse(form_url, args=[draft.pk]) not in page
    before = snapshot(draft)
    response = client.post(reverse("plan_add_item", args=[draft.pk]),
                           {"level": "field", "code": "2", "title": "福祉"}, follow=True)
    assert "この協議会の計画を作成・変更する権限がありません。" in messages_of(response)
    response = client.post(reverse("plan_submit", args=[draft.pk]), follow=True)
    assert "この協議会の計画を作成・変更する権限がありません。" in messages_of(response)
    assert snapshot(draft) == before
    assert client.get(reverse("plan_create")).status_code == 403


# -- create -------------------------------------------------------------------------------------------------------

def test_secretary_creates_for_own_council_only(client, council, other_council):
    org, secretary = council
    login(client, secretary)
    page = text(client.get(reverse("plan_create")))
    assert "大歳地域づくり協議会" in page and "湯田まちづくり協議会" not in page
    data = {"organization": org.pk, "term_label": "第4期", "title": "大歳地域づくり計画",
            "first_fiscal_year": CURRENT_FY, "last_fiscal_year": CURRENT_FY + 4, "vision": "安心して暮らせるまち"}
    response = client.post(reverse("plan_create"), {**data, "organization": other_council[0].pk})
    assert response.status_code == 200 and "正しく選択してください" in text(response)
    assert not CommunityPlan.objects.exists()
    response = client.post(reverse("plan_create"), data)
    plan = CommunityPlan.objects.get()
    assert response.url == reverse("plan_detail", args=[plan.pk])
    assert (plan.organization, plan.version, plan.status, plan.vision) == (org, 1, "draft", "安心して暮らせるまち")


def test_staff_picks_the_council_and_errors_come_back(client, council, other_council, staff, draft):
    login(client, staff)
    page = text(client.get(reverse("plan_create")))
    assert "大歳地域づくり協議会" in page and "湯田まちづくり協議会" in page
    data = {"organization": other_council[0].pk, "term_label": "第1期", "title": "湯田まちづくり計画",
            "first_fiscal_year": CURRENT_FY, "last_fiscal_year": CURRENT_FY + 4}
    # Missing title: a form error naming the field.
    response = client.post(reverse("plan_create"), {**data, "title": ""})
    assert "計画の名称: このフィールドは必須です。" in text(response)
    # Term in the wrong order and a council that already has a plan: the service's words, as messages.
    response = client.post(reverse("plan_create"), {**data, "last_fiscal_year": CURRENT_FY - 1})
    assert "計画期間: 初年度から最終年度まで、10年度以内で入力してください。" in messages_of(response)
    response = client.post(reverse("plan_create"), {**data, "organization": council[0].pk})
    assert "この計画期間と重なる計画がすでにあります。同じ期の見直しは「改定版を作成」から行ってください。" in messages_of(
        response)
    assert CommunityPlan.objects.count() == 1
    response = client.post(reverse("plan_create"), data)
    assert CommunityPlan.objects.get(organization=other_council[0]).created_by == staff


def test_head_of_a_jichikai_may_not_create(client, association_head):
    assert login(client, association_head).get(reverse("plan_create")).status_code == 403


# -- items --------------------------------------------------------------------------------------------------------

def test_add_item_and_its_error_paths(client, council, draft):
    login(client, council[1])
    url = reverse("plan_add_item", args=[draft.pk])
    field = draft.items.get(code="1")
    response = client.post(url, {"level": "measure", "parent": field.pk, "code": "1-1", "title": "防災力の向上",
                                 "description": "自主防災組織の育成"}, follow=True)
    assert "項目を追加しました。" in messages_of(response)
    measure = PlanItem.objects.get(code="1-1")
    assert (measure.parent, measure.level, measure.description) == (field, "measure", "自主防災組織の育成")
    # Form errors (missing code) name the field.
    response = client.post(url, {"level": "action", "parent": measure.pk, "title": "防災訓練"}, follow=True)
    assert "番号: このフィールドは必須です。" in messages_of(response)
    # A 取組 under a 分野: the service's error.
    response = client.post(url, {"level": "action", "parent": field.pk, "code": "1-1-1", "title": "防災訓練"},
                           follow=True)
    assert "上位の項目: この計画の施策を選んでください。" in messages_of(response)
    # A code already used.
    response = client.post(url, {"level": "field", "code": "1", "title": "重複"}, follow=True)
    assert "番号: 「1」はこの計画ですでに使われています。" in messages_of(response)
    # A parent from another plan is not a choice.
    other = builders.approved_plan(builders.council(name="小鯖地域づくり協議会", username="s3")[0], council[1])
    response = client.post(url, {"level": "measure", "parent": other.items.get(code="1").pk, "code": "2-1",
                                 "title": "x"}, follow=True)
    assert any(m.startswith("上位の項目: 正しく選択してください。") for m in messages_of(response))
    assert draft.items.count() == 2


def test_delete_item_and_its_error_path(client, council, draft):
    login(client, council[1])
    field = draft.items.get()
    other = builders.approved_plan(builders.council(name="小鯖地域づくり協議会", username="s3")[0], council[1])
    response = client.post(reverse("plan_delete_item", args=[draft.pk, other.items.get(code="1").pk]), follow=True)
    assert "項目が見つかりません。" in messages_of(response)
    assert other.items.count() == 4
    response = client.post(reverse("plan_delete_item", args=[draft.pk, field.pk]), follow=True)
    assert "項目を削除しました（下位の項目も削除されます）。" in messages_of(response)
    assert not draft.items.exists()
    assert client.get(reverse("plan_delete_item", args=[draft.pk, field.pk])).status_code == 405


# -- attachments --------------------------------------------------------------------------------------------------

def test_attachment_upload_errors_and_download_permissions(client, council, other_council, staff, auditor, draft,
                                                           media):
    login(client, council[1])
    url = reverse("plan_add_attachment", args=[draft.pk])
    response = client.post(url, {"title": "計画書"}, follow=True)
    assert "ファイル: このフィールドは必須です。" in messages_of(response)
    response = client.post(url, {"title": "計画書", "file": SimpleUploadedFile("plan.exe", b"MZ")}, follow=True)
    assert "ファイル: PDF・Word・Excel・画像（JPEG/PNG）のいずれかのファイルを選んでください。" in messages_of(response)
    response = client.post(url, {"title": "", "file": SimpleUploadedFile("plan.pdf", b"%PDF")}, follow=True)
    assert "資料名: このフィールドは必須です。" in messages_of(response)
    assert not PlanAttachment.objects.exists()
    response = client.post(url, {"title": "総会の議事録", "file": SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 ok")},
                           follow=True)
    assert "資料を添付しました。" in messages_of(response)
    attachment = PlanAttachment.objects.get()
    page = text(response)
    download = reverse("plan_attachment", args=[draft.pk, attachment.pk])
    assert download in page and "総会の議事録" in page

    for user in (council[1], staff, auditor):
        response = login(client, user).get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 ok"
        assert response["Content-Disposition"].startswith("attachment")
    assert login(client, other_council[1]).get(download).status_code == 404
    client.logout()
    assert client.get(download).status_code == 302  # to the login page
    # The attachment of another plan is not reachable through this one.
    other = builders.approved_plan(other_council[0], staff)
    assert login(client, council[1]).get(reverse("plan_attachment", args=[other.pk, attachment.pk])).status_code \
        == 404
    # MEDIA is never served by URL.
    assert client.get(f"/media/{attachment.file.name}").status_code == 404


# -- submit, return, approve, revise ------------------------------------------------------------------------------

def test_submit_needs_an_action_item(client, council, draft):
    login(client, council[1])
    response = client.post(reverse("plan_submit", args=[draft.pk]), follow=True)
    assert "取組を1つ以上入力してから提出してください。" in messages_of(response)
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT


def test_secretary_sees_only_the_acts_of_a_council(client, council, staff, draft):
    page = text(login(client, council[1]).get(reverse("plan_detail", args=[draft.pk])))
    for url in ("plan_add_item", "plan_add_attachment", "plan_submit"):
        assert reverse(url, args=[draft.pk]) in page
    for url in ("plan_return", "plan_approve", "plan_revise"):
        assert reverse(url, args=[draft.pk]) not in page
    submitted(draft, council[1])
    page = text(client.get(reverse("plan_detail", args=[draft.pk])))
    assert reverse("plan_add_attachment", args=[draft.pk]) in page
    for url in ("plan_add_item", "plan_submit", "plan_return", "plan_approve"):
        assert reverse(url, args=[draft.pk]) not in page
    response = client.post(reverse("plan_approve", args=[draft.pk]), {"note": ""}, follow=True)
    assert "計画の承認は担当職員のみが行えます。" in messages_of(response)
    response = client.post(reverse("plan_return", args=[draft.pk]), {"note": "x"}, follow=True)
    assert "計画の差戻しは担当職員のみが行えます。" in messages_of(response)
    draft.refresh_from_db()
    assert draft.status == PlanStatus.SUBMITTED


def test_staff_returns_with_a_reason(client, council, staff, draft):
    submitted(draft, council[1])
    login(client, staff)
    response = client.post(reverse("plan_return", args=[draft.pk]), {"note": ""}, follow=True)
    assert "差戻しの理由: このフィールドは必須です。" in messages_of(response)
    draft.refresh_from_db()
    assert draft.status == PlanStatus.SUBMITTED
    response = client.post(reverse("plan_return", args=[draft.pk]), {"note": "取組の内容を具体的に"}, follow=True)
    assert "計画を差し戻しました。" in messages_of(response)
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT
    page = text(response)
    assert "差戻し" in page and "取組の内容を具体的に" in page and "提出済（承認待ち） → 作成中" in page
    # Returning again is refused by the service.
    response = client.post(reverse("plan_return", args=[draft.pk]), {"note": "x"}, follow=True)
    assert "提出済の計画だけを差し戻せます。" in messages_of(response)


def test_staff_who_wrote_the_actions_the_secretary_submitted_is_told_another_approves(  # type: ignore[no-untyped-def]
        client, council, staff, draft):
    measure = plans.add_item(actor=staff, plan_id=draft.pk, level="measure", code="1-1", title="防災力の向上",
                             parent_id=draft.items.get(code="1").pk)
    plans.add_item(actor=staff, plan_id=draft.pk, level="action", code="1-1-1", title="防災訓練", parent_id=measure.pk)
    plans.submit_plan(actor=council[1], plan_id=draft.pk)
    login(client, staff)
    page = text(client.get(reverse("plan_detail", args=[draft.pk])))
    assert reverse("plan_approve", args=[draft.pk]) not in page
    assert "この計画の内容を作成・変更した方は、同じ計画を承認できません。別の担当者が承認します。" in page


def test_staff_cannot_approve_own_submission_another_staff_can(client, council, staff, staff2, draft):
    submitted(draft, staff)
    login(client, staff)
    page = text(client.get(reverse("plan_detail", args=[draft.pk])))
    assert reverse("plan_approve", args=[draft.pk]) not in page
    assert "計画を提出した方は、同じ計画を承認できません。別の担当者が承認します。" in page
    assert reverse("plan_return", args=[draft.pk]) in page
    response = client.post(reverse("plan_approve", args=[draft.pk]), {"note": ""}, follow=True)
    assert "計画を提出した方は、同じ計画を承認できません。" in messages_of(response)
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == (PlanStatus.SUBMITTED, None)

    login(client, staff2)
    assert reverse("plan_approve", args=[draft.pk]) in text(client.get(reverse("plan_detail", args=[draft.pk])))
    response = client.post(reverse("plan_approve", args=[draft.pk]), {"note": "総会の議決を確認"}, follow=True)
    assert "計画を承認しました。" in messages_of(response)
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == (PlanStatus.APPROVED, staff2)
    response = client.post(reverse("plan_approve", args=[draft.pk]), {"note": ""}, follow=True)
    assert "提出済の計画だけを承認できます。" in messages_of(response)


def test_revision_needs_a_reason_goes_to_the_new_version_and_only_once(client, council, staff):
    org, secretary = council
    v1 = builders.approved_plan(org, staff)
    login(client, secretary)
    assert reverse("plan_revise", args=[v1.pk]) in text(client.get(reverse("plan_detail", args=[v1.pk])))
    response = client.post(reverse("plan_revise", args=[v1.pk]), {"reason": ""}, follow=True)
    assert "改定の理由: このフィールドは必須です。" in messages_of(response)
    response = client.post(reverse("plan_revise", args=[v1.pk]), {"reason": "人口減少に対応するため"})
    v2 = CommunityPlan.objects.get(version=2)
    assert response.url == reverse("plan_detail", args=[v2.pk])
    assert (v2.revises, v2.status, v2.items.count()) == (v1, PlanStatus.DRAFT, 4)
    # With a draft version open, the approved one offers no second revision, and the service refuses it.
    assert reverse("plan_revise", args=[v1.pk]) not in text(client.get(reverse("plan_detail", args=[v1.pk])))
    response = client.post(reverse("plan_revise", args=[v1.pk]), {"reason": "もう一度"}, follow=True)
    assert "作成中または提出済の改定版がすでにあります。" in messages_of(response)
    assert CommunityPlan.objects.count() == 2


def test_approving_a_revision_supersedes_the_old_version_on_the_pages(client, council, staff, staff2):
    org, secretary = council
    v1 = builders.approved_plan(org, staff)
    v2 = plans.start_revision(actor=secretary, plan_id=v1.pk, reason="見直し")
    plans.submit_plan(actor=secretary, plan_id=v2.pk)
    login(client, staff2).post(reverse("plan_approve", args=[v2.pk]), {"note": ""})
    page = text(client.get(reverse("plan_detail", args=[v1.pk])))
    assert "改定により終了" in page and "改定版の承認により終了" in page


def test_get_on_post_only_urls_is_refused(client, council, draft):
    login(client, council[1])
    for name in ("plan_add_item", "plan_add_attachment", "plan_submit", "plan_return", "plan_approve",
                 "plan_revise"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 405


def test_list_and_detail_render_for_every_role(client, council, staff, approver, auditor, draft):
    finance = factories.UserFactory(username="finance-reader", role="finance")
    for user in (council[1], staff, approver, auditor, finance):
        login(client, user)
        assert client.get(reverse("plan_list")).status_code == 200
        assert client.get(reverse("plan_detail", args=[draft.pk])).status_code == 200


def test_create_link_also_for_the_next_term(client, council, staff):
    """The walk-through found no way to draft the next term's plan once a council had one."""
    login(client, council[1])
    assert reverse("plan_create") in text(client.get(reverse("plan_list")))
    builders.approved_plan(council[0], staff)
    page = text(client.get(reverse("plan_list")))
    assert reverse("plan_create") in page and "次の期の計画" in page
    client.force_login(factories.UserFactory(username="kansa", role="auditor"))
    assert reverse("plan_create") not in text(client.get(reverse("plan_list")))
