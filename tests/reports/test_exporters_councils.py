"""The auditor's workbook for the 地域づくり協議会 grants (reports.exporters): 協議会別管理費割合 and its history,
特例判断, 支出命令, 再交付 and 返還命令, and the 集計 and 台帳 sheets still reconciling once refunds lower the
commitment. The current year goes through the real services (tests/councils/builders.py and helpers.py); the
past year is data (GrantCase rows in their final state). Workbooks are read back with openpyxl."""
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from grants.cases import budget, lifecycle, refunds
from grants.cases.models import (
    EligibilityOverride,
    GrantCase,
    PerformanceReport,
    RefundOrder,
    RefundReceipt,
    ReportLine,
    Status,
)
from grants.cases.services import approve_override, override_check
from grants.core.fiscal import fiscal_year_label
from grants.councils.stats import council_shares
from grants.ledger.models import BudgetAccount, LedgerEntry, PaymentOrder
from grants.organizations.models import Organization, OrganizationKind
from grants.programmes.models import ProgrammeYear
from reports.dashboard import area_totals, programme_totals
from reports.exporters import fiscal_year_workbook, ledger_totals, programme_year_workbook
from tests import factories
from tests.councils import builders
from tests.councils.helpers import decide, line, pay_orders
from tests.councils.steps import decided, today
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db


COUNCIL_SHEETS = ["協議会別管理費割合", "協議会別交付額の推移", "特例判断", "支出命令", "再交付", "返還命令"]


SHEETS = ["台帳", "集計", "案件一覧", "交付決定", "支払", "返還", "監査証跡", *COUNCIL_SHEETS]


COUNCIL_HEADER = ["年度", "年度（和暦）", "地域コード", "地域", "団体コード", "協議会", "運営支援（円）", "活動支援（円）",
                  "合計（円）", "管理費割合"]


HEADERS = {
    "協議会別管理費割合": COUNCIL_HEADER,
    "協議会別交付額の推移": COUNCIL_HEADER,
    "特例判断": ["案件番号", "団体コード", "団体名", "確認項目コード", "確認項目", "理由", "判断者", "判断日時", "承認者",
                 "承認日時", "状態"],
    "支出命令": ["案件番号", "団体コード", "団体名", "区分", "回", "名称", "金額（円）", "支払予定日", "状態", "起票者",
                 "起票日時", "承認者", "承認日時", "支払日"],
    "再交付": ["案件番号", "団体コード", "協議会", "再交付先", "計画の取組", "費目", "内容", "金額（円）", "支出日"],
    "返還命令": ["案件番号", "団体コード", "団体名", "返還の理由", "返還を命じる額（円）", "返還命令日", "納期限",
                 "加算金の年率（％）", "延滞金の年率（％）", "元金の納付額（円）", "加算金の納付額（円）",
                 "延滞金の納付額（円）", "未納の元金（円）", "納付の回数", "最終納付日", "状態", "命令者"],
}


FORMULA = '=HYPERLINK("http://example.com","x")'


COUNCIL_NAME = "=1+1地域づくり協議会"


TOKYO = ZoneInfo("Asia/Tokyo")


def values(ws: Worksheet) -> list[list[object]]:
    return [[cell.value for cell in row] for row in ws.iter_rows()]


