"""実績報告 due dates of the full-lifecycle cases still open for a report: which are overdue and which fall
due soon (GRANTS.md §3 step 6: due at the earlier of completion + N days and a fixed date; a missed
deadline can lead to cancellation).

The completion date counted is the 事業完了日 of the report when the council has saved one (a draft, or a
report returned to them), else the case's 完了期限 set at the decision, else its 完了予定日.
"""
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import GrantCase, report_due_date
from .rules import rule_terms
from .workflows import WORKFLOWS

SOON_DAYS = 14


def awaiting_report() -> Q:
    """Cases whose 実績報告 is still to come, in every workflow that has one (a change may be under way)."""
    condition = Q(pk__in=[])
    for code, flow in WORKFLOWS.items():
        if flow.awaiting_report:
            condition |= Q(programme_year__programme__workflow=code, status__in=flow.awaiting_report)
    return condition


@dataclass(frozen=True)
class ReportDeadline:
    """One case's 実績報告 deadline. ``days_overdue`` is today − due date in days: 1 or more when the
    deadline has passed, 0 on the day itself, negative while days are left."""

    case: GrantCase
    due_on: dt.date
    completed_on: dt.date | None
    completed_basis: str
    days_overdue: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def days_left(self) -> int:
        return -self.days_overdue


def _completion(case: GrantCase) -> tuple[dt.date | None, str]:
    try:
        report = case.report
    except ObjectDoesNotExist:
        report = None
    if report is not None:
        return report.completed_on, "事業完了日（実績報告の下書き）"
    if case.completion_deadline is not None:
        return case.completion_deadline, "完了期限（交付決定）"
    return case.project_end, "完了予定日（交付申請）"


def deadlines_of(cases: QuerySet[GrantCase], *, today: dt.date | None = None) -> Iterator[ReportDeadline]:
    """The 実績報告 deadline of every case of ``cases`` still awaiting its report (``awaiting_report``) that has a
    due date, by case pk: ``report_due_date(rule, completed_on)`` under the version the case was decided under
    (``rules.rule_terms``). Cases without any due date are left out. One query, whatever the number of cases."""
    today = today or timezone.localdate()
    awaiting = (
        cases.filter(awaiting_report())
        .select_related("programme_year__programme", "organization__area", "report", "rule_version")
        .order_by("pk")
    )
    for case in awaiting:
        completed_on, basis = _completion(case)
        due_on = report_due_date(rule_terms(case), completed_on)  # a decided case's deadline: its version's
        if due_on is not None:
            yield ReportDeadline(case=case, due_on=due_on, completed_on=completed_on, completed_basis=basis,
                                 days_overdue=(today - due_on).days)


def report_deadlines(*, today: dt.date | None = None, soon_days: int = SOON_DAYS) -> list[ReportDeadline]:
    """Full-lifecycle cases awaiting their 実績報告 (decided, or a change under review) whose due date has
    passed or falls within ``soon_days`` days of ``today`` (today included), earliest due first
    (``deadlines_of``). One query, whatever the number of cases."""
    today = today or timezone.localdate()
    limit = today + dt.timedelta(days=soon_days)
    rows = [row for row in deadlines_of(GrantCase.objects.all(), today=today) if row.due_on <= limit]
    rows.sort(key=lambda row: (row.due_on, row.case.organization.code, row.case.pk))
    return rows


def overdue_cases(cases: QuerySet[GrantCase], *, today: dt.date | None = None) -> QuerySet[GrantCase]:
    """The cases of ``cases`` whose 実績報告 deadline has passed (``ReportDeadline.overdue``: due before
    ``today``) as a queryset, to filter, count or export like any other. The deadlines are read at once (one
    query); the queryset itself is one more when it is evaluated."""
    late = [row.case.pk for row in deadlines_of(cases, today=today) if row.overdue]
    return cases.filter(pk__in=late)
