"""Copies of receipts (領収書の写し) attached to a 実績報告 (GRANTS.md §3 step 6).

The council's secretary or city staff attach them while the report is being written (the case decided, the
report saved and not yet submitted), exactly when report lines may be added. Only PDF, JPEG and PNG files of at
most 10 MB are kept; the file's first bytes must match its extension, so a renamed executable or HTML page is
refused. Files live under MEDIA_ROOT and are served only through a view that checks the case's visibility.

Errors: ``CaseActionError`` with a Japanese message naming the field; ``GrantCase.DoesNotExist`` for a case the
user may not see. Nothing is written when one is raised.
"""
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.models import record_event
from grants.core.uploads import IMAGES_AND_PDF, MAX_UPLOAD_BYTES, UploadError, check_upload

from .models import PerformanceReport, Receipt
from .workflows import CaseActionError, workflow_for_case

MAX_RECEIPT_BYTES = MAX_UPLOAD_BYTES  # 10 MB


def _check_upload(upload: UploadedFile | None) -> str:
    """The file's extension (lower case) when it is a PDF, JPEG or PNG of at most 10 MB whose first bytes match
    its extension; else CaseActionError."""
    try:
        return check_upload(upload, IMAGES_AND_PDF, MAX_RECEIPT_BYTES)
    except UploadError as error:
        raise CaseActionError(str(error)) from error


def add_receipt(
    *, case_id: int, actor: User, title: str, upload: UploadedFile | None, line_id: int | None = None
) -> Receipt:
    """Attach a copy of a receipt to the case's 実績報告, optionally for one of its lines (``line_id``).

    Allowed, like adding a report line, to the council's secretary (their own cases) and city staff, while the
    case is 交付決定済 and the report has been saved but not submitted. Records an audit event on the case."""
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise CaseActionError("内容: 200文字以内で入力してください。")
    ext = _check_upload(upload)
    flow = workflow_for_case(case_id)
    with transaction.atomic():
        case = workflow.access(flow.machine, actor, case_id, lock=True)
        if not flow.budget_lines:
            raise CaseActionError("この事業の案件には実績報告の添付書類はありません。")
        if actor.role not in (Role.ASSOCIATION_HEAD, Role.STAFF):
            raise CaseActionError("領収書の写しを登録する権限がありません。")
        report = PerformanceReport.objects.filter(case=case).first()
        if report is None or not workflow.may(flow.machine, case, actor, "enter_receipts"):
            raise CaseActionError("領収書の写しは、実績報告の概要を保存した後、提出前のあいだだけ登録できます。")
        line = None
        if line_id is not None:
            line = report.lines.filter(pk=line_id).first()
            if line is None:
                raise CaseActionError("明細: この実績報告の明細を選んでください。")
        receipt = Receipt(report=report, line=line, title=title, uploaded_by=actor)
        receipt.file.save(f"receipt{ext}", upload, save=False)
        receipt.save()
        record_event(actor=actor, subject=case, action="add_receipt",
                     note=f"{title}{f'（{line.description}）' if line else ''}")
    return receipt
