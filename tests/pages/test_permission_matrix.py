"""The permission matrix, generated from the URL configuration: every view of ``config.urls`` (recursively through
its includes) × GET and POST × every role — each city role, a head of ANOTHER 自治会 / 協議会 / 市民活動団体 than
the object's, the 会計 and a 担当者 of the first 自治会 (members of the object's organisation: ``MEMBER_CELLS``), a
審査委員 assigned to no call, a logged-in user with no role, a non-superuser administrator
(is_staff, one view permission) and an anonymous visitor — on one world of objects (tests/pages/permission_world).

The expected outcome of each cell is data (``POLICY`` below, by view group; the admin's by one rule): ``OK`` — the
role may use the page: 2xx, 3xx, or 400 (the form's own answer to the empty POST), never a 500; ``NO`` — refused
at the door: 403, 404, 405 or a login page (an anonymous visitor only ever gets a login page, 405, or 401 from an
API); ``SAFE`` — the page lets the role in but the service refuses the act for its role (any answer but a 500);
``LOGIN`` — a logout, whose success is the login page; ``ANY`` — anything but a 500. A ``NO`` or ``SAFE`` cell
writes NOTHING: no INSERT, UPDATE or DELETE of any row of any table but the session's (``recording_writes``).
Every cell runs in a savepoint that is rolled back, so one world serves them all.

A URL added later without a line in ``POLICY`` (the admin: outside the rule) or in ``URL_ARGS`` fails
``test_every_view_has_a_policy`` / ``test_every_view_has_its_url_arguments`` with its name."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.signals import request_finished
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from grants.accounts.models import Role, User
from tests.factories import CURRENT_FY
from tests.pages import permission_world as world
from tests.pages.permission_world import (
    ADMIN,
    ANONYMOUS,
    CLERK,
    EVALUATOR,
    HEAD_DANTAI,
    HEAD_JICHIKAI,
    HEAD_KYOGIKAI,
    INVITATION_TOKEN,
    NO_ROLE,
    PANEL,
    ROLES,
    TREASURER,
)

STAFF, APPROVER, FINANCE, AUDITOR, INSURANCE = (Role.STAFF.value, Role.APPROVER.value, Role.FINANCE.value,
                                                 Role.AUDITOR.value, Role.INSURANCE.value)


# --- the URL configuration, walked --------------------------------------------------------------------------------
@dataclass(frozen=True)
class View:
    key: str  # the URL name ("admin:<name>" in the admin), or the route when the pattern has no name
    route: str
    params: tuple[str, ...]


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[View]:
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, route, inner)
        else:
            assert isinstance(pattern, URLPattern)
            key = f"{namespace}{pattern.name}" if pattern.name else route
            yield View(key, route, tuple(pattern.pattern.regex.groupindex))


VIEWS = list(_walk(get_resolver()))
PAGES = [view for view in VIEWS if not view.route.startswith("admin/")]
ADMIN_VIEWS = [view for view in VIEWS if view.route.startswith("admin/")]


# --- the URL arguments: each parameter of each page → an object of the world (or "=literal") --------------------
URL_ARGS: dict[str, dict[str, str]] = {
    "case_detail": {"pk": "case"},
    "case_action": {"pk": "verified_case", "action": "=decide"},
    "correct_count": {"pk": "case"},
    "correct_figure": {"pk": "case", "code": "=population"},
    "override_check": {"pk": "case"},
    "programme_year": {"pk": "year"},
    "annual_run_start": {"pk": "year"},
    "annual_run": {"pk": "run"},
    "annual_run_step": {"pk": "run"},
    "organization_detail": {"pk": "association"},
    "organization_members": {"pk": "association"},
    "organization_handover": {"pk": "association"},
    "organization_member_end": {"pk": "association", "term_pk": "member_term"},
    "organization_invitation_revoke": {"pk": "association", "invitation_pk": "invitation"},
    "invitation_accept": {"token": f"={INVITATION_TOKEN}"},
    "api-v1:case": {"case_id": "case"},
    "api_not_found": {"rest": "=v1/nothing"},
    "api-v1:catalogue_entry": {"kind": "=city", "pk": "guide"},
    "api-v1:opendata_awards": {"fiscal_year": f"={CURRENT_FY}"},
    "api-v1:opendata_evaluations": {"fiscal_year": f"={CURRENT_FY}"},
    "opendata_awards_csv": {"fiscal_year": f"={CURRENT_FY}"},  # the world's decided council case: published
    "opendata_awards_sjis_csv": {"fiscal_year": f"={CURRENT_FY}"},
    "opendata_awards_json": {"fiscal_year": f"={CURRENT_FY}"},
    "opendata_evaluations_csv": {"fiscal_year": f"={CURRENT_FY}"},  # the same case's published evaluation
    "opendata_evaluations_sjis_csv": {"fiscal_year": f"={CURRENT_FY}"},
    "opendata_evaluations_json": {"fiscal_year": f"={CURRENT_FY}"},
    "case_application": {"pk": "full"},
    "case_line_add": {"pk": "full", "where": "=budget"},
    "case_line_delete": {"pk": "full", "where": "=budget", "line_pk": "line"},
    "case_staff_lines": {"pk": "full"},
    "case_review": {"pk": "full"},
    "case_override_approve": {"pk": "full", "override_pk": "override"},
    "case_override_reject": {"pk": "full", "override_pk": "override"},
    "case_order_action": {"pk": "full", "order_pk": "order", "act": "=prepare"},
    "case_change_start": {"pk": "full"},
    "case_change_submit": {"pk": "full"},
    "case_change_check": {"pk": "full"},
    "case_change_withdraw": {"pk": "full"},
    "case_report": {"pk": "full"},
    "case_targets": {"pk": "full"},
    "case_results": {"pk": "full"},
    "case_receipt_add": {"pk": "full"},
    "case_receipt": {"pk": "full", "receipt_pk": "receipt"},
    "case_refund_receipt": {"pk": "full"},
    "case_cancel": {"pk": "full"},
    "plan_detail": {"pk": "plan"},
    "plan_add_item": {"pk": "plan"},
    "plan_delete_item": {"pk": "plan", "item_pk": "plan_item"},
    "plan_add_attachment": {"pk": "plan"},
    "plan_attachment": {"pk": "plan", "attachment_pk": "plan_attachment"},
    "plan_submit": {"pk": "plan"},
    "plan_return": {"pk": "plan"},
    "plan_approve": {"pk": "plan"},
    "plan_revise": {"pk": "plan"},
    "council_staff": {"pk": "council"},
    "council_staff_end": {"pk": "council", "staff_pk": "secretariat"},
    "job_detail": {"pk": "job"},
    "case_bulk_result": {"pk": "bulk_job"},
    "job_download": {"pk": "job"},
    "payment_batch": {"pk": "batch"},
    "approve_batch": {"pk": "batch"},
    "discard_batch": {"pk": "batch"},
    "record_result": {"pk": "batch", "item_pk": "item"},
    "record_result_by_code": {"pk": "sent_batch"},
    "batch_file": {"pk": "sent_batch"},
    "notice_pdf": {"pk": "notice"},
    "notices_print": {"pk": "year"},
    "dashboard_council_history": {"pk": "council"},
    "request_programme_year_export": {"pk": "year"},
    "request_fiscal_year_export": {"fiscal_year": f"={CURRENT_FY}"},
    "insurance_report_detail": {"pk": "report"},
    "insurance_report_edit": {"pk": "report"},
    "insurance_report_add_person": {"pk": "report"},
    "insurance_report_remove_person": {"pk": "report", "person_pk": "report_person"},
    "insurance_report_add_attachment": {"pk": "report"},
    "insurance_report_attachment": {"pk": "report", "attachment_pk": "report_attachment"},
    "insurance_report_remove_attachment": {"pk": "report", "attachment_pk": "report_attachment"},
    "insurance_report_submit": {"pk": "report"},
    "insurance_report_withdraw": {"pk": "report"},
    "insurance_report_return": {"pk": "report"},
    "insurance_report_judge": {"pk": "report"},
    "insurance_report_send_forms": {"pk": "covered_report"},
    "insurance_claim_detail": {"pk": "claim"},
    "insurance_claim_treatment": {"pk": "claim"},
    "insurance_claim_damages": {"pk": "claim"},
    "insurance_claim_add_document": {"pk": "claim"},
    "insurance_claim_document": {"pk": "claim", "document_pk": "claim_document"},
    "insurance_claim_remove_document": {"pk": "claim", "document_pk": "claim_document"},
    "insurance_claim_documents_pdf": {"pk": "claim"},
    "insurance_claim_documents_xlsx": {"pk": "claim"},
    "insurance_claim_documents_zip": {"pk": "claim"},
    "insurance_claim_form": {"pk": "claim"},
    "insurance_claim_file": {"pk": "claim"},
    "insurance_claim_forward": {"pk": "claim"},
    "insurance_claim_payment": {"pk": "claim"},
    "insurance_claim_denial": {"pk": "claim"},
    "insurance_claim_withdraw": {"pk": "claim"},
    "call_detail": {"pk": "call"},
    "call_edit": {"pk": "call"},
    "call_act": {"pk": "call", "edge": "=unpublish_call"},
    "call_rule": {"pk": "call"},
    "call_expenses": {"pk": "call"},
    "call_panel": {"pk": "call"},
    "public_call_detail": {"pk": "call"},
    "catalogue_city": {"pk": "guide"},
    "catalogue_other": {"pk": "funder_programme"},
    "group_detail": {"pk": "registration"},
    "group_edit": {"pk": "registration"},
    "group_file": {"pk": "registration", "kind": "=bylaws"},
    "group_act": {"pk": "registration", "edge": "=return_group"},
    "competitive_plan_save": {"pk": "draft_application"},
    "competitive_amount_preview": {"pk": "draft_application"},
    "competitive_attachment_add": {"pk": "draft_application"},
    "competitive_attachment": {"pk": "draft_application", "attachment_pk": "application_file"},
    "competitive_attachment_remove": {"pk": "draft_application", "attachment_pk": "application_file"},
    "panel_application": {"case_id": "application"},
    "panel_declare": {"case_id": "application"},
    "panel_scores": {"case_id": "application"},
    "panel_file": {"case_id": "application", "kind": "=bylaws"},
    "panel_ranking": {"call_id": "call"},
    "panel_selection": {"call_id": "call"},
    "panel_selection_act": {"call_id": "call", "edge": "=propose_selection"},
    "tax_report_detail": {"pk": "tax"},
    "tax_report_submit": {"pk": "tax"},
    "tax_report_act": {"pk": "tax", "edge": "=confirm_tax_report"},
    "tax_report_evidence": {"pk": "tax"},
    "notification_open": {"pk": "notification"},
    "evaluation_assignment": {"pk": "assignment"},
    "evaluation_declare": {"pk": "assignment"},
    "evaluation_scores": {"pk": "assignment"},
    "case_evaluation": {"pk": "closed_case"},
    "case_evaluation_assign": {"pk": "closed_case"},
    "case_evaluation_withdraw": {"pk": "closed_case", "assignment_pk": "assignment"},
    "case_evaluation_publication": {"pk": "closed_case"},
}


def _value(cast: world.Cast, ref: str) -> str:
    return ref[1:] if ref.startswith("=") else str(cast.objects[ref].pk)


def _admin_model(view: View) -> Any:
    """The model of an admin URL ``admin/<app>/<model>/…``, or None."""
    parts = view.route.split("/")
    if len(parts) > 3 and parts[1] and parts[2] and not parts[1].startswith(("^", "(", "r")):
        try:
            return apps.get_model(parts[1], parts[2])
        except LookupError:
            return None
    return None


def url_of(view: View, cast: world.Cast) -> str:
    """The URL of ``view`` on the world's objects."""
    if view in PAGES:
        args = {param: _value(cast, ref) for param, ref in URL_ARGS.get(view.key, {}).items()}
        return reverse(view.key, kwargs=args)
    model = _admin_model(view)
    if view.key == "admin:app_list":
        return reverse(view.key, kwargs={"app_label": "organizations"})
    if view.key == "admin:view_on_site":
        org = cast.objects["association"]
        return reverse(view.key, kwargs={"content_type_id": ContentType.objects.get_for_model(org).pk,
                                         "object_id": org.pk})
    if view.route.endswith("(?P<url>.*)$"):
        return "/admin/nowhere/"
    if view.params:  # object_id (or the user's id): the first row of the model, 0 when it has none
        obj = model._default_manager.order_by("pk").first() if model is not None else None
        object_id = str(obj.pk if obj is not None else 0)
        if view.key.startswith("admin:"):
            return reverse(view.key, kwargs=dict.fromkeys(view.params, object_id))
        return "/" + view.route.replace("<path:object_id>", object_id)
    return reverse(view.key)


