"""The competitive workflow as data (grants/competitive/workflows.py): FULL's 審査 starts from 採択, so a failed
check of a selected application (a line of an excluded 費目) is overridden and approved there, by two people, before
the 審査 that it otherwise stops; in screening, and by the wrong role, it is refused and nothing is written. A
case's status is said in its own workflow's words."""
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


def test_a_selected_application_with_an_excluded_line_is_overridden_approved_and_assessed(  # type: ignore[no-untyped-def]
        open_call, npo, staff, staff2, approver):
    case = steps.selected(open_call, *npo, staff, approver, lines=LUNCH)
    code = _lunch_check(case)
    with pytest.raises(ActionRefused, match="飲食費"):
        lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=120_000, completion_deadline=case.project_end,
                         conditions="", note="")
    override = services.override_check(case_id=case.pk, actor=staff, check_code=code,
                                       justification="飲食費は査定額から除くため")
    with pytest.raises(ActionRefused):
        services.approve_override(case_id=case.pk, override_id=override.pk, actor=staff)  # its author
    services.approve_override(case_id=case.pk, override_id=override.pk, actor=approver)
    verified = lifecycle.verify(case_id=case.pk, actor=staff2, assessed_amount=120_000,
                                completion_deadline=case.project_end, conditions="", note="飲食費を除いたため")
    assert (verified.status, verified.assessed_amount) == ("verified", 120_000)


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
