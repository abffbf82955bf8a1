"""Batch printing in chunks (reports.pdf.write_notices_pdf, reports.pdf_join.PdfJoiner): every notice once, in
order, across chunk boundaries; progress to the total; font subsets, not whole fonts; memory that does not grow
with the number of notices."""
import gc
import io
import subprocess
import tracemalloc

import pytest
from pypdf import PdfReader

from grants.notices.models import Notice, NoticeKind
from grants.notices.services import issue_notice
from reports.pdf import render_notice_pdf, render_notices_pdf, write_notices_pdf
from reports.pdf_join import PdfJoiner
from tests.reports.pdf_tools import page_count, pdf_text, run

pytestmark = pytest.mark.django_db

# Measured: a chunk of notices brings one IPAexMincho subset of 25–40 KB and each page about 4 KB of content;
# with the whole font (several MB) embedded once per notice or chunk these bounds are far exceeded.
MAX_BYTES_PER_PAGE_CHUNKED_BY_2 = 40_000
MAX_FONT_FILE_BYTES = 150_000


@pytest.fixture
def case(notice_case):  # type: ignore[no-untyped-def]
    return notice_case


@pytest.fixture
def decision(decided_case, approver):  # type: ignore[no-untyped-def]
    return issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)


def copies(notice: Notice, n: int) -> list[Notice]:
    """``n`` unsaved notices like ``notice``, numbered 1 … n, each addressed to its own 第i自治会 (rendering reads
    only the notice's fields and snapshot, so they need no rows)."""
    return [
        Notice(kind=notice.kind, fiscal_year=notice.fiscal_year, number=i, document_number=f"山協第8-{i}号",
               issued_on=notice.issued_on, amount=notice.amount,
               details={**notice.details, "organization": f"第{i}自治会"})
        for i in range(1, n + 1)
    ]


def test_chunks_keep_every_notice_once_and_in_order(decision, tmp_path) -> None:  # type: ignore[no-untyped-def]
    notices = copies(decision, 7)
    single_pages = page_count(render_notice_pdf(notices[0]), tmp_path)
    calls: list[tuple[int, int]] = []
    out = io.BytesIO()
    pages = write_notices_pdf(notices, out, progress=lambda done, total: calls.append((done, total)), chunk_size=3)
    pdf = out.getvalue()
    assert pages == page_count(pdf, tmp_path) == 7 * single_pages
    text = pdf_text(pdf, tmp_path)
    positions = [text.index(f"山協第8-{i}号") for i in range(1, 8)]
    assert positions == sorted(positions)  # 3 + 3 + 1: the boundaries neither lose nor swap a notice
    assert all(text.count(f"第{i}自治会") == 1 for i in range(1, 8)), text
    assert calls == [(done, 7) for done in range(8)]
    # a well-formed file: its cross-reference table read strictly, and poppler reports no syntax error
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == pages
    path = tmp_path / "joined.pdf"
    path.write_bytes(pdf)
    assert subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stderr == ""
    # each page is one notice, on the page of its own number
    if single_pages == 1:
        assert [f"第{i}自治会" in page.extract_text().replace(" ", "") for i, page in enumerate(reader.pages, 1)] \
            == [True] * 7


