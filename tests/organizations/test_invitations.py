"""Invitations to act for an organisation (grants.organizations.invitations), attacked: a link used twice, expired,
revoked, opened by another logged-in user, a password Django's validators refuse, an inviter who may not invite;
the yearly handover (the former head loses access on the handover day, the new head sees the history); ending a
member's term. Every refusal writes nothing."""
import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase
from grants.core.models import AuditEvent
from grants.organizations import invitations
from grants.organizations.invitations import InvitationError, InvitationInputError, accept, end_term, invite, revoke
from grants.organizations.models import Invitation, InvitationStatus, MemberRole, Representative
from grants.organizations.services import change_head
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "kaikei-no-pass-2026"


def _accept(token: str, username: str = "kaikei", **extra):  # type: ignore[no-untyped-def]
    return accept(token=token, username=username, password=PASSWORD, password2=PASSWORD, **extra)


def _counts() -> tuple[int, int, int]:
    return User.objects.count(), Representative.objects.count(), AuditEvent.objects.count()


def test_accepting_creates_the_user_and_the_term_from_today(association, staff) -> None:  # type: ignore[no-untyped-def]
    invitation, token = invite(organization_id=association.pk, actor=staff, role=MemberRole.TREASURER,
                               name="会計 花子", email="kaikei@example.jp")
    assert token not in (invitation.token_hash, str(invitation.__dict__))  # only the hash is stored
    assert invitation.token_hash == invitations.token_hash(token)
    user = _accept(token)
    assert (user.role, user.email, user.display_name, user.check_password(PASSWORD)) == (
        Role.ASSOCIATION_HEAD, "kaikei@example.jp", "会計 花子", True)
    term = Representative.objects.get(user=user)
    assert (term.organization, term.role, term.started_on, term.ended_on) == (
        association, MemberRole.TREASURER, timezone.localdate(), None)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == (InvitationStatus.ACCEPTED, user)


def test_a_link_used_twice_is_refused(association, staff) -> None:  # type: ignore[no-untyped-def]
    _, token = invite(organization_id=association.pk, actor=staff, role=MemberRole.CLERK, name="担当 次郎",
                      email="tanto@example.jp")
    _accept(token)
    before = _counts()
    with pytest.raises(InvitationError, match="すでに使われています"):
        _accept(token, username="another")
    assert _counts() == before


def test_an_expired_link_is_refused(association, staff) -> None:  # type: ignore[no-untyped-def]
    invitation, token = invite(organization_id=association.pk, actor=staff, role=MemberRole.CLERK, name="担当 次郎",
                               email="tanto@example.jp")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    before = _counts()
    with pytest.raises(InvitationError, match="有効期限"):
        _accept(token)
    assert _counts() == before
    assert Invitation.objects.get(pk=invitation.pk).status_label == "期限切れ"


@override_settings(INVITATION_DAYS=3)
def test_the_link_lasts_the_days_the_settings_give(association, staff) -> None:  # type: ignore[no-untyped-def]
    invitation, _ = invite(organization_id=association.pk, actor=staff, role=MemberRole.CLERK, name="担当",
                           email="tanto@example.jp")
    assert abs(invitation.expires_at - timezone.now() - dt.timedelta(days=3)) < dt.timedelta(minutes=1)


def test_a_revoked_link_is_refused(association, association_head) -> None:  # type: ignore[no-untyped-def]
    invitation, token = invite(organization_id=association.pk, actor=association_head, role=MemberRole.CLERK,
                               name="担当 次郎", email="tanto@example.jp")
    revoke(invitation_id=invitation.pk, actor=association_head)
    before = _counts()
    with pytest.raises(InvitationError, match="取り消されています"):
        _accept(token)
    assert _counts() == before


def test_a_link_opened_by_another_logged_in_user_is_refused(association, staff, jichikai_head) -> None:  # type: ignore[no-untyped-def]
    _, token = invite(organization_id=association.pk, actor=staff, role=MemberRole.CLERK, name="担当 次郎",
                      email="tanto@example.jp")
    before = _counts()
    for someone in (jichikai_head, staff):
        with pytest.raises(InvitationError, match="別の利用者でログインしています"):
            _accept(token, user=someone)
    assert _counts() == before


