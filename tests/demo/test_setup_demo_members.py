"""setup_demo's 会計 of the demo association (``jichi-kaikei``): printed with the other users, a member (会計) of the
head's association who may enter receipts but not submit, and made once however often the demo is set up."""
import io

import pytest
from django.core.management import call_command

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.notify.models import Notification, NotificationStatus
from grants.organizations.models import MemberRole, Representative

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_treasurer_of_the_heads_association() -> None:
    out = io.StringIO()
    call_command("setup_demo", password="demo-pass-2026", stdout=out)
    call_command("setup_demo", password="demo-pass-2026", stdout=io.StringIO())
    assert "jichi-kaikei" in out.getvalue() and "団体の会計" in out.getvalue()
    treasurer, head = User.objects.get(username="jichi-kaikei"), User.objects.get(username="kaicho")
    assert treasurer.role == Role.ASSOCIATION_HEAD and treasurer.check_password("demo-pass-2026")
    term = Representative.objects.current().get(user=treasurer)
    assert term.role == MemberRole.TREASURER
    assert term.organization == Representative.objects.current().heads().get(user=head).organization
    assert Representative.objects.filter(user=treasurer).count() == 1
    org = term.organization
    assert workflow.member_refusal(frozenset({"head"}), org, treasurer) == "この手続は団体の代表者が行います。"
    # Every demo login has an address, so the demo's お知らせ reach var/mail (written, never sent).
    assert not User.objects.filter(email="").exists()
    assert head.email == "kaicho@example.jp" and "var/mail" in out.getvalue()


def test_the_demos_own_acts_are_mailed_into_the_files_not_left_unsent() -> None:
    """The groups' logins had no address when the demo's decisions were made: every お知らせ of the demo was 送信しない."""
    call_command("setup_demo", password="demo-pass-2026", stdout=io.StringIO())
    assert Notification.objects.exists()
    assert not Notification.objects.filter(status=NotificationStatus.SKIPPED).exists()
