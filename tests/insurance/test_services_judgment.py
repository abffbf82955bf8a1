"""補償対象の判定: every condition of the policy must hold and no exclusion apply; each item is recorded with its
reason; the 保険担当 who entered a paper report does not judge it; refusals write nothing."""
import pytest

from grants.accounts.models import Role
from grants.core.models import AuditEvent
from grants.insurance import services
from grants.insurance.machines import InsuranceError
from grants.insurance.models import Finding, Judgment, PolicyCondition, ReportStatus
from tests import factories
from tests.factories import CURRENT_FY
from tests.insurance import builders
from tests.insurance.support import nothing_written

pytestmark = pytest.mark.django_db

CONDITIONS = ("members", "public_benefit", "annual_plan", "unpaid")
EXCLUSIONS = ("event_competitor", "own_vehicle", "natural_disaster", "intentional", "illness")


@pytest.fixture
def submitted(association, association_head, policy, media):  # type: ignore[no-untyped-def]
    report = builders.draft_report(association_head, association)
    services.submit_report(actor=association_head, report_id=report.pk)
    return report


def _judge(actor, report, **overrides: bool) -> Judgment:  # type: ignore[no-untyped-def]
    return services.judge_report(actor=actor, report_id=report.pk, findings=builders.all_hold(report, **overrides),
                                 note="書類で確認しました。")


def _condition(report, code: str) -> PolicyCondition:  # type: ignore[no-untyped-def]
    return report.policy.conditions.get(code=code)


def test_every_condition_held_and_no_exclusion_is_covered(submitted, insurance) -> None:
    judgment = _judge(insurance, submitted)
    submitted.refresh_from_db()
    assert (judgment.covered, judgment.judged_by, judgment.note) == (True, insurance, "書類で確認しました。")
    assert submitted.status == ReportStatus.COVERED
    assert judgment.findings.count() == len(CONDITIONS) + len(EXCLUSIONS) == 9
    assert {f.condition.code: f.holds for f in judgment.findings.select_related("condition")} == {
        **dict.fromkeys(CONDITIONS, True), **dict.fromkeys(EXCLUSIONS, False)}
    assert all(f.reason.endswith("を書類で確認しました。") for f in judgment.findings.all())
    assert services.unfavourable_findings(judgment) == []
    event = AuditEvent.objects.for_object(submitted).last()
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "insurance_judge_report", "submitted", "covered", insurance)


@pytest.mark.parametrize("code", CONDITIONS)
def test_one_condition_not_met_is_not_covered(code, submitted, insurance) -> None:  # type: ignore[no-untyped-def]
    judgment = _judge(insurance, submitted, **{code: False})
    submitted.refresh_from_db()
    assert (judgment.covered, submitted.status) == (False, ReportStatus.NOT_COVERED)
    assert [f.condition.code for f in services.unfavourable_findings(judgment)] == [code]


@pytest.mark.parametrize("code", EXCLUSIONS)
def test_one_exclusion_that_applies_is_not_covered(code, submitted, insurance) -> None:  # type: ignore[no-untyped-def]
    judgment = _judge(insurance, submitted, **{code: True})
    submitted.refresh_from_db()
    assert (judgment.covered, submitted.status) == (False, ReportStatus.NOT_COVERED)
    assert [f.condition.code for f in services.unfavourable_findings(judgment)] == [code]


def test_unfavourable_findings_lists_a_failed_condition_and_an_exclusion(submitted, insurance) -> None:
    judgment = _judge(insurance, submitted, unpaid=False, illness=True)
    unfavourable = services.unfavourable_findings(judgment)
    assert [(f.condition.code, f.holds, f.favourable) for f in unfavourable] == [
        ("unpaid", False, False), ("illness", True, False)]


def test_a_missing_finding_is_named(submitted, insurance) -> None:
    findings = builders.all_hold(submitted)
    del findings[_condition(submitted, "annual_plan").pk]
    with nothing_written(submitted), pytest.raises(
            InsuranceError, match="^「年間の事業計画に基づく活動である」: 該当するかどうかを選んでください"):
        services.judge_report(actor=insurance, report_id=submitted.pk, findings=findings)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_finding_needs_its_reason(reason, submitted, insurance) -> None:  # type: ignore[no-untyped-def]
    findings = builders.all_hold(submitted)
    findings[_condition(submitted, "own_vehicle").pk] = (False, reason)
    with nothing_written(submitted), pytest.raises(
            InsuranceError, match="^「自動車・バイクなど自ら運転する車両による事故」の理由: 入力してください"):
        services.judge_report(actor=insurance, report_id=submitted.pk, findings=findings)


