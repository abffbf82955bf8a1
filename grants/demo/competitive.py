"""The demo of 市民活動交流事業補助金 (the competitive programme): a sample rule and two sample calls (サンプル) with
invented groups and applications at every stage, made through the real services so each has its audit trail.

- Last 年度: a call whose selected project (こども食堂) was decided, paid and closed — kept as migrated history
  (as the council demo keeps its past years) — so that the same project applies again this year as its 2nd
  year (the year-2 cap applies), and its 消費税仕入控除税額 report is due.
- This 年度, 第1次募集 (closed yesterday): 採択 and 交付決定 with a 実績報告 submitted, 採択 and 交付決定, 採択 awaiting
  its 審査, and 不採択, decided by the approver on the selection staff prepared from two panel members' scores.
- This 年度, 第2次募集 (open for 40 more days): an application in screening scored by one member (the other
  declared a conflict), one submitted awaiting 受付, one draft; and a confirmed group (login ``dantai2``) that has
  not applied yet, for the README's walk-through.

Dates are relative to today, so the demo works on any day of the year. Call inside a transaction.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases import lifecycle
from grants.cases.budget import add_line
from grants.cases.models import GrantCase, PerformanceReport
from grants.competitive import applications, calls, groups, panel, selection
from grants.competitive.models import (
    Call,
    Criterion,
    GroupRegistration,
    PanelMember,
    Project,
    ProjectPlan,
    Selection,
    SelectionLine,
    SelectionStatus,
    TaxCreditReport,
)
from grants.competitive.workflows import COMPETITIVE
from grants.core import workflow
from grants.core.fiscal import fiscal_year_bounds, fiscal_year_label, fiscal_year_of
from grants.core.models import record_event
from grants.core.money import RoundingMode, yen
from grants.ledger.models import BudgetAccount, EntryKind
from grants.ledger.services import post_entry
from grants.notices.models import DocumentSequence
from grants.organizations.models import AccountType, Area, BankAccount, Organization, OrganizationKind, Representative
from grants.programmes.models import (
    AmountBasis,
    ExpenseCategory,
    ExpenseRule,
    Programme,
    ProgrammeYear,
    RepeatYearStep,
    Treatment,
)

CODE = "shimin_katsudo"
SAMPLE = "サンプル"
CHECKS = ["organization", "recipient_kind", "group_eligibility", "expense_lines"]
MIGRATION_NOTE = "デモ用の過年度データ（移行分）"

# The 費目 of the sample call (GRANTS.md §5): the common exclusions 飲食費, 交際費, 慶弔費 and the group's ordinary
# running costs, and 食糧費 on a condition.
CATEGORIES = [
    ("hoshohi", "報償費", Treatment.ALLOWED, ""),
    ("shomohin", "消耗品費", Treatment.ALLOWED, ""),
    ("insatsu", "印刷製本費", Treatment.ALLOWED, ""),
    ("tsushin", "通信運搬費", Treatment.ALLOWED, ""),
    ("shiyoryo", "使用料及び賃借料", Treatment.ALLOWED, ""),
    ("hokenryo", "保険料", Treatment.ALLOWED, ""),
    ("shokuryohi", "食糧費", Treatment.CONDITIONAL, "講師・出演者の飲み物代であること（参加者の飲食は対象外）"),
    ("inshokuhi", "飲食費", Treatment.EXCLUDED, "飲食費は補助の対象になりません。"),
    ("kosaihi", "交際費", Treatment.EXCLUDED, "交際費は補助の対象になりません。"),
    ("keichohi", "慶弔費", Treatment.EXCLUDED, "慶弔費は補助の対象になりません。"),
    ("keijohi", "団体の経常的な運営費", Treatment.EXCLUDED,
     "団体の家賃・光熱水費など日常の運営費は、事業の経費ではないため対象外です。"),
]

CRITERIA = [("公益性", "広く市民の利益になる事業か", 3), ("先駆性", "新しい発想の取組か", 2),
            ("実現性", "計画・予算・体制は確かか", 2), ("発展性", "補助の終了後も続けられるか", 1)]

# (login, group name, kana, area code, members, representative, bank account holder kana)
GROUPS = [
    ("dantai", "NPO法人 やまぐち子ども食堂ネット（サンプル）", "ヤマグチコドモショクドウネット", "02", 24, "吉敷 花子",
     "ﾄｸﾋ)ﾔﾏｸﾞﾁｺﾄﾞﾓｼﾖｸﾄﾞｳﾈﾂﾄ"),
    ("dantai2", "大殿まちなみ保存の会（サンプル）", "オオドノマチナミホゾンノカイ", "01", 15, "大内 一郎",
     "ｵｵﾄﾞﾉﾏﾁﾅﾐﾎｿﾞﾝﾉｶｲ"),
    ("dantai3", "湯田温泉足湯ボランティア（サンプル）", "ユダオンセンアシユボランティア", "03", 9, "湯田 次郎",
     "ﾕﾀﾞｵﾝｾﾝｱｼﾕﾎﾞﾗﾝﾃｲｱ"),
    ("dantai4", "小郡子育てサークルたんぽぽ（サンプル）", "オゴオリコソダテサークルタンポポ", "17", 31, "小郡 さくら",
     "ｵｺﾞｵﾘｺｿﾀﾞﾃｻ-ｸﾙﾀﾝﾎﾟﾎﾟ"),
    ("dantai5", "宮野里山を守る会（サンプル）", "ミヤノサトヤマヲマモルカイ", "07", 12, "宮野 三郎", "ﾐﾔﾉｻﾄﾔﾏｦﾏﾓﾙｶｲ"),
    ("dantai6", "阿知須ビーチクリーン隊（サンプル）", "アジスビーチクリーンタイ", "19", 18, "阿知須 海",
     "ｱｼﾞｽﾋﾞ-ﾁｸﾘ-ﾝﾀｲ"),
    ("dantai7", "平川多文化交流の会（サンプル）", "ヒラカワタブンカコウリュウノカイ", "09", 7, "平川 マリア",
     "ﾋﾗｶﾜﾀﾌﾞﾝｶｺｳﾘﾕｳﾉｶｲ"),
    ("dantai8", "徳地和紙の未来をつくる会（サンプル）", "トクヂワシノミライヲツクルカイ", "20", 10, "徳地 紙子",
     "ﾄｸﾁﾞﾜｼﾉﾐﾗｲｦﾂｸﾙｶｲ"),
]

PANEL = [("shinsa1", "審査委員 学識経験者（デモ）"), ("shinsa2", "審査委員 市民活動支援センター（デモ）")]


@dataclass(frozen=True)
class CompetitiveDemoSummary:
    """What :func:`setup_competitive_demo` found or made."""

    calls: int
    groups: int
    applications: int
    stages: tuple[str, ...]


def setup_competitive_demo(*, fiscal_year: int, users: dict[str, User], password: str) -> CompetitiveDemoSummary:
    """Create (when missing) the programme, its sample rules of last year and this year, the calls, the groups
    (``dantai`` and ``dantai2`` log in with ``password``), the panel members ``shinsa1`` and ``shinsa2``, and the
    applications at every stage. ``users`` are the demo users by username (``tanto`` staff, ``kessai``
    approver, ``kaikei`` finance). Idempotent: a second run changes nothing."""
    programme = _programme()
    categories = _categories()
    staff, approver = users["tanto"], users["kessai"]
    judges = _panel_users(password)
    orgs = _groups(staff, password)
    if not Call.objects.filter(programme_year__programme=programme, label=SAMPLE).exists():
        past = _year(programme, fiscal_year - 1, categories, users["kaikei"])
        current = _year(programme, fiscal_year, categories, users["kaikei"])
        DocumentSequence.objects.get_or_create(programme=programme, fiscal_year=fiscal_year,
                                               defaults={"prefix": "山協市"})
        project = _past_year(past, orgs[0], staff, approver)
        first, second = _calls(current, staff, judges)
        _first_call(first, orgs, project, users, judges)
        _second_call(second, orgs, users, judges)
    cases = ProjectPlan.objects.filter(call__programme_year__programme=programme)
    stages = tuple(sorted({COMPETITIVE.state_label(s) for s in cases.values_list("case__status", flat=True)}))
    return CompetitiveDemoSummary(calls=Call.objects.filter(programme_year__programme=programme).count(),
                                  groups=len(orgs), applications=cases.count(), stages=stages)


def _programme() -> Programme:
    return Programme.objects.update_or_create(code=CODE, defaults={
        "name": "市民活動交流事業補助金", "short_name": "市民活動", "recipient_kind": OrganizationKind.SHIMIN_DANTAI,
        "workflow": "competitive",
        "checks": CHECKS,
        "description": "市民活動団体・NPOが新たに取り組む公益的な事業を、公募と審査会の審査により支援します。"})[0]


def _categories() -> dict[str, ExpenseCategory]:
    return {code: ExpenseCategory.objects.get_or_create(code=code, defaults={"name": name, "order": 200 + i})[0]
            for i, (code, name, _, _) in enumerate(CATEGORIES)}


def _year(programme: Programme, year: int, categories: dict[str, ExpenseCategory], officer: User) -> ProgrammeYear:
    """The sample rule (the 大和高田市 shape of GRANTS.md §4, scaled): 2/3 of the eligible cost, at most 300,000円
    in the 1st year and 200,000円 in the 2nd and 3rd, at most 3 years, project income deducted, 千円未満切捨て."""
    py, created = ProgrammeYear.objects.get_or_create(programme=programme, fiscal_year=year, defaults={
        "label": SAMPLE, "base_date": dt.date(year, 4, 1), "application_opens": dt.date(year, 4, 1),
        "application_closes": dt.date(year + 1, 3, 31), "amount_basis": AmountBasis.COST, "rate_numerator": 2,
        "rate_denominator": 3, "deduct_income": True, "rounding_unit": 1000, "rounding_mode": RoundingMode.FLOOR,
        "max_project_years": 3, "report_due_days": 30, "report_due_fixed": dt.date(year + 1, 4, 10),
        "refund_due_days": 20, "surcharge_rate": Decimal("10.95"), "late_rate": Decimal("10.95"),
        "rule_source": "サンプル値（市民活動交流事業補助金交付要綱の例。実際の要綱の値を入力してください）",
    })
    if created:
        RepeatYearStep.objects.create(programme_year=py, from_year=1, rate_numerator=2, rate_denominator=3,
                                      cap_amount=300_000)
        RepeatYearStep.objects.create(programme_year=py, from_year=2, rate_numerator=2, rate_denominator=3,
                                      cap_amount=200_000)
        for code, _, treatment, text in CATEGORIES:
            ExpenseRule.objects.create(
                programme_year=py, category=categories[code], treatment=treatment,
                condition=text if treatment == Treatment.CONDITIONAL else "",
                reason=text if treatment == Treatment.EXCLUDED else "")
        BudgetAccount.objects.create(programme_year=py, budget_code="2款1項10目 18節 負担金補助及び交付金（サンプル）")
        past = year < fiscal_year_of(timezone.localdate())
        post_entry(programme_year=py, kind=EntryKind.BUDGET, amount=3_000_000, actor=officer,
                   entry_date=dt.date(year, 4, 1) if past else None,
                   note="当初予算（サンプル）" + (f" {MIGRATION_NOTE}" if past else ""))
    return py


def _panel_users(password: str) -> list[User]:
    judges = []
    for username, name in PANEL:
        user, created = User.objects.get_or_create(username=username,
                                                   defaults={"role": Role.PANEL, "display_name": name})
        if created:
            user.set_password(password)
            user.save()
        judges.append(user)
    return judges


def _groups(staff: User, password: str) -> list[Organization]:
    """The sample groups, registered and confirmed by staff (the rail's edge), each with its representative
    (login ``dantai``, ``dantai2`` …), its bank account, bylaws and member list."""
    orgs = []
    for number, (login, name, kana, area, members, head, holder) in enumerate(GROUPS, start=1):
        code = f"S-{number:04d}"
        org = Organization.objects.filter(code=code).first()
        if org is None:
            org = Organization.objects.create(kind=OrganizationKind.SHIMIN_DANTAI, code=code, name=name,
                                              name_kana=kana, area=Area.objects.get(code=area), is_demo=True)
            BankAccount.objects.create(organization=org, bank_code="0170", bank_name="山口銀行", branch_code="001",
                                       branch_name="本店営業部", account_type=AccountType.ORDINARY,
                                       account_number=f"{3000000 + number:07d}", holder_kana=holder)
            user = User.objects.create(username=login, role=Role.ASSOCIATION_HEAD, email=f"{login}@example.jp",
                                       display_name=f"{name.removesuffix('（サンプル）')} 代表（デモ）")
            user.set_password(password)
            user.save()
            Representative.objects.create(organization=org, user=user, name=head, title="代表",
                                          started_on=dt.date(2020, 4, 1))
            registration = GroupRegistration.objects.create(
                organization=org, representative_name=head, phone="083-000-0000", email=f"group{number}@example.jp",
                address=f"山口市（{org.area.name}地域）", based_in_city=True, members=members,
                purpose="地域の課題に取り組む市民活動（サンプル）", no_political_aim=True, no_religious_aim=True,
                no_profit_aim=True, submitted_by=user,
                bylaws=_pdf_file("規約（サンプル）"), member_list=_pdf_file("構成員名簿（サンプル）"))
            workflow.perform(groups.GROUP_REGISTRATION, registration.pk, "confirm_group", actor=staff,
                             note="デモ用の団体登録（サンプル）")
        orgs.append(org)
    return orgs


def _pdf_file(title: str) -> ContentFile[bytes]:
    text = "(sample) Tj"  # the PDF body stays ASCII; the title is in the file name
    body = f"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
           f"% {text}\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return ContentFile(body.encode("ascii"), name=f"{title}.pdf")


def _criteria(call: Call) -> None:
    for order, (name, description, weight) in enumerate(CRITERIA):
        Criterion.objects.create(call=call, order=order, name=name, description=description, weight=weight,
                                 max_score=5)


def _calls(py: ProgrammeYear, staff: User, judges: list[User]) -> tuple[Call, Call]:
    today = timezone.localdate()
    label = fiscal_year_label(py.fiscal_year)
    common = {"programme_year": py, "label": SAMPLE, "created_by": staff,
              "summary": "市民活動団体・NPOが新たに取り組む、市民の交流を広げる公益的な事業を募集します。",
              "documents": "補助金交付申請書（様式第1号）\n事業計画書\n収支予算書\n団体の規約（会則）\n構成員名簿",
              "min_members": 5}
    at_half_past_one = timezone.localtime().replace(hour=13, minute=30, second=0, microsecond=0)
    first = Call.objects.create(
        title=f"{label} 市民活動交流事業補助金（第1次募集）", opens_on=today - dt.timedelta(days=45), closes_on=today,
        budget=1_000_000, presentation_on=at_half_past_one - dt.timedelta(days=1),
        presentation_place="山口市民会館 小ホール（公開プレゼンテーション）", **common)
    second = Call.objects.create(
        title=f"{label} 市民活動交流事業補助金（第2次募集）", opens_on=today - dt.timedelta(days=5),
        closes_on=today + dt.timedelta(days=40), budget=800_000,
        presentation_on=at_half_past_one + dt.timedelta(days=50),
        presentation_place="山口市民会館 小ホール（公開プレゼンテーション）", **common)
    for call in (first, second):
        _criteria(call)
        workflow.perform(calls.CALL, call.pk, "publish_call", actor=staff)
        for judge in judges:
            PanelMember.objects.create(call=call, user=judge, assigned_by=staff)
    return first, second


def _lines(call: Call, case: GrantCase, head: User, items: list[tuple[str, str, int]], income: int = 0) -> None:
    start, end = _project_dates(call)
    lifecycle.save_application(case_id=case.pk, actor=head, project_title=case.project_title, project_start=start,
                               project_end=end)
    spent_on = min(start + dt.timedelta(days=20), end)
    categories = {c.code: c for c in ExpenseCategory.objects.filter(code__in=[code for code, _, _ in items])}
    for code, description, amount in items:
        add_line(case_id=case.pk, actor=head, where="budget",
                 data={"kind": "expense", "category": categories[code], "description": description, "amount": amount,
                       "spent_on": spent_on})
    if income:
        add_line(case_id=case.pk, actor=head, where="budget",
                 data={"kind": "income", "description": "参加費収入", "amount": income})


def _project_dates(call: Call) -> tuple[dt.date, dt.date]:
    first, last = fiscal_year_bounds(call.fiscal_year)
    return max(first, timezone.localdate()), last


def _apply(call: Call, org: Organization, head: User, title: str, plan: tuple[str, str, str, str],
           items: list[tuple[str, str, int]], income: int = 0, project: Project | None = None) -> GrantCase:
    case = applications.start_application(call_id=call.pk, actor=head, organization_id=org.pk, project_title=title,
                                          project_id=project.pk if project else None)
    purpose, content, effects, indicators = plan
    applications.save_plan(case_id=case.pk, actor=head, purpose=purpose, content=content, expected_effects=effects,
                           indicators=indicators)
    _lines(call, case, head, items, income)
    return case


def _head(org: Organization) -> User:
    """The group's login (its current representative's)."""
    rep = org.representatives.heads().filter(ended_on__isnull=True).select_related("user").get()
    assert rep.user is not None, "every sample group has a login"
    return rep.user


def _submit(case: GrantCase, head: User, staff: User | None = None) -> GrantCase:
    case = workflow.perform(COMPETITIVE.machine, case.pk, "submit", actor=head)
    if staff is not None:
        case = workflow.perform(COMPETITIVE.machine, case.pk, "accept_for_screening", actor=staff)
    return case


def _score(case: GrantCase, judge: User, points: list[int], comment: str) -> None:
    panel.declare(case_id=case.pk, actor=judge, conflicted=False)
    criteria = list(Criterion.objects.filter(call__applications__case=case).order_by("order"))
    panel.save_scores(case_id=case.pk, actor=judge, scores={c.pk: p for c, p in zip(criteria, points, strict=True)},
                      comments={criteria[0].pk: comment})


def _past_year(py: ProgrammeYear, org: Organization, staff: User, approver: User) -> Project:
    """Last year's call with the こども食堂 project selected, decided, paid and closed (migrated history)."""
    year = py.fiscal_year
    call = Call.objects.create(
        programme_year=py, title=f"{fiscal_year_label(year)} 市民活動交流事業補助金（第1次募集）", label=SAMPLE,
        summary="市民活動団体・NPOが新たに取り組む公益的な事業を募集しました。", opens_on=dt.date(year, 4, 10),
        closes_on=dt.date(year, 5, 20), budget=1_000_000, documents="補助金交付申請書\n事業計画書\n収支予算書",
        created_by=staff)
    _criteria(call)
    workflow.perform(calls.CALL, call.pk, "publish_call", actor=staff, note=MIGRATION_NOTE)
    project = Project.objects.create(organization=org, title="多世代が集うこども食堂の交流会")
    decided, confirmed = 300_000, 284_000
    case = GrantCase.objects.create(
        programme_year=py, organization=org, status="closed", project_title=project.title, repeat_year=1,
        project_start=dt.date(year, 7, 1), project_end=dt.date(year + 1, 2, 28),
        submitted_at=dt.datetime(year, 5, 15, 10, 0, tzinfo=timezone.get_current_timezone()),
        applied_amount=decided, assessed_amount=decided, computed_amount=decided, decided_amount=decided,
        decided_on=dt.date(year, 6, 20), completion_deadline=dt.date(year + 1, 3, 31),
        justified_amount=confirmed, confirmed_amount=confirmed, confirmed_on=dt.date(year + 1, 3, 25),
        paid_amount=confirmed, closed_on=dt.date(year + 1, 4, 20), decision_conditions="成果報告会を開くこと")
    ProjectPlan.objects.create(case=case, call=call, organization=org, project=project,
                               purpose="子どもの孤食を防ぎ、高齢者との交流の場をつくる",
                               content="月2回、地域交流センターで多世代のこども食堂と交流会を開く",
                               expected_effects="子どもと高齢者の顔の見える関係づくり",
                               indicators="参加者数 延べ600人\n開催回数 24回")
    sel = Selection.objects.create(call=call, status=SelectionStatus.APPROVED, prepared_by=staff,
                                   proposed_at=timezone.now(), decided_by=approver, decided_at=timezone.now())
    SelectionLine.objects.create(selection=sel, case=case, rank=1, weighted_score=36, selected=True, amount=decided)
    PerformanceReport.objects.create(case=case, narrative="計画どおり24回開催し、延べ640人が参加しました。",
                                     completed_on=dt.date(year + 1, 2, 28), updated_by=staff)
    entry_on = max(dt.date(year, 4, 1), min(timezone.localdate(), dt.date(year + 1, 3, 31)))
    commitment = post_entry(programme_year=py, kind=EntryKind.COMMITMENT, amount=decided, actor=staff, case=case,
                            entry_date=min(dt.date(year, 6, 20), entry_on),
                            note=f"交付決定 {org.name}（{MIGRATION_NOTE}）")
    post_entry(programme_year=py, kind=EntryKind.REVERSAL, amount=decided, actor=staff, case=case,
               entry_date=min(dt.date(year + 1, 3, 25), entry_on), note=f"減額（額の確定）（{MIGRATION_NOTE}）",
               reverses=commitment, case_reversal=True)
    post_entry(programme_year=py, kind=EntryKind.COMMITMENT, amount=confirmed, actor=staff, case=case,
               entry_date=min(dt.date(year, 6, 20), entry_on), note=f"減額後の残額（額の確定）（{MIGRATION_NOTE}）")
    post_entry(programme_year=py, kind=EntryKind.PAYMENT, amount=confirmed, actor=staff, case=case,
               entry_date=min(dt.date(year + 1, 3, 31), entry_on), note=f"精算払 {org.name}（{MIGRATION_NOTE}）")
    TaxCreditReport.objects.create(case=case, due_on=dt.date(year + 2, 6, 30))
    record_event(actor=staff, subject=case, action="migrate_case", to_state="closed",
                 note=f"{MIGRATION_NOTE}：{fiscal_year_label(year)} 交付決定額 {yen(decided)}、確定額 {yen(confirmed)}")
    return project


