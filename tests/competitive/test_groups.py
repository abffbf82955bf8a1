"""A 市民活動団体 registers itself (grants.competitive.groups): the five rows and the audit row in one transaction,
every wrong field named with nothing written, a double click making one group, staff confirming or returning
(never the group's head, never a return without its reason), the group correcting and applying again, and what
an open call asks of the group (grants.competitive.checks.group_judgments) said in Japanese."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grants.accounts.models import Role, User
from grants.competitive import groups
from grants.competitive.checks import group_judgments
from grants.competitive.groups import GROUP_REGISTRATION, GroupError, GroupInputError
from grants.competitive.models import GroupRegistration, RegistrationStatus
from grants.core import workflow
from grants.core.models import AuditEvent
from grants.organizations.models import BankAccount, Organization, OrganizationKind, Representative
from tests.competitive import builders
from tests.competitive.builders import registration_data

ROWS = (Organization, User, Representative, BankAccount, GroupRegistration, AuditEvent)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROWS}


def edit(registration: GroupRegistration, actor: User, **changes: object) -> GroupRegistration:
    data = registration_data(**changes)
    return groups.update_registration(registration_id=registration.pk, actor=actor,
                                      details=groups.GroupDetails.of(data), bank=groups.BankDetails.of(data),
                                      resubmit=bool(changes.pop("resubmit", False)))


@pytest.mark.django_db
def test_a_registration_creates_the_group_its_login_head_account_and_registration_at_once() -> None:
    before = counts()
    registration = builders.register()
    after = counts()
    assert {name: after[name] - before[name] for name in after} == {
        "Organization": 1, "User": 1, "Representative": 1, "BankAccount": 1, "GroupRegistration": 1, "AuditEvent": 1}
    org = registration.organization
    assert (org.kind, org.code, org.is_active, org.name_kana, org.corporate_number) == (
        OrganizationKind.SHIMIN_DANTAI, "S-0001", True, "ユダコドモショクドウ", "9234567890123")
    head = registration.submitted_by
    assert (head.username, head.role, head.check_password("yuda-pass-2026")) == ("yuda-kodomo", Role.ASSOCIATION_HEAD,
                                                                                   True)
    term = Representative.objects.get(organization=org)
    assert (term.user, term.title, term.name) == (head, "代表", "湯田 一郎")
    account = BankAccount.objects.get(organization=org)
    assert (account.bank_name, account.branch_name, account.holder_kana, account.is_current) == (
        "山口", "本店営業部", "ﾄｸﾋ)ﾕﾀﾞｺﾄﾞﾓｼﾖｸﾄﾞｳ", True)
    assert (registration.status, registration.members, registration.based_in_city) == ("submitted", 12, True)
    assert registration.bylaws.name.startswith(f"groups/{org.pk}/")
    assert AuditEvent.objects.for_object(registration).get().action == "register_group"


@pytest.mark.django_db
def test_the_next_group_gets_the_next_code() -> None:
    builders.register()
    second = builders.register(registration_data(name="大内ほたるの会", username="hotaru", corporate_number=""))
    assert second.organization.code == "S-0002"


@pytest.mark.parametrize(("changes", "field", "text"), [
    ({"corporate_number": "1234567890123"}, "corporate_number", "13桁の法人番号が正しくありません"),
    ({"bank_code": "9999"}, "bank_code", "金融機関コード「9999」は存在しません。"),
    ({"branch_code": "998"}, "branch_code", "支店コード「998」はありません。"),
    ({"holder_kana": "湯田子ども食堂"}, "holder_kana", "1文字目の「湯」は口座名義に使えません"),
    ({"name": "  "}, "name", "入力してください。"),
    ({"name_kana": "Yuda食堂"}, "name_kana", "カタカナ"),
    ({"phone": "083"}, "phone", "10桁または11桁"),
    ({"email": "yuda@"}, "email", "メールアドレスの形式"),
    ({"members": 0}, "members", "1から"),
    ({"password": "short"}, "password", "短すぎ"),
    ({"username": "湯田 食堂!"}, "username", "英数字"),
])
@pytest.mark.django_db
def test_each_wrong_field_is_named_and_nothing_is_written(changes, field, text) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    with pytest.raises(GroupInputError) as refused:
        builders.register(registration_data(**changes))
    assert text in " ".join(refused.value.errors[field])
    assert groups.LABELS[field] in str(refused.value)
    assert counts() == before


@pytest.mark.parametrize("typed", [
    "トクテイヒエイリカツドウホウジン　ユダコドモショクドウ",  # full-width, 27 characters
    "ﾄｸﾃｲﾋｴｲﾘｶﾂﾄﾞｳﾎｳｼﾞﾝ ﾕﾀﾞｺﾄﾞﾓｼｮｸﾄﾞｳ",  # half-width, 33
    "とくていひえいりかつどうほうじん　ゆだこどもしょくどう　　",  # hiragana with trailing spaces
])
@pytest.mark.django_db
def test_a_corporate_account_name_written_out_is_kept_abbreviated(typed: str) -> None:
    """The 30 bytes are counted on the normalised name: a long name as typed is not refused for its length."""
    registration = builders.register(registration_data(holder_kana=typed))
    assert registration.organization.current_bank_account().holder_kana == "ﾄｸﾋ)ﾕﾀﾞｺﾄﾞﾓｼﾖｸﾄﾞｳ"


@pytest.mark.parametrize(("typed", "text"), [
    ("トクテイヒエイリカツドウホウジン　ユダオンセンコドモショクドウネットワークス　ヤマ",
     "変換後「ﾄｸﾋ)ﾕﾀﾞｵﾝｾﾝｺﾄﾞﾓｼﾖｸﾄﾞｳﾈﾂﾄﾜ-ｸｽ ﾔﾏ」は31バイトです"),
    ("ユダコドモショクドウア゛", "12文字目の「゛」は前の文字に付けられません"),
    ("ユダコト゛゛モ", "6文字目の「゛」は前の文字に付けられません（濁点・半濁点が二重になっています）"),
    ("ﾕﾀﾞ" + " " * 97 + "ｺ", "100文字以内"),
])
@pytest.mark.django_db
def test_an_account_name_refused_once_normalised_is_named_once(typed: str, text: str) -> None:
    before = counts()
    with pytest.raises(GroupInputError) as refused:
        builders.register(registration_data(holder_kana=typed))
    assert len(refused.value.errors["holder_kana"]) == 1
    assert text in refused.value.errors["holder_kana"][0]
    assert counts() == before


@pytest.mark.django_db
def test_every_missing_field_is_named_at_once() -> None:
    data = registration_data(name="", representative_name="", address="", purpose="", area=None)
    with pytest.raises(GroupInputError) as refused:
        builders.register(data)
    assert {"name", "representative_name", "address", "purpose", "area"} <= set(refused.value.errors)
    assert not Organization.objects.exists()


@pytest.mark.parametrize(("upload", "text"), [
    (SimpleUploadedFile("kiyaku.txt", b"plain text", content_type="text/plain"), "のいずれかのファイルを選んで"),
    (SimpleUploadedFile("kiyaku.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf"), "一致しません"),
    (None, "ファイルを選んでください。"),
])
@pytest.mark.django_db
def test_bylaws_of_a_wrong_type_or_missing_are_refused(upload, text) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(GroupInputError) as refused:
        builders.register(bylaws=upload)
    assert text in refused.value.errors["bylaws"][0]
    assert "規約（会則）" in str(refused.value)
    assert not GroupRegistration.objects.exists()


@pytest.mark.django_db
def test_a_double_click_makes_one_group() -> None:
    first = builders.register()
    again = builders.register()
    assert again.pk == first.pk
    assert (Organization.objects.count(), User.objects.count(), GroupRegistration.objects.count()) == (1, 1, 1)


@pytest.mark.django_db
def test_a_taken_login_or_group_name_is_refused() -> None:
    builders.register()
    with pytest.raises(GroupInputError) as taken_login:
        builders.register(registration_data(name="別の会"))
    assert "このユーザー名はすでに使われています" in taken_login.value.errors["username"][0]
    with pytest.raises(GroupInputError) as taken_name:
        builders.register(registration_data(username="someone-else"))
    assert "この名称の団体はすでに登録されています" in taken_name.value.errors["name"][0]
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_staff_confirm_and_the_group_becomes_active(staff) -> None:  # type: ignore[no-untyped-def]
    registration = builders.register()
    Organization.objects.filter(pk=registration.organization_id).update(is_active=False)
    confirmed = workflow.perform(GROUP_REGISTRATION, registration.pk, "confirm_group", actor=staff)
    assert (confirmed.status, confirmed.confirmed_by) == (RegistrationStatus.CONFIRMED, staff)
    assert Organization.objects.get(pk=registration.organization_id).is_active


@pytest.mark.django_db
def test_the_groups_head_cannot_confirm_its_own_registration() -> None:
    registration = builders.register()
    with pytest.raises(GroupError, match="団体登録の確認は担当職員のみ"):
        workflow.perform(GROUP_REGISTRATION, registration.pk, "confirm_group", actor=registration.submitted_by)
    registration.refresh_from_db()
    assert (registration.status, registration.confirmed_by) == (RegistrationStatus.SUBMITTED, None)
    assert not AuditEvent.objects.filter(action="confirm_group").exists()


@pytest.mark.django_db
def test_a_return_needs_its_reason_and_the_group_sees_it(staff) -> None:  # type: ignore[no-untyped-def]
    registration = builders.register()
    with pytest.raises(GroupError, match="差戻しの理由"):
        workflow.perform(GROUP_REGISTRATION, registration.pk, "return_group", actor=staff, note="  ")
    assert GroupRegistration.objects.get().status == RegistrationStatus.SUBMITTED
    workflow.perform(GROUP_REGISTRATION, registration.pk, "return_group", actor=staff, note="構成員名簿が古い版です。")
    assert groups.latest_return_note(registration) == "構成員名簿が古い版です。"


@pytest.mark.django_db
def test_the_group_corrects_and_applies_again_after_a_return(staff) -> None:  # type: ignore[no-untyped-def]
    registration = builders.register()
    head = registration.submitted_by
    workflow.perform(GROUP_REGISTRATION, registration.pk, "return_group", actor=staff, note="口座を確認してください。")
    again = edit(registration, head, members=15, account_number="7654321", resubmit=True)
    assert (again.status, again.members) == (RegistrationStatus.SUBMITTED, 15)
    accounts = BankAccount.objects.filter(organization=registration.organization).order_by("pk")
    assert [(a.account_number, a.is_current) for a in accounts] == [("1234567", False), ("7654321", True)]
    assert list(AuditEvent.objects.for_object(registration).values_list("action", flat=True)) == [
        "register_group", "return_group", "edit_registration", "resubmit_group"]


@pytest.mark.django_db
def test_a_confirmed_registration_is_not_edited_by_the_group(staff) -> None:  # type: ignore[no-untyped-def]
    registration = builders.register()
    workflow.perform(GROUP_REGISTRATION, registration.pk, "confirm_group", actor=staff)
    with pytest.raises(GroupError, match="確認済の登録は"):
        edit(registration, registration.submitted_by, members=3)
    assert GroupRegistration.objects.get().members == 12


@pytest.mark.django_db
def test_a_resubmit_without_a_return_writes_nothing() -> None:
    registration = builders.register()
    with pytest.raises(GroupError):
        edit(registration, registration.submitted_by, members=3, resubmit=True)
    assert GroupRegistration.objects.get().members == 12
    assert not AuditEvent.objects.filter(action="edit_registration").exists()


@pytest.mark.django_db
def test_another_groups_head_cannot_see_or_edit_this_registration() -> None:
    registration = builders.register()
    _, other_head = builders.group("other-head", "別の団体")
    with pytest.raises(GroupRegistration.DoesNotExist):
        groups.access_registration(other_head, registration.pk)
    with pytest.raises(GroupRegistration.DoesNotExist):
        edit(registration, other_head, members=3)
    assert GroupRegistration.objects.get(pk=registration.pk).members == 12


@pytest.mark.django_db
def test_a_call_for_five_members_says_why_a_group_of_three_is_not_eligible(open_call, staff) -> None:  # type: ignore[no-untyped-def]
    registration = builders.register(registration_data(members=3))
    workflow.perform(GROUP_REGISTRATION, registration.pk, "confirm_group", actor=staff)
    registration.refresh_from_db()
    failed = [(code, reason) for code, ok, reason in group_judgments(registration, open_call) if not ok]
    assert failed == [("group_members", "構成員が5人以上の団体が対象です（登録上の構成員数は3人です）。")]
    [(call, judged)] = groups.open_call_judgments(registration)
    assert call == open_call
    assert [code for code, ok, _ in judged if not ok] == ["group_members"]


@pytest.mark.django_db
def test_an_unconfirmed_group_is_told_it_waits_for_the_city(open_call) -> None:  # type: ignore[no-untyped-def]
    registration = builders.register()
    [(_, judged)] = groups.open_call_judgments(registration)
    assert [reason for _, ok, reason in judged if not ok] == ["団体登録が市でまだ確認されていません。"]