def test_the_head_of_two_associations_accepts_onto_their_own_account(association, staff, jichikai_head) -> None:  # type: ignore[no-untyped-def]
    jichikai_head.email = "Kaicho@Example.jp"
    jichikai_head.save()
    _, token = invite(organization_id=association.pk, actor=staff, role=MemberRole.HEAD, name="兼任 会長",
                      email="kaicho@example.jp", handover_on=timezone.localdate())
    users = User.objects.count()
    assert accept(token=token, user=jichikai_head) == jichikai_head
    assert User.objects.count() == users
    own = Representative.objects.exclude(organization=association).get(user=jichikai_head).organization_id
    held = Representative.objects.current().filter(user=jichikai_head).values_list("organization_id", flat=True)
    assert set(held) == {association.pk, own}


def test_passwords_and_login_names_are_checked_and_nothing_is_written(association, staff, association_head) -> None:  # type: ignore[no-untyped-def]
    _, token = invite(organization_id=association.pk, actor=staff, role=MemberRole.CLERK, name="担当 次郎",
                      email="tanto@example.jp")
    before = _counts()
    for username, password, password2, field in (
        ("tanto", "short", "short", "password"), ("tanto", "1234567890123", "1234567890123", "password"),
        ("tanto", PASSWORD, PASSWORD + "x", "password2"), ("head", PASSWORD, PASSWORD, "username"),
        ("bad name!", PASSWORD, PASSWORD, "username"),
    ):
        with pytest.raises(InvitationInputError) as caught:
            accept(token=token, username=username, password=password, password2=password2)
        assert field in caught.value.errors, (username, password)
    assert _counts() == before
    _accept(token, username="tanto")  # the link still works


def test_the_former_head_loses_access_on_the_handover_day_and_the_new_head_sees_the_history(  # type: ignore[no-untyped-def]
        case, association_head) -> None:
    org = case.organization
    today = timezone.localdate()
    _, token = invite(organization_id=org.pk, actor=association_head, role=MemberRole.HEAD, name="新会長 花子",
                      email="new@example.jp", handover_on=today)
    new_head = _accept(token, username="new-head")
    old_term = Representative.objects.get(user=association_head)
    assert old_term.ended_on == today - dt.timedelta(days=1)
    assert not GrantCase.objects.visible_to(association_head).exists()
    assert list(GrantCase.objects.visible_to(new_head)) == [case]
    assert org.current_representative().user == new_head
    row = AuditEvent.objects.for_object(org).get(action="change_head")
    assert row.actor == association_head  # the outgoing head's act


