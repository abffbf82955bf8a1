"""The auditor's workbook (監査用の台帳・案件一覧など) of one programme-year, or of every programme of a 年度.

Seven reports, one sheet each, built on ``reports.excel`` (and six more when the scope has a programme of the
full lifecycle, such as the 地域づくり協議会 grants; see below):

- ``LedgerReport``, 「台帳」: every ledger entry, in posting order.
- ``LedgerSummaryReport``, 「集計」: the budget account's totals (what the programme-year page and the
  dashboard show) next to the same totals recomputed from the ledger entries, and their difference
  (0 when the ledger reconciles).
- ``CaseRegisterReport``, 「案件一覧」: every grant case, by 団体コード.
- ``DecisionReport``, 「交付決定」: every decided case (交付決定 and 不交付決定), by 交付決定日.
- ``PaymentReport``, 「支払」: every payment entry (支出) of the ledger, with the reversal that undid it, if any.
- ``RefundReport``, 「返還」: every refund entry (返還（戻入）) and every reversal of a payment or a refund.
- ``AuditTrailReport``, 「監査証跡」: every audit event of the cases and the annual runs, oldest first.

When a programme-year in scope follows a workflow with budget lines (the full lifecycle, ``Workflow.budget_lines``):

- ``CouncilShareReport``, 「協議会別管理費割合」: each council with a case in scope, its 運営支援 and 活動支援
  amounts of the scope's 年度, their total and the 管理費割合 (``grants.councils.stats``).
- ``CouncilHistoryReport``, 「協議会別交付額の推移」: the same councils, one row per 年度 of their history.
- ``OverrideReport``, 「特例判断」: every eligibility override of the cases in scope, with its approval.
- ``PaymentOrderReport``, 「支出命令」: every 支出命令 (概算払・精算払) of the cases in scope.
- ``SubgrantReport``, 「再交付」: every line of a 収支決算書 in scope that names a 再交付先.
- ``RefundOrderReport``, 「返還命令」: every 返還命令 in scope, with what has been received against it.

When a programme-year in scope follows the competitive workflow (市民活動交流事業補助金, ``Scope.has_competitive``),
five more, after the full lifecycle's (its cases follow it after 採択):

- ``CallReport``, 「募集」: each call, its window and budget, the applications submitted, and the decided
  selection's 採択 and 不採択 counts, 採択額 total and the budget left.
- ``ScoreReport``, 「審査の採点」: one row per panel member × application × criterion, with weight, score and 講評.
- ``ConflictReport``, 「利害関係の申告」: every member's declaration per application, with its reason.
- ``SelectionReport``, 「採択」: every application of a selection: rank, weighted score, 採択 or 不採択 with the
  amount or the reason, who prepared and who decided it.
- ``TaxCreditReportReport``, 「消費税仕入控除税額の報告」: every report, its due date, state, exemption and amount.

A ``Scope`` says what is covered: one programme-year (``programme_year_workbook``) or every programme-year
of a fiscal year (``fiscal_year_workbook``); the latter starts each sheet with a 事業 column and ends the
「集計」 sheet with the totals of all programmes. Amounts are whole yen (int), dates are dates and datetimes
are Asia/Tokyo. Rows are streamed: each report reads one ``values_list(...).iterator(chunk_size=2000)``
query (no model instance per row) and never holds all rows, so the number of queries is fixed whatever the
number of rows (one per sheet, two for 「集計」, plus one COUNT per sheet but 「集計」 when progress is reported).

A job (``reports.jobs``) writes the workbook to a temporary file in the background worker; a view may also
write it straight to an ``HttpResponse`` for a small programme-year.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, ClassVar

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce

from grants.cases.labels import action_label, state_label
from grants.cases.models import (
    AnnualRun,
    EligibilityOverride,
    GrantCase,
    RefundOrder,
    RefundReason,
    RefundStatus,
    ReportLine,
    Status,
    case_reference,
)
from grants.cases.orders import orders_of_their_own
from grants.cases.workflows import WORKFLOWS
from grants.competitive.models import (
    Call,
    CallStatus,
    ConflictDeclaration,
    ProjectPlan,
    Score,
    SelectionLine,
    SelectionStatus,
    TaxCreditReport,
    TaxExemption,
    TaxReportStatus,
)
from grants.competitive.workflows import COMPETITIVE
from grants.core.checks import labels as check_labels
from grants.core.fiscal import fiscal_year_label
from grants.core.models import AuditEvent
from grants.councils.stats import CouncilYear, by_share, council_cases, council_years
from grants.ledger.models import (
    TOTAL_OF_KIND,
    BudgetAccount,
    EntryKind,
    ItemResult,
    LedgerEntry,
    OrderKind,
    OrderStatus,
    PaymentOrder,
)
from grants.organizations.models import OrganizationKind
from grants.programmes.models import ProgrammeYear

from .excel import Column, ColumnType, Progress, Report, write_xlsx

CHUNK_SIZE = 2000

TEXT, YEN, COUNT, NUMBER = ColumnType.TEXT, ColumnType.YEN, ColumnType.COUNT, ColumnType.NUMBER
DATE, DATETIME = ColumnType.DATE, ColumnType.DATETIME
PERCENT, RATE = ColumnType.PERCENT, ColumnType.RATE

KIND_LABELS: dict[str, str] = dict(EntryKind.choices)
STATUS_LABELS: dict[str, str] = dict(Status.choices)


PROGRAMME_COLUMN = Column("事業", TEXT, 30)
# The three columns that name a case at the start of most sheets.
CASE_COLUMNS = (Column("案件番号", TEXT, 28), Column("団体コード", TEXT, 12), Column("団体名", TEXT, 32))
ALL_PROGRAMMES = "全事業の合計"


class Scope:
    """What an export covers: the programme-years ``programme_years`` {pk: ProgrammeYear with its programme}
    of ``fiscal_year``; ``single`` is the one programme-year of a programme-year export, None for a whole
    fiscal year (then every sheet has a 事業 column)."""

    def __init__(
        self, fiscal_year: int, programme_years: Sequence[ProgrammeYear], single: ProgrammeYear | None
    ) -> None:
        self.fiscal_year = fiscal_year
        self.single = single
        self.programme_years = {py.pk: py for py in programme_years}
        self.pks = list(self.programme_years)
        self._numbers: dict[int, int] | None = None

    @classmethod
    def of_programme_year(cls, programme_year: ProgrammeYear) -> Scope:
        """One programme-year (a query for its programme unless already loaded)."""
        return cls(programme_year.fiscal_year, [programme_year], programme_year)

    @classmethod
    def of_fiscal_year(cls, fiscal_year: int) -> Scope:
        """Every programme-year of ``fiscal_year`` (年度), by 事業コード. One query."""
        years = ProgrammeYear.objects.filter(fiscal_year=fiscal_year).select_related("programme")
        return cls(fiscal_year, list(years.order_by("programme__code")), None)

    @property
    def per_programme(self) -> bool:
        """True for a whole fiscal year: rows name their 事業."""
        return self.single is None

    def programme_names(self) -> dict[int, str] | None:
        """{programme-year pk: 事業名} when rows name their 事業, else None."""
        if not self.per_programme:
            return None
        return {pk: py.programme.name for pk, py in self.programme_years.items()}

    def where(self, path: str) -> Q:
        """Rows whose programme-year, reached by the lookup ``path`` (e.g. ``"account__programme_year"``), is in
        scope."""
        return Q(**{f"{path}__in": self.pks})

    def order(self, path: str) -> tuple[str, ...]:
        """Leading ``order_by`` fields: by 事業コード for a whole fiscal year, nothing for one programme-year."""
        return (f"{path}__programme__code",) if self.per_programme else ()

    @property
    def has_competitive(self) -> bool:
        """True when a programme-year in scope follows the competitive workflow (公募: 募集, 審査, 採択; the
        competitive programme's sheets apply)."""
        return any(py.programme.workflow == COMPETITIVE.code for py in self.programme_years.values())

    def status_label(self, programme_year_id: int, status: str) -> str:
        """The 状態 of a case in words, as its programme's workflow says it (a competitive case in ``submitted`` is
        申請済（受付待ち）, as on its page), else the shared label, else the code as it is."""
        py = self.programme_years.get(programme_year_id)
        flow = WORKFLOWS.get(py.programme.workflow) if py else None
        if flow is not None and status in flow.machine.states:
            return flow.state_label(status)
        return STATUS_LABELS.get(status, status)

    @property
    def has_full_lifecycle(self) -> bool:
        """True when a programme-year in scope follows a workflow with budget lines (the full lifecycle's sheets
        apply)."""
        return any(WORKFLOWS[py.programme.workflow].budget_lines for py in self.programme_years.values())

    def case_reference(self, programme_year_id: int, case_id: int) -> str:
        """``GrantCase.reference`` without loading the case (令和8年度 活動支援 第128号): the numbers of the cases in
        scope are read once, in one query."""
        if self._numbers is None:
            self._numbers = dict(GrantCase.objects.filter(programme_year_id__in=self.pks).values_list("pk", "number"))
        py = self.programme_years.get(programme_year_id)
        number = self._numbers.get(case_id)
        if py is None or number is None:  # a case outside the scope (not expected): one query
            case = GrantCase.objects.select_related("programme_year__programme").get(pk=case_id)
            return case.reference
        return case_reference(py.fiscal_year, py.programme.number_name, number)


class ScopedReport(Report):
    """A report over a ``Scope``: its ``base_columns``, preceded by 事業 for a whole fiscal year."""

    base_columns: ClassVar[tuple[Column, ...]]

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.columns = ((PROGRAMME_COLUMN,) if scope.per_programme else ()) + self.base_columns


def _user(display_name: str | None, username: str | None) -> str | None:
    """What ``str(user)`` shows (氏名, else the login name), from two fetched columns; None without a user."""
    return display_name or username


# --- 台帳 --------------------------------------------------------------------------------------------


class LedgerReport(ScopedReport):
    """Sheet 「台帳」: one row per ``LedgerEntry`` of the scope's budget accounts, by entry number.

    Row: (番号 int, 計上日 date, 記録日時 aware datetime, 区分 str, 金額（円） int, 取り消す仕訳 int | None,
    案件番号 str, 団体コード str, 団体名 str, 記録者 str, 摘要 str). Entries without a case (予算, the
    reversal of a 予算 entry) leave 案件番号 and the organisation blank. One query.
    """

    sheet_title = "台帳"
    base_columns = (
        Column("番号", NUMBER, 8),
        Column("計上日", DATE),
        Column("記録日時", DATETIME),
        Column("区分", TEXT, 26),
        Column("金額（円）", YEN),
        Column("取り消す仕訳", NUMBER, 14),
        *CASE_COLUMNS,
        Column("記録者", TEXT, 18),
        Column("摘要", TEXT, 44),
    )

    def entries(self) -> QuerySet[LedgerEntry]:
        return LedgerEntry.objects.filter(self.scope.where("account__programme_year"))

    def count(self) -> int:
        return self.entries().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference, kinds = self.scope.programme_names(), self.scope.case_reference, KIND_LABELS
        entries = self.entries().order_by("pk").values_list(
            "account__programme_year_id", "pk", "entry_date", "recorded_at", "kind", "amount", "reverses_id",
            "case__programme_year_id", "case_id", "case__organization__code", "case__organization__name",
            "actor__display_name", "actor__username", "note",
        )
        for (py_id, pk, entry_date, recorded_at, kind, amount, reverses_id, case_py_id, case_id, org_code,
             org_name, actor_name, username, note) in entries.iterator(chunk_size=CHUNK_SIZE):
            row = (
                pk, entry_date, recorded_at, kinds.get(kind, kind), amount, reverses_id,
                None if case_id is None else reference(case_py_id, case_id),
                org_code, org_name, actor_name or username, note,
            )
            yield row if names is None else (names[py_id], *row)


# --- 集計 --------------------------------------------------------------------------------------------

# (BudgetAccount total, label) in the order of the 「集計」 sheet; 執行可能額 is derived.
SUMMARY_TOTALS: tuple[tuple[str, str], ...] = (
    ("budget", "予算額"),
    ("committed", "交付決定額"),
    ("paid", "支出済額"),
    ("refunded", "返還額"),
)


def ledger_totals_by_programme_year(scope: Scope) -> dict[int, dict[str, int]]:
    """{programme-year pk: {"budget", "committed", "paid", "refunded": yen}} for every programme-year in
    ``scope``, recomputed from the ledger entries: each entry adds its amount to the total of its kind, and
    a reversal subtracts its amount from the total of the entry it reverses. One query."""
    totals = {pk: dict.fromkeys(TOTAL_OF_KIND.values(), 0) for pk in scope.pks}
    sums = (
        LedgerEntry.objects.filter(scope.where("account__programme_year"))
        .order_by()
        .values_list("account__programme_year_id", "kind", "reverses__kind")
        .annotate(total=Sum("amount"))
    )
    for py_id, kind, reversed_kind, amount in sums:
        if kind == EntryKind.REVERSAL:
            totals[py_id][TOTAL_OF_KIND[EntryKind(reversed_kind)]] -= amount
        else:
            totals[py_id][TOTAL_OF_KIND[EntryKind(kind)]] += amount
    return totals


def ledger_totals(programme_year: ProgrammeYear) -> dict[str, int]:
    """The totals {"budget", "committed", "paid", "refunded": yen} of ``programme_year`` recomputed from its
    ledger entries (see ``ledger_totals_by_programme_year``). One query."""
    return ledger_totals_by_programme_year(Scope.of_programme_year(programme_year))[programme_year.pk]


def _summary_lines(recorded: dict[str, int], computed: dict[str, int]) -> list[tuple[str, int, int, int]]:
    """(項目, recorded yen, recomputed yen, difference yen) for each total and 執行可能額 (予算額 − 交付決定額)."""
    lines = [(label, recorded[name], computed[name]) for name, label in SUMMARY_TOTALS]
    lines.append(
        ("執行可能額", recorded["budget"] - recorded["committed"], computed["budget"] - computed["committed"])
    )
    return [(label, mine, theirs, mine - theirs) for label, mine, theirs in lines]


class LedgerSummaryReport(ScopedReport):
    """Sheet 「集計」: each budget account's totals and the same totals recomputed from the ledger.

    Rows: (項目 str, 予算の記録額（円） int, 台帳からの計算額（円） int, 差額（円） int) for 予算額,
    交付決定額, 支出済額, 返還額 and 執行可能額 (予算額 − 交付決定額), per programme-year in scope; for a whole
    fiscal year five more rows 「全事業の合計」. 差額 = recorded − recomputed, 0 when the account reconciles
    with its entries. A programme-year without a budget account shows 0 recorded. Two queries.
    """

    sheet_title = "集計"
    base_columns = (
        Column("項目", TEXT, 14),
        Column("予算の記録額（円）", YEN, 20),
        Column("台帳からの計算額（円）", YEN, 24),
        Column("差額（円）", YEN, 14),
    )

    def count(self) -> int:
        per_year = len(SUMMARY_TOTALS) + 1
        return per_year * (len(self.scope.pks) + 1 if self.scope.per_programme else 1)

    def rows(self) -> Iterator[tuple[object, ...]]:
        accounts = {
            account.programme_year_id: account
            for account in BudgetAccount.objects.filter(self.scope.where("programme_year"))
        }
        computed = ledger_totals_by_programme_year(self.scope)
        names = self.scope.programme_names()
        all_recorded = dict.fromkeys(TOTAL_OF_KIND.values(), 0)
        all_computed = dict.fromkeys(TOTAL_OF_KIND.values(), 0)
        for pk in self.scope.pks:
            account = accounts.get(pk)
            recorded = {name: getattr(account, name) if account else 0 for name, _ in SUMMARY_TOTALS}
            for name in all_recorded:
                all_recorded[name] += recorded[name]
                all_computed[name] += computed[pk][name]
            for line in _summary_lines(recorded, computed[pk]):
                yield line if names is None else (names[pk], *line)
        if names is not None:
            for line in _summary_lines(all_recorded, all_computed):
                yield (ALL_PROGRAMMES, *line)


# --- 案件一覧・交付決定 ------------------------------------------------------------------------------


class CaseRegisterReport(ScopedReport):
    """Sheet 「案件一覧」: one row per ``GrantCase`` in scope, by 団体コード (by 事業 first for a fiscal year).

    Row: (案件番号 str, 団体コード str, 団体名 str, 地域 str, 状態 str, 世帯数 int | None, 算定額 int | None,
    交付決定額 int | None, 支出済額 int, 申請日時 aware datetime | None, 交付決定日 date | None,
    支払日 date | None, 確定額 int | None (額の確定 or 取消 of a full-lifecycle case), 返還済額 int,
    うち振込予定額 int). 支出済額 is what the ledger has posted, which includes the transfers whose payment batch is
    approved but whose bank result is not yet recorded: those are also in うち振込予定額 (their 支払日 is the transfer
    date, and a formula grant's 状態 reads 振込予定), so 支出済額 − うち振込予定額 is what the bank has confirmed
    paid. One query.
    """

    sheet_title = "案件一覧"
    base_columns = (
        *CASE_COLUMNS,
        Column("地域", TEXT, 10),
        Column("状態", TEXT, 26),
        Column("世帯数", COUNT),
        Column("算定額", YEN),
        Column("交付決定額", YEN),
        Column("支出済額", YEN),
        Column("申請日時", DATETIME),
        Column("交付決定日", DATE),
        Column("支払日", DATE),
        Column("確定額", YEN),
        Column("返還済額", YEN),
        Column("うち振込予定額", YEN),
    )

    def cases(self) -> QuerySet[GrantCase]:
        return GrantCase.objects.filter(self.scope.where("programme_year"))

    def count(self) -> int:
        return self.cases().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference = self.scope.programme_names(), self.scope.case_reference
        sent = (PaymentOrder.objects.filter(case=OuterRef("pk"), status=OrderStatus.SENT).order_by().values("case")
                .annotate(total=Sum("amount")).values("total"))
        cases = self.cases().annotate(
            pending=Coalesce(Subquery(sent), Value(0), output_field=BigIntegerField()),
        ).order_by(*self.scope.order("programme_year"), "organization__code", "pk").values_list(
            "programme_year_id", "pk", "organization__code", "organization__name", "organization__area__name",
            "status", "household_count", "computed_amount", "decided_amount", "paid_amount", "submitted_at",
            "decided_on", "paid_on", "confirmed_amount", "refunded_amount", "pending",
        )
        for py_id, pk, code, name, area, status, *amounts_and_dates in cases.iterator(chunk_size=CHUNK_SIZE):
            row = (reference(py_id, pk), code, name, area, self.scope.status_label(py_id, status), *amounts_and_dates)
            yield row if names is None else (names[py_id], *row)


class DecisionReport(ScopedReport):
    """Sheet 「交付決定」: one row per case with a decision (交付決定日 set), by 交付決定日 and 団体コード.

    Row: (案件番号 str, 団体コード str, 団体名 str, 交付決定日 date, 交付決定額 int, 決裁者 str | None,
    審査者 str | None, 決定 str: 「交付決定」 or 「不交付決定」 (交付決定額 0)). One query.
    """

    sheet_title = "交付決定"
    base_columns = (
        *CASE_COLUMNS,
        Column("交付決定日", DATE),
        Column("交付決定額", YEN),
        Column("決裁者", TEXT, 18),
        Column("審査者", TEXT, 18),
        Column("決定", TEXT, 12),
    )

    def cases(self) -> QuerySet[GrantCase]:
        return GrantCase.objects.filter(self.scope.where("programme_year"), decided_on__isnull=False)

    def count(self) -> int:
        return self.cases().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference = self.scope.programme_names(), self.scope.case_reference
        order = (*self.scope.order("programme_year"), "decided_on", "organization__code", "pk")
        cases = self.cases().order_by(*order).values_list(
            "programme_year_id", "pk", "organization__code", "organization__name", "decided_on", "decided_amount",
            "decided_by__display_name", "decided_by__username", "verified_by__display_name",
            "verified_by__username", "status",
        )
        for (py_id, pk, code, name, decided_on, amount, approver, approver_login, verifier, verifier_login,
             status) in cases.iterator(chunk_size=CHUNK_SIZE):
            row = (
                reference(py_id, pk), code, name, decided_on, amount, _user(approver, approver_login),
                _user(verifier, verifier_login), "不交付決定" if status == Status.NOT_GRANTED else "交付決定",
            )
            yield row if names is None else (names[py_id], *row)


# --- 支払・返還 --------------------------------------------------------------------------------------


class PaymentReport(ScopedReport):
    """Sheet 「支払」: one row per payment entry (支出) of the ledger, by entry number. No bank account
    details: the auditor reconciles amounts, the account is on the case.

    Row: (番号 int, 計上日 date, 記録日時 aware datetime, 案件番号 str, 団体コード str, 団体名 str,
    金額（円） int, 記録者 str, 摘要 str, 取消仕訳 int | None: the entry that reversed this payment, 銀行の結果 str:
    振込予定（銀行の結果待ち） | 振込完了 | 返却（組戻し・不能） for a payment made by a 振込バッチ, "" for one recorded
    without a batch). A batch's payment is posted (支出) when the batch is approved, dated the transfer date; until
    the bank's result it is 振込予定, so Σ金額 of the 振込完了 rows is what the bank has confirmed. One query.
    """

    sheet_title = "支払"
    base_columns = (
        Column("番号", NUMBER, 8),
        Column("計上日", DATE),
        Column("記録日時", DATETIME),
        *CASE_COLUMNS,
        Column("金額（円）", YEN),
        Column("記録者", TEXT, 18),
        Column("摘要", TEXT, 44),
        Column("取消仕訳", NUMBER, 10),
        Column("銀行の結果", TEXT, 22),
    )

    def entries(self) -> QuerySet[LedgerEntry]:
        return LedgerEntry.objects.filter(self.scope.where("account__programme_year"), kind=EntryKind.PAYMENT)

    def count(self) -> int:
        return self.entries().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference = self.scope.programme_names(), self.scope.case_reference
        entries = self.entries().order_by("pk").values_list(
            "account__programme_year_id", "pk", "entry_date", "recorded_at", "case__programme_year_id", "case_id",
            "case__organization__code", "case__organization__name", "amount", "actor__display_name",
            "actor__username", "note", "reversed_by__pk", "batch_item__result",
        )
        for (py_id, pk, entry_date, recorded_at, case_py_id, case_id, code, name, amount, actor_name, username,
             note, reversed_by, result) in entries.iterator(chunk_size=CHUNK_SIZE):
            row = (
                pk, entry_date, recorded_at, None if case_id is None else reference(case_py_id, case_id), code,
                name, amount, actor_name or username, note, reversed_by,
                ItemResult(result).label if result else "",
            )
            yield row if names is None else (names[py_id], *row)


class RefundReport(ScopedReport):
    """Sheet 「返還」: refunds (返還（戻入）) and the reversals of payments and of refunds, by entry number.

    Row: (番号 int, 計上日 date, 記録日時 aware datetime, 区分 str: 返還（戻入）, 支出の取消 or 返還の取消,
    案件番号 str, 団体コード str, 団体名 str, 金額（円） int, 取り消す仕訳 int | None, 記録者 str, 摘要 str).
    支出済額 = Σ「支払」 − Σ支出の取消 and 返還額 = Σ返還（戻入） − Σ返還の取消. One query.
    """

    sheet_title = "返還"
    base_columns = (
        Column("番号", NUMBER, 8),
        Column("計上日", DATE),
        Column("記録日時", DATETIME),
        Column("区分", TEXT, 16),
        *CASE_COLUMNS,
        Column("金額（円）", YEN),
        Column("取り消す仕訳", NUMBER, 14),
        Column("記録者", TEXT, 18),
        Column("摘要", TEXT, 44),
    )

    KINDS: ClassVar[dict[tuple[str, str | None], str]] = {
        (EntryKind.REFUND, None): "返還（戻入）",
        (EntryKind.REVERSAL, EntryKind.PAYMENT): "支出の取消",
        (EntryKind.REVERSAL, EntryKind.REFUND): "返還の取消",
    }

    def entries(self) -> QuerySet[LedgerEntry]:
        refunds_and_reversals = Q(kind=EntryKind.REFUND) | Q(
            kind=EntryKind.REVERSAL, reverses__kind__in=[EntryKind.PAYMENT, EntryKind.REFUND]
        )
        return LedgerEntry.objects.filter(self.scope.where("account__programme_year"), refunds_and_reversals)

    def count(self) -> int:
        return self.entries().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference = self.scope.programme_names(), self.scope.case_reference
        entries = self.entries().order_by("pk").values_list(
            "account__programme_year_id", "pk", "entry_date", "recorded_at", "kind", "reverses__kind",
            "case__programme_year_id", "case_id", "case__organization__code", "case__organization__name",
            "amount", "reverses_id", "actor__display_name", "actor__username", "note",
        )
        for (py_id, pk, entry_date, recorded_at, kind, reversed_kind, case_py_id, case_id, code, name, amount,
             reverses_id, actor_name, username, note) in entries.iterator(chunk_size=CHUNK_SIZE):
            row = (
                pk, entry_date, recorded_at, self.KINDS.get((kind, reversed_kind), kind),
                None if case_id is None else reference(case_py_id, case_id), code, name, amount, reverses_id,
                actor_name or username, note,
            )
            yield row if names is None else (names[py_id], *row)


# --- 監査証跡 ----------------------------------------------------------------------------------------


class AuditTrailReport(ScopedReport):
    """Sheet 「監査証跡」: every ``AuditEvent`` about a case or an annual run (年次一括作成) in scope, oldest
    first.

    Row: (日時 aware datetime, 実施者 str | None, 操作 str (``grants.cases.labels``), 対象 str: 案件番号 and
    団体名, or 年次一括作成 No.n, 変更前 str, 変更後 str (状態 labels for a case), 備考 str). One query: the
    actor is joined, and each event's programme-year and organisation come from correlated subqueries.
    """

    sheet_title = "監査証跡"
    base_columns = (
        Column("日時", DATETIME),
        Column("実施者", TEXT, 18),
        Column("操作", TEXT, 22),
        Column("対象", TEXT, 44),
        Column("変更前", TEXT, 22),
        Column("変更後", TEXT, 22),
        Column("備考", TEXT, 44),
    )

    def events(self) -> QuerySet[AuditEvent]:
        meta_case, meta_run = GrantCase._meta, AnnualRun._meta
        cases = GrantCase.objects.filter(self.scope.where("programme_year")).values("pk")
        runs = AnnualRun.objects.filter(self.scope.where("programme_year")).values("pk")
        return AuditEvent.objects.filter(
            Q(content_type__app_label=meta_case.app_label, content_type__model=meta_case.model_name,
              object_id__in=Subquery(cases))
            | Q(content_type__app_label=meta_run.app_label, content_type__model=meta_run.model_name,
                object_id__in=Subquery(runs))
        )

    def count(self) -> int:
        return self.events().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference = self.scope.programme_names(), self.scope.case_reference
        case_model = GrantCase._meta.model_name
        case = GrantCase.objects.filter(pk=OuterRef("object_id"))
        run = AnnualRun.objects.filter(pk=OuterRef("object_id"))
        events = (
            self.events()
            .annotate(
                event_py_id=Case(
                    When(content_type__model=case_model, then=Subquery(case.values("programme_year_id")[:1])),
                    default=Subquery(run.values("programme_year_id")[:1]),
                ),
                organization_name=Case(
                    When(content_type__model=case_model, then=Subquery(case.values("organization__name")[:1])),
                    default=None,
                ),
            )
            .order_by("at", "pk")
            .values_list(
                "event_py_id", "at", "actor__display_name", "actor__username", "action", "content_type__model",
                "object_id", "organization_name", "from_state", "to_state", "note", "machine",
            )
        )
        for (py_id, at, actor_name, username, action, model, object_id, organization_name, from_state,
             to_state, note, machine) in events.iterator(chunk_size=CHUNK_SIZE):
            before, after = state_label(from_state, machine), state_label(to_state, machine)
            if model == case_model:
                subject = f"{reference(py_id, object_id)} {organization_name or ''}".rstrip()
            else:
                subject = f"年次一括作成 No.{object_id}"
            py = self.scope.programme_years.get(py_id)
            label = action_label(action, py.programme.workflow if py else "")
            row = (at, _user(actor_name, username), label, subject, before, after, note)
            yield row if names is None else (names.get(py_id, ""), *row)


# --- 地域づくり協議会 -------------------------------------------------------------------------------

COUNCIL_COLUMNS = (
    Column("年度", NUMBER, 8),
    Column("年度（和暦）", TEXT, 14),
    Column("地域コード", TEXT, 10),
    Column("地域", TEXT, 10),
    Column("団体コード", TEXT, 12),
    Column("協議会", TEXT, 32),
    Column("運営支援（円）", YEN, 16),
    Column("活動支援（円）", YEN, 16),
    Column("合計（円）", YEN, 16),
    Column("管理費割合", PERCENT, 12),
)


def _council_row(row: CouncilYear) -> tuple[object, ...]:
    """One council-year as a row of ``COUNCIL_COLUMNS``; the share rounded as the dashboard shows it."""
    return (
        row.fiscal_year, fiscal_year_label(row.fiscal_year), row.area_code, row.area_name, row.code, row.name,
        row.unei, row.katsudo, row.total, row.share_ratio,
    )


class CouncilReport(Report):
    """A sheet about the councils (地域づくり協議会) that have a case in scope, whatever its programme."""

    columns = COUNCIL_COLUMNS

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def councils(self) -> QuerySet[GrantCase, Mapping[str, object]]:
        """The organisation ids of the councils with a case in scope (a subquery)."""
        return GrantCase.objects.filter(
            self.scope.where("programme_year"), organization__kind=OrganizationKind.KYOGIKAI
        ).order_by().values("organization_id")

    def cases(self) -> QuerySet[GrantCase]:
        """Those councils' cases of either council programme (運営支援・活動支援), any 年度."""
        return council_cases().filter(organization__in=self.councils())


class CouncilShareReport(CouncilReport):
    """Sheet 「協議会別管理費割合」: each council with a case in scope, in the scope's 年度, by 管理費割合 (highest
    first, as on the dashboard; councils without a share last).

    Row (``COUNCIL_COLUMNS``): (年度 int, 年度（和暦） str, 地域コード str, 地域 str, 団体コード str, 協議会 str,
    運営支援 int | None, 活動支援 int | None, 合計 int | None, 管理費割合 Decimal | None: a share of 1 rounded half
    up to 0.1 %, formatted 0.0%). Amounts per ``grants.councils.stats``. One query.
    """

    sheet_title = "協議会別管理費割合"

    def count(self) -> int:
        return self.councils().distinct().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        rows = council_years(self.cases().filter(programme_year__fiscal_year=self.scope.fiscal_year))
        for row in by_share(rows):
            yield _council_row(row)


class CouncilHistoryReport(CouncilReport):
    """Sheet 「協議会別交付額の推移」: the same councils, one row per 年度 in which they had a case of either
    programme, by 地域コード, 団体コード and 年度 (oldest first). Row as for ``CouncilShareReport``. One query."""

    sheet_title = "協議会別交付額の推移"

    def count(self) -> int:
        return self.cases().values("organization_id", "programme_year__fiscal_year").distinct().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        for row in council_years(self.cases()):
            yield _council_row(row)


# Which lines a line check's code names: ``plan_item@b12`` is budget line 12 (grants.councils.checks).
OVERRIDE_LINES = {"b": "収支予算の明細", "r": "収支決算の明細"}
OVERRIDE_PENDING, OVERRIDE_APPROVED, OVERRIDE_SINGLE = "承認待ち", "承認済", "承認不要（簡易な手続）"


def check_label(check_code: str) -> str:
    """The check's label in words, with the line it concerns: 「対象となる費目であること（収支予算の明細 No.12）」.
    A code no longer known is shown as it is."""
    base, _, line = check_code.partition("@")
    label = check_labels().get(base, base)
    if line[:1] in OVERRIDE_LINES and line[1:].isdigit():
        label = f"{label}（{OVERRIDE_LINES[line[:1]]} No.{line[1:]}）"
    return label


class OverrideReport(ScopedReport):
    """Sheet 「特例判断」: every ``EligibilityOverride`` of the cases in scope, by 団体コード and date.

    Row: (案件番号 str, 団体コード str, 団体名 str, 確認項目コード str, 確認項目 str, 理由 str, 判断者 str,
    判断日時 aware datetime, 承認者 str | None, 承認日時 aware datetime | None, 状態 str: 承認済, 承認待ち (full
    lifecycle, not yet approved by a second person: the override does not count yet) or 承認不要（簡易な手続）).
    One query.
    """

    sheet_title = "特例判断"
    base_columns = (
        *CASE_COLUMNS,
        Column("確認項目コード", TEXT, 22),
        Column("確認項目", TEXT, 44),
        Column("理由", TEXT, 44),
        Column("判断者", TEXT, 18),
        Column("判断日時", DATETIME),
        Column("承認者", TEXT, 18),
        Column("承認日時", DATETIME),
        Column("状態", TEXT, 22),
    )

    def overrides(self) -> QuerySet[EligibilityOverride]:
        return EligibilityOverride.objects.filter(self.scope.where("case__programme_year"))

    def count(self) -> int:
        return self.overrides().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference, years = self.scope.programme_names(), self.scope.case_reference, self.scope.programme_years
        order = (*self.scope.order("case__programme_year"), "case__organization__code", "case_id", "at", "pk")
        overrides = self.overrides().order_by(*order).values_list(
            "case__programme_year_id", "case_id", "case__organization__code", "case__organization__name",
            "check_code", "justification", "actor__display_name", "actor__username", "at",
            "approved_by__display_name", "approved_by__username", "approved_at",
        )
        for (py_id, case_id, code, name, check_code, justification, actor_name, username, at, approver_name,
             approver_login, approved_at) in overrides.iterator(chunk_size=CHUNK_SIZE):
            needs_approval = WORKFLOWS[years[py_id].programme.workflow].overrides_need_approval
            approver = _user(approver_name, approver_login)
            state = OVERRIDE_APPROVED if approver else OVERRIDE_PENDING if needs_approval else OVERRIDE_SINGLE
            row = (
                reference(py_id, case_id), code, name, check_code, check_label(check_code), justification,
                _user(actor_name, username), at, approver, approved_at, state,
            )
            yield row if names is None else (names[py_id], *row)


ORDER_KIND_LABELS: dict[str, str] = dict(OrderKind.choices)
ORDER_STATUS_LABELS: dict[str, str] = dict(OrderStatus.choices)


class PaymentOrderReport(ScopedReport):
    """Sheet 「支出命令」: every ``PaymentOrder`` (概算払・精算払) of the cases in scope, by 団体コード and 回.

    Row: (案件番号 str, 団体コード str, 団体名 str, 区分 str: 概算払 | 精算払, 回 int, 名称 str, 金額（円） int,
    支払予定日 date, 状態 str, 起票者 str | None, 起票日時 aware datetime | None, 承認者 str | None,
    承認日時 aware datetime | None, 支払日 date | None). One query.
    """

    sheet_title = "支出命令"
    base_columns = (
        *CASE_COLUMNS,
        Column("区分", TEXT, 10),
        Column("回", NUMBER, 6),
        Column("名称", TEXT, 20),
        Column("金額（円）", YEN),
        Column("支払予定日", DATE),
        Column("状態", TEXT, 26),
        Column("起票者", TEXT, 18),
        Column("起票日時", DATETIME),
        Column("承認者", TEXT, 18),
        Column("承認日時", DATETIME),
        Column("支払日", DATE),
    )

    def orders(self) -> QuerySet[PaymentOrder]:
        return orders_of_their_own().filter(self.scope.where("case__programme_year"))

    def count(self) -> int:
        return self.orders().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference = self.scope.programme_names(), self.scope.case_reference
        order = (*self.scope.order("case__programme_year"), "case__organization__code", "case_id", "number")
        orders = self.orders().order_by(*order).values_list(
            "case__programme_year_id", "case_id", "case__organization__code", "case__organization__name", "kind",
            "number", "label", "amount", "pay_on", "status", "prepared_by__display_name", "prepared_by__username",
            "prepared_at", "approved_by__display_name", "approved_by__username", "approved_at", "paid_on",
        )
        for (py_id, case_id, code, name, kind, number, label, amount, pay_on, status, preparer, preparer_login,
             prepared_at, approver, approver_login, approved_at, paid_on) in orders.iterator(chunk_size=CHUNK_SIZE):
            row = (
                reference(py_id, case_id), code, name, ORDER_KIND_LABELS.get(kind, kind), number, label, amount,
                pay_on, ORDER_STATUS_LABELS.get(status, status), _user(preparer, preparer_login), prepared_at,
                _user(approver, approver_login), approved_at, paid_on,
            )
            yield row if names is None else (names[py_id], *row)


class SubgrantReport(ScopedReport):
    """Sheet 「再交付」: every line of a 収支決算書 (実績報告) in scope with a 再交付先, i.e. money the council
    passed on to a local group, by 団体コード and line order.

    Row: (案件番号 str, 団体コード str, 協議会 str, 再交付先 str, 計画の取組 str | None: its number and name,
    費目 str | None, 内容 str, 金額（円） int, 支出日 date | None). One query.
    """

    sheet_title = "再交付"
    base_columns = (
        Column("案件番号", TEXT, 28),
        Column("団体コード", TEXT, 12),
        Column("協議会", TEXT, 32),
        Column("再交付先", TEXT, 32),
        Column("計画の取組", TEXT, 36),
        Column("費目", TEXT, 20),
        Column("内容", TEXT, 40),
        Column("金額（円）", YEN),
        Column("支出日", DATE),
    )

    def lines(self) -> QuerySet[ReportLine]:
        return ReportLine.objects.filter(self.scope.where("report__case__programme_year")).exclude(recipient="")

    def count(self) -> int:
        return self.lines().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference = self.scope.programme_names(), self.scope.case_reference
        order = (*self.scope.order("report__case__programme_year"), "report__case__organization__code",
                 "report__case_id", "order", "pk")
        lines = self.lines().order_by(*order).values_list(
            "report__case__programme_year_id", "report__case_id", "report__case__organization__code",
            "report__case__organization__name", "recipient", "plan_item__code", "plan_item__title",
            "category__name", "description", "amount", "spent_on",
        )
        for (py_id, case_id, code, name, recipient, item_code, item_title, category, description, amount,
             spent_on) in lines.iterator(chunk_size=CHUNK_SIZE):
            item = None if item_code is None else f"{item_code} {item_title}"
            row = (reference(py_id, case_id), code, name, recipient, item, category, description, amount, spent_on)
            yield row if names is None else (names[py_id], *row)


REFUND_REASON_LABELS: dict[str, str] = dict(RefundReason.choices)
REFUND_STATUS_LABELS: dict[str, str] = dict(RefundStatus.choices)


def _received(field: str) -> Coalesce:
    """SUM of one part of the order's receipts (whole yen), 0 without receipts."""
    return Coalesce(Sum(f"receipts__{field}"), Value(0), output_field=BigIntegerField())


class RefundOrderReport(ScopedReport):
    """Sheet 「返還命令」: every ``RefundOrder`` of the cases in scope, with its receipts (返還金の納付) summed, by
    返還命令日 and 団体コード.

    Row: (案件番号 str, 団体コード str, 団体名 str, 返還の理由 str, 返還を命じる額（円） int, 返還命令日 date,
    納期限 date, 加算金の年率（％） Decimal, 延滞金の年率（％） Decimal, 元金の納付額（円） int, 加算金の納付額（円）
    int, 延滞金の納付額（円） int, 未納の元金（円） int, 納付の回数 int, 最終納付日 date | None, 状態 str,
    命令者 str). 元金の納付額 is what the ledger records as 返還（戻入） for the order. One query.
    """

    sheet_title = "返還命令"
    base_columns = (
        *CASE_COLUMNS,
        Column("返還の理由", TEXT, 30),
        Column("返還を命じる額（円）", YEN, 20),
        Column("返還命令日", DATE),
        Column("納期限", DATE),
        Column("加算金の年率（％）", RATE, 18),
        Column("延滞金の年率（％）", RATE, 18),
        Column("元金の納付額（円）", YEN, 18),
        Column("加算金の納付額（円）", YEN, 20),
        Column("延滞金の納付額（円）", YEN, 20),
        Column("未納の元金（円）", YEN, 16),
        Column("納付の回数", COUNT),
        Column("最終納付日", DATE),
        Column("状態", TEXT, 10),
        Column("命令者", TEXT, 18),
    )

    def orders(self) -> QuerySet[RefundOrder]:
        return RefundOrder.objects.filter(self.scope.where("case__programme_year"))

    def count(self) -> int:
        return self.orders().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference = self.scope.programme_names(), self.scope.case_reference
        order = (*self.scope.order("case__programme_year"), "ordered_on", "case__organization__code", "pk")
        orders = (
            self.orders()
            .annotate(
                principal_received=_received("principal_part"), surcharge_received=_received("surcharge_part"),
                late_received=_received("late_part"), receipt_count=Count("receipts"),
                last_received=Max("receipts__received_on"),
            )
            .order_by(*order)
            .values_list(
                "case__programme_year_id", "case_id", "case__organization__code", "case__organization__name",
                "reason", "principal", "ordered_on", "due_on", "surcharge_rate", "late_rate", "principal_received",
                "surcharge_received", "late_received", "receipt_count", "last_received", "status",
                "ordered_by__display_name", "ordered_by__username",
            )
        )
        for (py_id, case_id, code, name, reason, principal, ordered_on, due_on, surcharge_rate, late_rate,
             principal_received, surcharge_received, late_received, receipt_count, last_received, status,
             orderer, orderer_login) in orders.iterator(chunk_size=CHUNK_SIZE):
            row = (
                reference(py_id, case_id), code, name, REFUND_REASON_LABELS.get(reason, reason), principal,
                ordered_on, due_on, surcharge_rate, late_rate, principal_received, surcharge_received,
                late_received, principal - principal_received, receipt_count, last_received,
                REFUND_STATUS_LABELS.get(status, status), _user(orderer, orderer_login),
            )
            yield row if names is None else (names[py_id], *row)


# --- 市民活動交流事業補助金 (公募) ---------------------------------------------------------------------

CALL_STATUS_LABELS: dict[str, str] = dict(CallStatus.choices)
SELECTION_STATUS_LABELS: dict[str, str] = dict(SelectionStatus.choices)
TAX_STATUS_LABELS: dict[str, str] = dict(TaxReportStatus.choices)
TAX_EXEMPTION_LABELS: dict[str, str] = dict(TaxExemption.choices)
CALL_COLUMN = Column("募集", TEXT, 40)
MEMBER_COLUMN = Column("審査委員", TEXT, 20)
DRAFT = "draft"


def _per_call(rows: QuerySet[ProjectPlan] | QuerySet[SelectionLine], path: str, value: Count | Sum) -> Coalesce:
    """A correlated subquery: ``value`` over ``rows`` of the outer call (reached by ``path``), 0 without rows."""
    summed = rows.filter(**{path: OuterRef("pk")}).order_by().values(path).annotate(value=value).values("value")
    return Coalesce(Subquery(summed), Value(0), output_field=BigIntegerField())


class CallReport(ScopedReport):
    """Sheet 「募集」: every ``Call`` (募集) of the scope's programme-years, by 受付開始日.

    Row: (募集 str, 年度 int, 年度（和暦） str, 受付開始日 date, 受付終了日 date, 状態 str, 予算額（円） int,
    申請件数 int: applications submitted (not a draft), 採択件数 int, 採択額の合計（円） int, 不採択件数 int,
    予算の残額（円） int: 予算額 − 採択額の合計, 採択の決定日時 aware datetime | None). 採択 and 不採択 count only
    once the approver has decided the selection (a 採択案 still in preparation counts nothing). One query: the
    counts and the total are correlated subqueries.
    """

    sheet_title = "募集"
    base_columns = (
        CALL_COLUMN,
        Column("年度", NUMBER, 8),
        Column("年度（和暦）", TEXT, 14),
        Column("受付開始日", DATE),
        Column("受付終了日", DATE),
        Column("状態", TEXT, 16),
        Column("予算額（円）", YEN),
        Column("申請件数", COUNT),
        Column("採択件数", COUNT),
        Column("採択額の合計（円）", YEN, 18),
        Column("不採択件数", COUNT),
        Column("予算の残額（円）", YEN, 16),
        Column("採択の決定日時", DATETIME),
    )

    def calls(self) -> QuerySet[Call]:
        return Call.objects.filter(self.scope.where("programme_year"))

    def count(self) -> int:
        return self.calls().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names = self.scope.programme_names()
        submitted = ProjectPlan.objects.exclude(case__status=DRAFT)
        decided = SelectionLine.objects.filter(selection__status=SelectionStatus.APPROVED)
        chosen, passed = decided.filter(selected=True), decided.filter(selected=False)
        calls = (
            self.calls()
            .annotate(
                applications_count=_per_call(submitted, "call", Count("pk")),
                selected_count=_per_call(chosen, "selection__call", Count("pk")),
                selected_total=_per_call(chosen, "selection__call", Sum("amount")),
                not_selected_count=_per_call(passed, "selection__call", Count("pk")),
            )
            .order_by(*self.scope.order("programme_year"), "opens_on", "pk")
            .values_list(
                "programme_year_id", "title", "programme_year__fiscal_year", "opens_on", "closes_on", "status",
                "budget", "applications_count", "selected_count", "selected_total", "not_selected_count",
                "selection__decided_at",
            )
        )
        for (py_id, title, fiscal_year, opens_on, closes_on, status, budget, applications, selected, total,
             not_selected, decided_at) in calls.iterator(chunk_size=CHUNK_SIZE):
            row = (
                title, fiscal_year, fiscal_year_label(fiscal_year), opens_on, closes_on,
                CALL_STATUS_LABELS.get(status, status), budget, applications, selected, total, not_selected,
                budget - total, decided_at,
            )
            yield row if names is None else (names[py_id], *row)


class ScoreReport(ScopedReport):
    """Sheet 「審査の採点」: every ``Score`` of the applications in scope, one row per member × application ×
    criterion, by 募集, 団体コード, application, member and the criterion's order.

    Row: (募集 str, 案件番号 str, 団体コード str, 団体名 str, 審査委員 str, 審査項目 str, 重み int, 満点 int,
    点数 int, 重み付きの点数 int: 重み × 点数, 講評 str, 更新日時 aware datetime). An application's weighted score
    in the ranking is the mean over its members of the sum of their 重み付きの点数 (``grants.competitive.panel``).
    One query.
    """

    sheet_title = "審査の採点"
    base_columns = (
        CALL_COLUMN,
        *CASE_COLUMNS,
        MEMBER_COLUMN,
        Column("審査項目", TEXT, 16),
        Column("重み", NUMBER, 6),
        Column("満点", NUMBER, 6),
        Column("点数", NUMBER, 6),
        Column("重み付きの点数", NUMBER, 16),
        Column("講評", TEXT, 44),
        Column("更新日時", DATETIME),
    )

    def scores(self) -> QuerySet[Score]:
        return Score.objects.filter(self.scope.where("case__programme_year"))

    def count(self) -> int:
        return self.scores().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference = self.scope.programme_names(), self.scope.case_reference
        order = (*self.scope.order("case__programme_year"), "criterion__call__opens_on", "criterion__call_id",
                 "case__organization__code", "case_id", "member_id", "criterion__order", "criterion_id")
        scores = self.scores().order_by(*order).values_list(
            "case__programme_year_id", "criterion__call__title", "case_id", "case__organization__code",
            "case__organization__name", "member__user__display_name", "member__user__username", "criterion__name",
            "criterion__weight", "criterion__max_score", "score", "comment", "updated_at",
        )
        for (py_id, call, case_id, code, name, member_name, member_login, criterion, weight, max_score, score,
             comment, updated_at) in scores.iterator(chunk_size=CHUNK_SIZE):
            row = (
                call, reference(py_id, case_id), code, name, _user(member_name, member_login), criterion, weight,
                max_score, score, weight * score, comment, updated_at,
            )
            yield row if names is None else (names[py_id], *row)


class ConflictReport(ScopedReport):
    """Sheet 「利害関係の申告」: every ``ConflictDeclaration`` of the applications in scope, by 募集, 団体コード,
    application and date. A member who declared a conflict could not open or score the application.

    Row: (募集 str, 案件番号 str, 団体コード str, 団体名 str, 審査委員 str, 利害関係 str: あり | なし,
    利害関係の内容 str, 申告日時 aware datetime). One query.
    """

    sheet_title = "利害関係の申告"
    base_columns = (
        CALL_COLUMN,
        *CASE_COLUMNS,
        MEMBER_COLUMN,
        Column("利害関係", TEXT, 10),
        Column("利害関係の内容", TEXT, 44),
        Column("申告日時", DATETIME),
    )

    def declarations(self) -> QuerySet[ConflictDeclaration]:
        return ConflictDeclaration.objects.filter(self.scope.where("case__programme_year"))

    def count(self) -> int:
        return self.declarations().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference = self.scope.programme_names(), self.scope.case_reference
        order = (*self.scope.order("case__programme_year"), "member__call__opens_on", "member__call_id",
                 "case__organization__code", "case_id", "declared_at", "pk")
        declarations = self.declarations().order_by(*order).values_list(
            "case__programme_year_id", "member__call__title", "case_id", "case__organization__code",
            "case__organization__name", "member__user__display_name", "member__user__username", "conflicted",
            "reason", "declared_at",
        )
        for (py_id, call, case_id, code, name, member_name, member_login, conflicted, reason,
             declared_at) in declarations.iterator(chunk_size=CHUNK_SIZE):
            row = (
                call, reference(py_id, case_id), code, name, _user(member_name, member_login),
                "あり" if conflicted else "なし", reason, declared_at,
            )
            yield row if names is None else (names[py_id], *row)


class SelectionReport(ScopedReport):
    """Sheet 「採択」: every application in a selection (``SelectionLine``) in scope, by 募集 and 順位.

    Row: (募集 str, 案件番号 str, 団体コード str, 団体名 str, 事業名 str, 順位 int | None (ties share one),
    合計点（重み付き） int, 申請額（円） int | None, 採択 str: 採択 | 不採択, 採択額（円） int (0 for a 不採択),
    不採択の理由 str, 採択の状態 str: 作成中 | 決裁待ち | 決定済, 起案者 str | None, 起案日時 aware datetime | None,
    決裁者 str | None, 決裁日時 aware datetime | None). The 起案者 never is the 決裁者 (a constraint). One query.
    """

    sheet_title = "採択"
    base_columns = (
        CALL_COLUMN,
        *CASE_COLUMNS,
        Column("事業名", TEXT, 30),
        Column("順位", NUMBER, 6),
        Column("合計点（重み付き）", NUMBER, 18),
        Column("申請額（円）", YEN),
        Column("採択", TEXT, 8),
        Column("採択額（円）", YEN),
        Column("不採択の理由", TEXT, 44),
        Column("採択の状態", TEXT, 12),
        Column("起案者", TEXT, 18),
        Column("起案日時", DATETIME),
        Column("決裁者", TEXT, 18),
        Column("決裁日時", DATETIME),
    )

    def lines(self) -> QuerySet[SelectionLine]:
        return SelectionLine.objects.filter(self.scope.where("case__programme_year"))

    def count(self) -> int:
        return self.lines().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference = self.scope.programme_names(), self.scope.case_reference
        order: tuple[str | OrderBy, ...] = (
            *self.scope.order("case__programme_year"), "selection__call__opens_on", "selection__call_id",
            F("rank").asc(nulls_last=True), "pk",
        )
        lines = self.lines().order_by(*order).values_list(
            "case__programme_year_id", "selection__call__title", "case_id", "case__organization__code",
            "case__organization__name", "case__project_title", "rank", "weighted_score", "case__applied_amount",
            "selected", "amount", "reason", "selection__status", "selection__prepared_by__display_name",
            "selection__prepared_by__username", "selection__proposed_at", "selection__decided_by__display_name",
            "selection__decided_by__username", "selection__decided_at",
        )
        for (py_id, call, case_id, code, name, project, rank, score, applied, selected, amount, reason, status,
             preparer, preparer_login, proposed_at, approver, approver_login,
             decided_at) in lines.iterator(chunk_size=CHUNK_SIZE):
            row = (
                call, reference(py_id, case_id), code, name, project, rank, score, applied,
                "採択" if selected else "不採択", amount, reason, SELECTION_STATUS_LABELS.get(status, status),
                _user(preparer, preparer_login), proposed_at, _user(approver, approver_login), decided_at,
            )
            yield row if names is None else (names[py_id], *row)


class TaxCreditReportReport(ScopedReport):
    """Sheet 「消費税仕入控除税額の報告」: every ``TaxCreditReport`` of the cases in scope, by 報告期限 and
    団体コード (GRANTS.md §3 step 9: due by 6/30 of the second 年度 after completion, even for 0 yen).

    Row: (案件番号 str, 団体コード str, 団体名 str, 報告期限 date, 状態 str, 報告が不要となる理由 str,
    仕入控除税額（円） int | None (None until reported; 0 with an exemption), 根拠資料 str: あり | なし,
    報告者 str | None, 報告日時 aware datetime | None, 確認者 str | None, 確認日時 aware datetime | None).
    A positive amount, once confirmed, is a 返還命令 (sheet 「返還命令」, 返還の理由 消費税仕入控除税額の返還).
    One query.
    """

    sheet_title = "消費税仕入控除税額の報告"
    base_columns = (
        *CASE_COLUMNS,
        Column("報告期限", DATE),
        Column("状態", TEXT, 18),
        Column("報告が不要となる理由", TEXT, 36),
        Column("仕入控除税額（円）", YEN, 18),
        Column("根拠資料", TEXT, 10),
        Column("報告者", TEXT, 18),
        Column("報告日時", DATETIME),
        Column("確認者", TEXT, 18),
        Column("確認日時", DATETIME),
    )

    def reports(self) -> QuerySet[TaxCreditReport]:
        return TaxCreditReport.objects.filter(self.scope.where("case__programme_year"))

    def count(self) -> int:
        return self.reports().count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        names, reference = self.scope.programme_names(), self.scope.case_reference
        order = (*self.scope.order("case__programme_year"), "due_on", "case__organization__code", "pk")
        reports = self.reports().order_by(*order).values_list(
            "case__programme_year_id", "case_id", "case__organization__code", "case__organization__name", "due_on",
            "status", "exemption", "amount", "evidence", "submitted_by__display_name", "submitted_by__username",
            "submitted_at", "confirmed_by__display_name", "confirmed_by__username", "confirmed_at",
        )
        for (py_id, case_id, code, name, due_on, status, exemption, amount, evidence, reporter, reporter_login,
             submitted_at, confirmer, confirmer_login, confirmed_at) in reports.iterator(chunk_size=CHUNK_SIZE):
            row = (
                reference(py_id, case_id), code, name, due_on, TAX_STATUS_LABELS.get(status, status),
                TAX_EXEMPTION_LABELS.get(exemption, exemption), amount, "あり" if evidence else "なし",
                _user(reporter, reporter_login), submitted_at, _user(confirmer, confirmer_login), confirmed_at,
            )
            yield row if names is None else (names[py_id], *row)


# --- Workbooks ---------------------------------------------------------------------------------------


def scope_reports(scope: Scope) -> list[Report]:
    """The auditor's reports over ``scope``, in sheet order: 台帳, 集計, 案件一覧, 交付決定, 支払, 返還, 監査証跡,
    then, when a programme in scope follows the full lifecycle, 協議会別管理費割合, 協議会別交付額の推移, 特例判断,
    支出命令, 再交付 and 返還命令, and, when a programme in scope follows the competitive workflow, 募集, 審査の採点,
    利害関係の申告, 採択 and 消費税仕入控除税額の報告."""
    reports: list[Report] = [
        LedgerReport(scope),
        LedgerSummaryReport(scope),
        CaseRegisterReport(scope),
        DecisionReport(scope),
        PaymentReport(scope),
        RefundReport(scope),
        AuditTrailReport(scope),
    ]
    if scope.has_full_lifecycle:
        reports += [
            CouncilShareReport(scope),
            CouncilHistoryReport(scope),
            OverrideReport(scope),
            PaymentOrderReport(scope),
            SubgrantReport(scope),
            RefundOrderReport(scope),
        ]
    if scope.has_competitive:
        reports += [
            CallReport(scope),
            ScoreReport(scope),
            ConflictReport(scope),
            SelectionReport(scope),
            TaxCreditReportReport(scope),
        ]
    return reports


def programme_year_reports(programme_year: ProgrammeYear) -> list[Report]:
    """The auditor's reports of ``programme_year``, in sheet order (see ``scope_reports``)."""
    return scope_reports(Scope.of_programme_year(programme_year))


def programme_year_workbook(
    programme_year: ProgrammeYear, out: IO[bytes], progress: Progress | None = None
) -> dict[str, int]:
    """Write the auditor's workbook of ``programme_year`` (seven sheets, thirteen for a programme of the full
    lifecycle, eighteen for the competitive programme; see the module docstring) as .xlsx to the binary
    file-like ``out``. ``progress`` (optional) gets ``(0, total rows)`` first, then the rows written so far every
    few thousand rows. Returns {sheet title: number of data rows}. A fixed number of queries: eight, fourteen
    with the council sheets, nineteen with the competitive programme's (one more if the programme is not
    loaded), and one COUNT per sheet but 「集計」 more with ``progress``."""
    return write_xlsx(programme_year_reports(programme_year), out, progress)


def fiscal_year_workbook(fiscal_year: int, out: IO[bytes], progress: Progress | None = None) -> dict[str, int]:
    """Write the auditor's workbook of every programme of ``fiscal_year`` (年度, e.g. 2026) as .xlsx to ``out``:
    the same sheets, each with a 事業 column first but the two about councils. Progress and return value as for
    ``programme_year_workbook``; one query more (the programme-years)."""
    return write_xlsx(scope_reports(Scope.of_fiscal_year(fiscal_year)), out, progress)


def programme_year_filename(programme_year: ProgrammeYear, extension: str = "xlsx") -> str:
    """Suggested download name, e.g. ``台帳_2026_自治振興.xlsx``: the 年度 and the programme's name as a case number
    prints it (its 略称, else its name; never its internal code), with what a file name may not hold replaced by
    「_」."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", programme_year.programme.number_name).strip("_.") or "事業"
    return f"台帳_{programme_year.fiscal_year}_{name}.{extension}"


def fiscal_year_filename(fiscal_year: int) -> str:
    """Suggested download name of a whole fiscal year's workbook, e.g. ``台帳_2026_全事業.xlsx``."""
    return f"台帳_{fiscal_year}_全事業.xlsx"