def as_excel_date(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def as_excel_datetime(moment: dt.datetime) -> dt.datetime:
    """An aware datetime as written: Asia/Tokyo wall-clock time, naive, whole seconds."""
    return moment.astimezone(TOKYO).replace(tzinfo=None, microsecond=0)


def export(programme_year: ProgrammeYear) -> Workbook:
    buffer = io.BytesIO()
    programme_year_workbook(ProgrammeYear.objects.select_related("programme").get(pk=programme_year.pk), buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def export_year(fiscal_year: int) -> Workbook:
    buffer = io.BytesIO()
    fiscal_year_workbook(fiscal_year, buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def wareki_year(fiscal_year: int) -> str:
    return fiscal_year_label(fiscal_year)


@pytest.fixture
def story(staff, staff2, approver, finance, finance2):  # type: ignore[no-untyped-def]
    """One council, 「=1+1地域づくり協議会」 (大歳, K-secretary), through this year with the real services:

    - 活動支援: lines 600,000 (原材料費) + 400,001 (報償費) + 50,000 (交際費, excluded: overridden by staff with
      a justification shaped like a formula, approved by staff2); decided 1,000,000 with 概算払 500,000 and
      250,000, both paid; changed to 900,000 (without the 交際費 line); 実績 700,000 with a re-grant of 500,000 to 「大歳第1自治会」 and of
      80,000 to 「=SUM(A1)自治会」; confirmed 700,000; refund of 50,000 received in two parts (20,000, 30,000).
    - 運営支援: decided 3,000,000 (staff cost 2,484,000 → 2,400,000 + running costs 700,000 → 600,000), its
      概算払 of 1,500,000 still scheduled.
    - FY2023 (data): 運営支援 4,802,000 and 活動支援 5,459,000, closed.

    And a second council, 湯田地域づくり協議会 (湯田), whose 活動支援 application is submitted only, with an override
    still waiting for its second approval.
    """
    org, secretary = builders.council(name=COUNCIL_NAME)
    katsudo, unei = builders.katsudo_year(), builders.unei_year()
    plan = builders.approved_plan(org, staff)
    builders.instalments(katsudo, [(1, 2), (1, 4)])
    builders.instalments(unei, [(1, 2)])
    cats = builders.categories()

    case = builders.draft_case(katsudo, org)
    line(case, secretary, category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"), amount=600_000,
         description="水路補修の原材料")
    line(case, secretary, category=cats["hoshohi"], plan_item=builders.item(plan, "1-1-1"), amount=400_001,
         description="防災訓練の講師謝礼")
    guests = line(case, secretary, category=cats["kosaihi"], plan_item=builders.item(plan, "1-1-1"),
                  amount=50_000, description="来賓への記念品")
    lifecycle.submit(case_id=case.pk, actor=secretary)
    override = override_check(case_id=case.pk, actor=staff, check_code=f"category@b{guests.pk}",
                              justification=FORMULA)
    approve_override(case_id=case.pk, override_id=override.pk, actor=staff2)
    lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=1_000_000,
                     completion_deadline=dt.date(CURRENT_FY + 1, 3, 31), note="端数を調整")
    case = lifecycle.decide(case_id=case.pk, actor=approver)
    pay_orders(case, staff, finance, finance2)  # records 振込完了 for each transfer
    change = lifecycle.start_change(case_id=case.pk, actor=secretary, reason="資材費の減少", requested_amount=900_000)
    for copied in change.lines.filter(category=cats["kosaihi"]):  # the override was for the application's line
        budget.delete_line(case_id=case.pk, actor=secretary, where="change", line_id=copied.pk)
    lifecycle.request_change(case_id=case.pk, actor=secretary)
    lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=900_000)
    lifecycle.approve_change(case_id=case.pk, actor=approver)
    lifecycle.save_report(case_id=case.pk, actor=secretary, narrative="防災訓練と水路補修を行った。",
                          completed_on=timezone.localdate())
    line(case, secretary, where="report", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         amount=500_000, description="水路補修の原材料", recipient="大歳第1自治会")
    line(case, secretary, where="report", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         amount=80_000, description="側溝の補修", recipient="=SUM(A1)自治会")
    line(case, secretary, where="report", category=cats["hoshohi"], plan_item=builders.item(plan, "1-1-1"),
         amount=120_000, description="講師謝礼")
    lifecycle.submit_report(case_id=case.pk, actor=secretary)
    lifecycle.verify_report(case_id=case.pk, actor=staff)
    case = lifecycle.confirm(case_id=case.pk, actor=approver)
    assert case.confirmed_amount == 700_000 and case.refund_order.principal == 50_000
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=20_000, received_on=timezone.localdate())
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=30_000, received_on=timezone.localdate())

    person = builders.staff_member(org, secretary)
    fy_start = dt.date(CURRENT_FY, 4, 1)
    running = builders.draft_case(unei, org, start=fy_start)
    line(running, secretary, category=cats["jinkenhi"], staff=person, amount=person.cost_in(CURRENT_FY),
         description="事務局員 人件費", spent_on=fy_start)
    line(running, secretary, category=cats["kounetsu"], amount=700_000, description="事務所の光熱水費",
         spent_on=fy_start)
    running = decide(running, secretary, staff, approver)
    assert running.decided_amount == 3_000_000

    for code, amount in (("unei_shien", 4_802_000), ("katsudo_shien", 5_459_000)):
        past = factories.rule(code=code, fiscal_year=2023)
        GrantCase.objects.create(programme_year=past, organization=org, status=Status.CLOSED,
                                 decided_amount=amount, confirmed_amount=amount, decided_on=dt.date(2023, 5, 1))

    yuda = factories.AreaFactory(code="03", name="湯田", kana="ゆだ", centre_name="湯田地域交流センター")
    other, other_secretary = builders.council(name="湯田地域づくり協議会", username="yuda-secretary")
    Organization.objects.filter(pk=other.pk).update(area=yuda)
    builders.approved_plan(other, staff)
    waiting = builders.draft_case(katsudo, other)
    snacks = line(waiting, other_secretary, category=cats["kosaihi"],
                  plan_item=builders.item(other.plans.get(), "1-1-1"), amount=10_000, description="懇親会")
    lifecycle.submit(case_id=waiting.pk, actor=other_secretary)
    override_check(case_id=waiting.pk, actor=staff, check_code=f"category@b{snacks.pk}",
                   justification="地域の清掃活動後の慰労として認める")

    return {"org": org, "katsudo": katsudo, "unei": unei, "case": GrantCase.objects.get(pk=case.pk),
            "running": GrantCase.objects.get(pk=running.pk), "other": other,
            "waiting": GrantCase.objects.get(pk=waiting.pk)}


