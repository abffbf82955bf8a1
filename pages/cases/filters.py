"""The case list's filters (案件一覧の絞り込み), shared by the list and its exports (``pages.cases.exports``), so that
an export holds exactly the rows the list shows.

Amounts are whole yen, typed as a Japanese keyboard types them (「１００，０００」 reads 100000); dates are days
(申請日 is the day of ``submitted_at`` in the city's time zone). Whatever is typed comes back in its box: a value
that is not an amount or a date, or a range whose end comes before its start, is shown with its error right after
the field, and the list is then empty (never a 500, never a list wider than asked for)."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.forms.boundfield import BoundField
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from grants.accounts.models import User
from grants.cases.models import GrantCase, Status
from grants.cases.overdue import overdue_cases
from grants.organizations.models import Area
from grants.programmes.models import ProgrammeYear
from pages.forms import TypedIntegerField

ALL = "すべて"
OVERDUE = "overdue"
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# (start field, end field, what the error says) of each range; the error is shown at the end field.
RANGES = (
    ("computed_min", "computed_max", "算定額の上限は、下限以上の額を入力してください。"),
    ("decided_min", "decided_max", "交付決定額の上限は、下限以上の額を入力してください。"),
    ("submitted_from", "submitted_to", "申請日の終わりは、始まり以後の日を入力してください。"),
    ("decided_from", "decided_to", "交付決定日の終わりは、始まり以後の日を入力してください。"),
)


class FieldWithError(BoundField):
    """A filter's input followed by its errors, at the field (the list's template renders ``{{ field }}`` alone).
    The errors carry the id ``<id>_error`` that Django's ``aria-describedby`` on the input names."""

    def __str__(self) -> SafeString:
        html = super().__str__()
        if not self.errors:
            return html
        return format_html('{}<span class="errorlist" id="{}_error">{}</span>', html, self.auto_id,
                           " ".join(str(error) for error in self.errors))


class FilterForm(forms.Form):
    """The filters' form: each field with its error, and a range's end never before its start."""

    bound_field_class = FieldWithError

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end, message in RANGES:
            low, high = data.get(start), data.get(end)
            if low is not None and high is not None and high < low:
                self.add_error(end, message)
        return data


class YenField(TypedIntegerField):
    """An amount in whole yen, 0 or more, as typed (full-width digits and 「,」 accepted)."""

    default_error_messages = {"invalid": "金額は円単位の数字で入力してください（例：100000）。",
                              "min_value": "金額は0円以上で入力してください。"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=0, **kwargs)


class YenFilter(django_filters.Filter):
    field_class = YenField


class DayField(forms.DateField):
    default_error_messages = {"invalid": "日付を正しく入力してください（例：2026-04-01）。"}


class DayFilter(django_filters.DateFilter):
    field_class = DayField


def yen(label: str, name: str, lookup: str) -> YenFilter:
    return YenFilter(label=label, field_name=name, lookup_expr=lookup)


def day(label: str, name: str, lookup: str) -> DayFilter:
    return DayFilter(label=label, field_name=name, lookup_expr=lookup, widget=DATE_INPUT)


# The number of a case number as printed (令和8年度 活動支援 第128号); longer is no case's, nor a database integer.
PRINTED_NUMBER = re.compile(r"第\s*([0-9]{1,9})\s*号")
# The 年度 of a case number as printed (令和8年度, 平成31年度, 令和元年度): the era and the year within it.
PRINTED_YEAR = re.compile(r"(令和|平成|昭和)\s*(元|[0-9]{1,2})\s*年度")
ERA_BEFORE_FIRST_YEAR = {"令和": 2018, "平成": 1988, "昭和": 1925}


