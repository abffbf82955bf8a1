"""The call pages (pages.competitive.calls): staff draft, change, publish a call and keep its year's rule, 費目
and panel; other roles are refused and nothing is written; the public pages show only published calls, with
the rule in words (repeat-year caps included), and write nothing to the session."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.accounts.models import Role
from grants.competitive.models import Call, CallStatus, Criterion, PanelMember
from grants.core.models import AuditEvent
from grants.programmes.models import ExpenseRule, RepeatYearStep
from tests import factories
from tests.cases.steps import login, messages_of
from tests.competitive import builders, steps

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def call_post(year_pk: int | None = None, **changes: str) -> dict[str, str]:
    data = {
        "title": "市民活動交流事業補助金（第2次募集）", "label": "サンプル", "summary": "新しい事業を支援します",
        "opens_on": TODAY.isoformat(), "closes_on": (TODAY + dt.timedelta(days=30)).isoformat(),
        "budget": "2000000", "documents": "申請書\n事業計画書", "presentation_on": "2026-09-05T13:30",
        "presentation_place": "山口市民会館 小ホール", "min_members": "5", "require_based_in_city": "on",
        "require_bylaws": "on", "requires_tax_report": "on",
        "criteria-TOTAL_FORMS": "3", "criteria-INITIAL_FORMS": "0",
        "criteria-0-name": "公益性", "criteria-0-description": "市民の利益になるか", "criteria-0-weight": "3",
        "criteria-0-max_score": "5",
        "criteria-1-name": "実現性", "criteria-1-weight": "2", "criteria-1-max_score": "5",
        "criteria-2-name": "", "criteria-2-weight": "1", "criteria-2-max_score": "5",
    }
    if year_pk is not None:
        data["programme_year"] = str(year_pk)
    data.update(changes)
    return data


def test_staff_create_a_call_from_the_page(client, shimin_year, staff):  # type: ignore[no-untyped-def]
    login(client, staff)
    assert "募集の作成" in client.get(reverse("call_create")).content.decode()
    response = client.post(reverse("call_create"), call_post(shimin_year.pk))
    call = Call.objects.get()
    assert response.status_code == 302 and response.url == reverse("call_detail", args=[call.pk])
    assert (call.status, call.budget, call.presentation_place) == (CallStatus.DRAFT, 2_000_000, "山口市民会館 小ホール")
    assert list(call.criteria.values_list("name", "weight")) == [("公益性", 3), ("実現性", 2)]


def test_a_double_submit_of_the_create_form_makes_one_call(client, shimin_year, staff):  # type: ignore[no-untyped-def]
    login(client, staff)
    client.post(reverse("call_create"), call_post(shimin_year.pk))
    client.post(reverse("call_create"), call_post(shimin_year.pk))
    assert Call.objects.count() == 1 and Criterion.objects.count() == 2


def test_a_wrong_window_keeps_what_was_typed_and_names_the_field(client, shimin_year, staff):  # type: ignore[no-untyped-def]
    login(client, staff)
    response = client.post(reverse("call_create"), call_post(
        shimin_year.pk, closes_on=(TODAY - dt.timedelta(days=1)).isoformat()))
    body = response.content.decode()
    assert response.status_code == 400
    assert "受付終了日: 受付開始日より後の日付にしてください。" in body
    assert 'value="山口市民会館 小ホール"' in body and 'value="公益性"' in body
    assert not Call.objects.exists() and not Criterion.objects.exists()


def test_a_half_filled_criterion_row_is_refused_and_nothing_is_written(client, shimin_year, staff):  # type: ignore[no-untyped-def]
    login(client, staff)
    response = client.post(reverse("call_create"), call_post(shimin_year.pk, **{"criteria-1-weight": "0"}))
    assert response.status_code == 400
    assert "2行目の重み" in response.content.decode()
    assert not Call.objects.exists()


def test_staff_edit_a_draft_call_and_remove_a_criterion(client, shimin_year, staff):  # type: ignore[no-untyped-def]
    call = builders.call(shimin_year, staff, publish=False)
    login(client, staff)
    page = client.get(reverse("call_edit", args=[call.pk])).content.decode()
    assert 'value="先駆性"' in page
    rows = list(call.criteria.all())
    data = call_post(**{"criteria-TOTAL_FORMS": "4", "criteria-INITIAL_FORMS": "4"})
    for i, c in enumerate(rows):
        data.update({f"criteria-{i}-id": str(c.pk), f"criteria-{i}-name": c.name, f"criteria-{i}-weight": str(c.weight),
                     f"criteria-{i}-max_score": "5", f"criteria-{i}-description": c.description})
    data["criteria-3-DELETE"] = "on"
    response = client.post(reverse("call_edit", args=[call.pk]), data)
    assert response.status_code == 302
    assert list(call.criteria.values_list("name", flat=True)) == ["公益性", "先駆性", "実現性"]
    assert Call.objects.get().budget == 2_000_000


def test_a_published_call_is_not_edited_from_its_page(client, open_call, staff):  # type: ignore[no-untyped-def]
    login(client, staff)
    response = client.get(reverse("call_edit", args=[open_call.pk]), follow=True)
    assert "公開中の募集は変更できません。非公開に戻してから変更してください。" in messages_of(response)
    response = client.post(reverse("call_edit", args=[open_call.pk]), call_post(budget="5"))
    assert Call.objects.get().budget == 1_000_000


def test_staff_publish_and_unpublish_from_the_offered_buttons(client, shimin_year, staff):  # type: ignore[no-untyped-def]
    call = builders.call(shimin_year, staff, publish=False)
    login(client, staff)
    page = client.get(reverse("call_detail", args=[call.pk])).content.decode()
    assert "公開する" in page and "非公開に戻す" not in page
    client.post(reverse("call_act", args=[call.pk, "publish_call"]), {"note": ""})
    assert Call.objects.get().status == CallStatus.PUBLISHED
    assert "非公開に戻す" in client.get(reverse("call_detail", args=[call.pk])).content.decode()
    response = client.post(reverse("call_act", args=[call.pk, "unpublish_call"]), {"note": ""}, follow=True)
    assert "非公開に戻す理由を入力してください。" in messages_of(response)
    client.post(reverse("call_act", args=[call.pk, "unpublish_call"]), {"note": "予算額を直すため"})
    assert Call.objects.get().status == CallStatus.DRAFT


def test_an_edge_the_page_does_not_offer_is_not_found(client, open_call, staff):  # type: ignore[no-untyped-def]
    login(client, staff)
    assert client.post(reverse("call_act", args=[open_call.pk, "publish_call"])).status_code == 404
    assert client.post(reverse("call_act", args=[open_call.pk, "delete_everything"])).status_code == 404


@pytest.mark.parametrize("role", [Role.APPROVER, Role.ASSOCIATION_HEAD, Role.PANEL, Role.AUDITOR])
def test_other_roles_cannot_open_or_post_the_staff_pages_and_nothing_is_written(client, shimin_year, staff, role):  # type: ignore[no-untyped-def]
    call = builders.call(shimin_year, staff, publish=False)
    login(client, factories.UserFactory(username=f"x-{role}", role=role))
    for name in ("call_list", "call_create"):
        assert client.get(reverse(name)).status_code == 403
    for name in ("call_detail", "call_edit", "call_rule", "call_panel"):
        assert client.get(reverse(name, args=[call.pk])).status_code == 403
    before = AuditEvent.objects.count()
    assert client.post(reverse("call_create"), call_post(shimin_year.pk, title="別の募集")).status_code == 403
    assert client.post(reverse("call_act", args=[call.pk, "publish_call"])).status_code == 403
    assert client.post(reverse("call_rule", args=[call.pk]), {"rate_numerator": "1"}).status_code == 403
    assert (Call.objects.count(), Call.objects.get().status, AuditEvent.objects.count()) == (
        1, CallStatus.DRAFT, before)


def test_an_anonymous_visitor_is_sent_to_log_in_for_the_staff_pages(client, open_call):  # type: ignore[no-untyped-def]
    response = client.get(reverse("call_detail", args=[open_call.pk]))
    assert response.status_code == 302 and "/login/" in response.url


def rule_post(**changes: str) -> dict[str, str]:
    data = {"rate_numerator": "2", "rate_denominator": "3", "cap_amount": "", "deduct_income": "on",
            "rounding_unit": "1000", "rounding_mode": "floor", "max_project_years": "3",
            "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "0",
            "steps-0-from_year": "1", "steps-0-rate_numerator": "2", "steps-0-rate_denominator": "3",
            "steps-0-cap_amount": "150000",
            "steps-1-from_year": "2", "steps-1-rate_numerator": "1", "steps-1-rate_denominator": "2",
            "steps-1-cap_amount": "80000"}
    data.update(changes)
    return data


def test_staff_edit_the_years_rule_on_a_page(client, open_call, staff):  # type: ignore[no-untyped-def]
    login(client, staff)
    page = client.get(reverse("call_rule", args=[open_call.pk])).content.decode()
    assert "上限額は1年目150,000円、2〜3年目100,000円です。" in page
    response = client.post(reverse("call_rule", args=[open_call.pk]), rule_post(), follow=True)
    assert "交付基準（補助率・上限額）を保存しました。" in messages_of(response)
    assert list(RepeatYearStep.objects.values_list("from_year", "cap_amount")) == [(1, 150_000), (2, 80_000)]
    assert "2〜3年目は1/2" in response.content.decode()
    assert AuditEvent.objects.filter(action="update_year_rule").count() == 1


def test_a_wrong_step_keeps_the_rows_typed_and_changes_nothing(client, open_call, staff):  # type: ignore[no-untyped-def]
    login(client, staff)
    response = client.post(reverse("call_rule", args=[open_call.pk]), rule_post(**{"steps-1-from_year": "4"}))
    body = response.content.decode()
    assert response.status_code == 400
    assert "2行目の適用する年目: 同一事業の補助の上限年数（3年）以内にしてください。" in body
    assert 'value="80000"' in body
    assert list(RepeatYearStep.objects.values_list("cap_amount", flat=True)) == [150_000, 100_000]


def test_the_rule_page_says_why_it_is_locked_once_an_application_is_submitted(client, open_call, npo, staff):  # type: ignore[no-untyped-def]
    steps.submitted(open_call, *npo)
    login(client, staff)
    assert "提出された申請があるため" in client.get(reverse("call_rule", args=[open_call.pk])).content.decode()
    response = client.post(reverse("call_rule", args=[open_call.pk]), rule_post(), follow=True)
    assert any("提出された申請があるため" in m for m in messages_of(response))
    assert list(RepeatYearStep.objects.values_list("cap_amount", flat=True)) == [150_000, 100_000]


def test_staff_set_the_expense_rules_on_the_page(client, open_call, staff):  # type: ignore[no-untyped-def]
    login(client, staff)
    categories = list(builders.categories().values())
    existing = {r.category_id: r for r in ExpenseRule.objects.all()}
    data = {"rules-TOTAL_FORMS": str(len(categories)), "rules-INITIAL_FORMS": str(len(categories))}
    from grants.programmes.models import ExpenseCategory

    for i, c in enumerate(ExpenseCategory.objects.all()):
        r = existing.get(c.pk)
        data.update({f"rules-{i}-category": str(c.pk), f"rules-{i}-treatment": r.treatment if r else "",
                     f"rules-{i}-condition": r.condition if r else "", f"rules-{i}-reason": r.reason if r else ""})
        if c.code == "hokenryo":
            data[f"rules-{i}-treatment"] = "excluded"
    response = client.post(reverse("call_expenses", args=[open_call.pk]), data)
    assert response.status_code == 400
    assert "保険料の対象外の理由: 対象外とするときは" in response.content.decode()
    assert ExpenseRule.objects.get(category__code="hokenryo").treatment == "allowed"
    data[next(k for k, v in data.items() if v == "excluded").replace("treatment", "reason")] = "団体で加入済みのため"
    client.post(reverse("call_expenses", args=[open_call.pk]), data)
    assert ExpenseRule.objects.get(category__code="hokenryo").reason == "団体で加入済みのため"


def test_staff_assign_a_panel_member_once(client, open_call, staff):  # type: ignore[no-untyped-def]
    judge = factories.UserFactory(username="shinsa", role=Role.PANEL, display_name="審査 一郎")
    factories.UserFactory(username="not-panel", role=Role.APPROVER)
    login(client, staff)
    page = client.get(reverse("call_panel", args=[open_call.pk])).content.decode()
    assert "審査 一郎（shinsa）" in page and "not-panel" not in page
    client.post(reverse("call_panel", args=[open_call.pk]), {"member": judge.pk})
    client.post(reverse("call_panel", args=[open_call.pk]), {"member": judge.pk})
    assert PanelMember.objects.filter(call=open_call, user=judge).count() == 1
    assert "審査 一郎" in client.get(reverse("call_panel", args=[open_call.pk])).content.decode()


def test_a_user_who_is_not_a_panel_member_cannot_be_assigned(client, open_call, staff):  # type: ignore[no-untyped-def]
    other = factories.UserFactory(username="kessai9", role=Role.APPROVER)
    login(client, staff)
    response = client.post(reverse("call_panel", args=[open_call.pk]), {"member": other.pk})
    assert response.status_code == 400 and not PanelMember.objects.exists()


# -- public pages -------------------------------------------------------------------------------------------------

def test_the_public_list_shows_only_published_calls(client, shimin_year, staff):  # type: ignore[no-untyped-def]
    published = builders.call(shimin_year, staff)
    draft = builders.call(shimin_year, staff, publish=False)
    Call.objects.filter(pk=draft.pk).update(title="準備中の募集（非公開）")
    response = client.get(reverse("public_call_list"))
    body = response.content.decode()
    assert published.title in body and "準備中の募集（非公開）" not in body
    assert "受付中" in body and "1,000,000円" in body


def test_a_draft_call_is_not_found_by_the_public(client, shimin_year, staff):  # type: ignore[no-untyped-def]
    draft = builders.call(shimin_year, staff, publish=False)
    assert client.get(reverse("public_call_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("public_call_detail", args=[draft.pk + 100])).status_code == 404


def test_the_public_call_page_reads_the_rule_and_the_expenses_aloud(client, open_call):  # type: ignore[no-untyped-def]
    response = client.get(reverse("public_call_detail", args=[open_call.pk]))
    body = response.content.decode()
    assert "補助対象経費の2/3を補助します。" in body
    assert "上限額は1年目150,000円、2〜3年目100,000円です。" in body
    assert "同一の事業への補助は3年までです。" in body and "1,000円未満は切り捨てます。" in body
    assert "交際費：交際費は補助の対象になりません" in body
    assert "食糧費：講師・出演者の飲み物代であること" in body
    assert "構成員が5人以上の市民活動団体であること" in body and "構成員名簿" in body
    assert f"{open_call.opens_on.month}月{open_call.opens_on.day}日から" in body and "令和" in body
    assert "公益性" in body and "満点は40点" in body  # (3 + 2 + 2 + 1) × 5


def test_the_public_pages_write_nothing_to_the_session_and_may_be_cached(client, open_call, npo):  # type: ignore[no-untyped-def]
    for url in (reverse("public_call_list"), reverse("public_call_detail", args=[open_call.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert not response.cookies, f"{url} set {list(response.cookies)}"
        assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]


def test_the_public_call_page_shows_nothing_personal(client, open_call, npo, staff):  # type: ignore[no-untyped-def]
    steps.submitted(open_call, *npo)
    body = client.get(reverse("public_call_detail", args=[open_call.pk])).content.decode()
    for personal in ("吉敷 花子", npo[0].name, staff.username, "npo-head@example.jp"):
        assert personal not in body


def test_a_logged_in_visitor_gets_a_private_copy(client, open_call, staff):  # type: ignore[no-untyped-def]
    login(client, staff)
    response = client.get(reverse("public_call_detail", args=[open_call.pk]))
    assert "private" in response["Cache-Control"]
    assert "募集（市民活動）" in response.content.decode() and "補助金の募集" in response.content.decode()


def test_the_menu_offers_the_calls_to_anonymous_visitors(client, db):  # type: ignore[no-untyped-def]
    body = client.get(reverse("login")).content.decode()
    assert reverse("public_call_list") in body and "募集（市民活動）" not in body
