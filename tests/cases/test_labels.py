"""The history in words (grants/cases/labels.py): every act the system records has a name people read, and a case's
page never shows an internal code — not a check's code with its line (category@b3), not a line's id (b12), not an
act's or a state's machine name (recompute_at_decision, payment_approved)."""
import re
from pathlib import Path

import pytest
from django.urls import reverse

import grants
from grants.cases import lifecycle, services
from grants.cases.labels import action_label
from grants.cases.workflows import WORKFLOWS
from grants.core.workflow import MACHINES
from pages.insurance.views import INSURANCE_EVENT_LABELS
from tests.cases.world import new_case
from tests.councils import builders
from tests.councils.helpers import line

pytestmark = pytest.mark.django_db

CODE_WITH_LINE = re.compile(r"[a-z_]+@[br]\d+")
LINE_ID = re.compile(r"(?<![A-Za-z0-9])[br]\d+(?![A-Za-z0-9])")
MACHINE_NAME = re.compile(r"\b[a-z]+_[a-z_]+\b")


def recorded_actions() -> set[str]:
    """Every audit action the code writes: each edge of each machine, each ``action="…"`` written directly, and an
    audited admin's saves (``audit_action``, its _add and _delete)."""
    actions = {edge.audit_action for machine in MACHINES.values() for edge in machine.edges}
    for path in Path(grants.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        actions |= set(re.findall(r'\baction="([a-z_]+)"', text))
        for admin in re.findall(r'\baudit_action = "([a-z_]+)"', text):
            actions |= {admin, f"{admin}_add", f"{admin}_delete"}
    return actions


def named(action: str) -> bool:
    return (action in INSURANCE_EVENT_LABELS  # the insurance pages' own words
            or any(action_label(action, workflow) != action for workflow in ["", *WORKFLOWS]))


def test_every_recorded_act_has_a_name_in_words():
    actions = recorded_actions()
    assert {"override_check", "recompute_at_decision", "prepare_selection", "admin_change"} <= actions
    assert sorted(a for a in actions if not named(a)) == []


def test_a_carried_override_and_the_case_history_name_the_line_in_words(client, world):  # type: ignore[no-untyped-def]
    # given a 活動支援 case whose 弁当代 line passed by an approved override, decided, then changed
    case = new_case(world)  # one eligible line of 300,000
    drinks = line(case, world.secretary, category=world.cats["shokuryohi"], plan_item=builders.item(world.plan, "1-1-2"),
                  amount=20_000, description="弁当代")
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    override = services.override_check(case_id=case.pk, actor=world.staff, check_code=f"category@b{drinks.pk}",
                                       justification="猛暑下の作業の飲み物代と確認した")
    services.approve_override(case_id=case.pk, override_id=override.pk, actor=world.approver)
    lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=320_000,
                     completion_deadline=world.deadline())
    lifecycle.decide(case_id=case.pk, actor=world.approver)
    lifecycle.start_change(case_id=case.pk, actor=world.secretary, reason="参加者の増加", requested_amount=320_000)

    # then the override carried onto the changed budget's copy of the line names it by its description
    carried = case.overrides.exclude(pk=override.pk).get()
    assert carried.justification == "猛暑下の作業の飲み物代と確認した（変更前の明細「弁当代」の特例判断を引継ぎ）"

    # and the case page, history included, shows no code of a check, a line, an act or a state
    client.force_login(world.staff)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    history = page[page.index('id="history"'):page.index("</table>", page.index('id="history"'))]
    assert "特例判断の承認" in history and "弁当代" in history
    assert not CODE_WITH_LINE.search(page), CODE_WITH_LINE.search(page)
    assert not LINE_ID.search(re.sub(r"<[^>]*>", " ", page)), LINE_ID.search(re.sub(r"<[^>]*>", " ", page))
    assert not MACHINE_NAME.search(re.sub(r"<[^>]*>", " ", history)), MACHINE_NAME.search(history)
