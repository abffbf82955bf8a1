"""The annual run: every association gets one case; re-running creates nothing twice; imports all or nothing."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.cases.annual_run import advance_annual_run, run_to_completion, start_annual_run
from grants.cases.models import AnnualRun, GrantCase
from grants.cases.workflows import CaseActionError
from grants.core.models import AuditEvent
from grants.organizations.models import CountSource, HouseholdCount, OrganizationFigure
from grants.programmes.models import ComponentBand, ComponentKind
from tests import factories
from tests.cases.steps import login, post_import
from tests.organizations.builders import figure, population_and_area_rule

pytestmark = pytest.mark.django_db


BASE = factories.BASE_DATE


@pytest.fixture
def associations():  # type: ignore[no-untyped-def]
    orgs = factories.AssociationFactory.create_batch(5)
    for n, org in enumerate(orgs[:4]):
        factories.count(org, BASE, 10 * (n + 1))
    return orgs


def test_run_creates_one_case_per_association_with_computed_amounts(programme_year, associations, staff) -> None:  # type: ignore[no-untyped-def]
    run = start_annual_run(programme_year=programme_year, actor=staff)
    run = advance_annual_run(run_id=run.pk, actor=staff, chunk_size=2)
    assert (run.status, run.processed, run.total, run.created_count) == ("running", 2, 5, 2)
    run = run_to_completion(run_id=run.pk, actor=staff)
    assert (run.status, run.processed, run.created_count, run.missing_count_count) == ("done", 5, 5, 1)
    amounts = list(GrantCase.objects.order_by("organization__code").values_list("household_count", "computed_amount"))
    assert amounts == [(10, 15_000), (20, 20_000), (30, 25_000), (40, 30_000), (None, None)]
    assert AuditEvent.objects.filter(action="create").count() == 5


def test_running_twice_creates_nothing_twice(programme_year, associations, staff) -> None:  # type: ignore[no-untyped-def]
    run_to_completion(run_id=start_annual_run(programme_year=programme_year, actor=staff).pk, actor=staff)
    again = run_to_completion(run_id=start_annual_run(programme_year=programme_year, actor=staff).pk, actor=staff)
    assert (again.created_count, again.existing_count) == (0, 5)
    assert GrantCase.objects.count() == 5


def test_imported_counts_take_precedence_over_file(programme_year, associations, staff) -> None:  # type: ignore[no-untyped-def]
    counts = {associations[0].code: 99, associations[4].code: 7}
    run = start_annual_run(programme_year=programme_year, actor=staff, counts=counts, source="取込み: x.csv")
    run_to_completion(run_id=run.pk, actor=staff)
    by_code = dict(GrantCase.objects.values_list("organization__code", "household_count"))
    assert (by_code[associations[0].code], by_code[associations[4].code]) == (99, 7)
    assert HouseholdCount.objects.filter(source="import").count() == 2


def test_only_staff_may_run(programme_year, associations, approver) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CaseActionError):
        start_annual_run(programme_year=programme_year, actor=approver)
    assert not GrantCase.objects.exists()


def test_inactive_and_other_kinds_are_left_out(programme_year, associations, staff) -> None:  # type: ignore[no-untyped-def]
    associations[0].is_active = False
    associations[0].save()
    factories.AssociationFactory(kind="kyogikai")
    run = run_to_completion(run_id=start_annual_run(programme_year=programme_year, actor=staff).pk, actor=staff)
    assert (run.total, run.created_count) == (4, 4)


# Attacks on the annual run: double starts, steps after done, wrong users, runs overlapping.


@pytest.fixture
def orgs():  # type: ignore[no-untyped-def]
    orgs = factories.AssociationFactory.create_batch(3)
    for org in orgs:
        factories.count(org, BASE, 10)
    return orgs


def test_step_after_done_changes_nothing(client, programme_year, orgs, staff) -> None:  # type: ignore[no-untyped-def]
    run = run_to_completion(run_id=start_annual_run(programme_year=programme_year, actor=staff).pk, actor=staff)
    login(client, staff)
    for _ in range(3):
        data = client.post(reverse("annual_run_step", args=[run.pk]), HTTP_ACCEPT="application/json").json()
        assert (data["status"], data["created"], data["processed"]) == ("done", 3, 3)
    assert GrantCase.objects.count() == 3
    assert AuditEvent.objects.filter(action="create").count() == 3


@pytest.mark.parametrize("role", ["approver", "finance", "auditor"])
def test_other_city_roles_cannot_start_or_step(client, programme_year, orgs, staff, role) -> None:  # type: ignore[no-untyped-def]
    run = start_annual_run(programme_year=programme_year, actor=staff)
    user = factories.UserFactory(username=f"u-{role}", role=role)
    login(client, user)
    response = client.post(reverse("annual_run_start", args=[programme_year.pk]), {"source": "on_file"})
    assert "担当者のみが実行できます" in response.content.decode()
    assert client.post(reverse("annual_run_step", args=[run.pk]), HTTP_ACCEPT="application/json").status_code == 403
    client.post(reverse("annual_run_step", args=[run.pk]))
    assert AnnualRun.objects.count() == 1 and not GrantCase.objects.exists()


def test_step_needs_post_and_unknown_run_is_404(client, programme_year, orgs, staff) -> None:  # type: ignore[no-untyped-def]
    run = start_annual_run(programme_year=programme_year, actor=staff)
    login(client, staff)
    assert client.get(reverse("annual_run_step", args=[run.pk])).status_code == 405
    assert client.post(reverse("annual_run_step", args=[run.pk + 999])).status_code == 404


def test_double_click_on_start_opens_one_run_and_creates_nothing_twice(client, programme_year, orgs, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    client.post(reverse("annual_run_start", args=[programme_year.pk]), {"source": "on_file"})
    second = client.post(reverse("annual_run_start", args=[programme_year.pk]), {"source": "on_file"})
    assert "一括作成が処理中です" in second.content.decode()
    run = AnnualRun.objects.get()
    run_to_completion(run_id=run.pk, actor=staff)
    assert GrantCase.objects.count() == 3
    assert AuditEvent.objects.filter(action="create").count() == 3


def test_overlapping_run_is_refused_and_counts_stay_those_of_the_first(programme_year, orgs, staff) -> None:  # type: ignore[no-untyped-def]
    """Was a bug: a second run could start while the first was running, and the first run's later chunks read
    the second file's counts. Now the second start is refused while the first is open."""
    a, b, c = orgs
    run1 = start_annual_run(programme_year=programme_year, actor=staff,
                            counts={a.code: 100, b.code: 100, c.code: 100}, source="取込み: 第1版.csv")
    advance_annual_run(run_id=run1.pk, actor=staff, chunk_size=1)  # creates A only
    with pytest.raises(CaseActionError, match="処理中"):
        start_annual_run(programme_year=programme_year, actor=staff, counts={b.code: 5}, source="取込み: 第2版.csv")
    run_to_completion(run_id=run1.pk, actor=staff)
    created_by_run1 = dict(GrantCase.objects.values_list("organization__code", "household_count"))
    assert created_by_run1 == {a.code: 100, b.code: 100, c.code: 100}


