"""Eligibility checks of the full lifecycle (GRANTS.md §5; the providers of ``grants/cases/checks.py`` and
``grants/councils/checks.py`` a council programme enables): each check passing and
failing with the reason in Japanese a council secretary reads; the plan version a case is judged against at each
stage; and overrides, which count only once a second person approved them."""
import datetime as dt

import pytest
from django.utils import timezone

from grants.cases import budget, checks, lifecycle, services
from grants.cases.models import GrantCase, Status
from grants.cases.workflows import CaseActionError
from grants.core.checks import labels
from grants.core.fiscal import fiscal_year_bounds, fiscal_year_label, wareki
from grants.core.models import AuditEvent
from grants.councils import plans
from grants.organizations.models import CommunityPlan, OrganizationKind, PlanStatus
from grants.programmes.models import ActivityPurpose
from tests.cases.world import World, make_world, new_case
from tests.councils import builders
from tests.councils.helpers import line
from tests.factories import CURRENT_FY

YEAR = fiscal_year_label(CURRENT_FY)


# The checks a 活動支援 programme enables, in the order the page lists them.
ORG_CHECKS = ("organization_active", "organization_kind", "representative", "bank_account", "plan_in_force")


LINE_CHECKS = ("plan_item", "category", "purpose", "period", "before_decision", "staff")


CHECK_LABELS = labels()


def eligible_now(case):  # type: ignore[no-untyped-def]
    return checks.eligible_lines(case, checks.stage_of(case))


FY_START, FY_END = fiscal_year_bounds(CURRENT_FY)


def result(results: list, code: str, line_=None, prefix: str = "b"):  # type: ignore[no-untyped-def]
    """The result of check ``code`` (of ``line_`` when given) in ``results``."""
    full = code if line_ is None else f"{code}@{prefix}{line_.pk}"
    found = [r for r in results if r.code == full]
    assert len(found) == 1, (full, [r.code for r in results])
    return found[0]


def failed(results: list) -> list[str]:
    return [r.code for r in results if not r.ok]


def add(w: World, case: GrantCase, where: str = "budget", **data):  # type: ignore[no-untyped-def]
    """An eligible line (原材料費, 取組 1-1-2, today) with ``data`` changed."""
    values = {"category": w.cats["genzairyo"], "plan_item": builders.item(w.plan, "1-1-2"), "amount": 50_000}
    values.update(data)
    return line(case, w.secretary, where=where, **values)


def revise_plan(w: World) -> CommunityPlan:
    """A revision of the plan (第2版) approved mid-year: the first version is superseded."""
    revision = plans.start_revision(actor=w.staff, plan_id=w.plan.pk, reason="取組の見直し")
    plans.submit_plan(actor=w.secretary, plan_id=revision.pk)
    plans.approve_plan(actor=w.staff2, plan_id=revision.pk)
    w.plan.refresh_from_db()
    assert w.plan.status == PlanStatus.SUPERSEDED
    return revision


def decided_case(w: World) -> GrantCase:
    case = new_case(w)
    lifecycle.submit(case_id=case.pk, actor=w.secretary)
    lifecycle.verify(case_id=case.pk, actor=w.staff, assessed_amount=300_000, completion_deadline=w.deadline())
    return lifecycle.decide(case_id=case.pk, actor=w.approver)


def test_a_sound_application_passes_every_check(world):  # type: ignore[no-untyped-def]
    case = new_case(world)
    results = checks.run_checks(case)
    the_line = budget.current_lines(case)[0]
    assert [r.code for r in results] == [
        *ORG_CHECKS, *(f"{code}@b{the_line.pk}" for code in LINE_CHECKS if code != "staff")]
    assert all(r.passed and r.reason == "" for r in results)


