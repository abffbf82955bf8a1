"""The auditor's workbook for the competitive programme, 市民活動交流事業補助金 (reports.exporters): the sheets 募集,
審査の採点, 利害関係の申告, 採択 and 消費税仕入控除税額の報告, the competitive cases in the common sheets and in the
full lifecycle's, and a fixed number of queries. The state is built through the real services
(tests/competitive/builders.py and steps.py); workbooks are read back with openpyxl."""
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

from grants.accounts.models import User
from grants.cases import lifecycle
from grants.cases.models import GrantCase, RefundOrder, RefundReason
from grants.competitive import panel, selection
from grants.competitive.models import (
    Call,
    ConflictDeclaration,
    Score,
    Selection,
    TaxCreditReport,
    TaxReportStatus,
)
from grants.core.fiscal import fiscal_year_label
from grants.programmes.models import ProgrammeYear
from reports.exporters import fiscal_year_workbook, programme_year_workbook
from tests.competitive import builders, steps
from tests.councils.builders import instalments
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


COUNCIL_SHEETS = ["協議会別管理費割合", "協議会別交付額の推移", "特例判断", "支出命令", "再交付", "返還命令"]


COMPETITIVE_HEADERS = {
    "募集": ["募集", "年度", "年度（和暦）", "受付開始日", "受付終了日", "状態", "予算額（円）", "申請件数", "採択件数",
             "採択額の合計（円）", "不採択件数", "予算の残額（円）", "採択の決定日時"],
    "審査の採点": ["募集", "案件番号", "団体コード", "団体名", "審査委員", "審査項目", "重み", "満点", "点数",
                   "重み付きの点数", "講評", "更新日時"],
    "利害関係の申告": ["募集", "案件番号", "団体コード", "団体名", "審査委員", "利害関係", "利害関係の内容", "申告日時"],
    "採択": ["募集", "案件番号", "団体コード", "団体名", "事業名", "順位", "合計点（重み付き）", "申請額（円）", "採択",
             "採択額（円）", "不採択の理由", "採択の状態", "起案者", "起案日時", "決裁者", "決裁日時"],
    "消費税仕入控除税額の報告": ["案件番号", "団体コード", "団体名", "報告期限", "状態", "報告が不要となる理由",
                                 "仕入控除税額（円）", "根拠資料", "報告者", "報告日時", "確認者", "確認日時"],
}


COMPETITIVE_SHEETS = list(COMPETITIVE_HEADERS)


TITLE = f"{fiscal_year_label(CURRENT_FY)} 市民活動交流事業補助金（第1次募集）"


GROUP_B = "=大歳まちなか音楽サークル"


NOT_SELECTED_REASON = "予算の範囲内で、より評価の高い事業を採択しました。"


def values(ws: Worksheet) -> list[list[object]]:
    return [[cell.value for cell in row] for row in ws.iter_rows()]