# --- one cell: a request in a savepoint that is rolled back, its writes recorded --------------------------------
WRITES = ("insert", "update", "delete", "replace")
SESSION_TABLE = "django_session"


@contextmanager
def recording_writes() -> Iterator[list[str]]:
    """Every statement that changed at least one row (INSERT, UPDATE, DELETE), except the session's: what a
    refusal must not do. Yields the list, filled as the block runs."""
    written: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        result = execute(sql, params, many, context)
        statement = sql.lstrip().lower()
        if statement.startswith(WRITES) and SESSION_TABLE not in statement.split("(")[0]:
            # an INSERT always counts: SQLite's rowcount of an INSERT … RETURNING reads 0 until its rows are fetched
            if statement.startswith("insert") or context["cursor"].rowcount != 0:
                written.append(sql[:120])
        return result

    with connection.execute_wrapper(record):
        yield written


@dataclass
class Outcome:
    status: str  # "ok" (2xx, 3xx elsewhere than a login page), "login", "403", "404", "405", "500", …
    written: list[str]
    detail: str = ""
    body: str = ""  # the page's text (not a file's)


LOGIN_PATHS = ("/login/", "/admin/login/")


def request(client: Client, method: str, url: str, data: dict[str, str] | None = None) -> Outcome:
    cookies = SimpleCookie(client.cookies)
    try:
        with transaction.atomic(), recording_writes() as written:
            response = getattr(client, method)(url, data or {})
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies  # a logout or a message leaves the next request as it was
    if getattr(response, "streaming", False):  # close the file without ending the "request" (and the connection)
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
    code = response.status_code
    if response.exc_info is not None or code >= 500:
        exc = response.exc_info[1] if response.exc_info else None
        return Outcome("500", written, f"{type(exc).__name__}: {exc}" if exc else "")
    if code in (301, 302, 303) and response["Location"].split("?")[0].endswith(LOGIN_PATHS):
        return Outcome("login", written)
    body = "" if getattr(response, "streaming", False) else response.content.decode(errors="replace")
    if 200 <= code < 400:
        return Outcome("ok", written, body=body)
    return Outcome(str(code), written, body=body)