@pytest.mark.parametrize(("code", "spoil", "reason"), [
    ("organization_active", lambda org: setattr(org, "is_active", False),
     "この団体は活動中として登録されていません。団体の状況を確認してください。"),
    ("organization_kind", lambda org: setattr(org, "kind", OrganizationKind.SHIMIN_DANTAI),
     "この交付金は「地域づくり協議会」が対象です。この団体の種別は「市民活動団体」です。"),
    ("representative", lambda org: org.representatives.update(ended_on=timezone.localdate() - dt.timedelta(days=1)),
     "現在の代表者（会長）が登録されていません。代表者の届出を確認してください。"),
    ("bank_account", lambda org: org.bank_accounts.update(is_current=False),
     "振込先の口座が登録されていません。通帳の写しをもとに口座を登録してください。"),
])
def test_organisation_check_fails_with_its_reason(world, code, spoil, reason):  # type: ignore[no-untyped-def]
    case = new_case(world)
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    spoil(world.org)
    world.org.save()
    case = GrantCase.objects.get(pk=case.pk)

    results = checks.run_checks(case)

    assert failed(results) == [code]
    assert result(results, code).reason == reason
    assert result(results, code).label == CHECK_LABELS[code]
    with pytest.raises(CaseActionError) as refused:
        lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=300_000,
                         completion_deadline=world.deadline())
    assert str(refused.value) == f"要件を満たしていない項目があります: {reason}"


NO_PLAN = f"{YEAR}に効力のある、市の承認を受けた地域づくり計画がありません。計画を提出し、承認を受けてください。"


@pytest.mark.parametrize("spoil", [
    {"first_fiscal_year": CURRENT_FY + 1, "last_fiscal_year": CURRENT_FY + 5},  # the next term's plan
    {"first_fiscal_year": CURRENT_FY - 5, "last_fiscal_year": CURRENT_FY - 1},  # the last term's plan
    {"status": PlanStatus.SUPERSEDED},
    {"status": PlanStatus.DRAFT},
    {"status": PlanStatus.SUBMITTED},
], ids=["next-term", "last-term", "superseded", "draft", "submitted"])
def test_no_plan_in_force(world, spoil):  # type: ignore[no-untyped-def]
    case = new_case(world)
    CommunityPlan.objects.filter(pk=world.plan.pk).update(**spoil)

    results = checks.run_checks(case)

    assert result(results, "plan_in_force").reason == NO_PLAN
    the_line = budget.current_lines(case)[0]
    # and the line's 取組 is not an item of a plan in force either
    assert failed(results) == ["plan_in_force", f"plan_item@b{the_line.pk}"]


def test_plan_of_another_council_does_not_count(world):  # type: ignore[no-untyped-def]
    other, _ = builders.council(name="白石地域づくり協議会", username="other-secretary")
    CommunityPlan.objects.filter(pk=world.plan.pk).update(organization=other)
    assert result(checks.run_checks(new_case(world)), "plan_in_force").reason == NO_PLAN


def test_line_without_a_plan_item(world):  # type: ignore[no-untyped-def]
    case = builders.draft_case(world.py, world.org)
    bare = add(world, case, plan_item=None)
    assert result(checks.run_checks(case), "plan_item", bare).reason == (
        "この経費は地域づくり計画のどの取組に基づくかが選ばれていません。計画の施策・取組を選んでください。")


def test_plan_item_is_not_required_where_the_programme_is_not_plan_linked(council, unei, staff, staff2,  # type: ignore[no-untyped-def]
                                                                        approver, finance, finance2, auditor):
    w = make_world(council, unei, staff, staff2, approver, finance, finance2, auditor)
    case = builders.draft_case(unei, w.org)
    bare = line(case, w.secretary, category=w.cats["shomohin"], amount=10_000)
    results = checks.run_checks(case)
    assert not any(r.code.startswith("plan_item@") for r in results)
    assert failed(results) == [] and result(results, "category", bare).passed


def test_item_of_an_older_superseded_version(world):  # type: ignore[no-untyped-def]
    old_item = builders.item(world.plan, "1-1-2")
    revision = revise_plan(world)
    case = builders.draft_case(world.py, world.org)
    stale = add(world, case, plan_item=old_item)
    fresh = add(world, case, plan_item=revision.items.get(code="1-1-2"))

    results = checks.run_checks(case)

    assert result(results, "plan_item", stale).reason == (
        f"選ばれた取組「1-1-2 水路・道路の小規模補修」は、{YEAR}に効力のある地域づくり計画の項目ではありません"
        "（改定前の計画の項目の可能性があります）。")
    assert result(results, "plan_item", fresh).passed
    assert failed(results) == [f"plan_item@b{stale.pk}"]


