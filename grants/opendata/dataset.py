"""The open data of decided awards (交付決定の一覧), one dataset per 年度: its rows, its columns (項目定義) and the
years published. The files (``grants.opendata.files``), the pages and the public API all read these functions, so
that every form of the data holds the very same rows.

Which cases: those that reached 交付決定 — in a state its workflow counts as decided (``Workflow.decided``: 交付決定済
and everything after it, 額確定済, 完了, and 交付決定取消). A 不交付決定 is no award and is left out, as is every
case not yet decided. A cancelled decision (交付決定取消) stays, with 交付の状況「交付決定取消」 and 確定額 the amount
the grant keeps after it (0 for a full cancellation): the decision was a public act, and the file would otherwise
hide that public money was ordered back.

What of each case: programme, 年度, the organisation (name, kind, 地域, 法人番号), 事業名,
交付決定額 (in force, after any 変更交付決定), 確定額 and 交付決定日, under each organisation kind's
policy (``KindPolicy``): one row each, one row per programme, 地域 and kind with the count and
totals, or nothing. Nothing of a person is read or written: no representative, member, applicant
or user, no bank account, no insurance (コミュニティ活動保険 is not an award and has no case here).

Conventions of the 自治体標準データセット (デジタル庁): there is none for subsidies, so its common rules are
followed: the first three columns 全国地方公共団体コード (6 digits with the check digit), ID and 地方公共団体名; dates
YYYY-MM-DD; amounts plain integers in yen; 西暦 only; an unknown value is empty (``None``).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from grants.cases.models import GrantCase, Status
from grants.cases.workflows import WORKFLOWS
from grants.core.fiscal import fiscal_year_label
from grants.core.models import AuditEvent
from grants.organizations.models import Area, Organization, OrganizationKind
from grants.programmes.models import Programme

from .models import DEFAULT_POLICY, KindPolicy, PublicationMode

Value = str | int | Decimal | None
Record = dict[str, Value]

TITLE = "補助金・交付金の交付決定一覧"
LICENCE_NAME = "CC BY 4.0"
LICENCE_TITLE = "クリエイティブ・コモンズ 表示 4.0 国際"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.ja"

#: 公表の単位 of a row.
INDIVIDUAL_UNIT = "個別"
AREA_TOTAL_UNIT = "地域ごとの合計"

#: 交付の状況 of a total per 地域 whose count is below ``settings.OPENDATA_MIN_AREA_COUNT``: its amounts are left
#: empty, since the total of one or two associations gives each one's amount back (and, for a formula grant, its
#: household count).
SUPPRESSED_LABEL = "件数が少ないため金額は公表しません"

#: 交付の状況 of an individual row.
DECIDED_LABEL = "交付決定"
CONFIRMED_LABEL = "額の確定"
CANCELLED_LABEL = "交付決定取消"


class YearNotPublished(LookupError):
    """The 年度 has no published award (none decided, or every kind it has is 公表しない)."""


@dataclass(frozen=True)
class Column:
    """One column of the dataset (項目定義書の1行): ``name`` is the heading in the CSV and the key in the JSON,
    ``attribute`` the ``AwardRow`` field, ``type`` one of 文字列・整数・日付 (with its format), ``description`` and an
    ``example`` as it appears in the CSV."""

    name: str
    attribute: str
    type: str
    description: str
    example: str


TEXT = "文字列"
INTEGER = "整数"
YEN = "整数（円）"
DATE = "日付（YYYY-MM-DD）"

COLUMNS: tuple[Column, ...] = (
    Column("全国地方公共団体コード", "local_government_code", TEXT,
           "総務省の全国地方公共団体コード（6桁、末尾は検査数字）。", "352039"),
    Column("ID", "id", TEXT,
           "行を一意に識別する番号。個別の行は「年度-事業コード-案件番号」、地域ごとの合計の行は"
           "「年度-事業コード-地域コード-団体種別コード」。同じ交付決定には毎回同じIDを付けます。",
           "2026-katsudo_shien-12"),
    Column("地方公共団体名", "local_government_name", TEXT, "データを公開する地方公共団体の名称。", "山口市"),
    Column("年度", "fiscal_year", INTEGER, "交付決定の年度（西暦。4月1日から翌年3月31日まで）。", "2026"),
    Column("交付金・補助金の名称", "programme_name", TEXT, "交付金・補助金の制度の名称。", "地域づくり活動支援交付金"),
    Column("公表の単位", "unit", TEXT,
           "「個別」は交付先ごとの1行、「地域ごとの合計」は同じ制度・地域・団体の種別の交付決定を合計した1行"
           "（団体名は出しません）。", INDIVIDUAL_UNIT),
    Column("交付先の名称", "recipient_name", TEXT, "交付先の団体の名称。地域ごとの合計の行では空欄。",
           "湯田地域づくり協議会"),
    Column("交付先の種別", "recipient_kind", TEXT,
           "交付先の団体の種別（自治会・町内会、連合自治会、地域づくり協議会、市民活動団体）。", "地域づくり協議会"),
    Column("法人番号", "corporate_number", TEXT,
           "交付先が法人であるときの法人番号（13桁）。法人でない団体と合計の行では空欄。", "4011105005409"),
    Column("地域名", "area_name", TEXT, "交付先の団体が属する地域（市内21地域）。", "湯田"),
    Column("事業名", "project_title", TEXT,
           "交付申請書の事業名。事業名のない交付金（世帯数による算定など）と合計の行では空欄。",
           "湯田ふれあいまつり"),
    Column("件数", "award_count", INTEGER, "この行に含む交付決定の件数（個別の行は1）。", "1"),
    Column("交付決定日", "decided_on", DATE, "交付決定の日。合計の行では空欄。", "2026-05-20"),
    Column("交付決定額", "decided_amount", YEN,
           "交付決定額（変更交付決定があれば変更後の額）。円単位の整数で、桁区切りはありません。合計の行で件数が"
           "少ないとき（個々の団体の額が分かるため）は空欄。", "1500000"),
    Column("確定額", "confirmed_amount", YEN,
           "額の確定による交付額。確定前・額の確定のない交付金では空欄。交付決定取消では取消後に残る額"
           "（全部の取消は0）。合計の行では、すべての件が確定したときのみ合計を記載します（件数が少ないときは空欄）。",
           "1480000"),
    Column("交付の状況", "status", TEXT,
           "「交付決定」「額の確定」「交付決定取消」のいずれか。合計の行では空欄、または件数が少なく金額を公表しない"
           "ときは「" + "件数が少ないため金額は公表しません" + "」。", DECIDED_LABEL),
)


@dataclass(frozen=True)
class AwardRow:
    """One row of the dataset, as the files hold it (see ``COLUMNS``): amounts in whole yen, ``None`` for unknown."""

    local_government_code: str
    id: str
    local_government_name: str
    fiscal_year: int
    programme_name: str
    unit: str
    recipient_name: str
    recipient_kind: str
    corporate_number: str
    area_name: str
    project_title: str
    award_count: int
    decided_on: dt.date | None
    decided_amount: int | None
    confirmed_amount: int | None
    status: str

    def record(self) -> Record:
        """The row keyed by column name, dates as YYYY-MM-DD text and everything else as typed (JSON's record)."""
        values: Record = {}
        for column in COLUMNS:
            value = getattr(self, column.attribute)
            values[column.name] = value.isoformat() if isinstance(value, dt.date) else value
        return values


@dataclass
class YearData:
    """The published data of one 年度: its rows (in file order), when its data last changed, and the case behind each
    individual row (``case_ids``: case id → row ID, in file order; never in a file)."""

    fiscal_year: int
    rows: list[AwardRow]
    last_modified: dt.datetime
    case_ids: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)