def clients(cast: world.Cast) -> dict[str, Client]:
    out = {}
    for role, user in cast.users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        out[role] = client
    return out


def run(views: list[View], cast: world.Cast) -> dict[tuple[str, str, str], Outcome]:
    """Every (view, method, role) cell of ``views``."""
    by_role = clients(cast)
    results: dict[tuple[str, str, str], Outcome] = {}
    quiet = logging.getLogger("django.request")  # 403 and 404 by the thousand, each with its traceback
    level, quiet.level = quiet.level, logging.CRITICAL
    try:
        _run(views, cast, by_role, results)
    finally:
        quiet.level = level
    return results


def _run(views: list[View], cast: world.Cast, by_role: dict[str, Client],
         results: dict[tuple[str, str, str], Outcome]) -> None:
    for view in views:
        if policy_of(view) is None or set(view.params) - set(URL_ARGS.get(view.key, view.params)):
            continue  # named by the meta-tests above
        url = url_of(view, cast)
        data = {name: _value(cast, ref) for name, ref in POST_DATA.get(view.key, {}).items()}
        for method in ("get", "post"):
            for role, client in by_role.items():
                results[(view.key, method, role)] = request(client, method, url, data if method == "post" else None)


# --- the policy: who may use each page, as data --------------------------------------------------------------------
OK, NO, SAFE, LOGIN, ANY = "ok", "no", "safe", "login", "any"
Policy = dict[str, str]

CITY = (STAFF, APPROVER, FINANCE, AUDITOR)
HEADS = (HEAD_JICHIKAI, HEAD_KYOGIKAI, HEAD_DANTAI)
LOGGED_IN = tuple(role for role in ROLES if role != ANONYMOUS)


def allow(*roles: str, safe: tuple[str, ...] = ()) -> Policy:
    """``roles`` may use the page (OK); ``safe`` get in but the service refuses them (SAFE); the rest: NO."""
    return {role: OK if role in roles else SAFE if role in safe else NO for role in ROLES}


def but(*roles: str) -> tuple[str, ...]:
    """The city roles other than ``roles``: those a city page lets in whose act the service refuses."""
    return tuple(role for role in CITY if role not in roles)


NOBODY = allow()


def both(policy: Policy) -> tuple[Policy, Policy]:
    """A page that answers GET and POST alike."""
    return policy, policy


def post(policy: Policy) -> tuple[Policy, Policy]:
    """A POST-only act: GET answers 405 to everyone."""
    return NOBODY, policy


def get(policy: Policy) -> tuple[Policy, Policy]:
    """A GET-only page: POST answers 405 to everyone."""
    return policy, NOBODY


CITY_PAGE = allow(*CITY)
MEMBERS = (TREASURER, CLERK)  # the 会計 and the 担当者 of the world's first 自治会 (``association``)
INSURANCE_ONLY = allow(INSURANCE)  # an injured person's data: the 保険担当 only (the objects' own head aside)
STAFF_ONLY = allow(STAFF)
PANEL_ONLY = allow(PANEL)  # the panel member's own pages; an unassigned member sees no application (404)

