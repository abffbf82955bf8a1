"""The budget dashboard attacked: a head, anonymous users, garbage in ?fiscal_year=, and figures after a
returned transfer (reversal) and a refund, which must reconcile with the BudgetAccount."""
import pytest
from django.urls import reverse

from grants.cases.batches import approve_payment_batch, create_payment_batch, record_transfer_result
from grants.ledger.models import BudgetAccount, EntryKind
from grants.ledger.services import LedgerError, post_entry
from reports.dashboard import area_totals, programme_totals, sum_area_rows
from reports.exporters import ledger_totals
from reports.zengin_batch import batch_file
from tests import factories
from tests.cases.steps import login

pytestmark = pytest.mark.django_db

FY = factories.CURRENT_FY



def test_head_gets_403_and_anonymous_goes_to_login(client, association_head) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and "login" in response.url
    login(client, association_head)
    assert client.get(reverse("dashboard")).status_code == 403


@pytest.mark.parametrize("raw", [
    "abc", "", "-1", "-2026", "0", "0000", "99999999999999999999999", "2026.0", "2026 ", " 2026", "2026\x00",
    "２０２６", "٢٠٢٦", "1e3", "0x7EA", "2026' OR '1'='1", "<script>", "%00",
])
def test_garbage_fiscal_year_falls_back_to_this_year(client, staff, programme_year, raw) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    response = client.get(reverse("dashboard"), {"fiscal_year": raw})
    assert response.status_code == 200
    assert response.context["fiscal_year"] in (FY, 2026)


def test_regression_superscript_digits_in_fiscal_year_are_a_server_error(client, staff, programme_year) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (grants/dashboard/views.py selected_fiscal_year): ``raw.isdigit() and len(raw) == 4`` is true for
    superscript digits such as "²⁰²⁶", but ``int("²⁰²⁶")`` raises ValueError → 500 on a GET anyone on the
    city side can type. (Full-width "２０２６" happens to work because int() accepts it.) Suggested fix:
    ``raw.isascii() and raw.isdigit()`` or ``re.fullmatch(r"[0-9]{4}", raw)``."""
    login(client, staff)
    client.raise_request_exception = False
    assert client.get(reverse("dashboard"), {"fiscal_year": "²⁰²⁶"}).status_code == 200


def test_repeated_fiscal_year_params(client, staff, programme_year) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    assert client.get(reverse("dashboard") + f"?fiscal_year=abc&fiscal_year={FY}").status_code == 200


def _reconciles(programme_year) -> None:  # type: ignore[no-untyped-def]
    account = BudgetAccount.objects.get(programme_year=programme_year)
    rows = programme_totals(FY)
    assert len(rows) == 1
    row = rows[0]
    assert (row.budget, row.committed, row.paid, row.refunded) == (
        account.budget, account.committed, account.paid, account.refunded)
    areas = sum_area_rows(area_totals(FY))
    assert (areas.committed, areas.paid, areas.refunded) == (account.committed, account.paid, account.refunded)
    recomputed = ledger_totals(programme_year)
    assert recomputed == {"budget": account.budget, "committed": account.committed, "paid": account.paid,
                          "refunded": account.refunded}


def test_figures_after_return_rebatch_and_refund_reconcile(client, staff, approved_case, finance, finance2, transfer_day, transfer_settings, programme_year) -> None:  # type: ignore[no-untyped-def]
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    _reconciles(programme_year)
    record_transfer_result(item_id=batch.items.get().pk, actor=finance, returned=True, reason="口座解約")
    _reconciles(programme_year)
    areas = sum_area_rows(area_totals(FY))
    assert (areas.paid, areas.paid_case_count) == (0, 0)
    again = create_payment_batch(actor=finance2, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=again.pk, actor=finance, write_file=batch_file)
    record_transfer_result(item_id=again.items.get().pk, actor=finance, returned=False)
    post_entry(programme_year=programme_year, kind=EntryKind.REFUND, amount=5_000, actor=finance,
               case=approved_case, note="返還")
    _reconciles(programme_year)
    account = BudgetAccount.objects.get(programme_year=programme_year)
    assert (account.committed, account.paid, account.refunded) == (70_000, 70_000, 5_000)
    areas = sum_area_rows(area_totals(FY))
    assert (areas.paid, areas.refunded, areas.paid_case_count) == (70_000, 5_000, 1)
    login(client, staff)
    page = client.get(reverse("dashboard")).content.decode()
    assert "70,000" in page and "5,000" in page


def test_refund_blocks_the_reversal_of_its_payment(approved_case, finance, finance2, transfer_day, transfer_settings, programme_year) -> None:  # type: ignore[no-untyped-def]
    """A refund recorded while the transfer is still 送金済 makes the later 返却 impossible (refunded ≤ paid),
    and the totals stay consistent."""
    from grants.cases.batches import BatchError

    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    post_entry(programme_year=programme_year, kind=EntryKind.REFUND, amount=70_000, actor=finance, case=approved_case)
    with pytest.raises(BatchError):
        record_transfer_result(item_id=batch.items.get().pk, actor=finance, returned=True, reason="口座解約")
    with pytest.raises(LedgerError):
        post_entry(programme_year=programme_year, kind=EntryKind.REFUND, amount=1, actor=finance, case=approved_case)
    _reconciles(programme_year)
