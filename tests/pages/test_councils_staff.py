"""The page of a council's 事務局員 (pages/councils): role, pay, period and yearly cost for the 年度, the names
shown to whom, and adding and ending through its forms. The services: tests/councils/test_staff.py."""
import datetime as dt

import pytest
from django.urls import reverse

from grants.core.fiscal import fiscal_year_label
from grants.organizations.models import SecretariatStaff
from tests.cases.steps import login, messages_of
from tests.councils import builders
from tests.councils.builders import APRIL, MONTHLY, OCTOBER
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db


def test_page_lists_role_pay_period_and_yearly_cost(client, council, staff):
    org, secretary = council
    builders.staff_member(org, secretary, name="佐藤 花子", role="事務局長")
    builders.staff_member(org, secretary, name="鈴木 一郎", role="事務局員", pay_basis="hourly", monthly_wage=None,
                          hourly_rate=1_100, hours_per_month=80, social_insurance_monthly=0, employed_from=OCTOBER)
    response = login(client, staff).get(reverse("council_staff", args=[org.pk]))
    page = response.content.decode()
    for expected in ("事務局長", "月給（180,000円）", "207,000円", "12か月", "2,484,000円",
                     "時給（1,100円 × 80時間）", "88,000円", "6か月", "528,000円", "（在職中）",
                     f"{fiscal_year_label(CURRENT_FY)}の雇用経費の合計", "3,012,000円", "佐藤 花子", "鈴木 一郎"):
        assert expected in page, expected


def test_names_for_city_users_and_own_secretary_and_404_for_others(client, council, other_council, auditor,
                                                                   association_head):
    org, secretary = council
    builders.staff_member(org, secretary, name="佐藤 花子")
    url = reverse("council_staff", args=[org.pk])
    for user in (secretary, auditor):
        assert "佐藤 花子" in login(client, user).get(url).content.decode()
    for user in (other_council[1], association_head):
        assert login(client, user).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_page_of_a_jichikai_or_missing_org_is_404(client, association, staff):
    login(client, staff)
    assert client.get(reverse("council_staff", args=[association.pk])).status_code == 404
    assert client.get(reverse("council_staff", args=[9999])).status_code == 404


def test_secretary_adds_through_the_form(client, council):
    org, secretary = council
    url = reverse("council_staff", args=[org.pk])
    data = {"name": "佐藤 花子", "role": "事務局長", "pay_basis": "monthly", "monthly_wage": "180000",
            "social_insurance_monthly": "27000", "employed_from": APRIL.isoformat()}
    response = login(client, secretary).post(url, data, follow=True)
    assert "事務局員を登録しました。" in messages_of(response)
    assert SecretariatStaff.objects.get().monthly_cost == 207_000


def test_form_errors_stay_on_the_form_and_nothing_is_written(client, council):
    org, secretary = council
    url = reverse("council_staff", args=[org.pk])
    login(client, secretary)
    # The model's rule, through the service: a monthly wage is needed for 月給.
    response = client.post(url, {"name": "佐藤 花子", "role": "事務局長", "pay_basis": "monthly",
                                 "social_insurance_monthly": "0", "employed_from": APRIL.isoformat()})
    page = response.content.decode()
    assert response.status_code == 200 and "月給（円）: 月給の方は月給を入力してください。" in page
    assert 'value="佐藤 花子"' in page  # the input is kept
    # The form's own checks: a required date, a negative number.
    response = client.post(url, {"name": "x", "role": "y", "pay_basis": "monthly", "monthly_wage": "-5",
                                 "social_insurance_monthly": "0"})
    page = response.content.decode()
    assert "雇用開始日: このフィールドは必須です。" in page and "月給（円）: " in page
    assert "入力内容を確認してください。事務局員の登録は行っていません。" in messages_of(response)
    # End before start.
    response = client.post(url, {"name": "x", "role": "y", "pay_basis": "monthly", "monthly_wage": "1",
                                 "social_insurance_monthly": "0", "employed_from": OCTOBER.isoformat(),
                                 "employed_until": APRIL.isoformat()})
    assert "雇用終了日（任意）: 雇用終了日は雇用開始日より後にしてください。" in response.content.decode()
    assert not SecretariatStaff.objects.exists()


def test_auditor_sees_no_forms_and_cannot_add_or_end(client, council, auditor):
    org, secretary = council
    record = builders.staff_member(org, secretary)
    url = reverse("council_staff", args=[org.pk])
    page = login(client, auditor).get(url).content.decode()
    assert 'id="staff-form"' not in page and reverse("council_staff_end", args=[org.pk, record.pk]) not in page
    response = client.post(url, {**{k: str(v) for k, v in MONTHLY.items()}}, follow=True)
    assert "この協議会の事務局員を登録する権限がありません。" in messages_of(response)
    response = client.post(reverse("council_staff_end", args=[org.pk, record.pk]),
                           {"employed_until": OCTOBER.isoformat()}, follow=True)
    assert "この協議会の事務局員を登録する権限がありません。" in messages_of(response)
    assert SecretariatStaff.objects.count() == 1 and SecretariatStaff.objects.get().employed_until is None


def test_end_date_through_the_page_and_its_errors(client, council, other_council):
    org, secretary = council
    record = builders.staff_member(org, secretary)
    url = reverse("council_staff_end", args=[org.pk, record.pk])
    login(client, secretary)
    response = client.post(url, {"employed_until": ""}, follow=True)
    assert "雇用終了日: このフィールドは必須です。" in messages_of(response)
    response = client.post(url, {"employed_until": (APRIL - dt.timedelta(days=1)).isoformat()}, follow=True)
    assert "雇用終了日: 雇用終了日は雇用開始日より後にしてください。" in messages_of(response)
    response = client.post(url, {"employed_until": dt.date(CURRENT_FY, 6, 30).isoformat()}, follow=True)
    assert "事務局員の雇用終了日を登録しました。" in messages_of(response)
    record.refresh_from_db()
    assert record.employed_until == dt.date(CURRENT_FY, 6, 30)
    assert "3か月" in response.content.decode()
    # Another council's secretary, or a record of another council under this council's URL: 404.
    assert login(client, other_council[1]).post(url, {"employed_until": OCTOBER.isoformat()}).status_code == 404
    theirs = builders.staff_member(other_council[0], other_council[1])
    login(client, secretary)
    assert client.post(reverse("council_staff_end", args=[org.pk, theirs.pk]),
                       {"employed_until": OCTOBER.isoformat()}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.employed_until is None
