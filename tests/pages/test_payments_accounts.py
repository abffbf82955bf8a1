"""An account whose bank or branch code is gone from zengin-code (a merger) is flagged before any batch is made: on
the payment queue (the payment held back, without its checkbox, with the reason and a link to the organisation),
on the organisation's page for staff and for its head, and on a draft batch whose snapshot no longer writes."""
import pytest
import zengin_code
from django.urls import reverse

from grants.cases.batches import create_payment_batch
from grants.organizations.kana import MISSING_BANK_CODE
from tests.cases.steps import login

pytestmark = pytest.mark.django_db

GONE = f"{MISSING_BANK_CODE}: 金融機関コード「0005」は存在しません。"


@pytest.fixture
def merged_away(approved_case, monkeypatch):  # type: ignore[no-untyped-def]
    """``approved_case``'s account registered at bank 0005, which then left the zengin-code data."""
    account = approved_case.organization.current_bank_account()
    account.bank_code, account.branch_code, account.bank_name = "0005", "001", "三菱ＵＦＪ銀行"
    account.full_clean()
    account.save()
    monkeypatch.delitem(zengin_code.Bank.all, "0005")
    return approved_case


def test_the_queue_holds_the_payment_back_with_its_reason(client, merged_away, finance) -> None:  # type: ignore[no-untyped-def]
    html = login(client, finance).get(reverse("payment_queue")).content.decode()
    assert GONE in html and "振込バッチに入れられません" in html
    assert f'name="case" value="{merged_away.pk}"' not in html  # nothing to tick
    assert reverse("organization_detail", args=[merged_away.organization_id]) in html


def test_a_payable_account_keeps_its_checkbox_and_no_flag(client, approved_case, finance) -> None:  # type: ignore[no-untyped-def]
    html = login(client, finance).get(reverse("payment_queue")).content.decode()
    assert f'name="case" value="{approved_case.pk}"' in html
    assert MISSING_BANK_CODE not in html and "振込バッチに入れられません" not in html


@pytest.mark.parametrize("who", ["staff", "association_head"])
def test_the_organisation_page_flags_the_account(client, merged_away, who, request) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(who)
    html = login(client, user).get(reverse("organization_detail", args=[merged_away.organization_id])).content.decode()
    assert "三菱ＵＦＪ銀行（0005）" in html and GONE in html and "振込できません" in html


def test_the_organisation_page_shows_a_payable_account_without_a_flag(client, approved_case, staff) -> None:  # type: ignore[no-untyped-def]
    html = login(client, staff).get(reverse("organization_detail", args=[approved_case.organization_id])).content
    assert "山口銀行（0170）" in html.decode() and MISSING_BANK_CODE not in html.decode()


def test_a_draft_batch_flags_a_payment_whose_bank_left_since(client, approved_case, finance, finance2,  # type: ignore[no-untyped-def]
                                                              transfer_day, monkeypatch):
    account = approved_case.organization.current_bank_account()
    account.bank_code, account.branch_code = "0005", "001"
    account.save()
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    html = login(client, finance2).get(reverse("payment_batch", args=[batch.pk])).content.decode()
    assert "振込ファイルを作成できません" not in html
    monkeypatch.delitem(zengin_code.Bank.all, "0005")
    html = client.get(reverse("payment_batch", args=[batch.pk])).content.decode()
    assert "振込ファイルを作成できません" in html and GONE in html