def test_council_programme_workbook_has_the_council_sheets(story):
    # when the 活動支援 programme-year is exported
    wb = export(story["katsudo"])

    # then the seven sheets are followed by the six council sheets, each with its header, bold and frozen
    assert wb.sheetnames == SHEETS
    for name, header in HEADERS.items():
        ws = wb[name]
        assert values(ws)[0] == header
        assert ws.freeze_panes == "A2" and all(cell.font.b for cell in ws[1])


def test_workbook_of_a_simple_programme_keeps_its_seven_sheets(paid_case):
    assert export(paid_case.programme_year).sheetnames == SHEETS[:7]


def test_share_sheet_lists_the_councils_of_the_export_by_share(story):
    # when exported
    ws = export(story["katsudo"])["協議会別管理費割合"]

    # then both councils with a 活動支援 case are there: 運営支援 3,000,000 (decided) ÷ (3,000,000 + 700,000
    # confirmed) = 81.08… → 81.1 %; the council whose application is not decided has no amounts and no share
    label = wareki_year(CURRENT_FY)
    assert values(ws)[1:] == [
        [CURRENT_FY, label, "10", "大歳", "K-secretary", COUNCIL_NAME, 3_000_000, 700_000, 3_700_000, 0.811],
        [CURRENT_FY, label, "03", "湯田", "K-yuda-secretary", "湯田地域づくり協議会", None, None, None, None],
    ]
    # and the same figure as the dashboard
    shares = {row.organization_id: row for row in council_shares(CURRENT_FY)}
    assert shares[story["org"].pk].share_display == "81.1%"


def test_share_sheet_cells_are_typed(story):
    row = export(story["katsudo"])["協議会別管理費割合"][2]
    assert type(row[0].value) is int and row[0].number_format == "0"  # 年度
    assert row[5].value == COUNCIL_NAME and row[5].data_type == "s" and row[5].number_format == "@"
    for cell in row[6:9]:
        assert type(cell.value) is int and cell.number_format == "#,##0"
    assert row[9].data_type == "n" and row[9].number_format == "0.0%" and row[9].value == 0.811


