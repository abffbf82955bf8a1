"""The registration of a 市民活動団体 (団体登録): the group registers itself (its organisation, representative,
contact, members, base, aims, bylaws and member list, 法人番号 for an NPO, bank account, and a login for its
representative); city staff confirm it (or return it with the reason) before the group can apply
(GRANTS.md §1, §5: "Organisation: active, … bank account on file, 規約 (bylaws), member list").

Errors: ``GroupError`` (Japanese, names the field); ``GroupInputError`` (a ``GroupError``) carries every wrong
field of a form at once; ``GroupRegistration.DoesNotExist`` for a registration the user may not see (404).
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import jaconv
import zengin_code
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from stdnum.jp import cn as corporate_number

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.checks import Judgment
from grants.core.models import AuditEvent, record_event
from grants.core.uploads import DOCUMENTS, UploadError, check_upload
from grants.core.workflow import Act, Edge, Machine
from grants.organizations.members import BY_HEAD
from grants.organizations.models import (
    AccountType,
    Area,
    BankAccount,
    Organization,
    OrganizationKind,
    Representative,
)

from .calls import published_calls
from .checks import group_judgments
from .models import Call, GroupRegistration, RegistrationStatus


class GroupError(workflow.ActionRefused):
    """The act on a group's registration is not allowed, or its input is wrong (Japanese, names the field)."""


class GroupInputError(GroupError):
    """Some fields of a registration are wrong: ``errors`` maps each field's name (``LABELS``) to its Japanese
    messages; the message of the exception names each field."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(f"{LABELS.get(name, name)}: {text}"
                                  for name, texts in self.errors.items() for text in texts))


#: The fields of a registration and how a message names them.
LABELS = {
    "name": "団体名", "name_kana": "団体名（フリガナ）", "area": "主な活動の地域",
    "representative_name": "代表者氏名", "contact_name": "連絡担当者", "phone": "電話番号", "email": "メールアドレス",
    "address": "活動拠点の所在地", "based_in_city": "市内に活動拠点がありますか", "members": "構成員数",
    "purpose": "団体の目的・主な活動", "no_political_aim": "政治活動を目的としない",
    "no_religious_aim": "宗教活動を目的としない", "no_profit_aim": "営利を目的としない",
    "corporate_number": "法人番号", "bylaws": "規約（会則）", "member_list": "構成員名簿",
    "bank_code": "金融機関コード", "branch_code": "支店コード", "account_type": "預金種目",
    "account_number": "口座番号", "holder_kana": "口座名義（カナ）", "username": "ユーザー名", "password": "パスワード",
}
MAX_MEMBERS = 100_000  # a typo guard (more than the city's households would be), not a programme rule
MAX_PURPOSE = 4000
CODE_PREFIX = "S-"
NAME_TAKEN = "この名称の団体はすでに登録されています。"
USERNAME_TAKEN = "このユーザー名はすでに使われています。別のユーザー名にしてください。"
_KANA_NAME = re.compile(r"[ァ-ヴー・　 ０-９0-9Ａ-Ｚａ-ｚA-Za-z（）()]+")


@dataclasses.dataclass(frozen=True)
class GroupDetails:
    """What a group says of itself (団体の概要). ``members``: people; the three aims are the group's
    declarations (GRANTS.md §5 excluded activities); ``corporate_number``: 13 digits, NPO only, else ""."""

    name: str
    name_kana: str
    area_id: int
    representative_name: str
    contact_name: str
    phone: str
    email: str
    address: str
    based_in_city: bool
    members: int
    purpose: str
    no_political_aim: bool
    no_religious_aim: bool
    no_profit_aim: bool
    corporate_number: str = ""

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> GroupDetails:
        """From a form's cleaned data (``area`` may be the ``Area`` itself)."""
        area = data.get("area")
        values: dict[str, Any] = {f.name: data.get(f.name) for f in dataclasses.fields(cls) if f.name != "area_id"}
        values = {k: ("" if v is None else v) for k, v in values.items()}
        return cls(area_id=area.pk if isinstance(area, Area) else int(area or 0), **values)


@dataclasses.dataclass(frozen=True)
class BankDetails:
    """The 振込先口座: bank code (4 digits), branch code (3), 預金種目, number (up to 7 digits), 口座名義 as on
    the passbook (normalised to half-width kana by ``grants.organizations.kana``)."""

    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder_kana: str

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> BankDetails:
        return cls(**{f.name: str(data.get(f.name) or "") for f in dataclasses.fields(cls)})


