"""地域づくり計画 services (``grants/councils/plans.py``): drafting, items and their levels, submission, return,
approval, revision (the old version superseded and kept with its items, cases keeping theirs), attachments and
who may do what."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from grants.accounts.models import Role
from grants.cases.models import Status
from grants.core.fiscal import fiscal_year_label
from grants.core.models import AuditEvent
from grants.core.uploads import MAGIC
from grants.councils import plans
from grants.councils.plans import PlanError
from grants.organizations.models import CommunityPlan, ItemLevel, PlanAttachment, PlanItem, PlanStatus, Representative
from tests import factories
from tests.cases.world import drive, make_world
from tests.councils import builders
from tests.factories import CURRENT_FY


@pytest.fixture
def org(council):  # type: ignore[no-untyped-def]
    return council[0]


@pytest.fixture
def secretary(council):  # type: ignore[no-untyped-def]
    return council[1]


@pytest.fixture
def other(db):  # type: ignore[no-untyped-def]
    """Another council and its secretary."""
    return builders.council(name="白石地域づくり協議会", username="other-secretary")


def new_plan(actor, organization, **fields):  # type: ignore[no-untyped-def]
    values = {"term_label": "第3期", "title": "大歳地域づくり計画", "first_fiscal_year": CURRENT_FY,
              "last_fiscal_year": CURRENT_FY + 4, "vision": "誰もが安心して暮らせる大歳"}
    values.update(fields)
    return plans.create_plan(actor=actor, organization=organization, **values)


def tree(actor, plan):  # type: ignore[no-untyped-def]
    """分野 1 → 施策 1-1 → 取組 1-1-1 and 1-1-2; returns the items by code."""
    field = plans.add_item(actor=actor, plan_id=plan.pk, level=ItemLevel.FIELD, code="1", title="安心・安全")
    measure = plans.add_item(actor=actor, plan_id=plan.pk, level=ItemLevel.MEASURE, code="1-1", title="防災力の向上",
                             parent_id=field.pk)
    a1 = plans.add_item(actor=actor, plan_id=plan.pk, level=ItemLevel.ACTION, code="1-1-1", title="防災訓練",
                        parent_id=measure.pk)
    a2 = plans.add_item(actor=actor, plan_id=plan.pk, level=ItemLevel.ACTION, code="1-1-2", title="水路の補修",
                        parent_id=measure.pk, description="小規模な水路・道路の補修")
    return {"1": field, "1-1": measure, "1-1-1": a1, "1-1-2": a2}


def approved(secretary, staff, org):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    tree(secretary, plan)
    plans.submit_plan(actor=secretary, plan_id=plan.pk)
    return plans.approve_plan(actor=staff, plan_id=plan.pk)


def events(plan):  # type: ignore[no-untyped-def]
    return [(e.action, e.actor.username) for e in AuditEvent.objects.for_object(plan)]


def test_secretary_creates_the_first_version_in_draft(org, secretary):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    assert (plan.version, plan.status, plan.created_by, plan.organization) == (1, PlanStatus.DRAFT, secretary, org)
    assert plan.term_display == f"{fiscal_year_label(CURRENT_FY)}〜{fiscal_year_label(CURRENT_FY + 4)}"
    assert events(plan) == [("create_plan", "secretary")]
    assert CommunityPlan.objects.in_force(org, CURRENT_FY) is None  # a draft is not in force


def test_staff_may_create_a_plan_for_a_council(org, staff):  # type: ignore[no-untyped-def]
    assert new_plan(staff, org).created_by == staff


@pytest.mark.parametrize(("fields", "message"), [
    ({"term_label": " "}, "期: 40文字以内で入力してください（例: 第3期）。"),
    ({"term_label": "期" * 41}, "期: 40文字以内で入力してください（例: 第3期）。"),
    ({"title": ""}, "計画の名称: 200文字以内で入力してください。"),
    ({"title": "計" * 201}, "計画の名称: 200文字以内で入力してください。"),
    ({"first_fiscal_year": 1999}, "計画期間: 年度を西暦4桁で入力してください。"),
    ({"last_fiscal_year": "2030"}, "計画期間: 年度を西暦4桁で入力してください。"),
    ({"first_fiscal_year": True}, "計画期間: 年度を西暦4桁で入力してください。"),
    ({"first_fiscal_year": CURRENT_FY + 1, "last_fiscal_year": CURRENT_FY},
     "計画期間: 初年度から最終年度まで、10年度以内で入力してください。"),
    ({"last_fiscal_year": CURRENT_FY + 10}, "計画期間: 初年度から最終年度まで、10年度以内で入力してください。"),
])
def test_create_refuses_a_bad_term(org, secretary, fields, message):  # type: ignore[no-untyped-def]
    with pytest.raises(PlanError) as refused:
        new_plan(secretary, org, **fields)
    assert str(refused.value) == message
    assert not CommunityPlan.objects.exists()


def test_ten_years_is_the_longest_term(org, secretary):  # type: ignore[no-untyped-def]
    assert new_plan(secretary, org, last_fiscal_year=CURRENT_FY + 9).last_fiscal_year == CURRENT_FY + 9


def test_only_a_council_has_a_plan(association, staff):  # type: ignore[no-untyped-def]
    with pytest.raises(PlanError, match="^地域づくり計画は地域づくり協議会のみが作成できます。$"):
        new_plan(staff, association)


@pytest.mark.parametrize("role", [Role.APPROVER, Role.FINANCE, Role.AUDITOR])
def test_create_refused_to_other_city_roles(org, role):  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username=f"u-{role}", role=role)
    with pytest.raises(PlanError, match="^この協議会の計画を作成・変更する権限がありません。$"):
        new_plan(user, org)


def test_create_refused_to_another_councils_secretary(org, other):  # type: ignore[no-untyped-def]
    with pytest.raises(PlanError, match="権限がありません"):
        new_plan(other[1], org)


def test_second_plan_of_the_same_term_goes_through_revision(org, secretary):  # type: ignore[no-untyped-def]
    new_plan(secretary, org)
    with pytest.raises(PlanError, match="^この計画期間と重なる計画がすでにあります。"):
        new_plan(secretary, org, term_label="第3期（別案）", first_fiscal_year=CURRENT_FY + 2)


def test_regression_a_new_term_is_a_new_plan_with_the_next_version(org, secretary):  # type: ignore[no-untyped-def]
    """第4期 after 第3期: allowed once the terms do not overlap; its version follows the council's last."""
    first = new_plan(secretary, org)
    second = new_plan(secretary, org, term_label="第4期", first_fiscal_year=CURRENT_FY + 5,
                      last_fiscal_year=CURRENT_FY + 9)
    assert (first.version, second.version) == (1, 2)


