"""Reads for the pages: programme-year figures and work queues."""
from django.db.models import Count, Q, QuerySet

from grants.accounts.models import User
from grants.programmes.models import ProgrammeYear

from .models import GrantCase
from .workflows import WORKFLOWS


def status_counts(programme_year: ProgrammeYear) -> list[tuple[str, str, int]]:
    """[(status, label, number of cases)] for every state of the programme's workflow, in its order."""
    counts = dict(
        GrantCase.objects.filter(programme_year=programme_year).values_list("status").annotate(n=Count("pk"))
    )
    states = WORKFLOWS[programme_year.programme.workflow].machine.states
    return [(value, label, counts.get(value, 0)) for value, label in states.items()]


def waiting_condition(role: str) -> Q:
    """The cases waiting for an act of ``role``: in each workflow, the states its ``queues`` give the role."""
    condition = Q(pk__in=[])
    for code, flow in WORKFLOWS.items():
        states = flow.queues.get(role, ())
        if states:
            condition |= Q(programme_year__programme__workflow=code, status__in=states)
    return condition


def waiting_cases(user: User) -> QuerySet[GrantCase]:
    """Cases waiting for ``user``'s act, oldest first."""
    return (
        GrantCase.objects.visible_to(user)
        .filter(waiting_condition(user.role))
        .select_related("organization__area", "programme_year__programme")
        .order_by("submitted_at", "pk")
    )