def visible_registrations(user: User) -> QuerySet[GroupRegistration]:
    """Registrations ``user`` may see: all for city users; their own group's for its current representative."""
    if not user.is_authenticated:
        return GroupRegistration.objects.none()
    if user.is_city_user:
        return GroupRegistration.objects.all()
    return GroupRegistration.objects.filter(
        organization_id__in=Representative.objects.current().filter(user=user).values("organization_id")
    )


GROUP_REGISTRATION: Machine[GroupRegistration] = workflow.register(Machine(
    name="group_registration", label="団体登録", model="competitive.GroupRegistration",
    states=dict(RegistrationStatus.choices),
    edges=(
        Edge("confirm_group", "登録を確認する", frozenset({RegistrationStatus.SUBMITTED}), RegistrationStatus.CONFIRMED,
             frozenset({Role.STAFF}), ("submitted_by",), records="confirmed_by", stamps="confirmed_at",
             effects=("activate_group",),
             role_refusal="団体登録の確認は担当職員のみが行えます。",
             state_refusal="登録申請中の団体だけを確認できます。"),
        Edge("return_group", "差し戻す", frozenset({RegistrationStatus.SUBMITTED}), RegistrationStatus.RETURNED,
             frozenset({Role.STAFF}), note_required=True, tone="secondary",
             role_refusal="団体登録の差戻しは担当職員のみが行えます。",
             note_refusal="差戻しの理由（直していただく点）を入力してください。"),
        Edge("resubmit_group", "登録を申請し直す", frozenset({RegistrationStatus.RETURNED}),
             RegistrationStatus.SUBMITTED, frozenset({Role.ASSOCIATION_HEAD}), page="form", org_roles=BY_HEAD,
             role_refusal="登録の申請は団体の代表者が行います。"),
    ),
    visible=lambda user: visible_registrations(user), related=("organization",), error=GroupError,
    separation={"submitted_by": "登録を申請した方は、同じ登録を確認できません。"},
    activities=(
        workflow.Activity("edit_registration",
                          frozenset({RegistrationStatus.SUBMITTED, RegistrationStatus.RETURNED}),
                          frozenset({Role.ASSOCIATION_HEAD}),
                          # The head only: the registration carries the bank account and the representative.
                          "確認済の登録は、担当職員にご連絡のうえ変更してください。", org_roles=BY_HEAD),
    ),
))


@workflow.effect("activate_group")
def _activate(act: Act[GroupRegistration]) -> None:
    """Confirming leaves nothing else to do before the group applies: a current representative with a login and
    a current bank account are required, and the organisation becomes active (活動中)."""
    org = act.obj.organization
    if not Representative.objects.current().heads().filter(organization=org, user__isnull=False).exists():
        raise GroupError("代表者: ログインできる代表者が登録されていないため、確認できません。")
    if org.current_bank_account() is None:
        raise GroupError("振込先口座: 口座が登録されていないため、確認できません。")
    if not org.is_active:
        org.is_active = True
        org.save(update_fields=["is_active"])


# -- checking what a group typed -----------------------------------------------------------------------------------