def _printed(queryset: QuerySet[GrantCase], before: str, number: int) -> QuerySet[GrantCase]:
    """The cases numbered ``number``, of the 年度 and the programme (its 略称 or its name) typed ``before`` the
    「第…号」 where given: the whole 「令和8年度 活動支援 第128号」 is one case, not case 128 of each programme-year."""
    found = queryset.filter(number=number)
    year = PRINTED_YEAR.search(before)
    if year:
        era_year = 1 if year.group(2) == "元" else int(year.group(2))
        found = found.filter(programme_year__fiscal_year=ERA_BEFORE_FIRST_YEAR[year.group(1)] + era_year)
        before = before[:year.start()] + before[year.end():]
    name = before.strip()
    if name:
        found = found.filter(Q(programme_year__programme__short_name=name) | Q(programme_year__programme__name=name))
    return found


class GrantCaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="案件番号・団体コード・団体名", method="search")
    programme_year = django_filters.ModelChoiceFilter(
        label="事業・年度", empty_label=ALL,
        queryset=ProgrammeYear.objects.select_related("programme").order_by("-fiscal_year", "programme__code", "pk"),
    )
    status = django_filters.ChoiceFilter(label="状態", choices=Status.choices, empty_label=ALL)
    organization__area = django_filters.ModelChoiceFilter(
        label="地域", queryset=Area.objects.all(), empty_label=ALL
    )
    computed_min = yen("算定額（円）　下限", "computed_amount", "gte")
    computed_max = yen("算定額（円）　上限", "computed_amount", "lte")
    decided_min = yen("交付決定額（円）　下限", "decided_amount", "gte")
    decided_max = yen("交付決定額（円）　上限", "decided_amount", "lte")
    submitted_from = day("申請日　始まり", "submitted_at__date", "gte")
    submitted_to = day("申請日　終わり", "submitted_at__date", "lte")
    decided_from = day("交付決定日　始まり", "decided_on", "gte")
    decided_to = day("交付決定日　終わり", "decided_on", "lte")
    overdue = django_filters.ChoiceFilter(
        label="実績報告の期限超過", choices=[(OVERDUE, "期限を過ぎたもの")], empty_label=ALL, method="late",
    )

    class Meta:
        model = GrantCase
        fields: list[str] = []
        form = FilterForm

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def filter_queryset(self, queryset: QuerySet[GrantCase]) -> QuerySet[GrantCase]:
        """The cases the filters ask for; none while a filter has an error (its value was not understood)."""
        if self.form.errors:
            return queryset.none()
        return super().filter_queryset(queryset)

    def search(self, queryset: QuerySet[GrantCase], name: str, value: str) -> QuerySet[GrantCase]:
        """By 団体コード or 団体名, or by the case number as printed: 「第128号」 finds case 128 of each programme-year
        listed, the whole 「令和8年度 活動支援 第128号」 that one case (``_printed``), and a bare 「128」 finds it
        besides the codes and names that contain 128. Full-width digits read as digits."""
        text = unicodedata.normalize("NFKC", value).strip()
        printed = PRINTED_NUMBER.search(text)
        if printed:
            return _printed(queryset, text[:printed.start()], int(printed.group(1)))
        match = Q(organization__code__icontains=value) | Q(organization__name__icontains=value)
        bare = re.fullmatch(r"[0-9]{1,9}", text)
        return queryset.filter(match | Q(number=int(text)) if bare else match)

    def late(self, queryset: QuerySet[GrantCase], name: str, value: str) -> QuerySet[GrantCase]:
        """実績報告 past its due date, by the rule of ``grants.cases.overdue``."""
        return overdue_cases(queryset, today=self.today) if value == OVERDUE else queryset


def case_filter(query: QueryDict, user: User) -> GrantCaseFilter:
    """The case list's filters on ``query`` over the cases ``user`` may see: what the list shows, its export
    writes and its bulk act takes (「絞り込みに該当するすべての案件」)."""
    visible = GrantCase.objects.visible_to(user).select_related("organization__area", "programme_year__programme")
    return GrantCaseFilter(query, queryset=visible)
