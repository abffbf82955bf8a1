"""The ledger page's table: one row per ``LedgerEntry`` as people read it (no internal code), amounts in yen."""
import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from grants.core.fiscal import wareki
from grants.ledger.models import EntryKind, LedgerEntry
from pages.cases.tables import YenColumn


class LedgerTable(tables.Table):
    """Rows with ``account__programme_year__programme``, ``case__organization``, ``case__programme_year__programme``
    and ``actor`` loaded (``pages.ledger.views.ROWS``): no query per row."""

    entry_date = tables.Column("計上日")
    number = tables.Column("仕訳番号", accessor="pk", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    programme_year = tables.Column("事業・年度", accessor="account__programme_year", empty_values=())
    kind = tables.Column("区分", empty_values=())
    case = tables.Column("案件番号", empty_values=())
    organization = tables.Column("団体", accessor="case__organization__name", default="—")
    amount = YenColumn("金額")
    note = tables.Column("摘要", default="")
    actor = tables.Column("記録者")

    class Meta:
        model = LedgerEntry
        fields: tuple[str, ...] = ()
        sequence = ("entry_date", "number", "programme_year", "kind", "case", "organization", "amount", "note",
                    "actor")
        attrs = {"class": "data", "id": "ledger-entries"}
        orderable = False  # one order, the index's: 計上日 and entry number, newest first
        empty_text = "該当する仕訳はありません。"

    def render_entry_date(self, record: LedgerEntry) -> str:
        return wareki(record.entry_date)

    def render_kind(self, record: LedgerEntry) -> str:
        """The kind's name; a reversal names the entry it undoes (取消（反対仕訳）：第12号)."""
        if record.kind == EntryKind.REVERSAL and record.reverses_id:
            return f"{record.get_kind_display()}：仕訳番号 {record.reverses_id}"
        return record.get_kind_display()

    def render_case(self, record: LedgerEntry) -> str:
        if record.case is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("case_detail", args=[record.case_id]),
                           record.case.reference)
