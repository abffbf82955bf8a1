"""The group's application pages (pages/competitive/applications.py and the case page's 事業計画書 section): starting
an application from the open calls, the plan saved as typed (JSON for the script, a button without it, 401 after
the login expired), the amount line by line and its live preview, the submission and staff's 受付 and 差戻し.
Attacks: another group's head gets 404 everywhere, a wrong role is refused and nothing is written, a double
click makes one application and one submission, a closed window refuses. The 添付書類: uploaded, listed,
downloaded and deleted by the group while the draft may be edited, read-only after submission, a bad file shown
again with the title as typed; 404 on the file for another group's head and for a 審査委員 not assigned, conflicted
or not yet declared, while the member who may open the application downloads it."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grants.accounts.models import Role
from grants.cases.models import GrantCase
from grants.competitive import applications
from grants.competitive.models import ApplicationAttachment, Call, ConflictDeclaration, Project, ProjectPlan
from grants.competitive.workflows import COMPETITIVE
from grants.core import workflow
from grants.core.models import AuditEvent
from tests import factories
from tests.cases.steps import login, messages_of
from tests.competitive import builders, steps
from tests.factories import CURRENT_FY, PASSWORD

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}

PLAN = {"purpose": "子どもと高齢者の交流", "content": "月1回の交流会", "expected_effects": "孤立の防止",
        "indicators": "参加者数 延べ300人"}


def _start(client, call, org, **data):  # type: ignore[no-untyped-def]
    return client.post(reverse("competitive_applications"),
                       {"call": call.pk, "organization": org.pk, "mode": "new", **data})


def _page(client, case) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _counts() -> tuple[int, int, int]:
    return GrantCase.objects.count(), ProjectPlan.objects.count(), Project.objects.count()


# -- starting --------------------------------------------------------------------------------------------------

def test_a_head_starts_a_new_project_and_lands_on_the_case_page(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    login(client, head)
    listing = client.get(reverse("competitive_applications")).content.decode()
    assert str(open_call) in listing and "新しい事業で申請書を作る" in listing
    response = _start(client, open_call, org, project_title="子ども食堂の交流会")
    case = GrantCase.objects.get(organization=org)
    assert response.status_code == 302 and response["Location"] == reverse("case_detail", args=[case.pk])
    page = _page(client, case)
    assert "事業計画書" in page and "子ども食堂の交流会" in page and "1年目（この補助金は、同一の事業について3年までです）" in page
    assert 'id="project-plan-form"' in page and "js/competitive_application.js" in page


def test_a_double_click_on_start_makes_one_application(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    login(client, head)
    first = _start(client, open_call, org, project_title="子ども食堂の交流会")
    second = _start(client, open_call, org, project_title="子ども食堂の交流会")
    assert first["Location"] == second["Location"]
    assert _counts() == (1, 1, 1)


def test_a_continued_project_starts_in_its_second_year_with_its_cap(client, open_call, npo, staff,
                                                                     approver) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    project = ProjectPlan.objects.get(case=steps.selected(open_call, org, head, staff, approver)).project
    call = builders.call(builders.programme_year(fiscal_year=CURRENT_FY + 1), staff)
    login(client, head)
    listing = client.get(reverse("competitive_applications")).content.decode()
    assert f"{project.title}（2年目）" in listing
    response = _start(client, call, org, mode="continue", project=project.pk)
    case = GrantCase.objects.get(project_plan__call=call)
    assert response["Location"] == reverse("case_detail", args=[case.pk])
    assert case.repeat_year == 2 and "2年目（この補助金は" in _page(client, case)


def test_a_project_past_the_year_limit_is_refused_with_the_reason_and_nothing_created(
        client, open_call, npo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    project = ProjectPlan.objects.get(case=steps.selected(open_call, org, head, staff, approver)).project
    for ahead in (1, 2):
        call = builders.call(builders.programme_year(fiscal_year=CURRENT_FY + ahead), staff)
        steps.selected(call, org, head, staff, approver, project_id=project.pk, amount=100_000)
    fourth = builders.call(builders.programme_year(fiscal_year=CURRENT_FY + 3), staff)
    login(client, head)
    counts = _counts()
    listing = client.get(reverse("competitive_applications")).content.decode()
    assert "4年目になります。この補助金は同一の事業について3年までのため、申請できません。" in listing
    response = _start(client, fourth, org, mode="continue", project=project.pk)
    assert response.status_code == 400
    assert "4年目になります" in response.content.decode()
    assert _counts() == counts


def test_an_empty_project_title_keeps_the_page_and_ties_the_error(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    login(client, head)
    response = _start(client, open_call, org, project_title="")
    body = response.content.decode()
    assert response.status_code == 400 and 'aria-describedby="start-' in body and "入力してください。" in body
    assert _counts() == (0, 0, 0)


def test_an_unconfirmed_group_is_told_why_and_cannot_start(client, open_call) -> None:  # type: ignore[no-untyped-def]
    org, head = builders.group("new-head", "できたばかりの会")
    login(client, head)
    listing = client.get(reverse("competitive_applications")).content.decode()
    assert "団体登録が市で確認されてから申請できます" in listing and "新しい事業で申請書を作る" not in listing
    response = _start(client, open_call, org, project_title="x")
    assert response.status_code == 400 and "団体登録が市で確認されてから申請できます" in response.content.decode()
    assert _counts() == (0, 0, 0)


def test_starting_for_another_group_is_not_found_and_creates_nothing(client, open_call, npo, npo_b) -> None:  # type: ignore[no-untyped-def]
    login(client, npo_b[1])
    assert _start(client, open_call, npo[0], project_title="乗っ取り").status_code == 404
    assert _counts() == (0, 0, 0)


def test_staff_cannot_start_an_application(client, open_call, npo, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    assert _start(client, open_call, npo[0], project_title="代理の申請").status_code == 404
    assert _counts() == (0, 0, 0)


# -- another group's application -----------------------------------------------------------------------------

def test_another_groups_head_gets_404_on_the_case_the_save_endpoint_and_the_preview(client, open_call, npo,
                                                                                    npo_b) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)
    login(client, npo_b[1])
    save = reverse("competitive_plan_save", args=[case.pk])
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert client.post(save, {"purpose": "乗っ取り"}, **JSON).status_code == 404
    assert client.post(save, {"purpose": "乗っ取り"}).status_code == 404
    assert client.get(reverse("competitive_amount_preview", args=[case.pk]), {"amount": "1000"}).status_code == 404
    assert ProjectPlan.objects.get(case=case).purpose == "子どもと高齢者の交流"


# -- the plan, saved as typed ----------------------------------------------------------------------------------

def test_the_script_saves_the_plan_and_gets_the_time(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)
    login(client, npo[1])
    response = client.post(reverse("competitive_plan_save", args=[case.pk]), {**PLAN, "purpose": "新しい目的"}, **JSON)
    data = response.json()
    assert response.status_code == 200
    assert data["message"] == f"下書きを保存しました（{data['saved_at']}）"
    assert ProjectPlan.objects.get(case=case).purpose == "新しい目的"


def test_without_script_the_button_saves_and_returns_to_the_section(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)
    login(client, npo[1])
    response = client.post(reverse("competitive_plan_save", args=[case.pk]), {**PLAN, "content": "月2回の交流会"},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("case_detail", args=[case.pk]) + "#project-plan"
    assert any(m.startswith("事業計画書の下書きを保存しました") for m in messages_of(response))
    assert ProjectPlan.objects.get(case=case).content == "月2回の交流会"


def test_after_the_login_expired_the_save_answers_401_json_and_writes_nothing(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)
    login(client, npo[1])
    client.logout()
    response = client.post(reverse("competitive_plan_save", args=[case.pk]), {**PLAN, "purpose": "未保存の文"}, **JSON)
    assert response.status_code == 401 and response["Content-Type"] == "application/json"
    assert "ログインの有効期限が切れた" in response.json()["error"]
    assert ProjectPlan.objects.get(case=case).purpose == "子どもと高齢者の交流"


def test_text_posted_after_the_login_expired_is_offered_again_after_the_re_login(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)
    client.logout()
    response = client.post(reverse("competitive_plan_save", args=[case.pk]), {**PLAN, "purpose": "ログイン切れの間の文"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert ProjectPlan.objects.get(case=case).purpose == "子どもと高齢者の交流"
    client.post(reverse("login"), {"username": npo[1].username, "password": PASSWORD})
    page = _page(client, case)
    assert "保存されていなかった入力を表示しています" in page and "ログイン切れの間の文" in page
    assert "ログイン切れの間の文" not in _page(client, case)  # offered once; the saved plan is unchanged


def test_a_text_too_long_is_refused_at_its_field_and_kept_as_typed(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)
    login(client, npo[1])
    long_text = "あ" * 4001
    response = client.post(reverse("competitive_plan_save", args=[case.pk]), {**PLAN, "content": long_text}, **JSON)
    assert response.status_code == 400 and response.json()["errors"] == {"content": "4,000文字以内で入力してください。"}
    response = client.post(reverse("competitive_plan_save", args=[case.pk]), {**PLAN, "content": long_text},
                           follow=True)
    page = response.content.decode()
    assert long_text in page and 'aria-describedby="plan-content-error"' in page
    assert 'id="plan-content-error">4,000文字以内で入力してください。' in page
    assert ProjectPlan.objects.get(case=case).content == "月1回の交流会"


def test_the_approver_cannot_save_a_groups_plan(client, open_call, npo, approver) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)
    login(client, approver)
    response = client.post(reverse("competitive_plan_save", args=[case.pk]), {**PLAN, "purpose": "職員の文"}, **JSON)
    assert response.status_code == 403 and "提出前の申請でのみ" in response.json()["error"]
    assert ProjectPlan.objects.get(case=case).purpose == "子どもと高齢者の交流"


def test_after_submission_the_plan_is_read_only(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    case = steps.submitted(open_call, *npo)
    login(client, npo[1])
    page = _page(client, case)
    assert 'id="project-plan-form"' not in page and 'id="plan-text"' in page and "月1回の交流会" in page
    response = client.post(reverse("competitive_plan_save", args=[case.pk]), {**PLAN, "purpose": "後から"}, **JSON)
    assert response.status_code == 403
    assert ProjectPlan.objects.get(case=case).purpose == "子どもと高齢者の交流"


# -- the amount --------------------------------------------------------------------------------------------------

def test_the_amount_shows_line_by_line_with_the_second_year_cap(client, open_call, npo, staff,
                                                                approver) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    project = ProjectPlan.objects.get(case=steps.selected(open_call, org, head, staff, approver)).project
    call = builders.call(builders.programme_year(fiscal_year=CURRENT_FY + 1), staff)
    case = steps.draft(call, org, head, project_id=project.pk,
                       lines=[("hoshohi", "講師謝礼", 200_000), ("shiyoryo", "会場使用料", 100_000)])
    login(client, head)
    page = _page(client, case)
    for text in ("300,000円", "2年目の補助率 2/3：300,000円 × 2/3（円未満切捨て）", "200,000円",
                 "300,000円 − 事業収入 0円 = 300,000円", "2年目の上限額 100,000円を適用", "1,000円未満切捨て",
                 'id="computed-amount">100,000円'):
        assert text in page, text


def test_an_excluded_line_shows_its_reason_to_the_group(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo, lines=[("hoshohi", "講師謝礼", 120_000), ("inshokuhi", "交流会の弁当", 30_000)])
    login(client, npo[1])
    page = _page(client, case)
    assert "対象となる費目であること（交流会の弁当）" in page
    assert "「飲食費」はこの交付金の対象外の費目です（飲食費は補助の対象になりません）。" in page


def test_the_preview_computes_with_the_line_being_typed(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)  # 225,000 → 150,000
    cats = builders.categories()
    login(client, npo[1])
    url = reverse("competitive_amount_preview", args=[case.pk])
    data = client.get(url, {"kind": "income", "amount": "100,000"}).json()
    assert (data["amount"], data["amount_text"], data["with_line"]) == (125_000, "125,000円", True)
    assert {"label": "事業収入の控除", "basis": "225,000円 − 事業収入 100,000円 = 125,000円",
            "amount_text": "125,000円", "applied": True} in data["lines"]
    data = client.get(url, {"kind": "expense", "category": cats["inshokuhi"].pk, "amount": "5000"}).json()
    assert data["excluded"] == "「飲食費」は補助の対象外です（飲食費は補助の対象になりません）。"
    bad = client.get(url, {"amount": "12a"})
    assert bad.status_code == 400 and bad.json()["error"] == "金額: 半角数字（円単位の整数）で入力してください。"
    client.logout()
    assert client.get(url, {"amount": "1000"}).status_code == 401


# -- submission and 受付 ---------------------------------------------------------------------------------------

def _submit(client, case):  # type: ignore[no-untyped-def]
    return client.post(reverse("case_action", args=[case.pk, "submit"]), {"note": ""}, follow=True)


def test_a_double_click_on_submit_makes_one_submission(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)
    login(client, npo[1])
    assert "申請書を提出しました。" in " ".join(messages_of(_submit(client, case)))
    second = _submit(client, case)
    assert any("申請済（受付待ち）" in m for m in messages_of(second))
    assert AuditEvent.objects.filter(object_id=str(case.pk), action="submit").count() == 1
    assert GrantCase.objects.get(pk=case.pk).status == "submitted"


def test_submission_after_the_window_is_refused_and_the_button_says_why(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Call.objects.filter(pk=open_call.pk).update(opens_on=yesterday - dt.timedelta(days=30), closes_on=yesterday)
    login(client, npo[1])
    page = _page(client, case)
    assert "外のため、提出できません。" in page and 'data-action="submit"' not in page
    assert any("外のため、提出できません。" in m for m in messages_of(_submit(client, case)))
    assert GrantCase.objects.get(pk=case.pk).status == "draft"


def test_submission_without_the_plan_says_which_fields_are_missing(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)
    login(client, npo[1])
    client.post(reverse("competitive_plan_save", args=[case.pk]), {**PLAN, "indicators": ""}, **JSON)
    messages = messages_of(_submit(client, case))
    assert any("事業計画書の「成果の指標」を入力してから提出してください。" in m for m in messages)
    assert GrantCase.objects.get(pk=case.pk).status == "draft"


def test_staff_see_accept_and_return_and_both_work(client, open_call, npo, npo_b, staff) -> None:  # type: ignore[no-untyped-def]
    accepted = steps.submitted(open_call, *npo)
    returned = steps.submitted(open_call, *npo_b, title="まちなかコンサート")
    login(client, staff)
    page = _page(client, accepted)
    assert 'data-action="accept_for_screening"' in page and 'data-action="return_to_applicant"' in page
    client.post(reverse("case_action", args=[accepted.pk, "accept_for_screening"]), {"note": ""})
    client.post(reverse("case_action", args=[returned.pk, "return_to_applicant"]), {"note": "予算書の内訳を直してください"})
    statuses = dict(GrantCase.objects.filter(pk__in=[accepted.pk, returned.pk]).values_list("pk", "status"))
    assert statuses == {accepted.pk: "screening", returned.pk: "draft"}


def test_the_group_cannot_accept_its_own_application(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    case = steps.submitted(open_call, *npo)
    login(client, npo[1])
    assert 'data-action="accept_for_screening"' not in _page(client, case)
    messages = messages_of(client.post(reverse("case_action", args=[case.pk, "accept_for_screening"]), {"note": ""},
                                       follow=True))
    assert messages and GrantCase.objects.get(pk=case.pk).status == "submitted"



# -- 添付書類: upload, delete, download, and who gets 404 --------------------------------------------------------

def _attach_url(case) -> str:  # type: ignore[no-untyped-def]
    return reverse("competitive_attachment_add", args=[case.pk])


def _download(client, attachment):  # type: ignore[no-untyped-def]
    return client.get(reverse("competitive_attachment", args=[attachment.case_id, attachment.pk]))


def test_the_head_uploads_lists_downloads_and_deletes_an_attachment(client, open_call, npo, media) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    login(client, head)
    page = _page(client, case)
    assert 'id="attachment-form"' in page and 'enctype="multipart/form-data"' in page
    assert "添付書類は登録されていません。" in page
    response = client.post(_attach_url(case), {"title": "見積書（会場使用料）", "file": builders.pdf("mitsumori.pdf")},
                           follow=True)
    assert "添付書類「見積書（会場使用料）」を登録しました。" in messages_of(response)
    attachment = ApplicationAttachment.objects.get(case=case)
    page = _page(client, case)
    assert "「見積書（会場使用料）」をダウンロードする" in page and "「見積書（会場使用料）」を削除する" in page
    assert "申請の添付書類の登録" in page and "add_application_attachment" not in page
    download = _download(client, attachment)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert "attachment" in download["Content-Disposition"]
    client.post(reverse("competitive_attachment_remove", args=[case.pk, attachment.pk]))
    assert not ApplicationAttachment.objects.exists()
    assert AuditEvent.objects.filter(action__in=["add_application_attachment", "download_application_attachment",
                                                 "remove_application_attachment"]).count() == 3


def test_a_double_submit_of_the_upload_stores_one(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    login(client, head)
    for _ in range(2):
        client.post(_attach_url(case), {"title": "チラシ案", "file": builders.pdf()})
    assert ApplicationAttachment.objects.filter(case=case).count() == 1


def test_a_bad_file_keeps_the_title_and_shows_the_reason_at_the_field(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    login(client, head)
    bad = SimpleUploadedFile("flyer.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(_attach_url(case), {"title": "チラシ案（第2版）", "file": bad}, follow=True)
    assert any("ファイルの中身が拡張子" in m for m in messages_of(response))
    page = response.content.decode()
    assert 'value="チラシ案（第2版）"' in page
    assert 'id="attachment-file-error"' in page and 'aria-invalid="true"' in page
    assert not ApplicationAttachment.objects.exists()


def test_after_submission_the_list_is_read_only_and_an_upload_is_refused(client, open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    attachment = applications.attach(case_id=case.pk, actor=head, title="見積書", file=builders.pdf())
    workflow.perform(COMPETITIVE.machine, case.pk, "submit", actor=head)
    login(client, head)
    page = _page(client, case)
    assert "「見積書」をダウンロードする" in page
    assert 'id="attachment-form"' not in page and "を削除する" not in page
    response = client.post(_attach_url(case), {"title": "チラシ案", "file": builders.pdf()}, follow=True)
    assert any("提出前の申請でのみ" in m for m in messages_of(response))
    client.post(reverse("competitive_attachment_remove", args=[case.pk, attachment.pk]))
    assert list(ApplicationAttachment.objects.values_list("title", flat=True)) == ["見積書"]


def test_another_groups_head_gets_404_on_upload_delete_and_download(client, open_call, npo, npo_b) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    attachment = applications.attach(case_id=case.pk, actor=head, title="見積書", file=builders.pdf())
    login(client, npo_b[1])
    assert _download(client, attachment).status_code == 404
    assert client.post(_attach_url(case), {"title": "偽", "file": builders.pdf()}).status_code == 404
    assert client.post(reverse("competitive_attachment_remove", args=[case.pk, attachment.pk])).status_code == 404
    assert list(ApplicationAttachment.objects.all()) == [attachment]


def test_an_attachment_of_another_case_is_not_found_under_this_case(client, open_call, npo, npo_b) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    mine = steps.draft(open_call, org, head)
    theirs = steps.draft(open_call, *npo_b, title="まちなかコンサート")
    other = applications.attach(case_id=theirs.pk, actor=npo_b[1], title="会場の資料", file=builders.pdf())
    login(client, head)
    assert client.get(reverse("competitive_attachment", args=[mine.pk, other.pk])).status_code == 404


def _screened_case_with_attachment(call, org, head, staff):  # type: ignore[no-untyped-def]
    case = steps.draft(call, org, head)
    attachment = applications.attach(case_id=case.pk, actor=head, title="見積書（会場使用料）", file=builders.pdf())
    workflow.perform(COMPETITIVE.machine, case.pk, "submit", actor=head)
    workflow.perform(COMPETITIVE.machine, case.pk, "accept_for_screening", actor=staff)
    return case, attachment


def test_the_panel_member_who_may_open_it_lists_and_downloads_it(client, open_call, npo, staff, judge) -> None:  # type: ignore[no-untyped-def]
    case, attachment = _screened_case_with_attachment(open_call, *npo, staff)
    login(client, judge)
    assert _download(client, attachment).status_code == 404  # not before the declaration
    client.post(f"/panel/applications/{case.pk}/declare/", {"conflicted": "no"})
    page = client.get(f"/panel/applications/{case.pk}/").content.decode()
    assert 'id="attachments"' in page and "「見積書（会場使用料）」をダウンロードする" in page
    download = _download(client, attachment)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")


def test_an_unassigned_or_conflicted_panel_member_gets_404(client, open_call, npo, staff, judge) -> None:  # type: ignore[no-untyped-def]
    case, attachment = _screened_case_with_attachment(open_call, *npo, staff)
    outsider = factories.UserFactory(username="judge-outsider", role=Role.PANEL)
    login(client, outsider)
    assert _download(client, attachment).status_code == 404
    client.logout()
    login(client, judge)
    client.post(f"/panel/applications/{case.pk}/declare/", {"conflicted": "yes", "reason": "団体の役員です"})
    assert ConflictDeclaration.objects.filter(member__user=judge, case=case, conflicted=True).exists()
    assert _download(client, attachment).status_code == 404