def test_history_sheet_has_every_year_of_the_councils_in_the_export(story):
    # when exported
    ws = export(story["katsudo"])["協議会別交付額の推移"]

    # then each council's years, by 地域コード then oldest year first: the published FY2023 pair (46.8 %)
    assert values(ws)[1:] == [
        [CURRENT_FY, wareki_year(CURRENT_FY), "03", "湯田", "K-yuda-secretary", "湯田地域づくり協議会",
         None, None, None, None],
        [2023, "令和5年度", "10", "大歳", "K-secretary", COUNCIL_NAME, 4_802_000, 5_459_000, 10_261_000, 0.468],
        [CURRENT_FY, wareki_year(CURRENT_FY), "10", "大歳", "K-secretary", COUNCIL_NAME, 3_000_000, 700_000,
         3_700_000, 0.811],
    ]


def test_a_single_programme_export_names_only_its_own_councils(story, staff):
    # given a third council with only a 運営支援 case (decided as data)
    third, _ = builders.council(name="大殿地域づくり協議会", username="odono")
    GrantCase.objects.create(programme_year=story["unei"], organization=third, status=Status.DECIDED,
                             decided_amount=2_000_000, decided_on=timezone.localdate())

    # then the 活動支援 export does not list it; the 運営支援 export does, first with 100.0 %, but not 湯田 (whose
    # only case is of 活動支援)
    assert "大殿地域づくり協議会" not in [row[5] for row in values(export(story["katsudo"])["協議会別管理費割合"])]
    rows = values(export(story["unei"])["協議会別管理費割合"])[1:]
    assert [(row[5], row[6], row[7], row[9]) for row in rows] == [
        ("大殿地域づくり協議会", 2_000_000, None, 1.0), (COUNCIL_NAME, 3_000_000, 700_000, 0.811),
    ]


def test_override_sheet_lists_approved_and_pending_overrides(story, staff, staff2):
    case, waiting = story["case"], story["waiting"]
    approved = EligibilityOverride.objects.get(case=case)
    pending = EligibilityOverride.objects.get(case=waiting)

    ws = export(story["katsudo"])["特例判断"]

    guests, snacks = approved.check_code.split("@b")[1], pending.check_code.split("@b")[1]
    assert values(ws)[1:] == [
        [case.reference, "K-secretary", COUNCIL_NAME, approved.check_code,
         f"対象となる費目であること（収支予算の明細 No.{guests}）", FORMULA, "staff 担当",
         as_excel_datetime(approved.at), "staff2 担当", as_excel_datetime(approved.approved_at), "承認済"],
        [waiting.reference, "K-yuda-secretary", "湯田地域づくり協議会", pending.check_code,
         f"対象となる費目であること（収支予算の明細 No.{snacks}）", "地域の清掃活動後の慰労として認める", "staff 担当",
         as_excel_datetime(pending.at), None, None, "承認待ち"],
    ]
    # the justification shaped like a formula stays text; the dates are dates
    row = ws[2]
    assert row[5].data_type == "s" and row[5].value == FORMULA
    assert row[7].data_type == "d" and row[7].number_format == "yyyy-mm-dd hh:mm:ss"


def test_payment_order_sheet(story, staff, finance):
    case = story["case"]
    first, second = PaymentOrder.objects.filter(case=case).order_by("number")

    ws = export(story["katsudo"])["支出命令"]

    assert values(ws)[1:] == [
        [case.reference, "K-secretary", COUNCIL_NAME, "概算払", 1, first.label, 500_000, as_excel_date(first.pay_on),
         "支払済", "staff 担当", as_excel_datetime(first.prepared_at), "finance 担当",
         as_excel_datetime(first.approved_at), as_excel_date(first.paid_on)],
        [case.reference, "K-secretary", COUNCIL_NAME, "概算払", 2, second.label, 250_000,
         as_excel_date(second.pay_on), "支払済", "staff 担当", as_excel_datetime(second.prepared_at), "finance 担当",
         as_excel_datetime(second.approved_at), as_excel_date(second.paid_on)],
    ]
    row = ws[2]
    assert type(row[4].value) is int and row[4].number_format == "0"
    assert type(row[6].value) is int and row[6].number_format == "#,##0"
    assert row[7].data_type == "d" and row[7].number_format == "yyyy-mm-dd"


