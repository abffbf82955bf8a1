"""The 市民活動団体 registration pages (pages/competitive/groups.py): the public form (no login) with each error at
its field and what was typed kept, a double submit making one group, the group's own page (status, what staff
asked to fix, correction and re-application, the open calls' requirements), ホーム's box, and the staff list,
detail, files and confirm / return — with 404 for anyone else. The services: tests/competitive/test_groups.py."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.accounts.models import Role
from grants.competitive.groups import GROUP_REGISTRATION
from grants.competitive.models import GroupRegistration, RegistrationStatus
from grants.core import workflow
from grants.core.models import AuditEvent
from grants.organizations.models import BankAccount, Organization, Representative
from tests import factories
from tests.cases.steps import messages_of
from tests.competitive import builders
from tests.competitive.builders import pdf, registration_data

pytestmark = pytest.mark.django_db
REGISTER = "/dantai/touroku/"


def form_post(**changes: object) -> dict[str, object]:
    """The registration form as a browser posts it (with its two PDF files)."""
    data = registration_data(**changes)
    post: dict[str, object] = {k: v for k, v in data.items() if not isinstance(v, bool) and k != "password"}
    post.update(area=data["area"].pk if data["area"] else "", based_in_city="yes" if data["based_in_city"] else "no",  # type: ignore[union-attr]
                password1=data["password"], password2=changes.get("password2", data["password"]),
                bylaws=changes.get("bylaws", pdf()), member_list=pdf("meibo.pdf"))
    post.update({k: "on" for k in ("no_political_aim", "no_religious_aim", "no_profit_aim") if data[k]})
    return post


def rows() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Organization, Representative, BankAccount, GroupRegistration))


def test_the_public_form_opens_without_a_login(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get(REGISTER).content.decode()
    for text in ("<h1>市民活動団体の登録</h1>", "団体名（必須）", "法人番号", "規約（会則）（必須）", "口座名義（カナ）（必須）",
                 "パスワード（確認のためもう一度）（必須）", 'enctype="multipart/form-data"'):
        assert text in page, text


def test_registering_logs_the_head_in_and_home_shows_the_status(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(REGISTER, form_post(), follow=True)
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert messages_of(response) == ["団体登録を申請しました。市の確認をお待ちください。"]
    assert rows() == (1, 1, 1, 1)
    assert response.context["user"].username == "yuda-kodomo"
    page = response.content.decode()
    assert "特定非営利活動法人 ゆだ子ども食堂の団体登録" in page
    assert "登録申請中（市の確認待ち）" in page


@pytest.mark.parametrize(("changes", "field_text"), [
    ({"corporate_number": "1234567890123"}, "法人番号: 13桁の法人番号が正しくありません"),
    ({"bank_code": "9999"}, "金融機関コード: 金融機関コード「9999」は存在しません。"),
    ({"holder_kana": "湯田子ども食堂"}, "口座名義（カナ）: 1文字目の「湯」は口座名義に使えません"),
    ({"bylaws": SimpleUploadedFile("kiyaku.exe", b"MZ\x90\x00")}, "規約（会則）: PDF・Word・Excel・画像（JPEG/PNG）のいずれか"),
    ({"password2": "another-pass-2026"}, "パスワード（確認のためもう一度）: 1回目に入力したパスワードと一致しません。"),
    ({"representative_name": ""}, "代表者氏名: このフィールドは必須です。"),
])
def test_bad_input_names_the_field_keeps_what_was_typed_and_writes_nothing(client, changes, field_text) -> None:  # type: ignore[no-untyped-def]
    response = client.post(REGISTER, form_post(**changes))
    page = response.content.decode()
    assert response.status_code == 200
    assert field_text in page
    assert 'aria-invalid="true"' in page
    assert 'value="特定非営利活動法人 ゆだ子ども食堂"' in page or changes.get("name") is not None
    assert 'value="yuda@example.jp"' in page
    assert "ファイルはもう一度選び" in page
    assert rows() == (0, 0, 0, 0)
    assert not response.wsgi_request.user.is_authenticated


def test_the_account_name_field_takes_100_characters(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get(REGISTER).content.decode()
    assert 'name="holder_kana" maxlength="100"' in page


def test_a_long_corporate_account_name_is_registered_abbreviated(client) -> None:  # type: ignore[no-untyped-def]
    typed = "ﾄｸﾃｲﾋｴｲﾘｶﾂﾄﾞｳﾎｳｼﾞﾝ ﾕﾀﾞｺﾄﾞﾓｼｮｸﾄﾞｳ ﾈｯﾄﾜｰｸ"  # 40 characters as typed
    response = client.post(REGISTER, form_post(holder_kana=typed))
    assert response.status_code == 302
    assert BankAccount.objects.get().holder_kana == "ﾄｸﾋ)ﾕﾀﾞｺﾄﾞﾓｼﾖｸﾄﾞｳ ﾈﾂﾄﾜ-ｸ"


@pytest.mark.parametrize(("typed", "field_text"), [
    ("トクテイヒエイリカツドウホウジン　ユダオンセンコドモショクドウネットワークス　ヤマ",
     "口座名義（カナ）: 口座名義は30バイト以内にしてください（変換後「ﾄｸﾋ)ﾕﾀﾞｵﾝｾﾝｺﾄﾞﾓｼﾖｸﾄﾞｳﾈﾂﾄﾜ-ｸｽ ﾔﾏ」は31バイトです。"),
    ("ユダコドモショクドウア゛", "口座名義（カナ）: 12文字目の「゛」は前の文字に付けられません（「ア」には付けられません）。"),
])
def test_a_refused_account_name_says_why_and_keeps_what_was_typed(client, typed, field_text) -> None:  # type: ignore[no-untyped-def]
    response = client.post(REGISTER, form_post(holder_kana=typed))
    page = response.content.decode()
    assert response.status_code == 200
    assert field_text in page
    assert f'value="{typed}"' in page
    assert rows() == (0, 0, 0, 0)


def test_a_double_submit_makes_one_group(client, django_user_model) -> None:  # type: ignore[no-untyped-def]
    other_tab = client.__class__()
    client.post(REGISTER, form_post())
    again = other_tab.post(REGISTER, form_post(), follow=True)  # the same form sent again, without the first's cookie
    assert messages_of(again) == ["団体登録を申請しました。市の確認をお待ちください。"]
    third = client.post(REGISTER, form_post(), follow=True)  # the first tab, now logged in
    assert "ログイン中のため" in messages_of(third)[-1]
    assert rows() == (1, 1, 1, 1)
    assert django_user_model.objects.count() == 1


def _registered(client) -> GroupRegistration:  # type: ignore[no-untyped-def]
    registration = builders.register()
    client.force_login(registration.submitted_by)
    return registration


def test_another_groups_head_and_a_panel_member_get_404_on_the_page_and_its_files(client) -> None:  # type: ignore[no-untyped-def]
    registration = builders.register()
    _, other_head = builders.group("other-head", "別の団体")
    panel = factories.UserFactory(username="judge", role=Role.PANEL)
    urls = [reverse("group_detail", args=[registration.pk]), reverse("group_edit", args=[registration.pk]),
            reverse("group_file", args=[registration.pk, "bylaws"]),
            reverse("group_file", args=[registration.pk, "member_list"])]
    for user in (other_head, panel):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404, 404]
        response = client.post(reverse("group_act", args=[registration.pk, "confirm_group"]))
        assert response.status_code == 404
    assert GroupRegistration.objects.get(pk=registration.pk).status == RegistrationStatus.SUBMITTED


def test_the_group_and_staff_download_the_files(client, staff) -> None:  # type: ignore[no-untyped-def]
    registration = _registered(client)
    url = reverse("group_file", args=[registration.pk, "bylaws"])
    response = client.get(url)
    assert (response.status_code, b"".join(response.streaming_content)[:5]) == (200, b"%PDF-")
    client.force_login(staff)
    assert client.get(url).status_code == 200
    assert client.get(reverse("group_file", args=[registration.pk, "secret"])).status_code == 404


def test_the_head_is_not_offered_confirm_and_a_posted_confirm_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    registration = _registered(client)
    page = client.get(reverse("group_detail", args=[registration.pk])).content.decode()
    assert "登録を確認する" not in page
    response = client.post(reverse("group_act", args=[registration.pk, "confirm_group"]), follow=True)
    assert messages_of(response) == ["団体登録の確認は担当職員のみが行えます。"]
    assert GroupRegistration.objects.get().status == RegistrationStatus.SUBMITTED
    assert not AuditEvent.objects.filter(action="confirm_group").exists()


def test_staff_list_filters_by_status_and_confirm_from_the_detail(client, staff) -> None:  # type: ignore[no-untyped-def]
    registration = builders.register()
    builders.group("circle-head", "大歳まちなか音楽サークル", confirmed_by=staff)
    client.force_login(staff)
    waiting = client.get(reverse("group_list"), {"status": "submitted"}).content.decode()
    assert "特定非営利活動法人 ゆだ子ども食堂" in waiting and "大歳まちなか音楽サークル" not in waiting
    assert "確認を待っている団体登録</a>：1件" in client.get(reverse("home")).content.decode()
    detail = client.get(reverse("group_detail", args=[registration.pk])).content.decode()
    assert "登録を確認する" in detail and "差し戻す" in detail and "規約（会則）をダウンロード" in detail
    response = client.post(reverse("group_act", args=[registration.pk, "confirm_group"]), follow=True)
    assert messages_of(response) == ["団体登録を確認しました。この団体は募集に申請できます。"]
    assert GroupRegistration.objects.get(pk=registration.pk).status == RegistrationStatus.CONFIRMED


def test_a_return_without_a_reason_is_refused_and_one_with_it_reaches_the_group(client, staff) -> None:  # type: ignore[no-untyped-def]
    registration = builders.register()
    client.force_login(staff)
    url = reverse("group_act", args=[registration.pk, "return_group"])
    response = client.post(url, {"note": ""}, follow=True)
    assert messages_of(response) == ["差戻しの理由（直していただく点）を入力してください。"]
    assert GroupRegistration.objects.get().status == RegistrationStatus.SUBMITTED
    client.post(url, {"note": "構成員名簿は最新のものを添付してください。"})
    client.force_login(registration.submitted_by)
    page = client.get(reverse("group_detail", args=[registration.pk])).content.decode()
    assert "市から修正をお願いしている点" in page and "構成員名簿は最新のものを添付してください。" in page
    post = form_post(members="14")
    post.pop("bylaws")
    post["resubmit"] = "1"
    response = client.post(reverse("group_edit", args=[registration.pk]), post, follow=True)
    assert messages_of(response) == ["登録を申請し直しました。市の確認をお待ちください。"]
    registration.refresh_from_db()
    assert (registration.status, registration.members) == (RegistrationStatus.SUBMITTED, 14)
    assert registration.bylaws  # the file not chosen again is kept


def test_a_bad_correction_keeps_what_was_typed_and_changes_nothing(client) -> None:  # type: ignore[no-untyped-def]
    registration = _registered(client)
    post = form_post(members="20", corporate_number="1234567890123")
    response = client.post(reverse("group_edit", args=[registration.pk]), post)
    page = response.content.decode()
    assert "法人番号: 13桁の法人番号が正しくありません" in page and 'value="20"' in page
    assert GroupRegistration.objects.get().members == 12


def test_the_group_page_says_why_it_does_not_meet_an_open_call(client, staff) -> None:  # type: ignore[no-untyped-def]
    open_call = builders.call(builders.programme_year(), staff)
    registration = builders.register(registration_data(members=3))
    workflow.perform(GROUP_REGISTRATION, registration.pk, "confirm_group", actor=staff)
    client.force_login(registration.submitted_by)
    page = client.get(reverse("group_detail", args=[registration.pk])).content.decode()
    assert open_call.title in page
    assert "構成員が5人以上の団体が対象です（登録上の構成員数は3人です）。" in page
    assert "登録内容を修正する" not in page  # confirmed: corrections go through staff
