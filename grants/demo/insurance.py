"""Demo of the コミュニティ活動保険 (山口市社会貢献活動保険制度, GRANTS.md §6): the year's policy and the previous
year's, labelled サンプル, and a few accident reports of demo associations in different states.

The amounts are published figures of other cities, not Yamaguchi's: injury benefits of 宇部市 (death ¥5,000,000;
disability ¥90,000–¥5,000,000; inpatient ¥3,000 a day within 180 days; outpatient ¥2,000 a day within 180 days,
at most 90 days) and liability limits of 廿日市市 (bodily ¥100,000,000 per person and ¥300,000,000 per accident,
property ¥5,000,000 per accident), with a ¥5,000 deductible per accident. The insurer and policy numbers are
invented.

Every report is built through the services (``services``, ``claims``), so each carries its audit trail, exactly
as if the demo users had entered it: the demo head ``kaicho`` reports two accidents of their association (one
waiting for judgment, one covered with its claim forwarded to the insurer); the 保険担当 ``hoken`` enters two
paper reports of other demo associations (a late one with its 遅延理由書, waiting for judgment, and an illness
judged not covered by ``hoken2`` under the illness exclusion). Their attachments are tiny valid PDFs.

Accident days are counted back from today, kept inside the policy of ``fiscal_year`` (a year that has not begun
gets its policies and no report). A late report needs its due date behind today: when the year's policy began
too recently for that, the late accident falls in the previous year's policy, which the demo also creates.

Idempotent: a policy is created only when its 年度 has none, and a report only when its association has no
report of the same activity in those two years.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.accounts.models import User
from grants.insurance import claims, services
from grants.insurance.deadlines import report_due
from grants.insurance.models import (
    REQUIRED_ATTACHMENTS,
    AccidentReport,
    AttachmentKind,
    ClaimDocumentKind,
    InsurancePolicy,
    add_standard_conditions,
)
from grants.organizations.models import Organization, OrganizationKind, Representative

SAMPLE = "サンプル"
INSURER = "サンプル損害保険株式会社"
SOURCE = ("サンプル値：傷害保険金は宇部市、賠償責任の限度額は廿日市市の公表額、免責金額は1事故5,000円。"
          "山口市の契約内容（保険証券）の値を管理画面で入力してください。")
INSURANCE_USERS = (("hoken", "保険担当（デモ）"), ("hoken2", "保険担当・判定（デモ）"))

#: 宇部市's injury benefits and 廿日市市's liability limits (GRANTS.md §6), whole yen and days.
SAMPLE_COVER: dict[str, object] = {
    "liability_bodily_per_person": 100_000_000, "liability_bodily_per_accident": 300_000_000,
    "liability_property_per_accident": 5_000_000, "liability_deductible": 5_000,
    "death_benefit": 5_000_000, "disability_min": 90_000,
    "inpatient_daily": 3_000, "inpatient_window_days": 180,
    "outpatient_daily": 2_000, "outpatient_window_days": 180, "outpatient_max_days": 90,
    "report_due_days": 20, "claim_after_days": 180,
}

LATE_REASON = ("会長が事故の翌週から入院し、役員の間で報告書の作成を引き継ぐまでに時間がかかったため、"
               "報告期限を過ぎました。")
PAST_YEAR_REASON = "（デモ）過去の年度の事故として登録したため、報告期限を過ぎています。"
VISITS = 8  # outpatient days of the covered demo claim: 8 × ¥2,000 = ¥16,000


@dataclass(frozen=True)
class InsuranceDemoSummary:
    """What :func:`setup_insurance_demo` found or made: the fiscal years of the sample policies, the demo
    reports and their claims."""

    fiscal_years: tuple[int, ...]
    reports: int
    claims: int


@dataclass(frozen=True)
class _Person:
    role: str
    name: str
    kana: str
    birth_date: dt.date
    address: str
    phone: str
    detail: str


@dataclass(frozen=True)
class _Accident:
    activity_name: str
    plan_entry: str
    description: str
    place: str
    who: str
    how: str
    outcome: str
    person: _Person
    days_back: int


WAITING = _Accident(
    "河川清掃", "年間事業計画：椹野川河川清掃（年4回、日程は役員会で決定。全戸参加）",
    "椹野川の河川敷で、草刈りとごみ拾いを行いました。",
    "椹野川河川敷（一の坂川との合流点付近）", "参加者の山本さんが", "刈った草を集めているときに石につまずいて転倒し",
    "右手首を打撲しました。近くの整形外科で受診しています。",
    _Person("participant", "山本 和子", "やまもと かずこ", dt.date(1958, 5, 12), "山口市（デモ）1-2-3",
            "083-000-0101", "右手首の打撲（通院）"), 3)
COVERED = _Accident(
    "防犯パトロール", "年間事業計画：防犯パトロール（毎月、班ごとに日程を決めて昼間に巡回）",
    "地区内を班に分かれて巡回し、防犯を呼びかけました。",
    "地区内の市道（公会堂から○○公園まで）", "班長の田中さんが", "歩道の段差につまずいて転倒し",
    "左ひざを打撲し、通院しました。",
    _Person("leader", "田中 誠", "たなか まこと", dt.date(1950, 11, 3), "山口市（デモ）4-5-6", "083-000-0102",
            "左ひざの打撲（通院）"), 15)
LATE = _Accident(
    "高齢者サロン", "年間事業計画：ふれあいサロン（毎月1回、日程は前月の役員会で決定）",
    "集会所で高齢者向けの体操と茶話会を行いました。",
    "自治会集会所", "会場準備をしていた中村さんが", "長机を運んでいるときに腰をひねり",
    "腰を痛め、通院しました。",
    _Person("leader", "中村 節子", "なかむら せつこ", dt.date(1955, 2, 20), "山口市（デモ）7-8-9", "083-000-0103",
            "腰の捻挫（通院）"), 30)
HEATSTROKE = _Accident(
    "地区行事の会場設営", "年間事業計画：地区の運動会・文化祭（年2回、準備と運営）",
    "地区行事のために、公民館のホールに机といすを並べました。",
    "地区公民館のホール", "参加者の小林さんが", "机を運んでいるときに胸の痛みを訴えて座り込み",
    "持病の狭心症の発作と診断され、通院しました。",
    _Person("participant", "小林 健一", "こばやし けんいち", dt.date(1962, 8, 8), "山口市（デモ）10-11-12",
            "083-000-0104", "狭心症の発作（通院）"), 10)
ILLNESS_REASON = "医師の診断書によれば持病の狭心症の発作で、けがによるものではありません。"


def sample_pdf(title: str) -> bytes:
    """A one-page A4 PDF that says ``title`` (ASCII) in Helvetica: a small, valid file with a correct
    cross-reference table, for the demo's attachments."""
    text = title.encode("ascii").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 14 Tf 72 770 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _upload(title: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("demo.pdf", sample_pdf(f"DEMO - {title}"), content_type="application/pdf")


def sample_policy(fiscal_year: int) -> InsurancePolicy:
    """The policy of ``fiscal_year`` (年度, April to March): the one already there, or a サンプル one with the
    sample cover and the city's standard conditions."""
    policy, created = InsurancePolicy.objects.get_or_create(fiscal_year=fiscal_year, defaults={
        "insurer": INSURER, "policy_number": f"SAMPLE-{fiscal_year}", "label": SAMPLE, "source": SOURCE,
        "period_start": dt.date(fiscal_year, 4, 1), "period_end": dt.date(fiscal_year + 1, 3, 31), **SAMPLE_COVER})
    if created or not policy.conditions.exists():
        add_standard_conditions(policy)
    return policy


def setup_insurance_demo(*, fiscal_year: int, users: dict[str, User]) -> InsuranceDemoSummary:
    """Create (when missing) the sample policies of ``fiscal_year`` and the year before, and the demo reports.
    ``users``: the demo users by username (``kaicho``, ``hoken``, ``hoken2``). Call inside a transaction, after
    the demo associations exist and ``kaicho`` is linked to the first one."""
    policy = sample_policy(fiscal_year)
    previous = sample_policy(fiscal_year - 1)
    reports: list[AccidentReport] = []
    if policy.period_start <= timezone.localdate():
        reports = _reports(policy, previous, users)
    return InsuranceDemoSummary(
        fiscal_years=(fiscal_year, fiscal_year - 1),
        reports=len(reports),
        claims=sum(report.claims.count() for report in reports),
    )


def _reports(policy: InsurancePolicy, previous: InsurancePolicy, users: dict[str, User]) -> list[AccidentReport]:
    head, clerk, judge = users["kaicho"], users["hoken"], users["hoken2"]
    term = Representative.objects.current().filter(user=head).select_related("organization").first()
    own = term.organization if term else None
    associations = Organization.objects.filter(is_demo=True, kind=OrganizationKind.JICHIKAI).order_by("code")
    if own is not None:
        associations = associations.exclude(pk=own.pk)
    others = list(associations[:2])
    made = []
    if own is not None:
        made.append(_waiting(own, head, policy))
        made.append(_covered(own, head, clerk, policy))
    if len(others) == 2:
        made.append(_late(others[0], clerk, policy, previous))
        made.append(_not_covered(others[1], clerk, judge, policy))
    return made


def _existing(organization: Organization, accident: _Accident, policy: InsurancePolicy) -> AccidentReport | None:
    return AccidentReport.objects.filter(
        organization=organization, activity_name=accident.activity_name,
        policy__fiscal_year__in=(policy.fiscal_year, policy.fiscal_year - 1)).first()


def _day(policy: InsurancePolicy, days_back: int) -> dt.date:
    """``days_back`` days before today (or before the end of a past policy), not before the policy began."""
    anchor = min(timezone.localdate(), policy.period_end)
    return max(policy.period_start, anchor - dt.timedelta(days=days_back))


def _draft(organization: Organization, actor: User, accident: _Accident, day: dt.date) -> AccidentReport:
    person = accident.person
    report = services.create_report(actor=actor, organization=organization, data={
        "activity_name": accident.activity_name, "plan_entry": accident.plan_entry,
        "activity_description": accident.description, "reward": "none", "participants_count": 18,
        "accident_date": day, "accident_time": dt.time(10, 30), "place": accident.place, "who": accident.who,
        "how": accident.how, "outcome": accident.outcome, "kind_injury": True})
    services.add_person(actor=actor, report_id=report.pk, data={
        "role": person.role, "harm": "injury", "name": person.name, "name_kana": person.kana,
        "birth_date": person.birth_date, "address": person.address, "phone": person.phone,
        "detail": person.detail})
    for kind in REQUIRED_ATTACHMENTS:
        services.add_attachment(actor=actor, report_id=report.pk, kind=kind,
                                title=f"{AttachmentKind(kind).label}（デモ）", upload=_upload(kind))
    return report


def _submit(report: AccidentReport, actor: User, reason: str = PAST_YEAR_REASON) -> AccidentReport:
    late = timezone.localdate() > report.due_date
    return services.submit_report(actor=actor, report_id=report.pk, delay_reason=reason if late else "")


def _judge(report: AccidentReport, judge: User, **applies: bool) -> None:
    findings = {}
    for condition in report.policy.conditions.all():
        holds = applies.get(condition.code, condition.kind == "condition")
        reason = ILLNESS_REASON if condition.code == "illness" and holds else (
            f"{condition.label}：提出された書類で確認しました。" if condition.kind == "condition"
            else "事故の状況から、当てはまりません。")
        findings[condition.pk] = (holds, reason)
    services.judge_report(actor=judge, report_id=report.pk, findings=findings, note="（デモ）書類で確認しました。")


def _waiting(organization: Organization, head: User, policy: InsurancePolicy) -> AccidentReport:
    """The head's report, submitted and waiting for judgment."""
    report = _existing(organization, WAITING, policy)
    if report is None:
        report = _submit(_draft(organization, head, WAITING, _day(policy, WAITING.days_back)), head)
    return report


def _covered(organization: Organization, head: User, clerk: User, policy: InsurancePolicy) -> AccidentReport:
    """The head's report judged covered, the claim filed after recovery and forwarded to the insurer."""
    report = _existing(organization, COVERED, policy)
    if report is not None:
        return report
    report = _submit(_draft(organization, head, COVERED, _day(policy, COVERED.days_back)), head)
    _judge(report, clerk)
    claim = claims.send_claim_forms(actor=clerk, report_id=report.pk, person_id=report.persons.get().pk)
    last = min(timezone.localdate(), report.accident_date + dt.timedelta(days=VISITS - 1))
    visits = [report.accident_date + dt.timedelta(days=i) for i in range((last - report.accident_date).days + 1)]
    claims.record_treatment(actor=head, claim_id=claim.pk, in_treatment=False, recovered_on=last, outpatient=visits)
    for kind, title in ((ClaimDocumentKind.CLAIM_FORM, "保険金請求書（デモ）"),
                        (ClaimDocumentKind.MEDICAL, "通院証明書（デモ）")):
        claims.add_claim_document(actor=head, claim_id=claim.pk, kind=kind, title=title, upload=_upload(kind))
    claims.add_claim_document(actor=head, claim_id=claim.pk, kind=ClaimDocumentKind.RECEIPT,
                              title="整形外科の領収書（デモ）", amount=4_860, upload=_upload("receipt"))
    claim.refresh_from_db()
    if claims.missing_for_filing(claim):  # a year so old that the right to claim has lapsed: the forms stay out
        return report
    claims.file_claim(actor=head, claim_id=claim.pk)
    claims.forward_claim(actor=clerk, claim_id=claim.pk, insurer_reference=f"SAMPLE-{claim.number}")
    return report


def _late(organization: Organization, clerk: User, policy: InsurancePolicy,
          previous: InsurancePolicy) -> AccidentReport:
    """A paper report entered by the 保険担当 after its due date, with the 遅延理由書 (text and document),
    waiting for judgment by another 保険担当."""
    report = _existing(organization, LATE, policy)
    if report is not None:
        return report
    day = _day(policy, LATE.days_back)
    if report_due(policy, day) >= timezone.localdate():  # the year began too recently to be late in it
        day = _day(previous, LATE.days_back)
    report = _draft(organization, clerk, LATE, day)
    services.add_attachment(actor=clerk, report_id=report.pk, kind=AttachmentKind.DELAY_REASON,
                            title="遅延理由書（デモ）", upload=_upload("delay reason"))
    return services.submit_report(actor=clerk, report_id=report.pk, delay_reason=LATE_REASON)


def _not_covered(organization: Organization, clerk: User, judge: User, policy: InsurancePolicy) -> AccidentReport:
    """An illness (an angina attack) entered by the 保険担当 on paper and judged not covered by another: illness
    is excluded."""
    report = _existing(organization, HEATSTROKE, policy)
    if report is None:
        report = _submit(_draft(organization, clerk, HEATSTROKE, _day(policy, HEATSTROKE.days_back)), clerk)
        _judge(report, judge, illness=True)
    return report