def test_fiscal_year_workbook_names_the_programme_on_case_sheets_only(story):
    # when the whole fiscal year is exported
    wb = export_year(CURRENT_FY)

    # then the case sheets start with 事業 and hold both programmes; the council sheets do not repeat it
    assert wb.sheetnames == SHEETS
    assert values(wb["支出命令"])[0] == ["事業", *HEADERS["支出命令"]]
    orders = [(row[0], row[4], row[7], row[9]) for row in values(wb["支出命令"])[1:]]
    assert orders == [
        ("地域づくり活動支援交付金", "概算払", 500_000, "支払済"),
        ("地域づくり活動支援交付金", "概算払", 250_000, "支払済"),
        ("地域づくり運営支援交付金", "概算払", 1_500_000, "予定"),
    ]
    unpaid = values(wb["支出命令"])[3]
    assert unpaid[10:] == [None, None, None, None, None]  # not drafted, approved nor paid yet
    assert values(wb["協議会別管理費割合"])[0] == COUNCIL_HEADER
    assert [row[5] for row in values(wb["協議会別管理費割合"])[1:]] == [COUNCIL_NAME, "湯田地域づくり協議会"]


def test_subgrant_sheet_lists_report_lines_with_a_recipient(story):
    case = story["case"]
    lines = ReportLine.objects.filter(report__case=case).exclude(recipient="").order_by("order", "pk")
    first = lines[0]

    ws = export(story["katsudo"])["再交付"]

    assert values(ws)[1:] == [
        [case.reference, "K-secretary", COUNCIL_NAME, "大歳第1自治会", "1-1-2 水路・道路の小規模補修", "原材料費",
         "水路補修の原材料", 500_000, as_excel_date(first.spent_on)],
        [case.reference, "K-secretary", COUNCIL_NAME, "=SUM(A1)自治会", "1-1-2 水路・道路の小規模補修", "原材料費",
         "側溝の補修", 80_000, as_excel_date(first.spent_on)],
    ]
    assert ws["D3"].data_type == "s" and ws["D3"].value == "=SUM(A1)自治会"
    assert PerformanceReport.objects.get(case=case).lines.count() == 3  # the line without a recipient is left out


def test_refund_order_sheet_sums_the_receipts(story, approver):
    case = story["case"]
    order = RefundOrder.objects.get(case=case)

    ws = export(story["katsudo"])["返還命令"]

    today = timezone.localdate()
    assert values(ws)[1:] == [
        [case.reference, "K-secretary", COUNCIL_NAME, "額の確定による返還（適正化法第18条第2項の例）", 50_000,
         as_excel_date(order.ordered_on), as_excel_date(order.due_on), 0, 10.95, 50_000, 0, 0, 0, 2,
         as_excel_date(today), "納付済", "approver 担当"],
    ]
    row = ws[2]
    assert row[7].data_type == "n" and row[7].number_format == "0.000"
    assert row[8].value == 10.95 and row[8].number_format == "0.000"
    assert all(type(cell.value) is int and cell.number_format == "#,##0" for cell in row[9:13])


