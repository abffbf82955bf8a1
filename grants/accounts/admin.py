from typing import Any

from axes.utils import reset
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants.core.admin_audit import AuditedAdminMixin, HistoryAdminMixin
from grants.core.models import record_event

from .models import ApiToken, AuthenticatorDevice, LoginLockout, LoginRecord, Role, User
from .tokens import fill_new_key, revoke_token

# The applicants (代表者・会計・担当者) choose their own password: staff invite them from the organisation's page.
INVITE_INSTEAD = ("団体の代表者・会計・担当者は、ここでは登録しません。"
                  "団体のページの「団体の利用者」から招待してください（ご本人がログイン名とパスワードを決めます）。")
CITY_ROLE_CHOICES = [("", "（なし：管理画面の管理者のみ）"),
                     *[(value, label) for value, label in Role.choices if value != Role.ASSOCIATION_HEAD]]


class CityUserCreationForm(AdminUserCreationForm):
    """A new user of the city (or an administrator) with their role; never an applicant (INVITE_INSTEAD)."""

    role = forms.ChoiceField(label="役割", choices=CITY_ROLE_CHOICES, required=False, help_text=INVITE_INSTEAD)

    class Meta(AdminUserCreationForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = ("username", "role", "display_name")


class GrantsUserChangeForm(UserChangeForm):
    """A user's page: a user may not be made an applicant here (their password would be the administrator's)."""

    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = "__all__"

    def clean_role(self) -> str:
        role = str(self.cleaned_data.get("role") or "")
        if role == Role.ASSOCIATION_HEAD and self.instance.role != Role.ASSOCIATION_HEAD:
            raise forms.ValidationError(INVITE_INSTEAD)
        return role


@admin.register(User)
class GrantsUserAdmin(AuditedAdminMixin, UserAdmin):
    """Users: every change (role, 職員/管理者の権限, groups, permissions, active or not) is audited with old and new
    values, never the password hash. A user who acted or was acted upon (audit trail) is never deleted here: make
    them inactive instead. Applicants are not added here: they accept an invitation and choose their own password
    (grants.organizations.invitations); city users are added with their role."""

    add_form = CityUserCreationForm
    form = GrantsUserChangeForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "role", "display_name", "usable_password",
                                                            "password1", "password2")}),)
    list_display = ("username", "display_name", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("業務", {"fields": ("role", "display_name")}))
    audit_exclude = ("password", "last_login")
    # Groups and permissions as plain labelled lists: Django's two-box filter (filter_horizontal) writes inline
    # styles the Content-Security-Policy refuses and names its search icons with aria-label on a bare <span>
    # (axe aria-prohibited-attr) (issue 15).
    filter_horizontal = ()

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Django's password form, with an audit row when an administrator sets a password (never the password)."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                record_event(actor=request.user, subject=User.objects.get(pk=unquote(id)),  # type: ignore[arg-type]
                             action=f"{self.audit_action}_password", note="パスワードを設定しました（管理画面）。")
        return response


# Django's group admin, audited like the users (a group grants admin permissions).
admin.site.unregister(Group)


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdminMixin, GroupAdmin):
    filter_horizontal = ()  # a plain labelled list, as on the users' page


# django-otp's own admin shows the secret key and English labels: the devices are shown here instead.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(AuthenticatorDevice)
class AuthenticatorDeviceAdmin(admin.ModelAdmin):
    """The users' authenticator apps. An administrator removes the device of a lost phone (the removal is on the
    audit trail, on the user); the user enrols a new one at the next login. Devices are never added or edited here,
    and the secret key is never shown."""

    list_display = ("owner", "device_name", "is_confirmed", "created", "last_used")
    list_filter = ("confirmed",)
    search_fields = ("user__username", "user__display_name")
    fields = ("owner", "device_name", "is_confirmed", "created", "last_used")
    readonly_fields = fields

    @admin.display(description="利用者", ordering="user__username")
    def owner(self, obj: AuthenticatorDevice) -> str:
        return f"{obj.user}（{obj.user.get_username()}）"

    @admin.display(description="名前")
    def device_name(self, obj: AuthenticatorDevice) -> str:
        return obj.name

    @admin.display(description="登録を確認済み", boolean=True)
    def is_confirmed(self, obj: AuthenticatorDevice) -> bool:
        return obj.confirmed

    @admin.display(description="登録日時", ordering="created_at")
    def created(self, obj: AuthenticatorDevice) -> Any:
        return obj.created_at

    @admin.display(description="最後に使った日時", ordering="last_used_at")
    def last_used(self, obj: AuthenticatorDevice) -> Any:
        return obj.last_used_at

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: AuthenticatorDevice) -> None:
        record_event(actor=request.user, subject=obj.user, action="two_factor_device_removed",  # type: ignore[arg-type]
                     note=f"二要素認証の端末「{obj.name}」を削除しました。次回のログインで登録し直します。")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AuthenticatorDevice]) -> None:
        for obj in queryset.select_related("user"):
            self.delete_model(request, obj)


