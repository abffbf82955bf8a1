"""Reads for the pages: programme-year figures and work queues."""
from django.db.models import Count, QuerySet

from grants.accounts.models import Role, User
from grants.programmes.models import ProgrammeYear

from .models import GrantCase, Status

# The status whose cases wait for each role's act.
WAITING_FOR = {
    Role.ASSOCIATION_HEAD: [Status.DRAFT],
    Role.STAFF: [Status.SUBMITTED, Status.DECIDED, Status.CHANGE_REQUESTED, Status.REPORTED],
    Role.APPROVER: [Status.VERIFIED, Status.CHANGE_CHECKED, Status.REPORT_VERIFIED],
    Role.FINANCE: [Status.PAYMENT_PREPARED, Status.PAYMENT_APPROVED],
    Role.AUDITOR: [],
}


def status_counts(programme_year: ProgrammeYear) -> list[tuple[str, str, int]]:
    """[(status, label, number of cases)] for every status, in flow order."""
    counts = dict(
        GrantCase.objects.filter(programme_year=programme_year).values_list("status").annotate(n=Count("pk"))
    )
    return [(s.value, s.label, counts.get(s.value, 0)) for s in Status]


def waiting_cases(user: User) -> QuerySet[GrantCase]:
    """Cases waiting for ``user``'s act, oldest first."""
    return (
        GrantCase.objects.visible_to(user)
        .filter(status__in=WAITING_FOR.get(user.role, []))
        .select_related("organization__area", "programme_year__programme")
        .order_by("submitted_at", "pk")
    )
