"""Figures other than households (人口, 面積 …): measures are data, figures are append-only and the latest recorded
for a base date is in force; attacks on the values and on changing or deleting a figure."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from grants.organizations.models import CountSource, Measure, OrganizationFigure
from tests import factories
from tests.organizations.builders import figure, measure

pytestmark = pytest.mark.django_db

BASE = factories.BASE_DATE


def test_the_migration_creates_the_measures_the_code_named_and_the_area() -> None:
    rows = list(Measure.objects.values_list("code", "name", "unit", "decimal_places"))
    assert rows == [("population", "人口", "人", 0), ("area", "面積", "km²", 2),
                    ("newsletters", "広報紙の年間発行回数", "回", 0)]


def test_the_latest_figure_recorded_for_the_base_date_is_in_force() -> None:
    org, other = factories.AssociationFactory(), factories.AssociationFactory()
    area = measure("area")
    figure(org, "area", BASE, "12.30")
    figure(org, "area", BASE, "12.34", source=CountSource.CORRECTION, note="測量のやり直し")
    figure(org, "area", BASE - dt.timedelta(days=365), "99")  # another base date
    figure(other, "area", BASE, "3.5")
    found = OrganizationFigure.objects.in_force([org.pk, other.pk], BASE, [area.pk])
    assert found == {org.pk: {area.pk: Decimal("12.34")}, other.pk: {area.pk: Decimal("3.50")}}
    assert OrganizationFigure.objects.filter(organization=org).count() == 3  # the old rows stay as history


def test_a_figure_recorded_after_a_run_started_is_not_in_force_for_it() -> None:
    org = factories.AssociationFactory()
    first = figure(org, "population", BASE, 300)
    figure(org, "population", BASE, 350)
    population = measure("population")
    found = OrganizationFigure.objects.in_force([org.pk], BASE, [population.pk], as_of=first.recorded_at)
    assert found == {org.pk: {population.pk: Decimal(300)}}


@pytest.mark.parametrize(("code", "value", "message"), [
    ("area", "12.345", "面積は小数点以下2桁までで入力してください。"),
    ("population", "12.5", "人口は整数で入力してください。"),
    ("population", "-1", "人口は0以上1,000,000,000未満の数で入力してください。"),
    ("area", "NaN", "面積は0以上1,000,000,000未満の数で入力してください。"),
])
def test_a_figure_with_too_many_decimals_or_negative_is_refused(code: str, value: str, message: str) -> None:
    row = OrganizationFigure(organization=factories.AssociationFactory(), measure=measure(code), base_date=BASE,
                             value=Decimal(value), source=CountSource.REGISTER)
    with pytest.raises(ValidationError) as raised:
        row.clean()
    assert raised.value.message_dict["value"] == [message]


def test_the_database_refuses_a_negative_figure_and_a_correction_without_a_reason() -> None:
    org = factories.AssociationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        figure(org, "population", BASE, -5)
    with pytest.raises(IntegrityError), transaction.atomic():
        figure(org, "population", BASE, 5, source=CountSource.CORRECTION)
    assert not OrganizationFigure.objects.exists()


def test_a_measure_may_not_take_the_code_of_the_households_or_a_cost_input() -> None:
    with pytest.raises(ValidationError) as raised:
        Measure(code="households", name="世帯", unit="世帯").full_clean()
    assert "世帯数や経費の項目のコード" in str(raised.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.create(code="eligible_cost", name="対象経費", unit="円")


def test_the_admin_adds_a_measure_and_a_figure_but_never_changes_or_deletes_a_figure(client) -> None:  # type: ignore[no-untyped-def]
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.post(reverse("admin:organizations_measure_add"), {
        "code": "members", "name": "会員数", "unit": "人", "decimal_places": 0, "order": 40})
    assert response.status_code == 302
    org = factories.AssociationFactory()
    response = client.post(reverse("admin:organizations_organizationfigure_add"), {
        "organization": org.pk, "measure": measure("members").pk, "base_date": BASE, "value": "250",
        "source": CountSource.REGISTER, "note": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = OrganizationFigure.objects.get()
    assert (row.value, row.recorded_by) == (Decimal(250), root)
    change = reverse("admin:organizations_organizationfigure_change", args=[row.pk])
    client.post(change, {"organization": org.pk, "measure": row.measure_id, "base_date": BASE, "value": "1",
                         "source": CountSource.REGISTER, "note": ""})
    delete = client.post(reverse("admin:organizations_organizationfigure_delete", args=[row.pk]), {"post": "yes"})
    assert delete.status_code == 403
    row.refresh_from_db()
    assert row.value == Decimal(250)


def test_the_admin_refuses_a_figure_with_more_decimals_than_its_measure(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:organizations_organizationfigure_add"), {
        "organization": factories.AssociationFactory().pk, "measure": measure("population").pk, "base_date": BASE,
        "value": "1200.5", "source": CountSource.REGISTER, "note": ""})
    assert response.status_code == 200
    assert "人口は整数で入力してください。" in response.content.decode()
    assert not OrganizationFigure.objects.exists()


def test_a_measure_may_not_take_a_heading_of_the_count_file_and_keeps_its_code_once_saved(client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as raised:
        Measure(code="count", name="世帯数", unit="世帯").full_clean()
    assert "「世帯数」は世帯数の取込みの見出しのため、名称に使えません。" in str(raised.value)
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    area = measure("area")
    client.post(reverse("admin:organizations_measure_change", args=[area.pk]), {
        "code": "surface", "name": "面積", "unit": "km²", "decimal_places": 0, "order": 20})
    area.refresh_from_db()
    assert (area.code, area.decimal_places) == ("area", 2)
