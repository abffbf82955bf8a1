"""The catalogue's entries: only what is published, filtered by who you are, what you do, a keyword and 募集中のみ;
a city programme's amount said from its rule's data, its window from its rule or its published calls."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants.core.fiscal import fiscal_year_label
from grants.programmes.models import AmountBasis, ComponentKind, CostBand, FormulaComponent, Measure, RepeatYearStep
from grants.publication import catalogue
from grants.publication.models import ApplicantKind, Topic
from tests import factories
from tests.competitive import builders as competitive
from tests.publication import builders

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _cost_rule(**fields: object):
    py = factories.rule(code="katsudo", components=[(ComponentKind.FLAT, "均等割", 1)])
    py.components.all().delete()
    for name, value in {"amount_basis": AmountBasis.COST, "rate_numerator": 2, "rate_denominator": 3,
                        "cap_amount": 300_000, **fields}.items():
        setattr(py, name, value)
    py.save()
    return py


def test_only_published_entries_are_found():
    builders.guide(factories.programme())
    builders.guide(factories.programme("hidden"), published=False)
    builders.other("公開の助成")
    builders.other("非公開の助成", published=False)
    titles = [entry.title for entry in catalogue.search()]
    assert titles == ["自治会等自治振興交付金", "公開の助成"]


def test_lookup_of_an_unpublished_or_unknown_entry_is_none():
    hidden = builders.guide(factories.programme(), published=False)
    other_hidden = builders.other(published=False)
    assert catalogue.lookup(catalogue.CITY, hidden.pk) is None
    assert catalogue.lookup(catalogue.OTHER, other_hidden.pk) is None
    assert catalogue.lookup("secret", hidden.pk) is None
    assert catalogue.lookup(catalogue.OTHER, 999_999) is None


def test_a_guide_id_forged_as_another_kind_finds_nothing():
    shown = builders.guide(factories.programme())
    other = builders.other()
    assert catalogue.lookup(catalogue.OTHER, shown.pk + other.pk + 1000) is None
    assert catalogue.lookup(catalogue.CITY, shown.pk).title == "自治会等自治振興交付金"


def test_search_by_applicant_kind():
    factories.rule()
    builders.guide(factories.programme(), kinds=(ApplicantKind.JICHIKAI, ApplicantKind.RENGO))
    builders.other(kinds=(ApplicantKind.NPO,))
    assert [e.kind for e in catalogue.search(applicant_kind=ApplicantKind.RENGO)] == [catalogue.CITY]
    assert [e.kind for e in catalogue.search(applicant_kind=ApplicantKind.NPO)] == [catalogue.OTHER]
    assert catalogue.search(applicant_kind="nonsense") == []


def test_search_by_topic():
    builders.guide(factories.programme(), topics=("防災・防犯",))
    builders.other(topics=("子育て", "福祉"))
    kosodate = Topic.objects.get(name="子育て")
    assert [e.title for e in catalogue.search(topic_id=kosodate.pk)] == ["やまぐち地域活動応援助成（架空）"]
    assert catalogue.search(topic_id=999_999) == []


def test_keyword_search_folds_width_and_needs_every_word():
    builders.other("ＮＰＯ活動助成", summary="子ども食堂の運営を応援します。")
    builders.other("環境保全助成", summary="里山の保全活動。")
    assert [e.title for e in catalogue.search(keyword="npo活動")] == ["ＮＰＯ活動助成"]
    assert [e.title for e in catalogue.search(keyword="子ども食堂　運営")] == ["ＮＰＯ活動助成"]
    assert catalogue.search(keyword="子ども食堂 里山") == []


def test_open_only_keeps_what_accepts_applications_today():
    day = dt.timedelta(days=1)
    builders.other("受付中の助成", opens_on=TODAY - day, closes_on=TODAY + day)
    builders.other("受付前の助成", opens_on=TODAY + day, closes_on=TODAY + 5 * day)
    builders.other("期間の定めのない助成")
    found = catalogue.search(open_only=True)
    assert [e.title for e in found] == ["受付中の助成"]
    phases = {e.title: e.phase_label for e in catalogue.search()}
    assert phases["受付前の助成"] == "受付前"
    assert phases["期間の定めのない助成"] == "時期は実施団体の案内をご覧ください"


def test_city_window_is_the_rules_application_dates():
    py = factories.rule()
    py.application_opens, py.application_closes = TODAY + dt.timedelta(days=3), TODAY + dt.timedelta(days=30)
    py.save()
    builders.guide(py.programme)
    entry = catalogue.search()[0]
    assert (entry.opens_on, entry.closes_on, entry.phase_label) == (py.application_opens, py.application_closes, "受付前")
    assert catalogue.search(open_only=True) == []


def test_competitive_programme_shows_its_published_calls_only():
    staff = factories.UserFactory(username="staff-c", role="staff")
    py = competitive.programme_year()
    py.application_opens, py.application_closes = TODAY + dt.timedelta(days=100), TODAY + dt.timedelta(days=120)
    py.save()
    shown = competitive.call(py, staff)
    draft = competitive.call(py, staff, publish=False)
    builders.guide(py.programme, kinds=(ApplicantKind.SHIMIN_DANTAI,))
    entry = catalogue.search(open_only=True)[0]
    assert [c.pk for c in entry.calls] == [shown.pk]
    assert (entry.opens_on, entry.closes_on, entry.phase_label) == (shown.opens_on, shown.closes_on, "受付中")
    assert draft.pk not in [c.pk for c in entry.calls]


def test_cost_rule_wording_follows_the_rule_data():
    py = _cost_rule()
    builders.guide(py.programme)
    assert catalogue.search()[0].amount == "対象経費の3分の2以内（上限30万円）"
    py.rate_numerator, py.rate_denominator, py.cap_amount = 1, 2, 150_000
    py.save()
    assert catalogue.search()[0].amount == "対象経費の2分の1以内（上限15万円）"
    py.rate_numerator, py.rate_denominator, py.cap_amount = 1, 1, 123_456
    py.save()
    assert catalogue.search()[0].amount == "対象経費の全額（上限123,456円）"


def test_repeat_year_caps_are_said_by_year():
    py = competitive.programme_year()
    builders.guide(py.programme)
    assert catalogue.search()[0].amount == "対象経費の3分の2以内（上限 1年目15万円、2〜3年目10万円）"
    RepeatYearStep.objects.filter(programme_year=py, from_year=2).update(rate_numerator=1, rate_denominator=2)
    assert catalogue.search()[0].amount == ("対象経費の1年目は3分の2以内、2〜3年目は2分の1以内"
                                            "（上限 1年目15万円、2〜3年目10万円）")


def test_a_cost_rule_bounded_by_a_formula_says_both():
    py = _cost_rule(rate_numerator=1, rate_denominator=1)
    FormulaComponent.objects.create(programme_year=py, order=1, kind=ComponentKind.FLAT, label="均等割", unit_amount=1)
    FormulaComponent.objects.create(programme_year=py, order=2, kind=ComponentKind.PER_HOUSEHOLD, label="世帯割",
                                    unit_amount=1)
    builders.guide(py.programme)
    assert catalogue.search()[0].amount == "対象経費の全額（基本額と世帯数に応じた額の合計が限度・上限30万円）"


def test_cost_bands_are_said_by_part():
    py = _cost_rule(cap_amount=None)
    CostBand.objects.create(programme_year=py, up_to=100_000, rate_numerator=1, rate_denominator=1)
    CostBand.objects.create(programme_year=py, up_to=None, rate_numerator=1, rate_denominator=2)
    builders.guide(py.programme)
    assert catalogue.search()[0].amount == "対象経費のうち10万円までの部分の全額と、それを超える部分の2分の1"


def test_formula_rule_is_said_by_its_components_floor_and_cap():
    py = factories.rule(floor=10_000, cap=300_000)
    builders.guide(py.programme)
    assert catalogue.search()[0].amount == "基本額と世帯数に応じた額の合計（下限1万円・上限30万円）"
    area = Measure.objects.get_or_create(code="area", defaults={"name": "面積", "unit": "km²"})[0]
    FormulaComponent.objects.create(programme_year=py, order=9, kind=ComponentKind.PER_UNIT, label="面積割",
                                    unit_amount=100, measure=area)
    py.floor_amount = None
    py.save()
    assert catalogue.search()[0].amount == "基本額と世帯数に応じた額と面積に応じた額の合計（上限30万円）"


def test_a_formula_rule_without_components_says_so():
    py = factories.rule()
    py.components.all().delete()
    builders.guide(py.programme)
    assert catalogue.search()[0].amount == "算定式による額"


def test_cost_plus_rule_wording():
    py = _cost_rule(amount_basis=AmountBasis.COST_PLUS, rate_numerator=1, rate_denominator=2, cap_amount=None)
    FormulaComponent.objects.create(programme_year=py, kind=ComponentKind.FLAT, label="均等割", unit_amount=50_000)
    builders.guide(py.programme)
    assert catalogue.search()[0].amount == "基本額に、対象経費の2分の1以内を加えた額"


def test_the_current_years_rule_is_the_one_said():
    old = _cost_rule(fiscal_year=factories.CURRENT_FY - 1)
    factories.rule(code="katsudo", fiscal_year=factories.CURRENT_FY, cap=500_000)
    builders.guide(old.programme)
    entry = catalogue.search()[0]
    assert entry.amount == "基本額と世帯数に応じた額の合計（上限50万円）"
    assert entry.fiscal_year_label.startswith(fiscal_year_label(factories.CURRENT_FY))


def test_search_costs_the_same_queries_for_one_or_many_entries():
    """Every relation read is prefetched: a fixed number of queries (at most 11, when every prefetch has rows)."""
    def add(code: str) -> None:
        area = Measure.objects.get_or_create(code="area", defaults={"name": "面積", "unit": "km²"})[0]
        py = factories.rule(code=code, cap=100_000)
        component = FormulaComponent.objects.create(programme_year=py, order=9, kind=ComponentKind.PER_UNIT,
                                                    label="面積割", unit_amount=100, measure=area)
        component.bands.create(from_count=1, to_count=None, unit_amount=100)
        RepeatYearStep.objects.create(programme_year=py, from_year=2, rate_numerator=1, rate_denominator=2)
        CostBand.objects.create(programme_year=py, up_to=None, rate_numerator=1, rate_denominator=2)
        builders.guide(py.programme, topics=("福祉", "環境"))
        builders.other(f"助成{code}", topics=("環境",))

    staff = factories.UserFactory(username="staff-q", role="staff")
    competitive.call(competitive.programme_year(), staff)
    builders.guide(factories.programme("shimin_katsudo"))
    add("a")
    with CaptureQueriesContext(connection) as few:
        assert len(catalogue.search()) == 3
    for code in ("b", "c", "d"):
        add(code)
    with CaptureQueriesContext(connection) as many:
        assert len(catalogue.search()) == 9
    assert len(many) == len(few) == 11


def test_a_link_that_is_not_a_web_address_is_never_shown():
    """Written past the admin's validation (an update in the shell), a javascript: address is dropped."""
    row = builders.other()
    type(row).objects.filter(pk=row.pk).update(url="javascript:alert(1)")
    assert catalogue.lookup(catalogue.OTHER, row.pk).url == ""
