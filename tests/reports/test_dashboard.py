"""The budget dashboard's read model (reports/dashboard.py): exact figures per programme-year and per 地域 after
the real services, reconciliation of the two and with the auditor's workbook, and a fixed number of queries."""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from grants.cases import services
from grants.cases.batches import approve_payment_batch, create_payment_batch, record_transfer_result
from grants.cases.models import GrantCase
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from grants.ledger.services import post_entry, set_budget
from reports.dashboard import AreaRow, area_totals, programme_totals, sum_area_rows, sum_programme_rows
from tests import factories
from tests.reports.builders import export, paid_cases, yuda

pytestmark = pytest.mark.django_db


FY = factories.CURRENT_FY


def by_code(rows: list[AreaRow]) -> dict[str, AreaRow]:
    return {row.code: row for row in rows}


def test_programme_totals_after_the_services(ledger_story) -> None:  # type: ignore[no-untyped-def]
    [row] = programme_totals(FY)
    assert row.programme_year_id == ledger_story.pk
    assert (row.budget, row.committed, row.paid, row.refunded, row.available) == (
        5_000_000, 100_000, 100_000, 5_000, 4_900_000
    )
    assert row.label == str(ledger_story)
    assert programme_totals(FY - 1) == []


def test_area_totals_after_the_services_net_of_reversals(ledger_story) -> None:  # type: ignore[no-untyped-def]
    rows = by_code(area_totals(FY))
    assert list(rows) == ["03", "10"]  # every area, in code order
    o, y = rows["10"], rows["03"]
    assert (o.name, o.case_count, o.paid_case_count, o.committed, o.paid, o.refunded) == (
        "大歳", 1, 1, 70_000, 70_000, 5_000
    )
    assert (y.name, y.case_count, y.paid_case_count, y.committed, y.paid, y.refunded) == (
        "湯田", 2, 1, 30_000, 30_000, 0
    )
    assert area_totals(FY, programme_year=ledger_story) == area_totals(FY, programme_year=ledger_story.pk)
    assert by_code(area_totals(FY, programme_year=ledger_story))["10"].refunded == 5_000


def test_area_sums_reconcile_with_programme_totals(ledger_story) -> None:  # type: ignore[no-untyped-def]
    areas, programmes = sum_area_rows(area_totals(FY)), sum_programme_rows(programme_totals(FY))
    assert (areas.committed, areas.paid, areas.refunded) == (programmes.committed, programmes.paid, programmes.refunded)
    assert (areas.case_count, areas.paid_case_count) == (3, 2)


def test_areas_without_cases_have_zero_rows(ledger_story) -> None:  # type: ignore[no-untyped-def]
    factories.AreaFactory(code="21", name="阿東", kana="あとう", centre_name="阿東地域交流センター")
    rows = by_code(area_totals(FY))
    assert rows["21"] == AreaRow(area_id=rows["21"].area_id, code="21", name="阿東", case_count=0,
                                 paid_case_count=0, committed=0, paid=0, refunded=0)
    # Another fiscal year: every area, all zero.
    assert {(r.case_count, r.committed, r.paid, r.refunded) for r in area_totals(FY - 1)} == {(0, 0, 0, 0)}


def test_other_programmes_and_years_stay_apart(ledger_story, finance) -> None:  # type: ignore[no-untyped-def]
    """A second programme of the year counts in the year's areas but not in the first programme's; a budget
    of the previous year shows only there."""
    other_py = factories.rule(code="unei_shien")
    BudgetAccount.objects.create(programme_year=other_py)
    set_budget(programme_year=other_py, budget=900_000, actor=finance)
    council = factories.AssociationFactory(name="湯田地域づくり協議会", area=yuda())
    council_case = GrantCase.objects.create(programme_year=other_py, organization=council)
    post_entry(programme_year=other_py, kind=EntryKind.COMMITMENT, amount=400_000, actor=finance, case=council_case)
    factories.programme_year_with_budget(budget=3_000_000, fiscal_year=FY - 1)

    assert [(r.programme_code, r.committed) for r in programme_totals(FY)] == [
        ("jichi_shinko", 100_000), ("unei_shien", 400_000)
    ]
    assert by_code(area_totals(FY))["03"].committed == 430_000
    assert by_code(area_totals(FY))["03"].case_count == 3
    assert by_code(area_totals(FY, programme_year=ledger_story))["03"].committed == 30_000
    assert by_code(area_totals(FY, programme_year=other_py))["03"].committed == 400_000
    assert [(r.budget, r.committed) for r in programme_totals(FY - 1)] == [(3_000_000, 0)]
    areas, programmes = sum_area_rows(area_totals(FY)), sum_programme_rows(programme_totals(FY))
    assert (areas.committed, areas.paid, areas.refunded) == (programmes.committed, programmes.paid, programmes.refunded)


def test_reversed_payment_nets_out_in_its_area(programme_year, finance) -> None:  # type: ignore[no-untyped-def]
    """A reversal subtracts by the kind of the entry it reverses: here a payment (e.g. a returned transfer)."""
    paid_cases(programme_year, 2, finance)
    payment = LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).order_by("pk").first()
    post_entry(programme_year=programme_year, kind=EntryKind.REVERSAL, amount=0, actor=finance, reverses=payment,
               case_reversal=True)
    rows = by_code(area_totals(FY))
    assert [(rows[c].committed, rows[c].paid) for c in ("10", "03", "05")] == [(10_000, 0), (10_000, 6_000), (0, 0)]
    [programme] = programme_totals(FY)
    assert (programme.committed, programme.paid) == (20_000, 6_000) == (sum_area_rows(rows.values()).committed,
                                                                      sum_area_rows(rows.values()).paid)


