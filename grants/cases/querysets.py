"""Reads for the pages: programme-year figures, work queues and the case lists' order by case number."""
from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from grants.accounts.models import User
from grants.programmes.models import ProgrammeYear

from .models import GrantCase
from .workflows import WORKFLOWS


def status_counts(programme_year: ProgrammeYear) -> list[tuple[str, str, int]]:
    """[(status, label, number of cases)] for every state of the programme's workflow, in its order."""
    counts = dict(
        GrantCase.objects.filter(programme_year=programme_year).values_list("status").annotate(n=Count("pk"))
    )
    states = WORKFLOWS[programme_year.programme.workflow].machine.states
    return [(value, label, counts.get(value, 0)) for value, label in states.items()]


def waiting_condition(role: str) -> Q:
    """The cases waiting for an act of ``role``: in each workflow, the states its ``queues`` give the role."""
    condition = Q(pk__in=[])
    for code, flow in WORKFLOWS.items():
        states = flow.queues.get(role, ())
        if states:
            condition |= Q(programme_year__programme__workflow=code, status__in=states)
    return condition


def waiting_cases(user: User) -> QuerySet[GrantCase]:
    """Cases waiting for ``user``'s act, oldest first."""
    return (
        GrantCase.objects.visible_to(user)
        .filter(waiting_condition(user.role))
        .select_related("organization__area", "programme_year__programme")
        .order_by("submitted_at", "pk")
    )


# The orders of programme-years (``ProgrammeYear`` fields) that the case lists read by case number: 年度 newest
# first and then by programme code (the lists' default, staff's usual view), and the 案件番号 column sorted up or down.
YEARS_NEWEST_FIRST = ("-fiscal_year", "programme__code", "pk")
YEARS_OLDEST_FIRST = ("fiscal_year", "programme__code", "pk")
YEARS_REVERSED = ("-fiscal_year", "-programme__code", "-pk")


class CaseNumberOrder:
    """The cases of ``cases`` in case-number order (案件番号順), as a sequence a paginator slices: programme-year
    by programme-year in the order ``years`` (``ProgrammeYear`` fields, ``YEARS_NEWEST_FIRST`` by default), and
    within one programme-year by ``numbers`` (``"number"``, or ``"-number"`` for the largest first).

    Each programme-year's part is read through the index on (programme_year, number)
    (``one_number_per_programme_year``), so a page costs the same at 100 cases as at 100,000: an ORDER BY on the
    programme-year's 年度 across the join would sort every case for every page. A slice ``[start:stop]`` is two
    queries whatever the number of programme-years: each programme-year's number of cases (``counts``, kept for
    the next slice and ``count()``), to find where the slice begins, and
    the slice's rows by their ids, the ids a UNION ALL of a LIMITed part per programme-year the slice touches.
    Raises TypeError for an index that is not a slice with a stop."""

    ordered = True  # for Paginator's warning on unordered lists

    def __init__(self, cases: QuerySet[GrantCase], *, years: tuple[str, ...] = YEARS_NEWEST_FIRST,
                 numbers: str = "number") -> None:
        self.cases, self.years, self.numbers = cases, years, numbers
        self._counts: list[tuple[int, int]] | None = None

    def counts(self) -> list[tuple[int, int]]:
        """[(programme-year id, number of its cases in ``cases``)] in the order of ``years``, without the
        programme-years that have none. One query: for all the cases, a COUNT(*) per programme-year, each through
        its index; for cases filtered, one pass over the cases that match (a count per programme-year would repeat
        the filter's join or scan for each)."""
        if self._counts is None:
            if self.cases.query.is_empty():
                self._counts = []
            elif not self.cases.query.where:
                each = (self.cases.filter(programme_year=OuterRef("pk")).order_by().values("programme_year")
                        .annotate(n=Count("*")).values("n"))
                self._counts = list(ProgrammeYear.objects.order_by(*self.years).annotate(n=Subquery(each))
                                    .filter(n__gt=0).values_list("pk", "n"))
            else:
                by_year = [f"-programme_year__{f[1:]}" if f.startswith("-") else f"programme_year__{f}"
                           for f in self.years]
                self._counts = list(self.cases.order_by().values("programme_year").annotate(n=Count("*"))
                                    .order_by(*by_year).values_list("programme_year", "n"))
        return self._counts

    def count(self) -> int:
        return sum(n for _, n in self.counts())

    def __getitem__(self, index: slice) -> list[GrantCase]:
        if not isinstance(index, slice) or index.stop is None or index.step is not None:
            raise TypeError("CaseNumberOrder takes a slice [start:stop].")
        start, stop = index.start or 0, index.stop
        if stop <= start or self.cases.query.is_empty():
            return []
        spans = self._spans(start, stop)
        if not spans:
            return []
        # The slice's ids, each programme-year's part through the index, in one query (a UNION ALL of the LIMITed
        # parts, each wrapped so that SQLite takes its LIMIT too), then its rows by id.
        parts: list[str] = []
        params: list[object] = []
        for year, low, high in spans:
            part = self.cases.filter(programme_year_id=year).order_by(self.numbers).values("pk")[low:high]
            sql, part_params = part.query.get_compiler(using=part.db).as_sql()
            parts.append(f"SELECT * FROM ({sql}) AS part{len(parts)}")
            params.extend(part_params)
        rows = list(self.cases.filter(pk__in=RawSQL(" UNION ALL ".join(parts), params)).order_by())
        rank = {year: i for i, (year, _, _) in enumerate(spans)}
        sign = -1 if self.numbers.startswith("-") else 1
        rows.sort(key=lambda case: (rank[case.programme_year_id], sign * case.number))
        return rows[:stop - start]

    def _spans(self, start: int, stop: int) -> list[tuple[int, int, int]]:
        """[(programme-year id, start, stop within it)] that make up ``[start:stop]``, by the counts."""
        spans, skipped = [], 0
        for year, n in self.counts():
            low, high = max(start - skipped, 0), min(stop - skipped, n)
            if low < high:
                spans.append((year, low, high))
            skipped += n
            if skipped >= stop:
                break
        return spans
