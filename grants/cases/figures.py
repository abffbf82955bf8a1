"""The inputs of an association's formula on the rule's base date (基準日), from what is on file (GRANTS.md §4).

A formula grant's amount is computed from the member households (``HouseholdCount``) and from every other figure
its rule uses (人口, 面積 …: ``Measure`` and ``OrganizationFigure``). For each, the latest row recorded for the
base date is in force; a run reads those recorded up to its start. The annual run reads a whole chunk with one
query per input kind; a case reads its own. A needed figure that is missing leaves the case without an amount
(counted like a missing household count), never an error.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from grants.organizations.models import HouseholdCount, Measure, OrganizationFigure, format_figure
from grants.programmes.engine import Computation, compute
from grants.programmes.models import CONDITION_INPUTS, ProgrammeYear

from .models import GrantCase

FigureInputs = dict[str, int | Decimal]


def measure_codes(rule: ProgrammeYear) -> set[str]:
    """The codes of the measures ``rule``'s components multiply or test (人口, 面積 …), households excluded.
    Reads the components (prefetched by ``engine.load_rule``)."""
    codes: set[str] = set()
    for component in rule.components.all():
        codes.update(code for code in (component.input_code, component.condition_input) if code)
    return codes - set(CONDITION_INPUTS)


def measures_used(rule: ProgrammeYear) -> list[Measure]:
    """The measures ``rule`` uses, in their order (one query)."""
    return list(Measure.objects.filter(code__in=measure_codes(rule)))


def latest_counts(org_ids: list[int], base_date: dt.date, as_of: dt.datetime | None = None) -> dict[int, int]:
    """The household count in force for each organisation on ``base_date`` (recorded up to ``as_of``)."""
    return dict(counts_query(org_ids, base_date, as_of))


def counts_query(
    org_ids: list[int], base_date: dt.date, as_of: dt.datetime | None = None
) -> "QuerySet[HouseholdCount, tuple[int, int]]":
    """(organisation id, households) of every count of ``org_ids`` for ``base_date`` recorded up to ``as_of``,
    oldest first: the last of each organisation is the one in force."""
    rows = HouseholdCount.objects.filter(organization_id__in=org_ids, base_date=base_date)
    if as_of is not None:
        rows = rows.filter(recorded_at__lte=as_of)
    return rows.order_by("recorded_at", "pk").values_list("organization_id", "households")


def formula_inputs(
    rule: ProgrammeYear, org_ids: list[int], *, as_of: dt.datetime | None = None
) -> dict[int, FigureInputs]:
    """{organisation id: engine inputs}: ``households`` and each measure ``rule`` uses, by code, as on file for
    the rule's base date (recorded up to ``as_of``). An input with nothing on file is absent. Three queries,
    whatever the number of organisations: the measures, the counts and the figures."""
    measures = measures_used(rule)
    by_id = {measure.pk: measure for measure in measures}
    found: dict[int, FigureInputs] = {pk: {} for pk in org_ids}
    for org_id, households in latest_counts(org_ids, rule.base_date, as_of).items():
        found[org_id]["households"] = households
    if measures:
        figures = OrganizationFigure.objects.in_force(org_ids, rule.base_date, list(by_id), as_of)
        for org_id, values in figures.items():
            for measure_id, value in values.items():
                measure = by_id[measure_id]
                found[org_id][measure.code] = measure.engine_value(value)
    return found


def case_inputs(case: GrantCase) -> FigureInputs:
    """The inputs of ``case``'s formula: its household count (as on the case) and the figures on file."""
    rule = case.programme_year
    inputs = formula_inputs(rule, [case.organization_id])[case.organization_id]
    inputs.pop("households", None)
    if case.household_count is not None:
        inputs["households"] = case.household_count
    return inputs


def computed(rule: ProgrammeYear, inputs: FigureInputs) -> Computation | None:
    """The rule applied to ``inputs``, or None when a figure it needs is missing or unusable (the case then has
    no amount until the figure is given)."""
    try:
        return compute(rule, inputs)
    except ValueError:  # MissingInputError, YearLimitError, a bad figure: no amount, never a traceback
        return None


@dataclass(frozen=True)
class FigureRow:
    """A figure a case's rule uses: its measure, the value in force (None = not on file) and its text with the
    unit (「12.34km²」, 「未届」)."""

    measure: Measure
    value: Decimal | None
    text: str


def figure_rows(case: GrantCase) -> list[FigureRow]:
    """The figures ``case``'s rule uses besides the households, for its page (two queries)."""
    rule = case.programme_year
    measures = measures_used(rule)
    values = OrganizationFigure.objects.in_force([case.organization_id], rule.base_date, [m.pk for m in measures])
    mine = values.get(case.organization_id, {})
    return [FigureRow(m, mine.get(m.pk), format_figure(mine[m.pk], m) if m.pk in mine else "未届") for m in measures]
