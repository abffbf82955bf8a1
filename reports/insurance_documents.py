"""The document set the city forwards to the insurer for one claim (保険会社への送付書類, GRANTS.md §6: 「市が
保険会社へ送付」), as a PDF to print and an .xlsx for the insurer's own entry.

Both files hold the same content, read once by ``document_set``:

- 送付書: from the city (``reports.pdf.sender_line``) to the insurer, with the 証券番号, the day of sending (the
  claim's ``forwarded_on``, or today before it is forwarded) and the 請求番号.
- 事故の概要: the group, the activity and its place in the annual plan, いつ・どこで・だれが・どうして・どうなった,
  the kinds of harm, the report day and due date, and the 遅延理由書 of a report filed late.
- 補償対象の判定: every condition and exclusion with its finding and reason, the judge and the day.
- 被保険者・被害者: the person (name, ふりがな, birth date, address, phone, role, injury or damage).
- 請求内容: the treatment (inpatient periods, outpatient days, recovery, surgeries, death, disability) or the
  damages of a liability claim; the amount with its lines (the lines kept when the claim was filed, else
  ``claims.compute_claim`` now, marked 見込み); the policy's amounts that apply; the documents attached to the
  report and to the claim.

The files carry personal data (個人情報): whoever serves them must first check the claim is visible to the user
(``claims.access_claim``) and log the view (``services.log_access`` with ``AccessKind.DOCUMENT_SET_PDF`` or
``DOCUMENT_SET_XLSX``). Nothing here checks access, logs or writes to the database.

Amounts are whole yen (int); days count the accident day as day 1. The PDF comes from the autoescaped templates
``templates/insurance/pdf/`` rendered with ``reports.pdf`` (its locked-down URL fetcher and the embedded IPAex
font); applicant text is never marked safe, and control characters that HTML cannot carry are taken out. The
workbook is written with ``reports.excel`` (text cells stay text, dates are dates, amounts are numbers).
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint.text.fonts import FontConfiguration

from grants.core.fiscal import era_year
from grants.core.uploads import CONTENT_TYPES
from grants.insurance.claims import claim_limit_date, compute_claim
from grants.insurance.models import (
    TABLES_OF,
    AccidentReport,
    BandTable,
    BenefitMode,
    Claim,
    ClaimKind,
    ClaimStatus,
    ConditionKind,
    Finding,
    InsurancePolicy,
    Judgment,
)
from reports.excel import Column, ColumnType, Report, write_xlsx
from reports.pdf import format_notice_date, html_document, render_html_pdf, sender_line

TEXT, YEN, COUNT, NUMBER, DATE = (ColumnType.TEXT, ColumnType.YEN, ColumnType.COUNT, ColumnType.NUMBER,
                                  ColumnType.DATE)

# C0 controls but tab, line feed and carriage return (and DEL): text pasted from Word may carry them (\x0b);
# HTML cannot, so they are taken out of the PDF's text (the workbook removes them itself, reports.excel).
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

SCHEME_NAME = "山口市社会貢献活動保険制度"


def _clean(value: object) -> str:
    """Text for the PDF: ``value`` as a string without control characters ("" for None)."""
    return "" if value is None else CONTROL_CHARACTERS_RE.sub("", str(value))


@dataclass(frozen=True)
class Row:
    """One line of a 項目/内容 table: the item, its text, or a date, a count or an amount (whole yen)."""

    section: str
    label: str
    text: str = ""
    day: dt.date | None = None
    count: int | None = None
    amount: int | None = None
    unit: str = ""


@dataclass(frozen=True)
class AmountLine:
    label: str
    basis: str
    amount: int


@dataclass
class DocumentSet:
    """Everything the document set shows for one claim, read in a fixed number of queries (``document_set``)."""

    claim: Claim
    report: AccidentReport
    policy: InsurancePolicy
    judgment: Judgment | None
    findings: list[Finding]
    sent_on: dt.date
    lines: list[AmountLine]
    amount: int
    provisional: bool  # True before the claim is filed: the amount is computed now, not the one filed
    inpatient: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    outpatient: list[dt.date] = field(default_factory=list)
    # (区分, 書類, 内容, 金額, 登録日) of the report's attachments, then of the claim's documents
    documents: list[tuple[str, str, str, int | None, dt.date | None]] = field(default_factory=list)

    @property
    def is_injury(self) -> bool:
        return self.claim.kind == ClaimKind.INJURY

    def day_number(self, day: dt.date) -> int:
        """The day's place counted from the accident day (the accident day is day 1)."""
        return (day - self.report.accident_date).days + 1


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else timezone.localtime(moment).date()


