"""Users and the role each one works in."""
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import AbstractUser
from django.db import models
from django_otp.plugins.otp_totp.models import TOTPDevice


class Role(models.TextChoices):
    """The kinds of user of the system (GRANTS.md §1). The 保険担当 handles コミュニティ活動保険 only: they see
    the injured people's personal data and no grant case; the grant roles never see that personal data. The
    審査委員 (often from outside the city hall) sees only the applications of the calls they are assigned to,
    and none they are tied to or declared a conflict on. The 評価委員 (a member of the 協働推進委員会) evaluates the
closed cases they are assigned to (相互評価・第三者評価), and none they are tied to or declared a conflict on."""

    ASSOCIATION_HEAD = "association_head", "団体の利用者（代表者・会計・担当者）"
    STAFF = "staff", "協働推進課 担当"
    APPROVER = "approver", "決裁者"
    FINANCE = "finance", "会計課"
    AUDITOR = "auditor", "監査委員事務局"
    INSURANCE = "insurance", "保険担当（コミュニティ活動保険）"
    PANEL = "panel", "審査委員（市民活動交流事業補助金）"
    EVALUATOR = "evaluator", "評価委員（協働推進委員会）"


CITY_ROLES = frozenset({Role.STAFF, Role.APPROVER, Role.FINANCE, Role.AUDITOR})
# Who sees the payments: the payment queue, the batches and their transfers (振込), on the pages and in the API.
PAYMENT_ROLES = frozenset({Role.FINANCE, Role.AUDITOR})

# Who must enter a one-time code after the password when REQUIRE_TWO_FACTOR is on: every city role, the 保険担当
# included (they see injured people's personal data). The applicants' roles (association_head, panel) are not
# asked: they are people outside the city hall, without a city phone, and each sees only their own organisation's
# cases or the applications assigned to them.
TWO_FACTOR_ROLES = CITY_ROLES | {Role.INSURANCE}


class User(AbstractUser):
    """A person who logs in. City staff see every case; an association head sees only the cases of the
    organisations they currently represent (see ``Representative``)."""

    role = models.CharField("役割", max_length=32, choices=Role.choices)
    display_name = models.CharField("氏名", max_length=100, blank=True)
    # Official messages (a decision, a return, a transfer) are mailed whatever this says (grants.notify.events).
    optional_mail = models.BooleanField("お知らせメールを受け取る", default=True)

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_city_user(self) -> bool:
        return self.role in CITY_ROLES

    @property
    def sees_payments(self) -> bool:
        """Whether this user sees the payments (振込): 会計課 and 監査委員事務局 (``PAYMENT_ROLES``)."""
        return self.role in PAYMENT_ROLES

    @property
    def must_use_two_factor(self) -> bool:
        """Whether this user enters a one-time code after the password (when REQUIRE_TWO_FACTOR is on): a city
        role or the 保険担当 (``TWO_FACTOR_ROLES``), or anyone who may open the admin (``is_staff``)."""
        return self.role in TWO_FACTOR_ROLES or self.is_staff or self.is_superuser


class AuthenticatorDevice(TOTPDevice):
    """A user's authenticator app (django-otp's TOTP device), named in Japanese for the admin, where an
    administrator removes a lost phone's device; the user enrols again at the next login."""

    class Meta:
        proxy = True
        verbose_name = "二要素認証の端末"
        verbose_name_plural = "二要素認証の端末"


class LoginLockout(AccessAttempt):
    """Wrong-password attempts counted by django-axes (one row per user name, address and browser). Deleting the
    rows of a user name or an address unlocks it."""

    class Meta:
        proxy = True
        verbose_name = "ログインの失敗・ロック"
        verbose_name_plural = "ログインの失敗・ロック"


class LoginRecord(AccessLog):
    """Successful logins and logouts recorded by django-axes."""

    class Meta:
        proxy = True
        verbose_name = "ログインの記録"
        verbose_name_plural = "ログインの記録"


class ApiToken(models.Model):
    """A key with which one of the city's own systems reads the API (APIトークン, ``/api/v1/``) as ``user``: the
    user's role and organisations decide what it reads, exactly as on the pages. Only the SHA-256 of the key is
    stored, with its first characters (``prefix``) to tell tokens apart; the key itself is shown once, to the
    administrator who issues it (``grants.accounts.tokens.issue_token``). A token no longer works once revoked
    (``revoked_at``), after ``expires_on`` (the last day it works), or while its user is inactive."""

    user = models.ForeignKey(User, verbose_name="利用者", on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField("用途", max_length=100,
                            help_text="どのシステムが何のために使うか（例：財務会計システムとの照合）。")
    prefix = models.CharField("トークンの先頭", max_length=12, editable=False)
    key_hash = models.CharField("トークンのハッシュ（SHA-256）", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("発行日時", auto_now_add=True)
    expires_on = models.DateField("有効期限", null=True, blank=True,
                                  help_text="この日まで使えます。空欄のときは失効させるまで使えます。")
    last_used_at = models.DateTimeField("最後に使った日時", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("失効日時", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "APIトークン"
        verbose_name_plural = "APIトークン"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"
