"""The document set (PDF and .xlsx) of a claim whose every text is as long as the pages allow: long unbreakable
answers must not make the PDF take seconds per field (the automatic table layout measures each cell's text), and
both files still carry the whole text."""
import datetime as dt
import io

import openpyxl
import pytest

from grants.insurance import claims
from grants.insurance.models import AccidentReport, InvolvedPerson
from reports.insurance_documents import claim_html, claim_pdf, claim_xlsx
from tests.insurance import builders

pytestmark = pytest.mark.django_db

LONG = {"how": "a" * 2000, "outcome": "あ" * 2000, "activity_description": "W" * 2000, "plan_entry": "p" * 200,
        "place": "P" * 200, "who": "w" * 200, "activity_name": "n" * 100}


@pytest.fixture
def longest(group_a, insurance):  # type: ignore[no-untyped-def]
    """A claim of an accident 399 days ago, reported late, every text at its maximum length, 400 visits."""
    report = builders.covered_report(group_a.head, insurance, group_a.organization, accident_date=builders.days_ago(399),
                                     delay_reason="x" * 2000, **LONG)
    person = report.persons.get()
    InvolvedPerson.objects.filter(pk=person.pk).update(name="名" * 100, name_kana="か" * 100, address="住" * 200,
                                                       phone="0" * 30, detail="d" * 2000)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=person.pk)
    days = [report.accident_date + dt.timedelta(days=i) for i in range(400)]
    claims.record_treatment(actor=group_a.head, claim_id=claim.pk, in_treatment=True, recovered_on=None,
                            outpatient=days, inpatient=[(days[0], days[2])])
    claims.add_claim_document(actor=group_a.head, claim_id=claim.pk, kind="receipt", title="t" * 200,
                              upload=builders.pdf(), amount=10**12)
    return claim


def test_regression_no_table_of_the_pdf_is_laid_out_by_measuring_its_text(longest, monkeypatch) -> None:
    """Every table has fixed column widths: the automatic layout (seconds for each 2,000-character answer, half a
    minute for this claim) is never entered."""
    import weasyprint.layout.table as table

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a table of the document set was laid out automatically")

    monkeypatch.setattr(table, "auto_table_layout", refuse)
    assert claim_pdf(longest).startswith(b"%PDF")


def test_the_longest_texts_are_all_in_the_pdf_html_and_the_workbook(longest) -> None:
    html = claim_html(longest)
    report = AccidentReport.objects.get(pk=longest.report_id)
    for text in (report.how, report.outcome, report.delay_reason, "名" * 100, "住" * 200, "t" * 200):
        assert text in html
    book = openpyxl.load_workbook(io.BytesIO(claim_xlsx(longest)))
    cells = {cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row}
    for text in (report.how, report.outcome, "d" * 2000, "t" * 200):
        assert text in cells
    assert len(list(book["通院日"].iter_rows(min_row=2))) == 400