def test_item_of_another_council_is_refused_when_the_line_is_added(world):  # type: ignore[no-untyped-def]
    other, _ = builders.council(name="白石地域づくり協議会", username="other-secretary")
    foreign = builders.approved_plan(other, world.staff)
    case = builders.draft_case(world.py, world.org)
    with pytest.raises(budget.LineError, match="^計画の取組: この協議会の地域づくり計画の項目を選んでください。$"):
        add(world, case, plan_item=builders.item(foreign, "1-1-2"))
    assert not case.budget_lines.exists()


@pytest.mark.parametrize(("code", "confirmed", "reason"), [
    ("genzairyo", False, None),
    ("kosaihi", False, "「交際費」はこの交付金の対象外の費目です（交際費は交付金の対象になりません）。"),
    ("shokuryohi", False, "「食糧費」は条件付きで対象になる費目です。条件：作業中の飲み物代であること（弁当・酒類は対象外）。"
                          "条件を満たす場合は、明細の確認欄に印を付けてください。"),
    ("shokuryohi", True, None),
    ("jinkenhi", False, "「賃金・人件費」はこの交付金の対象となる費目として定められていません。"),
], ids=["allowed", "excluded", "conditional-unconfirmed", "conditional-confirmed", "no-rule"])
def test_expense_category(world, code, confirmed, reason):  # type: ignore[no-untyped-def]
    case = builders.draft_case(world.py, world.org)
    the_line = add(world, case, category=world.cats[code], condition_confirmed=confirmed)
    check = result(checks.run_checks(case), "category", the_line)
    assert (check.passed, check.reason) == (reason is None, reason or "")
    eligible = eligible_now(case)
    assert (the_line.pk in [e.pk for e in eligible]) == (reason is None)


def test_excluded_purpose(world):  # type: ignore[no-untyped-def]
    purposes = {p.name: p for p in ActivityPurpose.objects.filter(programme_year=world.py)}
    case = builders.draft_case(world.py, world.org)
    political = add(world, case, purpose=purposes["政治活動"])
    religious = add(world, case, purpose=purposes["宗教活動"])
    safety = add(world, case, purpose=purposes["防災・防犯"])
    results = checks.run_checks(case)
    assert result(results, "purpose", political).reason == "目的「政治活動」の活動は対象外です（政党・候補者を支援する活動は対象外です）。"
    assert result(results, "purpose", religious).reason == "目的「宗教活動」の活動は対象外です（宗教の普及を目的とする活動は対象外です）。"
    assert result(results, "purpose", safety).passed


def test_purpose_of_another_programme_year_is_refused_when_the_line_is_added(world, unei):  # type: ignore[no-untyped-def]
    foreign = ActivityPurpose.objects.create(programme_year=unei, name="防災・防犯")
    case = builders.draft_case(world.py, world.org)
    with pytest.raises(budget.LineError, match="^活動の目的: この年度の交付基準にある目的を選んでください。$"):
        add(world, case, purpose=foreign)


def _period_reason(day: dt.date, start: dt.date, end: dt.date) -> str:
    return f"支出（予定）日 {wareki(day)} が、対象期間（{wareki(start)}〜{wareki(end)}）の外です。"


def test_line_dated_outside_the_fiscal_year(world):  # type: ignore[no-untyped-def]
    case = builders.draft_case(world.py, world.org, start=FY_START)
    late = add(world, case, spent_on=FY_END + dt.timedelta(days=1))
    last_day = add(world, case, spent_on=FY_END)
    undated = add(world, case, spent_on=None)
    results = checks.run_checks(case)
    assert result(results, "period", late).reason == _period_reason(FY_END + dt.timedelta(days=1), FY_START, FY_END)
    assert result(results, "period", last_day).passed
    assert result(results, "period", undated).reason == "支出（予定）日が入力されていません。"


def test_line_dated_before_the_project_starts(world):  # type: ignore[no-untyped-def]
    start = dt.date(CURRENT_FY, 10, 1)
    case = builders.draft_case(world.py, world.org, start=start)
    early = add(world, case, spent_on=start - dt.timedelta(days=1))
    first_day = add(world, case, spent_on=start)
    results = checks.run_checks(case)
    assert result(results, "period", early).reason == _period_reason(start - dt.timedelta(days=1), start, FY_END)
    assert result(results, "period", first_day).passed


