"""Template helpers of the payment pages and the organisation page: whether a payee's account can be paid with the
bank data we have (``grants.cases.batches.account_problem``, which asks ``grants.organizations.kana.bank_code_problem``
— one test for the pages, the batch and the 全銀 file)."""
from collections.abc import Iterable
from typing import Any

from django import template

from grants.cases.batches import account_problem, payee_problems
from grants.ledger.models import BatchItem, PaymentBatch, PaymentOrder
from grants.organizations.kana import MISSING_BANK_CODE, bank_code_problem
from grants.organizations.models import Organization
from reports.zengin_batch import file_customer_codes

register = template.Library()


@register.simple_tag
def queue_problems(*queues: Iterable[PaymentOrder]) -> dict[int, str]:
    """By order id, why each payment of the queues cannot go into a batch now (one query for all the accounts)."""
    return payee_problems(order for queue in queues for order in queue)


@register.filter
def by_pk(values: dict[int, str], obj: Any) -> str:
    """``values[obj.pk]``, or ``""``."""
    return values.get(obj.pk, "")


@register.simple_tag
def customer_codes(batch: PaymentBatch) -> dict[int, str]:
    """By item id, the 顧客コード1 its record carried in ``batch``'s stored 全銀 file (the code a bank's result
    names); empty before the file is made."""
    codes = file_customer_codes(batch)
    ids = list(batch.items.order_by("pk").values_list("pk", flat=True))
    return dict(zip(ids, codes, strict=True)) if len(codes) == len(ids) else {}


@register.simple_tag
def organization_account_problem(organization: Organization) -> str:
    """Why a transfer to ``organization``'s current account cannot be made now, or ``""``."""
    return account_problem(organization.current_bank_account()) or ""


@register.filter
def item_account_problem(item: BatchItem) -> str:
    """Why the account kept on a batch item (as it was when the batch was made) cannot be written to the 全銀 file
    now (its bank or branch code gone since), or ``""``."""
    problem = bank_code_problem(item.bank_code, item.branch_code)
    return f"{MISSING_BANK_CODE}: {problem.message}" if problem else ""
