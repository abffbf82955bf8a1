"""Every page form that creates something, sent twice with the key its page drew (a double click, a reload of the
POST), creates one row and the second sending is answered as the first: the same page and the same message, not
an error (pages.http.act_once over grants.core.once). The same key sent again with other input (the browser's
Back restores the page with its used key) is refused with an error and nothing written — never answered with the
first sending's success. The mechanism itself: tests/core/test_once.py."""
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from grants.cases import lifecycle
from grants.cases.batches import approve_payment_batch, create_payment_batch
from grants.cases.models import BudgetLine, ChangeRequest, GrantCase, Receipt
from grants.competitive.models import ApplicationAttachment, GroupRegistration
from grants.core.once import FIELD
from grants.councils import plans
from grants.insurance.models import AccidentReport, ReportAttachment
from grants.ledger.models import ItemResult
from grants.organizations.models import CommunityPlan, PlanAttachment, PlanItem, SecretariatStaff
from reports.zengin_batch import batch_file
from tests.cases.steps import login as log_in
from tests.cases.steps import messages_of
from tests.competitive import steps as competitive
from tests.councils import builders as councils
from tests.councils.builders import APRIL
from tests.councils.steps import decided, draft, login, today
from tests.factories import CURRENT_FY
from tests.insurance import builders as insurance
from tests.insurance.pages import person_post, report_post
from tests.pages.test_competitive_groups import REGISTER, form_post
from tests.reports.test_zengin_batch import two_advances_to_one_account

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Form:
    """One creating form: the page that draws it, a substring of its ``<form>`` tag, where it posts, what it
    posts (a new dict each time: files are read once) and how many rows it has made."""

    page: str
    tag: str
    url: str
    data: Callable[[], dict[str, Any]]
    rows: Callable[[], int]


def key_of(html: str, tag: str) -> str:
    """The one-time key inside the first ``<form …>`` whose tag holds ``tag``."""
    for match in re.finditer(r"<form\b[^>]*>(.*?)</form>", html, re.S):
        if tag in match.group(0).split(">", 1)[0]:
            found = re.search(rf'name="{FIELD}" value="([^"]+)"', match.group(1))
            assert found, f"the form {tag} carries no key"
            return found.group(1)
    raise AssertionError(f"no form {tag} on the page")


