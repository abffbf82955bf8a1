"""The competitive workflow end to end on the rail: a group's own application → 受付 → scores → 採択 → the shared
full lifecycle's 審査 and 交付決定 (tests/competitive/steps.py builds each state through the real services)."""
import pytest

from grants.cases import lifecycle
from grants.cases.models import GrantCase
from grants.competitive import applications
from grants.competitive.models import ProjectPlan
from grants.core.models import AuditEvent
from grants.notices.models import Notice
from tests.competitive import steps


def test_a_selected_application_is_decided_through_the_full_lifecycle(open_call, npo, npo_b, staff, staff2,
                                                                      approver, judge, judge2):  # type: ignore[no-untyped-def]
    good = steps.screening(open_call, *npo, staff)
    weak = steps.screening(open_call, *npo_b, staff, title="まちなかコンサート")
    assert good.applied_amount == 150_000  # 225,000 × ⅔ = 150,000, 1st-year cap 150,000
    for member in (judge, judge2):
        steps.score(good, member, 5)
        steps.score(weak, member, 2)
    steps.decide_selection(open_call, staff, approver, {good.pk: 150_000})
    good.refresh_from_db()
    weak.refresh_from_db()
    assert (good.status, weak.status) == ("selected", "not_selected")
    assert set(Notice.objects.filter(case__in=[good, weak]).values_list("kind", flat=True)) == {
        "selection", "non_selection"}
    case = lifecycle.verify(case_id=good.pk, actor=staff2, assessed_amount=120_000, completion_deadline=good.project_end,
                            conditions="成果報告会を開くこと", note="会場使用料の一部を対象外としました")
    case = lifecycle.decide(case_id=good.pk, actor=approver)
    assert (case.status, case.decided_amount) == ("decided", 120_000)
    assert AuditEvent.objects.filter(object_id=str(good.pk), action="select").exists()


def test_a_group_cannot_apply_twice_to_one_call(open_call, npo):  # type: ignore[no-untyped-def]
    first = steps.draft(open_call, *npo)
    again = applications.start_application(call_id=open_call.pk, actor=npo[1], organization_id=npo[0].pk,
                                           project_title="別の事業")
    assert again.pk == first.pk
    assert ProjectPlan.objects.filter(call=open_call).count() == 1
    assert GrantCase.objects.filter(organization=npo[0]).count() == 1


def test_an_unconfirmed_group_cannot_start_an_application(open_call):  # type: ignore[no-untyped-def]
    from tests.competitive import builders

    org, head = builders.group("new-head", "できたばかりの会")
    with pytest.raises(applications.ApplicationError, match="団体登録が市で確認されてから"):
        applications.start_application(call_id=open_call.pk, actor=head, organization_id=org.pk, project_title="x")