def city_code() -> str:
    """全国地方公共団体コード of the city (settings.CITY_LOCAL_GOVERNMENT_CODE, 6 digits)."""
    return str(settings.CITY_LOCAL_GOVERNMENT_CODE)


def city_name() -> str:
    """地方公共団体名 of the city (settings.CITY_NAME)."""
    return str(settings.CITY_NAME)


def policy() -> dict[str, str]:
    """公表の方法 of each organisation kind (one query): ``PublicationMode`` by kind; for a kind without a row its
    ``DEFAULT_POLICY``, and ``NONE`` for a kind not named there."""
    modes = {kind: str(DEFAULT_POLICY.get(kind, PublicationMode.NONE)) for kind in OrganizationKind.values}
    modes.update(KindPolicy.objects.values_list("kind", "mode"))
    return modes


def decided() -> Q:
    """Cases in a state their own workflow counts as decided (交付決定済 … 完了, 交付決定取消), with a decision date and
    amount. A state name means this only within its workflow, so each workflow is asked for its own."""
    per_flow = [Q(programme_year__programme__workflow=code, status__in=flow.decided)
                for code, flow in WORKFLOWS.items() if flow.decided]
    if not per_flow:
        return Q(pk__in=[])
    return reduce(or_, per_flow) & Q(decided_on__isnull=False, decided_amount__isnull=False)


