"""The pages of an organisation's users (pages/organizations): inviting by the page (the link shown once, mailed,
never stored), the invitation's link opened without login, by another user, twice; the head's handover page; a
会計 sees the list but cannot invite."""
import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.accounts.models import Role
from grants.notify.models import Notification
from grants.organizations.models import Invitation, InvitationStatus, MemberRole, Representative
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "kaikei-no-pass-2026"


def _link(page: str) -> str:
    found = re.search(r'id="invitation-link" value="([^"]+)"', page)
    assert found, "the link is shown"
    return found.group(1)


def _invite(client, org, **data):  # type: ignore[no-untyped-def]
    return client.post(reverse("organization_members", args=[org.pk]),
                       {"name": "会計 花子", "email": "kaikei@example.jp", "role": "treasurer", **data})


def test_staff_invite_and_the_link_is_shown_once_and_mailed(client, association, staff) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    page = _invite(client, association).content.decode()
    link = _link(page)
    assert f'<p class="invitation-link-print">{link}</p>' in page  # written out whole, to print
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert token != invitation.token_hash and token not in invitation.token_hash
    mail = Notification.objects.get(event="invitation")
    assert (mail.address, mail.url) == ("kaikei@example.jp", link) and link in mail.body
    again = client.get(reverse("organization_members", args=[association.pk])).content.decode()
    assert "invitation-link" not in again and "会計 花子" in again
    assert "style=" not in page and "<script>" not in page


