import django_tables2 as tables
from django.utils.html import format_html

from grants.cases.models import GrantCase


class YenColumn(tables.Column):
    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def render(self, value: int) -> str:
        return f"{value:,}円"


class GrantCaseTable(tables.Table):
    reference = tables.Column("案件番号", accessor="pk", order_by=("pk",))
    organization__code = tables.Column("団体コード")
    organization__name = tables.Column("団体名")
    organization__area__name = tables.Column("地域")
    status = tables.Column("状態")
    household_count = tables.Column("世帯数", attrs={"td": {"class": "num"}})
    computed_amount = YenColumn("算定額")
    decided_amount = YenColumn("交付決定額")

    class Meta:
        model = GrantCase
        fields: tuple[str, ...] = ()
        sequence = ("reference", "organization__code", "organization__name", "organization__area__name", "status",
                    "household_count", "computed_amount", "decided_amount")
        attrs = {"class": "data"}
        empty_text = "該当する案件はありません。"

    def render_reference(self, record: GrantCase) -> str:
        return format_html('<a href="{}">{}</a>', f"/cases/{record.pk}/", record.reference)