def test_items_form_a_tree_of_three_levels(org, secretary):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    items = tree(secretary, plan)
    assert items["1"].parent is None and items["1-1"].parent == items["1"]
    assert items["1-1-1"].parent == items["1-1"] == items["1-1-2"].parent
    assert [(i.code, i.level) for i in plan.items.all()] == [
        ("1", "field"), ("1-1", "measure"), ("1-1-1", "action"), ("1-1-2", "action")]
    assert items["1-1-2"].description == "小規模な水路・道路の補修"
    assert [a for a, _ in events(plan)].count("add_plan_item") == 4


def test_item_level_and_parent_rules(org, secretary, other):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    items = tree(secretary, plan)
    foreign_plan = new_plan(other[1], other[0])
    foreign = plans.add_item(actor=other[1], plan_id=foreign_plan.pk, level=ItemLevel.FIELD, code="9", title="他")

    def add(level, code="2", parent=None, title="項目"):  # type: ignore[no-untyped-def]
        return plans.add_item(actor=secretary, plan_id=plan.pk, level=level, code=code, title=title,
                              parent_id=parent.pk if parent else None)

    cases = [
        (lambda: add(ItemLevel.FIELD, parent=items["1"]), "上位の項目: 分野には上位の項目はありません。"),
        (lambda: add(ItemLevel.MEASURE), "上位の項目: この計画の分野を選んでください。"),
        (lambda: add(ItemLevel.MEASURE, parent=items["1-1"]), "上位の項目: この計画の分野を選んでください。"),
        (lambda: add(ItemLevel.MEASURE, parent=foreign), "上位の項目: この計画の分野を選んでください。"),
        (lambda: add(ItemLevel.ACTION), "上位の項目: この計画の施策を選んでください。"),
        (lambda: add(ItemLevel.ACTION, parent=items["1"]), "上位の項目: この計画の施策を選んでください。"),
        (lambda: add(ItemLevel.ACTION, parent=items["1-1-1"]), "上位の項目: この計画の施策を選んでください。"),
        (lambda: add("target"), "階層: 分野・施策・取組から選んでください。"),
        (lambda: add(ItemLevel.FIELD, code="1"), "番号: 「1」はこの計画ですでに使われています。"),
        (lambda: add(ItemLevel.FIELD, code=" "), "番号: 20文字以内で入力してください（例: 1-2-3）。"),
        (lambda: add(ItemLevel.FIELD, code="1" * 21), "番号: 20文字以内で入力してください（例: 1-2-3）。"),
        (lambda: add(ItemLevel.FIELD, title=""), "名称: 200文字以内で入力してください。"),
    ]
    for call, message in cases:
        with pytest.raises(PlanError) as refused:
            call()
        assert str(refused.value) == message
    assert plan.items.count() == 4
    # the same code may be used by another plan
    assert add(ItemLevel.FIELD, code="2").code == "2"