# The objects of the world belong to organisations whose heads are none of the matrix's users: every head below
# is a head of ANOTHER organisation, refused (404) on each object page.
POLICY: dict[str, tuple[Policy, Policy]] = {
    # -- logging in, the start page and the lists (each filtered to what the user may see) --
    "login": both(allow(*ROLES)),
    "logout": (NOBODY, {role: LOGIN for role in ROLES}),  # its success is the login page
    "two_factor": both(allow(*LOGGED_IN)),  # one's own second factor
    "home": both(allow(*LOGGED_IN)),
    "case_list": both(allow(*LOGGED_IN)),
    "case_list_xlsx": both(CITY_PAGE),  # the list as filtered, exported (POST: a large one as a job): city staff
    "case_list_csv": both(CITY_PAGE),
    "plan_list": both(allow(*LOGGED_IN)),
    "job_list": both(allow(*LOGGED_IN)),
    # -- a case of the formula programmes (自治会等自治振興交付金) --
    "case_detail": both(CITY_PAGE),
    "case_action": post(allow(APPROVER, safe=but(APPROVER))),  # 交付決定: the 決裁者 only
    # 一括の手続: city staff (the edges each role may take are the service's; an empty form goes back to the list)
    "case_bulk": post(CITY_PAGE),
    "case_bulk_result": get(CITY_PAGE),  # the result of a bulk job
    "correct_count": post(allow(STAFF, safe=but(STAFF))),
    "correct_figure": post(allow(STAFF, safe=but(STAFF))),
    "override_check": post(allow(STAFF, safe=but(STAFF))),
    "programme_year": both(CITY_PAGE),
    "annual_run_start": (CITY_PAGE, allow(STAFF, safe=but(STAFF))),
    "annual_run": both(CITY_PAGE),
    "annual_run_step": post(allow(STAFF, safe=but(STAFF))),
    "organization_detail": both(CITY_PAGE),
    # -- a case of the full lifecycle (地域づくり活動支援) --
    "case_application": post(allow(STAFF, safe=but(STAFF))),
    "case_line_add": post(allow(STAFF, safe=but(STAFF))),
    "case_line_delete": post(allow(STAFF, safe=but(STAFF))),
    "case_staff_lines": post(allow(STAFF, safe=but(STAFF))),
    "case_review": post(allow(STAFF, safe=but(STAFF))),
    "case_override_approve": post(allow(STAFF, APPROVER, safe=but(STAFF, APPROVER))),  # a second person
    "case_override_reject": post(allow(STAFF, APPROVER, safe=but(STAFF, APPROVER))),
    "case_order_action": post(allow(STAFF, FINANCE, safe=but(STAFF, FINANCE))),  # 支出命令の起票
    "case_change_start": post(allow(STAFF, safe=but(STAFF))),
    "case_change_submit": post(allow(STAFF, safe=but(STAFF))),
    "case_change_check": post(allow(STAFF, safe=but(STAFF))),
    "case_change_withdraw": post(allow(STAFF, safe=but(STAFF))),
    "case_report": post(allow(STAFF, safe=but(STAFF))),
    "case_targets": post(allow(STAFF, safe=but(STAFF))),  # 目標と指標 (評価), on the case page
    "case_results": post(allow(STAFF, safe=but(STAFF))),  # 実績と自己評価
    "case_receipt_add": post(allow(STAFF, safe=but(STAFF))),
    "case_receipt": get(CITY_PAGE),
    "case_refund_receipt": post(allow(FINANCE, safe=but(FINANCE))),
    "case_cancel": post(allow(APPROVER, safe=but(APPROVER))),
    # -- the 地域づくり計画 and a council's 事務局員 --
    "plan_create": both(allow(STAFF, HEAD_KYOGIKAI)),  # a council's head writes its own plan
    "plan_detail": both(CITY_PAGE),
    "plan_add_item": post(allow(STAFF, safe=but(STAFF))),
    "plan_delete_item": post(allow(STAFF, safe=but(STAFF))),
    "plan_add_attachment": post(allow(STAFF, safe=but(STAFF))),
    "plan_attachment": both(CITY_PAGE),
    "plan_submit": post(allow(STAFF, safe=but(STAFF))),
    "plan_return": post(allow(STAFF, safe=but(STAFF))),
    "plan_approve": post(allow(STAFF, safe=but(STAFF))),
    "plan_revise": post(allow(STAFF, safe=but(STAFF))),
    "council_staff": (CITY_PAGE, allow(STAFF, safe=but(STAFF))),
    "council_staff_end": post(allow(STAFF, safe=but(STAFF))),
    "overdue_reports": both(CITY_PAGE),
    # -- jobs: a job is seen by the city (and by whoever asked for it) --
    "job_detail": both(CITY_PAGE),
    "job_download": both(CITY_PAGE),
    # -- payments: 会計課, and the 監査 reading --
    "payment_queue": both(allow(FINANCE, AUDITOR)),
    "payment_batch": both(allow(FINANCE, AUDITOR)),
    "approve_batch": post(allow(FINANCE, safe=(AUDITOR,))),
    "discard_batch": post(allow(FINANCE, safe=(AUDITOR,))),
    "record_result": post(allow(FINANCE, safe=(AUDITOR,))),
    "record_result_by_code": post(allow(FINANCE, safe=(AUDITOR,))),
    "batch_file": both(allow(FINANCE, AUDITOR)),
    "ledger": get(CITY_PAGE),  # 台帳: city staff read it (会計課, 監査委員事務局 above all); a GET-only list
    # -- notices, the dashboard, the exports --
    "notice_pdf": get(CITY_PAGE),
    "notices_print": post(CITY_PAGE),
    "dashboard": both(CITY_PAGE),
    "dashboard_council_history": both(CITY_PAGE),
    "request_programme_year_export": post(CITY_PAGE),
    "request_fiscal_year_export": post(CITY_PAGE),
    # -- the コミュニティ活動保険: the 保険担当, and each group's own head (here: heads of other groups) --
    "insurance_report_list": get(allow(INSURANCE, *HEADS)),
    "insurance_report_create": both(allow(INSURANCE, *HEADS)),
    "insurance_report_detail": both(INSURANCE_ONLY),
    "insurance_report_edit": both(INSURANCE_ONLY),
    "insurance_report_add_person": post(INSURANCE_ONLY),
    "insurance_report_remove_person": post(INSURANCE_ONLY),
    "insurance_report_add_attachment": post(INSURANCE_ONLY),
    "insurance_report_attachment": both(INSURANCE_ONLY),
    "insurance_report_remove_attachment": post(INSURANCE_ONLY),
    "insurance_report_submit": post(INSURANCE_ONLY),
    "insurance_report_withdraw": post(INSURANCE_ONLY),
    "insurance_report_return": post(INSURANCE_ONLY),
    "insurance_report_judge": post(INSURANCE_ONLY),
    "insurance_report_send_forms": post(INSURANCE_ONLY),
    "insurance_claim_list": get(allow(INSURANCE, *HEADS)),
    "insurance_claim_detail": both(INSURANCE_ONLY),
    "insurance_claim_treatment": post(INSURANCE_ONLY),
    "insurance_claim_damages": post(INSURANCE_ONLY),
    "insurance_claim_add_document": post(INSURANCE_ONLY),
    "insurance_claim_document": both(INSURANCE_ONLY),
    "insurance_claim_remove_document": post(INSURANCE_ONLY),
    "insurance_claim_documents_pdf": both(INSURANCE_ONLY),
    "insurance_claim_documents_xlsx": both(INSURANCE_ONLY),
    "insurance_claim_documents_zip": get(INSURANCE_ONLY),
    "insurance_claim_form": get(INSURANCE_ONLY),
    "insurance_claim_file": post(INSURANCE_ONLY),
    "insurance_claim_forward": post(INSURANCE_ONLY),
    "insurance_claim_payment": post(INSURANCE_ONLY),
    "insurance_claim_denial": post(INSURANCE_ONLY),
    "insurance_claim_withdraw": post(INSURANCE_ONLY),
    "insurance_reminders": get(INSURANCE_ONLY),
    "insurance_reminder_send": post(INSURANCE_ONLY),
    "insurance_access_log": get(allow(INSURANCE, AUDITOR)),  # who read whose data: the 監査 reads it too
    "insurance_statistics": get(allow(INSURANCE, STAFF, APPROVER, AUDITOR)),  # counts only, no one named
    # -- the 市民活動交流事業補助金: calls (staff), the public call pages (anyone), groups, applications --
    "call_list": both(STAFF_ONLY),
    "call_create": both(STAFF_ONLY),
    "call_detail": both(STAFF_ONLY),
    "call_edit": both(STAFF_ONLY),
    "call_act": post(STAFF_ONLY),
    "call_rule": both(STAFF_ONLY),
    "call_expenses": post(STAFF_ONLY),
    "call_panel": both(STAFF_ONLY),
    "public_call_list": both(allow(*ROLES)),
    "public_call_detail": both(allow(*ROLES)),
    # -- the public catalogue (pages.catalogue): the same page for anyone, logged in or not; GET only --
    "catalogue": get(allow(*ROLES)),
    "catalogue_city": get(allow(*ROLES)),
    "catalogue_other": get(allow(*ROLES)),
    "group_register": both(allow(*ROLES)),  # a group registers itself, with no account yet
    "group_list": both(CITY_PAGE),
    "group_detail": both(CITY_PAGE),
    "group_edit": (CITY_PAGE, allow(safe=CITY)),  # the group's own head resubmits; staff read
    "group_file": both(CITY_PAGE),
    "group_act": post(allow(STAFF, safe=but(STAFF))),
    # starting an application: the head of a confirmed 市民活動団体 for its own group; other heads are not offered
    # the call (404)
    "competitive_applications": (allow(*LOGGED_IN), allow(HEAD_DANTAI)),
    "competitive_plan_save": post(allow(STAFF, safe=but(STAFF))),
    "competitive_amount_preview": get(CITY_PAGE),
    "competitive_attachment_add": post(allow(STAFF, safe=but(STAFF))),
    "competitive_attachment": get(CITY_PAGE),
    "competitive_attachment_remove": post(allow(STAFF, safe=but(STAFF))),
    "panel_home": both(PANEL_ONLY),
    "panel_application": both(NOBODY),
    "panel_declare": post(NOBODY),
    "panel_scores": both(NOBODY),
    "panel_file": both(NOBODY),
    "panel_calls": both(CITY_PAGE),
    "panel_ranking": both(CITY_PAGE),
    "panel_selection": (CITY_PAGE, STAFF_ONLY),
    "panel_selection_act": post(allow(STAFF, safe=but(STAFF))),
    "tax_report_list": both(CITY_PAGE),
    "tax_report_detail": both(CITY_PAGE),
    "tax_report_submit": post(allow(STAFF, safe=but(STAFF))),
    "tax_report_act": post(allow(STAFF, safe=but(STAFF))),
    "tax_report_evidence": both(CITY_PAGE),  # seen with the report: the city (every role reads it) and the group
    # -- お知らせ and mail (grants.notify): one's own messages and setting; the mail log of one's area --
    "notification_list": get(allow(*LOGGED_IN)),
    "notification_open": get(NOBODY),  # the world's message is its recipient's alone: 404 to everyone else
    "mail_settings": both(allow(*LOGGED_IN)),
    "mail_log": (allow(STAFF, AUDITOR, INSURANCE), allow(STAFF, INSURANCE)),  # the 監査 reads, never queues
    # -- an organisation's users (団体の利用者): the city and the organisation's members read; staff and the head
    # (not the matrix's) invite, revoke and end terms; the 会計 and the 担当者 get in but are refused the acts --
    "organization_members": (allow(*CITY, *MEMBERS), allow(STAFF, safe=(*but(STAFF), *MEMBERS))),
    "organization_handover": (allow(*CITY, *MEMBERS), allow(STAFF, safe=(*but(STAFF), *MEMBERS))),
    "organization_member_end": post(allow(STAFF, safe=(*but(STAFF), *MEMBERS))),
    "organization_invitation_revoke": post(allow(STAFF, safe=(*but(STAFF), *MEMBERS))),
    # the link itself, for anyone (no login): a logged-in user other than the invitee is refused, nothing written
    "invitation_accept": both(allow(*ROLES)),
    # -- 評価 (pages.evaluation): the 評価委員's own list; an assignment is its evaluator's alone (the matrix's 評価委員
    # is assigned to nothing: 404); the case's evaluation is read by the city, assigned and published by staff --
    "evaluation_home": both(allow(EVALUATOR)),
    "evaluation_assignment": both(NOBODY),
    "evaluation_declare": post(NOBODY),
    "evaluation_scores": both(NOBODY),
    "case_evaluation": get(CITY_PAGE),
    "case_evaluation_assign": post(STAFF_ONLY),
    "case_evaluation_withdraw": post(allow(STAFF, safe=but(STAFF))),  # the rail refuses the other city roles
    "case_evaluation_publication": post(STAFF_ONLY),
    # -- the open data (grants.opendata): the same page and files for anyone, logged in or not; GET only --
    "opendata_index": get(allow(*ROLES)),
    "opendata_dictionary": get(allow(*ROLES)),
    "opendata_dictionary_csv": get(allow(*ROLES)),
    "opendata_awards_csv": get(allow(*ROLES)),
    "opendata_awards_sjis_csv": get(allow(*ROLES)),
    "opendata_awards_json": get(allow(*ROLES)),
    "opendata_evaluations_csv": get(allow(*ROLES)),
    "opendata_evaluations_sjis_csv": get(allow(*ROLES)),
    "opendata_evaluations_json": get(allow(*ROLES)),
    # -- the read-only API (pages.api): the token is its only login, so a browser's session reads nothing (401); its
    # schema, documentation page and root are open to anyone; any method but GET is 405; under api/ an unknown URL is
    # a JSON 404 to anyone (ANY: no page, nothing to write) --
    "api-v1:openapi-json": get(allow(*ROLES)),
    "api-v1:openapi-view": get(allow(*ROLES)),
    "api-v1:api-root": get(allow(*ROLES)),
    "api-v1:programme_years": get(NOBODY),
    "api-v1:cases": get(NOBODY),
    "api-v1:case": get(NOBODY),
    "api-v1:decisions": get(NOBODY),
    "api-v1:payments": get(NOBODY),
    "api-v1:ledger": get(NOBODY),
    "api-v1:catalogue_search": get(allow(*ROLES)),  # the public endpoints: anyone, with or without a session
    "api-v1:catalogue_entry": get(allow(*ROLES)),
    "api-v1:opendata_years": get(allow(*ROLES)),
    "api-v1:opendata_dictionary": get(allow(*ROLES)),
    "api-v1:opendata_awards": get(allow(*ROLES)),
    "api-v1:opendata_evaluations": get(allow(*ROLES)),
    "api_index_not_found": both(dict.fromkeys(ROLES, ANY)),
    "api_not_found": both(dict.fromkeys(ROLES, ANY)),
}

