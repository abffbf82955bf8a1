"""The administrator is not a 保険担当: the admin's audit trail (監査証跡) leaves out the insurance events, whose
notes may speak of an injured person, and a withdrawn report says so when submitted again."""
import datetime as dt

import pytest
from django.urls import reverse

from grants.core.models import AuditEvent
from grants.insurance import services
from grants.insurance.models import BenefitBand, InsurancePolicy, PolicyCondition
from tests import factories
from tests.factories import CURRENT_FY
from tests.insurance import builders
from tests.insurance.pages import text


@pytest.mark.django_db
def test_the_admin_audit_trail_leaves_out_insurance_events(client, association, association_head, policy, media):
    report = builders.draft_report(association_head, association)
    services.withdraw_report(actor=association_head, report_id=report.pk, reason="山田さんの入院が長引くため")
    assert AuditEvent.objects.filter(content_type__app_label="insurance").exists()
    admin_user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    page = client.get(reverse("admin:core_auditevent_changelist")).content.decode()
    assert "insurance_withdraw_report" not in page and "山田" not in page
    event = AuditEvent.objects.get(action="insurance_withdraw_report")
    assert client.get(reverse("admin:core_auditevent_change", args=[event.pk])).status_code in (302, 404)


# The policy in the admin, as a careless administrator would edit it: overlapping periods, zero or negative
# days, a banded policy without bands or with bands that overlap, deleting a policy that has reports or an item
# that was judged, editing an item after judgments, shrinking a period past its reports. The admin answers with a
# message on the form, never a 500, and no edit changes what a past judgment says.


FIELDS = ("fiscal_year", "insurer", "policy_number", "period_start", "period_end", "label", "source",
          "liability_bodily_per_person", "liability_bodily_per_accident", "liability_property_per_accident",
          "liability_custody_per_accident", "liability_deductible", "death_benefit", "disability_min",
          "benefit_mode", "inpatient_daily", "inpatient_window_days", "inpatient_max_days", "outpatient_daily",
          "outpatient_window_days", "outpatient_max_days", "outpatient_waiting_days", "surgery_multiple_inpatient",
          "surgery_multiple_outpatient", "surgery_max_count", "banded_window_days", "band_tables", "report_due_days",
          "report_due_counting", "claim_after_days", "claim_limit_years", "reminder_interval_days",
          "insurer_answer_days")


@pytest.fixture
def root(client, db):  # type: ignore[no-untyped-def]
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _form(policy: InsurancePolicy, bands=(), conditions=None, **changes):  # type: ignore[no-untyped-def]
    """The admin's change form of ``policy`` as the browser posts it, with ``changes``. ``bands``: new rows after the
    stored ones, each (lower, upper, amount) on the combined table or (table, lower, upper, amount)."""
    data: dict[str, object] = {}
    for name in FIELDS:
        value = getattr(policy, name)
        data[name] = "" if value is None else value.isoformat() if isinstance(value, dt.date) else value
    data.update(changes)
    existing = list(policy.bands.all())
    data.update({"bands-TOTAL_FORMS": len(existing) + len(bands), "bands-INITIAL_FORMS": len(existing),
                 "bands-MIN_NUM_FORMS": 0, "bands-MAX_NUM_FORMS": 1000})
    for i, band in enumerate(existing):
        data.update({f"bands-{i}-id": band.pk, f"bands-{i}-policy": policy.pk, f"bands-{i}-lower_days": band.lower_days,
                     f"bands-{i}-upper_days": band.upper_days or "", f"bands-{i}-amount": band.amount,
                     f"bands-{i}-table": band.table})
    for j, row in enumerate(bands, start=len(existing)):
        table, lower, upper, amount = row if len(row) == 4 else ("combined", *row)
        data.update({f"bands-{j}-lower_days": lower, f"bands-{j}-upper_days": "" if upper is None else upper,
                     f"bands-{j}-amount": amount, f"bands-{j}-table": table})
    rows = list(policy.conditions.all()) if conditions is None else conditions
    data.update({"conditions-TOTAL_FORMS": len(rows), "conditions-INITIAL_FORMS": len(rows),
                 "conditions-MIN_NUM_FORMS": 0, "conditions-MAX_NUM_FORMS": 1000})
    for i, c in enumerate(rows):
        data.update({f"conditions-{i}-id": c.pk, f"conditions-{i}-policy": policy.pk, f"conditions-{i}-kind": c.kind,
                     f"conditions-{i}-order": c.order, f"conditions-{i}-code": c.code,
                     f"conditions-{i}-label": c.label, f"conditions-{i}-guidance": c.guidance})
    return data