def document_set(claim: Claim) -> DocumentSet:
    """Read ``claim`` again with its report, policy, judgment, findings, treatment and documents (a fixed number
    of queries, plus those of ``claims.compute_claim`` for a claim not yet filed). Raises ``Claim.DoesNotExist``
    if the claim is gone, and ``benefits.BenefitInputError`` if unfiled treatment cannot be computed (the
    services never record such treatment)."""
    claim = (Claim.objects.select_related("report__policy", "report__organization", "person",
                                          "report__judgment__judged_by")
             .prefetch_related("inpatient", "outpatient", "documents", "report__attachments", "report__policy__bands",
                               Prefetch("report__judgment__findings",
                                        queryset=Finding.objects.select_related("condition")))
             .get(pk=claim.pk))
    report = claim.report
    judgment = getattr(report, "judgment", None)  # None when missing (RelatedObjectDoesNotExist is an AttributeError)
    if claim.computed_amount is not None:
        lines = [AmountLine(str(line.get("label", "")), str(line.get("basis", "")), int(line.get("amount", 0)))
                 for line in claim.computed_lines]
        amount, provisional = claim.computed_amount, False
    else:
        benefit = compute_claim(claim)
        lines = [AmountLine(line.label, line.basis, line.amount) for line in benefit.lines]
        amount, provisional = max(benefit.amount, 0), True
    documents: list[tuple[str, str, str, int | None, dt.date | None]] = [
        ("事故報告書", a.get_kind_display(), a.title, None, _local_date(a.uploaded_at))
                 for a in report.attachments.all()]
    documents += [("保険金請求", d.get_kind_display(), d.title, d.amount, _local_date(d.uploaded_at))
                  for d in claim.documents.all()]
    return DocumentSet(
        claim=claim, report=report, policy=report.policy, judgment=judgment,
        findings=list(judgment.findings.all()) if judgment else [],
        sent_on=claim.forwarded_on or timezone.localdate(), lines=lines, amount=amount, provisional=provisional,
        inpatient=[(p.first_day, p.last_day) for p in claim.inpatient.all()],
        outpatient=[v.day for v in claim.outpatient.all()],
        documents=documents,
    )


# -- 項目/内容 rows shared by the PDF and the workbook ----------------------------------------------------------

def cover_rows(data: DocumentSet) -> list[Row]:
    """送付書: who sends what to whom."""
    claim, policy = data.claim, data.policy
    rows = [Row("送付書", "送付日", day=data.sent_on), Row("送付書", "保険会社", policy.insurer),
            Row("送付書", "証券番号", policy.policy_number),
            Row("送付書", "保険期間（始期）", day=policy.period_start),
            Row("送付書", "保険期間（終期）", day=policy.period_end),
            Row("送付書", "請求番号", claim.number), Row("送付書", "事故報告の受付番号", data.report.number)]
    if claim.insurer_reference:
        rows.append(Row("送付書", "保険会社の受付番号", claim.insurer_reference))
    rows.append(Row("送付書", "請求の種類", claim.get_kind_display()))
    rows.append(Row("送付書", "請求の状態", claim.get_status_display()))
    return rows


