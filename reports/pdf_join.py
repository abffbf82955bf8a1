"""Joining PDFs one after another into one file, in memory bounded by the largest part (not by the total).

``PdfJoiner(out)`` writes to ``out`` (a binary file at its start, e.g. a job's temporary file) as parts are
added: ``add(part)`` reads one PDF with pypdf and writes, right away, every object its pages reach (content
streams, fonts and their subsets, images, annotations …), renumbered; ``close()`` writes the page tree, the
catalog, the cross-reference table and the trailer. Only the byte offset of each object written is kept
between parts (8 bytes an object), so joining 30,000 pages takes about the memory of one part.

Why not ``pypdf.PdfWriter``: it holds every page and object it will write until ``write()``, which grows with
the total (the very thing a batch of 30,000 notices must avoid).

The page tree has one ``/Pages`` node per part under the root node (a balanced, two-level tree; a viewer
finds a page without walking 30,000 siblings). Each part's objects are written as they are (already compressed
streams are copied byte for byte; pypdf reads object streams and cross-reference streams); a page's inherited
attributes (``/Resources``, ``/MediaBox`` …) are copied onto the page by pypdf when it reads the part. What a
part has outside its pages — its outline (bookmarks), named destinations, document information — is left out.
Fonts are not shared between parts: each part brings its own subset (a few tens of KB), so the output grows by
that much a part, not a page.

Errors: ``pypdf.errors.PdfReadError`` for a part that is not a PDF; ``ValueError`` on ``add`` after ``close``.
"""
from __future__ import annotations

import io
from array import array
from collections.abc import Callable
from typing import IO

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject, StreamObject

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
CATALOG, ROOT_PAGES = 1, 2

_Renumber = Callable[[IndirectObject], int]  # a part's reference → our object number (assigned on first sight)


class PdfJoiner:
    """Writes the pages of PDFs added one by one (``add``) into ``out`` as one PDF; ``close`` finishes it.

    ``pages`` is the number of pages written so far. Use as a context manager to close on success.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._position = 0  # bytes written so far: ``out`` may not be seekable or may not report tell()
        self._offsets = array("Q", [0, 0, 0])  # by object number; 0 is the free head, 1 the catalog, 2 the root
        self._parts: list[int] = []  # object number of each part's /Pages node
        self._closed = False
        self.pages = 0
        self._write(HEADER)

    def __enter__(self) -> PdfJoiner:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.close()

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)

    def _new_number(self) -> int:
        self._offsets.append(0)
        return len(self._offsets) - 1

    def _write_object(self, number: int, body: bytes) -> None:
        self._offsets[number] = self._position
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def add(self, part: IO[bytes]) -> int:
        """Append every page of the PDF ``part`` (a binary file); returns the number of pages added."""
        if self._closed:
            raise ValueError("PdfJoiner is closed")
        reader = PdfReader(part)
        node = self._new_number()
        numbers: dict[int, int] = {}  # the part's object number → ours
        pending: list[IndirectObject] = []

        def renumber(reference: IndirectObject) -> int:
            number = numbers.get(reference.idnum)
            if number is None:
                number = numbers[reference.idnum] = self._new_number()
                pending.append(reference)
            return number

        page_refs = [page.indirect_reference for page in reader.pages]
        if any(ref is None for ref in page_refs):
            raise ValueError("a page of the part is not an indirect object")
        kids = [renumber(ref) for ref in page_refs if ref is not None]
        page_numbers = {ref.idnum for ref in page_refs if ref is not None}
        while pending:
            reference = pending.pop()
            obj = reference.get_object()
            body = io.BytesIO()
            if obj is None:  # a reference to a missing object: null, as a reader takes it
                body.write(b"null")
            elif reference.idnum in page_numbers and isinstance(obj, DictionaryObject):
                _emit_dictionary(obj, body, renumber, skip=("/Parent",), extra=b"/Parent %d 0 R\n" % node)
            else:
                _emit(obj, body, renumber)
            self._write_object(numbers[reference.idnum], body.getvalue())
        kids_refs = b" ".join(b"%d 0 R" % kid for kid in kids)
        self._write_object(node, b"<< /Type /Pages /Parent %d 0 R /Count %d /Kids [%s] >>"
                           % (ROOT_PAGES, len(kids), kids_refs))
        self._parts.append(node)
        self.pages += len(kids)
        return len(kids)

    def close(self) -> None:
        """Write the root page node, the catalog, the cross-reference table and the trailer (once)."""
        if self._closed:
            return
        self._closed = True
        kids = b" ".join(b"%d 0 R" % part for part in self._parts)
        self._write_object(ROOT_PAGES, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (self.pages, kids))
        self._write_object(CATALOG, b"<< /Type /Catalog /Pages %d 0 R >>" % ROOT_PAGES)
        start = self._position
        size = len(self._offsets)
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for first in range(1, size, 4096):
            self._write(b"".join(b"%010d 00000 n \n" % offset for offset in self._offsets[first:first + 4096]))
        self._write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, CATALOG, start))


def _emit(obj: PdfObject, out: io.BytesIO, renumber: _Renumber) -> None:
    """Serialise ``obj`` with its indirect references renumbered (streams as stored: still encoded)."""
    if isinstance(obj, IndirectObject):
        out.write(b"%d 0 R" % renumber(obj))
    elif isinstance(obj, StreamObject):
        data: bytes = obj._data
        _emit_dictionary(obj, out, renumber, skip=("/Length",), extra=b"/Length %d\n" % len(data))
        out.write(b"\nstream\n")
        out.write(data)
        out.write(b"\nendstream")
    elif isinstance(obj, DictionaryObject):
        _emit_dictionary(obj, out, renumber)
    elif isinstance(obj, ArrayObject):
        out.write(b"[")
        for index, item in enumerate(obj):
            if index:
                out.write(b" ")
            _emit(item, out, renumber)
        out.write(b"]")
    else:
        obj.write_to_stream(out)


def _emit_dictionary(obj: DictionaryObject, out: io.BytesIO, renumber: _Renumber,
                     skip: tuple[str, ...] = (), extra: bytes = b"") -> None:
    out.write(b"<<\n")
    for key, value in obj.items():
        if key in skip:
            continue
        NameObject(key).write_to_stream(out)
        out.write(b" ")
        _emit(value, out, renumber)
        out.write(b"\n")
    out.write(extra)
    out.write(b">>")


__all__ = ["PdfJoiner"]
