"""The 市民活動団体 registration in a real browser: a group fills the public form, gets a wrong 法人番号 back with
what it typed kept (axe clean with the errors shown), corrects it, chooses the files again and lands on ホーム
logged in; staff open the list and the registration and confirm it. axe finds no WCAG 2.1 A/AA violation on
any page visited. Screenshots go to /tmp/shots/."""
from pathlib import Path

import pytest

from grants.accounts.models import Role
from grants.competitive.models import GroupRegistration, RegistrationStatus
from tests import factories
from tests.competitive import builders
from tests.pages.browser import done, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
SHOTS = Path("/tmp/shots")
PDF = {"mimeType": "application/pdf", "buffer": b"%PDF-1.4 group"}


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fill_form(page, corporate_number: str) -> None:  # type: ignore[no-untyped-def]
    label = page.get_by_label
    for text, value in (("団体名（必須）", "特定非営利活動法人 ゆだ子ども食堂"), ("団体名（フリガナ）（必須）", "ユダコドモショクドウ"),
                        ("法人番号", corporate_number), ("代表者氏名（必須）", "湯田 一郎"), ("電話番号（必須）", "083-000-1111"),
                        ("メールアドレス（必須）", "yuda@example.jp"), ("活動拠点の所在地（必須）", "山口市湯田温泉1丁目"),
                        ("構成員数（人）（必須）", "12"), ("団体の目的・主な活動（必須）", "子どもの居場所づくり"),
                        ("金融機関コード（必須）", "0170"), ("支店コード（必須）", "001"), ("口座番号（必須）", "1234567"),
                        ("口座名義（カナ）（必須）", "トクヒ）ユダコドモシヨクドウ"), ("ユーザー名（必須）", "yuda-kodomo")):
        label(text, exact=True).fill(value)
    label("主な活動の地域（必須）", exact=True).select_option(label="大歳")
    label("はい（市内に活動拠点があります）").check()
    for text in ("政治活動（政党や候補者の支持など）を目的としていません", "宗教活動を目的としていません", "営利を目的としていません"):
        label(text).check()
    secrets_and_files(page)


def secrets_and_files(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("パスワード（必須）", exact=True).fill("yuda-pass-2026")
    page.get_by_label("パスワード（確認のためもう一度）（必須）", exact=True).fill("yuda-pass-2026")
    page.get_by_label("規約（会則）（必須）", exact=True).set_input_files(files=[{"name": "kiyaku.pdf", **PDF}])
    page.get_by_label("構成員名簿（必須）", exact=True).set_input_files(files=[{"name": "meibo.pdf", **PDF}])


def test_a_group_registers_itself_and_staff_confirm_it(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    factories.AreaFactory()
    tanto = factories.UserFactory(username="tanto", role=Role.STAFF)
    builders.call(builders.programme_year(), tanto, min_members=20)
    page.goto(f"{live_server.url}/dantai/touroku/")
    check_a11y(page, "group_register")
    shot(page, "group_register")
    fill_form(page, corporate_number="1234567890123")
    page.get_by_role("button", name="登録を申請する").click()
    page.get_by_role("alert").wait_for()
    assert "13桁の法人番号が正しくありません" in page.locator("#id_corporate_number_error").inner_text()
    assert page.get_by_label("団体名（必須）", exact=True).input_value() == "特定非営利活動法人 ゆだ子ども食堂"
    assert not GroupRegistration.objects.exists()
    check_a11y(page, "group_register_errors")
    shot(page, "group_register_errors")

    page.get_by_label("法人番号", exact=True).fill("9234567890123")
    secrets_and_files(page)
    page.get_by_role("button", name="登録を申請する").click()
    done(page, "団体登録を申請しました。市の確認をお待ちください。")
    page.get_by_role("heading", name="ホーム").wait_for()
    check_a11y(page, "group_home")
    shot(page, "group_home")
    page.get_by_role("link", name="特定非営利活動法人 ゆだ子ども食堂の団体登録").click()
    page.get_by_role("heading", name="団体登録（特定非営利活動法人 ゆだ子ども食堂）").wait_for()
    check_a11y(page, "group_detail_head")
    shot(page, "group_detail_head")
    page.get_by_role("link", name="登録内容を修正する").click()
    check_a11y(page, "group_edit")
    shot(page, "group_edit")

    log_in(page, live_server.url, "tanto")
    page.get_by_role("link", name="確認を待っている団体登録").click()
    check_a11y(page, "group_list")
    shot(page, "group_list")
    page.get_by_role("link", name="特定非営利活動法人 ゆだ子ども食堂").click()
    check_a11y(page, "group_detail_staff")
    shot(page, "group_detail_staff")
    page.get_by_label("差戻しの理由（直していただく点）（必須）").fill("構成員名簿は今年度のものを添付してください。")
    page.get_by_role("button", name="差し戻す").click()
    done(page, "団体登録を差し戻しました。")

    log_in(page, live_server.url, "yuda-kodomo", "yuda-pass-2026")
    page.get_by_role("link", name="特定非営利活動法人 ゆだ子ども食堂の団体登録").click()
    page.locator("#return-note", has_text="構成員名簿は今年度のものを添付してください。").wait_for()
    assert "構成員が20人以上の団体が対象です（登録上の構成員数は12人です）。" in page.content()
    check_a11y(page, "group_detail_returned")
    shot(page, "group_detail_returned")
    page.get_by_role("link", name="登録内容を修正して申請し直す").click()
    page.get_by_label("構成員名簿", exact=True).set_input_files(files=[{"name": "meibo2026.pdf", **PDF}])
    page.get_by_role("button", name="修正を保存して、登録を申請し直す").click()
    done(page, "登録を申請し直しました。")

    log_in(page, live_server.url, "tanto")
    page.goto(f"{live_server.url}/dantai/{GroupRegistration.objects.get().pk}/")
    page.get_by_role("button", name="登録を確認する").click()
    done(page, "団体登録を確認しました。")
    assert GroupRegistration.objects.get().status == RegistrationStatus.CONFIRMED
