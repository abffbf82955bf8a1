"""Rules are data: an administrator edits a programme-year's rule in the admin, and the next computation uses it."""
import pytest
from django.urls import reverse

from grants.cases import services
from grants.cases.rules import rule_for_case
from grants.core.models import AuditEvent
from grants.programmes import versions
from grants.programmes.engine import compute, load_rule
from grants.programmes.models import (
    ComponentBand,
    ComponentKind,
    FormulaComponent,
    Programme,
    ProgrammeYear,
    RuleVersion,
)
from tests import factories
from tests.admin_forms import change_form_data
from tests.cases import steps
from tests.organizations.builders import measure, population_and_area_rule

pytestmark = pytest.mark.django_db


def test_admin_edits_unit_amount_and_floor(client) -> None:  # type: ignore[no-untyped-def]
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    py = factories.rule()
    flat = FormulaComponent.objects.get(programme_year=py, label="均等割")
    url = reverse("admin:programmes_formulacomponent_change", args=[flat.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "programme_year": py.pk, "order": 0, "kind": "flat", "label": "均等割", "unit_amount": 12_000,
        "condition_input": "", "condition_min": "",
        "bands-TOTAL_FORMS": 0, "bands-INITIAL_FORMS": 0, "bands-MIN_NUM_FORMS": 0, "bands-MAX_NUM_FORMS": 1000,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert compute(load_rule(py.pk), {"households": 10}).amount == 12_000 + 10 * 500


# -- every save audited; a rule used by a decided case changes by a new version (issue 12 §9) -----------------------

REASON = "要綱の改正（令和8年4月1日施行）"


def _inline_prefix(data: dict[str, object], field: str, value: object) -> str:
    """The prefix of the inline row whose ``field`` is ``value`` (e.g. components-1)."""
    return next(key.removesuffix(f"-{field}") for key, v in data.items() if key.endswith(f"-{field}") and v == value)


@pytest.fixture
def decided(programme_year, staff, staff2, approver):  # type: ignore[no-untyped-def]
    """A formula case decided under ``programme_year``'s rule (均等割 10,000円 + 世帯割 500円 × 120 = 70,000円)."""
    case = steps.association_case(programme_year, households=120)
    services.submit_application(case_id=case.pk, actor=staff)
    services.verify_application(case_id=case.pk, actor=staff2)
    return services.decide_grant(case_id=case.pk, actor=approver)


def _change_url(py) -> str:  # type: ignore[no-untyped-def]
    return reverse("admin:programmes_programmeyear_change", args=[py.pk])


def _rule_events(py) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(AuditEvent.objects.for_object(py).filter(action__startswith="change_rule"))


def test_a_rule_used_by_a_decided_case_says_so_and_asks_the_reason(client, root, programme_year, decided) -> None:  # type: ignore[no-untyped-def]
    page = client.get(_change_url(programme_year)).content.decode()
    assert ("この交付基準は交付決定済みの案件（1件）に使われています。保存すると第2版になり、決定済みの案件は第1版のまま"
            "計算します。") in page
    assert 'name="revision_reason"' in page


def test_saving_a_used_rule_without_a_reason_is_refused_and_writes_nothing(client, root, programme_year,  # type: ignore[no-untyped-def]
                                                                         decided) -> None:
    url = _change_url(programme_year)
    data = change_form_data(client.get(url))
    data["cap_amount"] = 50_000
    versions_before, events_before = RuleVersion.objects.count(), AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "改正の理由を入力してください" in response.content.decode()
    programme_year.refresh_from_db()
    assert programme_year.cap_amount is None
    assert (RuleVersion.objects.count(), AuditEvent.objects.count()) == (versions_before, events_before)


def test_saving_a_used_rule_with_a_reason_makes_version_2_and_the_decided_case_keeps_its_rule(  # type: ignore[no-untyped-def]
        client, root, programme_year, decided) -> None:
    url = _change_url(programme_year)
    data = change_form_data(client.get(url))
    data["cap_amount"] = 50_000
    unit = _inline_prefix(data, "label", "世帯割")
    data[f"{unit}-unit_amount"] = 300
    data["revision_reason"] = REASON
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    numbers = list(RuleVersion.objects.filter(programme_year=programme_year).values_list("number", "reason"))
    assert numbers == [(1, versions.FIRST_USE_REASON), (2, REASON)]
    decided.refresh_from_db()
    assert decided.rule_version.number == 1 and decided.decided_amount == 70_000
    assert compute(rule_for_case(decided), {"households": 120}).amount == 70_000  # the decided case: version 1
    assert compute(load_rule(programme_year.pk), {"households": 120}).amount == 46_000  # the rule now: capped
    note = _rule_events(programme_year)[-1].note
    assert f"第2版を作成（改正の理由: {REASON}）" in note
    assert "上限額: （なし） → 50,000円" in note
    assert "算定項目「世帯割」の単価: 500円 → 300円" in note
    page = client.get(_change_url(programme_year)).content.decode()
    assert REASON in page  # the versions' history on the rule's page


def test_an_inline_deletion_and_a_band_change_are_audited_with_old_and_new_values(client, root) -> None:  # type: ignore[no-untyped-def]
    py = factories.rule(components=[(ComponentKind.FLAT, "均等割", 10_000), (ComponentKind.PER_HOUSEHOLD, "世帯割", 0)])
    per = FormulaComponent.objects.get(programme_year=py, label="世帯割")
    ComponentBand.objects.create(component=per, from_count=1, to_count=100, unit_amount=600)
    url = _change_url(py)
    data = change_form_data(client.get(url))
    data[f"{_inline_prefix(data, 'label', '均等割')}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "算定項目「均等割」を削除（" in _rule_events(py)[-1].note
    assert "単価 10,000円" in _rule_events(py)[-1].note
    # a band changed on its component's own page is audited on the rule too
    band_url = reverse("admin:programmes_formulacomponent_change", args=[per.pk])
    data = change_form_data(client.get(band_url))
    data[f"{_inline_prefix(data, 'unit_amount', '600')}-unit_amount"] = 650
    response = client.post(band_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _rule_events(py)[-1].note.endswith("の単価: 600円 → 650円")
    assert "算定項目「世帯割」の段階区分「" in _rule_events(py)[-1].note
    assert not RuleVersion.objects.exists()  # no decided case: changed in place


def test_an_unused_rule_saves_in_place_and_is_audited(client, root, programme_year) -> None:  # type: ignore[no-untyped-def]
    url = _change_url(programme_year)
    page = client.get(url).content.decode()
    assert 'name="revision_reason"' not in page and "交付決定済みの案件" not in page
    data = change_form_data(client.get(url))
    data["floor_amount"] = 20_000
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    programme_year.refresh_from_db()
    assert programme_year.floor_amount == 20_000
    assert not RuleVersion.objects.exists()
    [event] = _rule_events(programme_year)
    assert (event.actor, event.note) == (root, "下限額: （なし） → 20,000円")


def test_a_component_cannot_be_added_alone_to_a_used_rule(client, root, programme_year, decided) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("admin:programmes_formulacomponent_add"), {
        "programme_year": programme_year.pk, "order": 5, "kind": "flat", "label": "加算", "unit_amount": 1_000,
        "condition_input": "", "condition_min": "",
        "bands-TOTAL_FORMS": 0, "bands-INITIAL_FORMS": 0, "bands-MIN_NUM_FORMS": 0, "bands-MAX_NUM_FORMS": 1000,
    })
    assert response.status_code == 200
    assert "改正の理由とともに追加・削除してください" in response.content.decode()
    assert not FormulaComponent.objects.filter(label="加算").exists()


# -- a rule its programme's flow cannot feed is refused when saved, with the reason (issue 12 §4) ----------------

def _add_component(data: dict[str, object], **fields: object) -> None:
    """A new row in the rule's 算定項目 table."""
    total = int(str(data["components-TOTAL_FORMS"]))
    for name, value in {"order": 9, "unit_amount": 0, "condition_input": "", "condition_min": "", "measure": "",
                        **fields}.items():
        data[f"components-{total}-{name}"] = value
    data["components-TOTAL_FORMS"] = total + 1


def _full_rule():  # type: ignore[no-untyped-def]
    Programme.objects.create(code="full_block", name="ブロック補助金", recipient_kind="kyogikai", workflow="full")
    return factories.rule(code="full_block", components=[(ComponentKind.FLAT, "均等割", 10_000)])


def test_an_area_component_in_a_flow_that_receives_no_area_is_refused_naming_both(client, root) -> None:  # type: ignore[no-untyped-def]
    py = _full_rule()
    url = _change_url(py)
    data = change_form_data(client.get(url))
    _add_component(data, kind="per_unit", label="面積割", unit_amount=10_000, measure=measure("area").pk)
    response = client.post(url, data)
    assert response.status_code == 200
    assert ("算定項目「面積割」は面積を使いますが、この事業の手続（交付申請）では面積を受け取れません。"
            in response.content.decode())
    assert not FormulaComponent.objects.filter(label="面積割").exists()


def test_a_condition_on_a_figure_the_flow_does_not_supply_is_refused(client, root) -> None:  # type: ignore[no-untyped-def]
    py = _full_rule()
    url = _change_url(py)
    data = change_form_data(client.get(url))
    data[f"{_inline_prefix(data, 'label', '均等割')}-condition_input"] = "newsletters"
    data[f"{_inline_prefix(data, 'label', '均等割')}-condition_min"] = 2
    response = client.post(url, data)
    assert ("算定項目「均等割」の適用条件は広報紙の年間発行回数を使いますが、この事業の手続（交付申請）では"
            "広報紙の年間発行回数を受け取れません。") in response.content.decode()
    assert FormulaComponent.objects.get(label="均等割").condition_input == ""


def test_a_staff_cost_or_a_cost_basis_in_the_formula_flow_is_refused(client, root) -> None:  # type: ignore[no-untyped-def]
    py = factories.rule()
    url = _change_url(py)
    data = change_form_data(client.get(url))
    _add_component(data, kind="staff_cost", label="事務局員人件費", unit_amount=200_000)
    data["amount_basis"] = "cost"
    page = client.post(url, data).content.decode()
    assert ("算定項目「事務局員人件費」は事務局員ごとの人件費を使いますが、この事業の手続（申請書兼請求書）では"
            "事務局員ごとの人件費を受け取れません。") in page
    assert ("交付額の算定方法「対象経費 × 補助率（算定式の額を限度）」は補助対象経費を使いますが、この事業の手続"
            "（申請書兼請求書）では補助対象経費を受け取れません。") in page
    py.refresh_from_db()
    assert py.amount_basis == "formula" and py.components.count() == 2


def test_population_and_area_components_are_accepted_in_the_formula_flow(client, root) -> None:  # type: ignore[no-untyped-def]
    py = factories.rule()
    url = _change_url(py)
    data = change_form_data(client.get(url))
    _add_component(data, kind="per_unit", label="面積割", unit_amount=10_000, measure=measure("area").pk,
                   condition_input="population", condition_min=100)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    area = FormulaComponent.objects.get(label="面積割")
    assert (area.measure.code, area.condition_input, area.condition_min) == ("area", "population", 100)


def test_a_component_changed_on_its_own_page_is_refused_too(client, root) -> None:  # type: ignore[no-untyped-def]
    py = factories.rule()
    flat = FormulaComponent.objects.get(programme_year=py, label="均等割")
    url = reverse("admin:programmes_formulacomponent_change", args=[flat.pk])
    data = change_form_data(client.get(url))
    data["kind"] = "actual_cost"
    page = client.post(url, data).content.decode()
    assert ("算定項目「均等割」は運営経費を使いますが、この事業の手続（申請書兼請求書）では運営経費を受け取れません。"
            in page)
    flat.refresh_from_db()
    assert flat.kind == "flat"


def test_a_programme_may_not_move_to_a_flow_that_cannot_feed_its_rules(client, root) -> None:  # type: ignore[no-untyped-def]
    py = population_and_area_rule(factories.rule())
    url = reverse("admin:programmes_programme_change", args=[py.programme_id])
    data = change_form_data(client.get(url))
    data["workflow"] = "full"
    page = client.post(url, data).content.decode()
    assert f"{py.fiscal_year_label}の交付基準：算定項目「面積割」は面積を使いますが" in page
    assert Programme.objects.get(pk=py.programme_id).workflow == "formula"


def test_a_new_rule_is_audited_as_created(client, root) -> None:  # type: ignore[no-untyped-def]
    url = reverse("admin:programmes_programmeyear_add")
    data = change_form_data(client.get(url))
    year = factories.CURRENT_FY
    data.update({"programme": factories.programme("new_rule").pk, "fiscal_year": year, "label": "",
                 "base_date": f"{year}-04-01", "application_opens": f"{year}-04-01",
                 "application_closes": f"{year}-05-31", "cap_amount": 100_000})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    py = ProgrammeYear.objects.get(programme__code="new_rule")
    [event] = AuditEvent.objects.for_object(py)
    assert (event.action, event.actor) == ("change_rule_add", root)
    assert event.note.startswith("交付基準「") and event.note.endswith("」を作成しました。")
    assert not RuleVersion.objects.exists()


def test_a_used_rules_band_changed_on_its_components_page_needs_the_reason_and_makes_a_version(  # type: ignore[no-untyped-def]
        client, root, programme_year, decided) -> None:
    per = FormulaComponent.objects.get(programme_year=programme_year, label="世帯割")
    url = reverse("admin:programmes_formulacomponent_change", args=[per.pk])
    data = change_form_data(client.get(url))
    data["unit_amount"] = 800
    refused = client.post(url, data)
    assert refused.status_code == 200 and "改正の理由を入力してください" in refused.content.decode()
    assert not RuleVersion.objects.filter(number=2).exists()
    data["revision_reason"] = REASON
    assert client.post(url, data).status_code == 302
    assert RuleVersion.objects.get(programme_year=programme_year, number=2).reason == REASON
    decided.refresh_from_db()
    assert compute(rule_for_case(decided), {"households": 120}).amount == 70_000
    assert "算定項目「世帯割」の単価: 500円 → 800円" in _rule_events(programme_year)[-1].note


def test_a_used_rules_component_cannot_be_moved_or_deleted_on_its_own_page(client, root, programme_year,  # type: ignore[no-untyped-def]
                                                                          decided) -> None:
    per = FormulaComponent.objects.get(programme_year=programme_year, label="世帯割")
    other = factories.rule(code="other_rule")
    url = reverse("admin:programmes_formulacomponent_change", args=[per.pk])
    data = change_form_data(client.get(url))
    data.update({"programme_year": other.pk, "revision_reason": REASON})
    client.post(url, data)
    per.refresh_from_db()
    assert per.programme_year_id == programme_year.pk  # read only once saved
    assert client.post(reverse("admin:programmes_formulacomponent_delete", args=[per.pk]),
                       {"post": "yes"}).status_code == 403
    bulk = client.post(reverse("admin:programmes_formulacomponent_changelist"),
                       {"action": "delete_selected", "_selected_action": [per.pk], "post": "yes"})
    assert bulk.status_code == 403
    assert FormulaComponent.objects.filter(pk=per.pk).exists()


def test_every_later_change_of_a_versioned_rule_is_a_new_version_with_its_reason(client, root, programme_year,  # type: ignore[no-untyped-def]
                                                                              decided) -> None:
    url = _change_url(programme_year)
    data = change_form_data(client.get(url))
    data.update({"cap_amount": 60_000, "revision_reason": REASON})
    assert client.post(url, data).status_code == 302
    page = client.get(url)
    assert "保存すると第3版になります" in page.content.decode()
    data = change_form_data(page)
    data["cap_amount"] = 50_000
    refused = client.post(url, data)
    assert refused.status_code == 200 and "改正の理由を入力してください" in refused.content.decode()
    data["revision_reason"] = "要綱の改正（令和8年10月1日施行）"
    saved = client.post(url, data, follow=True)
    assert "第3版として保存しました（改正の理由: 要綱の改正（令和8年10月1日施行））。" in saved.content.decode()
    caps = [(v.number, v.snapshot["fields"]["cap_amount"], v.reason)
            for v in RuleVersion.objects.filter(programme_year=programme_year).order_by("number")]
    assert caps == [(1, None, versions.FIRST_USE_REASON), (2, 60_000, REASON),
                    (3, 50_000, "要綱の改正（令和8年10月1日施行）")]


def test_a_rule_change_recomputes_the_cases_not_yet_decided(client, root, programme_year, decided) -> None:  # type: ignore[no-untyped-def]
    waiting = steps.association_case(programme_year, households=100)  # 10,000 + 100 × 500 = 60,000
    url = _change_url(programme_year)
    data = change_form_data(client.get(url))
    data.update({"cap_amount": 40_000, "revision_reason": REASON})
    assert client.post(url, data).status_code == 302
    waiting.refresh_from_db()
    decided.refresh_from_db()
    assert (waiting.computed_amount, decided.decided_amount, decided.computed_amount) == (40_000, 70_000, 70_000)
    assert "交付基準の改正により算定額を計算し直しました（60,000円 → 40,000円）。" in [
        event.note for event in AuditEvent.objects.for_object(waiting)]
    assert "決定前の案件（1件）の算定額を、改正後の交付基準で計算し直しました。" in _rule_events(programme_year)[-1].note
