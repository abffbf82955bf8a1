"""The migration to one payment model (``ledger.0006_whole_payment_orders`` and ``0007_one_payment_model``) on a database of the previous version:
every decided formula-grant case gets its payment order for the whole amount, in the state its own state says,
and its batch items point at that order, so that no batch item is left without one."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("ledger", "0005_payment_orders")]
AFTER = [("ledger", "0007_one_payment_model")]


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_world(apps: Any) -> dict[str, Any]:
    user = apps.get_model("accounts", "User").objects.create(username="kaikei", role="finance")
    approver = apps.get_model("accounts", "User").objects.create(username="kaikei2", role="finance")
    area = apps.get_model("organizations", "Area").objects.create(code="10", name="大歳", kana="おおとし",
                                                                   centre_name="大歳地域交流センター")
    programme = apps.get_model("programmes", "Programme").objects.create(
        code="jichi_shinko", name="自治会等自治振興交付金", recipient_kind="jichikai", workflow="formula")
    year = apps.get_model("programmes", "ProgrammeYear").objects.create(
        programme=programme, fiscal_year=2026, base_date=dt.date(2026, 4, 1), application_opens=dt.date(2026, 4, 1),
        application_closes=dt.date(2027, 3, 31))
    organization = apps.get_model("organizations", "Organization")
    case = apps.get_model("cases", "GrantCase")
    cases = {}
    for n, status in enumerate(("draft", "decided", "payment_prepared", "payment_approved", "paid"), 1):
        org = organization.objects.create(kind="jichikai", code=f"10-{n:03d}", name=f"大歳第{n}自治会", area=area)
        cases[status] = case.objects.create(
            programme_year=year, organization=org, status=status, number=n,
            decided_amount=None if status == "draft" else 70_000 + n, decided_on=dt.date(2026, 6, 1),
            paid_amount=70_000 + n if status == "paid" else 0, paid_on=dt.date(2026, 6, 20) if status == "paid" else None,
            payment_prepared_by=user if status in ("payment_prepared", "payment_approved", "paid") else None,
            payment_approved_by=approver if status in ("payment_approved", "paid") else None)
    batch = apps.get_model("ledger", "PaymentBatch").objects.create(transfer_date=dt.date(2026, 6, 20),
                                                                    prepared_by=user, status="approved")
    item = apps.get_model("ledger", "BatchItem")
    for status, result in (("paid", "paid"), ("payment_approved", "returned")):
        item.objects.create(batch=batch, case=cases[status], amount=cases[status].decided_amount, bank_code="0170",
                            branch_code="001", account_type="1", account_number="1234567", holder_kana="ｵｵﾄｼ",
                            result=result)
    return cases


def test_formula_cases_get_their_whole_order_and_batch_items_point_at_it(executor: MigrationExecutor) -> None:
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "ledger"]
    cases = _old_world(executor.loader.project_state(others + BEFORE).apps)

    executor.loader.build_graph()
    executor.migrate(AFTER)

    apps = executor.loader.project_state(others + AFTER).apps
    order = apps.get_model("ledger", "PaymentOrder")
    rows = {o.case_id: (o.kind, o.label, o.amount, o.status, o.prepared_by_id is not None,
                        o.approved_by_id is not None, o.paid_on) for o in order.objects.all()}
    assert rows == {
        cases["decided"].pk: ("whole", "交付金", 70_002, "scheduled", False, False, None),
        cases["payment_prepared"].pk: ("whole", "交付金", 70_003, "prepared", True, False, None),
        cases["payment_approved"].pk: ("whole", "交付金", 70_004, "approved", True, True, None),
        cases["paid"].pk: ("whole", "交付金", 70_005, "paid", True, True, dt.date(2026, 6, 20)),
    }
    items = apps.get_model("ledger", "BatchItem").objects.all()
    assert sorted((i.payment_order.case_id, i.result) for i in items) == sorted(
        [(cases["paid"].pk, "paid"), (cases["payment_approved"].pk, "returned")])
