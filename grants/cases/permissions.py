"""Who may see a case: ``access_case`` answers ``GrantCase.DoesNotExist`` both for a missing case and for one
the user may not see (views answer 404 for both). Who may take which act is the workflow's data
(``grants.cases.workflows``), asked through ``grants.core.workflow``."""
from grants.accounts.models import User
from grants.core import workflow

from .models import GrantCase
from .workflows import workflow_for_case, workflow_of


def access_case(user: User, pk: int, *, for_update: bool = False) -> GrantCase:
    """The case ``pk`` if ``user`` may see it. ``for_update`` locks the row (call inside a transaction)."""
    case = workflow.access(workflow_for_case(pk).machine, user, pk, lock=for_update)
    return case


def may_correct_count(case: GrantCase, user: User) -> bool:
    """Whether ``user`` may correct the household count of ``case`` now (a head of their own case, or staff,
    before submission, in a workflow whose application states a count)."""
    flow = workflow_of(case)
    return flow.takes_count and workflow.may(flow.machine, case, user, "correct_count")