def test_report_line_dated_after_the_completion_deadline(world):  # type: ignore[no-untyped-def]
    deadline = dt.date(CURRENT_FY + 1, 1, 31)
    case = new_case(world)
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=300_000, completion_deadline=deadline)
    case = lifecycle.decide(case_id=case.pk, actor=world.approver)
    lifecycle.save_report(case_id=case.pk, actor=world.secretary, narrative="実施", completed_on=timezone.localdate())
    after = add(world, case, where="report", spent_on=deadline + dt.timedelta(days=1))
    on_time = add(world, case, where="report", spent_on=deadline)
    results = lifecycle.report_checks(case)
    assert result(results, "period", after, "r").reason == _period_reason(
        deadline + dt.timedelta(days=1), case.project_start, deadline)
    assert result(results, "period", on_time, "r").passed


def _before_reason(day: dt.date, what: str, reference: dt.date) -> str:
    return (f"支出（予定）日 {wareki(day)} は{what}（{wareki(reference)}）より前です。"
            "交付決定前の経費は対象になりません。")


def test_costs_before_the_application(world):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    case = builders.draft_case(world.py, world.org, start=FY_START)
    early = add(world, case, spent_on=yesterday)
    same_day = add(world, case, spent_on=today)
    # while a draft, the reference is today
    results = checks.run_checks(case)
    assert result(results, "before_decision", early).reason == _before_reason(yesterday, "申請日（本日）", today)
    assert result(results, "before_decision", same_day).passed
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    case.refresh_from_db()
    assert result(checks.run_checks(case), "before_decision", early).reason == _before_reason(
        yesterday, "申請日", today)


def test_costs_before_the_decision(world):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    case = decided_case(world)
    assert case.decided_on == today
    lifecycle.save_report(case_id=case.pk, actor=world.secretary, narrative="実施", completed_on=today)
    stale = add(world, case, where="report", spent_on=yesterday)
    fresh = add(world, case, where="report", spent_on=today)
    results = lifecycle.report_checks(case)
    assert result(results, "before_decision", stale, "r").reason == _before_reason(yesterday, "交付決定日", today)
    assert result(results, "before_decision", fresh, "r").passed


def test_costs_before_the_decision_allowed_by_the_years_rule(world):  # type: ignore[no-untyped-def]
    world.py.allow_costs_before_decision = True
    world.py.save(update_fields=["allow_costs_before_decision"])
    case = builders.draft_case(world.py, world.org, start=FY_START)
    april = add(world, case, spent_on=FY_START)
    results = checks.run_checks(case)
    assert not any(r.code.startswith("before_decision@") for r in results)
    assert failed(results) == []
    assert [e.pk for e in eligible_now(case)] == [april.pk]


def test_report_is_judged_against_the_plan_version_fixed_at_the_decision(world):  # type: ignore[no-untyped-def]
    case = decided_case(world)
    assert case.plan == world.plan
    revision = revise_plan(world)  # approved mid-year: the first version is superseded
    lifecycle.save_report(case_id=case.pk, actor=world.secretary, narrative="実施", completed_on=timezone.localdate())
    old_link = add(world, case, where="report", plan_item=builders.item(world.plan, "1-1-2"), amount=200_000)

    assert failed(lifecycle.report_checks(case)) == []
    new_link = add(world, case, where="report", plan_item=revision.items.get(code="1-1-1"), amount=10_000)
    assert failed(lifecycle.report_checks(case)) == [f"plan_item@r{new_link.pk}"]
    budget.delete_line(case_id=case.pk, actor=world.secretary, where="report", line_id=new_link.pk)

    lifecycle.submit_report(case_id=case.pk, actor=world.secretary)
    case.refresh_from_db()
    assert failed(checks.run_checks(case)) == []
    case = lifecycle.verify_report(case_id=case.pk, actor=world.staff)
    assert case.justified_amount == 200_000 and case.plan == world.plan
    case = lifecycle.confirm(case_id=case.pk, actor=world.approver)
    assert case.confirmed_amount == 200_000
    assert old_link.plan_item.plan.status == PlanStatus.SUPERSEDED


