"""The insurance part of ``setup_demo``: two サンプル policies (宇部市's injury amounts, 廿日市市's liability limits,
a ¥5,000 deductible), the two 保険担当 users, and four reports of demo associations in the states the demo walks
through, each built through the services (so each has its audit trail). Runs twice without duplicates, and on
any day of the year."""
import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from grants.accounts.models import Role, User
from grants.core.models import AuditEvent
from grants.demo.insurance import (
    COVERED,
    HEATSTROKE,
    LATE,
    LATE_REASON,
    PAST_YEAR_REASON,
    WAITING,
    sample_pdf,
    setup_insurance_demo,
)
from grants.insurance.models import (
    AccidentReport,
    Claim,
    ClaimDocument,
    ClaimStatus,
    InsurancePolicy,
    InvolvedPerson,
    Judgment,
    PolicyCondition,
    ReportAttachment,
    ReportStatus,
)
from grants.insurance.services import unfavourable_findings
from grants.organizations.models import Representative
from tests import factories
from tests.factories import CURRENT_FY
from tests.insurance.builders import today
from tests.insurance.support import on_day

pytestmark = pytest.mark.django_db

PASSWORD = "demo-test-pass"
D = dt.date


def _setup() -> str:
    out = io.StringIO()
    call_command("setup_demo", password=PASSWORD, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    models = (InsurancePolicy, PolicyCondition, AccidentReport, InvolvedPerson, ReportAttachment, Judgment, Claim,
              ClaimDocument, AuditEvent, User)
    return {model.__name__: model.objects.count() for model in models}


def _report(accident) -> AccidentReport:  # type: ignore[no-untyped-def]
    return AccidentReport.objects.select_related("organization", "policy").get(activity_name=accident.activity_name)


def test_setup_demo_prepares_the_insurance_demo_once(media) -> None:
    output = _setup()
    counts = _counts()
    again = _setup()
    assert _counts() == counts
    line = "コミュニティ活動保険：保険契約（サンプル、"
    assert line in output and line in again
    assert "事故報告 4件、保険金請求 1件を準備しました。" in output
    assert "事故報告 4件、保険金請求 1件を準備しました。" in again
    for username, name in (("hoken", "保険担当（デモ）"), ("hoken2", "保険担当・判定（デモ）")):
        user = User.objects.get(username=username)
        assert (user.role, user.display_name) == (Role.INSURANCE, name)
        assert user.check_password(PASSWORD)
        assert re.search(rf"^  {username} +保険担当（コミュニティ活動保険）（{name}）$", output, re.M)
    assert counts["AccidentReport"] == 4
    assert counts["InsurancePolicy"] == 2


def test_the_sample_policies_are_labelled_and_carry_the_published_amounts(media) -> None:
    _setup()
    policy = InsurancePolicy.objects.get(fiscal_year=CURRENT_FY)
    assert (policy.label, policy.period_start, policy.period_end) == (
        "サンプル", D(CURRENT_FY, 4, 1), D(CURRENT_FY + 1, 3, 31))
    assert "宇部市" in policy.source and "廿日市市" in policy.source and "サンプル" in policy.source
    assert "5,000円" in policy.source
    # 宇部市: death 5,000,000; disability 90,000–5,000,000; inpatient 3,000/day within 180 days; outpatient
    # 2,000/day within 180 days, at most 90 days
    assert (policy.death_benefit, policy.disability_min, policy.inpatient_daily, policy.inpatient_window_days,
            policy.outpatient_daily, policy.outpatient_window_days, policy.outpatient_max_days) == (
        5_000_000, 90_000, 3_000, 180, 2_000, 180, 90)
    # 廿日市市: bodily 100M per person / 300M per accident, property 5M per accident; deductible 5,000
    assert (policy.liability_bodily_per_person, policy.liability_bodily_per_accident,
            policy.liability_property_per_accident, policy.liability_deductible) == (
        100_000_000, 300_000_000, 5_000_000, 5_000)
    assert (policy.report_due_days, policy.claim_after_days) == (20, 180)
    assert sorted(policy.conditions.values_list("code", flat=True)) == sorted([
        "members", "public_benefit", "annual_plan", "unpaid", "event_competitor", "own_vehicle",
        "natural_disaster", "intentional", "illness"])
    previous = InsurancePolicy.objects.get(fiscal_year=CURRENT_FY - 1)
    assert (previous.label, previous.period_start, previous.death_benefit, previous.conditions.count()) == (
        "サンプル", D(CURRENT_FY - 1, 4, 1), 5_000_000, 9)


def test_the_reports_are_in_the_states_the_demo_walks_through(media) -> None:
    _setup()
    kaicho, hoken, hoken2 = (User.objects.get(username=u) for u in ("kaicho", "hoken", "hoken2"))
    own = Representative.objects.current().get(user=kaicho).organization

    waiting = _report(WAITING)
    assert (waiting.organization, waiting.status, waiting.created_by, waiting.is_late) == (
        own, ReportStatus.SUBMITTED, kaicho, False)
    assert not Judgment.objects.filter(report=waiting).exists()

    covered = _report(COVERED)
    assert (covered.organization, covered.status, covered.created_by) == (own, ReportStatus.COVERED, kaicho)
    claim = covered.claims.get()
    visits = claim.outpatient.count()
    assert 1 <= visits <= 8
    assert (claim.status, claim.kind, claim.forwarded_by, claim.computed_amount) == (
        ClaimStatus.FORWARDED, "injury", hoken, visits * 2_000)
    assert claim.insurer_reference == f"SAMPLE-{claim.number}"
    assert sorted(claim.documents.values_list("kind", flat=True)) == ["claim_form", "medical", "receipt"]

    late = _report(LATE)
    assert late.organization != own and late.organization.is_demo
    assert (late.status, late.is_late, late.delay_reason, late.created_by) == (
        ReportStatus.SUBMITTED, True, LATE_REASON, hoken)
    assert late.filed_on > late.due_date
    assert late.attachments.filter(kind="delay_reason").count() == 1

    heatstroke = _report(HEATSTROKE)
    assert heatstroke.organization not in (own, late.organization)
    assert (heatstroke.status, heatstroke.created_by) == (ReportStatus.NOT_COVERED, hoken)
    judgment = heatstroke.judgment
    assert (judgment.covered, judgment.judged_by) == (False, hoken2)
    [unfavourable] = unfavourable_findings(judgment)
    assert (unfavourable.condition.code, unfavourable.holds) == ("illness", True)
    assert "狭心症" in unfavourable.reason

    for report in (waiting, covered, late, heatstroke):
        assert report.accident_date <= today()
        assert report.persons.get().harm == "injury"
        assert {"bylaws", "member_list", "annual_plan", "participant_list"} <= set(
            report.attachments.values_list("kind", flat=True))


def test_every_demo_report_has_its_audit_trail(media) -> None:
    _setup()
    expected = {
        WAITING.activity_name: ["insurance_create_report", "insurance_add_person"] + ["insurance_add_attachment"] * 4
        + ["insurance_submit_report"],
        LATE.activity_name: ["insurance_create_report", "insurance_add_person"] + ["insurance_add_attachment"] * 5
        + ["insurance_submit_report"],
        HEATSTROKE.activity_name: ["insurance_create_report", "insurance_add_person"]
        + ["insurance_add_attachment"] * 4 + ["insurance_submit_report", "insurance_judge_report"],
        COVERED.activity_name: ["insurance_create_report", "insurance_add_person"] + ["insurance_add_attachment"] * 4
        + ["insurance_submit_report", "insurance_judge_report", "insurance_send_claim_forms",
           "insurance_record_treatment"] + ["insurance_add_claim_document"] * 3
        + ["insurance_file_claim", "insurance_forward_claim"],
    }
    for report in AccidentReport.objects.all():
        actions = list(AuditEvent.objects.for_object(report).values_list("action", flat=True))
        assert actions == expected[report.activity_name]


def _assert_valid_pdf(data: bytes) -> None:
    """The cross-reference table points at each object, and poppler reads the file when it is installed."""
    assert data.startswith(b"%PDF-1.4\n") and data.endswith(b"%%EOF\n")
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    table = data[start:].split(b"trailer")[0].split(b"\n")
    assert table[0] == b"xref"
    entries = [line for line in table[3:] if line]
    for number, entry in enumerate(entries, start=1):
        offset = int(entry.split()[0])
        assert data[offset:].startswith(b"%d 0 obj\n" % number)
    if shutil.which("pdfinfo"):
        result = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=False)
        assert result.returncode == 0 and re.search(rb"^Pages:\s+1$", result.stdout, re.M), result.stderr
        assert not result.stderr