def _published_kinds(modes: dict[str, str]) -> list[str]:
    return [kind for kind, mode in modes.items() if mode != PublicationMode.NONE]


def published_years() -> list[int]:
    """The 年度 with at least one published award, newest first (two queries)."""
    kinds = _published_kinds(policy())
    years = (GrantCase.objects.filter(decided(), organization__kind__in=kinds)
             .values_list("programme_year__fiscal_year", flat=True).distinct())
    return sorted(set(years), reverse=True)


def _year_cases(fiscal_year: int, kinds: list[str]) -> QuerySet[GrantCase]:
    """The year's decided cases of published kinds (a queryset: also the subquery of the audit-trail reads, so that
    no list of ids, which grows with the cases, is ever sent)."""
    return GrantCase.objects.filter(decided(), programme_year__fiscal_year=fiscal_year, organization__kind__in=kinds)


def _cases(year_cases: QuerySet[GrantCase]) -> list[GrantCase]:
    """The cases, reading only the columns the dataset shows: no person, account or applicant is ever loaded."""
    return list(
        year_cases.select_related("programme_year__programme", "organization__area")
        .only("id", "number", "status", "project_title", "decided_on", "decided_amount", "confirmed_amount",
              "confirmed_on", "programme_year", "organization", "programme_year__fiscal_year",
              "programme_year__programme", "programme_year__programme__code",
              "programme_year__programme__name", "organization__kind", "organization__name",
              "organization__corporate_number", "organization__area", "organization__area__code",
              "organization__area__name")
        .order_by("programme_year__programme__code", "number")
    )


def _cancelled(year_cases: QuerySet[GrantCase]) -> set[int]:
    """The cases whose decision was cancelled (交付決定取消), even once closed since: the audit trail's move into
    交付決定取消 (one query)."""
    kind = ContentType.objects.get_for_model(GrantCase)
    return set(AuditEvent.objects.filter(content_type=kind, object_id__in=year_cases.values("pk"),
                                         to_state=Status.CANCELLED).values_list("object_id", flat=True))


def _status(case: GrantCase, cancelled: set[int]) -> str:
    if case.status == Status.CANCELLED or case.pk in cancelled:
        return CANCELLED_LABEL
    return CONFIRMED_LABEL if case.confirmed_amount is not None else DECIDED_LABEL


def _individual(case: GrantCase, cancelled: set[int]) -> AwardRow:
    programme, organization = case.programme_year.programme, case.organization
    return AwardRow(
        local_government_code=city_code(), id=f"{case.programme_year.fiscal_year}-{programme.code}-{case.number}",
        local_government_name=city_name(), fiscal_year=case.programme_year.fiscal_year,
        programme_name=programme.name, unit=INDIVIDUAL_UNIT, recipient_name=organization.name,
        recipient_kind=organization.get_kind_display(), corporate_number=organization.corporate_number,
        area_name=organization.area.name, project_title=case.project_title, award_count=1,
        decided_on=case.decided_on, decided_amount=case.decided_amount or 0, confirmed_amount=case.confirmed_amount,
        status=_status(case, cancelled),
    )


def _area_total(cases: list[GrantCase]) -> AwardRow:
    """One row for the cases of one programme, 地域 and kind: their count, the sum of 交付決定額, and the sum of 確定額
    when every one has its 確定額 (a partial sum would read as a total). Fewer cases than
    ``settings.OPENDATA_MIN_AREA_COUNT`` show their count only (``SUPPRESSED_LABEL``)."""
    first = cases[0]
    programme, organization = first.programme_year.programme, first.organization
    confirmed = [case.confirmed_amount for case in cases]
    shown = len(cases) >= settings.OPENDATA_MIN_AREA_COUNT
    return AwardRow(
        local_government_code=city_code(),
        id=f"{first.programme_year.fiscal_year}-{programme.code}-{organization.area.code}-{organization.kind}",
        local_government_name=city_name(), fiscal_year=first.programme_year.fiscal_year,
        programme_name=programme.name, unit=AREA_TOTAL_UNIT, recipient_name="",
        recipient_kind=organization.get_kind_display(), corporate_number="", area_name=organization.area.name,
        project_title="", award_count=len(cases), decided_on=None,
        decided_amount=sum(case.decided_amount or 0 for case in cases) if shown else None,
        confirmed_amount=None if None in confirmed or not shown else sum(c for c in confirmed if c is not None),
        status="" if shown else SUPPRESSED_LABEL,
    )