def test_change_request_relinks_the_lines_to_the_revised_plan(world):  # type: ignore[no-untyped-def]
    case = decided_case(world)
    revision = revise_plan(world)
    change = lifecycle.start_change(case_id=case.pk, actor=world.secretary, reason="計画の改定に合わせる",
                                    requested_amount=300_000)
    copied = change.lines.get()
    lifecycle.request_change(case_id=case.pk, actor=world.secretary)
    case.refresh_from_db()
    # the copied line still points at the first version: examined against the plan in force, it fails
    assert failed(checks.run_checks(case)) == [f"plan_item@b{copied.pk}"]
    # left out of the changed budget's eligible cost, it leaves nothing to assess: the refusal names it and why
    with pytest.raises(CaseActionError, match="対象外として補助対象経費から除いた明細：.*改定前の計画の項目の可能性があります"):
        lifecycle.check_change(case_id=case.pk, actor=world.staff, assessed_amount=300_000)

    lifecycle.reject_change(case_id=case.pk, actor=world.staff, note="計画の項目を改定後のものにしてください")
    change = lifecycle.start_change(case_id=case.pk, actor=world.secretary, reason="計画の改定に合わせる",
                                    requested_amount=300_000)
    budget.delete_line(case_id=case.pk, actor=world.secretary, where="change", line_id=change.lines.get().pk)
    add(world, case, where="change", plan_item=revision.items.get(code="1-1-2"), amount=300_000)
    lifecycle.request_change(case_id=case.pk, actor=world.secretary)
    lifecycle.check_change(case_id=case.pk, actor=world.staff, assessed_amount=300_000)
    case = lifecycle.approve_change(case_id=case.pk, actor=world.approver)

    assert case.plan == revision
    # from now on the report is judged against the revised version
    lifecycle.save_report(case_id=case.pk, actor=world.secretary, narrative="実施", completed_on=timezone.localdate())
    old_link = add(world, case, where="report", plan_item=builders.item(world.plan, "1-1-2"))
    new_link = add(world, case, where="report", plan_item=revision.items.get(code="1-1-2"))
    assert failed(lifecycle.report_checks(case)) == [f"plan_item@r{old_link.pk}"]
    assert result(lifecycle.report_checks(case), "plan_item", new_link, "r").passed


def test_override_counts_only_once_another_person_approved_it(world):  # type: ignore[no-untyped-def]
    case = new_case(world)  # 300,000 eligible
    drinks = add(world, case, category=world.cats["shokuryohi"], amount=20_000, description="弁当代")
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    code = f"category@b{drinks.pk}"

    def verify() -> GrantCase:
        return lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=320_000,
                                completion_deadline=world.deadline())

    # the unconfirmed line is left out of the eligible cost: the review may go on, at 300,000 at most
    with pytest.raises(CaseActionError, match="以下にしてください"):
        verify()
    override = services.override_check(case_id=case.pk, actor=world.staff, check_code=code,
                                       justification="猛暑下の作業で、飲み物代として支出したことを確認した")
    # pending: it does not count yet, and the review waits for it, naming it
    case.refresh_from_db()
    assert result(checks.run_checks(case), "category", drinks).override is None
    with pytest.raises(CaseActionError, match=f"対象外経費の特例「{CHECK_LABELS['category']}（弁当代）」の承認待ちです"):
        verify()
    with pytest.raises(CaseActionError, match="特例判断をした方は、同じ判断を承認できません"):
        services.approve_override(case_id=case.pk, override_id=override.pk, actor=world.staff)
    with pytest.raises(CaseActionError, match="^特例判断を承認する権限がありません。$"):
        services.approve_override(case_id=case.pk, override_id=override.pk, actor=world.finance)

    services.approve_override(case_id=case.pk, override_id=override.pk, actor=world.approver)

    case.refresh_from_db()
    check = result(checks.run_checks(case), "category", drinks)
    assert not check.passed and check.ok and check.override.pk == override.pk
    case = verify()  # 300,000 + 20,000 now count
    assert case.status == Status.VERIFIED and case.computed_amount == 320_000
    override.refresh_from_db()
    assert (override.actor, override.approved_by) == (world.staff, world.approver)
    trail = [(e.action, e.actor) for e in AuditEvent.objects.for_object(case)
             if e.action in ("override_check", "approve_override")]
    assert trail == [("override_check", world.staff), ("approve_override", world.approver)]
    note = AuditEvent.objects.for_object(case).get(action="override_check").note
    # the line in words (its description), never the internal code category@b<pk>
    assert note == (f"{CHECK_LABELS['category']}（弁当代）：猛暑下の作業で、飲み物代として支出したことを確認した")
    approval = AuditEvent.objects.for_object(case).get(action="approve_override").note
    assert approval.startswith(f"特例判断の承認（{CHECK_LABELS['category']}（弁当代））") and "@" not in approval
    with pytest.raises(CaseActionError, match="^この特例判断はすでに承認されています。$"):
        services.approve_override(case_id=case.pk, override_id=override.pk, actor=world.staff2)