def _first_call(call: Call, orgs: list[Organization], project: Project, users: dict[str, User],
                judges: list[User]) -> None:
    """第1次募集: four applications scored by both members; three selected (one reported, one decided, one awaiting
    its 審査) and one not selected."""
    staff, approver = users["tanto"], users["kessai"]
    heads = [_head(org) for org in orgs]
    a = _apply(call, orgs[0], heads[0], project.title,
               ("子どもの孤食を防ぎ、高齢者との交流の場をつくる（2年目）",
                "月2回のこども食堂に、高齢者の料理教室を加える", "多世代の交流の定着",
                "参加者数 延べ700人\n料理教室 6回"),
               [("hoshohi", "料理教室の講師謝礼（6回）", 90_000), ("shomohin", "調理器具・消耗品", 120_000),
                ("insatsu", "案内チラシ", 60_000), ("hokenryo", "行事保険", 30_000)], income=20_000, project=project)
    b = _apply(call, orgs[2], heads[2], "足湯でつながる観光ボランティア",
               ("温泉街の来訪者と住民の交流", "足湯での案内ボランティアと交流会", "来訪者の満足度向上", "交流会 10回"),
               [("hoshohi", "案内研修の講師謝礼", 60_000), ("insatsu", "多言語マップの印刷", 150_000),
                ("shiyoryo", "会場使用料", 40_000)])
    c = _apply(call, orgs[3], heads[3], "子育てひろば出張版",
               ("子育て家庭の孤立を防ぐ", "地域交流センターへの出張子育てひろば", "相談できる仲間づくり",
                "参加家庭 120組"),
               [("shomohin", "おもちゃ・絵本", 150_000), ("hoshohi", "保育士謝礼", 120_000),
                ("hokenryo", "行事保険", 20_000)])
    d = _apply(call, orgs[4], heads[4], "里山の竹林整備体験",
               ("荒れた竹林の再生", "市民参加の竹林整備と竹細工体験", "里山の保全", "参加者 200人"),
               [("shomohin", "のこぎり・手袋", 80_000), ("shiyoryo", "チェーンソーの借上げ", 60_000),
                ("keijohi", "会の事務所家賃", 120_000)])
    for case in (a, b, c, d):
        _submit(case, heads[orgs.index(case.organization)], staff)
    # The window closed yesterday and the public presentation was held (the sample's history: the applications
    # above were made while it was open).
    Call.objects.filter(pk=call.pk).update(closes_on=timezone.localdate() - dt.timedelta(days=1))
    for judge, bias in zip(judges, (0, 1), strict=True):
        _score(a, judge, [5, 4 - bias, 5, 4], "2年目の実績があり、計画が確かです。")
        _score(b, judge, [4, 4, 3 + bias, 3], "観光と地域の交流の両面で期待できます。")
        _score(c, judge, [5, 3, 4, 4 - bias], "子育て家庭のニーズに合っています。")
        _score(d, judge, [3, 2, 2, 2], "経常的な運営費が多く含まれ、事業の経費が不明確です。")
    a.refresh_from_db()
    b.refresh_from_db()
    c.refresh_from_db()
    d.refresh_from_db()
    lines: list[dict[str, Any]] = [
        {"case_id": a.pk, "selected": True, "amount": a.applied_amount},
        {"case_id": b.pk, "selected": True, "amount": b.applied_amount},
        {"case_id": c.pk, "selected": True, "amount": c.applied_amount},
        {"case_id": d.pk, "selected": False, "reason": "対象外の経費（団体の事務所家賃）が事業費の多くを占め、"
                                                      "事業の内容と効果が十分に示されていないため。"},
    ]
    sel = selection.prepare(call_id=call.pk, actor=staff, lines=lines)
    workflow.perform(selection.SELECTION, sel.pk, "propose_selection", actor=staff)
    workflow.perform(selection.SELECTION, sel.pk, "decide_selection", actor=approver)
    _, end = _project_dates(call)
    a = lifecycle.verify(case_id=a.pk, actor=staff, assessed_amount=a.applied_amount or 0, completion_deadline=end,
                         conditions="成果報告会を開くこと")
    lifecycle.decide(case_id=a.pk, actor=approver)
    b_amount = (b.applied_amount or 0) - 20_000
    lifecycle.verify(case_id=b.pk, actor=staff, assessed_amount=b_amount, completion_deadline=end,
                     conditions="多言語マップは市の観光課と内容を調整すること",
                     note="会場使用料の一部を対象外としたため、申請額から減額しました。")
    lifecycle.decide(case_id=b.pk, actor=approver)
    lifecycle.save_report(case_id=a.pk, actor=heads[0], narrative="料理教室を含め計画どおり実施しました（サンプル）。",
                          completed_on=timezone.localdate())
    categories = {c.code: c for c in ExpenseCategory.objects.filter(code__in=["hoshohi", "shomohin", "insatsu"])}
    for code, description, amount in [("hoshohi", "料理教室の講師謝礼", 90_000), ("shomohin", "調理器具", 118_500),
                                      ("insatsu", "案内チラシ", 58_000)]:
        add_line(case_id=a.pk, actor=heads[0], where="report",
                 data={"kind": "expense", "category": categories[code], "description": description, "amount": amount,
                       "spent_on": timezone.localdate()})
    lifecycle.submit_report(case_id=a.pk, actor=heads[0])


