"""The rate and cap by repeat year are data an administrator edits: the ProgrammeYear admin shows the year limit
and the 年目ごとの補助率・上限額 inline, a step entered there is what the next computation uses, and a duplicate year
or a rate above one entered there is refused in Japanese (the engine's arithmetic is in test_engine.py)."""
import pytest
from django.urls import reverse

from grants.programmes.engine import YearLimitError, compute, load_rule
from grants.programmes.models import RepeatYearStep
from tests import factories
from tests.admin_forms import change_form_data
from tests.programmes.test_engine import cost_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):  # type: ignore[no-untyped-def]
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _with_step(data: dict[str, object], index: int, from_year: int, numerator: int, denominator: int,
               cap: int | str) -> dict[str, object]:
    prefix = f"repeat_steps-{index}"
    data.update({f"{prefix}-from_year": from_year, f"{prefix}-rate_numerator": numerator,
                 f"{prefix}-rate_denominator": denominator, f"{prefix}-cap_amount": cap})
    data["repeat_steps-TOTAL_FORMS"] = index + 1
    return data


def test_admin_enters_steps_and_limit_and_the_engine_uses_them(root) -> None:  # type: ignore[no-untyped-def]
    py = cost_rule("yamato_takada", rate_numerator=2, rate_denominator=3)
    url = reverse("admin:programmes_programmeyear_change", args=[py.pk])
    page = root.get(url)
    text = page.content.decode()
    assert "年目ごとの補助率・上限額" in text and "同一事業の補助の上限年数" in text
    data = change_form_data(page)
    data["max_project_years"] = 3
    _with_step(data, 0, 1, 2, 3, 150_000)
    _with_step(data, 1, 2, 2, 3, 100_000)
    response = root.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = load_rule(py.pk)
    assert compute(rule, {"eligible_cost": 300_000, "year_no": 2}).amount == 100_000
    with pytest.raises(YearLimitError):
        compute(rule, {"eligible_cost": 300_000, "year_no": 4})


def test_admin_refuses_a_rate_above_one_and_a_second_step_for_the_same_year(root) -> None:  # type: ignore[no-untyped-def]
    py = cost_rule("refused")
    url = reverse("admin:programmes_programmeyear_change", args=[py.pk])
    data = _with_step(change_form_data(root.get(url)), 0, 1, 3, 2, "")
    response = root.post(url, data)
    assert response.status_code == 200
    assert "分子は分母以下" in response.content.decode()

    data = _with_step(_with_step(change_form_data(root.get(url)), 0, 2, 1, 2, ""), 1, 2, 1, 3, "")
    response = root.post(url, data)
    assert response.status_code == 200
    assert "重複したデータを修正してください" in response.content.decode()
    assert not RepeatYearStep.objects.filter(programme_year=py).exists()
