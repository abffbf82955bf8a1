"""The panel and selection pages (pages/competitive/panel.py) through the Django test client: a member who may not
open an application (conflicted, tied, unassigned) gets 404 on every URL of it; the case pages are not the
panel's; bad scores are shown again as typed; staff prepare, an approver decides once; the group sees 採択 or
不採択 on its case page and never a member's comments."""
import datetime as dt

import pytest

from grants.competitive.models import ConflictDeclaration, Criterion, Score, Selection, SelectionLine
from grants.notices.models import Notice
from tests import factories
from tests.cases.steps import login, messages_of
from tests.competitive import steps

COMMENT = "講師の人選に工夫が見られる（内部講評）"


def member_urls(case):  # type: ignore[no-untyped-def]
    return [("get", f"/panel/applications/{case.pk}/"), ("post", f"/panel/applications/{case.pk}/declare/"),
            ("get", f"/panel/applications/{case.pk}/scores/"), ("post", f"/panel/applications/{case.pk}/scores/"),
            ("get", f"/panel/applications/{case.pk}/files/bylaws/"),
            ("get", f"/panel/applications/{case.pk}/files/member_list/")]


def score_post(case, value="3", comment=""):  # type: ignore[no-untyped-def]
    data = {}
    for c in Criterion.objects.filter(call__applications__case=case):
        data[f"score_{c.pk}"] = value
        data[f"comment_{c.pk}"] = comment
    return data


def assert_not_found_everywhere(client, case) -> None:  # type: ignore[no-untyped-def]
    for method, url in member_urls(case):
        data = {"conflicted": "no", **score_post(case)} if method == "post" else None
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        assert response.status_code == 404, url


def test_a_conflicted_member_gets_404_on_the_application_its_scores_and_files(client, screened, judge) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    login(client, judge)
    response = client.post(f"/panel/applications/{screened.pk}/declare/",
                           {"conflicted": "yes", "reason": "団体の監事を務めています"})
    assert response.status_code == 302
    assert_not_found_everywhere(client, screened)
    assert ConflictDeclaration.objects.get().conflicted is True
    assert not Score.objects.exists()
    assert screened.project_title not in client.get("/panel/").content.decode()


def test_a_member_tied_to_the_group_gets_404_without_declaring(client, screened, npo, judge) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    factories.RepresentativeFactory(organization=npo[0], user=judge, title="前代表", name="審査 一郎",
                                    started_on=dt.date(2018, 4, 1), ended_on=dt.date(2020, 3, 31))
    login(client, judge)
    assert_not_found_everywhere(client, screened)
    assert not ConflictDeclaration.objects.exists()


def test_an_unassigned_member_gets_404(client, screened, staff) -> None:  # type: ignore[no-untyped-def]
    outsider = factories.UserFactory(username="judge-x", role="panel")
    login(client, outsider)
    assert_not_found_everywhere(client, screened)


def test_a_panel_member_may_not_open_case_pages_or_city_pages(client, screened, open_call, judge) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    login(client, judge)
    assert client.get(f"/cases/{screened.pk}/").status_code == 404
    for url in ("/panel/calls/", f"/panel/calls/{open_call.pk}/ranking/", f"/panel/calls/{open_call.pk}/selection/"):
        assert client.get(url).status_code == 403, url


def test_staff_and_groups_may_not_use_the_panel_pages(client, screened, staff, npo) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    for user in (staff, npo[1]):
        login(client, user)
        assert client.get("/panel/").status_code == 403
        assert client.get(f"/panel/applications/{screened.pk}/").status_code == 403


def test_the_member_declares_then_reads_the_plan_and_lines_and_scores(client, screened, open_call, judge) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    open_call.presentation_on = dt.datetime(2027, 1, 20, 13, 30, tzinfo=dt.UTC)
    open_call.presentation_place = "山口市民会館 小ホール"
    open_call.save()
    login(client, judge)
    home = client.get("/panel/").content.decode()
    assert "山口市民会館 小ホール" in home and "未申告" in home
    first = client.get(f"/panel/applications/{screened.pk}/").content.decode()
    assert "利害関係の申告" in first and "月1回の交流会" not in first
    client.post(f"/panel/applications/{screened.pk}/declare/", {"conflicted": "no"})
    client.post(f"/panel/applications/{screened.pk}/declare/", {"conflicted": "no"})  # a double click
    assert ConflictDeclaration.objects.count() == 1
    page = client.get(f"/panel/applications/{screened.pk}/").content.decode()
    assert "月1回の交流会" in page and "講師謝礼（3回）" in page and "120,000円" in page
    assert client.get(f"/panel/applications/{screened.pk}/files/bylaws/").status_code == 200
    response = client.post(f"/panel/applications/{screened.pk}/scores/", score_post(screened, "4", COMMENT),
                           follow=True)
    assert messages_of(response) == ["採点を保存しました。"]
    assert sorted(Score.objects.values_list("score", flat=True)) == [4, 4, 4, 4]