# What the 会計 and the 担当者 of the world's first 自治会 (``association``) may do with its objects: (GET, POST). They
# see the organisation's case, notice and insurance report and claim (reading an injured person's data is logged:
# OK, not SAFE, where the act is refused after the page logged the reading), draft the insurance report's details
# (any member); they never submit, withdraw or file (the head's: SAFE, refused), nor take the city's acts. Every
# other page answers them as it answers anyone outside the object's organisation (the policy above).
MEMBER_CELLS: dict[str, tuple[str, str]] = {
    "case_detail": (OK, OK),
    "correct_count": (NO, SAFE),  # the world's case is no longer a draft
    "correct_figure": (NO, SAFE),
    "override_check": (NO, SAFE),
    "organization_detail": (OK, SAFE),  # the change-of-head form is staff's
    "notice_pdf": (OK, NO),  # the download is on the audit trail
    "insurance_report_list": (OK, NO),
    "insurance_report_create": (OK, OK),
    "insurance_report_detail": (OK, OK),
    "insurance_report_edit": (OK, OK),
    "insurance_report_add_person": (NO, OK),
    "insurance_report_remove_person": (NO, OK),  # drafting: any member
    "insurance_report_add_attachment": (NO, OK),
    "insurance_report_attachment": (OK, OK),
    "insurance_report_remove_attachment": (NO, OK),
    "insurance_report_submit": (NO, OK),  # refused (the head's) after the logged reading
    "insurance_report_withdraw": (NO, OK),  # refused (the head's) after the logged reading
    "insurance_report_return": (NO, OK),  # refused (the 保険担当's) after the logged reading
    "insurance_report_judge": (NO, OK),
    "insurance_report_send_forms": (NO, OK),
    "insurance_claim_list": (OK, NO),
    "insurance_claim_detail": (OK, OK),
    "insurance_claim_treatment": (NO, OK),
    "insurance_claim_damages": (NO, OK),
    "insurance_claim_add_document": (NO, OK),
    "insurance_claim_document": (OK, OK),
    "insurance_claim_remove_document": (NO, OK),
    "insurance_claim_form": (OK, NO),
    "insurance_claim_file": (NO, SAFE),  # the head files the claim
    "insurance_claim_forward": (NO, OK),  # refused (the 保険担当's) after the logged reading
    "insurance_claim_payment": (NO, OK),
    "insurance_claim_denial": (NO, OK),
    "insurance_claim_withdraw": (NO, OK),  # refused (the head's) after the logged reading
}
for _view, (_get, _post) in MEMBER_CELLS.items():
    POLICY[_view] = ({**POLICY[_view][0], TREASURER: _get, CLERK: _get},
                     {**POLICY[_view][1], TREASURER: _post, CLERK: _post})


