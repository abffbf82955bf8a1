"""保険金請求 through the services: the claim forms per harmed person, the treatment and damages, when a claim can
be filed (after recovery, at ``claim_after_days``, before the 3-year limit), the documents each kind needs, the
amount computed from the policy (per day, banded, death, disability; liability shared in serial order with one
deductible per accident), forwarding, the insurer's answer and withdrawal. Refusals write nothing."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from grants.accounts.models import Role
from grants.core.fiscal import wareki
from grants.core.models import AuditEvent
from grants.insurance import claims, services
from grants.insurance.benefits import liability_payable
from grants.insurance.machines import InsuranceError
from grants.insurance.models import (
    AccidentReport,
    BenefitBand,
    Claim,
    ClaimDocumentKind,
    ClaimKind,
    ClaimStatus,
    InpatientPeriod,
    InsurancePolicy,
    OutpatientVisit,
)
from tests import factories
from tests.concurrency import run_together
from tests.factories import CURRENT_FY

from . import builders
from .builders import days_ago, today
from .support import nothing_written, on_day

pytestmark = pytest.mark.django_db

D = dt.date
CLAIM_FORM, MEDICAL, RECEIPT, DAMAGE = (ClaimDocumentKind.CLAIM_FORM, ClaimDocumentKind.MEDICAL,
                                        ClaimDocumentKind.RECEIPT, ClaimDocumentKind.DAMAGE)


def _forms(insurance, report: AccidentReport, name: str = "山田 太郎") -> Claim:  # type: ignore[no-untyped-def]
    person = report.persons.get(name=name)
    return claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=person.pk)


def _documents(actor, claim: Claim, *kinds: str) -> None:  # type: ignore[no-untyped-def]
    for kind in kinds:
        claims.add_claim_document(actor=actor, claim_id=claim.pk, kind=kind, title=ClaimDocumentKind(kind).label,
                                  upload=builders.pdf(), amount=1_000 if kind == RECEIPT else None)


def _visits(first: dt.date, count: int) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range(count)]


def _actions(report: AccidentReport) -> list[str]:
    return list(AuditEvent.objects.for_object(report).values_list("action", flat=True))


@pytest.fixture
def covered(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    """A covered report: one injured participant, accident 5 days ago."""
    return builders.covered_report(association_head, insurance, association)


@pytest.fixture
def claim(covered, insurance):  # type: ignore[no-untyped-def]
    """The injury claim of the covered report, forms sent, in treatment."""
    return _forms(insurance, covered)


# --- the claim forms ----------------------------------------------------------------------------------------------

def test_forms_go_to_each_harmed_person_with_the_kind_of_their_harm(association, association_head, insurance,
                                                                    policy, media) -> None:
    report = builders.covered_report(association_head, insurance, association, persons={
        "山田 太郎": "injury", "鈴木 一郎": "bodily", "高橋 次郎": "property"},
        kind_liability_bodily=True, kind_liability_property=True)
    sent = [_forms(insurance, report, name) for name in ("鈴木 一郎", "山田 太郎", "高橋 次郎")]
    assert [(c.serial, c.kind, c.in_treatment, c.status) for c in sent] == [
        (1, ClaimKind.LIABILITY_BODILY, False, ClaimStatus.FORMS_SENT),
        (2, ClaimKind.INJURY, True, ClaimStatus.FORMS_SENT),
        (3, ClaimKind.LIABILITY_PROPERTY, False, ClaimStatus.FORMS_SENT)]
    assert [c.number for c in sent] == [f"{report.number}-1", f"{report.number}-2", f"{report.number}-3"]
    assert (sent[0].forms_sent_on, sent[0].forms_sent_by) == (today(), insurance)
    assert _actions(report)[-3:] == ["insurance_send_claim_forms"] * 3


def test_serials_run_per_report(association, association_head, insurance, policy, media) -> None:
    first = builders.covered_report(association_head, insurance, association)
    second = builders.covered_report(association_head, insurance, association)
    assert (_forms(insurance, first).number, _forms(insurance, second).number) == (
        f"{first.number}-1", f"{second.number}-1")


@pytest.mark.parametrize("stage", ["submitted", "not_covered"])
def test_forms_go_out_for_covered_reports_only(stage, association, association_head, insurance, policy,  # type: ignore[no-untyped-def]
                                               media) -> None:
    report = builders.draft_report(association_head, association)
    services.submit_report(actor=association_head, report_id=report.pk)
    if stage == "not_covered":
        services.judge_report(actor=insurance, report_id=report.pk, findings=builders.all_hold(report, illness=True))
    with nothing_written(report), pytest.raises(InsuranceError, match="補償の対象と判定した事故報告書だけ"):
        _forms(insurance, report)


def test_no_forms_for_a_person_without_harm(association, association_head, insurance, policy, media) -> None:
    report = builders.covered_report(association_head, insurance, association,
                                     persons={"山田 太郎": "injury", "指導員 花子": "none"})
    with nothing_written(report), pytest.raises(InsuranceError, match="^関係者: 指導員 花子さんには、けが・損害"):
        _forms(insurance, report, "指導員 花子")


def test_one_claim_per_person_and_kind(covered, claim, insurance, association_head) -> None:
    with nothing_written(covered), pytest.raises(InsuranceError, match="傷害保険金の請求は既にあります"):
        _forms(insurance, covered)
    claims.withdraw_claim(actor=association_head, claim_id=claim.pk, reason="請求しないことにしました。")
    with nothing_written(covered), pytest.raises(InsuranceError, match="既にあります"):
        _forms(insurance, covered)


def test_a_person_of_another_report_is_refused(covered, association, association_head, insurance) -> None:
    other = builders.covered_report(association_head, insurance, association)
    with nothing_written(covered, other), pytest.raises(InsuranceError, match="^関係者: この事故報告書の関係者"):
        claims.send_claim_forms(actor=insurance, report_id=covered.pk, person_id=other.persons.get().pk)


@pytest.mark.parametrize("who", ["head", "staff"])
def test_only_insurance_sends_forms(who, covered, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    user = association_head if who == "head" else staff
    with nothing_written(covered), pytest.raises(InsuranceError, match="保険担当のみ"):
        _forms(user, covered)


# --- treatment and damages ----------------------------------------------------------------------------------------

def test_treatment_is_recorded_and_replaced(covered, claim, association_head) -> None:
    accident = covered.accident_date
    claims.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=True, recovered_on=None,
                            inpatient=[(accident, accident + dt.timedelta(1))], outpatient=_visits(accident, 4),
                            surgeries_inpatient=1)
    claims.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=False,
                            recovered_on=accident + dt.timedelta(3), outpatient=_visits(accident + dt.timedelta(2), 2),
                            disability_percent="12.5")
    claim.refresh_from_db()
    assert (claim.in_treatment, claim.recovered_on, claim.surgeries_inpatient, claim.disability_percent) == (
        False, accident + dt.timedelta(3), 0, Decimal("12.50"))
    assert InpatientPeriod.objects.filter(claim=claim).count() == 0
    assert list(OutpatientVisit.objects.filter(claim=claim).values_list("day", flat=True)) == _visits(
        accident + dt.timedelta(2), 2)
    assert _actions(covered)[-1] == "insurance_record_treatment"


def _bad_treatment(accident: dt.date) -> list[tuple[dict[str, object], str]]:
    day = dt.timedelta(days=1)
    tomorrow = today() + day
    return [
        ({"inpatient": [(accident - day, accident + day)]}, "^入院期間: 事故の日から今日まで"),
        ({"inpatient": [(accident + 2 * day, accident + day)]}, "^入院期間: 退院日（.*）が入院日（.*）より前"),
        ({"inpatient": [(accident, tomorrow)]}, "^入院期間: 事故の日から今日まで"),
        ({"inpatient": [("2026-05-01", accident)]}, "^入院日: 日付を入力"),
        ({"outpatient": [accident - day]}, "^通院日: 事故の日から今日まで"),
        ({"outpatient": [accident, tomorrow]}, "^通院日: 事故の日から今日まで"),
        ({"outpatient": ["2026-05-01"]}, "^通院日: 日付を入力"),
        ({"in_treatment": False, "recovered_on": None}, "^治療を終えた日: 日付を入力"),
        ({"in_treatment": False, "recovered_on": accident + day, "outpatient": _visits(accident, 3)},
         "^治療を終えた日: 最後の入院・通院の日（.*）より前"),
        ({"in_treatment": False, "recovered_on": tomorrow}, "^治療を終えた日: 事故の日から今日まで"),
        ({"in_treatment": False, "recovered_on": accident - day}, "^治療を終えた日: 事故の日から今日まで"),
        ({"surgeries_inpatient": 21}, "^入院中の手術: 0から20"),
        ({"surgeries_inpatient": -1}, "^入院中の手術: 0から20"),
        ({"surgeries_outpatient": True}, "^外来の手術: 0から20"),
        ({"disability_percent": "0"}, "^後遺障害の割合: 0％を超え100％以下"),
        ({"disability_percent": "100.01"}, "^後遺障害の割合: 0％を超え100％以下"),
        ({"disability_percent": "12.345"}, "^後遺障害の割合: 0％を超え100％以下（小数2桁まで）"),
        ({"disability_percent": "NaN"}, "^後遺障害の割合: "),
        ({"disability_percent": "十"}, "^後遺障害の割合: 数字で入力"),
    ]


@pytest.mark.parametrize("case", range(19))
def test_wrong_treatment_is_refused_naming_the_field(case, covered, claim, association_head) -> None:  # type: ignore[no-untyped-def]
    fields, message = _bad_treatment(covered.accident_date)[case]
    values: dict[str, object] = {"in_treatment": True, "recovered_on": None}
    values.update(fields)
    with nothing_written(claim), pytest.raises(InsuranceError, match=message):
        claims.record_treatment(actor=association_head, claim_id=claim.pk, **values)  # type: ignore[arg-type]


def test_the_edges_of_treatment_are_accepted(covered, claim, association_head) -> None:
    # the accident day and today, 20 surgeries, a 100 % disability
    claims.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=False, recovered_on=today(),
                            inpatient=[(covered.accident_date, today())], surgeries_inpatient=20,
                            disability_percent=100)
    claim.refresh_from_db()
    assert (claim.recovered_on, claim.surgeries_inpatient, claim.disability_percent) == (today(), 20, Decimal(100))


def test_treatment_belongs_to_injury_claims_and_damages_to_liability(association, association_head, insurance,
                                                                     policy, media) -> None:
    report = builders.covered_report(association_head, insurance, association,
                                     persons={"山田 太郎": "injury", "鈴木 一郎": "property"},
                                     kind_liability_property=True)
    injury, liability = _forms(insurance, report), _forms(insurance, report, "鈴木 一郎")
    with nothing_written(liability), pytest.raises(InsuranceError, match="傷害保険金の請求だけ"):
        claims.record_treatment(actor=association_head, claim_id=liability.pk, in_treatment=True, recovered_on=None)
    with nothing_written(injury), pytest.raises(InsuranceError, match="賠償責任保険金の請求だけ"):
        claims.record_damages(actor=association_head, claim_id=injury.pk, damages=10_000)
    claims.record_damages(actor=association_head, claim_id=liability.pk, damages=48_000)
    assert Claim.objects.get(pk=liability.pk).damages == 48_000


@pytest.mark.parametrize("damages", [0, -1, True, "48000", 10**12 + 1])
def test_damages_are_whole_yen_above_zero(damages, association, association_head, insurance, policy, media) -> None:  # type: ignore[no-untyped-def]
    report = builders.covered_report(association_head, insurance, association, persons={"鈴木 一郎": "property"},
                                     kind_injury=False, kind_liability_property=True)
    liability = _forms(insurance, report, "鈴木 一郎")
    with nothing_written(liability), pytest.raises(InsuranceError, match="^損害額: 1円以上"):
        claims.record_damages(actor=association_head, claim_id=liability.pk, damages=damages)


def test_another_groups_head_cannot_touch_the_claim(claim, policy) -> None:
    head = factories.UserFactory(username="head-other", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=factories.AssociationFactory(), user=head)
    with nothing_written(claim), pytest.raises(Claim.DoesNotExist):
        claims.record_treatment(actor=head, claim_id=claim.pk, in_treatment=True, recovered_on=None)
    with nothing_written(claim), pytest.raises(Claim.DoesNotExist):
        claims.file_claim(actor=head, claim_id=claim.pk)


# --- claim documents ----------------------------------------------------------------------------------------------

def test_a_receipt_keeps_its_amount(claim, association_head) -> None:
    document = claims.add_claim_document(actor=association_head, claim_id=claim.pk, kind=RECEIPT,
                                         title="整形外科の領収書", amount=3_240, upload=builders.pdf())
    assert (document.kind, document.amount, document.uploaded_by) == (RECEIPT, 3_240, association_head)
    assert document.file.name.endswith(".pdf")


@pytest.mark.parametrize(("kind", "amount", "upload", "message"), [
    ("invoice", None, "pdf", "^書類: 書類の種類"),
    (RECEIPT, -1, "pdf", "^金額: 0円以上"),
    (RECEIPT, "3240", "pdf", "^金額: 0円以上"),
    (RECEIPT, None, "docx", "^ファイル: PDF・JPEG・PNG"),
    (RECEIPT, None, "exe-as-png", "^ファイル: ファイルの中身が拡張子"),
])
def test_a_claim_document_that_cannot_be_kept_is_refused(kind, amount, upload, message, claim,  # type: ignore[no-untyped-def]
                                                         association_head) -> None:
    files = {"pdf": builders.pdf(), "docx": SimpleUploadedFile("a.docx", b"PK\x03\x04docx"),
             "exe-as-png": SimpleUploadedFile("receipt.png", b"MZ\x90\x00\x03\x00\x00\x00")}
    with nothing_written(claim), pytest.raises(InsuranceError, match=message):
        claims.add_claim_document(actor=association_head, claim_id=claim.pk, kind=kind, title="領収書",
                                  amount=amount, upload=files[upload])


# --- when a claim can be filed ------------------------------------------------------------------------------------

def test_a_fresh_claim_lists_everything_it_lacks(claim) -> None:
    opens = claims.claim_open_date(claim)
    assert opens == claim.report.accident_date + dt.timedelta(days=180)
    assert claims.missing_for_filing(claim) == [
        f"請求は治療を終えた後、または事故の日から180日を過ぎてから行えます（{wareki(opens)}以降）。"
        "治療を終えたときは、治療を終えた日を記録してください。",
        "書類「保険金請求書」を登録してください。",
        "入院・通院の日、または死亡・後遺障害を記録してください。",
        "書類「診断書・通院証明書」または「領収書」を登録してください。",
    ]


def _in_treatment_claim(head, insurance, association, accident: dt.date) -> Claim:  # type: ignore[no-untyped-def]
    report = builders.covered_report(head, insurance, association, accident_date=accident,
                                     delay_reason="入院していたため報告が遅れました。")
    claim = _forms(insurance, report)
    claims.record_treatment(actor=head, claim_id=claim.pk, in_treatment=True, recovered_on=None,
                            outpatient=_visits(accident, 30))
    _documents(head, claim, CLAIM_FORM, MEDICAL)
    return claim


def test_in_treatment_a_claim_waits_for_the_days_of_the_policy(association, association_head, insurance, policy,
                                                                media) -> None:
    early = _in_treatment_claim(association_head, insurance, association, days_ago(179))
    with nothing_written(early), pytest.raises(InsuranceError, match="^請求できません。請求は治療を終えた後.*以降"):
        claims.file_claim(actor=association_head, claim_id=early.pk)
    on_the_day = _in_treatment_claim(association_head, insurance, association, days_ago(180))
    assert claims.claim_open_date(on_the_day) == today()
    filed = claims.file_claim(actor=association_head, claim_id=on_the_day.pk)
    assert (filed.status, filed.filed_on, filed.filed_by) == (ClaimStatus.FILED, today(), association_head)
    assert filed.computed_amount == 30 * 2_000  # 30 visits within 180 days, at most 90


def test_after_recovery_a_claim_is_filed_at_once(claim, association_head) -> None:
    accident = claim.report.accident_date
    claims.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=False,
                            recovered_on=accident + dt.timedelta(2), outpatient=_visits(accident, 3))
    claim.refresh_from_db()
    assert claims.claim_open_date(claim) == accident + dt.timedelta(2)
    _documents(association_head, claim, CLAIM_FORM, RECEIPT)  # a receipt stands in for the certificate
    filed = claims.file_claim(actor=association_head, claim_id=claim.pk)
    assert (filed.status, filed.computed_amount) == (ClaimStatus.FILED, 6_000)
    event = AuditEvent.objects.for_object(claim.report).last()
    assert (event.action, event.from_state, event.to_state) == ("insurance_file_claim", "forms_sent", "filed")
    assert event.note == f"請求 {claim.number}：算定額 6,000円"


def test_a_death_claim_opens_on_the_accident_day(claim, association_head) -> None:
    accident = claim.report.accident_date
    claims.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=False,
                            recovered_on=accident + dt.timedelta(2), inpatient=[(accident, accident + dt.timedelta(2))],
                            died=True)
    claim.refresh_from_db()
    assert claims.claim_open_date(claim) == accident
    _documents(association_head, claim, CLAIM_FORM, MEDICAL)
    filed = claims.file_claim(actor=association_head, claim_id=claim.pk)
    # 死亡 5,000,000 + 入院 3日 × 3,000 = 5,009,000
    assert [(line["label"], line["amount"]) for line in filed.computed_lines] == [
        ("死亡保険金", 5_000_000), ("入院保険金", 9_000)]
    assert filed.computed_amount == 5_009_000


def _unsaved_claim(accident: dt.date, **policy_fields: object) -> Claim:
    """A claim whose report and policy are not saved: the limit is read from their fields only."""
    fields: dict[str, object] = {"claim_limit_years": 3, "claim_after_days": 180}
    fields.update(policy_fields)
    report = AccidentReport(policy=InsurancePolicy(**fields), accident_date=accident)
    return Claim(report=report, kind=ClaimKind.INJURY)


@pytest.mark.parametrize(("accident", "limit"), [
    (D(2023, 6, 10), D(2026, 6, 10)),  # counted from the next day (民法140条): ends on the anniversary
    (D(2023, 12, 31), D(2026, 12, 31)),
    (D(2024, 1, 1), D(2027, 1, 1)),
    (D(2024, 2, 28), D(2027, 2, 28)),
    (D(2024, 2, 29), D(2027, 2, 28)),  # no 29 February in 2027: the last day of the month (民法143条)
    (D(2024, 3, 1), D(2027, 3, 1)),
])
def test_the_limit_to_claim_is_three_years(accident, limit) -> None:  # type: ignore[no-untyped-def]
    assert claims.claim_limit_date(_unsaved_claim(accident)) == limit


def test_the_limit_is_policy_data(db) -> None:  # type: ignore[no-untyped-def]
    assert claims.claim_limit_date(_unsaved_claim(D(2024, 2, 29), claim_limit_years=4)) == D(2028, 2, 29)
    assert claims.claim_limit_date(_unsaved_claim(D(2024, 2, 29), claim_limit_years=2)) == D(2026, 2, 28)


def test_a_claim_after_the_limit_is_refused(association, association_head, insurance, media, monkeypatch) -> None:
    accident = days_ago(3 * 365 + 20)
    builders.policy(fiscal_year=CURRENT_FY - 4, policy_number="T-OLD", period_start=accident - dt.timedelta(100),
                    period_end=accident + dt.timedelta(100))
    report = builders.covered_report(association_head, insurance, association, accident_date=accident,
                                     delay_reason="担当者の交代で報告が遅れました。")
    claim = _forms(insurance, report)
    claims.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=False,
                            recovered_on=accident + dt.timedelta(4), outpatient=_visits(accident, 5))
    _documents(association_head, claim, CLAIM_FORM, MEDICAL)
    claim.refresh_from_db()
    limit = claims.claim_limit_date(claim)
    assert limit < today()
    with nothing_written(claim), pytest.raises(InsuranceError, match="^請求できません。請求できる期限（.*）を過ぎて"):
        claims.file_claim(actor=association_head, claim_id=claim.pk)
    with monkeypatch.context() as m:
        on_day(m, limit + dt.timedelta(days=1))
        with nothing_written(claim), pytest.raises(InsuranceError, match="請求できる期限"):
            claims.file_claim(actor=association_head, claim_id=claim.pk)
        on_day(m, limit)  # the last day still counts
        assert claims.file_claim(actor=association_head, claim_id=claim.pk).filed_on == limit


# --- the documents each kind needs --------------------------------------------------------------------------------

@pytest.mark.parametrize(("documents", "missing"), [
    ((MEDICAL,), "書類「保険金請求書」を登録してください。"),
    ((CLAIM_FORM,), "書類「診断書・通院証明書」または「領収書」を登録してください。"),
    ((CLAIM_FORM, DAMAGE), "書類「診断書・通院証明書」または「領収書」を登録してください。"),
])
def test_an_injury_claim_needs_its_form_and_a_certificate_or_receipt(documents, missing, claim,  # type: ignore[no-untyped-def]
                                                                     association_head) -> None:
    accident = claim.report.accident_date
    claims.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=False, recovered_on=accident,
                            outpatient=[accident])
    _documents(association_head, claim, *documents)
    claim.refresh_from_db()
    assert claims.missing_for_filing(claim) == [missing]
    with nothing_written(claim), pytest.raises(InsuranceError, match=f"^請求できません。{missing}$"):
        claims.file_claim(actor=association_head, claim_id=claim.pk)


def test_an_injury_claim_needs_treatment_or_an_outcome(claim, association_head) -> None:
    claims.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=False,
                            recovered_on=claim.report.accident_date)
    _documents(association_head, claim, CLAIM_FORM, MEDICAL)
    claim.refresh_from_db()
    assert claims.missing_for_filing(claim) == ["入院・通院の日、または死亡・後遺障害を記録してください。"]


@pytest.mark.parametrize(("damages", "documents", "missing"), [
    (None, (CLAIM_FORM, DAMAGE), ["損害額を入力してください。"]),
    (30_000, (CLAIM_FORM, MEDICAL), ["書類「損害の見積書・写真」を登録してください。"]),
    (30_000, (DAMAGE,), ["書類「保険金請求書」を登録してください。"]),
    (None, (), ["書類「保険金請求書」を登録してください。", "損害額を入力してください。",
                "書類「損害の見積書・写真」を登録してください。"]),
])
def test_a_liability_claim_needs_its_damages_and_estimate(damages, documents, missing, association,  # type: ignore[no-untyped-def]
                                                          association_head, insurance, policy, media) -> None:
    report = builders.covered_report(association_head, insurance, association, persons={"鈴木 一郎": "property"},
                                     kind_injury=False, kind_liability_property=True)
    liability = _forms(insurance, report, "鈴木 一郎")
    if damages:
        claims.record_damages(actor=association_head, claim_id=liability.pk, damages=damages)
    _documents(association_head, liability, *documents)
    liability.refresh_from_db()
    assert claims.claim_open_date(liability) == report.accident_date
    assert claims.missing_for_filing(liability) == missing


# --- amounts computed from the policy -----------------------------------------------------------------------------

def test_per_day_amounts_with_window_limit_and_waiting_days(association, association_head, insurance, media) -> None:
    builders.policy(inpatient_window_days=5, inpatient_max_days=3, outpatient_window_days=10,
                    outpatient_waiting_days=1, outpatient_max_days=4, surgery_multiple_inpatient=10)
    accident = days_ago(30)
    report = builders.covered_report(association_head, insurance, association, accident_date=accident,
                                     delay_reason="入院していたため報告が遅れました。")
    claim = _forms(insurance, report)
    # 入院 day 1–4 (all within 5 days) → 4 days, at most 3 → 3 × 3,000 = 9,000
    # 通院 day 5–15: within 10 days day 5–10 = 6, the first 1 not paid → 5, at most 4 → 4 × 2,000 = 8,000
    # 入院中の手術 1 → 3,000 × 10 = 30,000
    claims.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=False,
                            recovered_on=accident + dt.timedelta(14),
                            inpatient=[(accident, accident + dt.timedelta(3))],
                            outpatient=_visits(accident + dt.timedelta(4), 11), surgeries_inpatient=1)
    _documents(association_head, claim, CLAIM_FORM, MEDICAL)
    filed = claims.file_claim(actor=association_head, claim_id=claim.pk)
    assert [(line["label"], line["amount"]) for line in filed.computed_lines] == [
        ("入院保険金", 9_000), ("通院保険金", 8_000), ("手術保険金", 30_000)]
    assert filed.computed_amount == 47_000
    assert "（限度 3日）" in filed.computed_lines[0]["basis"]
    assert "免責 1日を除き 5日（限度 4日）" in filed.computed_lines[1]["basis"]


@pytest.mark.parametrize(("percent", "amount", "floor_applied"), [
    ("1", 90_000, True),  # 5,000,000 × 1 % = 50,000 < the floor 90,000
    ("12.5", 625_000, False),
    ("100", 5_000_000, False),
])
def test_the_disability_benefit_and_its_floor(percent, amount, floor_applied, claim, association_head) -> None:  # type: ignore[no-untyped-def]
    accident = claim.report.accident_date
    claims.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=False, recovered_on=accident,
                            disability_percent=percent)
    _documents(association_head, claim, CLAIM_FORM, MEDICAL)
    filed = claims.file_claim(actor=association_head, claim_id=claim.pk)
    assert filed.computed_amount == amount
    assert ("最低額 90,000円を適用" in filed.computed_lines[0]["basis"]) is floor_applied


@pytest.mark.parametrize(("visits", "amount"), [(1, 10_000), (4, 10_000), (5, 30_000), (9, 30_000), (10, 50_000)])
def test_a_banded_policy_pays_the_band_of_the_treatment_days(visits, amount, association, association_head,  # type: ignore[no-untyped-def]
                                                             insurance, media) -> None:
    banded = builders.policy(benefit_mode="banded", banded_window_days=180)
    BenefitBand.objects.create(policy=banded, lower_days=1, upper_days=4, amount=10_000)
    BenefitBand.objects.create(policy=banded, lower_days=5, upper_days=9, amount=30_000)
    BenefitBand.objects.create(policy=banded, lower_days=10, amount=50_000)
    accident = days_ago(12)
    report = builders.covered_report(association_head, insurance, association, accident_date=accident)
    claim = _forms(insurance, report)
    claims.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=False,
                            recovered_on=accident + dt.timedelta(visits - 1), outpatient=_visits(accident, visits))
    _documents(association_head, claim, CLAIM_FORM, MEDICAL)
    filed = claims.file_claim(actor=association_head, claim_id=claim.pk)
    assert [(line["label"], line["amount"]) for line in filed.computed_lines] == [("入院・通院保険金（定額）", amount)]


# --- liability: one accident's cover shared in serial order, one deductible ----------------------------------------

@pytest.fixture
def small_limits(db):  # type: ignore[no-untyped-def]
    """Bodily ¥1,000,000 per person and ¥1,500,000 per accident, property ¥300,000, deductible ¥5,000."""
    return builders.policy(liability_bodily_per_person=1_000_000, liability_bodily_per_accident=1_500_000,
                           liability_property_per_accident=300_000, liability_deductible=5_000)


@pytest.fixture
def three_harmed(association, association_head, insurance, small_limits, media):  # type: ignore[no-untyped-def]
    report = builders.covered_report(association_head, insurance, association, kind_injury=False,
                                     kind_liability_bodily=True, kind_liability_property=True,
                                     persons={"第三者 一": "bodily", "第三者 二": "bodily", "第三者 三": "property"})
    return [_forms(insurance, report, name) for name in ("第三者 一", "第三者 二", "第三者 三")]


def _ready(head, claim: Claim, damages: int) -> None:  # type: ignore[no-untyped-def]
    claims.record_damages(actor=head, claim_id=claim.pk, damages=damages)
    _documents(head, claim, CLAIM_FORM, DAMAGE)


def _amounts(*claims_: Claim) -> list[int | None]:
    return [Claim.objects.get(pk=c.pk).computed_amount for c in claims_]


def test_liability_claims_share_the_cover_in_serial_order(three_harmed, association_head, insurance,
                                                          small_limits) -> None:
    first, second, third = three_harmed
    for claim, damages in zip(three_harmed, (1_200_000, 800_000, 400_000), strict=True):
        _ready(association_head, claim, damages)
    for claim in (third, first, second):  # filed and forwarded in another order than opened
        claims.file_claim(actor=association_head, claim_id=claim.pk)
        claims.forward_claim(actor=insurance, claim_id=claim.pk)
    # 1st: 1,200,000 → 1,000,000 per person, less the deductible 5,000 = 995,000
    # 2nd: 800,000 → 500,000 left of the 1,500,000 per accident = 500,000
    # 3rd: property 400,000 → 300,000 per accident = 300,000
    assert _amounts(first, second, third) == [995_000, 500_000, 300_000]
    payable = liability_payable(small_limits, bodily=[1_200_000, 800_000], property_damage=400_000)
    assert sum(_amounts(*three_harmed)) == payable.amount == 1_795_000  # type: ignore[arg-type]


def test_a_claim_forwarded_before_the_others_are_known_keeps_one_deductible(three_harmed, association_head,
                                                                            insurance, small_limits) -> None:
    first, second, _ = three_harmed
    _ready(association_head, second, 800_000)
    claims.file_claim(actor=association_head, claim_id=second.pk)
    claims.forward_claim(actor=insurance, claim_id=second.pk)
    assert _amounts(second) == [795_000]  # alone so far: 800,000 less the deductible
    _ready(association_head, first, 1_200_000)
    claims.file_claim(actor=association_head, claim_id=first.pk)
    claims.forward_claim(actor=insurance, claim_id=first.pk)
    # what is left of the 1,500,000 per accident after the 800,000 sent: 700,000; the deductible was taken
    assert _amounts(first, second) == [700_000, 795_000]
    assert sum(_amounts(first, second)) == liability_payable(  # type: ignore[arg-type]
        small_limits, bodily=[1_200_000, 800_000]).amount == 1_495_000


def test_forwarding_freezes_the_amount(three_harmed, association_head, insurance) -> None:
    first, second, _ = three_harmed
    _ready(association_head, second, 300_000)
    claims.file_claim(actor=association_head, claim_id=second.pk)
    forwarded = claims.forward_claim(actor=insurance, claim_id=second.pk, insurer_reference="損保-2026-001")
    assert (forwarded.status, forwarded.forwarded_on, forwarded.forwarded_by, forwarded.insurer_reference) == (
        ClaimStatus.FORWARDED, today(), insurance, "損保-2026-001")
    lines = forwarded.computed_lines
    _ready(association_head, first, 50_000)  # an earlier serial becomes known after the forwarding
    claims.file_claim(actor=association_head, claim_id=first.pk)
    second.refresh_from_db()
    assert (second.computed_amount, second.computed_lines) == (295_000, lines)
    assert _amounts(first) == [50_000]  # the deductible went with the claim already sent
    assert AuditEvent.objects.for_object(second.report).filter(action="insurance_forward_claim").get().note == (
        f"請求 {second.number}：算定額 295,000円")


def test_a_withdrawn_claim_leaves_its_share(three_harmed, association_head, insurance) -> None:
    first, second, _ = three_harmed
    _ready(association_head, first, 1_200_000)
    _ready(association_head, second, 800_000)
    claims.file_claim(actor=association_head, claim_id=second.pk)
    assert _amounts(second) == [500_000]  # behind the first: 1,000,000 taken and the deductible
    claims.withdraw_claim(actor=association_head, claim_id=first.pk, reason="相手方と示談しました。")
    forwarded = claims.forward_claim(actor=insurance, claim_id=second.pk)  # recomputed when sent
    assert forwarded.computed_amount == 795_000


# --- forwarding and the insurer's answer --------------------------------------------------------------------------

@pytest.fixture
def filed(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    """An injury claim filed after 10 visits: 20,000 yen."""
    return builders.filed_claim(association_head, insurance, association, outpatient_days=10)


@pytest.fixture
def forwarded(filed, insurance):  # type: ignore[no-untyped-def]
    return claims.forward_claim(actor=insurance, claim_id=filed.pk, insurer_reference="A-1")


def test_the_group_cannot_forward_or_record_the_answer(filed, association_head, insurance) -> None:
    with nothing_written(filed), pytest.raises(InsuranceError, match="保険担当のみ"):
        claims.forward_claim(actor=association_head, claim_id=filed.pk)
    claims.forward_claim(actor=insurance, claim_id=filed.pk)
    filed.refresh_from_db()
    with nothing_written(filed), pytest.raises(InsuranceError, match="保険担当のみ"):
        claims.record_payment(actor=association_head, claim_id=filed.pk, paid_on=today(), amount=20_000)
    with nothing_written(filed), pytest.raises(InsuranceError, match="保険担当のみ"):
        claims.record_denial(actor=association_head, claim_id=filed.pk, answered_on=today(), reason="対象外")


def test_only_a_filed_claim_is_forwarded(claim, insurance) -> None:
    with nothing_written(claim), pytest.raises(InsuranceError, match="請求を受け付けた（送付待ちの）請求だけ"):
        claims.forward_claim(actor=insurance, claim_id=claim.pk)


def test_the_insurers_reference_is_limited(filed, insurance) -> None:
    with nothing_written(filed), pytest.raises(InsuranceError, match="^保険会社の受付番号: 40文字以内"):
        claims.forward_claim(actor=insurance, claim_id=filed.pk, insurer_reference="A" * 41)


def test_the_payment_of_the_computed_amount(forwarded, insurance) -> None:
    paid = claims.record_payment(actor=insurance, claim_id=forwarded.pk, paid_on=today(), amount=20_000)
    assert (paid.status, paid.paid_amount, paid.result_on, paid.result_by, paid.result_note) == (
        ClaimStatus.PAID, 20_000, today(), insurance, "")
    event = AuditEvent.objects.for_object(paid.report).last()
    assert (event.action, event.from_state, event.to_state) == ("insurance_record_payment", "forwarded", "paid")


def test_a_payment_other_than_computed_needs_the_insurers_note(forwarded, insurance) -> None:
    with nothing_written(forwarded), pytest.raises(InsuranceError, match="^備考: 支払額が算定額（20,000円）と異なります"):
        claims.record_payment(actor=insurance, claim_id=forwarded.pk, paid_on=today(), amount=18_000)
    paid = claims.record_payment(actor=insurance, claim_id=forwarded.pk, paid_on=today(), amount=18_000,
                                 note="通院1日分は同日の再診のため対象外との回答")
    assert (paid.paid_amount, paid.computed_amount) == (18_000, 20_000)
    assert paid.result_note == "通院1日分は同日の再診のため対象外との回答"


@pytest.mark.parametrize("amount", [0, -20_000, True, "20000", 10**12 + 1])
def test_a_payment_is_whole_yen_above_zero(amount, forwarded, insurance) -> None:  # type: ignore[no-untyped-def]
    with nothing_written(forwarded), pytest.raises(InsuranceError, match="^支払額: 1円以上"):
        claims.record_payment(actor=insurance, claim_id=forwarded.pk, paid_on=today(), amount=amount)


def test_a_denial_needs_its_reason(forwarded, insurance) -> None:
    with nothing_written(forwarded), pytest.raises(InsuranceError, match="^不支払の理由: 入力"):
        claims.record_denial(actor=insurance, claim_id=forwarded.pk, answered_on=today(), reason=" ")
    denied = claims.record_denial(actor=insurance, claim_id=forwarded.pk, answered_on=today(),
                                  reason="事故との因果関係が確認できないため")
    assert (denied.status, denied.denial_reason, denied.result_on) == (
        ClaimStatus.DENIED, "事故との因果関係が確認できないため", today())


@pytest.mark.parametrize("answer", ["before forwarding", "tomorrow", "not a date"])
def test_the_answer_day_lies_between_forwarding_and_today(answer, forwarded, insurance) -> None:  # type: ignore[no-untyped-def]
    day = {"before forwarding": days_ago(1), "tomorrow": today() + dt.timedelta(days=1),
           "not a date": "2026-06-01"}[answer]
    message = {"before forwarding": "^回答日: 保険会社へ送付した日（.*）より前", "tomorrow": "^回答日: 今日より後",
               "not a date": "^回答日: 日付を入力"}[answer]
    with nothing_written(forwarded), pytest.raises(InsuranceError, match=message):
        claims.record_payment(actor=insurance, claim_id=forwarded.pk, paid_on=day, amount=20_000)
    with nothing_written(forwarded), pytest.raises(InsuranceError, match=message):
        claims.record_denial(actor=insurance, claim_id=forwarded.pk, answered_on=day, reason="対象外のため")


def test_an_answer_needs_a_forwarded_claim_and_comes_once(filed, insurance) -> None:
    with nothing_written(filed), pytest.raises(InsuranceError, match="保険会社へ送付した（回答待ちの）請求だけ"):
        claims.record_payment(actor=insurance, claim_id=filed.pk, paid_on=today(), amount=20_000)
    claims.forward_claim(actor=insurance, claim_id=filed.pk)
    claims.record_payment(actor=insurance, claim_id=filed.pk, paid_on=today(), amount=20_000)
    filed.refresh_from_db()
    with nothing_written(filed), pytest.raises(InsuranceError, match="回答待ちの"):
        claims.record_denial(actor=insurance, claim_id=filed.pk, answered_on=today(), reason="対象外のため")


# --- withdrawal ---------------------------------------------------------------------------------------------------

def test_a_claim_is_withdrawn_before_it_is_forwarded(claim, filed, association_head, insurance) -> None:
    for open_claim, before in ((claim, "forms_sent"), (filed, "filed")):
        withdrawn = claims.withdraw_claim(actor=association_head, claim_id=open_claim.pk, reason="請求しません。")
        assert (withdrawn.status, withdrawn.withdrawn_reason) == (ClaimStatus.WITHDRAWN, "請求しません。")
        event = AuditEvent.objects.for_object(open_claim.report).last()
        assert (event.action, event.from_state) == ("insurance_withdraw_claim", before)


def test_a_forwarded_claim_is_not_withdrawn(forwarded, association_head, insurance) -> None:
    for user in (association_head, insurance):
        with nothing_written(forwarded), pytest.raises(InsuranceError, match="送付した後の請求は取り下げられません"):
            claims.withdraw_claim(actor=user, claim_id=forwarded.pk, reason="取り下げます。")


def test_a_withdrawal_needs_a_reason(claim, association_head) -> None:
    with nothing_written(claim), pytest.raises(InsuranceError, match="^取下げの理由: 入力"):
        claims.withdraw_claim(actor=association_head, claim_id=claim.pk, reason="")


def test_nothing_is_added_to_a_forwarded_claim(forwarded, association_head) -> None:
    with nothing_written(forwarded), pytest.raises(InsuranceError, match="送付した後の請求には書類を追加できません"):
        claims.add_claim_document(actor=association_head, claim_id=forwarded.pk, kind=RECEIPT, title="領収書",
                                  upload=builders.pdf())
    with nothing_written(forwarded), pytest.raises(InsuranceError, match="請求の後は治療の記録を変更できません"):
        claims.record_treatment(actor=association_head, claim_id=forwarded.pk, in_treatment=True, recovered_on=None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_liability_claims_forwarded_at_once_share_one_deductible(association, association_head, insurance,
                                                                     insurance2, small_limits, media) -> None:
    report = builders.covered_report(association_head, insurance, association, kind_injury=False,
                                     kind_liability_bodily=True, persons={"第三者 一": "bodily", "第三者 二": "bodily"})
    first, second = (_forms(insurance, report, name) for name in ("第三者 一", "第三者 二"))
    _ready(association_head, second, 800_000)
    claims.file_claim(actor=association_head, claim_id=second.pk)
    _ready(association_head, first, 1_200_000)
    claims.file_claim(actor=association_head, claim_id=first.pk)
    outcomes = run_together(lambda: claims.forward_claim(actor=insurance, claim_id=first.pk),
                            lambda: claims.forward_claim(actor=insurance2, claim_id=second.pk))
    assert all(isinstance(o, Claim) for o in outcomes), outcomes
    assert sum(_amounts(first, second)) == liability_payable(  # type: ignore[arg-type]
        small_limits, bodily=[1_200_000, 800_000]).amount == 1_495_000