def _rows(cases: list[GrantCase], modes: dict[str, str],
          cancelled: set[int]) -> tuple[list[AwardRow], dict[int, str]]:
    """Individual rows by programme and case number, each programme's totals per 地域 after them (by 地域 code); and
    the case of each individual row (case id → row ID, in that order)."""
    ordered: list[tuple[tuple[str, int, str, int], AwardRow, int | None]] = []
    groups: dict[tuple[str, str, str], list[GrantCase]] = defaultdict(list)
    for case in cases:
        code = case.programme_year.programme.code
        if modes[case.organization.kind] == PublicationMode.INDIVIDUAL:
            ordered.append(((code, 0, "", case.number), _individual(case, cancelled), case.pk))
        else:
            groups[(code, case.organization.area.code, case.organization.kind)].append(case)
    for (code, area_code, kind), members in groups.items():
        ordered.append(((code, 1, f"{area_code}-{kind}", 0), _area_total(members), None))
    ordered.sort(key=lambda item: item[0])
    return [row for _, row, _ in ordered], {pk: row.id for _, row, pk in ordered if pk is not None}


def _changed_at(year_cases: QuerySet[GrantCase], cases: list[GrantCase]) -> dt.datetime:
    """When the data of these rows last changed: the latest audit event of their cases, organisations, programmes
    and 地域 (every act and every audited admin edit writes one), the latest change of the publication policy, and,
    for data loaded without audit events (past years migrated), the decision and 額の確定 dates (two queries, three
    with a cold content-type cache)."""
    subjects = {
        GrantCase: year_cases.values("pk"),
        Organization: year_cases.values("organization_id"),
        Programme: year_cases.values("programme_year__programme_id"),
        Area: year_cases.values("organization__area_id"),
    }
    kinds = ContentType.objects.get_for_models(*subjects)
    where = reduce(or_, (Q(content_type=kinds[model], object_id__in=ids) for model, ids in subjects.items()))
    times = [AuditEvent.objects.filter(where).aggregate(at=Max("at"))["at"],
             KindPolicy.objects.aggregate(at=Max("updated_at"))["at"]]
    days = [day for case in cases for day in (case.decided_on, case.confirmed_on) if day]
    if days:
        times.append(dt.datetime.combine(max(days), dt.time(), tzinfo=timezone.get_current_timezone()))
    return max(t for t in times if t is not None).replace(microsecond=0)


def year_data(fiscal_year: int) -> YearData:
    """The published rows of ``fiscal_year`` and when they last changed, in a fixed number of queries whatever the
    number of cases (five). Raises ``YearNotPublished`` for a 年度 without a published row."""
    modes = policy()
    year_cases = _year_cases(fiscal_year, _published_kinds(modes))
    cases = _cases(year_cases)
    if not cases:
        raise YearNotPublished(fiscal_year)
    rows, case_ids = _rows(cases, modes, _cancelled(year_cases))
    return YearData(fiscal_year=fiscal_year, rows=rows, last_modified=_changed_at(year_cases, cases),
                    case_ids=case_ids)


def award_rows(fiscal_year: int) -> list[AwardRow]:
    """The rows of ``fiscal_year`` exactly as the files hold them. Raises ``YearNotPublished``."""
    return year_data(fiscal_year).rows


def records(fiscal_year: int) -> list[Record]:
    """The rows of ``fiscal_year`` keyed by column name (the JSON file's ``records``). Raises ``YearNotPublished``."""
    return [row.record() for row in award_rows(fiscal_year)]


def data_dictionary() -> tuple[Column, ...]:
    """The columns of the dataset in file order (項目定義書): name, type, description, example."""
    return COLUMNS

