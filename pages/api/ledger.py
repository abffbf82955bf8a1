"""The ledger entries of a programme-year (台帳の仕訳) for a token of the users who open the 台帳 page (the city's
staff: 担当, 決裁者, 会計課, 監査委員事務局; ``User.is_city_user``, the page's ``city_user_required``), newest first,
read page by page with the page's own keyset (``pages.ledger.views.ledger_page``): one query a page however deep
(two for a page read backwards with ``before``)."""
from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router

from grants.ledger.models import EntryKind, LedgerEntry
from pages.api.auth import token_user
from pages.api.cases import ERRORS, MAX_ID
from pages.api.errors import forbidden, invalid_input
from pages.api.schemas import ErrorOut, LedgerPage
from pages.ledger.views import Cursor, kind_label, ledger_page

router = Router(tags=["台帳"])

NOT_CITY = "台帳は市の職員（担当・決裁者・会計課・監査委員事務局）のみが利用できます（台帳の画面と同じ）。"
CURSOR = "計上日と仕訳番号（例：2026-05-01_1234）。前の応答の next_cursor または previous_cursor の値"
PROGRAMME_YEAR = Query(..., ge=1, le=MAX_ID, description="事業・年度のID")
KIND = Query(None, description="区分の値")
DATE_FROM = Query(None, description="計上日の始まり（この日を含む）")
DATE_TO = Query(None, description="計上日の終わり（この日を含む）")
AFTER = Query(None, description=f"この仕訳より古いページ。{CURSOR}")
BEFORE = Query(None, description=f"この仕訳より新しいページ。{CURSOR}")
SIZE = Query(50, ge=1, le=100, description="1ページの件数（1〜100）")


def entry_out(entry: LedgerEntry) -> dict[str, object]:
    case = entry.case
    return {
        "id": entry.pk, "entry_date": entry.entry_date, "programme_year_id": entry.account.programme_year_id,
        "kind": entry.kind, "kind_label": kind_label(entry), "reverses_id": entry.reverses_id,
        "case_id": entry.case_id, "case_reference": case.reference if case else None,
        "organization_code": case.organization.code if case else None,
        "organization_name": case.organization.name if case else None,
        "amount": entry.amount, "note": entry.note, "recorded_by": str(entry.actor),
    }


def _cursor(raw: str | None, name: str) -> Cursor | None:
    if raw is None:
        return None
    cursor = Cursor.parse(raw)
    if cursor is None:
        raise invalid_input(name, "計上日_仕訳番号 の形（例：2026-05-01_1234）で指定してください。")
    return cursor


@router.get("/ledger", response={200: LedgerPage, 403: ErrorOut, **ERRORS}, summary="台帳（仕訳）",
            description="事業・年度の仕訳を計上日の新しい順に。次のページは next_cursor を after に指定して読みます"
                        "（どれほど古いページでも速さは同じ）。市の職員のトークンのみ（台帳の画面と同じ）。")
def ledger(request: HttpRequest, programme_year: int = PROGRAMME_YEAR, kind: EntryKind | None = KIND,
           date_from: dt.date | None = DATE_FROM, date_to: dt.date | None = DATE_TO, after: str | None = AFTER,
           before: str | None = BEFORE, limit: int = SIZE) -> dict[str, object]:
    if not token_user(request).is_city_user:
        raise forbidden(NOT_CITY)
    entries = LedgerEntry.objects.filter(account__programme_year_id=programme_year).select_related(
        "account", "actor", "case__organization", "case__programme_year__programme")
    if kind is not None:
        entries = entries.filter(kind=kind)
    if date_from is not None:
        entries = entries.filter(entry_date__gte=date_from)
    if date_to is not None:
        entries = entries.filter(entry_date__lte=date_to)
    page = ledger_page(entries, limit, after=_cursor(after, "after"), before=_cursor(before, "before"))
    return {"items": [entry_out(e) for e in page.entries], "limit": limit,
            "next_cursor": page.older, "previous_cursor": page.newer}