def accident_rows(data: DocumentSet, *, with_delay_reason: bool = True) -> list[Row]:
    """事故の概要: the group, the activity and いつ・どこで・だれが・どうして・どうなった, the report's dates, and
    the 遅延理由書 of a late report (the PDF shows it in a box of its own: ``with_delay_reason=False``)."""
    r = data.report
    rows = [Row("事故", "団体", r.organization.name), Row("事故", "活動の名称", r.activity_name),
            Row("事故", "年間事業計画での位置づけ", r.plan_entry), Row("事故", "活動の内容", r.activity_description),
            Row("事故", "謝礼・報酬", r.get_reward_display())]
    if r.participants_count is not None:
        rows.append(Row("事故", "参加者数", count=r.participants_count, unit="人"))
    rows += [Row("事故", "事故の日（いつ）", day=r.accident_date)]
    if r.accident_time is not None:
        rows.append(Row("事故", "事故の時刻", r.accident_time.strftime("%H:%M")))
    rows += [Row("事故", "場所（どこで）", r.place), Row("事故", "だれが", r.who),
             Row("事故", "どうして（事故の原因・状況）", r.how),
             Row("事故", "どうなった（けが・損害の内容）", r.outcome),
             Row("事故", "事故の種類", r.kinds_label), Row("事故", "報告日", day=r.filed_on),
             Row("事故", "報告期限", day=r.due_date),
             Row("事故", "期限後の報告", "期限後（遅延理由書あり）" if r.is_late else "期限内")]
    if r.is_late and with_delay_reason:
        rows.append(Row("事故", "遅延理由書（期限を過ぎた理由）", r.delay_reason))
    return rows


def judgment_rows(data: DocumentSet) -> list[Row]:
    """The judgment as a whole (each finding is listed by ``finding_rows``)."""
    judgment = data.judgment
    if judgment is None:
        return [Row("判定", "補償対象の判定", "未判定")]
    rows = [Row("判定", "補償対象の判定", "補償の対象" if judgment.covered else "補償の対象外"),
            Row("判定", "判定者", str(judgment.judged_by)), Row("判定", "判定日", day=_local_date(judgment.judged_at))]
    if judgment.note:
        rows.append(Row("判定", "判定の所見", judgment.note))
    return rows


def finding_rows(data: DocumentSet) -> list[tuple[str, str, str, str]]:
    """(区分, 項目, 判定, 理由) per finding: a condition 満たす/満たさない, an exclusion 該当/非該当."""
    result = []
    for finding in data.findings:
        condition = finding.condition
        if condition.kind == ConditionKind.CONDITION:
            kind, verdict = "補償の条件", "満たす" if finding.holds else "満たさない"
        else:
            kind, verdict = "対象外事由", "該当" if finding.holds else "非該当"
        result.append((kind, condition.label, verdict, finding.reason))
    return result


def person_rows(data: DocumentSet) -> list[Row]:
    """被保険者・被害者: the person of the claim."""
    p = data.claim.person
    section = "被保険者" if data.is_injury else "被害者"
    return [Row(section, "氏名", p.name), Row(section, "ふりがな", p.name_kana),
            Row(section, "生年月日", day=p.birth_date), Row(section, "住所", p.address),
            Row(section, "電話番号", p.phone), Row(section, "立場", p.get_role_display()),
            Row(section, "けが・損害", p.get_harm_display()), Row(section, "けが・損害の内容", p.detail)]


