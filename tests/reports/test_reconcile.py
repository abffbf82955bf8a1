"""The auditor's workbook and the budget dashboard tell the same story: 集計 (both its recorded and its
ledger-recomputed columns) equals the dashboard's programme row, and the sum of the dashboard's 地域 rows."""
import io

import pytest
from openpyxl import load_workbook

from grants.cases import services
from grants.ledger.models import EntryKind
from grants.ledger.services import post_entry
from reports.dashboard import area_totals, programme_totals

pytestmark = pytest.mark.django_db


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
