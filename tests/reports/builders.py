"""Builders of the export and dashboard tests: associations ready for verification, cases taken through the real
services (grants.cases.services, grants.ledger.services), the budget dashboard's ledger story in two 地域 and the
check that the dashboard reconciles with the ledger."""
import io

from openpyxl import Workbook, load_workbook

from grants.accounts.models import User
from grants.cases.models import GrantCase, Status
from grants.cases.services import (
    apply_count,
    approve_payment,
    confirm_transfer,
    decide_grant,
    prepare_payment,
    record_payment,
    submit_application,
    verify_application,
)
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from grants.ledger.services import post_entry, set_budget
from grants.organizations.models import Area, Organization
from grants.programmes.models import ProgrammeYear
from reports.dashboard import area_totals, programme_totals, sum_area_rows
from reports.exporters import ledger_totals, programme_year_workbook
from tests import factories
from tests.cases.steps import take_to


def ready_association(*, name: str, households: int, code: str | None = None) -> Organization:
    """An association that passes every eligibility check: a current representative, a current bank
    account and a household count on the base date (April 1 of this fiscal year)."""
    extra = {"code": code} if code else {}
    organization = factories.AssociationFactory(name=name, **extra)
    factories.RepresentativeFactory(organization=organization)
    factories.BankAccountFactory(organization=organization)
    factories.count(organization, factories.BASE_DATE, households)
    return organization


def open_case(programme_year: ProgrammeYear, organization: Organization, households: int | None) -> GrantCase:
    """A draft case of ``organization`` with its count and computed amount (as the annual run makes it)."""
    case = GrantCase.objects.create(programme_year=programme_year, organization=organization)
    apply_count(case, households)
    case.save()
    return case


def take_to_paid(
    case: GrantCase, *, staff: User, approver: User, finance: User, finance2: User
) -> GrantCase:
    """Take ``case`` to 支払済: submit on the association's behalf (a clerk) and verify (staff), decide
    (approver), prepare payment (finance), approve it (finance2), record the payment (finance: 振込予定) and the
    bank's 振込完了 (finance)."""
    clerk = factories.UserFactory(username="clerk", role="staff")
    submit_application(case_id=case.pk, actor=clerk)
    verify_application(case_id=case.pk, actor=staff)
    decide_grant(case_id=case.pk, actor=approver)
    prepare_payment(case_id=case.pk, actor=finance)
    approve_payment(case_id=case.pk, actor=finance2)
    record_payment(case_id=case.pk, actor=finance)
    confirm_transfer(case_id=case.pk, actor=finance)
    return GrantCase.objects.get(pk=case.pk)


# Names an association may be given that a spreadsheet would run or read as markup (the hostile cases).
FORMULAS = ["=cmd|' /C calc'!A0", "+81-3", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x","y")',
            "\x01=1+1", "\x0b@x"]


MARKUP = ["<r><t>x</t></r>", "<r></r>", "<r><f>1+1</f></r>", "<r>&amp;</r>", "<r>\x07\x08</r>", "<r>" + "あ" * 100 + "</r>",
          "\x07<r>x</r>", "<r>x</r>\x0b", "_x0041_", "<r>_x0041_</r>", "\ufffe\uffff"]