def claim_rows(data: DocumentSet) -> list[Row]:
    """請求内容: treatment (injury) or damages (liability), the filing, and the amount."""
    claim = data.claim
    rows = [Row("請求", "請求書類の送付日", day=claim.forms_sent_on)]
    if data.is_injury:
        inpatient_days = sum((last - first).days + 1 for first, last in data.inpatient)
        rows += [Row("請求", "治療の状況", "治療中" if claim.in_treatment else "治療を終えた"),
                 Row("請求", "治療を終えた日", day=claim.recovered_on),
                 Row("請求", "入院", count=inpatient_days, unit="日"),
                 Row("請求", "通院", count=len(data.outpatient), unit="日"),
                 Row("請求", "入院中の手術", count=claim.surgeries_inpatient, unit="回"),
                 Row("請求", "外来の手術", count=claim.surgeries_outpatient, unit="回"),
                 Row("請求", "死亡", "死亡" if claim.died else "なし")]
        disability = "なし" if claim.disability_percent is None else f"{claim.disability_percent.normalize():f}％"
        rows.append(Row("請求", "後遺障害の割合", disability))
    else:
        rows.append(Row("請求", "損害額（賠償）", amount=claim.damages))
    rows += [Row("請求", "請求日", day=claim.filed_on),
             Row("請求", "算定額（見込み・請求前）" if data.provisional else "算定額", amount=data.amount)]
    if claim.status in (ClaimStatus.PAID, ClaimStatus.DENIED):
        rows.append(Row("請求", "保険会社の回答日", day=claim.result_on))
    if claim.status == ClaimStatus.PAID:
        rows.append(Row("請求", "支払額", amount=claim.paid_amount))
    if claim.status == ClaimStatus.DENIED:
        rows.append(Row("請求", "不支払の理由", claim.denial_reason))
    return rows


def policy_rows(data: DocumentSet) -> list[Row]:
    """補償内容: the policy's amounts that apply to this kind of claim (amounts in yen, windows in days)."""
    p, section = data.policy, "補償内容"
    if not data.is_injury:
        rows = [Row(section, "身体賠償（1名あたり）", amount=p.liability_bodily_per_person),
                Row(section, "身体賠償（1事故あたり）", amount=p.liability_bodily_per_accident),
                Row(section, "財物賠償（1事故あたり）", amount=p.liability_property_per_accident)]
        if p.liability_custody_per_accident:
            rows.append(Row(section, "受託物賠償（1事故あたり）", amount=p.liability_custody_per_accident))
        rows.append(Row(section, "免責金額（1事故あたり）", amount=p.liability_deductible))
        return rows
    rows = [Row(section, "死亡保険金", amount=p.death_benefit),
            Row(section, "後遺障害保険金（最低額）", "死亡保険金 × 後遺障害の割合（この額を下回るときはこの額）",
                amount=p.disability_min)]
    if p.benefit_mode == BenefitMode.BANDED:
        rows.append(Row(section, "入院・通院の対象期間", "事故の日を含めた日数", count=p.banded_window_days, unit="日"))
        rows += [Row(section, BAND_ROW_LABELS[band.table], str(band), amount=band.amount) for band in p.bands.all()
                 if band.table in TABLES_OF[p.band_tables]]
        return rows
    rows += [Row(section, "入院保険金日額", _window_text(p.inpatient_window_days, p.inpatient_max_days),
                 amount=p.inpatient_daily),
             Row(section, "通院保険金日額", _window_text(p.outpatient_window_days, p.outpatient_max_days)
                 + (f"、最初の{p.outpatient_waiting_days}日は免責" if p.outpatient_waiting_days else ""),
                 amount=p.outpatient_daily)]
    rows.append(Row(section, "手術保険金", _surgery_text(p)))
    return rows


#: The 補償内容 row of a band, by the table it belongs to (a policy's one table, or its 入院 and 通院 tables).
BAND_ROW_LABELS: dict[str, str] = {
    BandTable.COMBINED: "治療日数に応じた定額", BandTable.INPATIENT: "入院日数に応じた定額",
    BandTable.OUTPATIENT: "通院日数に応じた定額",
}


def _surgery_text(p: InsurancePolicy) -> str:
    """「入院中 入院日額 × 10、外来 入院日額 × 5（1事故 1回まで）」, a kind without cover left out, 「なし」 if none."""
    parts = [f"{where} 入院日額 × {multiple}" for where, multiple in (("入院中", p.surgery_multiple_inpatient),
                                                                  ("外来", p.surgery_multiple_outpatient)) if multiple]
    if not parts or not p.surgery_max_count:
        return "なし"
    return f"{'、'.join(parts)}（1事故 {p.surgery_max_count}回まで）"


