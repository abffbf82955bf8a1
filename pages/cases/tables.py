from typing import Any

import django_tables2 as tables
from django.core.paginator import Page
from django_tables2 import LazyPaginator
from django_tables2.rows import BoundRows

from grants.cases.models import GrantCase
from grants.cases.querysets import YEARS_NEWEST_FIRST, YEARS_OLDEST_FIRST, YEARS_REVERSED, CaseNumberOrder

# The table's orderings read by case number (``CaseNumberOrder``), by ``table.order_by``: none (the list's default:
# 年度 newest first, then programme and case number), and the 案件番号 column sorted up or down.
BY_CASE_NUMBER = {(): (YEARS_NEWEST_FIRST, "number"), ("reference",): (YEARS_OLDEST_FIRST, "number"),
                  ("-reference",): (YEARS_REVERSED, "-number")}


class YenColumn(tables.Column):
    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}


class SelectColumn(tables.Column):
    """A checkbox per case for the list's bulk form (``form="case-bulk"``: the form is below the table)."""

    def __init__(self) -> None:
        super().__init__("選択", accessor="pk", orderable=False, empty_values=())


class CaseNumberPages(LazyPaginator):
    """django-tables2's ``LazyPaginator`` (前のページ・次のページ, no total shown) over ``order``, the table's cases in
    case-number order: a page is the slice of ``order`` (two queries whatever the number of programme-years), as
    the table's rows."""

    def __init__(self, object_list: BoundRows, per_page: int, *, order: CaseNumberOrder, **kwargs: Any) -> None:
        self.table = object_list.table
        super().__init__(order, per_page, **kwargs)

    def page(self, number: int | str) -> Page:
        page = super().page(number)
        page.object_list = list(BoundRows(page.object_list, table=self.table))
        return page


class GrantCaseTable(tables.Table):
    """The case list; ``select``, the checkboxes of the bulk form, only for a user offered bulk acts (the view
    excludes it otherwise). The columns give the header, its sorts and the pages; the rows are written by
    ``templates/cases/_case_table.html`` (a cell rendered by django-tables2 cost several times the page's queries),
    which follows ``Meta.sequence``."""

    select = SelectColumn()
    reference = tables.Column("案件番号", accessor="number",
                              order_by=("programme_year__fiscal_year", "programme_year__programme__code", "number"))
    # Each sort ends with the case's id: many cases share a 状態 or an amount, and without a last key PostgreSQL
    # may give such cases in another order on each page (one shown twice, another never).
    organization__code = tables.Column("団体コード", order_by=("organization__code", "pk"))
    organization__name = tables.Column("団体名", order_by=("organization__name", "pk"))
    organization__area__name = tables.Column("地域", order_by=("organization__area__name", "pk"))
    status = tables.Column("状態", order_by=("status", "pk"))
    household_count = tables.Column("世帯数", attrs={"td": {"class": "num"}}, order_by=("household_count", "pk"))
    computed_amount = YenColumn("算定額", order_by=("computed_amount", "pk"))
    decided_amount = YenColumn("交付決定額", order_by=("decided_amount", "pk"))

    class Meta:
        model = GrantCase
        fields: tuple[str, ...] = ()
        sequence = ("select", "reference", "organization__code", "organization__name", "organization__area__name",
                    "status", "household_count", "computed_amount", "decided_amount")
        attrs = {"class": "data"}
        empty_text = "該当する案件はありません。"
        template_name = "cases/_case_table.html"

    @property
    def selects(self) -> bool:
        """Whether the rows carry the bulk form's checkboxes."""
        return "select" not in self.exclude
