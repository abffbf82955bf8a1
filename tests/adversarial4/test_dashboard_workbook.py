"""The dashboard's 管理費割合 and the auditor's council sheets under attack: the amount counted in each state of a
case, council names and texts that look like HTML or formulas, and dates at the calendar's edges in the lines a
workbook lists."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grants.cases import lifecycle
from grants.councils.stats import council_shares
from reports.exporters import fiscal_year_workbook, programme_year_workbook
from tests.councils import builders
from tests.councils.helpers import line
from tests.councils.steps import decided, draft, login, paid, reported, today

pytestmark = pytest.mark.django_db


def share_of(org, fiscal_year):  # type: ignore[no-untyped-def]
    return next(r for r in council_shares(fiscal_year) if r.organization_id == org.pk)


def test_share_counts_decided_then_confirmed_and_nothing_for_drafts_or_refusals(
        katsudo, unei, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    org = council[0]
    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
    row = share_of(org, katsudo.fiscal_year)
    assert (row.unei, row.katsudo, row.share_display) == (None, 1_000_000, "0.0%")
    reported(case, plan, cats, council[1], staff)
    lifecycle.confirm(case_id=case.pk, actor=approver)  # 700,000 confirmed (refund pending)
    unei_case = builders.draft_case(unei, org, start=dt.date(unei.fiscal_year, 4, 1))
    person = builders.staff_member(org, council[1])
    line(unei_case, council[1], category=cats["jinkenhi"], staff=person, amount=2_100_000,
         spent_on=dt.date(unei.fiscal_year, 4, 1))
    row = share_of(org, katsudo.fiscal_year)
    assert (row.unei, row.katsudo) == (None, 700_000)  # a draft counts for nothing
    lifecycle.submit(case_id=unei_case.pk, actor=council[1])
    lifecycle.verify(case_id=unei_case.pk, actor=staff, assessed_amount=2_100_000,
                     completion_deadline=dt.date(unei.fiscal_year + 1, 3, 31))
    from grants.cases.services import refuse_grant

    refuse_grant(case_id=unei_case.pk, actor=approver, note="予算の都合")
    row = share_of(org, katsudo.fiscal_year)
    assert (row.unei, row.katsudo, row.share_percent) == (None, 700_000, Decimal("0.0"))


def test_share_after_cancellation_counts_what_the_grant_keeps(katsudo, unei, council, staff, approver,
                                                             finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = paid(katsudo, council, staff, approver, finance, finance2)
    lifecycle.cancel(case_id=case.pk, actor=approver, note="目的外使用", kept_amount=250_000)
    row = share_of(council[0], katsudo.fiscal_year)
    assert (row.katsudo, row.total, row.share_display) == (250_000, 250_000, "0.0%")


def test_dashboard_and_history_escape_a_council_name_that_looks_like_html(client, katsudo, council, staff,
                                                                          approver) -> None:  # type: ignore[no-untyped-def]
    org = council[0]
    org.name = "<script>alert(1)</script>=1+1協議会"
    org.save()
    decided(katsudo, council, staff, approver)
    login(client, staff)
    for url in (reverse("dashboard"), reverse("dashboard_council_history", args=[org.pk]),
                reverse("overdue_reports"), reverse("plan_list")):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html, url


def test_workbook_keeps_formula_like_texts_as_text_and_survives_dates_at_the_calendars_edges(
        katsudo, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver, shares=None)
    lifecycle.save_report(case_id=case.pk, actor=council[1], narrative="実施", completed_on=today())
    for day, recipient in ((dt.date(1, 1, 1), "=HYPERLINK(\"http://x\")"), (dt.date(9999, 12, 31), "@SUM(A1)"),
                           (dt.date(1899, 12, 31), "+1\x07"), (None, "<r>x</r>")):
        line(case, council[1], where="report", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
             amount=1, spent_on=day, recipient=recipient, description="-2+3")
    for write in (lambda out: programme_year_workbook(katsudo, out),
                  lambda out: fiscal_year_workbook(katsudo.fiscal_year, out)):
        out = io.BytesIO()
        counts = write(out)
        assert counts["再交付"] == 4
        book = load_workbook(io.BytesIO(out.getvalue()))
        sheet = book["再交付"]
        values = [cell.value for row in sheet.iter_rows() for cell in row]
        assert "=HYPERLINK(\"http://x\")" in values and "-2+3" in values
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_is_for_city_users_only(client, katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    draft(katsudo, council, staff)
    login(client, council[1])
    assert client.post(reverse("request_programme_year_export", args=[katsudo.pk])).status_code == 403
    assert client.post(reverse("request_fiscal_year_export", args=[katsudo.fiscal_year])).status_code == 403
