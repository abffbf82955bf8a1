"""The rule a case computes with (issue 12 §9): a decided case keeps the version of the rule it was decided under
(額の確定, the case page, the 概算払 plan and the 返還命令's rates), while an undecided case follows the rule as it
stands; the case page names the version once the rule has been revised."""
import pytest
from django.urls import reverse
from django.utils import timezone

from grants.cases import lifecycle, overdue, services
from grants.cases.models import GrantCase, Status, report_due_date
from grants.cases.rules import applied_version_label, rule_for_case, rule_terms
from grants.cases.workflows import CaseActionError
from grants.core.models import AuditEvent
from grants.programmes import versions
from grants.programmes.models import ActivityPurpose, ExpenseRule, Instalment, ProgrammeYear, RuleVersion, Treatment
from tests.cases import steps
from tests.cases.world import AMOUNT, REPORTED, _report, _verify_report, drive, new_case
from tests.councils import builders
from tests.councils.helpers import line

pytestmark = pytest.mark.django_db


def _revise(py: ProgrammeYear, **fields: object) -> None:
    """Change the stored rule (as the admin's new version does) and record the new version."""
    ProgrammeYear.objects.filter(pk=py.pk).update(**fields)
    versions.record_version(py, versions.snapshot(versions.load_for_snapshot(py.pk)), actor=None,
                            reason="要綱の改正（令和8年4月1日施行）")


def test_a_decision_records_the_current_version_of_its_rule(world) -> None:  # type: ignore[no-untyped-def]
    case = drive(world, Status.DECIDED)
    assert case.rule_version is not None and case.rule_version.number == 1
    assert versions.current_version(world.py) == case.rule_version
    assert applied_version_label(case) == ""  # one version only: nothing to tell apart


def test_confirmation_after_the_rule_changed_uses_the_version_it_was_decided_under(world) -> None:  # type: ignore[no-untyped-def]
    case = drive(world, Status.DECIDED)
    _revise(world.py, rate_numerator=1, rate_denominator=2)  # 10/10 → 1/2 after the decision
    _report(world, case)
    _verify_report(world, case)
    lifecycle.confirm(case_id=case.pk, actor=world.approver)
    case.refresh_from_db()
    # under version 1 (10/10) the 200,000円 reported justify 200,000円; under the new rule they would justify 100,000円
    assert (case.justified_amount, case.confirmed_amount, case.decided_amount) == (REPORTED, REPORTED, AMOUNT)
    assert case.rule_version.number == 1


def test_an_undecided_case_follows_the_rule_as_it_stands(world, council_b) -> None:  # type: ignore[no-untyped-def]
    drive(world, Status.DECIDED)
    _revise(world.py, rate_numerator=1, rate_denominator=2)
    org, secretary = council_b
    plan = builders.approved_plan(org, world.staff)
    case = builders.draft_case(world.py, org)
    line(case, secretary, category=world.cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"), amount=AMOUNT,
         description="水路補修の原材料")
    lifecycle.submit(case_id=case.pk, actor=secretary)
    case.refresh_from_db()
    assert case.applied_amount == AMOUNT // 2
    assert case.rule_version is None and rule_for_case(case).rate_denominator == 2
    # decided now, it takes the new version
    lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=AMOUNT // 2,
                     completion_deadline=world.deadline())
    lifecycle.decide(case_id=case.pk, actor=world.approver)
    case.refresh_from_db()
    assert case.rule_version.number == 2


def test_the_instalment_plan_of_a_decided_case_is_its_versions(world) -> None:  # type: ignore[no-untyped-def]
    builders.instalments(world.py, [(1, 2)])
    case = new_case(world)
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=AMOUNT, completion_deadline=world.deadline())
    lifecycle.decide(case_id=case.pk, actor=world.approver)
    case = GrantCase.objects.get(pk=case.pk)
    Instalment.objects.filter(programme_year=world.py).update(share_numerator=1, share_denominator=4)
    assert [i.share_denominator for i in rule_for_case(case).instalments.all()] == [2]
    assert [i.share_denominator for i in rule_for_case(new_case_of_nobody(world)).instalments.all()] == [4]


def new_case_of_nobody(world) -> GrantCase:  # type: ignore[no-untyped-def]
    """An unsaved, undecided case of the same rule (reads the rule as it stands)."""
    return GrantCase(programme_year=world.py, organization=world.org)


def test_the_refund_rates_of_a_decided_case_are_its_versions(world) -> None:  # type: ignore[no-untyped-def]
    case = drive(world, Status.DECIDED)
    rates = {"surcharge_rate": world.py.surcharge_rate, "late_rate": world.py.late_rate}
    _revise(world.py, surcharge_rate="1.000", late_rate="2.000", refund_due_days=60)
    rule = rule_for_case(case)
    assert {"surcharge_rate": rule.surcharge_rate, "late_rate": rule.late_rate} == rates
    assert rule.refund_due_days != 60