def _second_call(call: Call, orgs: list[Organization], users: dict[str, User], judges: list[User]) -> None:
    """第2次募集 (open): one application in screening scored by one member (the other declared a conflict), one
    submitted awaiting 受付, one draft. ``dantai2`` has not applied yet."""
    staff = users["tanto"]
    heads = {org.pk: _head(org) for org in orgs[5:]}
    e = _apply(call, orgs[5], heads[orgs[5].pk], "ビーチクリーンと海の教室",
               ("海岸の漂着ごみを減らす", "月1回の清掃と子ども向けの海の教室", "海岸環境の改善",
                "回収量 2トン\n参加者 300人"),
               [("shomohin", "ごみ袋・火ばさみ", 50_000), ("hoshohi", "海の教室の講師謝礼", 60_000),
                ("hokenryo", "行事保険", 25_000)])
    _submit(e, heads[orgs[5].pk], staff)
    _score(e, judges[0], [4, 3, 4, 3], "子どもの参加を広げる工夫があります。")
    panel.declare(case_id=e.pk, actor=judges[1], conflicted=True, reason="委員が団体の活動に参加しているため")
    f = _apply(call, orgs[6], heads[orgs[6].pk], "多文化料理で交流する会",
               ("外国人住民と地域の交流", "各国の料理を紹介する交流会", "相互理解", "交流会 6回"),
               [("hoshohi", "講師謝礼", 60_000), ("shiyoryo", "調理室の使用料", 30_000),
                ("shokuryohi", "講師の飲み物代", 5_000)])
    _submit(f, heads[orgs[6].pk])
    _apply(call, orgs[7], heads[orgs[7].pk], "和紙のワークショップ",
           ("徳地和紙の魅力を伝える", "紙すき体験のワークショップ", "", ""),
           [("shomohin", "和紙の材料", 40_000)])


def demo_group_logins() -> list[tuple[str, str]]:
    """(login, group name) of the sample groups' representatives, for ``setup_demo``'s list of users."""
    return [(login, name) for login, name, *_ in GROUPS]

