"""The admin of the organisations (grants/organizations/admin.py): household counts are append-only there too."""
import pytest
from django.urls import reverse

from grants.cases import services
from grants.organizations.models import BankAccount, HouseholdCount, Measure
from grants.programmes.models import FormulaComponent
from tests import factories
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db


def _admin(client):  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_regression_admin_can_delete_household_count_history(client, case) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (organizations/admin.py HouseholdCountAdmin): change is refused ("append-only: a correction is a new
    row with a reason") but has_delete_permission is not overridden, so the admin can delete counts —
    including the head's corrections with their reasons — and the history of the figure the amount was
    computed from is gone. Also override has_delete_permission (and a DB trigger as for the ledger)."""
    _admin(client)
    services.correct_household_count(case_id=case.pk, actor=case.organization.representatives.first().user,
                                     households=130, reason="転入")
    row = HouseholdCount.objects.filter(source="correction").get()
    client.post(reverse("admin:organizations_householdcount_delete", args=[row.pk]), {"post": "yes"})
    assert HouseholdCount.objects.filter(pk=row.pk).exists()


# 振込先口座 in the admin (issue 12, part 8): the 口座名義 is typed as on the passbook, in any width and with the
# corporate word written out; the 30 bytes are counted on the normalised name; what was typed stays on the page.

LONG_TYPED = "トクテイヒエイリカツドウホウジン　ヤマグチシミンカツドウシエンネットワーク"  # 37 characters
TOO_LONG_TYPED = "トクテイヒエイリカツドウホウジン　ヤマグチシミンカツドウシエンセンターネットワークス"


def _account_post(organization, holder_kana: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {"organization": organization.pk, "bank_code": "0170", "bank_name": "山口銀行", "branch_code": "001",
            "branch_name": "本店営業部", "account_type": "1", "account_number": "1234567",
            "holder_kana": holder_kana, "is_current": "on"}


def test_admin_account_form_takes_100_characters_of_name(client) -> None:  # type: ignore[no-untyped-def]
    _admin(client)
    page = client.get(reverse("admin:organizations_bankaccount_add")).content.decode()
    assert 'name="holder_kana" class="vTextField" maxlength="100"' in page


@pytest.mark.parametrize("typed", [LONG_TYPED, "ﾄｸﾃｲﾋｴｲﾘｶﾂﾄﾞｳﾎｳｼﾞﾝ ﾔﾏｸﾞﾁｼﾐﾝｶﾂﾄﾞｳｼｴﾝﾈｯﾄﾜｰｸ"])
def test_admin_saves_a_long_corporate_name_abbreviated(client, typed: str) -> None:  # type: ignore[no-untyped-def]
    _admin(client)
    organization = factories.AssociationFactory()
    response = client.post(reverse("admin:organizations_bankaccount_add"), _account_post(organization, typed))
    assert response.status_code == 302, response.content.decode()
    assert BankAccount.objects.get(organization=organization).holder_kana == "ﾄｸﾋ)ﾔﾏｸﾞﾁｼﾐﾝｶﾂﾄﾞｳｼｴﾝﾈﾂﾄﾜ-ｸ"


@pytest.mark.parametrize(("typed", "message"), [
    (TOO_LONG_TYPED, "口座名義は30バイト以内にしてください（変換後「ﾄｸﾋ)ﾔﾏｸﾞﾁｼﾐﾝｶﾂﾄﾞｳｼｴﾝｾﾝﾀ-ﾈﾂﾄﾜ-ｸｽ」は31バイトです。"),
    ("ヤマア゛ジチカイ", "4文字目の「゛」は前の文字に付けられません（「ア」には付けられません）。"),
    ("ｶﾞﾞｸｴﾝ", "3文字目の「ﾞ」は前の文字に付けられません（濁点・半濁点が二重になっています）。"),
    ("ｱ" * 101, "この値は 100 文字以下でなければなりません( 101 文字になっています)。"),
    ("", "このフィールドは必須です。"),
])
def test_admin_refuses_the_name_once_and_keeps_what_was_typed(client, typed: str, message: str) -> None:  # type: ignore[no-untyped-def]
    _admin(client)
    organization = factories.AssociationFactory()
    response = client.post(reverse("admin:organizations_bankaccount_add"), _account_post(organization, typed))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["holder_kana"] and len(errors["holder_kana"]) == 1
    assert errors["holder_kana"][0].startswith(message)
    assert f'name="holder_kana" value="{typed}"' in response.content.decode() or not typed
    assert not BankAccount.objects.filter(organization=organization).exists()


def test_admin_correction_of_a_name_keeps_the_old_one_when_refused(client) -> None:  # type: ignore[no-untyped-def]
    _admin(client)
    account = factories.BankAccountFactory()
    url = reverse("admin:organizations_bankaccount_change", args=[account.pk])
    response = client.post(url, _account_post(account.organization, "ガ゛"))
    assert "2文字目の「゛」は前の文字に付けられません" in response.content.decode()
    account.refresh_from_db()
    assert account.holder_kana == "ｵｵﾄｼﾀﾞｲ1ｼﾞﾁｶｲ"
    response = client.post(url, _account_post(account.organization, "オオトシダイイチ　シ゛チカイ"))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.holder_kana == "ｵｵﾄｼﾀﾞｲｲﾁ ｼﾞﾁｶｲ"


def test_a_measure_a_rules_condition_tests_cannot_be_deleted(client) -> None:  # type: ignore[no-untyped-def]
    """A condition names its measure by code (no foreign key): deleted while no figure is on file, the measure would
    leave every case of the rule without an amount."""
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    rule = factories.rule()
    FormulaComponent.objects.filter(programme_year=rule, label="世帯割").update(condition_input="newsletters",
                                                                                condition_min=2)
    newsletters = Measure.objects.get(code="newsletters")
    page = client.get(reverse("admin:organizations_measure_delete", args=[newsletters.pk])).content.decode()
    assert f"{rule}の算定項目「世帯割」の適用条件" in page
    client.post(reverse("admin:organizations_measure_delete", args=[newsletters.pk]), {"post": "yes"})
    assert Measure.objects.filter(code="newsletters").exists()
    client.post(reverse("admin:organizations_measure_changelist"),
                {"action": "delete_selected", "_selected_action": [newsletters.pk], "post": "yes"})
    assert Measure.objects.filter(code="newsletters").exists()
    unused = Measure.objects.get(code="area")
    client.post(reverse("admin:organizations_measure_delete", args=[unused.pk]), {"post": "yes"})
    assert not Measure.objects.filter(code="area").exists()


def test_the_organisation_page_shows_the_terms_of_office_and_saves_without_a_server_error(client, association) -> None:  # type: ignore[no-untyped-def]
    """Adding a 代表者 row in the admin gave a 500 (its 就任日 was read-only yet required): the terms are read-only
    there, and the page names where members are invited and a head handed over."""
    _admin(client)
    factories.RepresentativeFactory(organization=association, name="大殿 一郎")
    url = reverse("admin:organizations_organization_change", args=[association.pk])
    page = client.get(url)
    text = page.content.decode()
    assert "大殿 一郎" in text and "団体の利用者" in text
    assert 'name="representatives-__prefix__-name"' not in text  # no row to add
    data = change_form_data(page)
    data["name"] = "大殿第1自治会（改称）"
    response = client.post(url, data)
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.name == "大殿第1自治会（改称）"
    assert association.representatives.get().name == "大殿 一郎"
