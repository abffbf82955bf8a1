"""The notices' sender: 「山口市長　伊藤　和貴」 once CITY_MAYOR_NAME is set, the title alone without it, and a
deployment check (notices.W001) that warns while the name is missing."""
import pytest

from grants.notices.checks import check_mayor_name
from grants.notices.models import NoticeKind
from grants.notices.services import issue_notice
from reports.pdf import render_notice_html


def test_without_the_mayor_s_name_the_deploy_check_warns(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CITY_MAYOR_NAME = ""
    assert [m.id for m in check_mayor_name()] == ["notices.W001"]
    settings.CITY_MAYOR_NAME = "　"
    assert [m.id for m in check_mayor_name()] == ["notices.W001"]


def test_with_the_mayor_s_name_the_deploy_check_is_quiet(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CITY_MAYOR_NAME = "伊藤　和貴"
    assert check_mayor_name() == []


@pytest.mark.django_db
def test_the_notice_is_signed_with_the_name_when_it_is_set(decided_case, approver, settings) -> None:  # type: ignore[no-untyped-def]
    notice = issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)
    settings.CITY_MAYOR_NAME = ""
    assert '<p class="sender">山口市長</p>' in render_notice_html(notice)
    settings.CITY_MAYOR_NAME = "伊藤　和貴"
    assert '<p class="sender">山口市長　伊藤　和貴</p>' in render_notice_html(notice)