def test_the_case_page_names_the_version_once_the_rule_was_revised(client, programme_year, staff, staff2,  # type: ignore[no-untyped-def]
                                                                  approver) -> None:
    case = steps.association_case(programme_year, households=120)
    services.submit_application(case_id=case.pk, actor=staff)
    services.verify_application(case_id=case.pk, actor=staff2)
    services.decide_grant(case_id=case.pk, actor=approver)
    case.refresh_from_db()
    assert case.rule_version.number == 1 and case.decided_amount == 70_000
    _revise(programme_year, cap_amount=50_000)
    client.force_login(staff)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    label = versions.version_label(RuleVersion.objects.get(programme_year=programme_year, number=1))
    assert f"適用した交付基準：{label}" in page
    assert label.startswith("第1版（令和")


def test_a_category_excluded_after_the_decision_still_counts_in_the_decided_cases_report(world) -> None:  # type: ignore[no-untyped-def]
    case = drive(world, Status.DECIDED)
    ExpenseRule.objects.filter(programme_year=world.py, category=world.cats["genzairyo"]).update(
        treatment=Treatment.EXCLUDED, reason="令和8年度から対象外")
    ActivityPurpose.objects.filter(programme_year=world.py, name="防災・防犯").update(excluded=True,
                                                                                   reason="対象外になりました")
    lifecycle.save_report(case_id=case.pk, actor=world.secretary, narrative="水路の補修を行いました。",
                          completed_on=timezone.localdate())
    line(case, world.secretary, where="report", category=world.cats["genzairyo"], amount=REPORTED,
         plan_item=builders.item(world.plan, "1-1-2"), description="水路補修の原材料（実績）",
         purpose=ActivityPurpose.objects.get(programme_year=world.py, name="防災・防犯"))
    lifecycle.submit_report(case_id=case.pk, actor=world.secretary)
    assert all(r.passed for r in lifecycle.report_checks(case))  # judged by version 1
    unpinned = GrantCase.objects.get(pk=case.pk)
    unpinned.rule_version = None  # judged by the rule as it stands, the 費目 and the purpose would fail
    assert {r.code.partition("@")[0] for r in lifecycle.report_checks(unpinned) if not r.passed} >= {"category", "purpose"}
    _verify_report(world, case)
    case.refresh_from_db()
    assert case.justified_amount == REPORTED
    # a case not yet decided is judged by the rule as it stands
    undecided = GrantCase(programme_year=world.py, organization=world.org)
    assert rule_for_case(undecided).expense_rules.get(category=world.cats["genzairyo"]).treatment == "excluded"


def test_the_report_deadline_of_a_decided_case_is_its_versions(world) -> None:  # type: ignore[no-untyped-def]
    case = drive(world, Status.DECIDED)
    before = report_due_date(rule_terms(case), case.completion_deadline)
    _revise(world.py, report_due_days=5, report_due_fixed=None)
    case = GrantCase.objects.select_related("rule_version", "programme_year").get(pk=case.pk)
    assert report_due_date(rule_terms(case), case.completion_deadline) == before
    row = next(r for r in overdue.report_deadlines(today=case.completion_deadline, soon_days=400) if r.case == case)
    assert row.due_on == before


# -- a rule revised between the computation and the decision --------------------------------------------------------

def test_a_formula_case_is_decided_at_its_amount_under_the_rule_in_force_at_the_decision(programme_year, staff,  # type: ignore[no-untyped-def]
                                                                                        staff2, approver) -> None:
    case = steps.association_case(programme_year, households=120)  # 10,000 + 120 × 500 = 70,000
    services.submit_application(case_id=case.pk, actor=staff)
    services.verify_application(case_id=case.pk, actor=staff2)
    ProgrammeYear.objects.filter(pk=programme_year.pk).update(cap_amount=50_000)  # revised outside the admin
    case = services.decide_grant(case_id=case.pk, actor=approver)
    assert (case.computed_amount, case.decided_amount) == (50_000, 50_000)
    assert case.rule_version is not None and case.rule_version.snapshot["fields"]["cap_amount"] == 50_000
    notes = [event.note for event in AuditEvent.objects.for_object(case)]
    assert "交付基準の改正により算定額を計算し直しました（70,000円 → 50,000円）。" in notes


def test_a_cost_based_decision_above_what_the_revised_rule_justifies_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    case = drive(world, Status.VERIFIED)  # assessed 300,000円 of a 300,000円 line at 10/10
    ProgrammeYear.objects.filter(pk=world.py.pk).update(rate_numerator=1, rate_denominator=2)
    with pytest.raises(CaseActionError, match="対象経費による算定額が150,000円になりました。査定額300,000円"):
        lifecycle.decide(case_id=case.pk, actor=world.approver)
    case.refresh_from_db()
    assert (case.status, case.decided_amount, case.rule_version_id) == (Status.VERIFIED, None, None)
    assert not RuleVersion.objects.filter(programme_year=world.py).exists()