def test_delete_item_takes_the_items_under_it(org, secretary):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    items = tree(secretary, plan)
    plans.delete_item(actor=secretary, plan_id=plan.pk, item_id=items["1-1"].pk)
    assert list(plan.items.values_list("code", flat=True)) == ["1"]
    assert events(plan)[-1] == ("delete_plan_item", "secretary")
    with pytest.raises(PlanError, match="^項目が見つかりません。$"):
        plans.delete_item(actor=secretary, plan_id=plan.pk, item_id=items["1-1"].pk)


def test_submit_needs_an_action(org, secretary):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    plans.add_item(actor=secretary, plan_id=plan.pk, level=ItemLevel.FIELD, code="1", title="安心・安全")
    with pytest.raises(PlanError, match="^取組を1つ以上入力してから提出してください。$"):
        plans.submit_plan(actor=secretary, plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_submitted_plan_is_frozen_until_returned(org, secretary, staff):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    items = tree(secretary, plan)
    plan = plans.submit_plan(actor=secretary, plan_id=plan.pk)
    assert (plan.status, plan.submitted_by) == (PlanStatus.SUBMITTED, secretary) and plan.submitted_at
    frozen = "^作成中の計画だけを変更できます。$"
    with pytest.raises(PlanError, match=frozen):
        plans.add_item(actor=secretary, plan_id=plan.pk, level=ItemLevel.FIELD, code="2", title="福祉")
    with pytest.raises(PlanError, match=frozen):
        plans.delete_item(actor=staff, plan_id=plan.pk, item_id=items["1-1-1"].pk)
    with pytest.raises(PlanError, match=frozen):
        plans.submit_plan(actor=secretary, plan_id=plan.pk)

    plan = plans.return_plan(actor=staff, plan_id=plan.pk, note="取組の内容を具体的に書いてください")

    assert (plan.status, plan.submitted_by, plan.submitted_at) == (PlanStatus.DRAFT, None, None)
    event = AuditEvent.objects.for_object(plan).get(action="return_plan")
    assert (event.from_state, event.to_state, event.note) == ("submitted", "draft", "取組の内容を具体的に書いてください")
    plans.add_item(actor=secretary, plan_id=plan.pk, level=ItemLevel.FIELD, code="2", title="福祉")


def test_return_refusals(org, secretary, staff, approver):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    tree(secretary, plan)
    with pytest.raises(PlanError, match="^提出済の計画だけを差し戻せます。$"):
        plans.return_plan(actor=staff, plan_id=plan.pk, note="理由")
    plans.submit_plan(actor=secretary, plan_id=plan.pk)
    for user in (secretary, approver):
        with pytest.raises(PlanError, match="^計画の差戻しは担当職員のみが行えます。$"):
            plans.return_plan(actor=user, plan_id=plan.pk, note="理由")
    with pytest.raises(PlanError, match="^差戻しの理由を入力してください。$"):
        plans.return_plan(actor=staff, plan_id=plan.pk, note="  ")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_approval_puts_the_plan_in_force(org, secretary, staff):  # type: ignore[no-untyped-def]
    plan = approved(secretary, staff, org)
    assert (plan.status, plan.approved_by) == (PlanStatus.APPROVED, staff) and plan.approved_at
    for year in (CURRENT_FY, CURRENT_FY + 4):
        assert CommunityPlan.objects.in_force(org, year) == plan
    assert CommunityPlan.objects.in_force(org, CURRENT_FY + 5) is None
    assert events(plan) == [("create_plan", "secretary"), *[("add_plan_item", "secretary")] * 4,
                            ("submit_plan", "secretary"), ("approve_plan", "staff")]


def test_approval_refusals(org, secretary, staff, staff2, approver):  # type: ignore[no-untyped-def]
    plan = new_plan(staff, org)
    tree(staff, plan)
    with pytest.raises(PlanError, match="^提出済の計画だけを承認できます。$"):
        plans.approve_plan(actor=staff2, plan_id=plan.pk)
    plans.submit_plan(actor=staff, plan_id=plan.pk)
    for user in (secretary, approver):
        with pytest.raises(PlanError, match="^計画の承認は担当職員のみが行えます。$"):
            plans.approve_plan(actor=user, plan_id=plan.pk)
    with pytest.raises(PlanError, match="^計画を提出した方は、同じ計画を承認できません。$"):
        plans.approve_plan(actor=staff, plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert plans.approve_plan(actor=staff2, plan_id=plan.pk).approved_by == staff2


def test_revision_copies_the_items_as_new_rows(org, secretary, staff):  # type: ignore[no-untyped-def]
    first = approved(secretary, staff, org)
    revision = plans.start_revision(actor=secretary, plan_id=first.pk, reason="新たな取組を加えるため")
    assert (revision.version, revision.status, revision.revises, revision.revision_reason) == (
        2, PlanStatus.DRAFT, first, "新たな取組を加えるため")
    assert (revision.term_label, revision.title, revision.first_fiscal_year, revision.last_fiscal_year,
            revision.vision) == (first.term_label, first.title, first.first_fiscal_year, first.last_fiscal_year,
                                 first.vision)
    old = {i.code: i for i in first.items.all()}
    new = {i.code: i for i in revision.items.all()}
    assert list(new) == list(old) == ["1", "1-1", "1-1-1", "1-1-2"]
    assert not {i.pk for i in new.values()} & {i.pk for i in old.values()}
    for code, item in new.items():
        assert (item.level, item.title, item.description) == (old[code].level, old[code].title,
                                                               old[code].description)
        assert item.parent_id is None or item.parent.plan_id == revision.pk
    assert new["1-1-1"].parent == new["1-1"] and new["1-1"].parent == new["1"]
    # the revision is edited on its own rows; the approved version is untouched
    plans.add_item(actor=secretary, plan_id=revision.pk, level=ItemLevel.ACTION, code="1-1-3", title="防犯灯の点検",
                   parent_id=new["1-1"].pk)
    plans.delete_item(actor=secretary, plan_id=revision.pk, item_id=new["1-1-1"].pk)
    assert list(first.items.values_list("code", flat=True)) == ["1", "1-1", "1-1-1", "1-1-2"]
    assert CommunityPlan.objects.in_force(org, CURRENT_FY) == first


def test_approving_a_revision_supersedes_the_old_version(org, secretary, staff, staff2):  # type: ignore[no-untyped-def]
    first = approved(secretary, staff, org)
    revision = plans.start_revision(actor=staff, plan_id=first.pk, reason="改定")
    plans.submit_plan(actor=secretary, plan_id=revision.pk)
    plans.approve_plan(actor=staff2, plan_id=revision.pk)
    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED and first.items.count() == 4
    assert CommunityPlan.objects.in_force(org, CURRENT_FY) == revision
    event = AuditEvent.objects.for_object(first).get(action="supersede_plan")
    assert (event.from_state, event.to_state, event.note) == ("approved", "superseded", "第2版の承認による")
    with pytest.raises(PlanError, match="^承認済みの計画から改定版を作成してください。$"):
        plans.start_revision(actor=staff, plan_id=first.pk, reason="古い版から")


def test_staff_who_drafted_a_revision_cannot_approve_it_though_the_head_submitted_it(  # type: ignore[no-untyped-def]
        org, secretary, staff, staff2):
    first = approved(secretary, staff2, org)
    revision = plans.start_revision(actor=staff, plan_id=first.pk, reason="取組の追加")
    plans.submit_plan(actor=secretary, plan_id=revision.pk)
    before = list(AuditEvent.objects.values_list("pk", flat=True))
    with pytest.raises(PlanError, match="^計画（改定版を含む）を作成した方は、同じ計画を承認できません。$"):
        plans.approve_plan(actor=staff, plan_id=revision.pk)
    revision.refresh_from_db()
    first.refresh_from_db()
    assert (revision.status, revision.approved_by, first.status) == (
        PlanStatus.SUBMITTED, None, PlanStatus.APPROVED)
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == before
    # nor by writing the row past the service: the database refuses the drafter as approver
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunityPlan.objects.filter(pk=revision.pk).update(approved_by=staff)
    assert plans.approve_plan(actor=staff2, plan_id=revision.pk).approved_by == staff2


def _snapshot(plan):  # type: ignore[no-untyped-def]
    plan.refresh_from_db()
    return (plan.status, plan.approved_by_id, list(AuditEvent.objects.values_list("pk", flat=True)))


def test_staff_who_wrote_the_items_the_head_submitted_cannot_approve_them(  # type: ignore[no-untyped-def]
        org, secretary, staff, staff2):
    """The head creates the plan, a staff member writes its 分野・施策・取組, the head submits it: the staff member
    who wrote the content is neither ``created_by`` nor ``submitted_by``, and still may not approve it."""
    plan = new_plan(secretary, org)
    tree(staff, plan)
    plans.submit_plan(actor=secretary, plan_id=plan.pk)
    before = _snapshot(plan)
    with pytest.raises(PlanError, match="^この計画の内容を作成・変更した方は、同じ計画を承認できません。$"):
        plans.approve_plan(actor=staff, plan_id=plan.pk)
    assert _snapshot(plan) == before == (PlanStatus.SUBMITTED, None, before[2])
    assert plans.approve_plan(actor=staff2, plan_id=plan.pk).approved_by == staff2


def test_staff_who_returned_the_plan_and_rewrote_its_actions_cannot_approve_it(  # type: ignore[no-untyped-def]
        org, secretary, staff, staff2):
    """After a return, a staff member deletes the head's 取組 and adds their own; the head resubmits."""
    plan = new_plan(secretary, org)
    items = tree(secretary, plan)
    plans.submit_plan(actor=secretary, plan_id=plan.pk)
    plans.return_plan(actor=staff, plan_id=plan.pk, note="取組を見直してください。")
    plans.delete_item(actor=staff, plan_id=plan.pk, item_id=items["1-1-1"].pk)
    plans.add_item(actor=staff, plan_id=plan.pk, level=ItemLevel.ACTION, code="1-1-3", title="職員の考えた取組",
                   parent_id=items["1-1"].pk)
    plans.submit_plan(actor=secretary, plan_id=plan.pk)
    before = _snapshot(plan)
    with pytest.raises(PlanError, match="^この計画の内容を作成・変更した方は、同じ計画を承認できません。$"):
        plans.approve_plan(actor=staff, plan_id=plan.pk)
    assert _snapshot(plan) == before
    assert plans.approve_plan(actor=staff2, plan_id=plan.pk).approved_by == staff2


def test_staff_who_attached_a_file_to_the_submitted_plan_cannot_approve_it(  # type: ignore[no-untyped-def]
        org, secretary, staff, staff2, media):
    plan = new_plan(secretary, org)
    tree(secretary, plan)
    plans.submit_plan(actor=secretary, plan_id=plan.pk)
    plans.add_attachment(actor=staff, plan_id=plan.pk, title="職員の資料", upload=_upload("資料.pdf"))
    with pytest.raises(PlanError, match="^この計画の内容を作成・変更した方は、同じ計画を承認できません。$"):
        plans.approve_plan(actor=staff, plan_id=plan.pk)
    assert plans.approve_plan(actor=staff2, plan_id=plan.pk).approved_by == staff2


def test_one_open_revision_at_a_time(org, secretary, staff):  # type: ignore[no-untyped-def]
    first = approved(secretary, staff, org)
    with pytest.raises(PlanError, match="^改定の理由を入力してください。$"):
        plans.start_revision(actor=secretary, plan_id=first.pk, reason=" ")
    revision = plans.start_revision(actor=secretary, plan_id=first.pk, reason="改定")
    with pytest.raises(PlanError, match="^作成中または提出済の改定版がすでにあります。$"):
        plans.start_revision(actor=staff, plan_id=first.pk, reason="もう一つ")
    plans.submit_plan(actor=secretary, plan_id=revision.pk)
    with pytest.raises(PlanError, match="^作成中または提出済の改定版がすでにあります。$"):
        plans.start_revision(actor=staff, plan_id=first.pk, reason="もう一つ")
    with pytest.raises(PlanError, match="^承認済みの計画から改定版を作成してください。$"):
        plans.start_revision(actor=staff, plan_id=revision.pk, reason="提出済から")


def test_cases_keep_the_version_they_were_decided_under(council, katsudo, staff, staff2, approver, finance,  # type: ignore[no-untyped-def]
                                                        finance2, auditor):
    world = make_world(council, katsudo, staff, staff2, approver, finance, finance2, auditor)
    case = drive(world, Status.DECIDED)
    assert case.plan == world.plan
    revision = plans.start_revision(actor=staff, plan_id=world.plan.pk, reason="改定")
    plans.submit_plan(actor=world.secretary, plan_id=revision.pk)
    plans.approve_plan(actor=staff2, plan_id=revision.pk)
    case.refresh_from_db()
    assert case.plan == world.plan and case.plan.status == PlanStatus.SUPERSEDED
    assert CommunityPlan.objects.in_force(world.org, CURRENT_FY) == revision


def test_regression_deleting_an_item_a_line_points_at_is_refused_with_a_message(  # type: ignore[no-untyped-def]
        council, katsudo, staff, staff2, approver, finance, finance2, auditor):
    """An item of a draft revision chosen on a budget line (add_line accepts any item of the council) cannot be
    deleted; deleting it raised ``ProtectedError`` (a server error) instead of a message."""
    from tests.councils.helpers import line

    world = make_world(council, katsudo, staff, staff2, approver, finance, finance2, auditor)
    revision = plans.start_revision(actor=staff, plan_id=world.plan.pk, reason="改定")
    new_item = revision.items.get(code="1-1-2")
    case = builders.draft_case(katsudo, world.org)
    line(case, world.secretary, category=world.cats["genzairyo"], plan_item=new_item)
    with pytest.raises(PlanError, match="収支の明細で選ばれているため削除できません"):
        plans.delete_item(actor=staff, plan_id=revision.pk, item_id=new_item.parent_id)
    assert revision.items.count() == 4


def _upload(name: str, size: int = 10) -> SimpleUploadedFile:
    """A file of ``size`` bytes that starts as a real file of its extension does (the service checks it)."""
    head = MAGIC.get(name[name.rfind("."):].lower(), b"") if "." in name else b""
    return SimpleUploadedFile(name, (head + b"%" * size)[:size], content_type="application/octet-stream")


@pytest.mark.parametrize("name", ["計画書.pdf", "総会議事録.DOCX", "予算.xlsx", "旧.doc", "旧.xls", "写真.jpg",
                                  "写真.jpeg", "地図.PNG"])
def test_attachment_types_accepted(org, secretary, media, name):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    attachment = plans.add_attachment(actor=secretary, plan_id=plan.pk, title="計画書", upload=_upload(name))
    assert attachment.uploaded_by == secretary and attachment.file.size == 10
    assert attachment.file.name.startswith(f"plans/{org.pk}/{plan.pk}/")
    assert events(plan)[-1] == ("add_plan_attachment", "secretary")


@pytest.mark.parametrize(("name", "size", "title", "message"), [
    ("tool.exe", 10, "資料", "ファイル: PDF・Word・Excel・画像（JPEG/PNG）のいずれかのファイルを選んでください。"),
    ("計画書.pdf.html", 10, "資料", "ファイル: PDF・Word・Excel・画像（JPEG/PNG）のいずれかのファイルを選んでください。"),
    ("拡張子なし", 10, "資料", "ファイル: PDF・Word・Excel・画像（JPEG/PNG）のいずれかのファイルを選んでください。"),
    ("大きい.pdf", 10 * 1024 * 1024 + 1, "資料", "ファイル: 10MB以下のファイルを選んでください。"),
    ("計画書.pdf", 10, "", "資料名: 200文字以内で入力してください。"),
])
def test_attachment_refusals(org, secretary, media, name, size, title, message):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    with pytest.raises(PlanError) as refused:
        plans.add_attachment(actor=secretary, plan_id=plan.pk, title=title, upload=_upload(name, size))
    assert str(refused.value) == message
    assert not PlanAttachment.objects.exists()


def test_attachment_of_exactly_ten_megabytes_is_accepted(org, secretary, media):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    plans.add_attachment(actor=secretary, plan_id=plan.pk, title="計画書", upload=_upload("a.pdf", 10 * 1024 * 1024))


def test_attachments_while_draft_or_submitted_only(org, secretary, staff, media):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    tree(secretary, plan)
    plans.submit_plan(actor=secretary, plan_id=plan.pk)
    plans.add_attachment(actor=secretary, plan_id=plan.pk, title="総会議事録", upload=_upload("議事録.pdf"))
    plans.approve_plan(actor=staff, plan_id=plan.pk)
    with pytest.raises(PlanError, match="^承認済みの計画には資料を追加できません。改定版を作成してください。$"):
        plans.add_attachment(actor=staff, plan_id=plan.pk, title="追加", upload=_upload("追加.pdf"))
    assert plan.attachments.count() == 1


def test_visible_plans(org, secretary, other, staff, approver, finance, auditor):  # type: ignore[no-untyped-def]
    ours = new_plan(secretary, org)
    theirs = new_plan(other[1], other[0])
    for user in (staff, approver, finance, auditor):
        assert set(plans.visible_plans(user)) == {ours, theirs}
    assert list(plans.visible_plans(secretary)) == [ours]
    assert list(plans.visible_plans(other[1])) == [theirs]
    from django.contrib.auth.models import AnonymousUser

    assert not plans.visible_plans(AnonymousUser()).exists()


def test_another_councils_secretary_gets_not_found(org, secretary, other, media):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    items = tree(secretary, plan)
    stranger = other[1]
    calls = [
        lambda: plans.add_item(actor=stranger, plan_id=plan.pk, level=ItemLevel.FIELD, code="2", title="福祉"),
        lambda: plans.delete_item(actor=stranger, plan_id=plan.pk, item_id=items["1"].pk),
        lambda: plans.submit_plan(actor=stranger, plan_id=plan.pk),
        lambda: plans.add_attachment(actor=stranger, plan_id=plan.pk, title="資料", upload=_upload("a.pdf")),
        lambda: plans.start_revision(actor=stranger, plan_id=plan.pk, reason="改定"),
    ]
    for call in calls:
        with pytest.raises(CommunityPlan.DoesNotExist):
            call()
    assert plan.items.count() == 4 and not plan.attachments.exists()


def test_former_secretary_loses_the_plan(org, secretary):  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    plan = new_plan(secretary, org)
    Representative.objects.filter(user=secretary).update(ended_on=timezone.localdate() - dt.timedelta(days=1))
    assert not plans.visible_plans(secretary).exists()
    with pytest.raises(CommunityPlan.DoesNotExist):
        plans.add_item(actor=secretary, plan_id=plan.pk, level=ItemLevel.FIELD, code="1", title="安心・安全")


@pytest.mark.parametrize("role", [Role.APPROVER, Role.FINANCE, Role.AUDITOR])
def test_city_users_other_than_staff_may_read_but_not_edit(org, secretary, role, media):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    items = tree(secretary, plan)
    user = factories.UserFactory(username=f"u-{role}", role=role)
    message = "^この協議会の計画を作成・変更する権限がありません。$"
    calls = [
        lambda: plans.add_item(actor=user, plan_id=plan.pk, level=ItemLevel.FIELD, code="2", title="福祉"),
        lambda: plans.delete_item(actor=user, plan_id=plan.pk, item_id=items["1"].pk),
        lambda: plans.submit_plan(actor=user, plan_id=plan.pk),
        lambda: plans.add_attachment(actor=user, plan_id=plan.pk, title="資料", upload=_upload("a.pdf")),
    ]
    for call in calls:
        with pytest.raises(PlanError, match=message):
            call()
    assert plan.items.count() == 4 and plan.status == PlanStatus.DRAFT


def test_items_cannot_be_linked_across_plans_in_the_database(org, secretary, other):  # type: ignore[no-untyped-def]
    plan = new_plan(secretary, org)
    foreign_plan = new_plan(other[1], other[0])
    foreign = plans.add_item(actor=other[1], plan_id=foreign_plan.pk, level=ItemLevel.FIELD, code="1", title="他")
    item = PlanItem(plan=plan, parent=foreign, level=ItemLevel.MEASURE, code="1-1", title="x")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="上位の項目は同じ計画の項目にしてください。"):
        item.clean()


# Files attached to plans and reports: wrong types disguised by their extension, empty and oversized files,
# odd names, and how they are served back (always as a download, only to whoever may see the plan or case).


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


DOCX = b"PK\x03\x04" + b"\x00" * 32


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32


HTML = b"<html><script>alert(1)</script></html>"


EXE = b"MZ\x90\x00" + b"\x00" * 32


@pytest.fixture
def draft_plan(council, staff):  # type: ignore[no-untyped-def]
    plan = builders.approved_plan(council[0], staff)
    return plans.start_revision(actor=council[1], plan_id=plan.pk, reason="見直し")


@pytest.mark.django_db
@pytest.mark.parametrize("name, content", [("plan.pdf", PDF), ("PLAN.PDF", PDF), ("図.png", PNG), ("写真.jpeg", JPEG),
                                           ("計画.docx", DOCX), ("予算.xlsx", DOCX), ("旧.doc", OLE), ("旧.xls", OLE)])
def test_plan_attachments_of_the_allowed_types_are_kept(council, draft_plan, name, content) -> None:  # type: ignore[no-untyped-def]
    attachment = plans.add_attachment(actor=council[1], plan_id=draft_plan.pk, title="資料",
                                      upload=SimpleUploadedFile(name, content))
    assert attachment.file.read() == content


@pytest.mark.django_db
@pytest.mark.parametrize("name, content", [("plan.pdf", HTML), ("plan.pdf", EXE), ("図.png", PDF),
                                           ("計画.docx", HTML), ("旧.xls", b"a,b,c\n1,2,3\n"),
                                           ("写真.jpg", b"GIF89a" + b"\x00" * 16)])
def test_regression_plan_attachment_disguised_by_its_extension_is_refused(council, draft_plan, name, content) -> None:  # type: ignore[no-untyped-def]
    """Receipts were checked for their first bytes; plan attachments were not, so an HTML page or a program named
    「計画書.pdf」 was kept and handed to every city user who opens the plan."""
    with pytest.raises(plans.PlanError, match="ファイル"):
        plans.add_attachment(actor=council[1], plan_id=draft_plan.pk, title="資料",
                             upload=SimpleUploadedFile(name, content))
    assert not PlanAttachment.objects.exists()


@pytest.mark.django_db
def test_regression_empty_plan_attachment_is_refused_by_the_service(council, draft_plan) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(plans.PlanError, match="ファイル"):
        plans.add_attachment(actor=council[1], plan_id=draft_plan.pk, title="資料",
                             upload=SimpleUploadedFile("empty.pdf", b""))
    assert not PlanAttachment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["plan.exe", "plan.pdf.exe", "plan.html", "plan", ".pdf", "plan.PDF ", "plan.svg"])
