"""Steps of the real-browser page tests (no tests here): logging in and out, opening a case page with its forms
unfolded, waiting for a page's success message, and typing a 地域づくり計画's items and its attachment into its
forms."""
from tests.factories import PASSWORD


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Log in as ``username`` from a fresh session (an earlier user's cookies cleared) and wait for the home page."""
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("heading", name="ホーム").wait_for()


def logout(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="ログアウト").click()
    page.get_by_role("heading", name="ログイン").wait_for()


def open_case(page, base: str, pk: int) -> None:  # type: ignore[no-untyped-def]
    """The case page with every <details> open (so that axe checks the forms inside them too)."""
    page.goto(f"{base}/cases/{pk}/")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def done(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(".message-success", has_text=text).wait_for()


def add_plan_items(page, items: tuple[tuple[str, str | None, str, str], ...]) -> None:  # type: ignore[no-untyped-def]
    """Add each (level, parent's label or None, code, title) through the plan page's 項目を追加する form."""
    for level, parent, code, title in items:
        if not page.get_by_label("階層").is_visible():
            page.get_by_text("項目を追加する", exact=True).first.click()
        page.get_by_label("階層").select_option(level)
        if parent:
            page.get_by_label("上位の項目").select_option(label=parent)
        page.get_by_label("番号").fill(code)
        page.get_by_label("名称", exact=True).fill(title)
        page.get_by_role("button", name="項目を追加する").click()
        done(page, "項目を追加しました。")


def attach_plan_file(page, title: str) -> None:  # type: ignore[no-untyped-def]
    """Attach a one-line PDF named ``title`` through the plan page's 資料を添付する form."""
    page.get_by_text("資料を添付する").click()
    page.get_by_label("資料名").fill(title)
    page.get_by_label("ファイル", exact=True).set_input_files(
        files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 plan"}])
    page.get_by_role("button", name="添付する").click()
    done(page, "資料を添付しました。")