def _window_text(days: int, maximum: int | None) -> str:
    limit = f"、限度 {maximum}日" if maximum is not None else ""
    return f"事故の日を含め{days}日以内{limit}"


def overview_rows(data: DocumentSet) -> list[Row]:
    """Every 項目/内容 row of the set, in the order of the PDF."""
    return (cover_rows(data) + accident_rows(data) + judgment_rows(data) + person_rows(data) + claim_rows(data)
            + policy_rows(data))


# -- PDF ------------------------------------------------------------------------------------------------------

def _month_label(day: dt.date) -> str:
    name, year = era_year(day)
    return f"{name}{year}年{day.month}月"


def _display_row(row: Row, format_date: Callable[[dt.date | None], str]) -> dict[str, str | int | None]:
    value = _clean(row.text)
    if row.day is not None:
        value = format_date(row.day)
    elif row.count is not None:
        value = f"{row.count:,}{row.unit}" + (f"（{value}）" if value else "")
    if not value and row.amount is None:
        value = "—"
    return {"label": row.label, "value": value, "amount": row.amount}


def pdf_context(data: DocumentSet) -> dict[str, object]:
    """Template context of ``templates/insurance/pdf/claim.html``: plain strings (control characters taken out),
    dates formatted as on notices, amounts as ints for the ``yen`` filter."""
    def rows(items: list[Row]) -> list[dict[str, str | int | None]]:
        return [_display_row(row, format_notice_date) for row in items]

    visits_by_month = [
        {"month": _month_label(days[0]), "days": "、".join(f"{d.day}日" for d in days), "count": len(days)}
        for days in ([*g] for _, g in groupby(data.outpatient, key=lambda d: (d.year, d.month)))]
    report, claim = data.report, data.claim
    return {
        "claim_number": claim.number, "report_number": report.number, "sender": sender_line(),
        "scheme": SCHEME_NAME, "sent_on": format_notice_date(data.sent_on), "insurer": _clean(data.policy.insurer),
        "policy_number": _clean(data.policy.policy_number), "insurer_reference": _clean(claim.insurer_reference),
        "organization": _clean(report.organization.name), "person_name": _clean(claim.person.name),
        "kind": claim.get_kind_display(), "is_injury": data.is_injury, "amount": data.amount,
        "provisional": data.provisional, "is_late": report.is_late, "delay_reason": _clean(report.delay_reason),
        "accident": rows(accident_rows(data, with_delay_reason=False)), "judgment": rows(judgment_rows(data)),
        "findings": [[_clean(v) for v in f] for f in finding_rows(data)],
        "person": rows(person_rows(data)), "claim": rows(claim_rows(data)), "policy": rows(policy_rows(data)),
        "lines": [{"label": _clean(li.label), "basis": _clean(li.basis), "amount": li.amount} for li in data.lines],
        "inpatient": [{"first": format_notice_date(a), "last": format_notice_date(b), "days": (b - a).days + 1}
                      for a, b in data.inpatient],
        "outpatient_count": len(data.outpatient), "visits_by_month": visits_by_month,
        "documents": [{"source": s, "kind": k, "title": _clean(t), "amount": a} for s, k, t, a, _ in data.documents],
    }


def claim_html(claim: Claim) -> str:
    """The HTML of one claim's document set (autoescaped template ``insurance/pdf/claim.html``)."""
    return render_to_string("insurance/pdf/claim.html", pdf_context(document_set(claim)))


def claim_pdf(claim: Claim) -> bytes:
    """PDF bytes (A4) of the document set of ``claim``: the 送付書 on the first page, then 事故の概要, 補償対象の
    判定, 被保険者・被害者 and 請求内容. Rendered with ``reports.pdf.render_html_pdf`` (only ``data:`` and the
    project's static files are fetched; the IPAex font is embedded). Errors: see ``document_set``. The caller
    checks access and logs the view (``AccessKind.DOCUMENT_SET_PDF``)."""
    return render_html_pdf(claim_html(claim))