def _change(root, policy, data):  # type: ignore[no-untyped-def]
    return root.post(reverse("admin:insurance_insurancepolicy_change", args=[policy.pk]), data)


@pytest.mark.django_db
def test_the_form_as_posted_saves(root, policy) -> None:
    """The helper posts what the admin's own page would: unchanged, it saves."""
    assert _change(root, policy, _form(policy)).status_code == 302


@pytest.mark.django_db
def test_an_overlapping_period_is_refused_on_the_form(root, policy) -> None:
    response = root.post(reverse("admin:insurance_insurancepolicy_add"), {
        **_form(policy, conditions=[]), "fiscal_year": CURRENT_FY + 1,
        "period_start": policy.period_end.isoformat(), "period_end": (policy.period_end + dt.timedelta(days=365)).isoformat()})
    assert response.status_code == 200 and "重なっています" in text(response)
    assert InsurancePolicy.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("field,value", [("report_due_days", 0), ("reminder_interval_days", 0),
                                         ("report_due_days", -1), ("inpatient_daily", -3000),
                                         ("claim_limit_years", -3), ("period_end", "2000-01-01")])
def test_days_and_amounts_out_of_range_are_refused(root, policy, field, value) -> None:
    response = _change(root, policy, _form(policy, **{field: value}))
    assert response.status_code == 200 and "errornote" in text(response)
    policy.refresh_from_db()
    assert getattr(policy, field) != value


@pytest.mark.django_db
def test_regression_a_banded_policy_needs_its_bands(root, policy) -> None:
    """Without a band every claim computes to 0円 「段階がありません」 and is filed and sent to the insurer so."""
    response = _change(root, policy, _form(policy, benefit_mode="banded"))
    assert response.status_code == 200 and "定額払の段階を1つ以上" in text(response)
    policy.refresh_from_db()
    assert policy.benefit_mode == "per_day"


@pytest.mark.django_db
def test_regression_bands_may_not_overlap(root, policy) -> None:
    """Two bands for the same day count: the first by lower day won silently."""
    response = _change(root, policy, _form(policy, bands=[(1, 10, 10_000), (5, None, 30_000)], benefit_mode="banded"))
    assert response.status_code == 200 and "重なっています" in text(response)
    assert BenefitBand.objects.count() == 0


@pytest.mark.django_db
def test_bands_that_meet_but_do_not_overlap_are_kept(root, policy) -> None:
    response = _change(root, policy, _form(policy, bands=[(1, 4, 5_000), (5, 29, 10_000), (30, None, 30_000)],
                                           benefit_mode="banded"))
    assert response.status_code == 302
    assert list(policy.bands.values_list("lower_days", "upper_days")) == [(1, 4), (5, 29), (30, None)]


# Bands are entered from … to (以上 … 以下) as the 要綱 writes them, in one combined table or in separate 入院 and 通院
# tables (issue 12 §5, §7): within each table no overlap and no gap, each error naming its rows as the page
# numbers them; the bands must be on the policy's own tables; nothing is saved when anything is refused.

SEPARATE = [("inpatient", 1, 9, 10_000), ("inpatient", 10, 29, 30_000), ("inpatient", 30, None, 60_000),
            ("outpatient", 1, 4, 2_000), ("outpatient", 5, 9, 5_000), ("outpatient", 10, None, 10_000)]


