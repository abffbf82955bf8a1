"""Cases and decisions (案件・交付決定) for a token: exactly the cases the pages show its user
(``GrantCase.objects.visible_to``: every case for city staff, an applicant's own organisations' cases, none for the
保険担当, 審査委員 or 評価委員), in case-number order (``CaseNumberOrder``, as on 案件一覧), two queries a page
whatever the page or its size."""
from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Query, Router

from grants.cases.models import GrantCase
from grants.cases.permissions import access_case
from grants.cases.querysets import CaseNumberOrder
from grants.cases.workflows import WORKFLOWS
from grants.core.fiscal import fiscal_year_label
from grants.opendata.dataset import decided as opendata_decided
from grants.programmes.models import ProgrammeYear
from pages.api.auth import token_user
from pages.api.errors import forbidden, invalid_input
from pages.api.schemas import CaseOut, CasePage, DecisionPage, ErrorOut, ProgrammeYearOut

router = Router(tags=["案件・交付決定"])

ROWS = ("organization", "programme_year__programme")
LIMIT = Query(50, ge=1, le=100, description="1ページの件数（1〜100）")
OFFSET = Query(0, ge=0, le=10_000_000, description="読み飛ばす件数（0から）")
FISCAL_YEAR = Query(None, ge=1989, le=2200, description="年度（西暦。令和8年度は 2026）")
#: The largest id a database row may have (a 64-bit integer): a larger one is refused (422), never sent to the database.
MAX_ID = 2**63 - 1
PROGRAMME_YEAR = Query(None, ge=1, le=MAX_ID, description="事業・年度のID（/programme-years の id）")
# Every state of every workflow (a competitive case may be 採択 ``selected``, which the formula grants' lack).
STATES = sorted({str(state) for flow in WORKFLOWS.values() for state in flow.machine.states})
STATUS = Query(None, description=f"状態の値（CaseOut.status）：{'、'.join(STATES)}")
ERRORS = {401: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def case_out(case: GrantCase) -> dict[str, object]:
    """A case as the API gives it (its organisation and programme loaded)."""
    programme = case.programme_year.programme
    return {
        "id": case.pk, "reference": case.reference, "programme_year_id": case.programme_year_id,
        "programme_code": programme.code, "programme_name": programme.name,
        "fiscal_year": case.programme_year.fiscal_year, "organization_code": case.organization.code,
        "organization_name": case.organization.name, "project_title": case.project_title, "status": case.status,
        "status_label": case.status_label, "household_count": case.household_count,
        "computed_amount": case.computed_amount, "applied_amount": case.applied_amount,
        "decided_amount": case.decided_amount, "decided_on": case.decided_on,
        "confirmed_amount": case.confirmed_amount, "confirmed_on": case.confirmed_on,
        "paid_amount": case.paid_amount, "refunded_amount": case.refunded_amount, "closed_on": case.closed_on,
    }


def visible_cases(request: HttpRequest, *, fiscal_year: int | None, programme_year: int | None,
                  status: str | None = None, decided: bool = False) -> CaseNumberOrder:
    """The cases the token's user sees (the pages' rule), filtered (``decided``: those with a 交付決定額), in
    case-number order."""
    if status is not None and status not in STATES:
        raise invalid_input("status", "状態の値が正しくありません。")
    cases = GrantCase.objects.visible_to(token_user(request)).select_related(*ROWS)
    if fiscal_year is not None:
        cases = cases.filter(programme_year__fiscal_year=fiscal_year)
    if programme_year is not None:
        cases = cases.filter(programme_year_id=programme_year)
    if status is not None:
        cases = cases.filter(status=status)
    if decided:  # reached 交付決定, by the open data's own rule: not a 不交付決定, nor a case not yet decided
        cases = cases.filter(opendata_decided())
    return CaseNumberOrder(cases)


@router.get("/programme-years", response={200: list[ProgrammeYearOut], **ERRORS}, summary="事業・年度の一覧",
            description="事業・年度（新しい年度から）。案件・支払・台帳の絞り込みに使う id を得ます。"
                        "市の職員のトークンのみ（ホームの画面と同じ）。")
def programme_years(request: HttpRequest) -> list[dict[str, object]]:
    if not token_user(request).is_city_user:
        raise forbidden("事業・年度の一覧は市の職員のみが利用できます。")
    years = ProgrammeYear.objects.select_related("programme").order_by("-fiscal_year", "programme__code", "pk")
    return [{"id": y.pk, "fiscal_year": y.fiscal_year, "fiscal_year_label": fiscal_year_label(y.fiscal_year),
             "programme_code": y.programme.code, "programme_name": y.programme.name, "name": str(y)} for y in years]


@router.get("/cases", response={200: CasePage, **ERRORS}, summary="案件の一覧",
            description="トークンの利用者が案件一覧の画面で見る案件（市の職員はすべて、団体の利用者は自分の団体の案件のみ、"
                        "保険担当・審査委員・評価委員は0件）。案件番号の順。")
def cases(request: HttpRequest, fiscal_year: int | None = FISCAL_YEAR, programme_year: int | None = PROGRAMME_YEAR,
          status: str | None = STATUS, limit: int = LIMIT, offset: int = OFFSET) -> dict[str, object]:
    order = visible_cases(request, fiscal_year=fiscal_year, programme_year=programme_year, status=status)
    rows = order[offset:offset + limit]
    return {"count": order.count(), "limit": limit, "offset": offset, "items": [case_out(c) for c in rows]}


@router.get("/cases/{case_id}", response={200: CaseOut, 404: ErrorOut, **ERRORS}, summary="案件",
            description="案件ひとつ。トークンの利用者が見られない案件と、ない案件は、どちらも 404 です（画面と同じ）。")
def case(request: HttpRequest, case_id: int) -> dict[str, object]:
    try:
        found = access_case(token_user(request), case_id)
    except GrantCase.DoesNotExist as exc:
        raise Http404("案件が見つかりません。") from exc
    return case_out(GrantCase.objects.select_related(*ROWS).get(pk=found.pk))


@router.get("/decisions", response={200: DecisionPage, **ERRORS}, summary="交付決定の一覧",
            description="交付決定に至った案件（交付決定の後のすべての状態と交付決定取消。不交付決定は含みません。"
                        "オープンデータと同じ基準）と交付決定額・交付決定日。見える範囲は案件の一覧と同じ。")
def decisions(request: HttpRequest, fiscal_year: int | None = FISCAL_YEAR,
              programme_year: int | None = PROGRAMME_YEAR, limit: int = LIMIT,
              offset: int = OFFSET) -> dict[str, object]:
    order = visible_cases(request, fiscal_year=fiscal_year, programme_year=programme_year, decided=True)
    rows = order[offset:offset + limit]
    items = [{"case_id": c.pk, "reference": c.reference, "programme_year_id": c.programme_year_id,
              "programme_name": c.programme_year.programme.name, "fiscal_year": c.programme_year.fiscal_year,
              "organization_code": c.organization.code, "organization_name": c.organization.name,
              "project_title": c.project_title, "decided_amount": c.decided_amount, "decided_on": c.decided_on,
              "status_label": c.status_label} for c in rows]
    return {"count": order.count(), "limit": limit, "offset": offset, "items": items}