# The admin site: every ModelAdmin's URLs follow one rule. Only is_staff users get in (others: the admin's login
# page); the non-superuser administrator holds ADMIN_PERMISSIONS only (view: list, page, history; never add,
# change or delete).
ADMIN_OPEN = {"admin:login": both(allow(*ROLES))}  # the admin's login page itself
ADMIN_STAFF_PAGES = {  # pages of the site itself, for any is_staff user
    "admin:index": both(allow(ADMIN)),
    "admin:app_list": both(allow(ADMIN)),  # of an app where the administrator may view a model
    "admin:password_change": both(allow(ADMIN)),
    "admin:password_change_done": get(allow(ADMIN)),
    "admin:jsi18n": get(allow(ADMIN)),
    "admin:logout": both(dict.fromkeys(ROLES, ANY)),  # logging out, whoever one is
    "admin:autocomplete": both(NOBODY),  # without its parameters: 403 to everyone
    "admin:view_on_site": both(NOBODY),  # an organisation has no public page: 404
}
MODEL_SUFFIXES = ("changelist", "add", "change", "delete", "history")


def admin_policy(view: View, has_rows: Callable[[Any], bool] = lambda model: True) -> tuple[Policy, Policy] | None:
    """The expected outcome of an admin URL, or None for one the rule does not know (the meta-test fails). On a
    model with no row in the world, an object's page redirects the administrator ("does not exist") before the
    permission is asked: SAFE, writing nothing."""
    if view.key in ADMIN_OPEN:
        return ADMIN_OPEN[view.key]
    if view.key in ADMIN_STAFF_PAGES:
        return ADMIN_STAFF_PAGES[view.key]
    if view.route.endswith("(?P<url>.*)$"):  # any other address under /admin/: the login page, then 404
        return both(NOBODY)
    model = _admin_model(view)
    if model is None:
        return None
    if view.route.endswith("<path:object_id>/"):  # the old address of a change page: a redirect to it
        return both(allow(ADMIN))
    suffix = view.key.rsplit("_", 1)[-1]
    if suffix not in MODEL_SUFFIXES and not view.key.endswith("_password_change"):
        return None
    may_view = f"{model._meta.app_label}.view_{model._meta.model_name}" in world.ADMIN_PERMISSIONS
    if suffix in ("changelist", "change", "history") and may_view:
        return allow(ADMIN), (NOBODY if suffix == "change" else allow(ADMIN))  # a list and a history only read
    if view.params and not has_rows(model):  # Django answers "no such row" before asking
        return both(allow(safe=(ADMIN,)))
    return both(NOBODY)