def test_override_applies_to_its_own_line_only(world):  # type: ignore[no-untyped-def]
    case = builders.draft_case(world.py, world.org)
    first = add(world, case, category=world.cats["kosaihi"], description="記念品")
    second = add(world, case, category=world.cats["kosaihi"], description="手土産")
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    override = services.override_check(case_id=case.pk, actor=world.staff, check_code=f"category@b{first.pk}",
                                       justification="協定先への記念品")
    services.approve_override(case_id=case.pk, override_id=override.pk, actor=world.staff2)
    assert failed(checks.run_checks(case)) == [f"category@b{second.pk}"]


@pytest.mark.parametrize(("who", "code", "justification", "message"), [
    ("approver", "bank_account", "通帳確認済", "担当者のみが特例判断できます"),
    ("staff", "bank_account", "  ", "特例とする理由を入力してください。"),
    ("staff", "organization_active", "活動中", "確認項目が正しくないか、その項目は要件を満たしています。"),
    ("staff", "no_such_check", "理由", "確認項目が正しくないか、その項目は要件を満たしています。"),
])
def test_override_refusals(world, who, code, justification, message):  # type: ignore[no-untyped-def]
    case = new_case(world)
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    world.org.bank_accounts.update(is_current=False)
    with pytest.raises(CaseActionError, match=message):
        services.override_check(case_id=case.pk, actor=getattr(world, who), check_code=code,
                                justification=justification)
    assert not case.overrides.exists()


def test_organisation_override_and_no_second_override_of_a_check(world):  # type: ignore[no-untyped-def]
    case = new_case(world)
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    world.org.bank_accounts.update(is_current=False)
    override = services.override_check(case_id=case.pk, actor=world.staff, check_code="bank_account",
                                       justification="口座は変更届の処理中で、決定までに登録される")
    with pytest.raises(CaseActionError, match="^この項目はすでに特例判断されています。$"):
        services.override_check(case_id=case.pk, actor=world.staff2, check_code="bank_account",
                                justification="重ねて")
    services.approve_override(case_id=case.pk, override_id=override.pk, actor=world.approver)
    case = lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=300_000,
                            completion_deadline=world.deadline())
    assert case.status == Status.VERIFIED


def test_override_of_a_report_line(world):  # type: ignore[no-untyped-def]
    case = decided_case(world)
    lifecycle.save_report(case_id=case.pk, actor=world.secretary, narrative="実施", completed_on=timezone.localdate())
    add(world, case, where="report", amount=150_000)
    gift = add(world, case, where="report", category=world.cats["kosaihi"], amount=30_000, description="記念品")
    lifecycle.submit_report(case_id=case.pk, actor=world.secretary)
    code = f"category@r{gift.pk}"
    override = services.override_check(case_id=case.pk, actor=world.staff, check_code=code,
                                       justification="事業の協力者への記念品で、要綱の例外にあたる")
    with pytest.raises(CaseActionError, match=f"要件を満たしていない明細があります: 対象外経費の特例「{CHECK_LABELS['category']}"
                                              "（記念品）」の承認待ちです"):
        lifecycle.verify_report(case_id=case.pk, actor=world.staff)
    services.approve_override(case_id=case.pk, override_id=override.pk, actor=world.staff2)
    case = lifecycle.verify_report(case_id=case.pk, actor=world.staff)
    assert case.justified_amount == 180_000  # 150,000 + 30,000 overridden


def test_regression_line_linked_to_a_field_is_not_eligible(world):  # type: ignore[no-untyped-def]
    """Lines must point to a 施策 or 取組 of the plan (GRANTS.md §5); a 分野 is too broad to show what the money
    is for. A line linked to the 分野 used to pass."""
    case = builders.draft_case(world.py, world.org)
    broad = add(world, case, plan_item=builders.item(world.plan, "1"))
    measure = add(world, case, plan_item=builders.item(world.plan, "1-1"))
    results = checks.run_checks(case)
    assert result(results, "plan_item", broad).reason == (
        "選ばれた「1 安心・安全」は計画の分野です。この経費が基づく施策・取組を選んでください。")
    assert result(results, "plan_item", measure).passed