def test_a_handover_on_a_later_day_leaves_the_former_head_in_office_until_then(case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    org = case.organization
    day = timezone.localdate() + dt.timedelta(days=10)
    _, token = invite(organization_id=org.pk, actor=staff, role=MemberRole.HEAD, name="新会長", email="n@example.jp",
                      handover_on=day)
    new_head = _accept(token, username="new-head")
    assert GrantCase.objects.visible_to(association_head).exists()
    assert not GrantCase.objects.visible_to(new_head).exists()
    assert org.current_representative(day).user == new_head
    assert org.current_representative(day - dt.timedelta(days=1)).user == association_head


def test_double_accept_does_one_thing(association, staff) -> None:  # type: ignore[no-untyped-def]
    _, token = invite(organization_id=association.pk, actor=staff, role=MemberRole.CLERK, name="担当",
                      email="tanto@example.jp")
    _accept(token, username="first")
    with pytest.raises(InvitationError):
        _accept(token, username="second")
    assert list(User.objects.filter(username__in=["first", "second"]).values_list("username", flat=True)) == ["first"]
    assert AuditEvent.objects.filter(action="accept_invitation").count() == 1


def test_who_may_invite(association, association_head, approver) -> None:  # type: ignore[no-untyped-def]
    treasurer = factories.UserFactory(username="kaikei-now", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=association, user=treasurer, role=MemberRole.TREASURER)
    other = factories.AssociationFactory()
    before = Invitation.objects.count()
    with pytest.raises(InvitationError, match="担当職員と団体の代表者"):
        invite(organization_id=association.pk, actor=treasurer, role=MemberRole.CLERK, name="x", email="x@example.jp")
    for outsider in (association_head, approver):
        with pytest.raises(Exception, match="団体が見つかりません"):
            invite(organization_id=other.pk, actor=outsider, role=MemberRole.CLERK, name="x", email="x@example.jp")
    with pytest.raises(InvitationInputError) as caught:
        invite(organization_id=association.pk, actor=association_head, role=MemberRole.HEAD, name="次", email="bad")
    assert set(caught.value.errors) == {"email", "handover_on"}
    assert Invitation.objects.count() == before


def test_only_the_head_or_staff_revoke(association, association_head) -> None:  # type: ignore[no-untyped-def]
    clerk = factories.UserFactory(username="tanto-now", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=association, user=clerk, role=MemberRole.CLERK)
    invitation, _ = invite(organization_id=association.pk, actor=association_head, role=MemberRole.TREASURER,
                           name="会計", email="k@example.jp")
    with pytest.raises(InvitationError, match="代表者が行います"):
        revoke(invitation_id=invitation.pk, actor=clerk)
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING


def test_ending_a_members_term(association, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    clerk = factories.UserFactory(username="tanto-now", role=Role.ASSOCIATION_HEAD)
    term = factories.RepresentativeFactory(organization=association, user=clerk, role=MemberRole.CLERK)
    head_term = Representative.objects.get(user=association_head)
    with pytest.raises(InvitationError, match="代表者の交代"):
        end_term(term_id=head_term.pk, actor=association_head)
    with pytest.raises(InvitationError, match="担当職員と団体の代表者"):
        end_term(term_id=head_term.pk, actor=clerk)
    end_term(term_id=term.pk, actor=association_head)
    term.refresh_from_db()
    assert term.ended_on == timezone.localdate() - dt.timedelta(days=1)
    assert not Representative.objects.current().filter(user=clerk).exists()
    assert Representative.objects.get(pk=head_term.pk).ended_on is None


def test_staff_give_a_sitting_head_without_a_login_their_own_by_invitation(association, staff) -> None:  # type: ignore[no-untyped-def]
    """Most 自治会長 are on file without a login: staff invite them as head with no handover day, and accepting gives
    their current term the login — no new term, no handover, the same name and start; a second such invitation, or
    one to a head who has a login, is refused."""
    sitting = factories.RepresentativeFactory(organization=association, user=None, name="林 和子",
                                              started_on=dt.date(2025, 4, 1))
    _, token = invite(organization_id=association.pk, actor=staff, role=MemberRole.HEAD, name="林 和子",
                      email="hayashi@example.jp")
    user = _accept(token, username="hayashi")
    sitting.refresh_from_db()
    assert (sitting.user, sitting.started_on, sitting.ended_on) == (user, dt.date(2025, 4, 1), None)
    assert Representative.objects.filter(organization=association).count() == 1
    assert AuditEvent.objects.filter(action="head_login").exists()
    with pytest.raises(InvitationInputError, match="代表者の交代日を入力してください"):
        invite(organization_id=association.pk, actor=staff, role=MemberRole.HEAD, name="林 和子",
               email="other@example.jp")


def test_a_sitting_head_who_got_a_login_meanwhile_refuses_the_second_invitation(association, staff) -> None:  # type: ignore[no-untyped-def]
    factories.RepresentativeFactory(organization=association, user=None, name="林 和子", started_on=dt.date(2025, 4, 1))
    _, first = invite(organization_id=association.pk, actor=staff, role=MemberRole.HEAD, name="林 和子",
                      email="hayashi@example.jp")
    # Two invitations out at once (the first set aside while the second is made, then restored), as after a resend.
    Invitation.objects.update(status=InvitationStatus.REVOKED)
    _, second = invite(organization_id=association.pk, actor=staff, role=MemberRole.HEAD, name="林 和子",
                       email="hayashi2@example.jp")
    Invitation.objects.filter(token_hash=invitations.token_hash(first)).update(status=InvitationStatus.PENDING)
    _accept(first, username="hayashi")
    before = _counts()
    with pytest.raises(InvitationError, match="すでにログインがあります"):
        _accept(second, username="hayashi2")
    assert _counts() == before


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.FINANCE, Role.APPROVER])
def test_a_city_user_other_than_staff_posting_the_invite_form_is_not_found_not_a_500(  # type: ignore[no-untyped-def]
        client, association, role) -> None:
    """Attack: the 監査, 会計課 or 決裁者 reads 団体の利用者 (no form shown) and posts a filled invitation by hand, on
    the users page and on 代表者の交代: the service's 「団体が見つかりません」 was an exception no page caught (a
    500). It is a 404 now, and nothing is written."""
    client.force_login(factories.UserFactory(username=f"city-{role}", role=role))
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    for page, data in (("organization_members", {"role": "clerk"}), ("organization_handover", {"handover_on": day})):
        response = client.post(reverse(page, args=[association.pk]), {"name": "x", "email": "x@example.jp", **data})
        assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_a_head_who_left_office_leaves_their_invitations_unusable(association, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    """Head A invites a 会計 and, for a handover in three days, a new head; staff then record B as head today: A's
    links are refused (the next head decides who acts for the organisation) and nothing is written."""
    _, treasurer = invite(organization_id=association.pk, actor=association_head, role=MemberRole.TREASURER,
                          name="会計 花子", email="kaikei@example.jp")
    _, nominee = invite(organization_id=association.pk, actor=association_head, role=MemberRole.HEAD,
                        name="次の 会長", email="next@example.jp", handover_on=timezone.localdate() + dt.timedelta(days=3))
    change_head(organization_id=association.pk, actor=staff, name="B 会長", started_on=timezone.localdate())
    before = _counts()
    for token, username in ((treasurer, "kaikei"), (nominee, "next")):
        assert "代表者が交代したため" in (invitations.refusal_of(invitations.invitation_for(token)) or "")
        with pytest.raises(InvitationError, match="代表者が交代したため"):
            _accept(token, username=username)
    assert _counts() == before
    assert Representative.objects.current().heads().get(organization=association).name == "B 会長"


def test_a_sitting_heads_login_never_goes_to_the_head_who_followed(association, staff) -> None:  # type: ignore[no-untyped-def]
    factories.RepresentativeFactory(organization=association, user=None, name="林 和子", started_on=dt.date(2025, 4, 1))
    _, token = invite(organization_id=association.pk, actor=staff, role=MemberRole.HEAD, name="別の名前",
                      email="hayashi@example.jp")
    assert Invitation.objects.get().name == "林 和子"  # the sitting head's name as on file, whatever was typed
    change_head(organization_id=association.pk, actor=staff, name="B 会長", started_on=timezone.localdate())
    before = _counts()
    with pytest.raises(InvitationError, match="招待の後に交代した"):
        _accept(token, username="hayashi")
    assert _counts() == before
    assert Representative.objects.current().heads().get(organization=association).user is None


def test_a_handover_day_passed_before_the_link_is_used_is_not_backdated(association, association_head) -> None:  # type: ignore[no-untyped-def]
    invitation, token = invite(organization_id=association.pk, actor=association_head, role=MemberRole.HEAD,
                               name="次の 会長", email="next@example.jp",
                               handover_on=timezone.localdate() + dt.timedelta(days=1))
    Invitation.objects.filter(pk=invitation.pk).update(handover_on=timezone.localdate() - dt.timedelta(days=3))
    user = _accept(token, username="next")
    new = Representative.objects.get(user=user)
    old = Representative.objects.get(user=association_head)
    assert new.started_on == timezone.localdate() and old.ended_on == timezone.localdate() - dt.timedelta(days=1)


def test_a_handover_day_beyond_a_year_is_refused_as_a_slip(association, association_head) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvitationInputError, match="以内の日付にしてください"):
        invite(organization_id=association.pk, actor=association_head, role=MemberRole.HEAD, name="次の 会長",
               email="next@example.jp", handover_on=dt.date(2062, 4, 1))
    assert not Invitation.objects.exists()


def test_a_login_name_taken_at_the_last_moment_is_a_field_error_not_a_crash(association, staff, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two acceptances choosing one name at once: the check before the lock passes for both, the database refuses
    the second; it must read as the name's error, with nothing written."""
    _, token = invite(organization_id=association.pk, actor=staff, role=MemberRole.CLERK, name="担当 次郎",
                      email="tanto@example.jp")
    factories.UserFactory(username="taken")
    monkeypatch.setattr(invitations, "_check_new_login", lambda *args: {})
    monkeypatch.setattr(User.objects, "filter", lambda *a, **k: User.objects.none())
    before = _counts()
    with pytest.raises(InvitationInputError) as caught:
        _accept(token, username="taken")
    assert caught.value.errors == {"username": ["このログイン名はすでに使われています。別の名前にしてください。"]}
    assert _counts() == before