def test_the_attachments_are_small_valid_pdfs(media) -> None:
    _setup()
    files = [a.file for a in ReportAttachment.objects.all()] + [d.file for d in ClaimDocument.objects.all()]
    assert len(files) == 4 * 4 + 1 + 3
    for file in files:
        with file.open("rb") as handle:
            data = handle.read()
        assert len(data) < 1_000
        _assert_valid_pdf(data)


def test_a_title_with_parentheses_stays_a_valid_pdf() -> None:
    data = sample_pdf(r"DEMO (bylaws) \ 2026")
    _assert_valid_pdf(data)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
        assert text.strip() == rb"DEMO (bylaws) \ 2026"


# --- any day of the year: setup_insurance_demo alone, on chosen days ----------------------------------------------

@pytest.fixture
def demo_users(db):  # type: ignore[no-untyped-def]
    """kaicho heading the first of three demo associations, and the two 保険担当."""
    first, *_ = (factories.AssociationFactory(is_demo=True, code=f"99-{n:03d}") for n in range(1, 4))
    kaicho = factories.UserFactory(username="kaicho", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=first, user=kaicho, started_on=D(2020, 4, 1))
    return {"kaicho": kaicho, "hoken": factories.UserFactory(username="hoken", role=Role.INSURANCE),
            "hoken2": factories.UserFactory(username="hoken2", role=Role.INSURANCE)}


