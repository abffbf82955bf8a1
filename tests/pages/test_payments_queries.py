"""The payment queue at scale (issue 16): a summary per programme-year and the payments page by page, in a constant
number of queries whatever the number of payments and of programme-years; a batch of a whole programme-year from
the summary, the payments of other pages included and the payees that cannot be paid left in the queue."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.cases.models import GrantCase
from grants.ledger.models import BatchItem, OrderKind, OrderStatus, PaymentBatch, PaymentOrder
from grants.ledger.transfers import earliest_transfer_date
from grants.programmes.models import ProgrammeYear
from pages.payments.views import PER_PAGE
from tests import factories
from tests.cases.steps import login, messages_of

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def payable(count: int, *, fiscal_year: int = 2026, code: str = "jichi_shinko", account: bool = True,
            amount: int = 70_000, year: ProgrammeYear | None = None) -> list[PaymentOrder]:
    """``count`` 自治会 cases of ``year`` (else of a new programme-year), each with its 交付金 approved (支出承認済)
    and, with ``account``, a current bank account."""
    year = year or factories.rule(fiscal_year=fiscal_year, code=code)
    orders = []
    for _ in range(count):
        organization = factories.AssociationFactory()
        if account:
            factories.BankAccountFactory(organization=organization)
        case = GrantCase.objects.create(programme_year=year, organization=organization)
        orders.append(PaymentOrder.objects.create(case=case, kind=OrderKind.WHOLE, number=1, label="交付金",
                                                  amount=amount, pay_on=dt.date(fiscal_year, 6, 1),
                                                  status=OrderStatus.APPROVED))
    return orders


def queries_of(client, url: str, **query: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["finance", "auditor"])
def test_the_queue_costs_the_same_queries_for_3_or_120_payments_in_1_or_4_programme_years(client, who,
                                                                                         request) -> None:  # type: ignore[no-untyped-def]
    login(client, request.getfixturevalue(who))
    url = reverse("payment_queue")
    payable(3)
    few = queries_of(client, url)
    payable(60, fiscal_year=2025, code="other")
    payable(30, fiscal_year=2024, code="third")
    payable(27, fiscal_year=2026, code="fourth")
    many, deep = queries_of(client, url), queries_of(client, url, page="3")
    assert few == many == deep <= MAX_QUERIES


def test_the_queue_shows_a_summary_and_one_page_of_payments(client, finance) -> None:  # type: ignore[no-untyped-def]
    orders = payable(PER_PAGE + 5, amount=1_000)
    html = login(client, finance).get(reverse("payment_queue")).content.decode()
    assert f"（{PER_PAGE + 5}件、合計 {(PER_PAGE + 5) * 1_000:,}円）" in html
    assert html.count('name="case"') == PER_PAGE
    assert f"選んでください（{PER_PAGE + 5}件のうち1件目から{PER_PAGE}件）" in html
    assert f'value="{orders[0].case_id}"' in html and f'value="{orders[-1].case_id}"' not in html
    assert "1ページ目（全2ページ）" in html and "?page=2" in html

    html = client.get(reverse("payment_queue"), {"page": "2"}).content.decode()
    assert html.count('name="case"') == 5 and f'value="{orders[-1].case_id}"' in html
    assert "のうち51件目から5件" in html and "2ページ目（全2ページ）" in html


@pytest.mark.parametrize("raw", ["0", "-1", "99", "x", "²", "1" * 20])
def test_a_page_out_of_range_or_not_a_number_shows_a_page(client, finance, raw) -> None:  # type: ignore[no-untyped-def]
    payable(3)
    response = login(client, finance).get(reverse("payment_queue"), {"page": raw})
    assert response.status_code == 200 and response.content.decode().count('name="case"') == 3


def test_a_whole_programme_year_goes_into_one_batch_and_unpayable_payees_stay(client, finance) -> None:  # type: ignore[no-untyped-def]
    chosen = payable(PER_PAGE + 3)
    year = chosen[0].case.programme_year
    no_account = payable(1, account=False, year=year)[0]
    other = payable(2, fiscal_year=2025, code="other")
    response = login(client, finance).post(reverse("payment_queue"), {
        "year": str(year.pk), "case": [str(other[0].case_id)],  # a ticked row of another year is not taken
        "transfer_date": earliest_transfer_date().isoformat()}, follow=True)
    assert messages_of(response) == ["振込バッチを作成しました。別の会計課職員が承認してください。"]
    batch = PaymentBatch.objects.get()
    in_batch = set(BatchItem.objects.filter(batch=batch).values_list("payment_order_id", flat=True))
    assert in_batch == {o.pk for o in chosen}
    html = client.get(reverse("payment_queue")).content.decode()
    assert f'value="{other[0].case_id}"' in html  # still waiting
    assert "振込バッチに入れられません" in html and no_account.case.reference in html  # waiting, flagged


def test_an_unknown_programme_year_is_a_form_error_and_makes_no_batch(client, finance) -> None:  # type: ignore[no-untyped-def]
    payable(2)
    response = login(client, finance).post(reverse("payment_queue"), {
        "year": "999999", "transfer_date": earliest_transfer_date().isoformat()})
    assert response.status_code == 200 and not PaymentBatch.objects.exists()
    assert 'id="id_year_error"' in response.content.decode()


def test_the_auditor_reads_the_summary_without_the_batch_form(client, auditor) -> None:  # type: ignore[no-untyped-def]
    payable(2)
    html = login(client, auditor).get(reverse("payment_queue")).content.decode()
    assert "事業・年度ごとの振込待ちの支払" in html and "振込バッチを作成する" not in html
    assert "事業・年度ごとにまとめて入れる" not in html
