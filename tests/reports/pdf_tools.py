"""Reading a generated PDF back with poppler's tools (no tests here): the text, the page count, and any tool's
output (pdffonts, pdfimages, pdfdetach …), shared by the notice, insurance-document and page tests."""
import re
import subprocess
from pathlib import Path


def run(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    """``tool`` (with ``args``) run on ``pdf``, written to a file in ``tmp_path``; its standard output."""
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                          capture_output=True, text=True, check=True).stdout


def pdf_text(pdf: bytes, tmp_path: Path, *, raw: bool = False) -> str:
    """The PDF's text with every white space (line breaks, 全角 spaces) taken out: pdftotext breaks lines, inside
    table cells too. ``raw``: in the order it was written (a cell's label and value stay together)."""
    return re.sub(r"\s+", "", run("pdftotext", pdf, tmp_path, *(["-raw"] if raw else []), "-enc", "UTF-8"))


def page_count(pdf: bytes, tmp_path: Path) -> int:
    info = run("pdfinfo", pdf, tmp_path)
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))
