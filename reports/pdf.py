"""Notices (通知書) as PDF, with WeasyPrint (CONVENTIONS.md, Exports and documents: PDF).

- Content comes from autoescaped Django templates ``templates/notices/<kind>.html`` (extending
  ``notices/base.html``, which holds the print CSS: A4, margins, 明朝 font "IPAexMincho"). Applicant text
  (organisation and head names, reasons) is passed as plain strings and never marked safe.
- The font must be installed (Debian ``fonts-ipaexfont``); WeasyPrint embeds the subset it uses. Check with
  ``pdffonts``, not text extraction.
- Batches (``write_notices_pdf``, the ``notices_batch`` job): laid out ``CHUNK_SIZE`` notices at a time and
  joined chunk by chunk into the output file (``reports.pdf_join``), so that memory does not grow with the
  number of notices; each chunk brings its own font subset.
- Resources: WeasyPrint gets ``base_url=None`` and ``NoticeURLFetcher``, which serves only ``data:`` URLs and
  the project's own static files (``/static/…`` resolved through the staticfiles finders) and refuses
  everything else (``file:``, ``http:``, ``https:`` …). A refused resource is left out of the PDF (WeasyPrint
  logs a warning). With ``base_url=None`` WeasyPrint hands only absolute URLs found in a document to the
  fetcher, so a relative ``/static/…`` reference inside a template is dropped; static files are reached by
  giving the fetcher the URL directly, e.g. ``CSS(url=static("x.css"), url_fetcher=NoticeURLFetcher())``.

Settings (read at render time):

- ``NOTICE_DATE_STYLE``: ``"wareki"`` (default) prints 令和8年4月1日; ``"wareki_western"`` prints
  令和8年（2026年）4月1日. Any other value raises ``ImproperlyConfigured``.
- ``CITY_MAYOR_TITLE`` (default 「山口市長」) and ``CITY_MAYOR_NAME`` (default ""; when empty the sender is
  the title alone): the sender line, e.g. 「山口市長　山口 一郎」.
"""
from __future__ import annotations

import datetime as dt
import gc
import io
import mimetypes
import posixpath
import tempfile
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from grants.core.fiscal import wareki
from grants.notices.models import Notice

from .pdf_join import PdfJoiner

PDF_CONTENT_TYPE = "application/pdf"

DATE_STYLES = ("wareki", "wareki_western")

Progress = Callable[[int, int], None]

# Notices laid out in one WeasyPrint document of a batch (about 0.7 MB of memory each while it is laid out; the
# chunk's fonts are subset once, about 40 KB a chunk in the joined file). Measured in bench/bench_batch_print.py.
CHUNK_SIZE = 100


class RefusedURLError(ValueError):
    """A document asked for a resource outside ``data:`` and the project's static files."""


