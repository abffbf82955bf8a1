"""The competitive workflow as data (grants/competitive/workflows.py): FULL's 審査 starts from 採択; a line of an
excluded 費目 does not stop it (the line does not count), and staff who judge such a line eligible after all may
override it there, approved by another, and then it counts; in screening, and by the wrong role, an override is
refused and nothing is written. A case's status is said in its own workflow's words."""
import pytest

from grants.cases import checks, lifecycle, services
from grants.cases.models import EligibilityOverride
from grants.competitive.workflows import COMPETITIVE
from grants.core import workflow
from grants.core.workflow import ActionRefused
from tests.competitive import steps

LUNCH = [*steps.LINES, ("inshokuhi", "交流会の弁当", 20_000)]


def _lunch_check(case) -> str:  # type: ignore[no-untyped-def]
    return next(r.code for r in checks.run_checks(case) if not r.passed)


def test_a_selected_application_with_an_excluded_line_is_assessed_without_that_line(  # type: ignore[no-untyped-def]
        open_call, npo, staff, approver):
    """The walk-through's case: a group's 弁当 line (飲食費, excluded) stopped the 審査 after 採択 for ever, and the
    only way on was an override, which would have made the excluded line count."""
    case = steps.selected(open_call, *npo, staff, approver, lines=[("hoshohi", "講師謝礼", 90_000),
                                                                   ("inshokuhi", "交流会の弁当", 60_000)],
                          amount=100_000)
    eligible = lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=60_000,
                                completion_deadline=case.project_end, conditions="", note="飲食費を除いたため")
    assert (eligible.status, eligible.computed_amount) == ("verified", 60_000)  # 90,000 × ⅔: the 弁当 does not count


def test_an_excluded_line_judged_eligible_after_all_is_overridden_by_two_and_then_counts(  # type: ignore[no-untyped-def]
        open_call, npo, staff, staff2, approver):
    case = steps.selected(open_call, *npo, staff, approver, lines=[("hoshohi", "講師謝礼", 90_000),
                                                                   ("inshokuhi", "講師の弁当", 30_000)],
                          amount=80_000)
    override = services.override_check(case_id=case.pk, actor=staff, check_code=_lunch_check(case),
                                       justification="講師の昼食は謝礼の一部と認めるため")
    with pytest.raises(ActionRefused):
        services.approve_override(case_id=case.pk, override_id=override.pk, actor=staff)  # its author
    services.approve_override(case_id=case.pk, override_id=override.pk, actor=approver)
    verified = lifecycle.verify(case_id=case.pk, actor=staff2, assessed_amount=80_000,
                                completion_deadline=case.project_end, conditions="", note="")
    assert (verified.status, verified.computed_amount) == ("verified", 80_000)  # 120,000 × ⅔


def test_no_override_in_screening_nor_by_the_group(open_call, npo, staff):  # type: ignore[no-untyped-def]
    case = steps.screening(open_call, *npo, staff, lines=LUNCH)
    code = _lunch_check(case)
    for actor in (staff, npo[1]):
        with pytest.raises(ActionRefused, match="特例判断"):
            services.override_check(case_id=case.pk, actor=actor, check_code=code, justification="理由")
    assert not EligibilityOverride.objects.filter(case=case).exists()


def test_a_case_states_its_status_in_its_own_workflows_words(open_call, npo, staff):  # type: ignore[no-untyped-def]
    """FULL and the competitive workflow both have ``submitted``: a competitive one waits for 受付, not for 審査."""
    case = steps.submitted(open_call, *npo)
    assert case.status_label == "申請済（受付待ち）"
    workflow.perform(COMPETITIVE.machine, case.pk, "accept_for_screening", actor=staff)
    case.refresh_from_db()
    assert case.status_label == "審査中（審査会）"
