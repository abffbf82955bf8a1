"""What the API answers, field by field (the OpenAPI schema is generated from these). Amounts are whole yen
(integers), dates ISO 8601 (``2026-04-01``), labels in the words of the pages. No person's name, bank account or
insurance data is in any of them, except ``LedgerEntryOut.recorded_by`` (the city staff member who recorded an
entry, shown on the 台帳 page to the same users)."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str = Field(description="エラーの内容（日本語）")


class ProgrammeYearOut(Schema):
    id: int = Field(description="事業・年度のID（programme_year に指定します）")
    fiscal_year: int = Field(description="年度（西暦。令和8年度は 2026）")
    fiscal_year_label: str = Field(description="年度（和暦の表記。例：令和8年度）")
    programme_code: str = Field(description="事業のコード")
    programme_name: str = Field(description="事業の名称")
    name: str = Field(description="事業・年度の表記（画面と同じ）")


class CaseOut(Schema):
    id: int = Field(description="案件のID（/cases/{case_id} に指定します）")
    reference: str = Field(description="案件番号（印字される表記。例：令和8年度 自治振興 第12号）")
    programme_year_id: int
    programme_code: str
    programme_name: str = Field(description="事業の名称")
    fiscal_year: int = Field(description="年度（西暦）")
    organization_code: str = Field(description="団体コード")
    organization_name: str = Field(description="団体名")
    project_title: str = Field(description="事業名（ない事業は空）")
    status: str = Field(description="状態の値（status での絞り込みに使う値）")
    status_label: str = Field(description="状態（画面の表記）")
    household_count: int | None = Field(description="世帯数（基準日）")
    computed_amount: int | None = Field(description="算定額（円）")
    applied_amount: int | None = Field(description="交付申請額（円）")
    decided_amount: int | None = Field(description="交付決定額（円）")
    decided_on: dt.date | None = Field(description="交付決定日")
    confirmed_amount: int | None = Field(description="確定額（円）")
    confirmed_on: dt.date | None = Field(description="額の確定日")
    paid_amount: int = Field(description="支出済額（円）")
    refunded_amount: int = Field(description="返還済額（円）")
    closed_on: dt.date | None = Field(description="完了日")


class DecisionOut(Schema):
    case_id: int
    reference: str = Field(description="案件番号")
    programme_year_id: int
    programme_name: str
    fiscal_year: int
    organization_code: str
    organization_name: str
    project_title: str
    decided_amount: int = Field(description="交付決定額（円）")
    decided_on: dt.date | None = Field(description="交付決定日")
    status_label: str = Field(description="案件の現在の状態")


class TransferOut(Schema):
    batch_id: int = Field(description="振込バッチのID")
    transfer_date: dt.date = Field(description="振込指定日")
    result: str = Field(description="振込の結果の値")
    result_label: str = Field(description="振込の結果（画面の表記）")


class PaymentOut(Schema):
    id: int = Field(description="支出命令のID")
    case_id: int
    case_reference: str = Field(description="案件番号")
    organization_code: str
    organization_name: str
    kind: str = Field(description="区分の値")
    kind_label: str = Field(description="区分（交付金・概算払・精算払など）")
    label: str = Field(description="支払の名称（例：概算払（第1回））")
    amount: int = Field(description="金額（円）")
    pay_on: dt.date = Field(description="支払予定日")
    status: str = Field(description="支出命令の状態の値")
    status_label: str = Field(description="支出命令の状態")
    paid_on: dt.date | None = Field(description="支払日")
    transfers: list[TransferOut] = Field(description="この支払を入れた振込バッチ（古い順）。口座番号は含みません。")


class LedgerEntryOut(Schema):
    id: int = Field(description="仕訳番号")
    entry_date: dt.date = Field(description="計上日")
    programme_year_id: int
    kind: str = Field(description="区分の値")
    kind_label: str = Field(description="区分（取消は取り消した仕訳番号を含みます）")
    reverses_id: int | None = Field(description="取消の場合、取り消した仕訳番号")
    case_id: int | None
    case_reference: str | None = Field(description="案件番号（案件のない仕訳は null）")
    organization_code: str | None
    organization_name: str | None
    amount: int = Field(description="金額（円）")
    note: str = Field(description="摘要")
    recorded_by: str = Field(description="記録者（市の職員。台帳の画面と同じ表示）")


class Page(Schema):
    count: int = Field(description="条件に合う件数（すべてのページの合計）")
    limit: int = Field(description="1ページの件数")
    offset: int = Field(description="このページの先頭の位置（0から）")


class CasePage(Page):
    items: list[CaseOut]


class DecisionPage(Page):
    items: list[DecisionOut]


class PaymentPage(Page):
    items: list[PaymentOut]


class LedgerPage(Schema):
    items: list[LedgerEntryOut] = Field(description="仕訳（計上日の新しい順、同じ日は仕訳番号の大きい順）")
    limit: int
    next_cursor: str | None = Field(description="次のページ（古い仕訳）を読むときに after に指定する値。最後なら null")
    previous_cursor: str | None = Field(
        description="前のページ（新しい仕訳）を読むときに before に指定する値。最初のページなら null")
