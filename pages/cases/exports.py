"""The case list's exports (「Excelで出力」「CSVで出力」): exactly the rows the list shows for the same query — the
user's visible cases (``GrantCase.objects.visible_to``), the same filters (``GrantCaseFilter``) and the same order
(the list's sort) — made in the request by ``reports.case_list``: one sheet of a few thousand rows at most (one case
per organisation and programme-year; 770 rows take well under a second), so no background job. City staff only,
as for the auditor's other exports (403 otherwise). A query the filters cannot read sends the user back to the list,
which shows the error at its field: nothing is exported for input that was not understood."""
from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from grants.cases.models import GrantCase
from pages.cases.filters import GrantCaseFilter
from pages.cases.tables import GrantCaseTable
from pages.http import AuthedRequest
from reports.case_list import write_case_list

# Kept in memory up to this size, then in a temporary file (bytes).
SPOOL_BYTES = 8 * 1024 * 1024


def _export(request: AuthedRequest, kind: str) -> HttpResponseBase:
    if not request.user.is_city_user:  # as ``city_user_required``, which types its views as answering HttpResponse
        raise PermissionDenied("市の職員のみが利用できる画面です。")
    filterset = GrantCaseFilter(request.GET, queryset=GrantCase.objects.visible_to(request.user))
    if not filterset.is_valid():
        return redirect(f"{reverse('case_list')}?{request.GET.urlencode()}")
    table = GrantCaseTable(filterset.qs)
    RequestConfig(request, paginate=False).configure(table)  # the list's order (its ``sort``)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - FileResponse closes it
    filename, content_type = write_case_list(table.data.data, out, kind)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=content_type)


@login_required
@require_GET
def case_list_xlsx(request: AuthedRequest) -> HttpResponseBase:
    return _export(request, "xlsx")


@login_required
@require_GET
def case_list_csv(request: AuthedRequest) -> HttpResponseBase:
    return _export(request, "csv")
