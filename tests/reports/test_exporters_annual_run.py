"""The auditor's 監査証跡 sheet names the annual run's states in words, as it does a case's."""
import pytest

from grants.cases.annual_run import run_to_completion, start_annual_run
from reports.exporters import AuditTrailReport, Scope

pytestmark = pytest.mark.django_db


def test_the_end_of_an_annual_run_reads_in_words(programme_year, staff) -> None:  # type: ignore[no-untyped-def]
    run = run_to_completion(run_id=start_annual_run(programme_year=programme_year, actor=staff).pk, actor=staff)
    rows = [row[1:] for row in AuditTrailReport(Scope.of_programme_year(programme_year)).rows()]
    assert ["staff 担当", "年次一括作成の完了", f"年次一括作成 No.{run.pk}", "処理中", "完了", "新規作成 0件"] in [
        list(row) for row in rows]