def report_pdf(report: AccidentReport) -> bytes:
    """One PDF of the document sets of every claim of ``report`` that is not withdrawn, by 請求番号; each set starts
    on a new page. Raises ``ValueError`` when the report has no such claim; other errors as ``claim_pdf``. The
    caller checks access and logs one view per claim (``AccessKind.DOCUMENT_SET_PDF``)."""
    items = list(report.claims.exclude(status=ClaimStatus.WITHDRAWN).order_by("serial"))
    if not items:
        raise ValueError("保険会社へ送付する請求がありません。")
    font_config = FontConfiguration()
    documents = [html_document(claim_html(claim), font_config=font_config) for claim in items]
    return documents[0].copy([page for document in documents for page in document.pages]).write_pdf()


# -- Excel ----------------------------------------------------------------------------------------------------

class _DocumentSheet(Report):
    def __init__(self, data: DocumentSet) -> None:
        self.data = data


class OverviewSheet(_DocumentSheet):
    """「事故の概要」: every 項目/内容 row (送付書, 事故, 判定, 被保険者・被害者, 請求, 補償内容), each value in the
    column of its type."""

    sheet_title = "事故の概要"
    columns = (Column("区分", TEXT, 12), Column("項目", TEXT, 30), Column("内容", TEXT, 60), Column("日付", DATE),
               Column("日数・人数・回数", COUNT, 16), Column("金額（円）", YEN))

    def rows(self) -> Iterator[tuple[object, ...]]:
        for row in overview_rows(self.data):
            yield row.section, row.label, row.text, row.day, row.count, row.amount


class JudgmentSheet(_DocumentSheet):
    """「判定」: one row per condition and exclusion, with its finding, reason, judge and day."""

    sheet_title = "判定"
    columns = (Column("区分", TEXT, 18), Column("項目", TEXT, 40), Column("判定", TEXT, 10), Column("理由", TEXT, 60),
               Column("判定者", TEXT, 16), Column("判定日", DATE))

    def rows(self) -> Iterator[tuple[object, ...]]:
        judgment = self.data.judgment
        judge = str(judgment.judged_by) if judgment else ""
        day = _local_date(judgment.judged_at) if judgment else None
        for kind, label, verdict, reason in finding_rows(self.data):
            yield kind, label, verdict, reason, judge, day


class AmountSheet(_DocumentSheet):
    """「請求内容」: the computed lines and their total (a deduction is a negative amount)."""

    sheet_title = "請求内容"
    columns = (Column("項目", TEXT, 24), Column("算定の根拠", TEXT, 70), Column("金額（円）", YEN))

    def rows(self) -> Iterator[tuple[object, ...]]:
        for line in self.data.lines:
            yield line.label, line.basis, line.amount
        yield ("算定額（見込み・請求前）" if self.data.provisional else "算定額"), "", self.data.amount


class InpatientSheet(_DocumentSheet):
    """「入院期間」: one row per stay, first and last day inclusive."""

    sheet_title = "入院期間"
    columns = (Column("入院日", DATE), Column("退院日", DATE), Column("日数", COUNT),
               Column("入院日は事故の日から何日目", COUNT, 26))

    def rows(self) -> Iterator[tuple[object, ...]]:
        for first, last in self.data.inpatient:
            yield first, last, (last - first).days + 1, self.data.day_number(first)


class OutpatientSheet(_DocumentSheet):
    """「通院日」: one row per day of outpatient treatment."""

    sheet_title = "通院日"
    columns = (Column("番号", NUMBER, 8), Column("通院日", DATE), Column("事故の日から何日目", COUNT, 20))

    def rows(self) -> Iterator[tuple[object, ...]]:
        for number, day in enumerate(self.data.outpatient, start=1):
            yield number, day, self.data.day_number(day)


