"""Notices as PDF (reports/pdf.py) with applicant text shaped like HTML or CSS in every field: printed as text,
nothing fetched."""
import re
import urllib.request

import pytest

from grants.cases import services
from grants.notices.models import Notice, NoticeKind
from reports.pdf import NoticeURLFetcher, render_notice_pdf, render_notices_pdf
from tests import factories
from tests.reports.pdf_tools import pdf_text

pytestmark = pytest.mark.django_db


EVIL = [
    "<style>@import url(http://example.com/x.css)</style>",
    "url(file:///etc/passwd)",
    "<style>*{background:url(file:///etc/passwd)}</style>",
    '<img src="http://example.com/pixel.png">',
    "<svg><image href='file:///etc/hostname'/></svg>",
    "</p></article><link rel=stylesheet href=//example.com/y.css>",
    "{{ secret }}{% now 'Y' %}",
]


@pytest.fixture
def fetch_spy(monkeypatch):  # type: ignore[no-untyped-def]
    calls: list[str] = []
    original = NoticeURLFetcher.fetch

    def spy(self, url, headers=None):  # type: ignore[no-untyped-def]
        calls.append(url)
        return original(self, url, headers)

    def no_network(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(f"urlopen {args[:1]}")
        raise AssertionError("network access")

    monkeypatch.setattr(NoticeURLFetcher, "fetch", spy)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    return calls


@pytest.mark.parametrize("evil", EVIL)
def test_markup_in_every_applicant_field_is_printed_as_text(programme_year, staff, staff2, approver, finance, fetch_spy, tmp_path, evil) -> None:  # type: ignore[no-untyped-def]
    org = factories.AssociationFactory(name=evil[:100])
    factories.RepresentativeFactory(organization=org, name=evil[:100], title=evil[:40])
    factories.BankAccountFactory(organization=org)
    factories.count(org, programme_year.base_date, 10)
    case = services.GrantCase(programme_year=programme_year, organization=org)
    services.apply_count(case, 10)
    case.save()
    services.submit_application(case_id=case.pk, actor=staff2)
    services.verify_application(case_id=case.pk, actor=staff)
    services.refuse_grant(case_id=case.pk, actor=approver, note=evil)
    notice = Notice.objects.get(case=case, kind=NoticeKind.REFUSAL)
    text = pdf_text(render_notice_pdf(notice), tmp_path)
    assert re.sub(r"\s+", "", evil[:100]) in text
    assert fetch_spy == []
    batch = render_notices_pdf([notice, notice])
    assert fetch_spy == [] and batch.startswith(b"%PDF")