def policy_of(view: View, has_rows: Callable[[Any], bool] = lambda model: True) -> tuple[Policy, Policy] | None:
    return POLICY.get(view.key) if view in PAGES else admin_policy(view, has_rows)


# What a POST carries besides nothing: only where an empty form would be "not found" for everyone.
POST_DATA: dict[str, dict[str, str]] = {
    "competitive_applications": {"call": "call", "organization": "own_group", "mode": "=new",
                                 "project_title": "=子ども食堂の交流会"},
}


# Acts the world is ready for: the POST of these roles is carried out (it writes), so the other roles' SAFE cells
# of the same view are refused for their role, not for the object's state or the body.
CARRIED_OUT: dict[str, tuple[str, ...]] = {
    "case_action": (APPROVER,),
    "case_order_action": (STAFF, FINANCE),  # 支出命令の起票: 協働推進課 or 会計課, never the 決裁者 or the 監査
    "case_override_approve": (STAFF, APPROVER),  # a second person approves a staff member's 特例判断
    "approve_batch": (FINANCE,),
    "discard_batch": (FINANCE,),
    "annual_run_step": (STAFF,),
    "competitive_plan_save": (STAFF,),
    "competitive_attachment_remove": (STAFF,),
    "competitive_applications": (HEAD_DANTAI,),
    "insurance_report_edit": (INSURANCE,),
    "insurance_claim_forward": (INSURANCE,),
}

# --- the judgement of one cell --------------------------------------------------------------------------------
REFUSALS = {"403", "404", "405", LOGIN, "401"}  # 401: the API to a session without its token (pages.api)


# Users to whom no object of the world belongs: a page they may open (a list, the start page) names none of the
# world's organisations.
OUTSIDERS = (*HEADS, PANEL, EVALUATOR, NO_ROLE, ADMIN, ANONYMOUS)


def verdict(expected: str, role: str, outcome: Outcome, names: tuple[str, ...] = ()) -> str | None:
    """Why ``outcome`` breaks ``expected`` for ``role``, or None when it holds; ``names``: the world's
    organisations, which an outsider's page must not show."""
    if outcome.status == "500":
        return f"500 {outcome.detail}"
    if expected == ANY:
        return None
    if expected == OK:
        if outcome.status not in ("ok", "400"):
            return f"refused ({outcome.status}) but allowed"
        seen = [name for name in names if name in outcome.body] if role in OUTSIDERS else []
        return f"shows {seen} to an outsider" if seen else None
    if expected == LOGIN:
        return None if outcome.status == LOGIN else f"{outcome.status}, not the login page"
    if outcome.written:
        return f"{outcome.status} and WROTE {outcome.written[:3]}"
    if expected == SAFE:
        return None
    if role == ANONYMOUS:  # an anonymous visitor only ever meets the login page (or 405 / 401 of an API)
        return None if outcome.status in (LOGIN, "405", "401") else f"anonymous got {outcome.status}"
    return None if outcome.status in REFUSALS else f"{outcome.status} but refused by policy"


def _errors(body: str) -> list[str]:
    """The error messages a page shows (its ``errorlist`` and ``messages`` items), to say why an act failed."""
    return re.findall(r'<li[^>]*class="[^"]*(?:error)[^"]*"[^>]*>([^<]{0,200})', body)[:3]


#: Views whose body is the open data (grants.opendata), published to anyone under the city's policy: an organisation
#: named there is published, not leaked (tests/opendata and tests/pages/test_opendata.py check what they hold).
PUBLISHED = {"opendata_awards_csv", "opendata_awards_sjis_csv", "opendata_awards_json", "opendata_evaluations_csv",
             "opendata_evaluations_sjis_csv", "opendata_evaluations_json",
             "api-v1:opendata_awards", "api-v1:opendata_evaluations"}  # the same files through the API


