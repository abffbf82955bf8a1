"""Time refusing hostile household-count files against reading a normal one, with the shared reader.

Run from the repository root: ``.venv/bin/python bench/bench_imports.py [--rows 20000000] [--repeat R]``.

Builds in memory, by streaming XML into a zip:

- ``normal``: a 770-row .xlsx written by openpyxl (団体コード, 団体名, 世帯数: the city's real size), the baseline;
- ``bare rows``: a sheet of ``--rows`` empty ``<row/>`` elements (20 million by default; the file of the issue
  took 254 s and 1.9 GB inside the request), refused from the zip's sizes before the workbook is opened;
- ``far row``: a heading and one cell 20 million rows down, the sheet's ``<dimension>`` saying A1:B2 (tiny XML,
  so the zip passes): refused when the streamed row count passes ``IMPORT_MAX_ROWS``;
- ``numbered rows``: a million ``<row r="N"/>`` (17 MB of XML in 2.4 MB): refused the same way.

For each it prints the wall time of ``grants.core.sheets.read_rows`` (best of ``R``, milliseconds), its ratio to the
normal file's, and the peak of Python allocations during one more call (``tracemalloc``, MB); then the
process's high-water mark (``ru_maxrss``, Django set up included). Target: every refusal under 2 s and under
50 MB of allocations; ``PASS`` or ``FAIL`` (exit status 1 on FAIL). Needs Django settings (the limits), no
database.
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "True")

import django  # noqa: E402

django.setup()

from openpyxl import Workbook  # noqa: E402

from grants.core.sheets import SheetRejected, read_rows  # noqa: E402

TARGET_SECONDS = 2.0
TARGET_PEAK_MB = 50.0
HEADING = ('<row r="1"><c r="A1" t="inlineStr"><is><t>団体コード</t></is></c>'
           '<c r="B1" t="inlineStr"><is><t>世帯数</t></is></c></row>')
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'),
}


def hand_written(chunks: Iterable[str], dimension: str) -> bytes:
    """An .xlsx whose sheet XML is the concatenation of ``chunks``, streamed into the zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        + f'<dimension ref="{dimension}"/><sheetData>'.encode())
            for chunk in chunks:
                sheet.write(chunk.encode())
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def bare_rows(rows: int) -> bytes:
    block = "<row/>" * 100_000
    return hand_written([HEADING, *([block] * (rows // 100_000)), "<row/>" * (rows % 100_000)],
                        f"A1:B{rows + 1}")


def numbered_rows(rows: int) -> bytes:
    def chunks() -> Iterable[str]:
        yield HEADING
        for start in range(2, rows + 2, 100_000):
            yield "".join(f'<row r="{n}"/>' for n in range(start, min(start + 100_000, rows + 2)))
    return hand_written(chunks(), "A1:B2")


def far_row(row: int) -> bytes:
    return hand_written([HEADING, f'<row r="{row}"><c r="A{row}"><v>1</v></c></row>'], "A1:B2")


def normal(rows: int = 770) -> bytes:
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.append(["団体コード", "団体名", "世帯数"])
    for n in range(rows):
        sheet.append([f"{10 + n // 100}-{n % 100 + 1:03d}", f"大歳第{n + 1}自治会", 30 + (n * 37) % 900])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def outcome(data: bytes) -> str:
    try:
        return f"read {len(read_rows('c.xlsx', data)):,} rows"
    except SheetRejected as exc:
        return "refused: " + exc.errors[0]


def best_of(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def peak_mb(run: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    build = time.perf_counter()
    files = {
        "normal (770 rows)": normal(),
        f"bare rows ({args.rows:,} <row/>)": bare_rows(args.rows),
        f"far row (a cell at row {args.rows:,})": far_row(args.rows),
        "numbered rows (1,000,000 <row r=N/>)": numbered_rows(1_000_000),
    }
    print(f"files built in {time.perf_counter() - build:.1f} s")
    base = 0.0
    passed = True
    print(f"{'file':40} {'size':>12} {'ms':>9} {'ratio':>7} {'peak MB':>8}  outcome")
    for label, data in files.items():
        seconds = best_of(args.repeat, lambda data=data: outcome(data))  # type: ignore[misc]
        peak = peak_mb(lambda data=data: outcome(data))  # type: ignore[misc]
        base = base or seconds
        refused = not label.startswith("normal")
        if refused:
            passed &= seconds < TARGET_SECONDS and peak < TARGET_PEAK_MB
        print(f"{label:40} {len(data):>12,} {seconds * 1000:>9.1f} {seconds / base:>6.2f}× {peak:>8.1f}  "
              f"{outcome(data)[:60]}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process high-water mark (ru_maxrss, file building and Django included): {rss:.0f} MB")
    verdict = "PASS" if passed else "FAIL"
    print(f"target: each refusal < {TARGET_SECONDS:.0f} s and < {TARGET_PEAK_MB:.0f} MB: {verdict}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