def test_regression_change_extending_the_deadline_judges_its_lines_by_the_new_deadline(world):  # type: ignore[no-untyped-def]
    """A 変更承認申請 that moves the 完了期限 from 1/31 to 3/15 with a line dated 2/15: the line is inside the
    changed period. It used to be judged against the old deadline and the change could not be checked."""
    deadline, moved = dt.date(CURRENT_FY + 1, 1, 31), dt.date(CURRENT_FY + 1, 3, 15)
    case = new_case(world)
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=300_000, completion_deadline=deadline)
    lifecycle.decide(case_id=case.pk, actor=world.approver)
    lifecycle.start_change(case_id=case.pk, actor=world.secretary, reason="工期の延長", requested_amount=300_000,
                           new_completion_deadline=moved)
    extra = add(world, case, where="change", spent_on=dt.date(CURRENT_FY + 1, 2, 15), amount=1_000)
    too_late = add(world, case, where="change", spent_on=moved + dt.timedelta(days=1), amount=1_000)
    lifecycle.request_change(case_id=case.pk, actor=world.secretary)
    case.refresh_from_db()

    results = checks.run_checks(case)

    assert result(results, "period", extra).passed
    assert result(results, "period", too_late).reason == _period_reason(
        moved + dt.timedelta(days=1), case.project_start, moved)
    assert case.completion_deadline == deadline  # the case keeps its deadline until the change is approved
    budget_line = budget.current_lines(case)[0]
    assert budget_line.spent_on <= deadline
    override = services.override_check(case_id=case.pk, actor=world.staff, check_code=f"period@b{too_late.pk}",
                                       justification="支払日が期限の翌日となったが、作業は期限内に完了")
    services.approve_override(case_id=case.pk, override_id=override.pk, actor=world.staff2)
    lifecycle.check_change(case_id=case.pk, actor=world.staff, assessed_amount=300_000)
    case = lifecycle.approve_change(case_id=case.pk, actor=world.approver)
    assert case.completion_deadline == moved


def test_staff_cost_line_must_name_the_staff_member(db, staff):  # type: ignore[no-untyped-def]
    """運営支援 pays each 事務局員 up to a standard amount: an unnamed 人件費 line fails with a reason, a named one
    passes (the check exists only for rules with a STAFF_COST component)."""
    from tests.councils import builders
    from tests.councils.helpers import line

    org, secretary = builders.council()
    unei = builders.unei_year()
    builders.approved_plan(org, staff)
    cats = builders.categories()
    start = dt.date(unei.fiscal_year, 4, 1)
    case = builders.draft_case(unei, org, start=start)
    unnamed = line(case, secretary, category=cats["jinkenhi"], amount=100_000, spent_on=start)
    person = builders.staff_member(org, secretary)
    named = line(case, secretary, category=cats["jinkenhi"], staff=person, amount=100_000, spent_on=start)
    results = {r.code: r for r in checks.run_checks(case)}
    assert not results[f"staff@b{unnamed.pk}"].passed
    assert "どの事務局員の経費か" in results[f"staff@b{unnamed.pk}"].reason
    assert results[f"staff@b{named.pk}"].passed


# Attacks on the 運営支援 staff-cost rule: a 人件費 claim above the recorded employment, and one person recorded
# twice (each record would earn its own standard amount). Both are refused now.


DEADLINE = dt.date(CURRENT_FY + 1, 3, 31)


@pytest.mark.django_db
def test_regression_staff_cost_line_above_the_recorded_employment_cost_is_caught(unei, council, staff) -> None:  # type: ignore[no-untyped-def]
    """A part-timer recorded at ¥50,000 a month (¥600,000 a year) claimed at ¥2,400,000: the 運営支援 rule pays
    min(standard, claimed), so the whole standard amount is granted."""
    org, secretary = council
    builders.approved_plan(org, staff)
    person = builders.staff_member(org, secretary, monthly_wage=50_000, social_insurance_monthly=0)
    assert person.cost_in(CURRENT_FY) == 600_000
    case = builders.draft_case(unei, org, start=dt.date(CURRENT_FY, 4, 1))
    line(case, secretary, category=builders.categories()["jinkenhi"], staff=person, amount=2_400_000,
         spent_on=dt.date(CURRENT_FY, 4, 1))
    lifecycle.submit(case_id=case.pk, actor=secretary)
    with pytest.raises(CaseActionError):
        lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=600_000, note="記録に合わせる",
                         completion_deadline=DEADLINE)