def test_a_chunk_size_that_divides_the_count_adds_no_empty_chunk(decision, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = render_notices_pdf(copies(decision, 4), chunk_size=2)
    assert page_count(pdf, tmp_path) == 4 * page_count(render_notice_pdf(decision), tmp_path)
    assert len(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Pages"]["/Kids"]) == 2  # one node per chunk


def test_joined_fonts_are_subsets_one_per_chunk_and_bytes_per_page_stay_small(decision, tmp_path) -> None:  # type: ignore[no-untyped-def]
    notices = copies(decision, 6)
    pdf = render_notices_pdf(notices, chunk_size=2)
    fonts = run("pdffonts", pdf, tmp_path).splitlines()[2:]
    # columns: name type encoding emb sub uni object ID
    assert fonts and all(line.split()[-5] == "yes" and line.split()[-4] == "yes" for line in fonts), fonts
    single_fonts = len(run("pdffonts", render_notice_pdf(decision), tmp_path).splitlines()[2:])
    assert len(fonts) == 3 * single_fonts  # three chunks, each its own subset (not one per notice)
    assert len(pdf) / page_count(pdf, tmp_path) < MAX_BYTES_PER_PAGE_CHUNKED_BY_2
    reader = PdfReader(io.BytesIO(pdf))
    font_files = {
        descendant["/FontDescriptor"][key].indirect_reference.idnum: len(descendant["/FontDescriptor"][key]._data)
        for page in reader.pages for font in page["/Resources"]["/Font"].values()
        for descendant in font.get_object().get("/DescendantFonts", [font.get_object()])
        for key in ("/FontFile2", "/FontFile3", "/FontFile") if key in descendant.get_object()["/FontDescriptor"]
    }
    assert font_files and max(font_files.values()) < MAX_FONT_FILE_BYTES, font_files


def test_one_chunk_is_written_by_weasyprint_as_before(decision, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    assert write_notices_pdf(copies(decision, 2), out, chunk_size=2) == page_count(out.getvalue(), tmp_path)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert reader.metadata is not None and "WeasyPrint" in str(reader.metadata.producer)  # not the joiner's output


def test_queryset_is_counted_and_iterated_in_number_order(decision, refused_case, approver, tmp_path) -> None:  # type: ignore[no-untyped-def]
    refusal = issue_notice(case=refused_case, kind=NoticeKind.REFUSAL, actor=approver)
    calls: list[tuple[int, int]] = []
    out = io.BytesIO()
    write_notices_pdf(Notice.objects.for_printing(), out, chunk_size=1,
                      progress=lambda done, total: calls.append((done, total)))
    text = pdf_text(out.getvalue(), tmp_path)
    assert text.index(decision.document_number) < text.index(refusal.document_number)
    assert calls == [(0, 2), (1, 2), (2, 2)]


def test_bad_chunk_size_and_nothing_to_print_are_errors() -> None:
    with pytest.raises(ValueError):
        write_notices_pdf([], io.BytesIO(), chunk_size=0)
    with pytest.raises(ValueError, match="対象の通知書がありません"):
        write_notices_pdf(Notice.objects.none(), io.BytesIO())


def test_joiner_refuses_a_part_after_close() -> None:
    joiner = PdfJoiner(io.BytesIO())
    joiner.close()
    with pytest.raises(ValueError):
        joiner.add(io.BytesIO(b"%PDF-1.7"))


def _peak_bytes(notices: list[Notice]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        write_notices_pdf(notices, io.BytesIO(), chunk_size=2)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_notices(decision) -> None:  # type: ignore[no-untyped-def]
    render_notices_pdf(copies(decision, 2), chunk_size=1)  # warm-up: templates, fonts, caches
    few, many = _peak_bytes(copies(decision, 4)), _peak_bytes(copies(decision, 16))
    # Measured (Python allocations only): in chunks of 2, 9.7 MB for 4 notices and 9.9 MB for 16 (the output is
    # in memory here: a few KB a page); laid out all at once, 10.7 MB and 16.7 MB (+0.5 MB a notice).
    assert many < few * 1.25, (few, many)


def test_the_job_joins_chunks_into_its_file_and_counts_every_notice(decision, refused_case, approver, staff, programme_year, monkeypatch, django_capture_on_commit_callbacks, run_worker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from grants.jobs.models import Job, JobStatus
    from grants.jobs.services import request_job
    from reports import pdf as notice_pdf

    refusal = issue_notice(case=refused_case, kind=NoticeKind.REFUSAL, actor=approver)
    monkeypatch.setattr(notice_pdf, "CHUNK_SIZE", 1)
    with django_capture_on_commit_callbacks(execute=True):
        job = request_job(kind="notices_batch", actor=staff, title="通知書",
                          params={"programme_year": programme_year.pk})
    run_worker()
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 2, 2), job.message
    with job.file.open("rb") as stored:
        pdf = stored.read()
    assert len(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Pages"]["/Kids"]) == 2  # joined: a node per chunk
    text = pdf_text(pdf, tmp_path)
    assert text.index(decision.document_number) < text.index(refusal.document_number)