def test_a_score_out_of_range_is_shown_again_as_typed_and_nothing_is_written(client, screened, judge) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    login(client, judge)
    client.post(f"/panel/applications/{screened.pk}/declare/", {"conflicted": "no"})
    data = score_post(screened, "3", "よい計画")
    last = Criterion.objects.get(name="発展性")
    data[f"score_{last.pk}"] = "9"
    response = client.post(f"/panel/applications/{screened.pk}/scores/", data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "発展性の点数" in body and "0〜5の整数で入力してください。" in body
    assert 'value="9"' in body and "よい計画" in body
    assert f'aria-describedby="id_score_{last.pk}_helptext id_score_{last.pk}_error"' in body
    assert not Score.objects.exists()


@pytest.fixture
def scored(open_call, npo, npo_b, staff, judge):  # type: ignore[no-untyped-def]  # noqa: F811
    good = steps.screening(open_call, *npo, staff)
    weak = steps.screening(open_call, *npo_b, staff, title="まちなかコンサート")
    steps.score(good, judge, 5)
    steps.score(weak, judge, 2)
    Score.objects.filter(case=good).update(comment=COMMENT)
    return good, weak


def selection_post(good, weak, amount="150000", reason="評価が及びませんでした。"):  # type: ignore[no-untyped-def]
    return {f"selected_{good.pk}": "on", f"amount_{good.pk}": amount, f"reason_{good.pk}": "",
            f"amount_{weak.pk}": "0", f"reason_{weak.pk}": reason}


def test_the_ranking_shows_scores_and_comments_to_staff(client, scored, open_call, staff) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    login(client, staff)
    body = client.get(f"/panel/calls/{open_call.pk}/ranking/").content.decode()
    assert "1位" in body and "2位" in body and COMMENT in body and "40.00" in body


def test_staff_prepare_over_budget_is_refused_as_typed(client, scored, open_call, staff) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    open_call.budget = 100_000
    open_call.save()
    login(client, staff)
    response = client.post(f"/panel/calls/{open_call.pk}/selection/", selection_post(*scored))
    body = response.content.decode()
    assert response.status_code == 400
    assert "予算額 100,000円 を超えています" in body and 'value="150000"' in body
    assert not SelectionLine.objects.exists()


def test_staff_prepare_and_the_approver_decides_once(client, scored, open_call, staff, approver) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    good, weak = scored
    login(client, staff)
    client.post(f"/panel/calls/{open_call.pk}/selection/", selection_post(good, weak))
    client.post(f"/panel/calls/{open_call.pk}/selection/propose_selection/", {"note": ""})
    response = client.post(f"/panel/calls/{open_call.pk}/selection/decide_selection/", {"note": ""}, follow=True)
    assert "採択の決定は決裁者のみが行えます。" in messages_of(response)
    assert Selection.objects.get().status == "proposed"
    login(client, approver)
    assert "採択を決定する" in client.get(f"/panel/calls/{open_call.pk}/selection/").content.decode()
    client.post(f"/panel/calls/{open_call.pk}/selection/decide_selection/", {"note": ""})
    again = client.post(f"/panel/calls/{open_call.pk}/selection/decide_selection/", {"note": ""}, follow=True)
    assert any("決定済" in m for m in messages_of(again))
    assert Notice.objects.count() == 2
    good.refresh_from_db()
    assert good.status == "selected"


def test_the_group_sees_the_outcome_but_no_comment_and_staff_see_the_rank(client, scored, open_call, staff,  # type: ignore[no-untyped-def]  # noqa: F811
                                                                          approver, npo, npo_b) -> None:  # noqa: F811
    good, weak = scored
    steps.decide_selection(open_call, staff, approver, {good.pk: 140_000}, reason="地域への広がりが見えにくい。")
    login(client, npo[1])
    body = client.get(f"/cases/{good.pk}/").content.decode()
    assert "採択額" in body and "140,000円" in body and COMMENT not in body and "平均点" not in body
    assert "judge1" not in body and "利害関係" not in body and "採点" not in body
    login(client, npo_b[1])
    body = client.get(f"/cases/{weak.pk}/").content.decode()
    assert "不採択" in body and "地域への広がりが見えにくい。" in body
    assert client.get(f"/cases/{good.pk}/").status_code == 404
    login(client, staff)
    body = client.get(f"/cases/{good.pk}/").content.decode()
    assert "1位" in body and "審査項目ごとの平均点" in body