class _LoginRowsAdmin(admin.ModelAdmin):
    """The columns django-axes' login rows share, under Japanese headings."""

    search_fields = ("username", "ip_address")

    @admin.display(description="ユーザー名", ordering="username")
    def login_name(self, obj: LoginLockout | LoginRecord) -> str:
        return obj.username or ""

    @admin.display(description="接続元アドレス", ordering="ip_address")
    def address(self, obj: LoginLockout | LoginRecord) -> str:
        return obj.ip_address or ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LoginLockout)
class LoginLockoutAdmin(_LoginRowsAdmin):
    """Wrong-password attempts (django-axes). A user name or an address with as many failures as the limit
    (LOGIN_FAILURE_LIMIT) within the lockout time is locked; the actions unlock it by deleting its rows."""

    list_display = ("login_name", "address", "failures", "last_attempt", "browser")
    fields = list_display
    readonly_fields = list_display
    actions = ("unlock_usernames", "unlock_addresses")

    @admin.display(description="失敗した回数", ordering="failures_since_start")
    def failures(self, obj: LoginLockout) -> int:
        return obj.failures_since_start

    @admin.display(description="最後の試行", ordering="attempt_time")
    def last_attempt(self, obj: LoginLockout) -> Any:
        return obj.attempt_time

    @admin.display(description="ブラウザー")
    def browser(self, obj: LoginLockout) -> str:
        return obj.user_agent

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # unlocking goes through the two actions below
        return actions

    @admin.action(description="選んだ行のユーザー名のロックを解除する（どの接続元からでも）", permissions=["delete"])
    def unlock_usernames(self, request: HttpRequest, queryset: QuerySet[LoginLockout]) -> None:
        usernames = sorted({name for name in queryset.values_list("username", flat=True) if name})
        for username in usernames:
            reset(username=username)
            user = User.objects.filter(username=username).first()
            if user is not None:
                record_event(actor=request.user, subject=user, action="login_unlocked",  # type: ignore[arg-type]
                             note="ログインのロックを解除しました。")
        self.message_user(request, f"ロックを解除しました: {'、'.join(usernames)}", messages.SUCCESS)

    @admin.action(description="選んだ行の接続元アドレスのロックを解除する（どのユーザー名でも）",
                  permissions=["delete"])
    def unlock_addresses(self, request: HttpRequest, queryset: QuerySet[LoginLockout]) -> None:
        addresses = sorted({ip for ip in queryset.values_list("ip_address", flat=True) if ip})
        for address in addresses:
            reset(ip=address)
        self.message_user(request, f"ロックを解除しました: {'、'.join(addresses)}", messages.SUCCESS)


@admin.register(LoginRecord)
class LoginRecordAdmin(_LoginRowsAdmin):
    """Successful logins and logouts (django-axes), read only."""

    list_display = ("login_name", "address", "logged_in", "logged_out")
    fields = list_display
    readonly_fields = list_display

    @admin.display(description="ログイン日時", ordering="attempt_time")
    def logged_in(self, obj: LoginRecord) -> Any:
        return obj.attempt_time

    @admin.display(description="ログアウト日時", ordering="logout_time")
    def logged_out(self, obj: LoginRecord) -> Any:
        return obj.logout_time

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdminMixin, HistoryAdminMixin, admin.ModelAdmin):
    """API tokens (``/api/v1/``): an administrator issues one for a user (a city system reads as that user, with
    the user's role), sees its key once in the message after saving, and revokes it with the list's action. Only
    the key's SHA-256 is stored; the key itself is never shown again. Issuing and revoking are on the audit
    trail; a token is never deleted (revoked instead), so that its history stays."""

    list_display = ("name", "user", "prefix", "created_at", "expires_on", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username", "user__display_name")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    audit_exclude = ("key_hash", "last_used_at")
    actions = ("revoke",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("user", "name", "expires_on")
        return ("user", "name", "prefix", "created_at", "expires_on", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A token's user never changes once issued: a key handed to one system reads as one user.
        return (*self.readonly_fields, "user") if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        key = fill_new_key(obj) if not change else None
        super().save_model(request, obj, form, change)
        if key is not None:
            self.message_user(request, f"APIトークンを発行しました。トークンは「{key}」です。この画面を離れると"
                                       "二度と表示できません。今すぐ控えて、使うシステムに設定してください。",
                              messages.WARNING)

    @admin.action(description="選んだAPIトークンを失効させる", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = []
        for token in queryset.select_related("user"):
            with transaction.atomic():
                if revoke_token(token):
                    record_event(actor=request.user, subject=token, action="api_token_revoked",  # type: ignore[arg-type]
                                 note=f"APIトークン「{token}」を失効させました。")
                    revoked.append(str(token))
        self.message_user(request, f"失効させました: {'、'.join(revoked)}" if revoked
                          else "選んだAPIトークンはすでに失効しています。", messages.SUCCESS)