def export(programme_year: ProgrammeYear) -> Workbook:
    """Write the programme-year's workbook to memory and load it back (formulas not evaluated)."""
    buffer = io.BytesIO()
    programme_year_workbook(ProgrammeYear.objects.get(pk=programme_year.pk), buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


# --- the budget dashboard (reports/dashboard.py): a ledger story in two 地域, and its reconciliation --------------
FY = factories.CURRENT_FY


def yuda() -> Area:
    return factories.AreaFactory(code="03", name="湯田", kana="ゆだ", centre_name="湯田地域交流センター")


def ledger_story(case, other_case, association_head, staff, staff2, approver, finance) -> ProgrammeYear:  # type: ignore[no-untyped-def]
    """Cases taken through the real services, in two 地域:

    - 大歳 (10): ``case``, 120 households → 70,000 yen decided and paid; then 5,000 yen refunded, and a
      2,000 yen refund posted by mistake and reversed.
    - 湯田 (03): ``other_case``, 40 households → 30,000 yen decided and paid; ``withdrawn``, 20 households →
      20,000 yen decided, whose commitment is then reversed in the ledger.
    - Budget: 5,000,000 yen, plus a 1,000,000 yen budget entry that was reversed.
    """
    area = yuda()
    other_case.organization.area = area
    other_case.organization.save()
    py = case.programme_year

    extra = set_budget(programme_year=py, budget=1_000_000, actor=finance, note="補正（誤り）")
    post_entry(programme_year=py, kind=EntryKind.REVERSAL, amount=0, actor=finance, reverses=extra)

    take_to(case, Status.PAID, head=association_head, staff=staff, approver=approver, finance=finance)
    post_entry(programme_year=py, kind=EntryKind.REFUND, amount=5_000, actor=finance, case=case, note="返還")
    wrong = post_entry(programme_year=py, kind=EntryKind.REFUND, amount=2_000, actor=finance, case=case)
    post_entry(programme_year=py, kind=EntryKind.REVERSAL, amount=0, actor=finance, reverses=wrong,
               case_reversal=True)

    take_to(other_case, Status.PAID, head=staff2, staff=staff, approver=approver, finance=finance)

    org = factories.AssociationFactory(name="湯田第2自治会", area=area)
    factories.BankAccountFactory(organization=org)
    factories.RepresentativeFactory(organization=org, name="湯田 花子")
    factories.count(org, factories.BASE_DATE, 20)
    withdrawn = GrantCase(programme_year=py, organization=org)
    apply_count(withdrawn, 20)
    withdrawn.save()
    take_to(withdrawn, Status.DECIDED, head=staff2, staff=staff, approver=approver, finance=finance)
    commitment = LedgerEntry.objects.get(case=withdrawn, kind=EntryKind.COMMITMENT)
    assert commitment.amount == 20_000
    post_entry(programme_year=py, kind=EntryKind.REVERSAL, amount=0, actor=finance, reverses=commitment,
               case_reversal=True)
    return py


def paid_cases(programme_year, n: int, actor) -> None:  # type: ignore[no-untyped-def]
    """``n`` cases spread over three 地域, each committed 10,000 yen and paid 6,000 yen in the ledger."""
    areas = [factories.AreaFactory(), yuda(), factories.AreaFactory(code="05", name="小鯖", kana="おさば",
                                                                     centre_name="小鯖地域交流センター")]
    for i in range(n):
        org = factories.AssociationFactory(area=areas[i % 3])
        case = GrantCase.objects.create(programme_year=programme_year, organization=org)
        post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=10_000, actor=actor, case=case)
        post_entry(programme_year=programme_year, kind=EntryKind.PAYMENT, amount=6_000, actor=actor, case=case)


def assert_reconciles(programme_year) -> None:  # type: ignore[no-untyped-def]
    """The dashboard's programme row, the sum of its 地域 rows and the ledger recomputed all equal the BudgetAccount
    (the programme-year must be the only one of the year)."""
    account = BudgetAccount.objects.get(programme_year=programme_year)
    rows = programme_totals(FY)
    assert len(rows) == 1
    row = rows[0]
    assert (row.budget, row.committed, row.paid, row.refunded) == (
        account.budget, account.committed, account.paid, account.refunded)
    areas = sum_area_rows(area_totals(FY))
    assert (areas.committed, areas.paid, areas.refunded) == (account.committed, account.paid, account.refunded)
    recomputed = ledger_totals(programme_year)
    assert recomputed == {"budget": account.budget, "committed": account.committed, "paid": account.paid,
                          "refunded": account.refunded}