def pdf(name: str = "file.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# -- the forms ---------------------------------------------------------------------------------------------------

def _case_page(case: GrantCase, name: str, *args: object) -> tuple[str, str]:
    url = reverse(name, args=[case.pk, *args])
    return reverse("case_detail", args=[case.pk]), url


def budget_line(client: Client, get: Callable[[str], Any]) -> Form:
    case, plan, cats = draft(get("katsudo"), get("council"), get("staff"))
    login(client, get("council")[1])
    page, url = _case_page(case, "case_line_add", "budget")
    data = {"kind": "expense", "category": cats["genzairyo"].pk, "plan_item": councils.item(plan, "1-1-2").pk,
            "description": "資材", "amount": "1000", "spent_on": today().isoformat()}
    return Form(page, f'action="{url}"', url, lambda: dict(data),
                lambda: BudgetLine.objects.filter(case=case).count())


def staff_lines(client: Client, get: Callable[[str], Any]) -> Form:
    org, secretary = get("council")
    councils.approved_plan(org, get("staff"))
    councils.staff_member(org, secretary)
    case = councils.draft_case(get("unei"), org, start=dt.date(CURRENT_FY, 4, 1))
    login(client, secretary)
    page, url = _case_page(case, "case_staff_lines")
    return Form(page, f'action="{url}"', url, dict,
                lambda: BudgetLine.objects.filter(case=case, staff__isnull=False).count())


def _decided(get: Callable[[str], Any]) -> GrantCase:
    case, _, _ = decided(get("katsudo"), get("council"), get("staff"), get("approver"))
    return case


def receipt(client: Client, get: Callable[[str], Any]) -> Form:
    get("media")
    case = _decided(get)
    lifecycle.save_report(case_id=case.pk, actor=get("council")[1], narrative="実施", completed_on=today())
    login(client, get("council")[1])
    page, url = _case_page(case, "case_receipt_add")
    return Form(page, f'action="{url}"', url, lambda: {"title": "領収書", "file": pdf("receipt.pdf")},
                lambda: Receipt.objects.filter(report__case=case).count())


def change_request(client: Client, get: Callable[[str], Any]) -> Form:
    case = _decided(get)
    login(client, get("council")[1])
    page, url = _case_page(case, "case_change_start")
    return Form(page, f'action="{url}"', url, lambda: {"reason": "資材費の減少", "requested_amount": "900000"},
                lambda: ChangeRequest.objects.filter(case=case).count())


def _draft_plan(get: Callable[[str], Any]) -> CommunityPlan:
    org, secretary = get("council")
    plan = plans.create_plan(actor=secretary, organization=org, term_label="第4期", title="大歳地域づくり計画",
                             first_fiscal_year=CURRENT_FY, last_fiscal_year=CURRENT_FY + 4)
    plans.add_item(actor=secretary, plan_id=plan.pk, level="field", code="1", title="安心・安全")
    return plan


def plan_item(client: Client, get: Callable[[str], Any]) -> Form:
    plan = _draft_plan(get)
    login(client, get("council")[1])
    url = reverse("plan_add_item", args=[plan.pk])
    return Form(reverse("plan_detail", args=[plan.pk]), f'action="{url}"', url,
                lambda: {"level": "field", "code": "2", "title": "福祉"},
                lambda: PlanItem.objects.filter(plan=plan).count())


def plan_attachment(client: Client, get: Callable[[str], Any]) -> Form:
    get("media")
    plan = _draft_plan(get)
    login(client, get("council")[1])
    url = reverse("plan_add_attachment", args=[plan.pk])
    return Form(reverse("plan_detail", args=[plan.pk]), f'action="{url}"', url,
                lambda: {"title": "総会の議事録", "file": pdf("minutes.pdf")},
                lambda: PlanAttachment.objects.filter(plan=plan).count())


def community_plan(client: Client, get: Callable[[str], Any]) -> Form:
    org, secretary = get("council")
    login(client, secretary)
    url = reverse("plan_create")
    data = {"organization": org.pk, "term_label": "第4期", "title": "大歳地域づくり計画",
            "first_fiscal_year": CURRENT_FY, "last_fiscal_year": CURRENT_FY + 4}
    return Form(url, 'class="stack narrow"', url, lambda: dict(data), CommunityPlan.objects.count)


def secretariat_staff(client: Client, get: Callable[[str], Any]) -> Form:
    org, secretary = get("council")
    login(client, secretary)
    url = reverse("council_staff", args=[org.pk])
    data = {"name": "佐藤 花子", "role": "事務局長", "pay_basis": "monthly", "monthly_wage": "180000",
            "social_insurance_monthly": "27000", "employed_from": APRIL.isoformat()}
    return Form(url, 'id="staff-form"', url, lambda: dict(data), SecretariatStaff.objects.count)


def accident_report(client: Client, get: Callable[[str], Any]) -> Form:
    get("policy")
    login(client, get("association_head"))
    url = reverse("insurance_report_create")
    data = report_post(get("association"), accident_date=insurance.days_ago(3))
    return Form(url, 'method="post" class="stack" novalidate', url, lambda: dict(data), AccidentReport.objects.count)


def _report(get: Callable[[str], Any]) -> AccidentReport:
    get("policy"), get("media")
    return insurance.draft_report(get("association_head"), get("association"), attachments=False)


def accident_person(client: Client, get: Callable[[str], Any]) -> Form:
    report = _report(get)
    login(client, get("association_head"))
    url = reverse("insurance_report_add_person", args=[report.pk])
    return Form(reverse("insurance_report_detail", args=[report.pk]), f'action="{url}"', url,
                lambda: person_post(name="佐藤 花子"), lambda: report.persons.count())


def accident_attachment(client: Client, get: Callable[[str], Any]) -> Form:
    report = _report(get)
    login(client, get("association_head"))
    url = reverse("insurance_report_add_attachment", args=[report.pk])
    return Form(reverse("insurance_report_detail", args=[report.pk]), f'action="{url}"', url,
                lambda: {"kind": "member_list", "title": "会員名簿", "file": pdf("meibo.pdf")},
                lambda: ReportAttachment.objects.filter(report=report).count())


def application(client: Client, get: Callable[[str], Any]) -> Form:
    call, (org, head) = get("open_call"), get("npo")
    login(client, head)
    url = reverse("competitive_applications")
    return Form(url, f'action="{url}"', url,
                lambda: {"call": call.pk, "organization": org.pk, "mode": "new", "project_title": "子ども食堂の交流会"},
                lambda: GrantCase.objects.filter(organization=org).count())


def application_attachment(client: Client, get: Callable[[str], Any]) -> Form:
    get("media")
    call, (org, head) = get("open_call"), get("npo")
    case = competitive.draft(call, org, head)
    login(client, head)
    page, url = _case_page(case, "competitive_attachment_add")
    return Form(page, f'action="{url}"', url, lambda: {"title": "見積書", "file": pdf("mitsumori.pdf")},
                lambda: ApplicationAttachment.objects.filter(case=case).count())


FORMS = [budget_line, staff_lines, receipt, change_request, plan_item, plan_attachment, community_plan,
         secretariat_staff, accident_report, accident_person, accident_attachment, application,
         application_attachment]


@pytest.mark.parametrize("make", FORMS, ids=[f.__name__ for f in FORMS])
def test_the_same_form_sent_twice_creates_one_row_and_answers_as_the_first(client, request, make) -> None:  # type: ignore[no-untyped-def]
    form = make(client, request.getfixturevalue)
    key = key_of(client.get(form.page).content.decode(), form.tag)
    before = form.rows()
    first = client.post(form.url, {**form.data(), FIELD: key})
    assert first.status_code == 302, messages_of(client.get(form.page))
    first_shown = messages_of(client.get(first["Location"]))
    second = client.post(form.url, {**form.data(), FIELD: key})
    assert form.rows() == before + 1
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert messages_of(client.get(second["Location"])) == first_shown and first_shown


def test_a_group_registered_twice_at_once_is_one_group() -> None:
    """The public form (no login): the double click's two sendings both come without the session the first
    one logs in, and the second goes home with the first's message."""
    first_client, second_client = Client(), Client()
    key = key_of(first_client.get(REGISTER).content.decode(), 'id="group-register"')
    data = form_post()
    first = first_client.post(REGISTER, {**data, FIELD: key})
    second = second_client.post(REGISTER, {**form_post(), FIELD: key})
    assert GroupRegistration.objects.count() == 1
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert messages_of(second_client.get(second["Location"], follow=True)) == ["団体登録を申請しました。市の確認をお待ちください。"]


def test_a_key_drawn_for_another_user_creates_nothing(client, katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = draft(katsudo, council, staff)
    url = reverse("case_line_add", args=[case.pk, "budget"])
    key = key_of(login(client, staff).get(reverse("case_detail", args=[case.pk])).content.decode(),
                 f'action="{url}"')
    before = BudgetLine.objects.filter(case=case).count()
    login(client, council[1])
    response = client.post(url, {"kind": "expense", "category": cats["genzairyo"].pk, "description": "資材",
                                 "plan_item": councils.item(plan, "1-1-2").pk, "amount": "1000",
                                 "spent_on": today().isoformat(), FIELD: key}, follow=True)
    assert BudgetLine.objects.filter(case=case).count() == before
    assert "この画面の送信を受け付けませんでした。画面を開き直して、もう一度入力してください。" in messages_of(response)


REUSED = "この画面は一度送信済みです。画面を開き直してから、もう一度入力してください。"


def test_a_second_bank_result_sent_with_the_first_ones_key_is_refused_not_answered_as_recorded(  # type: ignore[no-untyped-def]
        client, katsudo, council, staff, approver, finance, finance2, transfer_day, transfer_settings):
    """The batch page: a result recorded by 顧客コード, then the browser's Back (the page comes back with its used
    key) and the second payment's code typed: refused with an error, the second payment still unrecorded."""
    transfer_settings.early_results = True
    transfer_settings.save()
    case, (first, second) = two_advances_to_one_account(katsudo, council, staff, approver, finance)
    batch = create_payment_batch(actor=finance, order_ids=[first.pk, second.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    items = {i.payment_order_id: i for i in batch.items.all()}
    page = reverse("payment_batch", args=[batch.pk])
    key = key_of(log_in(client, finance).get(page).content.decode(), 'id="result-by-code"')
    post = reverse("record_result_by_code", args=[batch.pk])
    recorded = client.post(post, {"code": str(items[second.pk].pk), "amount": str(items[second.pk].amount),
                                  "result": "returned", "reason": "口座なし", FIELD: key}, follow=True)
    assert [m.level_tag for m in recorded.context["messages"]] == ["success"]
    assert f"{second.label}）の振込の結果を記録しました。" in messages_of(recorded)[0]

    again = client.post(post, {"code": str(items[first.pk].pk), "amount": str(items[first.pk].amount),
                               "result": "paid", "reason": "", FIELD: key}, follow=True)
    assert again.redirect_chain[-1][0] == page and messages_of(again) == [REUSED]
    assert [m.level_tag for m in again.context["messages"]] == ["error"]
    assert dict(batch.items.values_list("payment_order_id", "result")) == {
        first.pk: ItemResult.SENT, second.pk: ItemResult.RETURNED}


def test_a_create_form_sent_again_with_other_input_under_its_used_key_creates_nothing(client, request) -> None:  # type: ignore[no-untyped-def]
    form = budget_line(client, request.getfixturevalue)
    key = key_of(client.get(form.page).content.decode(), form.tag)
    before = form.rows()
    assert messages_of(client.post(form.url, {**form.data(), FIELD: key}, follow=True)) == ["明細を追加しました。"]
    response = client.post(form.url, {**form.data(), "amount": "2500", FIELD: key}, follow=True)
    assert form.rows() == before + 1 and not BudgetLine.objects.filter(amount=2500).exists()
    assert messages_of(response) == [REUSED]