def test_the_link_opened_without_login_creates_the_user_and_logs_in(client, association, staff) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    link = _link(_invite(client, association).content.decode())
    client.logout()
    page = client.get(link).content.decode()
    assert association.name in page and "会計" in page
    bad = client.post(link, {"username": "kaikei", "password": "short", "password2": "short"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert not Representative.objects.filter(role=MemberRole.TREASURER).exists()
    done = client.post(link, {"username": "kaikei", "password": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("home")
    assert client.get(reverse("organization_members", args=[association.pk])).status_code == 200  # logged in
    client.logout()
    assert "すでに使われています" in client.get(link).content.decode()


def test_the_link_opened_by_another_logged_in_user_is_refused(client, association, staff, jichikai_head) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    link = _link(_invite(client, association).content.decode())
    client.force_login(jichikai_head)
    page = client.post(link, {"username": "x", "password": PASSWORD, "password2": PASSWORD}).content.decode()
    assert "別の利用者でログインしています" in page
    assert Invitation.objects.get().status == InvitationStatus.PENDING


def test_a_treasurer_sees_the_members_but_cannot_invite(client, association, association_head) -> None:  # type: ignore[no-untyped-def]
    treasurer = factories.UserFactory(username="kaikei-now", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=association, user=treasurer, name="会計 一郎",
                                    role=MemberRole.TREASURER, title="会計")
    client.force_login(treasurer)
    page = client.get(reverse("organization_members", args=[association.pk])).content.decode()
    assert "会計 一郎" in page and "山口 太郎" in page and "招待する</button>" not in page
    _invite(client, association, email="x@example.jp")
    assert not Invitation.objects.exists()


def test_the_head_hands_over_with_the_day(client, association, association_head) -> None:  # type: ignore[no-untyped-def]
    client.force_login(association_head)
    day = timezone.localdate() + dt.timedelta(days=5)
    page = client.post(reverse("organization_handover", args=[association.pk]),
                       {"name": "新会長", "email": "new@example.jp", "handover_on": day.isoformat()}).content.decode()
    _link(page)
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.handover_on, invitation.invited_by) == (MemberRole.HEAD, day, association_head)


def test_the_link_starts_with_the_sites_public_address_not_the_inviters(client, association, staff, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = "https://hojokin.city.example.jp"
    settings.ALLOWED_HOSTS = ["intranet.local", "testserver"]
    client.force_login(staff)
    response = client.post(reverse("organization_members", args=[association.pk]),
                           {"name": "会計 花子", "email": "kaikei@example.jp", "role": "treasurer"},
                           HTTP_HOST="intranet.local")
    link = _link(response.content.decode())
    assert link.startswith("https://hojokin.city.example.jp/invite/")


def test_the_head_ends_a_clerks_term_and_revokes_an_invitation(client, association, association_head) -> None:  # type: ignore[no-untyped-def]
    clerk = factories.UserFactory(username="tanto-now", role=Role.ASSOCIATION_HEAD)
    term = factories.RepresentativeFactory(organization=association, user=clerk, role=MemberRole.CLERK)
    client.force_login(association_head)
    _invite(client, association, role="clerk")
    invitation = Invitation.objects.get()
    client.post(reverse("organization_invitation_revoke", args=[association.pk, invitation.pk]))
    ended = client.post(reverse("organization_member_end", args=[association.pk, term.pk]), follow=True)
    assert f"{term.name}さん（担当者）の任期を終えました。" in ended.content.decode()
    invitation.refresh_from_db()
    term.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert term.ended_on == timezone.localdate() - dt.timedelta(days=1)


def test_home_lists_the_members_organisations_with_their_role_and_users_page(client, association,  # type: ignore[no-untyped-def]
                                                                             association_head) -> None:
    treasurer = factories.UserFactory(username="kaikei-home", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=association, user=treasurer, name="会計 一郎",
                                    role=MemberRole.TREASURER, title="会計")
    client.force_login(treasurer)
    page = client.get(reverse("home")).content.decode()
    members = reverse("organization_members", args=[association.pk])
    assert f"{association}（会計）" in page and f'href="{members}"' in page
    client.force_login(factories.UserFactory(username="city", role=Role.STAFF))
    assert f'href="{members}"' not in client.get(reverse("home")).content.decode()


def test_staff_may_invite_a_sitting_head_without_a_login_and_only_then(client, association, staff) -> None:  # type: ignore[no-untyped-def]
    sitting = factories.RepresentativeFactory(organization=association, user=None, name="林 和子",
                                              started_on=dt.date(2025, 4, 1))
    url = reverse("organization_members", args=[association.pk])
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert "代表者（林 和子さん。ログインがまだありません）" in page and "利用者を招待する" in page
    link = _link(_invite(client, association, name="林 和子", email="hayashi@example.jp", role="head").content.decode())
    client.logout()
    client.post(link, {"username": "hayashi", "password": PASSWORD, "password2": PASSWORD})
    sitting.refresh_from_db()
    assert sitting.user is not None and sitting.user.username == "hayashi"
    client.force_login(staff)
    assert "ログインがまだありません" not in client.get(url).content.decode()


def test_the_invited_message_shows_with_the_link_and_not_again_on_the_next_page(client, association, staff) -> None:  # type: ignore[no-untyped-def]
    """The page showing the link is rendered at once (not a redirect): its message must be on it, not left over for
    the next page (it showed after a revoke as 「招待を作成しました」)."""
    client.force_login(staff)
    assert "招待を作成しました。" in _invite(client, association).content.decode()
    assert "招待を作成しました。" not in client.get(reverse("organization_members", args=[association.pk])).content.decode()


def test_every_description_the_fields_point_to_is_on_the_page(client, association, staff) -> None:  # type: ignore[no-untyped-def]
    """aria-describedby names the help and the error of each field: a screen reader reads them only if an element
    of that id is on the page (they were -help/-errors while Django points to _helptext/_error)."""
    client.force_login(staff)
    link = _link(_invite(client, association).content.decode())
    client.logout()
    page = client.post(link, {"username": "", "password": "short", "password2": "other"}).content.decode()
    pointed = {i for ids in re.findall(r'aria-describedby="([^"]+)"', page) for i in ids.split()}
    assert "id_username_error" in pointed and "id_password_helptext" in pointed
    missing = [i for i in pointed if f'id="{i}"' not in page]
    assert not missing, missing
