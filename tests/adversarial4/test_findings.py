"""Attacks on the 運営支援 staff-cost rule: a 人件費 claim above the recorded employment, and one person recorded
twice (each record would earn its own standard amount). Both are refused now."""
import datetime as dt

import pytest

from grants.cases import lifecycle
from grants.cases.workflows import CaseActionError
from tests.councils import builders
from tests.councils.helpers import line
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(CURRENT_FY + 1, 3, 31)


def test_regression_staff_cost_line_above_the_recorded_employment_cost_is_caught(unei, council, staff) -> None:  # type: ignore[no-untyped-def]
    """A part-timer recorded at ¥50,000 a month (¥600,000 a year) claimed at ¥2,400,000: the 運営支援 rule pays
    min(standard, claimed), so the whole standard amount is granted."""
    org, secretary = council
    builders.approved_plan(org, staff)
    person = builders.staff_member(org, secretary, monthly_wage=50_000, social_insurance_monthly=0)
    assert person.cost_in(CURRENT_FY) == 600_000
    case = builders.draft_case(unei, org, start=dt.date(CURRENT_FY, 4, 1))
    line(case, secretary, category=builders.categories()["jinkenhi"], staff=person, amount=2_400_000,
         spent_on=dt.date(CURRENT_FY, 4, 1))
    lifecycle.submit(case_id=case.pk, actor=secretary)
    with pytest.raises(CaseActionError):
        lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=600_000, note="記録に合わせる",
                         completion_deadline=DEADLINE)


def test_regression_one_person_recorded_twice_does_not_earn_two_standard_amounts(unei, council, staff) -> None:  # type: ignore[no-untyped-def]
    from grants.councils.staff import StaffError, add_staff

    org, secretary = council
    add_staff(actor=secretary, organization_id=org.pk, name="佐藤 花子", role="事務局員", pay_basis="monthly",
              monthly_wage=200_000, employed_from=dt.date(CURRENT_FY, 4, 1))
    with pytest.raises(StaffError):
        add_staff(actor=secretary, organization_id=org.pk, name="佐藤 花子", role="事務局長", pay_basis="monthly",
                  monthly_wage=200_000, employed_from=dt.date(CURRENT_FY, 4, 1))