class NoticeURLFetcher(URLFetcher):
    """WeasyPrint URL fetcher for notices: ``data:`` URLs and the project's static files only.

    ``fetch(url)`` returns a ``URLFetcherResponse``; for ``/static/<path>`` (the ``STATIC_URL`` prefix, as
    ``{% static %}`` writes it) the file is located with ``django.contrib.staticfiles.finders.find`` and read
    from disk, never over the network. Everything else — ``file:``, ``http:``, ``https:``, ``ftp:``, a static
    path with ``..`` or one no finder knows — raises ``RefusedURLError``. Redirects are never followed (no
    network access at all).
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)
        relative = _static_relative_path(url)
        if relative is None:
            raise RefusedURLError(f"PDFに読み込めない資源です: {url[:200]}")
        found = finders.find(relative)
        if not found:
            raise RefusedURLError(f"静的ファイルが見つかりません: {relative[:200]}")
        path = Path(found if isinstance(found, str) else found[0])
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def _static_prefix() -> str:
    prefix = settings.STATIC_URL or "/static/"
    return prefix if prefix.startswith("/") else f"/{prefix}"


def _static_relative_path(url: str) -> str | None:
    """``/static/css/site.css`` → ``css/site.css``; None unless ``url`` is a plain path under STATIC_URL
    (no scheme, no host, no ``..`` segment, no backslash, no NUL)."""
    prefix = _static_prefix()
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith(prefix):
        return None
    relative = unquote(parts.path[len(prefix):])
    if not relative or "\\" in relative or "\x00" in relative or relative.startswith("/"):
        return None
    if any(segment in ("", ".", "..") for segment in relative.split("/")):
        return None
    if posixpath.normpath(relative) != relative:
        return None
    return relative


def format_notice_date(day: dt.date | None) -> str:
    """A date as printed on notices, in the style of ``NOTICE_DATE_STYLE`` ("" for None)."""
    if day is None:
        return ""
    style = getattr(settings, "NOTICE_DATE_STYLE", "wareki")
    if style not in DATE_STYLES:
        raise ImproperlyConfigured(f"NOTICE_DATE_STYLE must be one of {DATE_STYLES}, not {style!r}.")
    return wareki(day, with_western=style == "wareki_western")


def sender_line() -> str:
    """「山口市長」 or 「山口市長　<name>」 from ``CITY_MAYOR_TITLE`` and ``CITY_MAYOR_NAME``."""
    title = getattr(settings, "CITY_MAYOR_TITLE", "山口市長")
    name = getattr(settings, "CITY_MAYOR_NAME", "")
    return f"{title}　{name}" if name else title


def _iso_date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def notice_context(notice: Notice) -> dict[str, object]:
    """Template context of one notice, from its stored snapshot (``details``); dates already formatted."""
    d = notice.details
    return {
        "notice": notice,
        "title": f"{d.get('fiscal_year_label', '')}{d.get('programme_name', '')}{notice.get_kind_display()}",
        "document_number": notice.document_number,
        "issued_on": format_notice_date(notice.issued_on),
        "sender": sender_line(),
        "mayor_title": getattr(settings, "CITY_MAYOR_TITLE", "山口市長"),
        "organization": d.get("organization", ""),
        "head_title": d.get("head_title", ""),
        "head_name": d.get("head_name", ""),
        "programme_year_label": d.get("programme_year_label", ""),
        "submitted_on": format_notice_date(_iso_date(d.get("submitted_on"))),
        "decided_on": format_notice_date(_iso_date(d.get("decided_on"))),
        "base_date": format_notice_date(_iso_date(d.get("base_date"))),
        "paid_on": format_notice_date(_iso_date(d.get("paid_on"))),
        "decided_amount": d.get("decided_amount"),
        "confirmed_amount": d.get("confirmed_amount"),
        "paid_amount": d.get("paid_amount"),
        "amount": notice.amount,
        "household_count": d.get("household_count"),
        "lines": d.get("computation_lines", []),
        "account": d.get("account", ""),
        "reason": d.get("reason", ""),
        **_full_lifecycle_context(d),
    }


def _full_lifecycle_context(d: dict) -> dict[str, object]:
    """What notices of full-lifecycle cases add (事業名, 交付の条件, 完了期限, 概算払の予定, 変更, 返還命令, and the
    募集 and 採択額 of a 採択・不採択通知書), from the
    snapshot's keys (``grants.notices.services._details``); dates formatted, absent keys empty."""
    return {
        "project_title": d.get("project_title", ""),
        "conditions": d.get("conditions", ""),
        "completion_deadline": format_notice_date(_iso_date(d.get("completion_deadline"))),
        "applied_amount": d.get("applied_amount"),
        "plan": d.get("plan", ""),
        "advances": [
            {"label": a.get("label", ""), "amount": a.get("amount"),
             "pay_on": format_notice_date(_iso_date(a.get("pay_on")))}
            for a in d.get("advances") or []
        ],
        "justified_amount": d.get("justified_amount"),
        "previous_amount": d.get("previous_amount"),
        "change_reason": d.get("change_reason", ""),
        "principal": d.get("principal"),
        "ordered_on": format_notice_date(_iso_date(d.get("ordered_on"))),
        "due_on": format_notice_date(_iso_date(d.get("due_on"))),
        "surcharge_rate": _rate(d.get("surcharge_rate")),
        "late_rate": _rate(d.get("late_rate")),
        "order_label": d.get("order_label", ""),
        "call_title": d.get("call_title", ""),
        "selected_amount": d.get("selected_amount"),
    }


def _rate(value: object) -> str:
    """A yearly rate as printed: "10.950" → "10.95", "0.000" → "" (no such charge)."""
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    return "" if rate == 0 else f"{rate.normalize():f}"


def render_notice_html(notice: Notice) -> str:
    """The HTML of one notice from ``templates/notices/<kind>.html`` (autoescaped)."""
    return render_to_string(f"notices/{notice.kind}.html", notice_context(notice))


def html_document(html: str, *, font_config: FontConfiguration | None = None) -> Document:
    """Lay out ``html`` with the notice fetcher and no base URL (nothing relative is fetched)."""
    font_config = font_config or FontConfiguration()
    return HTML(string=html, base_url=None, url_fetcher=NoticeURLFetcher()).render(font_config=font_config)


