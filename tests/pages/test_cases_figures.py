"""The case page of a formula grant whose rule uses figures other than households (人口割, 面積割): the head
gives or corrects each figure before submission (a new figure row, source 訂正), and the amount is computed
again; attacks on the value, the measure, the state and another association's case."""
from decimal import Decimal

import pytest
from django.urls import reverse

from grants.cases import services
from grants.cases.models import GrantCase
from grants.core.models import AuditEvent
from grants.organizations.models import OrganizationFigure
from tests import factories
from tests.cases.steps import login, messages_of
from tests.organizations.builders import figure, population_and_area_rule

pytestmark = pytest.mark.django_db

BASE = factories.BASE_DATE


@pytest.fixture
def figure_case(programme_year, ready_association, association_head):  # type: ignore[no-untyped-def]
    """A draft case of 120 households under 均等割 + 世帯割 + 人口割 30円 + 面積割 10,000円/km², with 人口 300 on file
    and no area: no amount yet."""
    population_and_area_rule(programme_year)
    figure(ready_association, "population", BASE, 300)
    case = GrantCase(programme_year=programme_year, organization=ready_association)
    services.apply_count(case, 120)
    case.save()
    return case


def _post(client, case, code: str, value: str, reason: str = "測量の結果"):  # type: ignore[no-untyped-def]
    return client.post(reverse("correct_figure", args=[case.pk, code]),
                       {f"figure-{code}-value": value, f"figure-{code}-reason": reason}, follow=True)


def test_the_page_names_the_missing_figure_and_the_head_gives_it(client, figure_case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    page = client.get(reverse("case_detail", args=[figure_case.pk])).content.decode()
    assert "交付額の算定に使う数値がそろっていないため、交付額を計算できません。" in page
    assert "基準日の面積：未届" in page and "基準日の人口：300人" in page
    assert "面積を訂正する" in page and "人口を訂正する" in page
    response = _post(client, figure_case, "area", "12.34")
    assert "面積を訂正し、交付額を計算し直しました。" in messages_of(response)
    figure_case.refresh_from_db()
    # 10,000 + 120 × 500 + 300 × 30 + 12.34 × 10,000 = 10,000 + 60,000 + 9,000 + 123,400
    assert figure_case.computed_amount == 202_400
    row = OrganizationFigure.objects.get(measure__code="area")
    assert (row.value, row.source, row.note, row.recorded_by) == (Decimal("12.34"), "correction", "測量の結果",
                                                                  association_head)
    event = AuditEvent.objects.get(action="correct_figure")
    assert event.note == "面積 未届 → 12.34km²：測量の結果"
    page = response.content.decode()
    assert "12.34 km² × 10,000円 = 123,400円（円未満切捨て）" in page


def test_a_correction_of_a_figure_on_file_keeps_the_old_row(client, figure_case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    _post(client, figure_case, "area", "1.00")
    _post(client, figure_case, "population", "310", reason="住民基本台帳の再集計")
    figure_case.refresh_from_db()
    assert figure_case.computed_amount == 10_000 + 60_000 + 310 * 30 + 10_000
    assert list(OrganizationFigure.objects.filter(measure__code="population").order_by("pk")
                .values_list("value", "source")) == [(Decimal(300), "register"), (Decimal(310), "correction")]
    assert AuditEvent.objects.filter(action="correct_figure").last().note == "人口 300人 → 310人：住民基本台帳の再集計"


@pytest.mark.parametrize(("typed", "stored"), [("１２．３４", Decimal("12.34")), ("1,234.5", Decimal("1234.5")),
                                              (" ０.５ ", Decimal("0.5"))])
def test_a_figure_typed_with_full_width_digits_or_commas_is_read_as_written(client, figure_case, association_head,  # type: ignore[no-untyped-def]
                                                                            typed, stored) -> None:
    response = _post(login(client, association_head), figure_case, "area", typed)
    assert "面積を訂正し、交付額を計算し直しました。" in messages_of(response)
    assert OrganizationFigure.objects.get(measure__code="area").value == stored


def test_a_household_count_typed_with_full_width_digits_is_read_as_written(client, figure_case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    client.post(reverse("correct_count", args=[figure_case.pk]), {"households": "１，２００", "reason": "名簿の再集計"})
    figure_case.refresh_from_db()
    assert figure_case.household_count == 1_200


@pytest.mark.parametrize(("code", "value"), [("area", "1.234"), ("area", "-1"), ("population", "12.5"),
                                             ("population", "abc"), ("area", "1e12"), ("area", "")])
def test_a_bad_value_is_refused_at_the_field_keeping_what_was_typed(client, figure_case, association_head, code, value) -> None:  # type: ignore[no-untyped-def]
    response = _post(login(client, association_head), figure_case, code, value, reason="台帳の値")
    page = response.content.decode()
    name = {"area": "面積（km²）", "population": "人口（人）"}[code]
    assert f'<span class="errorlist" id="id_figure-{code}-value_error">基準日の{name}: ' in page  # its aria-describedby
    assert "台帳の値</textarea>" in page and (f'value="{value}"' in page or not value)
    assert OrganizationFigure.objects.count() == 1
    assert GrantCase.objects.get(pk=figure_case.pk).computed_amount is None


def test_an_empty_reason_or_a_measure_the_rule_does_not_use_is_refused(client, figure_case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    _post(client, figure_case, "area", "1.00", reason="  ")
    response = _post(client, figure_case, "newsletters", "4")
    assert "この事業の交付額の算定には、その数値を使いません。" in messages_of(response)
    assert client.post(reverse("correct_figure", args=[figure_case.pk, "rainfall"]), {}).status_code == 404
    assert OrganizationFigure.objects.count() == 1 and not AuditEvent.objects.filter(action="correct_figure").exists()


def test_another_head_and_a_submitted_case_cannot_correct(client, figure_case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    stranger = factories.UserFactory(username="stranger", role="association_head")
    factories.RepresentativeFactory(organization=factories.AssociationFactory(), user=stranger)
    assert _post(login(client, stranger), figure_case, "area", "1.00").status_code == 404
    _post(login(client, association_head), figure_case, "area", "1.00")
    services.submit_application(case_id=figure_case.pk, actor=association_head)
    response = _post(client, figure_case, "area", "2.00")
    assert OrganizationFigure.objects.filter(measure__code="area").count() == 1
    assert messages_of(response) and "area" not in messages_of(response)[-1]


def test_submission_without_a_needed_figure_is_refused_with_the_reason(figure_case, association_head) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(services.CaseActionError, match="交付額の算定に使う数値（人口・面積など）がそろっていません。"):
        services.submit_application(case_id=figure_case.pk, actor=association_head)


def test_the_association_page_lists_its_figures(client, figure_case, association_head) -> None:  # type: ignore[no-untyped-def]
    figure(figure_case.organization, "area", BASE, "3.5")
    page = login(client, association_head).get(
        reverse("organization_detail", args=[figure_case.organization_id])).content.decode()
    assert "人口・面積などの数値" in page and "3.50km²" in page and "300人" in page
