"""Steps that take an application of the competitive programme to a state, through the real services (each a
public act of ``grants.competitive`` or the case rail), so a test starts where it attacks."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from grants.accounts.models import User
from grants.cases import lifecycle
from grants.cases.budget import add_line
from grants.cases.models import GrantCase
from grants.competitive import applications, panel, selection
from grants.competitive.models import Call, Criterion
from grants.competitive.workflows import COMPETITIVE
from grants.core import workflow
from grants.organizations.models import Organization
from tests.competitive.builders import categories
from tests.councils.helpers import pay_orders

# 講師謝礼 120,000 + チラシ 60,000 + 会場使用料 45,000 = 225,000 eligible; income 0.
LINES = [("hoshohi", "講師謝礼（3回）", 120_000), ("insatsu", "チラシ印刷", 60_000), ("shiyoryo", "会場使用料", 45_000)]


def draft(call: Call, org: Organization, head: User, *, title: str = "子ども食堂の交流会",
          lines: list[tuple[str, str, int]] | None = None, income: int = 0, project_id: int | None = None) -> GrantCase:
    """A draft application with its plan written and its lines entered."""
    case = applications.start_application(call_id=call.pk, actor=head, organization_id=org.pk, project_title=title,
                                          project_id=project_id)
    applications.save_plan(case_id=case.pk, actor=head, purpose="子どもと高齢者の交流", content="月1回の交流会",
                           expected_effects="孤立の防止", indicators="参加者数 延べ300人\n開催回数 12回")
    start = max(timezone.localdate(), dt.date(call.fiscal_year, 4, 1))
    end = dt.date(call.fiscal_year + 1, 3, 31)
    lifecycle.save_application(case_id=case.pk, actor=head, project_title=case.project_title,
                               project_start=start, project_end=end)
    spent_on = min(start + dt.timedelta(days=30), end)
    cats = categories()
    for code, description, amount in (LINES if lines is None else lines):
        add_line(case_id=case.pk, actor=head, where="budget",
                 data={"kind": "expense", "category": cats[code], "description": description, "amount": amount,
                       "spent_on": spent_on})
    if income:
        add_line(case_id=case.pk, actor=head, where="budget",
                 data={"kind": "income", "description": "参加費", "amount": income})
    case.refresh_from_db()
    return case


def submitted(call: Call, org: Organization, head: User, **kwargs: object) -> GrantCase:
    case = draft(call, org, head, **kwargs)  # type: ignore[arg-type]
    return workflow.perform(COMPETITIVE.machine, case.pk, "submit", actor=head)


def screening(call: Call, org: Organization, head: User, staff: User, **kwargs: object) -> GrantCase:
    case = submitted(call, org, head, **kwargs)
    return workflow.perform(COMPETITIVE.machine, case.pk, "accept_for_screening", actor=staff)


def score(case: GrantCase, member: User, points: int) -> None:
    """``member`` declares no conflict and gives ``points`` on every criterion."""
    panel.declare(case_id=case.pk, actor=member, conflicted=False)
    criteria = Criterion.objects.filter(call__applications__case=case)
    panel.save_scores(case_id=case.pk, actor=member, scores={c.pk: points for c in criteria}, comments={})


def decide_selection(call: Call, staff: User, approver: User, chosen: dict[int, int],
                     reason: str = "予算の範囲内で、より評価の高い事業を採択しました。") -> None:
    """Select the cases in ``chosen`` (case id → amount), not the other screened ones, and decide it."""
    lines = [{"case_id": r.plan.case_id, "selected": r.plan.case_id in chosen,
              "amount": chosen.get(r.plan.case_id, 0), "reason": "" if r.plan.case_id in chosen else reason}
             for r in panel.ranking(call)]
    sel = selection.prepare(call_id=call.pk, actor=staff, lines=lines)
    workflow.perform(selection.SELECTION, sel.pk, "propose_selection", actor=staff)
    workflow.perform(selection.SELECTION, sel.pk, "decide_selection", actor=approver)


def selected(call: Call, org: Organization, head: User, staff: User, approver: User, *, amount: int = 150_000,
             **kwargs: object) -> GrantCase:
    """An application of ``org`` screened and selected (採択) at ``amount`` yen, alone in its call."""
    case = screening(call, org, head, staff, **kwargs)
    decide_selection(call, staff, approver, {case.pk: amount})
    case.refresh_from_db()
    return case


def decided(case: GrantCase, staff: User, approver: User, *, amount: int = 120_000,
            conditions: str = "成果報告会を開くこと") -> GrantCase:
    """A selected application assessed at ``amount`` yen with ``conditions`` and decided (交付決定)."""
    lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=amount, completion_deadline=case.project_end,
                     conditions=conditions, note="会場使用料の一部を対象外としました")
    return lifecycle.decide(case_id=case.pk, actor=approver)


def reported(case: GrantCase, head: User, *, spent: int = 180_000, completed_on: dt.date | None = None) -> GrantCase:
    """A decided case whose 実績報告 (``spent`` yen of 報償費, completed ``completed_on``: today) is submitted."""
    lifecycle.save_report(case_id=case.pk, actor=head, narrative="交流会を12回開いた。",
                          completed_on=completed_on or timezone.localdate())
    add_line(case_id=case.pk, actor=head, where="report",
             data={"kind": "expense", "category": categories()["hoshohi"], "description": "講師謝礼（実績）",
                   "amount": spent, "spent_on": timezone.localdate()})
    return lifecycle.submit_report(case_id=case.pk, actor=head)


def confirmed(case: GrantCase, head: User, staff: User, approver: User, *, spent: int = 180_000,
              completed_on: dt.date | None = None) -> GrantCase:
    """A decided case whose 実績報告 is verified and its amount confirmed (額の確定)."""
    reported(case, head, spent=spent, completed_on=completed_on)
    lifecycle.verify_report(case_id=case.pk, actor=staff)
    return lifecycle.confirm(case_id=case.pk, actor=approver)



def paid_and_confirmed(call: Call, org: Organization, head: User, staff: User, approver: User, finance: User,
                       finance2: User, *, spent: int = 180_000) -> GrantCase:
    """Selected at 150,000, decided at 120,000, confirmed at ``spent`` × ⅔ (120,000 by default) and paid by the
    精算払 (closed): the 消費税仕入控除税額 report is due."""
    case = confirmed(decided(selected(call, org, head, staff, approver), staff, approver), head, staff, approver,
                     spent=spent)
    pay_orders(case, staff, finance, finance2, kinds=("settlement",))
    case.refresh_from_db()
    return case