@pytest.mark.django_db
def test_regression_one_person_recorded_twice_does_not_earn_two_standard_amounts(unei, council, staff) -> None:  # type: ignore[no-untyped-def]
    from grants.councils.staff import StaffError, add_staff

    org, secretary = council
    add_staff(actor=secretary, organization_id=org.pk, name="佐藤 花子", role="事務局員", pay_basis="monthly",
              monthly_wage=200_000, employed_from=dt.date(CURRENT_FY, 4, 1))
    with pytest.raises(StaffError):
        add_staff(actor=secretary, organization_id=org.pk, name="佐藤 花子", role="事務局長", pay_basis="monthly",
                  monthly_wage=200_000, employed_from=dt.date(CURRENT_FY, 4, 1))


# -- an ineligible line is left out, and the review goes on (issue 15) -----------------------------------------

def _with_gift(w: World) -> tuple[GrantCase, object]:
    """A submitted case: 原材料費 300,000 (eligible) and a 交際費 line of 30,000 (対象外)."""
    case = new_case(w)
    gift = add(w, case, category=w.cats["kosaihi"], amount=30_000, description="来賓への記念品")
    lifecycle.submit(case_id=case.pk, actor=w.secretary)
    case.refresh_from_db()
    return case, gift


def test_an_ineligible_line_is_left_out_of_the_eligible_cost_with_its_reason(world):  # type: ignore[no-untyped-def]
    case, gift = _with_gift(world)
    stage = checks.stage_of(case)
    assert checks.excluded_lines(case, stage) == {
        gift.pk: ["「交際費」はこの交付金の対象外の費目です（交際費は交付金の対象になりません）。"]}
    kept = [line_.pk for line_ in checks.eligible_lines(case, stage)]
    assert kept and gift.pk not in kept
    inputs = budget.inputs_for(case, checks.eligible_lines(case, stage))
    assert inputs["eligible_cost"] == 300_000  # 補助対象経費 without the 対象外 line


def test_the_review_goes_on_without_the_ineligible_line_and_is_capped_by_the_eligible_cost(world):  # type: ignore[no-untyped-def]
    case, gift = _with_gift(world)
    assert case.applied_amount == 330_000  # what was asked for
    assert checks.review_refusals(case, checks.run_checks(case)) == []
    with pytest.raises(CaseActionError, match="300,000円（申請額と対象経費による算定額の低い方）以下"):
        lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=330_000,
                         completion_deadline=world.deadline())
    case = lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=300_000,
                            completion_deadline=world.deadline())
    assert case.status == Status.VERIFIED and case.computed_amount == 300_000 and case.assessed_amount == 300_000


def test_a_programme_whose_rule_says_so_stops_the_review_at_an_ineligible_line(world):  # type: ignore[no-untyped-def]
    programme = world.py.programme
    programme.checks = [*programme.checks, checks.IneligibleLineStopsReview.code]
    programme.save(update_fields=["checks"])
    case, gift = _with_gift(world)
    with pytest.raises(CaseActionError, match="要件を満たしていない項目があります: 「交際費」はこの交付金の対象外の費目です"):
        lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=300_000,
                         completion_deadline=world.deadline())
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_a_review_waiting_for_an_override_names_it(world):  # type: ignore[no-untyped-def]
    case, gift = _with_gift(world)
    world.org.bank_accounts.update(is_current=False)
    for code in (f"category@b{gift.pk}", "bank_account"):
        services.override_check(case_id=case.pk, actor=world.staff, check_code=code, justification="要綱の例外")
    with pytest.raises(CaseActionError) as refused:
        lifecycle.verify(case_id=case.pk, actor=world.staff2, assessed_amount=300_000,
                         completion_deadline=world.deadline())
    message = str(refused.value)
    assert f"特例判断「{CHECK_LABELS['bank_account']}」の承認待ちです" in message
    assert f"対象外経費の特例「{CHECK_LABELS['category']}（来賓への記念品）」の承認待ちです" in message
    assert "@" not in message
