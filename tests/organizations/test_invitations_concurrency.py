"""One invitation link accepted twice at the same moment: the invitation's row lock lets one acceptance through, the
other is refused as used, and one user and one term are written.

Runs on PostgreSQL only: SQLite ignores SELECT … FOR UPDATE (it locks the whole database instead)."""
import pytest
from django.db import connection

from grants.accounts.models import User
from grants.organizations.invitations import InvitationError, accept, invite
from grants.organizations.models import MemberRole, Representative
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

PASSWORD = "kaikei-no-pass-2026"


def test_two_acceptances_at_once_make_one_user_and_one_term(association, staff) -> None:  # type: ignore[no-untyped-def]
    for round_no in range(3):
        _, token = invite(organization_id=association.pk, actor=staff, role=MemberRole.CLERK, name="担当",
                          email=f"tanto{round_no}@example.jp")
        outcomes = run_together(*(
            lambda name=name, token=token: accept(token=token, username=name, password=PASSWORD, password2=PASSWORD)
            for name in (f"a{round_no}", f"b{round_no}")))
        users = [o for o in outcomes if isinstance(o, User)]
        refusals = [o for o in outcomes if isinstance(o, InvitationError)]
        assert (len(users), len(refusals)) == (1, 1), outcomes
        assert User.objects.filter(username__in=[f"a{round_no}", f"b{round_no}"]).count() == 1
        assert Representative.objects.filter(organization=association, role=MemberRole.CLERK).count() == round_no + 1
