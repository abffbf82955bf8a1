"""Attacks on the competitive programme's pages through the Django test client, each named for what it attacks:
GET on every act URL, a POST without the CSRF token, the public pages after a selection (nothing personal, no
amount or score of an application), a 審査委員 reaching the member list, another member's scores, the case, the
ranking, the exports or a notice, another group's case and lines, the selection form with amounts that are not
whole yen, the wrong role preparing or deciding, and the 受付 button once the selection is decided. Each refusal
leaves nothing written."""
import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grants.cases.models import BudgetLine, GrantCase
from grants.competitive import groups, panel
from grants.competitive.models import GroupRegistration, Selection, SelectionLine, TaxCreditReport
from grants.core.models import AuditEvent
from grants.notices.models import Notice
from tests.cases.steps import login, messages_of
from tests.competitive import builders, steps

SMALL = [("hoshohi", "講師謝礼", 99_000)]  # × ⅔ = 66,000円 applied: a figure no rule on the public page shows
COMMENT = "講師の人選に工夫がある（審査委員2の内部講評）"


def written() -> tuple[int, ...]:
    """What an act would write: audit rows, selection lines, notices, cases by state."""
    return (AuditEvent.objects.count(), SelectionLine.objects.count(), Notice.objects.count(),
            *GrantCase.objects.order_by("pk").values_list("status", flat=True))


@pytest.fixture
def world(open_call, npo, npo_b, staff, judge, judge2):  # type: ignore[no-untyped-def]
    """``npo``'s application in screening, scored by both members (judge2 with a comment), ``npo_b``'s draft, a
    draft selection, and a tax report due on the screened case (made directly: the URLs are what is attacked)."""
    screened = steps.screening(open_call, *npo, staff, lines=SMALL)
    steps.score(screened, judge, 4)
    panel.declare(case_id=screened.pk, actor=judge2, conflicted=False)
    criteria = {c.pk: 3 for c in open_call.criteria.all()}
    panel.save_scores(case_id=screened.pk, actor=judge2, scores=criteria, comments=dict.fromkeys(criteria, COMMENT))
    draft = steps.draft(open_call, *npo_b, title="まちなかコンサート")
    report = TaxCreditReport.objects.create(case=screened, due_on=timezone.localdate() + dt.timedelta(days=30))
    return {"screened": screened, "draft": draft, "report": report,
            "registration": GroupRegistration.objects.get(organization=npo_b[0])}


