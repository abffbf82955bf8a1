"""The ledger page's filters (台帳の絞り込み): programme-year, entry kind, a range of 計上日 and an organisation.

Whatever is typed comes back in its box; a date that is not a date, or a range whose end comes before its start,
is shown with its error right after the field, and the list is then empty (never a 500, never a list wider than
asked for). The programme-year's options are read once (one query) and given to the filter by the view."""
from __future__ import annotations

import unicodedata
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from grants.ledger.models import EntryKind, LedgerEntry
from pages.cases.filters import ALL, DATE_INPUT, DayFilter, FieldWithError

# How many entries a page may show (表示件数); the first is the default.
PAGE_SIZES = (50, 25, 100)


class LedgerFilterForm(forms.Form):
    """Each field with its error; the range's end never before its start."""

    bound_field_class = FieldWithError

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("date_from"), data.get("date_to")
        if low is not None and high is not None and high < low:
            self.add_error("date_to", "計上日の終わりは、始まり以後の日を入力してください。")
        return data


class LedgerFilter(django_filters.FilterSet):
    """The filters of the ledger page over ``LedgerEntry``; ``years``: the programme-year options, [(id, name)]."""

    year = django_filters.ChoiceFilter(label="事業・年度", field_name="account__programme_year", empty_label=ALL)
    kind = django_filters.ChoiceFilter(label="区分", choices=EntryKind.choices, empty_label=ALL)
    date_from = DayFilter(label="計上日　始まり", field_name="entry_date", lookup_expr="gte", widget=DATE_INPUT)
    date_to = DayFilter(label="計上日　終わり", field_name="entry_date", lookup_expr="lte", widget=DATE_INPUT)
    organization = django_filters.CharFilter(label="団体（団体コードまたは団体名）", method="of_organization")
    per_page = django_filters.ChoiceFilter(label="表示件数", choices=[(str(n), f"{n}件") for n in PAGE_SIZES[1:]],
                                           empty_label=f"{PAGE_SIZES[0]}件", method="keep")

    class Meta:
        model = LedgerEntry
        fields: list[str] = []
        form = LedgerFilterForm

    def __init__(self, *args: Any, years: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = years  # the instance's copy of the filter, before its form is made

    def filter_queryset(self, queryset: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
        """The entries the filters ask for; none while a filter has an error (its value was not understood)."""
        if self.form.errors:
            return queryset.none()
        return super().filter_queryset(queryset)

    def of_organization(self, queryset: QuerySet[LedgerEntry], name: str, value: str) -> QuerySet[LedgerEntry]:
        """The entries of the cases of the organisations whose 団体コード is ``value`` or whose name contains it
        (full-width letters and digits read as half-width in the code)."""
        text = value.strip()
        if not text:
            return queryset
        code = unicodedata.normalize("NFKC", text)
        return queryset.filter(Q(case__organization__code=code) | Q(case__organization__name__contains=text))

    def keep(self, queryset: QuerySet[LedgerEntry], name: str, value: str) -> QuerySet[LedgerEntry]:
        """``per_page`` is read by the view; it filters nothing."""
        return queryset

    @property
    def page_size(self) -> int:
        """Entries per page: the one chosen, else the first of ``PAGE_SIZES``."""
        chosen = self.form.cleaned_data.get("per_page") if self.form.is_valid() else None
        return int(chosen) if chosen else PAGE_SIZES[0]