def test_refund_order_with_penalties_received_and_principal_outstanding(story, finance):
    # given a cancelled case of another council with an order of 300,000 at 10.95 % / 14.6 %, of which 100,000
    # principal, 1,200 加算金 and 300 延滞金 were received (data)
    org, _ = builders.council(name="大殿地域づくり協議会", username="odono")
    cancelled = GrantCase.objects.create(programme_year=story["katsudo"], organization=org, status=Status.CANCELLED,
                                         decided_amount=300_000, confirmed_amount=0, decided_on=factories.BASE_DATE)
    today = timezone.localdate()
    order = RefundOrder.objects.create(case=cancelled, principal=300_000, reason="cancellation", ordered_on=today,
                                       due_on=today + dt.timedelta(days=20), surcharge_rate=Decimal("10.95"),
                                       late_rate=Decimal("14.6"), ordered_by=finance)
    RefundReceipt.objects.create(order=order, received_on=today, principal_part=100_000, surcharge_part=1_200,
                                 late_part=300, recorded_by=finance)

    rows = values(export(story["katsudo"])["返還命令"])[1:]

    (row,) = [r for r in rows if r[0] == cancelled.reference]
    assert row[3:] == ["交付決定の取消による返還（適正化法第18条第1項の例）", 300_000, as_excel_date(today),
                       as_excel_date(today + dt.timedelta(days=20)), 10.95, 14.6, 100_000, 1_200, 300, 200_000, 1,
                       as_excel_date(today), "納付待ち", "finance 担当"]


def test_summary_and_ledger_reconcile_after_refunds_lower_the_commitment(story):
    katsudo = story["katsudo"]
    account = BudgetAccount.objects.get(programme_year=katsudo)
    # the refund brought the commitment down to the confirmed amount: paid − refunded ≤ committed
    assert (account.committed, account.paid, account.refunded) == (700_000, 750_000, 50_000)

    wb = export(katsudo)

    # 集計: recorded totals equal those recomputed from the ledger, with no difference
    assert values(wb["集計"])[1:] == [
        ["予算額", 30_000_000, 30_000_000, 0],
        ["交付決定額", 700_000, 700_000, 0],
        ["支出済額", 750_000, 750_000, 0],
        ["返還額", 50_000, 50_000, 0],
        ["執行可能額", 29_300_000, 29_300_000, 0],
    ]
    # 台帳: every entry, and its kinds summed net of reversals give the same totals
    ledger = values(wb["台帳"])[1:]
    assert len(ledger) == LedgerEntry.objects.filter(account=account).count()
    kinds = {entry.pk: entry.kind for entry in LedgerEntry.objects.filter(account=account)}
    net = {"予算": 0, "交付決定（支出負担行為）": 0, "支出": 0, "返還（戻入）": 0}
    label_of = {"budget": "予算", "commitment": "交付決定（支出負担行為）", "payment": "支出", "refund": "返還（戻入）"}
    for row in ledger:
        if row[3] == "取消（反対仕訳）":
            net[label_of[kinds[row[5]]]] -= row[4]
        else:
            net[row[3]] += row[4]
    assert net == {"予算": 30_000_000, "交付決定（支出負担行為）": 700_000, "支出": 750_000, "返還（戻入）": 50_000}
    # 返還: the two receipts of the refund, as in the 返還命令 sheet
    assert [row[7] for row in values(wb["返還"])[1:]] == [20_000, 30_000]
    # and the dashboard tells the same story
    (dashboard,) = [row for row in programme_totals(CURRENT_FY) if row.programme_year_id == katsudo.pk]
    assert (dashboard.committed, dashboard.paid, dashboard.refunded) == (700_000, 750_000, 50_000)
    assert ledger_totals(katsudo) == {"budget": 30_000_000, "committed": 700_000, "paid": 750_000,
                                      "refunded": 50_000}
    areas = area_totals(CURRENT_FY, katsudo)
    assert (sum(a.committed for a in areas), sum(a.paid for a in areas), sum(a.refunded for a in areas)) == (
        700_000, 750_000, 50_000)


def test_audit_trail_names_the_acts_of_the_full_lifecycle(story):
    acts = {row[2] for row in values(export(story["katsudo"])["監査証跡"])[1:]}
    assert {"特例判断の承認", "変更交付決定", "実績報告の提出", "額の確定", "返還命令", "返還金の納付",
            "支出命令の起票（概算払・精算払）", "完了"} <= acts


