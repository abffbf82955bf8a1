"""What the open data publishes of each organisation kind (公表の方法), as data the administrator edits."""
from django.db import models

from grants.organizations.models import OrganizationKind


class PublicationMode(models.TextChoices):
    """How the awards to one organisation kind appear in the open data."""

    INDIVIDUAL = "individual", "個別に公表（交付先ごとに1行）"
    AREA_TOTALS = "area_totals", "地域ごとの合計のみ（団体名を出さない）"
    NONE = "none", "公表しない"


#: The policy of each kind until the administrator saves one (and the rows migration 0001 writes): about 770 自治会
#: receive a formula grant computed from their member households, so one row per 自治会 would publish the size of
#: small neighbourhoods and often point at the 会長's household; the totals per 地域 still show what the city funds.
#: Councils, citizen groups and federations are published by name. A kind not named here is not published.
DEFAULT_POLICY: dict[str, str] = {
    OrganizationKind.JICHIKAI: PublicationMode.AREA_TOTALS,
    OrganizationKind.RENGO: PublicationMode.INDIVIDUAL,
    OrganizationKind.KYOGIKAI: PublicationMode.INDIVIDUAL,
    OrganizationKind.SHIMIN_DANTAI: PublicationMode.INDIVIDUAL,
}

#: The reason the public page gives for each default.
DEFAULT_REASONS: dict[str, str] = {
    OrganizationKind.JICHIKAI:
        "自治会等自治振興交付金は、約770の自治会に、加入世帯数から算定して交付しています。自治会ごとに公表すると、"
        "小さな自治会の世帯数がわかり、会長の世帯が特定されることもあるため、地域ごとの件数と合計額のみを公表します。",
    OrganizationKind.RENGO: "連合自治会は複数の自治会の連合体です。団体ごとに公表します。",
    OrganizationKind.KYOGIKAI:
        "地域づくり協議会は各地域に一つの団体です。地域づくりに交付した公費の使い道として、団体ごとに公表します。",
    OrganizationKind.SHIMIN_DANTAI:
        "市民活動交流事業補助金は、公募と審査を経て採択した事業への補助です。団体名と事業名ごとに公表します。",
}


class KindPolicy(models.Model):
    """公表の方法 of one organisation kind (種別): each award by name, only totals per 地域 without any name, or
    nothing. A kind without a row follows ``DEFAULT_POLICY``; a kind not named there is not published until the
    administrator decides. ``updated_at`` enters the files' Last-Modified, so that a change of policy is a new
    version of every file."""

    kind = models.CharField("団体の種別", max_length=20, choices=OrganizationKind.choices, unique=True)
    mode = models.CharField("公表の方法", max_length=20, choices=PublicationMode.choices)
    reason = models.TextField("この方法とする理由", blank=True,
                              help_text="公開ページの「公表の範囲」に表示します。")
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = "オープンデータの公表の方法"
        verbose_name_plural = "オープンデータの公表の方法"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.get_mode_display()}"