# Attacks on scoping and roles: another association's data, ended terms, wrong roles, separation of duties.


def test_auditor_cannot_step_a_run(client, programme_year, staff, auditor) -> None:  # type: ignore[no-untyped-def]
    factories.AssociationFactory()
    run = start_annual_run(programme_year=programme_year, actor=staff)
    response = login(client, auditor).post(reverse("annual_run_step", args=[run.pk]), HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert not GrantCase.objects.exists()


# -- figures other than households (人口, 面積 …) in the annual run (issue 12 §4) ----------------------------------

@pytest.fixture
def figure_rule(programme_year):  # type: ignore[no-untyped-def]
    """The sample rule (均等割 10,000円 + 世帯割 500円) with 人口割 30円/人 and 面積割 10,000円/km²."""
    return population_and_area_rule(programme_year)


def test_a_rule_with_population_and_area_runs_to_completion_with_each_amount_and_line(figure_rule, staff) -> None:  # type: ignore[no-untyped-def]
    first, second = factories.AssociationFactory.create_batch(2)
    for org, households, people, area in ((first, 100, 250, "12.34"), (second, 40, 95, "0.57")):
        factories.count(org, BASE, households)
        figure(org, "population", BASE, people)
        figure(org, "area", BASE, area)
    figure(second, "area", BASE, "0.58", source=CountSource.CORRECTION, note="再測量")  # the latest counts
    run = run_to_completion(run_id=start_annual_run(programme_year=figure_rule, actor=staff).pk, actor=staff)
    assert (run.status, run.created_count, run.missing_count_count) == ("done", 2, 0)
    cases = {c.organization_id: c for c in GrantCase.objects.all()}
    # 10,000 + 100 × 500 + 250 × 30 + 12.34 × 10,000 = 10,000 + 50,000 + 7,500 + 123,400
    assert cases[first.pk].computed_amount == 190_900
    # 10,000 + 40 × 500 + 95 × 30 + 0.58 × 10,000 = 10,000 + 20,000 + 2,850 + 5,800
    assert cases[second.pk].computed_amount == 38_650
    lines = {line["label"]: line["basis"] for line in cases[first.pk].computation["lines"]}
    assert lines["人口割"] == "250 × 30円"
    assert lines["面積割"] == "12.34 km² × 10,000円 = 123,400円（円未満切捨て）"


def test_a_missing_figure_leaves_the_case_without_an_amount_and_is_counted(figure_rule, staff) -> None:  # type: ignore[no-untyped-def]
    complete, no_area, no_count = factories.AssociationFactory.create_batch(3)
    for org in (complete, no_area, no_count):
        figure(org, "population", BASE, 100)
    figure(complete, "area", BASE, "1.00")
    figure(no_count, "area", BASE, "1.00")
    factories.count(complete, BASE, 10)
    factories.count(no_area, BASE, 10)
    run = run_to_completion(run_id=start_annual_run(programme_year=figure_rule, actor=staff).pk, actor=staff)
    assert (run.status, run.created_count, run.missing_count_count) == ("done", 3, 2)
    by_org = dict(GrantCase.objects.values_list("organization_id", "computed_amount"))
    assert by_org == {complete.pk: 10_000 + 5_000 + 3_000 + 10_000, no_area.pk: None, no_count.pk: None}
    assert GrantCase.objects.get(organization=no_area).household_count == 10


def test_an_import_with_figure_columns_records_and_uses_them(client, figure_rule, staff) -> None:  # type: ignore[no-untyped-def]
    org = factories.AssociationFactory()
    data = f"団体コード,世帯数,人口,面積（km²）,備考\n{org.code},100,250,12.34,メモ\n".encode()
    response = post_import(login(client, staff), figure_rule, "counts.csv", data)
    run = AnnualRun.objects.get()
    assert response.url == reverse("annual_run", args=[run.pk])
    run_to_completion(run_id=run.pk, actor=staff)
    assert GrantCase.objects.get().computed_amount == 190_900
    rows = OrganizationFigure.objects.order_by("measure__order").values_list("measure__code", "value", "source")
    assert list(rows) == [("population", Decimal(250), "import"), ("area", Decimal("12.34"), "import")]


def test_an_import_with_a_bad_figure_names_row_and_column_and_writes_nothing(client, figure_rule, staff) -> None:  # type: ignore[no-untyped-def]
    first, second = factories.AssociationFactory.create_batch(2)
    data = (f"団体コード,世帯数,人口,面積\n{first.code},100,250,12.345\n{second.code},40,-3,1\n"
            f"{first.code}9,1,九十,\n").encode()
    page = post_import(login(client, staff), figure_rule, "counts.csv", data).content.decode()
    assert "2行目 D列（面積）: 「12.345」は使えません。面積は小数点以下2桁までで入力してください。" in page
    assert "3行目 C列（人口）: 「-3」は使えません。人口は0以上の数で入力してください。" in page
    assert "4行目 C列（人口）: 「九十」は使えません。人口は0以上の数で入力してください。" in page
    assert not AnnualRun.objects.exists() and not HouseholdCount.objects.exists()
    assert not OrganizationFigure.objects.exists() and not GrantCase.objects.exists()


def test_bands_entered_from_and_to_set_each_case_and_its_page_names_them(programme_year, associations, staff, client) -> None:  # type: ignore[no-untyped-def]
    """世帯割 「1〜20世帯 500円、21世帯以上 300円」 (entered as the 要綱 writes it) through the annual run."""
    per = programme_year.components.get(kind=ComponentKind.PER_HOUSEHOLD)
    ComponentBand.objects.create(component=per, from_count=1, to_count=20, unit_amount=500)
    ComponentBand.objects.create(component=per, from_count=21, to_count=None, unit_amount=300)
    run_to_completion(run_id=start_annual_run(programme_year=programme_year, actor=staff).pk, actor=staff)
    amounts = list(GrantCase.objects.order_by("organization__code").values_list("household_count", "computed_amount"))
    # 10,000 + 10 × 500; + 20 × 500; + 20 × 500 + 10 × 300; + 20 × 500 + 20 × 300
    assert amounts == [(10, 15_000), (20, 20_000), (30, 23_000), (40, 26_000), (None, None)]
    case = GrantCase.objects.get(household_count=30)
    login(client, staff)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "1〜20の部分 20 × 500円 ＋ 21以上の部分 10 × 300円" in page


def _queries_of_one_chunk(rule, staff, organisations: int) -> int:  # type: ignore[no-untyped-def]
    for org in factories.AssociationFactory.create_batch(organisations):
        factories.count(org, BASE, 10)
        figure(org, "population", BASE, 100)
        figure(org, "area", BASE, "1.25")
    run = start_annual_run(programme_year=rule, actor=staff)
    with CaptureQueriesContext(connection) as queries:
        advance_annual_run(run_id=run.pk, actor=staff)
    return len(queries)


def test_figures_cost_no_query_per_organisation(figure_rule, staff) -> None:  # type: ignore[no-untyped-def]
    _queries_of_one_chunk(figure_rule, staff, 1)  # the first run fills Django's caches (content types)
    few = _queries_of_one_chunk(figure_rule, staff, 2)
    assert _queries_of_one_chunk(figure_rule, staff, 8) == few
    assert GrantCase.objects.filter(computed_amount=10_000 + 5_000 + 3_000 + 12_500).count() == 11