def breaches(views: list[View], results: dict[tuple[str, str, str], Outcome], cast: world.Cast) -> list[str]:
    names = tuple(cast.objects[key].name for key in ("association", "council", "group"))
    names += (cast.objects["application"].organization.name,)
    out = []
    for view in views:
        policy = policy_of(view, lambda model: model._default_manager.exists())
        if policy is None or (view.key, "get", ANONYMOUS) not in results:
            continue  # no policy or no URL arguments: named by the meta-tests
        for method, expected in zip(("get", "post"), policy, strict=True):
            for role in ROLES:
                why = verdict(expected[role], role, results[(view.key, method, role)],
                              names if view in PAGES and view.key not in PUBLISHED else ())  # the admin's
                # view permission shows them; the open data publishes them
                if why is None and method == "post" and role in CARRIED_OUT.get(view.key, ()) and not \
                        results[(view.key, method, role)].written:
                    cell = results[(view.key, method, role)]
                    why = (f"the act was not carried out ({cell.status}): the world is not ready for it "
                           f"(CARRIED_OUT) {_errors(cell.body)}")
                if why is not None:
                    out.append(f"{view.key} {method.upper()} as {role} (expected {expected[role]}): {why}")
    return out


# --- the tests ----------------------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _no_api_rate_limit(settings):  # type: ignore[no-untyped-def]
    """The matrix calls the API's public endpoints a hundred times a minute from one address: its rate limit (tested
    in tests/api/test_throttles.py) would answer 429 to the later roles."""
    settings.API_ANON_RATE = settings.API_TOKEN_RATE = "1000000/min"


def test_every_view_has_a_policy() -> None:
    """A URL added without a line in POLICY (or, in the admin, outside the rule) fails here, with its name."""
    assert [view.key for view in VIEWS if policy_of(view) is None] == []
    assert sorted(set(POLICY) - {view.key for view in PAGES}) == [], "a policy for a URL that no longer exists"
    assert sorted((set(CARRIED_OUT) | set(POST_DATA)) - set(POLICY)) == []


def test_every_view_has_its_url_arguments() -> None:
    """Each parameter of each page is filled from the world (URL_ARGS); the admin's from the model's rows."""
    unfilled = [f"{view.key}: {sorted(set(view.params) - set(URL_ARGS.get(view.key, {})))}"
                for view in PAGES if set(view.params) - set(URL_ARGS.get(view.key, {}))]
    assert unfilled == []
    assert sorted(set(URL_ARGS) - {view.key for view in PAGES}) == []
    assert [view.key for view in ADMIN_VIEWS if view.params and _admin_model(view) is None
            and view.key not in ("admin:app_list", "admin:view_on_site")
            and not view.route.endswith("(?P<url>.*)$")] == []


def test_the_roles_are_every_role_of_the_system() -> None:
    """Each Role has its user in the matrix (the applicant role three times: a head of each kind of group)."""
    assert set(Role.values) - {Role.ASSOCIATION_HEAD, Role.PANEL} <= set(ROLES)
    assert {HEAD_JICHIKAI, HEAD_KYOGIKAI, HEAD_DANTAI, PANEL, EVALUATOR, NO_ROLE, ADMIN, ANONYMOUS, TREASURER,
            CLERK} <= set(ROLES)


@pytest.mark.django_db
def test_every_page_answers_every_role_as_the_policy_says_and_a_refusal_writes_nothing() -> None:
    cast = world.build()
    assert not [ref for args in (*URL_ARGS.values(), *POST_DATA.values()) for ref in args.values()
                if not ref.startswith("=") and ref not in cast.objects], "URL_ARGS names an object the world lacks"
    results = run(PAGES, cast)
    found = breaches(PAGES, results, cast)
    assert found == [], f"{len(found)} of {len(results)} cells break the policy:\n" + "\n".join(found)


@pytest.mark.django_db
def test_every_admin_page_answers_every_role_as_the_policy_says_and_a_refusal_writes_nothing() -> None:
    cast = world.build()
    results = run(ADMIN_VIEWS, cast)
    found = breaches(ADMIN_VIEWS, results, cast)
    assert found == [], f"{len(found)} of {len(results)} cells break the policy:\n" + "\n".join(found)


# --- the matrix's own instruments ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_write_recorder_sees_a_changed_or_added_row_and_not_the_session_nor_an_update_of_nothing() -> None:
    user = User.objects.create(username="recorded")
    with recording_writes() as written:
        User.objects.filter(pk=user.pk).update(display_name="変更")
    assert len(written) == 1 and "UPDATE" in written[0]
    with recording_writes() as written:
        User.objects.create(username="inserted")  # on SQLite an INSERT … RETURNING whose rowcount reads 0
    assert len(written) == 1 and "INSERT" in written[0]
    with recording_writes() as written:
        User.objects.filter(pk=0).update(display_name="変更")
        session = SessionStore()
        session["k"] = "v"
        session.save()
    assert written == []


@pytest.mark.parametrize(("expected", "role", "outcome", "broken"), [
    (NO, STAFF, Outcome("ok", []), True),  # let in where the policy refuses
    (NO, STAFF, Outcome("404", ["INSERT"]), True),  # refused, yet something was written
    (NO, STAFF, Outcome("403", []), False),
    (NO, ANONYMOUS, Outcome("403", []), True),  # an anonymous visitor is sent to the login page
    (NO, ANONYMOUS, Outcome(LOGIN, []), False),
    (SAFE, AUDITOR, Outcome("ok", ["UPDATE"]), True),  # the service let a refused role write
    (SAFE, AUDITOR, Outcome("ok", []), False),
    (OK, STAFF, Outcome("404", []), True),  # an allowed role refused
    (OK, STAFF, Outcome("500", [], "KeyError"), True),
    (OK, HEAD_DANTAI, Outcome("ok", [], body="大歳第1自治会の申請"), True),  # an outsider shown another's group
    (OK, STAFF, Outcome("ok", ["INSERT"], body="大歳第1自治会の申請"), False),
])
def test_a_cell_is_judged_by_its_policy(expected: str, role: str, outcome: Outcome, broken: bool) -> None:
    assert (verdict(expected, role, outcome, ("大歳第1自治会",)) is not None) is broken
