"""ホーム shows what waits for each city role in the council lifecycle (the new-user walk-through found that
changes, reports, plans, overrides and payment orders did not appear)."""
from grants.cases import lifecycle
from grants.cases import services as case_services
from grants.cases.querysets import waiting_cases
from grants.councils import plans
from grants.councils.worklist import other_work
from tests.councils import builders
from tests.councils.helpers import line


def _labels(user):  # type: ignore[no-untyped-def]
    return {item.label: item.count for item in other_work(user)}


def test_each_role_sees_its_council_work(council, katsudo, staff, staff2, approver, finance, finance2, client):  # type: ignore[no-untyped-def]
    org, secretary = council
    plan = builders.approved_plan(org, staff)
    builders.instalments(katsudo, [(1, 2)])
    cats = builders.categories()
    case = builders.draft_case(katsudo, org)
    line(case, secretary, category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"), amount=300_000)
    bad = line(case, secretary, category=cats["kosaihi"], plan_item=builders.item(plan, "1-1-1"), amount=5_000)
    lifecycle.submit(case_id=case.pk, actor=secretary)
    case_services.override_check(case_id=case.pk, actor=staff, check_code=f"category@b{bad.pk}",
                                 justification="式典の記念品として市が認めた")
    assert _labels(approver) == {"承認を待っている特例判断（案件数）": 1}
    assert "承認を待っている特例判断（案件数）" not in _labels(staff)  # its author does not approve it
    revision = plans.start_revision(actor=secretary, plan_id=plan.pk, reason="取組の追加")
    plans.submit_plan(actor=secretary, plan_id=revision.pk)
    assert _labels(staff2)["承認を待っている地域づくり計画"] == 1

    override = case.overrides.get()
    case_services.approve_override(case_id=case.pk, override_id=override.pk, actor=approver)
    case.refresh_from_db()
    lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=305_000, completion_deadline=case.project_end)
    lifecycle.decide(case_id=case.pk, actor=approver)
    assert _labels(finance)["支払予定日を迎えた概算払・精算払（起票待ち）"] == 1
    from grants.cases import orders

    orders.prepare_order(order_id=case.payment_orders.get().pk, actor=staff)
    assert _labels(finance)["承認を待っている支出命令（概算払・精算払）"] == 1

    lifecycle.start_change(case_id=case.pk, actor=secretary, reason="見直し", requested_amount=305_000)
    lifecycle.request_change(case_id=case.pk, actor=secretary)
    assert case in list(waiting_cases(staff))
    client.force_login(staff)
    page = client.get("/").content.decode()
    assert "その他の処理待ち" in page and "承認を待っている地域づくり計画" in page