@pytest.mark.parametrize("day", [D(2030, 4, 1), D(2030, 4, 12), D(2030, 4, 25), D(2030, 9, 15), D(2031, 3, 31)])
def test_on_any_day_of_the_year_the_reports_fit_the_policies(day, demo_users, media, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    on_day(monkeypatch, day)
    summary = setup_insurance_demo(fiscal_year=2030, users=demo_users)
    assert (summary.fiscal_years, summary.reports, summary.claims) == ((2030, 2029), 4, 1)
    year = InsurancePolicy.objects.get(fiscal_year=2030)
    for accident in (WAITING, COVERED, HEATSTROKE):
        report = _report(accident)
        assert report.policy == year and year.period_start <= report.accident_date <= day
        assert (report.is_late, report.delay_reason) == (False, "")
    late = _report(LATE)
    assert late.is_late and late.accident_date <= day
    # early in the year nothing in this year's policy can be late yet: the late accident is last year's
    assert late.policy.fiscal_year == (2029 if day < D(2030, 4, 21) else 2030)
    assert _report(COVERED).claims.get().status == ClaimStatus.FORWARDED
    assert setup_insurance_demo(fiscal_year=2030, users=demo_users) == summary
    assert AccidentReport.objects.count() == 4


def test_a_past_year_has_late_reports_with_their_reason(demo_users, media, monkeypatch) -> None:
    on_day(monkeypatch, D(2030, 6, 1))
    setup_insurance_demo(fiscal_year=2028, users=demo_users)
    waiting = _report(WAITING)
    assert (waiting.policy.fiscal_year, waiting.accident_date, waiting.is_late, waiting.delay_reason) == (
        2028, D(2029, 3, 28), True, PAST_YEAR_REASON)
    assert _report(COVERED).claims.get().status == ClaimStatus.FORWARDED


def test_a_year_not_yet_begun_gets_its_policies_and_no_report(demo_users, media, monkeypatch) -> None:
    on_day(monkeypatch, D(2030, 3, 31))
    summary = setup_insurance_demo(fiscal_year=2030, users=demo_users)
    assert (summary.reports, summary.claims) == (0, 0)
    assert sorted(InsurancePolicy.objects.values_list("fiscal_year", flat=True)) == [2029, 2030]
    assert not AccidentReport.objects.exists()


def test_a_policy_already_entered_is_kept(demo_users, media, monkeypatch) -> None:
    on_day(monkeypatch, D(2030, 9, 15))
    entered = InsurancePolicy.objects.create(
        fiscal_year=2030, insurer="実在の保険会社", policy_number="R-1", period_start=D(2030, 4, 1),
        period_end=D(2031, 3, 31), death_benefit=4_000_000, disability_min=80_000)
    setup_insurance_demo(fiscal_year=2030, users=demo_users)
    entered.refresh_from_db()
    assert (entered.insurer, entered.label, entered.death_benefit) == ("実在の保険会社", "", 4_000_000)
    assert entered.conditions.count() == 9  # it had none: the standard ones make it judgeable