def _more_councils(programme_year: ProgrammeYear, actor: object, start: int, count: int) -> None:
    """``count`` councils, each with a confirmed 活動支援 case, an override, an order, a re-grant line and a
    refund order with a receipt (data)."""
    area = factories.AreaFactory()
    cats = builders.categories()
    today = timezone.localdate()
    for number in range(start, start + count):
        org = Organization.objects.create(kind=OrganizationKind.KYOGIKAI, code=f"K-{number:03d}",
                                          name=f"協議会{number}", area=area)
        case = GrantCase.objects.create(programme_year=programme_year, organization=org, status=Status.CONFIRMED,
                                        decided_amount=100_000, confirmed_amount=90_000, decided_on=today)
        EligibilityOverride.objects.create(case=case, check_code="bank_account", justification="確認済", actor=actor)
        PaymentOrder.objects.create(case=case, kind="advance", number=1, label="概算払 第1回", amount=100_000,
                                    pay_on=today)
        report = PerformanceReport.objects.create(case=case, narrative="実施した", completed_on=today,
                                                  updated_by=actor)
        ReportLine.objects.create(report=report, category=cats["genzairyo"], description="補修", amount=10_000,
                                  recipient=f"第{number}自治会")
        order = RefundOrder.objects.create(case=case, principal=10_000, ordered_on=today, due_on=today,
                                           surcharge_rate=Decimal("0"), late_rate=Decimal("10.95"), ordered_by=actor)
        RefundReceipt.objects.create(order=order, received_on=today, principal_part=5_000, recorded_by=actor)


@pytest.mark.parametrize("with_progress", [False, True])
def test_query_count_does_not_grow_with_councils(story, staff, with_progress):
    progress = (lambda done, total=None: None) if with_progress else None
    katsudo = story["katsudo"]

    def run() -> tuple[int, dict[str, int]]:
        fresh = ProgrammeYear.objects.select_related("programme").get(pk=katsudo.pk)
        with CaptureQueriesContext(connection) as queries:
            counts = programme_year_workbook(fresh, io.BytesIO(), progress)
        return len(queries), counts

    # one query per sheet, two for 集計, one for the case numbers, and with progress one COUNT per sheet but 集計
    small, counts = run()
    assert small == (15 + 12 if with_progress else 15)
    assert {name: counts[name] for name in COUNCIL_SHEETS} == {
        "協議会別管理費割合": 2, "協議会別交付額の推移": 3, "特例判断": 2, "支出命令": 2, "再交付": 2, "返還命令": 1}

    # and with ten councils more, the same number of queries
    _more_councils(katsudo, staff, 1, 10)
    large, counts = run()
    assert {name: counts[name] for name in COUNCIL_SHEETS} == {
        "協議会別管理費割合": 12, "協議会別交付額の推移": 13, "特例判断": 12, "支出命令": 12, "再交付": 12,
        "返還命令": 11}
    assert large == small


def test_fiscal_year_query_count_is_fixed(story, django_assert_num_queries):
    # one for the programme-years, then as for one programme-year
    with django_assert_num_queries(16):
        fiscal_year_workbook(CURRENT_FY, io.BytesIO())


def test_percent_and_rate_cells_take_exact_values_only():
    from fractions import Fraction

    from reports.excel import Column, ColumnType, typed_value

    share, rate = Column("管理費割合", ColumnType.PERCENT), Column("年率", ColumnType.RATE)
    assert typed_value(share, Decimal("0.468")) == 0.468
    assert typed_value(share, Fraction(1, 2)) == 0.5
    assert typed_value(rate, Decimal("10.950")) == 10.95
    assert typed_value(share, None) is None
    for wrong in (0.468, 1, "46.8%", True):
        with pytest.raises(TypeError):
            typed_value(share, wrong)


# The dashboard's 管理費割合 and the auditor's council sheets under attack: the amount counted in each state of a
# case, council names and texts that look like HTML or formulas, and dates at the calendar's edges in the lines a
# workbook lists.


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
