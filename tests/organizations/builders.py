"""Builders of the figures other than households (人口, 面積 …) and of a rule that uses them."""
import datetime as dt
from decimal import Decimal

from grants.organizations.models import CountSource, Measure, Organization, OrganizationFigure
from grants.programmes.models import ComponentKind, FormulaComponent, ProgrammeYear
from tests import factories


def measure(code: str) -> Measure:
    """A measure the data migration creates: ``population`` 人口, ``area`` 面積 (km², 2 places), ``newsletters``."""
    return Measure.objects.get(code=code)


def figure(organization: Organization, code: str, base_date: dt.date, value: str | int,
           source: str = CountSource.REGISTER, note: str = "") -> OrganizationFigure:
    return OrganizationFigure.objects.create(organization=organization, measure=measure(code), base_date=base_date,
                                             value=Decimal(str(value)), source=source, note=note)


def per_unit(rule: ProgrammeYear, code: str, label: str, unit_amount: int, order: int) -> FormulaComponent:
    return FormulaComponent.objects.create(programme_year=rule, order=order, kind=ComponentKind.PER_UNIT,
                                           label=label, unit_amount=unit_amount, measure=measure(code))


def population_and_area_rule(rule: ProgrammeYear | None = None) -> ProgrammeYear:
    """均等割 10,000円 + 世帯割 500円 (the sample rule) + 人口割 30円/人 + 面積割 10,000円/km²."""
    rule = rule or factories.rule()
    per_unit(rule, "population", "人口割", 30, 10)
    per_unit(rule, "area", "面積割", 10_000, 11)
    return rule