def render_html_pdf(html: str) -> bytes:
    """PDF bytes of an HTML string, rendered with the same fetcher and settings as notices."""
    return html_document(html).write_pdf()


def render_notice_pdf(notice: Notice) -> bytes:
    """PDF bytes of one notice (A4, usually one page)."""
    return render_html_pdf(render_notice_html(notice))


def render_notices_pdf(notices: Iterable[Notice], progress: Progress | None = None,
                       chunk_size: int | None = None) -> bytes:
    """One PDF of many notices, in the order given, as bytes (``write_notices_pdf`` into memory: for a few
    notices; a batch job writes to its file instead). Raises ``ValueError`` when there is no notice."""
    out = io.BytesIO()
    write_notices_pdf(notices, out, progress=progress, chunk_size=chunk_size)
    return out.getvalue()


def write_notices_pdf(notices: Iterable[Notice], out: IO[bytes], *, progress: Progress | None = None,
                      chunk_size: int | None = None) -> int:
    """Write one PDF of many notices, in the order given, to ``out`` (a binary file at its start); returns
    its page count. Each notice is laid out on its own and starts on a new page.

    Memory is bounded by ``chunk_size`` notices, not by their number: notices are laid out ``chunk_size`` at
    a time into one WeasyPrint document (its fonts subset to what those notices use), written to a temporary
    file and released; the chunks are joined into ``out`` as they come (``reports.pdf_join.PdfJoiner``). A
    ``QuerySet`` is counted first and read with ``.iterator()``, never as a list; any other iterable is
    listed. One chunk is written by WeasyPrint directly.

    ``progress(done, total)`` is called before the first notice and after each one (``done`` in notices).
    ``chunk_size`` defaults to ``CHUNK_SIZE`` (read at call time). Raises ``ValueError`` when there is no notice
    or ``chunk_size`` is below 1.
    """
    if chunk_size is None:
        chunk_size = CHUNK_SIZE
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    if isinstance(notices, QuerySet):
        total = notices.count()
        items: Iterable[Notice] = notices.iterator(chunk_size=max(chunk_size, 100))
    else:
        items = list(notices)
        total = len(items)
    if not total:
        raise ValueError("対象の通知書がありません。")
    if progress:
        progress(0, total)
    done = 0
    # One for the batch: a FontConfiguration loads fontconfig's configuration and a Pango font map, which are
    # not all given back when it goes (about 130 KB of resident memory a chunk when each chunk had its own).
    # Each chunk's PDF still subsets the fonts to the glyphs its own pages use.
    font_config = FontConfiguration()
    joiner: PdfJoiner | None = None
    chunk: list[Notice] = []
    for notice in items:
        chunk.append(notice)
        if len(chunk) < chunk_size:
            continue
        if joiner is None and done + len(chunk) >= total:
            break  # the only chunk: written directly below
        joiner = joiner or PdfJoiner(out)
        done = _join_chunk(chunk, joiner, done, total, progress, font_config)
        chunk = []
    if joiner is None:
        if not chunk:  # counted, then gone: notices are never deleted, so only a wrong query gets here
            raise ValueError("対象の通知書がありません。")
        document = _chunk_document(chunk, done, total, progress, font_config)
        pages = len(document.pages)
        document.write_pdf(target=out)
        return pages
    if chunk:
        _join_chunk(chunk, joiner, done, total, progress, font_config)
    joiner.close()
    return joiner.pages


def _chunk_document(chunk: list[Notice], done: int, total: int, progress: Progress | None,
                    font_config: FontConfiguration) -> Document:
    """One WeasyPrint document of the notices of ``chunk`` (``done`` before them), calling ``progress``."""
    documents: list[Document] = []
    for notice in chunk:
        documents.append(html_document(render_notice_html(notice), font_config=font_config))
        done += 1
        if progress:
            progress(done, total)
    return documents[0].copy([page for document in documents for page in document.pages])


def _join_chunk(chunk: list[Notice], joiner: PdfJoiner, done: int, total: int, progress: Progress | None,
                font_config: FontConfiguration) -> int:
    """Lay out ``chunk``, write it to a temporary file, append it to ``joiner`` and release it; returns the
    notices done."""
    document = _chunk_document(chunk, done, total, progress, font_config)
    with tempfile.TemporaryFile() as part:
        document.write_pdf(target=part)
        del document
        part.seek(0)
        joiner.add(part)
    gc.collect()  # a document's boxes hold reference cycles: free them now, not when the collector gets to it
    return done + len(chunk)
