"""The ledger page (台帳): every entry of the ledger, newest first, for city staff — 会計課 and 監査委員事務局 above
all — with filters (programme-year, kind, 計上日, organisation) and keyset pagination: a page is read from the index
matching its order (``ledger_entry_date_id`` and its filtered twins), however deep, in a constant number of
queries (the options of the programme-year filter, the page's rows with all they show). The workbook and the CSV
of a programme-year (``pages.reports``) are offered once a programme-year is chosen."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from grants.core.fiscal import wareki
from grants.ledger.models import EntryKind, LedgerEntry
from grants.programmes.models import ProgrammeYear
from pages.http import AuthedRequest, city_user_required
from pages.ledger.filters import LedgerFilter

# What a row shows, loaded with it (the programme-years it names come from the page's one query of them).
ROWS = ("case__organization", "actor")
NEWEST_FIRST = ("-entry_date", "-id")
OLDEST_FIRST = ("entry_date", "id")
CURSOR = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})_([0-9]{1,12})")


@dataclass(frozen=True)
class Cursor:
    """A place in the ledger's order: the 計上日 and entry number of an entry (``2026-05-01_1234``)."""

    entry_date: dt.date
    pk: int

    @classmethod
    def parse(cls, raw: str | None) -> Cursor | None:
        """The cursor of a query-string value, or None for a value that is none (the user's: never a 500)."""
        match = CURSOR.fullmatch(raw or "")
        if not match:
            return None
        try:
            return cls(dt.date(int(match[1]), int(match[2]), int(match[3])), int(match[4]))
        except ValueError:
            return None

    @classmethod
    def of(cls, entry: LedgerEntry) -> str:
        return f"{entry.entry_date.isoformat()}_{entry.pk}"

    def before(self) -> Q:
        """Entries after this one in the page order (older)."""
        return Q(entry_date__lte=self.entry_date) & (Q(entry_date__lt=self.entry_date) | Q(pk__lt=self.pk))

    def after(self) -> Q:
        """Entries before this one in the page order (newer)."""
        return Q(entry_date__gte=self.entry_date) & (Q(entry_date__gt=self.entry_date) | Q(pk__gt=self.pk))


@dataclass(frozen=True)
class Page:
    """One page of entries, newest first, and the cursors of the pages beside it (None: no such page)."""

    entries: list[LedgerEntry]
    newer: str | None
    older: str | None


def ledger_page(entries: QuerySet[LedgerEntry], size: int, *, after: Cursor | None = None,
                before: Cursor | None = None) -> Page:
    """``size`` entries of ``entries`` (filtered, unordered) in the page order: the first page, the page older
    than ``after`` or the page newer than ``before``. One query: ``size + 1`` rows are read to know whether
    another page follows."""
    if before is not None:
        rows = list(entries.filter(before.after()).order_by(*OLDEST_FIRST)[:size + 1])
        more = len(rows) > size
        page = rows[:size][::-1]
        # An older page follows only if an entry is older than this page's last: not so for a cursor typed or kept
        # from another filter.
        older = page and entries.filter(Cursor(page[-1].entry_date, page[-1].pk).before()).exists()
        return Page(page, Cursor.of(page[0]) if more and page else None,
                    Cursor.of(page[-1]) if older else None)
    rows = list((entries.filter(after.before()) if after else entries).order_by(*NEWEST_FIRST)[:size + 1])
    page = rows[:size]
    return Page(page, Cursor.of(page[0]) if after is not None and page else None,
                Cursor.of(page[-1]) if len(rows) > size else None)


def kind_label(entry: LedgerEntry) -> str:
    """The kind's name; a reversal names the entry it undoes (取消（反対仕訳）：仕訳番号 12)."""
    if entry.kind == EntryKind.REVERSAL and entry.reverses_id:
        return f"{entry.get_kind_display()}：仕訳番号 {entry.reverses_id}"
    return entry.get_kind_display()


def _link(query: QueryDict, key: str, cursor: str | None) -> str | None:
    """The query string of the page at ``cursor`` (``key``: "after" or "before"; "": the first page), the filters
    kept."""
    if cursor is None:
        return None
    kept = query.copy()
    for name in ("after", "before"):
        kept.pop(name, None)
    if key:
        kept[key] = cursor
    return "?" + kept.urlencode()


@require_GET
@city_user_required
def ledger(request: AuthedRequest) -> HttpResponse:
    # The programme-years, with their programmes and budget accounts: the filter's options, and what each row names
    # (its account's programme-year, its case's) — the page's rows then join only their case's organisation and
    # their recorder.
    years = list(ProgrammeYear.objects.select_related("programme", "budget_account")
                 .order_by("-fiscal_year", "programme__code", "pk"))
    labels = {year.pk: str(year) for year in years}  # 令和8年度 … : 和暦 worked out once a year, not once a row
    of_account = {year.budget_account.pk: labels[year.pk] for year in years if getattr(year, "budget_account", None)}
    by_pk = {year.pk: year for year in years}
    filterset = LedgerFilter(request.GET, queryset=LedgerEntry.objects.select_related(*ROWS),
                             years=list(labels.items()))
    page = ledger_page(filterset.qs, filterset.page_size, after=Cursor.parse(request.GET.get("after")),
                       before=Cursor.parse(request.GET.get("before")))
    days: dict[dt.date, str] = {}  # 和暦 of each day of the page, worked out once
    rows = []
    for entry in page.entries:
        if entry.case is not None:
            entry.case.programme_year = by_pk[entry.case.programme_year_id]
        day = days.setdefault(entry.entry_date, wareki(entry.entry_date))
        rows.append((entry, day, of_account[entry.account_id], kind_label(entry)))
    chosen = filterset.form.cleaned_data.get("year") if filterset.form.is_valid() else None
    return render(request, "ledger/ledger_list.html", {
        "filter": filterset, "rows": rows,
        "newer": _link(request.GET, "before", page.newer), "older": _link(request.GET, "after", page.older),
        "first": _link(request.GET, "", "") if "after" in request.GET or "before" in request.GET else None,
        "year": by_pk.get(int(chosen)) if chosen else None,
    })
