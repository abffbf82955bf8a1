"""The admin of the council grants: pages load, rules show their new fields, instalment shares stay within 1,
and what moves money or state (payment orders, refund orders, a plan's status) is read-only."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.cases.models import RefundOrder
from grants.ledger.models import OrderKind, PaymentOrder
from grants.organizations.models import CommunityPlan, PlanStatus
from grants.programmes.models import Instalment
from tests.admin_forms import change_form_data
from tests.councils import builders
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_data(council, katsudo, staff):  # type: ignore[no-untyped-def]
    """A council with a plan, a staff member, a case with a payment order and a refund order."""
    org, secretary = council
    plan = builders.approved_plan(org, staff)
    person = builders.staff_member(org, secretary)
    builders.instalments(katsudo, [(1, 2), (1, 4)])
    case = builders.draft_case(katsudo, org)
    order = PaymentOrder.objects.create(case=case, kind=OrderKind.ADVANCE, number=1, label="概算払 第1回",
                                        amount=500_000, pay_on=timezone.localdate())
    refund = RefundOrder.objects.create(case=case, principal=50_000, ordered_on=timezone.localdate(),
                                        due_on=timezone.localdate() + dt.timedelta(days=20),
                                        surcharge_rate=Decimal("0"), late_rate=Decimal("10.95"), ordered_by=staff)
    return {"plan": plan, "staff": person, "case": case, "order": order, "refund": refund, "year": katsudo}


def test_admin_pages_load_for_superuser(client, root, year_data) -> None:  # type: ignore[no-untyped-def]
    pages = [
        reverse("admin:programmes_expensecategory_changelist"),
        reverse("admin:programmes_expensecategory_add"),
        reverse("admin:organizations_communityplan_changelist"),
        reverse("admin:organizations_communityplan_change", args=[year_data["plan"].pk]),
        reverse("admin:organizations_secretariatstaff_changelist"),
        reverse("admin:organizations_secretariatstaff_add"),
        reverse("admin:organizations_secretariatstaff_change", args=[year_data["staff"].pk]),
        reverse("admin:cases_refundorder_changelist"),
        reverse("admin:cases_refundorder_change", args=[year_data["refund"].pk]),
        reverse("admin:ledger_paymentorder_changelist"),
        reverse("admin:ledger_paymentorder_change", args=[year_data["order"].pk]),
        reverse("admin:programmes_programme_changelist"),
        reverse("admin:programmes_programmeyear_changelist"),
        reverse("admin:programmes_programmeyear_change", args=[year_data["year"].pk]),
        reverse("admin:programmes_programmeyear_add"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url

    year_page = client.get(reverse("admin:programmes_programmeyear_change", args=[year_data["year"].pk]))
    text = year_page.content.decode()
    for words in ("概算払の計画", "費目の取扱い", "活動の目的", "交付額の算定方法", "加算金の年率", "延滞金の年率",
                  "実績報告の期限（固定日）", "交付決定前の経費を対象とする", "国の補助金適正化法では10.95％"):
        assert words in text, words
    programmes = client.get(reverse("admin:programmes_programme_changelist")).content.decode()
    assert "手続の流れ" in programmes and "地域づくり計画との関連付けが必要" in programmes


def test_instalment_shares_above_one_are_refused(client, root, year_data) -> None:  # type: ignore[no-untyped-def]
    year = year_data["year"]
    url = reverse("admin:programmes_programmeyear_change", args=[year.pk])
    data = change_form_data(client.get(url))
    # 1/2 + 1/4 on file; the second becomes 3/4, so the plan would pay 5/4 of the decided amount.
    second = Instalment.objects.get(programme_year=year, order=2)
    index = next(k.split("-")[1] for k, v in data.items() if k.startswith("instalments-") and k.endswith("-id")
                 and str(v) == str(second.pk))
    data[f"instalments-{index}-share_numerator"] = "3"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "概算払の計画の割合の合計が1を超えています（合計 5/4）" in response.content.decode()
    second.refresh_from_db()
    assert (second.share_numerator, second.share_denominator) == (1, 4)

    # Within 1 (1/2 + 1/2) the same form saves.
    data[f"instalments-{index}-share_numerator"] = "1"
    data[f"instalments-{index}-share_denominator"] = "2"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    second.refresh_from_db()
    assert (second.share_numerator, second.share_denominator) == (1, 2)


def test_payment_and_refund_orders_are_read_only(client, root, year_data) -> None:  # type: ignore[no-untyped-def]
    order = year_data["order"]
    url = reverse("admin:ledger_paymentorder_change", args=[order.pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page  # a view, not a form
    response = client.post(url, {"amount": 900_000, "status": "paid", "label": order.label, "pay_on": order.pay_on,
                                  "kind": order.kind, "number": order.number, "case": order.case_id})
    assert response.status_code == 403
    order.refresh_from_db()
    assert (order.amount, order.status) == (500_000, "scheduled")
    assert client.get(reverse("admin:ledger_paymentorder_add")).status_code == 403
    assert client.post(reverse("admin:ledger_paymentorder_delete", args=[order.pk]), {"post": "yes"}).status_code == 403
    assert PaymentOrder.objects.filter(pk=order.pk).exists()

    refund = year_data["refund"]
    assert client.post(reverse("admin:cases_refundorder_change", args=[refund.pk]),
                       {"principal": 1}).status_code == 403
    assert client.get(reverse("admin:cases_refundorder_add")).status_code == 403


def test_plan_status_and_approver_are_read_only(client, root, year_data, staff) -> None:  # type: ignore[no-untyped-def]
    plan = year_data["plan"]
    url = reverse("admin:organizations_communityplan_change", args=[plan.pk])
    response = client.get(url)
    form = response.context["adminform"].form
    assert "status" not in form.fields and "approved_by" not in form.fields
    # An approved version is on record as it is: no field and no item can be changed here.
    assert not form.fields
    assert all(not inline.has_change_permission for inline in response.context["inline_admin_formsets"])
    assert client.get(reverse("admin:organizations_communityplan_add")).status_code == 403

    # A draft's title and items may be corrected; its status still may not.
    CommunityPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)
    plan.refresh_from_db()
    response = client.get(url)
    assert "title" in response.context["adminform"].form.fields
    assert "status" not in response.context["adminform"].form.fields
    data = change_form_data(response)
    data["title"] = "大歳地域づくり計画（案）"
    data["status"] = PlanStatus.APPROVED  # ignored: not a field of the form
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan.refresh_from_db()
    assert (plan.title, plan.status) == ("大歳地域づくり計画（案）", PlanStatus.DRAFT)


def test_plan_item_needs_its_upper_item(client, root, year_data) -> None:  # type: ignore[no-untyped-def]
    plan = year_data["plan"]
    CommunityPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)
    plan.refresh_from_db()
    url = reverse("admin:organizations_communityplan_change", args=[plan.pk])
    data = change_form_data(client.get(url))
    total = int(data["items-TOTAL_FORMS"])
    data["items-TOTAL_FORMS"] = str(total + 1)
    data.update({f"items-{total}-code": "1-1-9", f"items-{total}-level": "action", f"items-{total}-parent": "",
                 f"items-{total}-title": "避難所の運営訓練", f"items-{total}-plan": plan.pk})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "取組の上位の項目（施策）を選んでください。" in response.content.decode()
    assert not plan.items.filter(code="1-1-9").exists()


def test_secretariat_staff_added_in_admin_records_who(client, root, council) -> None:  # type: ignore[no-untyped-def]
    org, _ = council
    response = client.post(reverse("admin:organizations_secretariatstaff_add"), {
        "organization": org.pk, "name": "中村 健二", "role": "事務局員", "pay_basis": "hourly",
        "hourly_rate": 1_050, "hours_per_month": 80, "social_insurance_monthly": 0,
        "employed_from": dt.date(CURRENT_FY, 4, 1).isoformat(),
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    person = org.secretariat_staff.get(name="中村 健二")
    assert person.recorded_by == root and person.monthly_cost == 84_000
