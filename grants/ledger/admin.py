import json
import re
from typing import Any

import zengin_code
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextInputWidget
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from grants.accounts.models import User
from grants.core.admin_audit import AuditedAdminMixin, HistoryAdminMixin
from grants.organizations.kana import ACCOUNT_NAME_INPUT_MAX_CHARS, AccountNameError, normalize_account_name
from grants.programmes.models import ProgrammeYear

from .models import BudgetAccount, EntryKind, LedgerEntry, PaymentOrder, TransferSettings
from .services import post_entry


class BudgetAccountForm(forms.ModelForm):
    """The totals are read-only; a budget (当初予算) or a supplementary budget (補正予算) is added as a ledger
    entry of ``budget_increase`` yen, so that who raised it and when stays on record."""

    budget_increase = forms.IntegerField(label="予算の追加額（円）", min_value=1, max_value=10**13, required=False,
                                         help_text="当初予算・補正予算の額。台帳に予算の仕訳として記録します。")
    budget_note = forms.CharField(label="摘要", max_length=200, required=False, initial="当初予算")

    class Meta:
        model = BudgetAccount
        fields = ["programme_year", "budget_code"]


@admin.register(BudgetAccount)
class BudgetAccountAdmin(AuditedAdminMixin, HistoryAdminMixin, admin.ModelAdmin):
    """A programme-year's budget account: its code is edited (audited), its totals move by ledger entries, and it
    is never deleted (its ledger entries point at it)."""

    form = BudgetAccountForm
    list_display = ("programme_year", "budget", "committed", "paid", "refunded")
    readonly_fields = ("budget", "committed", "paid", "refunded")  # moved only by ledger entries

    def get_readonly_fields(self, request: HttpRequest, obj: BudgetAccount | None = None) -> tuple[str, ...]:
        return (*self.readonly_fields, "programme_year") if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: BudgetAccount, form: forms.Form, change: bool) -> None:
        with transaction.atomic():
            if change:
                # Only the fields of the form: the totals in ``obj`` are a copy that may be stale by now.
                obj.save(update_fields=["budget_code"])
            else:
                super().save_model(request, obj, form, change)
            amount = form.cleaned_data.get("budget_increase")
            if amount:
                assert isinstance(request.user, User)  # the admin site lets only logged-in staff in
                post_entry(programme_year=obj.programme_year, kind=EntryKind.BUDGET, amount=amount,
                           actor=request.user, note=form.cleaned_data.get("budget_note") or "予算")
                obj.refresh_from_db()


# A programme-year's name (令和8年度 …) by what it is made of: its 和暦 is worked out once, not on every row of every
# page (japanera's conversion cost more than the rest of a row). Keyed by the name's parts, so never stale.
_YEAR_LABELS: dict[tuple[int, str, str], str] = {}


def year_label(programme_year: ProgrammeYear) -> str:
    """``str(programme_year)``, remembered by its 年度, programme name and label."""
    key = (programme_year.fiscal_year, programme_year.programme.name, programme_year.label)
    if key not in _YEAR_LABELS:
        _YEAR_LABELS[key] = str(programme_year)
    return _YEAR_LABELS[key]