def act_urls(w, call) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(who, url) of every URL that acts, with the user it is meant for."""
    s, d = w["screened"].pk, w["draft"].pk
    return [
        ("head_b", f"/cases/{d}/act/submit/"), ("staff", f"/cases/{s}/act/return_to_applicant/"),
        ("head_b", f"/competitive/applications/{d}/plan/"), ("head_b", "/competitive/applications/"),
        ("staff", f"/competitive/calls/{call.pk}/act/unpublish_call/"),
        ("staff", f"/dantai/{w['registration'].pk}/return_group/"),
        ("judge", f"/panel/applications/{s}/declare/"), ("judge", f"/panel/applications/{s}/scores/"),
        ("staff", f"/panel/calls/{call.pk}/selection/"),
        ("staff", f"/panel/calls/{call.pk}/selection/propose_selection/"),
        ("head", f"/tax-reports/{w['report'].pk}/submit/"),
        ("staff", f"/tax-reports/{w['report'].pk}/act/confirm_tax_report/"),
    ]


def cast(npo, npo_b, staff, judge):  # type: ignore[no-untyped-def]
    return {"head": npo[1], "head_b": npo_b[1], "staff": staff, "judge": judge}


def test_get_on_every_act_url_acts_on_nothing(client, world, open_call, npo, npo_b, staff, judge) -> None:  # type: ignore[no-untyped-def]
    people = cast(npo, npo_b, staff, judge)
    before = written()
    for who, url in act_urls(world, open_call):
        login(client, people[who])
        response = client.get(url + "?note=x&conflicted=no")
        assert response.status_code in (200, 302, 405), url
    assert written() == before
    assert not Selection.objects.exists()


def test_a_post_without_the_csrf_token_is_refused_on_every_act_url(world, open_call, npo, npo_b, staff,
                                                                   judge) -> None:  # type: ignore[no-untyped-def]
    people = cast(npo, npo_b, staff, judge)
    browser = Client(enforce_csrf_checks=True)
    before = written()
    for who, url in act_urls(world, open_call):
        login(browser, people[who])
        assert browser.post(url, {"note": "x", "conflicted": "no"}).status_code == 403, url
    assert written() == before


def test_the_public_pages_show_nothing_personal_and_no_application_after_the_selection(
        client, world, open_call, npo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    steps.decide_selection(open_call, staff, approver, {world["screened"].pk: 66_000})
    for url in (reverse("public_call_list"), reverse("public_call_detail", args=[open_call.pk])):
        body = client.get(url).content.decode()
        for secret in ("吉敷 花子", "npo-head@example.jp", "083-000-0000", npo[0].name, "大歳まちなか音楽サークル",
                       world["screened"].project_title, "66,000", COMMENT, "judge1", "judge2"):
            assert secret not in body, (url, secret)


def test_the_public_page_of_a_call_put_back_to_draft_is_not_found(client, open_call, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    client.post(f"/competitive/calls/{open_call.pk}/act/unpublish_call/", {"note": "要綱の改正のため"})
    client.logout()
    assert client.get(reverse("public_call_detail", args=[open_call.pk])).status_code == 404
    assert open_call.title not in client.get(reverse("public_call_list")).content.decode()


# -- the 審査委員 --------------------------------------------------------------------------------------------------

def test_a_member_reads_the_bylaws_but_not_the_member_list(client, world, judge) -> None:  # type: ignore[no-untyped-def]
    login(client, judge)
    s = world["screened"].pk
    page = client.get(f"/panel/applications/{s}/").content.decode()
    assert "規約（会則）をダウンロードする" in page and "構成員名簿" not in page
    assert client.get(f"/panel/applications/{s}/files/bylaws/").status_code == 200
    assert client.get(f"/panel/applications/{s}/files/member_list/").status_code == 404


def test_a_member_sees_only_their_own_scores(client, world, judge) -> None:  # type: ignore[no-untyped-def]
    login(client, judge)
    page = client.get(f"/panel/applications/{world['screened'].pk}/").content.decode()
    assert COMMENT not in page and "judge2" not in page
    assert 'value="4"' in page and 'value="3"' not in page


def test_a_member_reaches_no_case_ranking_export_notice_or_dashboard(client, world, open_call, staff, approver,
                                                                    judge) -> None:  # type: ignore[no-untyped-def]
    steps.decide_selection(open_call, staff, approver, {world["screened"].pk: 66_000})
    notice = Notice.objects.get(case=world["screened"])
    year = open_call.programme_year
    login(client, judge)
    for url, refused in ((f"/cases/{world['screened'].pk}/", 404), (f"/notices/{notice.pk}/pdf/", 404),
                         (f"/panel/calls/{open_call.pk}/ranking/", 403), (f"/tax-reports/{world['report'].pk}/", 404),
                         ("/tax-reports/", 403), ("/dashboard/", 403), ("/dantai/", 403),
                         (f"/competitive/applications/{world['screened'].pk}/amount/", 404), ("/cases/", None)):
        response = client.get(url)
        if refused is None:
            assert world["screened"].project_title not in response.content.decode(), url
        else:
            assert response.status_code == refused, url
    before = AuditEvent.objects.count()
    for url in (f"/years/{year.pk}/exports/", f"/exports/fiscal-year/{year.fiscal_year}/"):
        assert client.post(url).status_code in (403, 404), url
    assert AuditEvent.objects.count() == before


def test_a_member_of_another_call_gets_404_on_this_calls_application(client, world, shimin_year, staff) -> None:  # type: ignore[no-untyped-def]
    other = builders.call(shimin_year, staff)
    outsider = builders.panel_member(other, "judge-other", staff)
    login(client, outsider)
    s = world["screened"].pk
    for url in (f"/panel/applications/{s}/", f"/panel/applications/{s}/files/bylaws/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/panel/applications/{s}/declare/", {"conflicted": "no"}).status_code == 404
    assert world["screened"].project_title not in client.get("/panel/").content.decode()


# -- another group's things -----------------------------------------------------------------------------------------

def test_another_groups_head_gets_404_on_the_case_its_acts_and_its_lines(client, world, npo_b) -> None:  # type: ignore[no-untyped-def]
    s = world["screened"]
    line = BudgetLine.objects.filter(case=s).first()
    before = (written(), BudgetLine.objects.count())
    login(client, npo_b[1])
    assert client.get(f"/cases/{s.pk}/").status_code == 404
    for url, data in ((f"/cases/{s.pk}/act/return_to_applicant/", {"note": "x"}),
                      (f"/cases/{s.pk}/lines/budget/add/", {"kind": "expense", "description": "x", "amount": "1"}),
                      (f"/cases/{s.pk}/lines/budget/{line.pk}/delete/", {}),
                      (f"/competitive/applications/{s.pk}/plan/", {"purpose": "乗っ取り"}),
                      (f"/tax-reports/{world['report'].pk}/submit/", {"amount": "0"})):
        assert client.post(url, data).status_code == 404, url
    assert (written(), BudgetLine.objects.count()) == before
    assert "乗っ取り" not in s.project_plan.purpose


# -- the selection page ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["-1", "1.5", "六万円", "66001"])
def test_a_selection_amount_that_is_not_whole_yen_within_the_applied_amount_is_shown_again_and_nothing_written(
        typed, client, world, open_call, staff) -> None:  # type: ignore[no-untyped-def]
    s = world["screened"].pk
    login(client, staff)
    response = client.post(f"/panel/calls/{open_call.pk}/selection/",
                           {f"selected_{s}": "on", f"amount_{s}": typed, f"reason_{s}": ""})
    assert response.status_code == 400
    assert f'value="{typed}"' in response.content.decode()
    assert not SelectionLine.objects.exists()


def test_the_approver_cannot_prepare_and_staff_cannot_decide(client, world, open_call, staff, approver) -> None:  # type: ignore[no-untyped-def]
    s = world["screened"].pk
    login(client, approver)
    assert client.post(f"/panel/calls/{open_call.pk}/selection/",
                       {f"selected_{s}": "on", f"amount_{s}": "66000"}).status_code == 403
    assert not SelectionLine.objects.exists()
    login(client, staff)
    client.post(f"/panel/calls/{open_call.pk}/selection/", {f"selected_{s}": "on", f"amount_{s}": "66000"})
    client.post(f"/panel/calls/{open_call.pk}/selection/propose_selection/", {"note": ""})
    response = client.post(f"/panel/calls/{open_call.pk}/selection/decide_selection/", {"note": ""}, follow=True)
    assert "採択の決定は決裁者のみが行えます。" in messages_of(response)
    assert Selection.objects.get().status == "proposed" and not Notice.objects.exists()


def test_the_accept_button_says_why_once_the_selection_is_decided(client, world, open_call, npo_b, staff,
                                                                 approver) -> None:  # type: ignore[no-untyped-def]
    late = world["draft"]
    login(client, npo_b[1])
    client.post(f"/cases/{late.pk}/act/submit/", {"note": ""})  # submitted, not yet put to the panel
    steps.decide_selection(open_call, staff, approver, {world["screened"].pk: 66_000})
    login(client, staff)
    page = client.get(f"/cases/{late.pk}/").content.decode()
    assert "この募集の採択はすでに決定しているため、審査会に付すことはできません。" in page
    response = client.post(f"/cases/{late.pk}/act/accept_for_screening/", {"note": ""}, follow=True)
    assert any("すでに決定" in m for m in messages_of(response))
    late.refresh_from_db()
    assert late.status == "submitted"


def test_a_logged_in_user_cannot_register_a_second_group_over_their_session(client, npo) -> None:  # type: ignore[no-untyped-def]
    login(client, npo[1])
    data = {k: v for k, v in builders.registration_data().items() if k != "area"}
    response = client.post(reverse("group_register"), data, follow=True)
    assert response.status_code == 200
    assert GroupRegistration.objects.count() == 1
    assert not groups.visible_registrations(npo[1]).exclude(organization=npo[0]).exists()


def test_starting_in_a_second_call_of_the_year_says_why_instead_of_failing(client, open_call, shimin_year, npo,
                                                                          staff) -> None:  # type: ignore[no-untyped-def]
    steps.submitted(open_call, *npo)
    second_call = builders.call(shimin_year, staff)
    login(client, npo[1])
    response = client.post("/competitive/applications/", {"call": second_call.pk, "organization": npo[0].pk,
                                                          "mode": "new", "project_title": "高齢者サロン"})
    assert response.status_code == 400
    assert "この補助金に申請できるのは1年度に1件です。" in response.content.decode()
    assert 'value="高齢者サロン"' in response.content.decode()
    assert GrantCase.objects.count() == 1