class DocumentListSheet(_DocumentSheet):
    """「書類」: the documents attached to the report and to the claim."""

    sheet_title = "書類"
    columns = (Column("区分", TEXT, 12), Column("書類", TEXT, 30), Column("内容", TEXT, 40), Column("金額（円）", YEN),
               Column("登録日", DATE))

    def rows(self) -> Iterator[tuple[object, ...]]:
        yield from self.data.documents


def claim_xlsx(claim: Claim) -> bytes:
    """.xlsx bytes of the document set of ``claim``, one sheet each: 「事故の概要」 (項目/内容 rows with dates, counts
    and amounts in typed columns), 「判定」, 「請求内容」, 「入院期間」 and 「通院日」 (injury claims), 「書類」. Text
    cells are text (a name starting with ``=`` is never a formula), dates are dates, amounts whole-yen numbers.
    Errors: see ``document_set``. The caller checks access and logs the view (``AccessKind.DOCUMENT_SET_XLSX``)."""
    data = document_set(claim)
    sheets: list[Report] = [OverviewSheet(data), JudgmentSheet(data), AmountSheet(data)]
    if data.is_injury:
        sheets += [InpatientSheet(data), OutpatientSheet(data)]
    sheets.append(DocumentListSheet(data))
    out = io.BytesIO()
    write_xlsx(sheets, out)
    return out.getvalue()


# -- 保険金請求書（記入用） -------------------------------------------------------------------------------------

CLAIM_FORM_INPATIENT_ROWS = 3

# What the claimant sends with the form, by kind of claim (what ``claims.missing_for_filing`` asks for).
CLAIM_FORM_ATTACHMENTS = {
    ClaimKind.INJURY: ("診断書または通院証明書", "領収書（治療費・通院交通費など）"),
    ClaimKind.LIABILITY_BODILY: ("損害の見積書・写真",),
    ClaimKind.LIABILITY_PROPERTY: ("損害の見積書・写真",),
}


def claim_form_context(claim: Claim) -> dict[str, object]:
    """Template context of ``templates/insurance/pdf/claim_form.html``: what the city already knows (the policy,
    the claim, the accident and the person) as plain strings without control characters, dates as on notices;
    the attachments by kind and the claim window in the policy's words. Raises ``Claim.DoesNotExist`` if the
    claim is gone."""
    claim = Claim.objects.select_related("report__policy", "report__organization", "person").get(pk=claim.pk)
    report, policy, person = claim.report, claim.report.policy, claim.person
    injury = claim.kind == ClaimKind.INJURY
    window = (f"治療を終えた後、または事故の日から{policy.claim_after_days}日を過ぎてから" if injury
              else "損害の額が分かってから")
    return {
        "claim_number": claim.number, "report_number": report.number, "kind": claim.get_kind_display(),
        "is_injury": injury, "scheme": SCHEME_NAME, "city": sender_line(), "insurer": _clean(policy.insurer),
        "policy_number": _clean(policy.policy_number), "organization": _clean(report.organization.name),
        "accident_date": format_notice_date(report.accident_date), "place": _clean(report.place),
        "activity": _clean(report.activity_name),
        "person_heading": "被保険者（けがをされた方）" if injury else "被害者",
        "person_name": _clean(person.name), "person_kana": _clean(person.name_kana),
        "birth_date": format_notice_date(person.birth_date), "address": _clean(person.address),
        "phone": _clean(person.phone), "inpatient_rows": range(1, CLAIM_FORM_INPATIENT_ROWS + 1),
        "attachments": CLAIM_FORM_ATTACHMENTS[ClaimKind(claim.kind)], "claim_window": window,
        "limit_date": format_notice_date(claim_limit_date(claim)), "limit_years": policy.claim_limit_years,
    }


