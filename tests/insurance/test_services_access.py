"""Who sees the personal data of an accident: the 保険担当 and the head who represents the reporting group today;
no grant role. Every view is logged in PersonalDataAccess, which cannot be changed or deleted, not even with
raw SQL (database triggers)."""
import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import ProtectedError

from grants.accounts.models import Role
from grants.insurance import claims, machines, services
from grants.insurance.models import AccessKind, AccidentReport, Claim, PersonalDataAccess
from grants.organizations.services import change_head
from tests import factories
from tests.insurance import builders
from tests.insurance.builders import days_ago, today
from tests.insurance.support import nothing_written

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_groups(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    """A report of the head's group and a report of another group (entered by the 保険担当 on paper)."""
    own = builders.draft_report(association_head, association)
    other = builders.draft_report(insurance, factories.AssociationFactory())
    return own, other


def _head(organization, username: str, *, started_on: dt.date = dt.date(2025, 4, 1),  # type: ignore[no-untyped-def]
          ended_on: dt.date | None = None):
    user = factories.UserFactory(username=username, role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=organization, user=user, started_on=started_on, ended_on=ended_on)
    return user


def _visible(user) -> set[int]:  # type: ignore[no-untyped-def]
    return set(machines.visible_reports(user).values_list("pk", flat=True))


def test_insurance_sees_every_report(two_groups, insurance, insurance2) -> None:
    own, other = two_groups
    assert _visible(insurance) == _visible(insurance2) == {own.pk, other.pk}


def test_a_head_sees_the_reports_of_their_group_only(two_groups, association_head) -> None:
    own, other = two_groups
    assert _visible(association_head) == {own.pk}
    assert services.access_report(association_head, own.pk) == own
    with pytest.raises(AccidentReport.DoesNotExist):
        services.access_report(association_head, other.pk)


@pytest.mark.parametrize("role", [Role.STAFF, Role.APPROVER, Role.FINANCE, Role.AUDITOR])
def test_grant_roles_see_no_report(role, two_groups) -> None:  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username=f"city-{role}", role=role, is_staff=True)
    assert _visible(user) == set()
    for report in two_groups:
        with pytest.raises(AccidentReport.DoesNotExist):
            services.access_report(user, report.pk)


def test_an_anonymous_visitor_sees_no_report(two_groups) -> None:
    assert _visible(AnonymousUser()) == set()


def test_a_head_whose_term_ended_no_longer_sees_the_report(two_groups, association, association_head,
                                                           staff) -> None:
    own, _ = two_groups
    successor = factories.UserFactory(username="new-head", role=Role.ASSOCIATION_HEAD)
    change_head(organization_id=association.pk, actor=staff, name="山口 次郎", started_on=today(), user=successor)
    assert _visible(association_head) == set()
    assert _visible(successor) == {own.pk}  # the new head sees the group's history
    with nothing_written(own), pytest.raises(AccidentReport.DoesNotExist):
        services.update_report(actor=association_head, report_id=own.pk, data={"place": "別の場所"})


def test_a_head_before_their_term_starts_sees_nothing(two_groups) -> None:
    _, other = two_groups
    future = _head(other.organization, "future-head", started_on=today() + dt.timedelta(days=1))
    assert _visible(future) == set()
    past = _head(factories.AssociationFactory(), "past-head", ended_on=days_ago(1))
    assert _visible(past) == set()


def test_a_head_of_two_groups_sees_both(two_groups) -> None:
    own, other = two_groups
    both = factories.UserFactory(username="both", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=other.organization, user=both)
    third = factories.AssociationFactory()
    factories.RepresentativeFactory(organization=third, user=both)
    third_report = builders.draft_report(both, third)
    assert _visible(both) == {other.pk, third_report.pk}
    assert own.pk not in _visible(both)
    assert list(services.represented_organizations(both).order_by("pk")) == [other.organization, third]


def test_claims_are_seen_through_their_report(association, association_head, insurance, staff, policy,
                                              media) -> None:
    claim = builders.filed_claim(association_head, insurance, association)
    stranger = _head(factories.AssociationFactory(), "stranger")
    assert list(machines.visible_claims(association_head)) == list(machines.visible_claims(insurance)) == [claim]
    assert claims.access_claim(association_head, claim.pk) == claim
    for user in (stranger, staff):
        assert list(machines.visible_claims(user)) == []
        with pytest.raises(Claim.DoesNotExist):
            claims.access_claim(user, claim.pk)


# --- 個人情報の閲覧記録 ---------------------------------------------------------------------------------------------

def test_a_view_is_logged_with_who_what_and_which(two_groups, association_head, insurance, policy) -> None:
    own, _ = two_groups
    row = services.log_access(association_head, own, AccessKind.REPORT_PAGE, detail="事故報告書 " + "あ" * 300)
    row.refresh_from_db()
    assert (row.user, row.report, row.claim, row.kind) == (association_head, own, None, "report_page")
    assert row.detail == ("事故報告書 " + "あ" * 300)[:200]
    assert row.at is not None


@pytest.mark.parametrize("kind", ["download", "", "REPORT_PAGE", None])
def test_an_unknown_kind_of_view_is_refused(kind, two_groups, insurance) -> None:  # type: ignore[no-untyped-def]
    own, _ = two_groups
    with nothing_written(), pytest.raises(ValueError, match="unknown access kind"):
        services.log_access(insurance, own, kind)


@pytest.fixture
def logged(two_groups, insurance):  # type: ignore[no-untyped-def]
    return services.log_access(insurance, two_groups[0], AccessKind.ATTACHMENT, detail="会則・規約")


def test_the_log_cannot_be_edited_through_the_model(logged) -> None:
    logged.detail = "書き換え"
    with pytest.raises(ValueError, match="閲覧記録は変更できません"):
        logged.save()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        PersonalDataAccess.objects.filter(pk=logged.pk).update(detail="書き換え")
    assert PersonalDataAccess.objects.get(pk=logged.pk).detail == "会則・規約"


def test_the_log_cannot_be_deleted_through_the_model(logged) -> None:
    with pytest.raises(ValueError, match="閲覧記録は削除できません"):
        PersonalDataAccess.objects.get(pk=logged.pk).delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        PersonalDataAccess.objects.all().delete()
    assert PersonalDataAccess.objects.filter(pk=logged.pk).exists()


def test_the_log_cannot_be_changed_with_raw_sql(logged) -> None:
    table = PersonalDataAccess._meta.db_table
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET detail = %s WHERE id = %s", ["書き換え", logged.pk])
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [logged.pk])
    assert PersonalDataAccess.objects.get(pk=logged.pk).detail == "会則・規約"


def test_a_report_with_logged_views_cannot_be_deleted(logged) -> None:
    # the log keeps its report: deleting the report would take the record of who saw it
    with pytest.raises(ProtectedError), transaction.atomic():
        AccidentReport.objects.get(pk=logged.report_id).delete()
