"""The export pages (pages/reports/views.py): unknown years, programme-years and formats are answered 404 or 400,
nothing queued."""
import pytest
from django.urls import reverse

from grants.jobs.models import Job
from tests.cases.steps import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [1999, 0, 9999, 2**31, 2**63 - 1, 10**25])
def test_fiscal_year_export_of_a_year_without_programmes_is_404(client, auditor, programme_year, year) -> None:  # type: ignore[no-untyped-def]
    login(client, auditor)
    client.raise_request_exception = False
    assert client.post(f"/exports/fiscal-year/{year}/").status_code == 404
    assert not Job.objects.exists()


@pytest.mark.parametrize("pk", [999_999, 10**25])
def test_programme_year_export_of_an_unknown_year_is_404(client, auditor, pk) -> None:  # type: ignore[no-untyped-def]
    login(client, auditor)
    client.raise_request_exception = False
    assert client.post(f"/years/{pk}/exports/", {"format": "xlsx"}).status_code == 404


@pytest.mark.parametrize("fmt", ["", "XLSX", "pdf", "xlsx\x00", "../../etc/passwd"])
def test_unknown_format_is_400(client, auditor, programme_year, fmt) -> None:  # type: ignore[no-untyped-def]
    login(client, auditor)
    assert client.post(reverse("request_programme_year_export", args=[programme_year.pk]),
                       {"format": fmt}).status_code == 400


# The auditor's export with hostile names, and the admin paths around the ledger and the counts.


def test_export_unknown_year_is_404(client, auditor) -> None:  # type: ignore[no-untyped-def]
    response = login(client, auditor).post(reverse("request_programme_year_export", args=[99999]), {"format": "xlsx"})
    assert response.status_code == 404