def claim_form_pdf(claim: Claim) -> bytes:
    """PDF bytes (A4) of the claim form (保険金請求書) the claimant prints, fills by hand, signs and uploads as the
    claim's 「保険金請求書」: pre-filled with the insurer, 証券番号, the city, 請求番号 and kind, the accident (受付
    番号, 事故の日, 場所, 活動) and the person (name, ふりがな, birth date, address, phone); blank boxes for the
    treatment (入院 periods, 通院 days, 治療を終えた日) or the damages, the claimant's bank account, the day and the
    signature; the documents to attach and the claim window (``claim_after_days``, ``claims.claim_limit_date``).
    Rendered like ``claim_pdf`` (autoescaped template, locked-down fetcher, IPAex font embedded). The caller checks
    access and logs the view (``AccessKind.CLAIM_FORM``)."""
    return render_html_pdf(render_to_string("insurance/pdf/claim_form.html", claim_form_context(claim)))


# -- 送付書類一式（ZIP） -----------------------------------------------------------------------------------------

ZIP_UTF8_FLAG = 0x800  # general purpose bit 11: the names are UTF-8 (APPNOTE 4.4.4)
# Characters no file name on Windows or macOS may hold, and controls; the labels are the app's own, but a name is
# never trusted to be safe.
ZIP_UNSAFE_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def _zip_label(label: str) -> str:
    return ZIP_UNSAFE_RE.sub("_", label).strip(". ") or "書類"


def _zip_extension(stored_name: str) -> str:
    """The stored file's extension when it is one the uploads accept, else none."""
    ext = os.path.splitext(stored_name)[1].lower()
    return ext if ext in CONTENT_TYPES else ""


def _read(field_file: FieldFile) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def document_set_entries(claim: Claim) -> list[tuple[str, FieldFile | None]]:
    """The names of the ZIP's files in order, each with its stored file (None for the PDF and the workbook made
    here): 「01_送付書.pdf」, 「02_請求内容.xlsx」, then every attachment of the report and every document of the
    claim in the order they were added, named by kind and a number counted per kind (「03_会則・規約_1.pdf」).
    A name is built only from the app's labels and numbers, never from a title typed or a name uploaded."""
    claim = Claim.objects.select_related("report").prefetch_related("report__attachments", "documents").get(pk=claim.pk)
    stored = ([(a.get_kind_display(), a.file) for a in claim.report.attachments.all()]
              + [(d.get_kind_display(), d.file) for d in claim.documents.all()])
    width = max(2, len(str(len(stored) + 2)))
    entries: list[tuple[str, FieldFile | None]] = [(f"{1:0{width}d}_送付書.pdf", None),
                                                   (f"{2:0{width}d}_請求内容.xlsx", None)]
    per_kind: dict[str, int] = {}
    for number, (label, field_file) in enumerate(stored, start=3):
        per_kind[label] = per_kind.get(label, 0) + 1
        name = f"{number:0{width}d}_{_zip_label(label)}_{per_kind[label]}{_zip_extension(field_file.name)}"
        entries.append((name, field_file))
    return entries


def document_set_zip(claim: Claim) -> bytes:
    """ZIP bytes of everything the insurer gets for ``claim`` (送付書類一式): the document set as PDF
    (``claim_pdf``) and .xlsx (``claim_xlsx``), and every file attached to the report and to the claim, as
    stored, under the names of ``document_set_entries`` (flat, no folder, the UTF-8 flag set on each name).
    Errors: those of ``document_set``, and ``FileNotFoundError`` when a stored file is missing. The caller checks
    access and logs the view (``AccessKind.DOCUMENT_SET_ZIP``)."""
    made = {".pdf": claim_pdf, ".xlsx": claim_xlsx}
    stamp = timezone.localtime().timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, field_file in document_set_entries(claim):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.flag_bits |= ZIP_UTF8_FLAG
            info.compress_type = zipfile.ZIP_DEFLATED
            content = made[os.path.splitext(name)[1]](claim) if field_file is None else _read(field_file)
            archive.writestr(info, content)
    return out.getvalue()