def _text(errors: dict[str, list[str]], name: str, value: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.setdefault(name, []).append("入力してください。")
    elif len(text) > limit:
        errors.setdefault(name, []).append(f"{limit:,}文字以内で入力してください。")
    return text


def _kana_name(errors: dict[str, list[str]], value: str) -> str:
    kana = jaconv.hira2kata(_text(errors, "name_kana", value, 200))
    if kana and not _KANA_NAME.fullmatch(kana):
        errors.setdefault("name_kana", []).append("カタカナ（またはひらがな）で入力してください。")
    return kana


def _phone(errors: dict[str, list[str]], value: str) -> str:
    phone = unicodedata.normalize("NFKC", (value or "").strip()).replace("ー", "-")
    digits = re.sub(r"[-() ]", "", phone)
    if not digits.isdigit() or not 10 <= len(digits) <= 11:
        errors.setdefault("phone", []).append(
            "市外局番からの10桁または11桁の番号を入力してください（例: 083-000-0000）。")
    return phone


def _email(errors: dict[str, list[str]], value: str) -> str:
    email = (value or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        errors.setdefault("email", []).append("メールアドレスの形式が正しくありません（例: info@example.jp）。")
    return email


def _corporate_number(errors: dict[str, list[str]], value: str) -> str:
    """法人番号: 13 digits whose first is the check digit (python-stdnum ``stdnum.jp.cn``), or empty."""
    number = re.sub(r"[-\s]", "", unicodedata.normalize("NFKC", value or ""))
    if number and not (len(number) == 13 and corporate_number.is_valid(number)):
        errors.setdefault("corporate_number", []).append(
            "13桁の法人番号が正しくありません（先頭の1桁はチェック用の数字です）。NPO法人でなければ空欄にしてください。")
    return number


def _check_details(details: GroupDetails, errors: dict[str, list[str]]) -> GroupDetails:
    """``details`` with texts trimmed and normalised; each wrong field added to ``errors``."""
    clean = dataclasses.replace(
        details,
        name=_text(errors, "name", details.name, 120),
        name_kana=_kana_name(errors, details.name_kana),
        representative_name=_text(errors, "representative_name", details.representative_name, 100),
        contact_name=_text(errors, "contact_name", details.contact_name, 100, required=False),
        phone=_phone(errors, details.phone), email=_email(errors, details.email),
        address=_text(errors, "address", details.address, 200),
        purpose=_text(errors, "purpose", details.purpose, MAX_PURPOSE),
        corporate_number=_corporate_number(errors, details.corporate_number),
    )
    if not Area.objects.filter(pk=details.area_id).exists():
        errors.setdefault("area", []).append("一覧から選んでください。")
    if not isinstance(details.members, int) or not 1 <= details.members <= MAX_MEMBERS:
        errors.setdefault("members", []).append(f"1から{MAX_MEMBERS:,}までの人数を入力してください。")
    return clean


def _check_bank(bank: BankDetails, errors: dict[str, list[str]]) -> BankAccount | None:
    """An unsaved ``BankAccount`` checked as the model checks it (zengin-code codes, 7-digit number, 口座名義
    normalised by ``normalize_account_name``, its 30 bytes counted once normalised), or None with each wrong
    field added to ``errors``."""
    codes = {name: unicodedata.normalize("NFKC", getattr(bank, name) or "").strip()
             for name in ("bank_code", "branch_code", "account_number")}
    for name, size in (("bank_code", 4), ("branch_code", 3)):
        if not re.fullmatch(rf"[0-9]{{{size}}}", codes[name]):
            errors.setdefault(name, []).append(f"{size}桁の数字で入力してください。")
    if not re.fullmatch(r"[0-9]{1,7}", codes["account_number"]):
        errors.setdefault("account_number", []).append("7桁以内の数字で入力してください。")
    if bank.account_type not in AccountType.values:
        errors.setdefault("account_type", []).append("一覧から選んでください。")
    if not (bank.holder_kana or "").strip():
        errors.setdefault("holder_kana", []).append("通帳に書かれている口座名義をカタカナで入力してください。")
    if any(name in errors for name in ("bank_code", "branch_code", "account_number", "holder_kana")):
        return None
    account = BankAccount(bank_code=codes["bank_code"], branch_code=codes["branch_code"],
                          account_type=bank.account_type, account_number=codes["account_number"].zfill(7),
                          holder_kana=bank.holder_kana)
    try:  # the organisation and the bank's names are set once the codes are known to exist
        account.full_clean(exclude=["organization", "bank_name", "branch_name"], validate_unique=False,
                           validate_constraints=False)
    except ValidationError as exc:
        for name, texts in exc.message_dict.items():
            errors.setdefault(name, []).extend(texts)
        return None
    found = zengin_code.Bank.all[account.bank_code]
    account.bank_name, account.branch_name = found.name, found.branches[account.branch_code].name
    return account


def _check_file(errors: dict[str, list[str]], name: str, upload: UploadedFile | None) -> None:
    """``grants.core.uploads.check_upload`` (PDF, Word, Excel, JPEG, PNG; 10 MB; content matching the type)."""
    try:
        check_upload(upload, DOCUMENTS)
    except UploadError as exc:
        errors.setdefault(name, []).append(str(exc).removeprefix("ファイル: "))


def _check_login(errors: dict[str, list[str]], username: str, password: str, email: str) -> str:
    name = (username or "").strip()
    try:
        UnicodeUsernameValidator()(name)
        if not name or len(name) > 150:
            raise ValidationError("length")
    except ValidationError:
        errors.setdefault("username", []).append("150文字以内の英数字と @ . + - _ で入力してください。")
        return name
    try:
        password_validation.validate_password(password or "", User(username=name, email=email))
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.messages)
    return name


def _same_name(name: str, *, other_than: int = 0) -> QuerySet[Organization]:
    return Organization.objects.filter(kind=OrganizationKind.SHIMIN_DANTAI, name=name).exclude(pk=other_than)


# -- the acts -------------------------------------------------------------------------------------------------------

def register_group(*, details: GroupDetails, bank: BankDetails, username: str, password: str,
                   bylaws: UploadedFile | None, member_list: UploadedFile | None) -> GroupRegistration:
    """A group registers itself (団体登録の申請; no login yet). In one transaction: the ``Organization`` (kind
    市民活動団体, active, code ``S-0001``, ``S-0002`` …), the login ``User`` (role association_head), its
    ``Representative`` (代表, from today), the current ``BankAccount`` and the ``GroupRegistration`` (submitted),
    plus the audit row ``register_group``. The bylaws and member list are required files (PDF, Word, Excel,
    JPEG, PNG).

    Raises ``GroupInputError`` naming every wrong field (nothing written); ``GroupError`` when the name or the
    login is already registered. The same request sent twice (a double click: same group name, login and
    password) returns the registration the first one made."""
    errors: dict[str, list[str]] = {}
    clean = _check_details(details, errors)
    account = _check_bank(bank, errors)
    _check_file(errors, "bylaws", bylaws)
    _check_file(errors, "member_list", member_list)
    login = _check_login(errors, username, password, clean.email)
    if errors or account is None:
        raise GroupInputError(errors)
    with transaction.atomic():
        # Registrations of one 地域 take turns, so a double click finds the first one's group below.
        list(Area.objects.select_for_update().filter(pk=clean.area_id).values_list("pk"))
        earlier = _earlier_same_request(clean.name, login, password)
        if earlier is not None:
            return earlier
        if _same_name(clean.name).exists():
            raise GroupInputError({"name": [NAME_TAKEN + "登録済みの団体はログインしてください。"]})
        if User.objects.filter(username__iexact=login).exists():
            raise GroupInputError({"username": [USERNAME_TAKEN]})
        return _create(clean, account, login, password, bylaws, member_list)


def _earlier_same_request(name: str, username: str, password: str) -> GroupRegistration | None:
    earlier = (GroupRegistration.objects.select_related("submitted_by", "organization")
               .filter(organization__kind=OrganizationKind.SHIMIN_DANTAI, organization__name=name,
                       submitted_by__username=username).first())
    if earlier is not None and earlier.submitted_by.check_password(password):
        return earlier
    return None


def _next_code() -> str:
    codes = Organization.objects.filter(code__regex=rf"^{CODE_PREFIX}[0-9]+$").values_list("code", flat=True)
    return f"{CODE_PREFIX}{max((int(c[len(CODE_PREFIX):]) for c in codes), default=0) + 1:04d}"


def _create(details: GroupDetails, account: BankAccount, username: str, password: str,
            bylaws: UploadedFile | None, member_list: UploadedFile | None) -> GroupRegistration:
    org = Organization.objects.create(
        kind=OrganizationKind.SHIMIN_DANTAI, code=_next_code(), name=details.name, name_kana=details.name_kana,
        area_id=details.area_id, corporate_number=details.corporate_number, is_active=True)
    user = User.objects.create_user(username=username, password=password, email=details.email,
                                    role=Role.ASSOCIATION_HEAD, display_name=details.representative_name)
    Representative.objects.create(organization=org, user=user, name=details.representative_name, title="代表",
                                  started_on=timezone.localdate())
    account.organization = org
    account.save()
    registration = GroupRegistration(organization=org, submitted_by=user, bylaws=bylaws, member_list=member_list)
    _copy(details, registration)
    registration.save()
    record_event(actor=user, subject=registration, action="register_group",
                 note=f"{org.name}（{org.code}）の団体登録を申請")
    return registration


_REGISTRATION_FIELDS = ("representative_name", "contact_name", "phone", "email", "address", "based_in_city",
                        "members", "purpose", "no_political_aim", "no_religious_aim", "no_profit_aim")


def _copy(details: GroupDetails, registration: GroupRegistration) -> None:
    for name in _REGISTRATION_FIELDS:
        setattr(registration, name, getattr(details, name))


def update_registration(*, registration_id: int, actor: User, details: GroupDetails, bank: BankDetails,
                        bylaws: UploadedFile | None = None,
                        member_list: UploadedFile | None = None, resubmit: bool = False) -> GroupRegistration:
    """The group corrects its registration while it is submitted or returned (activity ``edit_registration``):
    the details, the organisation's name, kana, 地域 and 法人番号, the representative's name, a new bank account
    when any of its fields changed (the old one is kept, no longer current), and the files chosen again (the
    others are kept). Audit row ``edit_registration``. ``resubmit``: then, in the same transaction, apply again
after a return (edge ``resubmit_group``).

    Raises ``GroupRegistration.DoesNotExist`` (404) for a registration ``actor`` may not see, ``GroupError``
    after confirmation or for another role, ``GroupInputError`` naming every wrong field (nothing written)."""
    errors: dict[str, list[str]] = {}
    clean = _check_details(details, errors)
    account = _check_bank(bank, errors)
    for name, upload in (("bylaws", bylaws), ("member_list", member_list)):
        if upload is not None:
            _check_file(errors, name, upload)
    with transaction.atomic():
        registration = workflow.access(GROUP_REGISTRATION, actor, registration_id, lock=True)
        workflow.require(GROUP_REGISTRATION, registration, actor, "edit_registration")
        org = registration.organization
        if clean.name and _same_name(clean.name, other_than=org.pk).exists():
            errors.setdefault("name", []).append(NAME_TAKEN)
        if errors or account is None:
            raise GroupInputError(errors)
        org.name, org.name_kana, org.area_id = clean.name, clean.name_kana, clean.area_id
        org.corporate_number = clean.corporate_number
        org.save()
        Representative.objects.current().heads().filter(organization=org).update(name=clean.representative_name)
        _replace_account(org, account)
        _copy(clean, registration)
        if bylaws is not None:
            registration.bylaws = bylaws
        if member_list is not None:
            registration.member_list = member_list
        registration.save()
        record_event(actor=actor, subject=registration, action="edit_registration", note="登録内容を修正")
        if resubmit:
            registration = workflow.perform(GROUP_REGISTRATION, registration.pk, "resubmit_group", actor=actor)
    return registration


def _replace_account(org: Organization, account: BankAccount) -> None:
    current = org.current_bank_account()
    same = ("bank_code", "branch_code", "account_type", "account_number", "holder_kana")
    if current is not None and all(getattr(current, f) == getattr(account, f) for f in same):
        return
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    account.organization = org
    account.save()


# -- what the pages read --------------------------------------------------------------------------------------------

def access_registration(user: User, pk: int) -> GroupRegistration:
    """The registration ``pk`` if ``user`` may see it (staff, or the group's current representative); else
    ``GroupRegistration.DoesNotExist``."""
    return visible_registrations(user).select_related("organization__area", "submitted_by", "confirmed_by").get(pk=pk)


def latest_return_note(registration: GroupRegistration) -> str:
    """What staff last asked the group to fix (the note of the latest ``return_group``), or ""."""
    event = AuditEvent.objects.for_object(registration).filter(action="return_group").last()
    return event.note if event is not None else ""


def open_call_judgments(registration: GroupRegistration) -> list[tuple[Call, list[Judgment]]]:
    """For each published call open today: the call and what it asks of the group, judged on this registration
    (``grants.competitive.checks.group_judgments``: each failed check with its reason in Japanese)."""
    today = timezone.localdate()
    calls = published_calls().filter(opens_on__lte=today, closes_on__gte=today).order_by("closes_on", "pk")
    return [(call, group_judgments(registration, call)) for call in calls]


def represented_registrations(user: User) -> QuerySet[GroupRegistration]:
    """The registrations of the groups ``user`` represents today (ホーム shows their status)."""
    if not user.is_authenticated or user.role != Role.ASSOCIATION_HEAD:
        return GroupRegistration.objects.none()
    return visible_registrations(user).select_related("organization")
