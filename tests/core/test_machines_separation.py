"""Separation of duties of every machine, generated from the machines themselves (``workflow.MACHINES``): for each
edge and each user field it ``differs_from``, the person that field names — holding a role the edge allows — is
refused with the machine's separation message, and the refusal writes nothing. And the guide's rule as a check on
the declarations: the person who drafts a decision, payment, plan or report check never approves it, so every edge
that approves, decides, confirms or judges names whose act it must not follow. The objects are built as in
tests/core/test_machines.py (``BUILD``), so a machine added later is covered here too."""
from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from grants.core import workflow
from grants.core.workflow import SYSTEM, ActionRefused, Machine
from tests import factories
from tests.core.test_machines import BUILD, _world, snapshot

pytestmark = pytest.mark.django_db

SEPARATED = [(machine.name, edge.name, field) for machine in workflow.MACHINES.values() for edge in machine.edges
             for field in edge.differs_from]

#: Inputs some edges need besides the actor (the same as the role test's), so that only the separation refuses.
PARAMS = {"assessed_amount": 1, "kept_amount": 0, "completion_deadline": timezone.localdate(),
          "paid_on": timezone.localdate(), "size": 1}

#: The user fields an approval or a decision records, and the words of an edge that takes one.
DECISION_FIELDS = ("approved_by", "decided_by", "confirmed_by", "payment_approved_by")
DECISION_WORDS = ("approve", "decide", "confirm", "judge")
# The bank's 振込完了 recorded on a payment and its case: a fact the bank reports, taken only inside the batch item's
# result (whose recording is the finance act), not a decision of anyone's that another must not have drafted.
BANK_RESULTS = ("confirm_transfer", "confirm_order_transfer")


def test_the_machines_declare_separations() -> None:
    assert len(SEPARATED) >= 10  # the generated test below covers them; an empty list would test nothing


class _Undo(Exception):
    """Raised to roll one case's savepoint back, so that the next case starts from the same world."""


def _refusal_of(world: Any, machine: Machine[Any], edge_name: str, field: str) -> str | None:
    """Build the object in a state the edge leaves, name a user with the edge's role in ``field`` (the edge's other
    separations name somebody else), have that user take the edge; what went wrong, or None."""
    edge = machine.edge(edge_name)
    obj = BUILD[machine.name](world, sorted(edge.sources)[0])
    role = sorted(edge.roles - {SYSTEM})[0]
    user = world.users[role]
    someone_else = factories.UserFactory(username=f"m-other-{role}", role=role)
    values = {name: someone_else for name in edge.differs_from if name != field}
    type(obj)._default_manager.filter(pk=obj.pk).update(**values, **{field: user})
    before = snapshot()
    try:
        with transaction.atomic():
            workflow.perform(machine, obj.pk, edge.name, actor=user, note="理由", params=PARAMS)
    except ActionRefused as refused:
        if str(refused) != machine.separation[field] or not isinstance(refused, machine.error):
            return f"refused with {type(refused).__name__}: {refused}"
    else:
        return "not refused"
    return None if snapshot() == before else "a row changed"


def test_the_person_a_separation_names_is_refused_and_nothing_is_written(policy) -> None:  # type: ignore[no-untyped-def]
    """One world for every case (each in a savepoint rolled back after it): building the world is what takes time."""
    world = _world(policy)
    problems = []
    for machine_name, edge_name, field in SEPARATED:
        try:
            with transaction.atomic():
                problem = _refusal_of(world, workflow.MACHINES[machine_name], edge_name, field)
                raise _Undo
        except _Undo:
            pass
        if problem:
            problems.append(f"{machine_name}.{edge_name} ({field}): {problem}")
    assert problems == []


def test_every_edge_that_approves_or_decides_names_whose_act_it_must_not_follow() -> None:
    """An edge only the system takes runs inside another act (a change request approved with its case), whose
    own edge carries the separation; every other approving edge declares its own."""
    deciding = [(machine, edge) for machine in workflow.MACHINES.values() for edge in machine.edges
                if (edge.records in DECISION_FIELDS or any(word in edge.name for word in DECISION_WORDS))
                and edge.name not in BANK_RESULTS]
    assert len(deciding) >= 10
    missing = [f"{machine.name}.{edge.name}" for machine, edge in deciding
               if not edge.differs_from and edge.roles - {SYSTEM}]
    assert missing == []
    for machine, edge in deciding:
        for field in edge.differs_from:
            assert machine.separation.get(field), f"{machine.name}.{edge.name}: no refusal for {field}"
