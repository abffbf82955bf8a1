"""What the case page's 事業計画書 section shows of an application's 添付書類 (見積書, チラシ案 …): the list, and
while the draft may be edited (activity ``edit_application`` of the case's workflow) the upload form and a delete
button for each; a title refused by ``pages.competitive.applications.attachment_add`` is shown again as typed,
with the reason at its field."""
from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from grants.cases.models import GrantCase
from grants.cases.workflows import workflow_of
from grants.competitive.applications import attachments_of
from grants.core import workflow
from pages.competitive.applications import ATTACHMENT_TYPED_KEY, AttachmentForm

register = template.Library()


@register.simple_tag(takes_context=True)
def application_attachments(context: template.Context, case: GrantCase) -> dict[str, Any]:
    """The list of ``case``'s attachments (which the page's user already may see) and, when they may add or
    remove them now, the form (with any title refused and why)."""
    editable = workflow.may(workflow_of(case).machine, case, context["user"], "edit_application")
    typed: dict[str, str] = {}
    request: HttpRequest | None = context.get("request")
    if request is not None:
        typed = request.session.pop(ATTACHMENT_TYPED_KEY.format(pk=case.pk), None) or {}
    form = None
    if editable:
        form = AttachmentForm(initial={"title": typed.get("title", "")})
        field = typed.get("field", "")
        if field in form.fields:
            attrs = form.fields[field].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"attachment-{field}-error {attrs.get('aria-describedby', '')}".strip()
    return {"items": list(attachments_of(case).select_related("uploaded_by")), "editable": editable,
            "form": form, "error": typed.get("error", "") if editable else "",
            "error_field": typed.get("field", "")}
