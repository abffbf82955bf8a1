"""Checking an uploaded file before it is kept: an allowed extension, a size limit, and first bytes that match
the extension, so that a renamed executable or HTML page is refused (CONVENTIONS.md: least surprise for the
people who open the file later). Used by every attachment of the system."""
import os

from django.core.files.uploadedfile import UploadedFile

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # 10 MB
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Extension → the magic bytes a file of that type starts with.
MAGIC: dict[str, bytes] = {
    ".pdf": b"%PDF-", ".docx": _ZIP, ".xlsx": _ZIP, ".doc": _OLE, ".xls": _OLE,
    ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG\r\n\x1a\n",
}
CONTENT_TYPES = {
    ".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword", ".xls": "application/vnd.ms-excel",
}
DOCUMENTS = frozenset(MAGIC)  # PDF, Word, Excel, JPEG, PNG
IMAGES_AND_PDF = frozenset({".pdf", ".jpg", ".jpeg", ".png"})
_LABELS = {DOCUMENTS: "PDF・Word・Excel・画像（JPEG/PNG）", IMAGES_AND_PDF: "PDF・JPEG・PNG"}


def size_label(size: int) -> str:
    """「10MB」 for whole mebibytes, else the size in bytes (「16バイト」)."""
    mib = 1024 * 1024
    return f"{size // mib}MB" if size >= mib and size % mib == 0 else f"{size:,}バイト"


class UploadError(ValueError):
    """The file cannot be kept; the message (Japanese) names the field 「ファイル」."""


def check_upload(upload: UploadedFile | None, allowed: frozenset[str] = DOCUMENTS,
                 max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The file's extension (lower case, with the dot) when it may be kept; else ``UploadError``.

    ``allowed``: ``DOCUMENTS`` or ``IMAGES_AND_PDF``. The file is left at position 0."""
    kinds = _LABELS.get(allowed, "・".join(sorted(allowed)))
    if upload is None:
        raise UploadError("ファイル: ファイルを選んでください。")
    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext not in allowed:
        raise UploadError(f"ファイル: {kinds}のいずれかのファイルを選んでください。")
    if not upload.size:
        raise UploadError("ファイル: 空のファイルは登録できません。")
    if upload.size > max_bytes:
        raise UploadError(f"ファイル: {size_label(max_bytes)}以下のファイルを選んでください。")
    upload.seek(0)
    head = upload.read(len(MAGIC[ext]))
    upload.seek(0)
    if head != MAGIC[ext]:
        raise UploadError(f"ファイル: ファイルの中身が拡張子（{kinds}）と一致しません。")
    return ext