def as_excel_date(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def as_excel_datetime(moment: dt.datetime) -> dt.datetime:
    """An aware datetime as written: Asia/Tokyo wall-clock time, naive, whole seconds."""
    return moment.astimezone(TOKYO).replace(tzinfo=None, microsecond=0)


def ref(case: GrantCase) -> str:
    return f"{fiscal_year_label(CURRENT_FY)} 市民活動 第{case.number}号"


def export(programme_year: ProgrammeYear) -> Workbook:
    buffer = io.BytesIO()
    programme_year_workbook(ProgrammeYear.objects.select_related("programme").get(pk=programme_year.pk), buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def export_year(fiscal_year: int) -> Workbook:
    buffer = io.BytesIO()
    fiscal_year_workbook(fiscal_year, buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


@pytest.fixture
def contest(staff, staff2, approver):  # type: ignore[no-untyped-def]
    """A call of 令和n年度 (budget 1,000,000; the year's 3,000,000 with one 概算払 of ½) with three groups:

    - 「NPO法人 やまぐち子ども食堂ネット」: scored 5 by judge1 and 4 by judge2 on every criterion (weighted 40 and
      32, mean 36), selected at 150,000, assessed at 120,000 by staff2 and decided by the approver (its 概算払 of
      60,000 scheduled); its 仕入控除税額 report of 8,000 confirmed and ordered back (data: it comes two years on).
    - 「=大歳まちなか音楽サークル」: scored 2 by judge1 (weighted 16); judge2 declared a conflict; not selected.
    - 「下書きの会」: a draft only (not an application yet).
    """
    today = timezone.localdate()
    py = builders.programme_year()
    instalments(py, [(1, 2)])
    call = builders.call(py, staff)
    npo = builders.group(confirmed_by=staff)
    npo_b = builders.group("circle-head", "=大歳まちなか音楽サークル", confirmed_by=staff)
    npo_c = builders.group("draft-head", "下書きの会", confirmed_by=staff)
    judge = builders.panel_member(call, "judge1", staff)
    judge2 = builders.panel_member(call, "judge2", staff)
    good = steps.screening(call, *npo, staff)
    weak = steps.screening(call, *npo_b, staff, title="まちなかコンサート")
    steps.draft(call, *npo_c, title="下書きの事業")
    steps.score(good, judge, 5)
    steps.score(weak, judge, 2)
    steps.score(good, judge2, 4)
    panel.declare(case_id=weak.pk, actor=judge2, conflicted=True, reason="=団体の会員です")
    steps.decide_selection(call, staff, approver, {good.pk: 150_000})
    lifecycle.verify(case_id=good.pk, actor=staff2, assessed_amount=120_000, completion_deadline=good.project_end,
                     conditions="成果報告会を開くこと", note="会場使用料の一部を対象外としました")
    good = lifecycle.decide(case_id=good.pk, actor=approver)
    # The 仕入控除税額 report and its 返還命令 come two years after 額の確定: they are data here.
    now = timezone.now()
    TaxCreditReport.objects.create(case=good, due_on=dt.date(CURRENT_FY + 2, 6, 30), amount=8_000,
                                   status=TaxReportStatus.CONFIRMED, submitted_by=npo[1], submitted_at=now,
                                   confirmed_by=staff, confirmed_at=now)
    RefundOrder.objects.create(case=good, principal=8_000, reason=RefundReason.TAX_CREDIT, ordered_on=today,
                               due_on=today + dt.timedelta(days=20), surcharge_rate=Decimal("0"),
                               late_rate=Decimal("10.95"), ordered_by=staff)
    return {"py": py, "call": call, "good": good, "weak": weak, "judge": judge, "judge2": judge2}



def test_a_competitive_workbook_adds_its_five_sheets_after_the_full_lifecycle_ones(contest):  # type: ignore[no-untyped-def]
    wb = export(contest["py"])

    assert wb.sheetnames == ["台帳", "集計", "案件一覧", "交付決定", "支払", "返還", "監査証跡", *COUNCIL_SHEETS,
                             *COMPETITIVE_SHEETS]
    for title, header in COMPETITIVE_HEADERS.items():
        ws = wb[title]
        assert values(ws)[0] == header, title
        assert all(cell.font.b for cell in ws[1]) and ws.freeze_panes == "A2"


def test_call_sheet_counts_submitted_applications_and_the_decided_selection(contest):  # type: ignore[no-untyped-def]
    call = contest["call"]
    call.refresh_from_db()
    decided_at = call.selection.decided_at

    rows = values(export(contest["py"])["募集"])[1:]

    # two applications (the draft is not one), one selected at 150,000 and one not, 850,000 of the budget left
    assert rows == [[TITLE, CURRENT_FY, fiscal_year_label(CURRENT_FY), as_excel_date(call.opens_on),
                     as_excel_date(call.closes_on), "公開中", 1_000_000, 2, 1, 150_000, 1, 850_000,
                     as_excel_datetime(decided_at)]]


def test_a_selection_not_yet_decided_selects_nothing_on_the_call_sheet(staff):  # type: ignore[no-untyped-def]
    py = builders.programme_year()
    call = builders.call(py, staff)
    org, head = builders.group(confirmed_by=staff)
    case = steps.screening(call, org, head, staff)
    selection.prepare(call_id=call.pk, actor=staff, lines=[{"case_id": case.pk, "selected": True, "amount": 100_000}])

    [row] = values(export(py)["募集"])[1:]

    assert row[7:] == [1, 0, 0, 0, 1_000_000, None]
    [line] = values(export(py)["採択"])[1:]
    assert (line[8], line[9], line[11], line[14], line[15]) == ("採択", 100_000, "作成中", None, None)


def test_score_sheet_has_one_row_per_member_application_and_criterion(contest):  # type: ignore[no-untyped-def]
    good, weak = contest["good"], contest["weak"]

    rows = values(export(contest["py"])["審査の採点"])[1:]

    criteria = [(name, weight) for name, _, weight in builders.CRITERIA]
    expected = [
        *[[TITLE, ref(weak), "S-circle-head", GROUP_B, "judge1（審査委員）", name, weight, 5, 2, 2 * weight, None]
          for name, weight in criteria],
        *[[TITLE, ref(good), "S-npo-head", "NPO法人 やまぐち子ども食堂ネット", member, name, weight, 5, points,
           points * weight, None]
          for member, points in (("judge1（審査委員）", 5), ("judge2（審査委員）", 4)) for name, weight in criteria],
    ]
    assert [row[:-1] for row in rows] == expected
    updated = {s.updated_at for s in Score.objects.all()}
    assert {row[-1] for row in rows} == {as_excel_datetime(moment) for moment in updated}
    # the weighted totals of each member, as the ranking sums them
    assert sum(row[9] for row in rows if row[1] == ref(good) and row[4] == "judge2（審査委員）") == 32


def test_conflict_sheet_lists_every_declaration_with_its_reason(contest):  # type: ignore[no-untyped-def]
    good, weak = contest["good"], contest["weak"]
    declared = {(d.member.user.username, d.case_id): d.declared_at for d in ConflictDeclaration.objects.all()}

    rows = values(export(contest["py"])["利害関係の申告"])[1:]

    assert rows == [
        [TITLE, ref(weak), "S-circle-head", GROUP_B, "judge1（審査委員）", "なし", None,
         as_excel_datetime(declared["judge1", weak.pk])],
        [TITLE, ref(weak), "S-circle-head", GROUP_B, "judge2（審査委員）", "あり", "=団体の会員です",
         as_excel_datetime(declared["judge2", weak.pk])],
        [TITLE, ref(good), "S-npo-head", "NPO法人 やまぐち子ども食堂ネット", "judge1（審査委員）", "なし", None,
         as_excel_datetime(declared["judge1", good.pk])],
        [TITLE, ref(good), "S-npo-head", "NPO法人 やまぐち子ども食堂ネット", "judge2（審査委員）", "なし", None,
         as_excel_datetime(declared["judge2", good.pk])],
    ]


def test_selection_sheet_ranks_selects_and_gives_the_reason_of_each_non_selection(contest):  # type: ignore[no-untyped-def]
    good, weak = contest["good"], contest["weak"]
    chosen = Selection.objects.get(call=contest["call"])

    rows = values(export(contest["py"])["採択"])[1:]

    proposed, decided = as_excel_datetime(chosen.proposed_at), as_excel_datetime(chosen.decided_at)
    assert rows == [
        [TITLE, ref(good), "S-npo-head", "NPO法人 やまぐち子ども食堂ネット", "子ども食堂の交流会", 1, 36, 150_000, "採択",
         150_000, None, "決定済", "staff 担当", proposed, "approver 担当", decided],
        [TITLE, ref(weak), "S-circle-head", GROUP_B, "まちなかコンサート", 2, 16, 150_000, "不採択", 0,
         NOT_SELECTED_REASON, "決定済", "staff 担当", proposed, "approver 担当", decided],
    ]


def test_tax_report_sheet(contest, staff):  # type: ignore[no-untyped-def]
    good = contest["good"]
    report = TaxCreditReport.objects.get(case=good)

    rows = values(export(contest["py"])["消費税仕入控除税額の報告"])[1:]

    assert rows == [[ref(good), "S-npo-head", "NPO法人 やまぐち子ども食堂ネット", as_excel_date(dt.date(CURRENT_FY + 2, 6, 30)),
                     "確認済", "該当なし（仕入控除税額を報告する）", 8_000, "なし", "npo-head 担当",
                     as_excel_datetime(report.submitted_at), "staff 担当", as_excel_datetime(report.confirmed_at)]]


def test_an_exempt_report_not_yet_confirmed_shows_its_exemption_and_no_confirmation(contest):  # type: ignore[no-untyped-def]
    TaxCreditReport.objects.filter(case=contest["good"]).delete()
    TaxCreditReport.objects.create(case=contest["weak"], due_on=dt.date(CURRENT_FY + 2, 6, 30))

    [row] = values(export(contest["py"])["消費税仕入控除税額の報告"])[1:]

    assert row[0] == ref(contest["weak"])
    assert row[4:] == ["報告待ち", "該当なし（仕入控除税額を報告する）", None, "なし", None, None, None, None]


def test_competitive_cases_are_in_the_common_and_full_lifecycle_sheets(contest):  # type: ignore[no-untyped-def]
    good, weak = contest["good"], contest["weak"]
    wb = export(contest["py"])

    register = {row[0]: row for row in values(wb["案件一覧"])[1:]}
    assert {key: (row[2], row[4], row[7]) for key, row in register.items()} == {
        ref(good): ("NPO法人 やまぐち子ども食堂ネット", "交付決定済", 120_000),
        ref(weak): (GROUP_B, "不採択", None),
        f"{fiscal_year_label(CURRENT_FY)} 市民活動 第{good.number + 2}号": ("下書きの会", "申請前", None),
    }
    [decision] = values(wb["交付決定"])[1:]
    assert decision[:3] == [ref(good), "S-npo-head", "NPO法人 やまぐち子ども食堂ネット"]
    assert decision[4:] == [120_000, "approver 担当", "staff2 担当", "交付決定"]
    [order] = values(wb["支出命令"])[1:]
    assert order[:7] == [ref(good), "S-npo-head", "NPO法人 やまぐち子ども食堂ネット", "概算払", 1, "概算払 第1回", 60_000]
    [refund] = values(wb["返還命令"])[1:]
    assert (refund[0], refund[3], refund[4], refund[12]) == (ref(good), "消費税仕入控除税額の返還", 8_000, 8_000)
    ledger = [(row[3], row[4], row[6]) for row in values(wb["台帳"])[1:]]
    assert ledger == [("予算", 3_000_000, None), ("交付決定（支出負担行為）", 120_000, ref(good))]


def test_audit_trail_names_the_competitive_acts_in_words(contest):  # type: ignore[no-untyped-def]
    rows = values(export(contest["py"])["監査証跡"])[1:]
    acts = [row[2] for row in rows if row[3].startswith(ref(contest["weak"]))]

    # the members' declarations and scores are audited on their seats (the 審査の採点 and 利害関係の申告 sheets),
    # not in the case's own trail, which the group reads
    assert acts == ["申請書の作成", "交付申請の概要の保存", *["収支予算の明細の追加"] * 3, "申請書の提出",
                    "受付（審査会に付す）", "不採択", "通知書の発行"]
    not_selected = next(row for row in rows if row[2] == "不採択")
    assert not_selected[4:] == ["審査中（審査会）", "不採択", NOT_SELECTED_REASON]


def test_texts_shaped_like_formulas_stay_text(contest):  # type: ignore[no-untyped-def]
    wb = export(contest["py"])

    conflict = wb["利害関係の申告"]
    assert (conflict["D3"].value, conflict["D3"].data_type) == (GROUP_B, "s")
    assert (conflict["G3"].value, conflict["G3"].data_type) == ("=団体の会員です", "s")
    assert all(cell.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for cell in row)


def test_a_workbook_without_a_competitive_programme_has_none_of_its_sheets(paid_case):  # type: ignore[no-untyped-def]
    for wb in (export(paid_case.programme_year), export_year(CURRENT_FY)):
        assert not set(COMPETITIVE_SHEETS) & set(wb.sheetnames)
        assert wb.sheetnames[:7] == ["台帳", "集計", "案件一覧", "交付決定", "支払", "返還", "監査証跡"]


def test_fiscal_year_workbook_names_the_programme_on_the_competitive_sheets(contest, paid_case):  # type: ignore[no-untyped-def]
    wb = export_year(CURRENT_FY)

    assert wb.sheetnames[-5:] == COMPETITIVE_SHEETS
    for title, header in COMPETITIVE_HEADERS.items():
        ws = values(wb[title])
        assert ws[0] == ["事業", *header]
        assert {row[0] for row in ws[1:]} == {"市民活動交流事業補助金"}, title
    # the 自治会 case is in the common sheets beside the competitive ones, with its programme
    assert {row[0] for row in values(wb["案件一覧"])[1:]} == {"市民活動交流事業補助金", "自治会等自治振興交付金"}


def _more(call: Call, staff: User, judge: User, start: int, count: int) -> None:
    """``count`` more groups applying to ``call``, each accepted and scored by ``judge`` (a seat on ``call``)."""
    for number in range(start, start + count):
        org, head = builders.group(f"more-head-{number}", f"追加の会{number}", confirmed_by=staff)
        steps.score(steps.screening(call, org, head, staff, title=f"事業{number}"), judge, 3)


@pytest.mark.parametrize("with_progress", [False, True])
def test_query_count_does_not_grow_with_rows(contest, staff, with_progress):  # type: ignore[no-untyped-def]
    progress = (lambda done, total=None: None) if with_progress else None
    py = contest["py"]

    def run() -> tuple[int, dict[str, int]]:
        fresh = ProgrammeYear.objects.select_related("programme").get(pk=py.pk)
        with CaptureQueriesContext(connection) as queries:
            counts = programme_year_workbook(fresh, io.BytesIO(), progress)
        return len(queries), counts

    # one query per sheet, two for 集計, one for the case numbers; with progress one COUNT more per sheet but 集計
    small, counts = run()
    assert small == (20 + 17 if with_progress else 20)
    assert {name: counts[name] for name in COMPETITIVE_SHEETS} == {
        "募集": 1, "審査の採点": 12, "利害関係の申告": 4, "採択": 2, "消費税仕入控除税額の報告": 1}

    # and with a second call of three more scored applications, the same number of queries
    second = builders.call(py, staff)
    _more(second, staff, builders.panel_member(second, "judge3", staff), 1, 3)
    large, counts = run()
    assert {name: counts[name] for name in COMPETITIVE_SHEETS} == {
        "募集": 2, "審査の採点": 24, "利害関係の申告": 7, "採択": 2, "消費税仕入控除税額の報告": 1}
    assert large == small


def test_fiscal_year_query_count_is_fixed(contest, django_assert_num_queries):  # type: ignore[no-untyped-def]
    # one for the programme-years, then as for one programme-year
    with django_assert_num_queries(21):
        fiscal_year_workbook(CURRENT_FY, io.BytesIO())


def test_a_submitted_application_is_worded_as_its_own_workflow_says(open_call, npo):  # type: ignore[no-untyped-def]
    """The e2e walk-through: 案件一覧 took the shared label (申請済（審査待ち）) where the case page says
    申請済（受付待ち）."""
    case = steps.submitted(open_call, *npo)
    register = {row[0]: row for row in values(export(open_call.programme_year)["案件一覧"])[1:]}
    assert register[ref(case)][4] == "申請済（受付待ち）" == case.status_label
