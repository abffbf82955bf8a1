"""Builders of the export tests: associations ready for verification, and cases taken through the real services (grants.cases.services, grants.ledger.services)."""
import io

from openpyxl import Workbook, load_workbook

from grants.accounts.models import User
from grants.cases.models import GrantCase
from grants.cases.services import (
    apply_count,
    approve_payment,
    decide_grant,
    prepare_payment,
    record_payment,
    submit_application,
    verify_application,
)
from grants.organizations.models import Organization
from grants.programmes.models import ProgrammeYear
from reports.exporters import programme_year_workbook
from tests import factories


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
    (approver), prepare payment (finance), approve it (finance2) and record the payment (finance)."""
    clerk = factories.UserFactory(username="clerk", role="staff")
    submit_application(case_id=case.pk, actor=clerk)
    verify_application(case_id=case.pk, actor=staff)
    decide_grant(case_id=case.pk, actor=approver)
    prepare_payment(case_id=case.pk, actor=finance)
    approve_payment(case_id=case.pk, actor=finance2)
    record_payment(case_id=case.pk, actor=finance)
    return GrantCase.objects.get(pk=case.pk)


def export(programme_year: ProgrammeYear) -> Workbook:
    """Write the programme-year's workbook to memory and load it back (formulas not evaluated)."""
    buffer = io.BytesIO()
    programme_year_workbook(ProgrammeYear.objects.get(pk=programme_year.pk), buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))