class ProgrammeYearListFilter(admin.SimpleListFilter):
    """The entries of one programme-year's budget account, its options named as people read them (令和8年度
    自治会等自治振興交付金) in one query; the value is the account's id, so the list walks the account's index."""

    title = "事業・年度"
    parameter_name = "account"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        accounts = BudgetAccount.objects.select_related("programme_year__programme").order_by(
            "-programme_year__fiscal_year", "programme_year__programme__code", "pk")
        return [(str(account.pk), year_label(account.programme_year)) for account in accounts]

    def queryset(self, request: HttpRequest, queryset: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
        value = self.value()
        if value is None:
            return queryset
        if not re.fullmatch(r"[0-9]{1,12}", value):
            return queryset.none()
        return queryset.filter(account_id=int(value))


class EstimatedCountPaginator(Paginator):
    """The admin's pages of a list that may hold millions of rows: counted exactly up to ``exact_up_to`` rows (a
    count that stops there), beyond that, on PostgreSQL, the planner's estimate of the filtered list's rows (an
    EXPLAIN: no row is read) — a COUNT(*) of 1,000,000 rows cost more than the rest of the page. Elsewhere
    (SQLite) an exact count.

    An estimate can fall short (two filters that pick the same rows are taken as independent): a page past the
    estimated last one is still served while it has rows (``?p=`` of the admin), so no entry is out of reach."""

    exact_up_to = 100_000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return len(rows)
        rows = rows.select_related(None).order_by()  # the filters alone: what counts
        capped = rows[: self.exact_up_to + 1].count()
        if capped <= self.exact_up_to:
            return capped
        connection = connections[rows.db]
        if connection.vendor != "postgresql":
            return rows.count()
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return max(int(plan[0]["Plan"]["Plan Rows"]), capped)

    def validate_number(self, number: object) -> int:
        """A whole page number of 1 or more; past the counted pages only while rows remain (``page``)."""
        try:
            value = int(number)  # type: ignore[call-overload]
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger("ページ番号が正しくありません。") from exc
        if value < 1:
            raise EmptyPage("ページ番号が正しくありません。")
        return value

    def page(self, number: object) -> Page:
        """The page ``number`` (from 1), read by its slice, not bounded by ``count``; an empty page past the first
        raises ``EmptyPage``."""
        value = self.validate_number(number)
        bottom = (value - 1) * self.per_page
        rows = self.object_list[bottom:bottom + self.per_page]
        if value > 1 and not rows:
            raise EmptyPage("このページには何もありません。")
        return Page(rows, value, self)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Read-only list of the ledger, newest first (計上日, then entry number: the order of the index
    ``ledger_entry_date_id`` and, filtered, ``ledger_entry_account_date`` / ``ledger_entry_kind_date``). One query
    for the page's rows with everything their columns name (no per-row ``__str__`` query), one count of the
    filtered rows that stops at 5,000, the planner's estimate beyond (``EstimatedCountPaginator``), and no second
    count of the whole ledger (``show_full_result_count``)."""

    list_display = ("pk", "entry_date", "programme_year", "kind", "amount_yen", "organization", "actor", "note")
    list_filter = ("kind", ProgrammeYearListFilter)
    list_select_related = ("account__programme_year__programme", "case__organization", "actor")
    ordering = ("-entry_date", "-pk")
    sortable_by = ("pk", "entry_date")
    show_full_result_count = False
    list_per_page = 50
    paginator = EstimatedCountPaginator

    @admin.display(description="事業・年度")
    def programme_year(self, obj: LedgerEntry) -> str:
        return year_label(obj.account.programme_year)

    @admin.display(description="団体（案件）")
    def organization(self, obj: LedgerEntry) -> str:
        return obj.case.organization.name if obj.case else "—"

    @admin.display(description="金額", ordering="amount")
    def amount_yen(self, obj: LedgerEntry) -> str:
        return f"{obj.amount:,}円"

    def has_change_permission(self, request: HttpRequest, obj: LedgerEntry | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # entries are posted by the services, with their checks


@admin.register(PaymentOrder)
class PaymentOrderAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Read-only: money moves only through the services (orders are scheduled by 交付決定 and 額の確定, drafted
    and approved in grants.councils.orders, and paid through a payment batch)."""

    list_display = ("case", "kind", "number", "label", "amount", "pay_on", "status", "prepared_by", "approved_by",
                    "paid_on")
    list_filter = ("kind", "status", "case__programme_year")
    search_fields = ("case__organization__name", "case__organization__code", "label")
    list_select_related = ("case__organization", "case__programme_year__programme", "prepared_by", "approved_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PaymentOrder | None = None) -> bool:
        return False


class TransferSettingsForm(forms.ModelForm):
    """The city's side of the 全銀 file, checked as the file will need it: codes that exist in zengin-code,
    digits of the right length, a requester name in the file's character set (typed up to 100 characters,
    checked once normalised, as the 口座名義 of an account)."""

    requester_name_kana = forms.CharField(
        label=TransferSettings._meta.get_field("requester_name_kana").verbose_name,
        max_length=ACCOUNT_NAME_INPUT_MAX_CHARS,
        widget=AdminTextInputWidget,
        help_text="通帳のとおりにカタカナで入力してください（全角・半角のどちらでも構いません）。半角カナに直して保存します。",
    )

    class Meta:
        model = TransferSettings
        fields = ["requester_code", "requester_name_kana", "bank_code", "branch_code", "account_type",
                  "account_number", "line_ending", "allow_period_slash", "lead_days", "early_results"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        bank = zengin_code.Bank.all.get(data.get("bank_code", ""))
        if bank is None:
            self.add_error("bank_code", "金融機関コードが存在しません。")
        elif data.get("branch_code") not in bank.branches:
            self.add_error("branch_code", f"{bank.name}にこの支店コードはありません。")
        if not re.fullmatch(r"[0-9]{1,10}", data.get("requester_code", "")):
            self.add_error("requester_code", "委託者コードは10桁以内の数字です。")
        if not re.fullmatch(r"[0-9]{7}", data.get("account_number", "")):
            self.add_error("account_number", "口座番号は7桁の数字です。")
        if "requester_name_kana" in data:  # not when the field itself was refused (empty, over 100 characters)
            try:
                data["requester_name_kana"] = normalize_account_name(
                    data["requester_name_kana"], allow_period_slash=bool(data.get("allow_period_slash"))
                )
            except AccountNameError as exc:
                self.add_error("requester_name_kana", str(exc))
        return data


@admin.register(TransferSettings)
class TransferSettingsAdmin(AuditedAdminMixin, HistoryAdminMixin, admin.ModelAdmin):
    """The city's side of the 全銀 file (one row, never deleted); every change is audited with old and new values."""

    form = TransferSettingsForm
    list_display = ("requester_code", "requester_name_kana", "bank_code", "branch_code", "line_ending")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # one row, added only by an administrator who holds the permission to add it
        return super().has_add_permission(request) and not TransferSettings.objects.exists()