@pytest.mark.parametrize("n", [2, 20])
def test_area_totals_take_three_queries_whatever_the_number_of_cases(programme_year, finance, n, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    paid_cases(programme_year, n, finance)
    with django_assert_max_num_queries(3):
        rows = area_totals(FY)
    with django_assert_max_num_queries(1):
        programme_totals(FY)
    assert sum(r.case_count for r in rows) == n
    assert sum_area_rows(rows).paid == 6_000 * n


def test_payment_in_the_closing_period_counts_in_its_accounts_year(ledger_story, finance) -> None:  # type: ignore[no-untyped-def]
    """A payment dated in the 出納整理期間 (April–May after the 年度) belongs to its account's 年度."""
    org = factories.AssociationFactory()
    late = GrantCase.objects.create(programme_year=ledger_story, organization=org)
    post_entry(programme_year=ledger_story, kind=EntryKind.COMMITMENT, amount=8_000, actor=finance, case=late)
    post_entry(programme_year=ledger_story, kind=EntryKind.PAYMENT, amount=8_000, actor=finance, case=late,
               entry_date=dt.date(FY + 1, 5, 31))
    rows = by_code(area_totals(FY))
    assert (rows["10"].case_count, rows["10"].committed, rows["10"].paid) == (2, 78_000, 78_000)
    assert sum_area_rows(area_totals(FY + 1)).paid == 0
    assert sum_area_rows(rows.values()).paid == programme_totals(FY)[0].paid


# The auditor's workbook and the budget dashboard tell the same story: 集計 (both its recorded and its
# ledger-recomputed columns) equals the dashboard's programme row, and the sum of the dashboard's 地域 rows.


def test_workbook_totals_reconcile_with_dashboard(case, other_case, association_head, staff, staff2, approver, finance, finance2, auditor, export_workbook) -> None:  # type: ignore[no-untyped-def]
    # given: one case paid (70,000) with a 5,000 refund, another decided only (10,000 + 40 × 500 = 30,000)
    for c, head in ((case, association_head), (other_case, staff2)):
        services.submit_application(case_id=c.pk, actor=head)
        services.verify_application(case_id=c.pk, actor=staff)
        services.decide_grant(case_id=c.pk, actor=approver)
    services.prepare_payment(case_id=case.pk, actor=staff)
    services.approve_payment(case_id=case.pk, actor=finance)
    services.record_payment(case_id=case.pk, actor=finance2)
    post_entry(programme_year=case.programme_year, kind=EntryKind.REFUND, amount=5_000, actor=finance, case=case)
    # when
    book = load_workbook(io.BytesIO(export_workbook(auditor, case.programme_year_id)))
    rows = {r[0]: r[1:] for r in book["集計"].iter_rows(min_row=2, values_only=True)}
    (dashboard,) = programme_totals(case.programme_year.fiscal_year)
    areas = area_totals(case.programme_year.fiscal_year)
    # then
    expected = {"予算額": 5_000_000, "交付決定額": 100_000, "支出済額": 70_000, "返還額": 5_000, "執行可能額": 4_900_000}
    assert {k: rows[k][0] for k in expected} == expected  # recorded
    assert {k: rows[k][1] for k in expected} == expected  # recomputed from the ledger
    assert (dashboard.budget, dashboard.committed, dashboard.paid, dashboard.refunded, dashboard.available) == (
        5_000_000, 100_000, 70_000, 5_000, 4_900_000
    )
    assert (sum(a.committed for a in areas), sum(a.paid for a in areas), sum(a.refunded for a in areas)) == (
        100_000, 70_000, 5_000
    )


def test_a_transfer_waiting_for_the_bank_counts_as_pending_not_made(approved_case, finance, finance2, transfer_day) -> None:  # type: ignore[no-untyped-def]
    """The batch's approval posts the payment (支出済額) but the bank has not reported it: the dashboard counts it
    as 振込予定 (amount and case), not 振込済, and the workbook's 案件一覧 shows it as うち振込予定額 with the state
    振込予定 (its 支払 sheet: 銀行の結果 振込予定); the bank's 振込完了 moves it to 振込済 in all three."""
    py = approved_case.programme_year
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=lambda b: b"x")

    [row] = programme_totals(FY)
    area = sum_area_rows(area_totals(FY))
    assert (row.paid, row.pending, row.made) == (70_000, 70_000, 0)
    assert (area.paid, area.pending, area.made, area.pending_case_count, area.paid_case_count) == (
        70_000, 70_000, 0, 1, 0)
    [register] = list(export(py)["案件一覧"].iter_rows(min_row=2, values_only=True))
    assert (register[4], register[8], register[-1]) == ("振込予定", 70_000, 70_000)
    [payment] = list(export(py)["支払"].iter_rows(min_row=2, values_only=True))
    assert (payment[6], payment[-1]) == (70_000, "振込予定（銀行の結果待ち）")

    record_transfer_result(item_id=batch.items.get().pk, actor=finance, returned=False)

    [row] = programme_totals(FY)
    area = sum_area_rows(area_totals(FY))
    assert (row.paid, row.pending, row.made) == (70_000, 0, 70_000)
    assert (area.pending, area.made, area.pending_case_count, area.paid_case_count) == (0, 70_000, 0, 1)
    [register] = list(export(py)["案件一覧"].iter_rows(min_row=2, values_only=True))
    assert (register[4], register[8], register[-1]) == ("支払済", 70_000, 0)
    [payment] = list(export(py)["支払"].iter_rows(min_row=2, values_only=True))
    assert (payment[6], payment[-1]) == (70_000, "振込完了")