def _refused(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200 and "errornote" in text(response)
    assert BenefitBand.objects.count() == 0
    return text(response)


@pytest.mark.django_db
def test_an_overlap_names_both_rows_and_their_days(root, policy) -> None:
    page = _refused(_change(root, policy, _form(policy, bands=[(1, 4, 5_000), (5, 12, 10_000), (10, 29, 30_000)],
                                                benefit_mode="banded")))
    assert "3行目（10〜29日）が2行目（5〜12日）と重なっています。" in page
    policy.refresh_from_db()
    assert policy.benefit_mode == "per_day"


@pytest.mark.django_db
def test_a_gap_between_two_bands_names_the_days_no_band_covers(root, policy) -> None:
    page = _refused(_change(root, policy, _form(policy, bands=[(1, 4, 5_000), (5, 12, 10_000), (15, 29, 30_000)],
                                                benefit_mode="banded")))
    assert "2行目と3行目の間（13〜14日）がどの区分にも入っていません。" in page


@pytest.mark.django_db
def test_rows_typed_out_of_order_are_checked_in_day_order_and_named_as_typed(root, policy) -> None:
    page = _refused(_change(root, policy, _form(policy, bands=[(30, None, 30_000), (1, 4, 5_000), (5, 20, 10_000)],
                                                benefit_mode="banded")))
    assert "3行目と1行目の間（21〜29日）がどの区分にも入っていません。" in page


@pytest.mark.django_db
def test_an_open_band_before_another_overlaps_it(root, policy) -> None:
    page = _refused(_change(root, policy, _form(policy, bands=[(1, None, 5_000), (30, 40, 30_000)],
                                                benefit_mode="banded")))
    assert "2行目（30〜40日）が1行目（1日以上）と重なっています。" in page


@pytest.mark.django_db
def test_a_band_inside_a_wider_one_is_an_overlap_not_a_gap(root, policy) -> None:
    page = _refused(_change(root, policy, _form(policy, bands=[(1, 30, 5_000), (5, 9, 10_000), (31, None, 30_000)],
                                                benefit_mode="banded")))
    assert "2行目（5〜9日）が1行目（1〜30日）と重なっています。" in page and "入っていません" not in page


@pytest.mark.django_db
def test_a_first_band_above_one_day_is_no_gap(root, policy) -> None:
    """A 要綱 may pay only from 5 treatment days: days below the first band are not a gap."""
    response = _change(root, policy, _form(policy, bands=[(5, 9, 5_000), (10, None, 10_000)], benefit_mode="banded"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_separate_inpatient_and_outpatient_tables_are_saved(root, policy) -> None:
    response = _change(root, policy, _form(policy, bands=SEPARATE, benefit_mode="banded", band_tables="separate"))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.band_tables == "separate"
    assert list(policy.bands.values_list("table", "lower_days", "upper_days")) == [
        ("inpatient", 1, 9), ("inpatient", 10, 29), ("inpatient", 30, None),
        ("outpatient", 1, 4), ("outpatient", 5, 9), ("outpatient", 10, None)]


@pytest.mark.django_db
def test_each_table_is_checked_on_its_own_and_the_error_names_the_table(root, policy) -> None:
    bands = [*SEPARATE[:3], ("outpatient", 1, 4, 2_000), ("outpatient", 3, 9, 5_000), ("outpatient", 12, None, 0)]
    page = _refused(_change(root, policy, _form(policy, bands=bands, benefit_mode="banded", band_tables="separate")))
    assert "5行目（通院 3〜9日）が4行目（通院 1〜4日）と重なっています。" in page
    assert "5行目と6行目の間（通院 10〜11日）がどの区分にも入っていません。" in page
    assert "（入院 " not in page


@pytest.mark.django_db
def test_a_separate_policy_needs_both_tables(root, policy) -> None:
    page = _refused(_change(root, policy, _form(policy, bands=SEPARATE[:3], benefit_mode="banded",
                                                band_tables="separate")))
    assert "通院の表に定額払の段階を1つ以上入力してください" in page


@pytest.mark.django_db
def test_a_band_on_a_table_the_policy_does_not_have_is_refused_on_its_row(root, policy) -> None:
    """A policy of one combined table with an 入院 row: the row would never be read, its days silently unpaid."""
    page = _refused(_change(root, policy, _form(policy, bands=SEPARATE, benefit_mode="banded")))
    assert "表の分け方が「一つの表（入院と通院の日数の合計）」の保険契約です。表は「合算（入院と通院の日数の合計）」に" in page
    page = _refused(_change(root, policy, _form(policy, bands=[(1, None, 5_000)], benefit_mode="banded",
                                                band_tables="separate")))
    assert "表は「入院」か「通院」にしてください" in page
    policy.refresh_from_db()
    assert policy.band_tables == "combined"


@pytest.mark.django_db
def test_switching_a_policy_to_separate_tables_with_its_bands_in_one_post(root, policy) -> None:
    BenefitBand.objects.create(policy=policy, lower_days=1, upper_days=None, amount=5_000)
    data = _form(policy, bands=SEPARATE, benefit_mode="banded", band_tables="separate")
    data["bands-0-DELETE"] = "on"
    assert _change(root, policy, data).status_code == 302
    assert set(policy.bands.values_list("table", flat=True)) == {"inpatient", "outpatient"}


@pytest.mark.django_db
def test_the_counting_of_the_report_deadline_is_saved(root, policy) -> None:
    assert policy.report_due_counting == "inclusive"
    assert _change(root, policy, _form(policy, report_due_counting="next_day")).status_code == 302
    policy.refresh_from_db()
    assert policy.report_due_counting == "next_day"


@pytest.mark.django_db
def test_an_upper_day_below_the_lower_is_refused_on_the_form(root, policy) -> None:
    response = _change(root, policy, _form(policy, bands=[(10, 5, 10_000)], benefit_mode="banded"))
    assert response.status_code == 200 and BenefitBand.objects.count() == 0


@pytest.mark.django_db
def test_a_policy_with_reports_is_not_deleted(root, group_a, policy) -> None:
    page = root.post(reverse("admin:insurance_insurancepolicy_delete", args=[policy.pk]), {"post": "yes"})
    assert page.status_code in (200, 403)
    assert InsurancePolicy.objects.filter(pk=policy.pk).exists()
    listed = root.post(reverse("admin:insurance_insurancepolicy_changelist"),
                       {"action": "delete_selected", "_selected_action": [policy.pk], "post": "yes"})
    assert listed.status_code in (200, 302)
    assert InsurancePolicy.objects.filter(pk=policy.pk).exists()


@pytest.mark.django_db
def test_a_judged_item_is_not_deleted_from_the_inline(root, group_a, policy) -> None:
    data = _form(policy)
    data["conditions-0-DELETE"] = "on"
    response = _change(root, policy, data)
    assert response.status_code == 200
    assert PolicyCondition.objects.filter(pk=data["conditions-0-id"]).exists()


@pytest.mark.django_db
def test_regression_a_judged_items_kind_cannot_flip(root, group_a, policy) -> None:
    """Turning a condition into an exclusion after judgments would turn every 「満たす ○」 of past reports into
    「該当する ×」 under a judgment that still says 補償の対象."""
    condition = policy.conditions.get(code="members")
    data = _form(policy)
    index = next(i for i in range(policy.conditions.count()) if data[f"conditions-{i}-id"] == condition.pk)
    data[f"conditions-{index}-kind"] = "exclusion"
    response = _change(root, policy, data)
    assert response.status_code == 200 and "判定に使われた項目の区分は変更できません" in text(response)
    condition.refresh_from_db()
    assert condition.kind == "condition"
    finding = group_a.report.judgment.findings.get(condition=condition)
    assert finding.favourable


@pytest.mark.django_db
def test_a_judged_items_label_may_be_corrected_and_the_reason_is_kept(root, group_a, policy) -> None:
    """A typo in a label may be fixed: past findings show the new wording with their own reason unchanged
    (what was checked is in the reason, written when judged)."""
    condition = policy.conditions.get(code="unpaid")
    reason = group_a.report.judgment.findings.get(condition=condition).reason
    data = _form(policy)
    index = next(i for i in range(policy.conditions.count()) if data[f"conditions-{i}-id"] == condition.pk)
    data[f"conditions-{index}-label"] = "無償の活動である（実費の交通費・弁当代は可）"
    assert _change(root, policy, data).status_code == 302
    assert group_a.report.judgment.findings.get(condition=condition).reason == reason


@pytest.mark.django_db
def test_an_item_not_yet_judged_may_change_kind(root, policy) -> None:
    condition = policy.conditions.get(code="members")
    data = _form(policy)
    index = next(i for i in range(policy.conditions.count()) if data[f"conditions-{i}-id"] == condition.pk)
    data[f"conditions-{index}-kind"] = "exclusion"
    assert _change(root, policy, data).status_code == 302
    condition.refresh_from_db()
    assert condition.kind == "exclusion"


@pytest.mark.django_db
def test_regression_a_period_cannot_shrink_past_its_reports(root, group_a, policy) -> None:
    """A report keeps its policy: a period moved past its accident day leaves it in no period, so the group
    cannot save it again (「別の保険期間」) and the day picks no policy."""
    response = _change(root, policy, _form(policy, period_start=builders.today().isoformat()))
    assert response.status_code == 200 and "事故報告書があります" in text(response)
    policy.refresh_from_db()
    assert policy.period_start == builders.days_ago(400)


@pytest.mark.django_db
def test_a_period_may_grow_or_shrink_where_it_has_no_report(root, group_a, policy) -> None:
    earliest = min(group_a.report.accident_date, group_a.draft.accident_date)
    assert _change(root, policy, _form(policy, period_start=earliest.isoformat())).status_code == 302
    assert _change(root, policy, _form(policy, period_start=builders.days_ago(500).isoformat())).status_code == 302


@pytest.mark.django_db
def test_regression_a_huge_claim_limit_does_not_break_the_claim_page(root, client, group_a, policy, insurance) -> None:
    from tests.cases.steps import login

    InsurancePolicy.objects.filter(pk=policy.pk).update(claim_limit_years=32_767)
    client.logout()
    assert login(client, insurance).get(reverse("insurance_claim_detail", args=[group_a.claim.pk])).status_code == 200
    assert client.get(reverse("insurance_reminders")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("changes, bands, message", [
    ({"benefit_mode": "banded"}, [(10, 5, 10_000)], "「以下」（5日）が「以上」（10日）より少なくなっています。"),
    ({"benefit_mode": "banded"}, [(0, 5, 10_000)], "治療日数（以上）は1日以上にしてください。"),
    ({"report_due_days": 0}, [], "事故報告の期限は1日以上にしてください（"),
    ({"reminder_interval_days": 0}, [], "督促の間隔は1日以上にしてください。"),
])
def test_a_value_the_database_refuses_is_named_at_its_field_not_by_a_constraint(  # type: ignore[no-untyped-def]
        root, policy, changes, bands, message) -> None:
    page = text(_change(root, policy, _form(policy, bands=bands, **changes)))
    assert message in page
    assert "に違反しています" not in page  # Django's 「制約 “band_days_ordered” に違反しています。」
    assert BenefitBand.objects.count() == 0


@pytest.mark.django_db
def test_bands_posted_twice_are_saved_once(root, policy) -> None:  # type: ignore[no-untyped-def]
    """A double click on 保存 posted the new bands again: they were added a second time, overlapping the first."""
    data = _form(policy, bands=[(1, 4, 5_000), (5, None, 10_000)], benefit_mode="banded")
    assert _change(root, policy, data).status_code == 302
    page = text(_change(root, policy, data))
    assert "この画面を開いた後に、定額払の段階が保存されています（1〜4日：5,000円、5日以上：10,000円）。" in page
    assert BenefitBand.objects.filter(policy=policy).count() == 2