def test_plan_attachment_of_other_extensions_is_refused(council, draft_plan, name) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(plans.PlanError, match="ファイル"):
        plans.add_attachment(actor=council[1], plan_id=draft_plan.pk, title="資料",
                             upload=SimpleUploadedFile(name, PDF))


@pytest.mark.django_db
def test_approved_plan_takes_no_attachment(council, staff) -> None:  # type: ignore[no-untyped-def]
    plan = builders.approved_plan(council[0], staff)
    with pytest.raises(plans.PlanError, match="承認済み"):
        plans.add_attachment(actor=council[1], plan_id=plan.pk, title="資料", upload=SimpleUploadedFile("a.pdf", PDF))


# Double clicks: every act posted twice in a row. The second is refused with a message (or, where two equal
# acts are legitimate, does exactly what it says), and nothing is written twice.


@pytest.mark.django_db
def test_plan_submitted_and_approved_twice(council, staff, staff2) -> None:  # type: ignore[no-untyped-def]
    from grants.councils import plans

    plan = builders.approved_plan(council[0], staff)
    revision = plans.start_revision(actor=council[1], plan_id=plan.pk, reason="見直し")
    with pytest.raises(plans.PlanError, match="すでにあります"):
        plans.start_revision(actor=council[1], plan_id=plan.pk, reason="見直し")
    plans.submit_plan(actor=council[1], plan_id=revision.pk)
    with pytest.raises(plans.PlanError):
        plans.submit_plan(actor=council[1], plan_id=revision.pk)
    plans.approve_plan(actor=staff, plan_id=revision.pk)
    with pytest.raises(plans.PlanError):
        plans.approve_plan(actor=staff2, plan_id=revision.pk)
    assert AuditEvent.objects.for_object(revision).filter(action="approve_plan").count() == 1