def test_a_condition_of_another_policy_is_refused(submitted, insurance) -> None:
    other = builders.policy(fiscal_year=CURRENT_FY - 3, policy_number="T-OLD", period_start=builders.days_ago(900),
                            period_end=builders.days_ago(800))
    findings = builders.all_hold(submitted)
    findings[other.conditions.first().pk] = (True, "確認しました。")
    with nothing_written(submitted), pytest.raises(InsuranceError, match="この保険契約にない項目"):
        services.judge_report(actor=insurance, report_id=submitted.pk, findings=findings)
    findings = builders.all_hold(submitted)
    findings[999_999] = (True, "確認しました。")
    with nothing_written(submitted), pytest.raises(InsuranceError, match="この保険契約にない項目"):
        services.judge_report(actor=insurance, report_id=submitted.pk, findings=findings)


@pytest.mark.parametrize("holds", ["yes", 1, 0, None, "False"])
def test_a_finding_is_true_or_false_only(holds, submitted, insurance) -> None:  # type: ignore[no-untyped-def]
    findings = builders.all_hold(submitted)
    findings[_condition(submitted, "members").pk] = (holds, "会員名簿で確認しました。")
    with nothing_written(submitted), pytest.raises(InsuranceError, match="^「市内を拠点とする5人以上の団体"):
        services.judge_report(actor=insurance, report_id=submitted.pk, findings=findings)


def test_the_one_who_entered_a_paper_report_does_not_judge_it(association, insurance, insurance2, policy,
                                                               media) -> None:
    report = builders.draft_report(insurance, association)
    services.submit_report(actor=insurance, report_id=report.pk)
    with nothing_written(report), pytest.raises(InsuranceError, match="自分で入力した事故報告書は判定できません"):
        _judge(insurance, report)
    assert _judge(insurance2, report).judged_by == insurance2


@pytest.mark.parametrize("role", [Role.ASSOCIATION_HEAD, Role.STAFF, Role.APPROVER, Role.FINANCE, Role.AUDITOR])
def test_only_insurance_judges(role, submitted, association_head) -> None:  # type: ignore[no-untyped-def]
    user = association_head if role == Role.ASSOCIATION_HEAD else factories.UserFactory(username=f"u-{role}",
                                                                                         role=role)
    with nothing_written(submitted), pytest.raises(InsuranceError, match="保険担当のみ"):
        _judge(user, submitted)


def test_a_report_is_judged_once(submitted, insurance, insurance2) -> None:
    _judge(insurance, submitted)
    with nothing_written(submitted), pytest.raises(InsuranceError, match="判定できるのは提出済み"):
        _judge(insurance2, submitted, illness=True)
    assert Judgment.objects.get().covered is True


@pytest.mark.parametrize("stage", ["draft", "returned", "withdrawn"])
def test_only_a_submitted_report_is_judged(stage, association, association_head, insurance, policy, media) -> None:  # type: ignore[no-untyped-def]
    report = builders.draft_report(association_head, association)
    if stage == "returned":
        services.submit_report(actor=association_head, report_id=report.pk)
        services.return_report(actor=insurance, report_id=report.pk, note="名簿を添付してください。")
    if stage == "withdrawn":
        services.withdraw_report(actor=association_head, report_id=report.pk, reason="請求しないため。")
    with nothing_written(report), pytest.raises(InsuranceError, match="判定できるのは提出済み"):
        _judge(insurance, report)


def test_a_policy_without_conditions_cannot_be_judged(submitted, insurance) -> None:
    submitted.policy.conditions.all().delete()
    with nothing_written(submitted), pytest.raises(InsuranceError, match="判定項目が登録されていません"):
        services.judge_report(actor=insurance, report_id=submitted.pk, findings={})


def test_the_policys_own_items_are_judged(submitted, insurance) -> None:
    # an item the administrator added to this year's policy is judged like the standard ones
    standard_only = builders.all_hold(submitted)
    PolicyCondition.objects.create(policy=submitted.policy, kind="exclusion", code="alcohol", label="飲酒による事故",
                                   order=20)
    with nothing_written(submitted), pytest.raises(InsuranceError, match="^「飲酒による事故」: 該当するかどうか"):
        services.judge_report(actor=insurance, report_id=submitted.pk, findings=standard_only)
    judgment = _judge(insurance, submitted, alcohol=True)
    assert judgment.covered is False
    assert Finding.objects.filter(judgment=judgment).count() == 10


def test_the_note_is_limited(submitted, insurance) -> None:
    with nothing_written(submitted), pytest.raises(InsuranceError, match="^判定の所見: 2000文字以内"):
        services.judge_report(actor=insurance, report_id=submitted.pk, findings=builders.all_hold(submitted),
                              note="あ" * 2001)


def test_a_head_sees_the_judgment_of_their_report_only_through_it(submitted, insurance, association_head) -> None:
    # the group may read the outcome (the report is theirs); a head of another group cannot reach the report
    _judge(insurance, submitted, illness=True)
    assert services.access_report(association_head, submitted.pk).judgment.covered is False
    stranger = factories.UserFactory(username="head-x", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=factories.AssociationFactory(), user=stranger)
    with pytest.raises(type(submitted).DoesNotExist):
        services.access_report(stranger, submitted.pk)
