"""Building blocks of the insurance tests: the test policy of 年度 2026 the engine's tests read (ube), a policy
around today (宇部市's and 廿日市市's published amounts, the city's standard conditions), a group's complete report, a covered report and claims at each stage. Dates are
relative to today so that no test depends on the day it runs."""
import datetime as dt
from collections.abc import Mapping

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.accounts.models import User
from grants.insurance import claims, services
from grants.insurance.models import (
    REQUIRED_ATTACHMENTS,
    AccidentReport,
    Claim,
    ClaimDocumentKind,
    InsurancePolicy,
    add_standard_conditions,
)
from grants.organizations.models import Organization
from tests.factories import CURRENT_FY

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


# The published amounts every test policy is made of: 宇部市's benefits (GRANTS.md §6: death ¥5,000,000; disability
# ¥90,000–¥5,000,000; inpatient ¥3,000/day within 180 days; outpatient ¥2,000/day within 180 days, at most 90 days)
# and 廿日市市's liability limits (bodily ¥100M per person / ¥300M per accident, property ¥5M per accident) with a
# ¥5,000 deductible; a report is due in 20 days and a claim opens at 180.
PUBLISHED_TERMS: dict[str, object] = {
    "liability_bodily_per_person": 100_000_000, "liability_bodily_per_accident": 300_000_000,
    "liability_property_per_accident": 5_000_000, "liability_deductible": 5_000,
    "death_benefit": 5_000_000, "disability_min": 90_000,
    "inpatient_daily": 3_000, "inpatient_window_days": 180,
    "outpatient_daily": 2_000, "outpatient_window_days": 180, "outpatient_max_days": 90,
    "surgery_multiple_inpatient": 10, "surgery_multiple_outpatient": 5, "surgery_max_count": 1,
    "report_due_days": 20, "claim_after_days": 180,
}


def ube(**fields: object) -> InsurancePolicy:
    """The test policy of 年度 2026 on the published terms (not saved: the engine reads only its fields)."""
    values: dict[str, object] = {
        "fiscal_year": 2026, "insurer": "テスト損害保険", "policy_number": "T-0001",
        "period_start": dt.date(2026, 4, 1), "period_end": dt.date(2027, 3, 31),
        "label": "テスト（宇部市・廿日市市の公表値）", **PUBLISHED_TERMS,
    }
    values.update(fields)
    return InsurancePolicy(**values)


def policy(**fields: object) -> InsurancePolicy:
    """The year's policy on the published terms, its period from 400 days ago to 30 days ahead, with the standard
    conditions."""
    values: dict[str, object] = {
        "fiscal_year": CURRENT_FY, "insurer": "テスト損害保険株式会社", "policy_number": "T-0001",
        "period_start": days_ago(400), "period_end": today() + dt.timedelta(days=30), "label": "テスト",
        **PUBLISHED_TERMS,
    }
    values.update(fields)
    created = InsurancePolicy.objects.create(**values)
    add_standard_conditions(created)
    return created


def pdf(name: str = "file.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def report_data(**fields: object) -> dict[str, object]:
    values: dict[str, object] = {
        "activity_name": "河川清掃", "plan_entry": "年間事業計画 5月 河川清掃",
        "activity_description": "椹野川の河川敷で草刈りとごみ拾いを行いました。", "reward": "none",
        "participants_count": 25, "accident_date": days_ago(5), "place": "椹野川河川敷（○○橋付近）",
        "who": "会員の山田さんが", "how": "草刈り中に足を滑らせて転倒し", "outcome": "右足首を骨折しました。",
        "kind_injury": True,
    }
    values.update(fields)
    return values


def draft_report(actor: User, organization: Organization, *, persons: Mapping[str, str] | None = None,
                 attachments: bool = True, **fields: object) -> AccidentReport:
    """A report with one injured participant (or ``persons``: name → harm) and the four required documents."""
    report = services.create_report(actor=actor, organization=organization, data=report_data(**fields))
    for name, harm in (persons or {"山田 太郎": "injury"}).items():
        role = "third_party" if harm in ("bodily", "property") else "participant"
        services.add_person(actor=actor, report_id=report.pk, data={
            "role": role, "harm": harm, "name": name, "name_kana": "やまだ たろう", "address": "山口市亀山町2-1",
            "phone": "083-000-0000", "birth_date": dt.date(1960, 4, 1), "detail": "右足首の骨折"})
    if attachments:
        for kind in REQUIRED_ATTACHMENTS:
            services.add_attachment(actor=actor, report_id=report.pk, kind=kind, title=f"{kind}", upload=pdf())
    return report


def all_hold(report: AccidentReport, **overrides: bool) -> dict[int, tuple[bool, str]]:
    """Findings that make the report covered (every condition holds, no exclusion applies), with ``overrides``
    by condition code."""
    findings = {}
    for condition in report.policy.conditions.all():
        holds = condition.kind == "condition"
        holds = overrides.get(condition.code, holds)
        findings[condition.pk] = (holds, f"{condition.label}を書類で確認しました。")
    return findings


def covered_report(head: User, judge: User, organization: Organization, *, delay_reason: str = "",
                   **kwargs: object) -> AccidentReport:
    report = draft_report(head, organization, **kwargs)
    services.submit_report(actor=head, report_id=report.pk, delay_reason=delay_reason)
    services.judge_report(actor=judge, report_id=report.pk, findings=all_hold(report))
    report.refresh_from_db()
    return report


def filed_claim(head: User, judge: User, organization: Organization, *, outpatient_days: int = 10,
                **kwargs: object) -> Claim:
    """An injury claim filed after recovery: ``outpatient_days`` visits from the accident day (by default
    ``outpatient_days`` + 2 days ago)."""
    kwargs.setdefault("accident_date", days_ago(outpatient_days + 2))
    report = covered_report(head, judge, organization, **kwargs)
    person = report.persons.get(harm="injury")
    claim = claims.send_claim_forms(actor=judge, report_id=report.pk, person_id=person.pk)
    visits = [report.accident_date + dt.timedelta(days=i) for i in range(outpatient_days)]
    claims.record_treatment(actor=head, claim_id=claim.pk, in_treatment=False, recovered_on=visits[-1],
                            outpatient=visits)
    claims.add_claim_document(actor=head, claim_id=claim.pk, kind=ClaimDocumentKind.CLAIM_FORM,
                              title="保険金請求書", upload=pdf())
    claims.add_claim_document(actor=head, claim_id=claim.pk, kind=ClaimDocumentKind.MEDICAL,
                              title="通院証明書", upload=pdf())
    return claims.file_claim(actor=head, claim_id=claim.pk)
