"""A group's application to a call (grants.competitive.applications): starting it (new project, or the next year of
an earlier one with that year's rate and cap), the year limit refused before anything is created, one application
per group per call, the amount previewed from the lines plus the one being typed, the plan saved only by its
group while it is a draft, submission closing at the end of the call's last day, and the 添付書類 (attached and
removed only by the group or staff while the draft may be edited, a bad file refused, a double click one row)."""
import datetime as dt
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.accounts.models import Role
from grants.cases.models import BudgetLine, GrantCase
from grants.cases.workflows import CaseActionError
from grants.competitive import applications
from grants.competitive.models import ApplicationAttachment, Call, Project, ProjectPlan
from grants.competitive.workflows import COMPETITIVE
from grants.core import workflow
from grants.core.models import AuditEvent
from grants.organizations.models import MemberRole
from tests import factories
from tests.competitive import builders, steps
from tests.factories import CURRENT_FY

LINES_300K = [("hoshohi", "講師謝礼", 200_000), ("shiyoryo", "会場使用料", 100_000)]


def _next_year_call(staff, years_ahead: int = 1) -> Call:  # type: ignore[no-untyped-def]
    return builders.call(builders.programme_year(fiscal_year=CURRENT_FY + years_ahead), staff)


def test_a_new_project_starts_as_its_first_year(open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = applications.start_application(call_id=open_call.pk, actor=head, organization_id=org.pk,
                                          project_title="子ども食堂の交流会")
    plan = ProjectPlan.objects.get(case=case)
    assert (case.status, case.repeat_year, plan.project.title, plan.call) == ("draft", 1, "子ども食堂の交流会",
                                                                              open_call)


def test_a_continued_project_is_its_second_year_with_the_second_year_cap(open_call, npo, staff,
                                                                         approver) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    first = steps.selected(open_call, org, head, staff, approver)
    project = ProjectPlan.objects.get(case=first).project
    call = _next_year_call(staff)
    case = steps.draft(call, org, head, project_id=project.pk, lines=LINES_300K)
    assert case.repeat_year == 2
    computed = applications.preview_amount(case_id=case.pk, actor=head)
    assert computed.amount == 100_000  # 300,000 × ⅔ = 200,000, capped at the 2nd year's 100,000
    assert [(line.label, line.basis) for line in computed.lines if line.label in ("補助率", "上限額")] == [
        ("補助率", "2年目の補助率 2/3：300,000円 × 2/3（円未満切捨て）"), ("上限額", "2年目の上限額 100,000円を適用")]


def test_a_project_past_the_year_limit_is_refused_before_anything_is_created(open_call, npo, staff,
                                                                              approver) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.selected(open_call, org, head, staff, approver)
    project = ProjectPlan.objects.get(case=case).project
    for ahead in (1, 2):
        steps.selected(_next_year_call(staff, ahead), org, head, staff, approver, project_id=project.pk,
                       amount=100_000)
    fourth = _next_year_call(staff, 3)
    counts = (GrantCase.objects.count(), ProjectPlan.objects.count(), Project.objects.count())
    offer = next(o for o in applications.application_offers(head) if o.call == fourth)
    assert [(c.project, c.year) for c in offer.projects] == [(project, 4)]
    with pytest.raises(applications.ApplicationError, match="4年目になります。この補助金は同一の事業について3年まで"):
        applications.start_application(call_id=fourth.pk, actor=head, organization_id=org.pk, project_id=project.pk)
    assert (GrantCase.objects.count(), ProjectPlan.objects.count(), Project.objects.count()) == counts


def test_offers_list_open_calls_only_for_the_groups_the_user_represents(open_call, npo, npo_b,
                                                                         staff) -> None:  # type: ignore[no-untyped-def]
    builders.call(open_call.programme_year, staff, opens_on=timezone.localdate() - dt.timedelta(days=30),
                  closes_on=timezone.localdate() - dt.timedelta(days=1))
    offers = applications.application_offers(npo[1])
    assert [(o.call, o.group, o.application, o.refusal) for o in offers] == [(open_call, npo[0], None, None)]
    assert applications.application_offers(staff) == []


def test_the_preview_adds_the_line_being_typed_and_writes_nothing(open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)  # 225,000 → ⅔ = 150,000
    cats = builders.categories()
    before = BudgetLine.objects.count()
    computed = applications.preview_amount(case_id=case.pk, actor=head, kind="income", amount=100_000)
    assert computed.amount == 125_000  # min(150,000, 225,000 − 100,000 income) = 125,000
    computed = applications.preview_amount(case_id=case.pk, actor=head, kind="expense",
                                           category_id=cats["hoshohi"].pk, amount=1_500)
    assert computed.amount == 150_000  # 226,500 × ⅔ = 151,000, capped at the 1st year's 150,000
    assert BudgetLine.objects.count() == before
    assert applications.excluded_reason(case, cats["inshokuhi"].pk) == "「飲食費」は補助の対象外です（飲食費は補助の対象になりません）。"
    assert applications.excluded_reason(case, cats["hoshohi"].pk) is None


def test_the_preview_of_another_groups_application_is_not_found(open_call, npo, npo_b) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)
    with pytest.raises(GrantCase.DoesNotExist):
        applications.preview_amount(case_id=case.pk, actor=npo_b[1])


def test_another_groups_head_cannot_save_the_plan(open_call, npo, npo_b) -> None:  # type: ignore[no-untyped-def]
    case = steps.draft(open_call, *npo)
    with pytest.raises(GrantCase.DoesNotExist):
        applications.save_plan(case_id=case.pk, actor=npo_b[1], purpose="乗っ取り")
    assert ProjectPlan.objects.get(case=case).purpose == "子どもと高齢者の交流"


def test_submission_after_the_calls_last_day_is_refused(open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Call.objects.filter(pk=open_call.pk).update(opens_on=yesterday - dt.timedelta(days=30), closes_on=yesterday)
    offer = next(o for o in workflow.offers(COMPETITIVE.machine, case, head) if o.name == "submit")
    assert offer.refusal is not None and "受付期間" in offer.refusal
    with pytest.raises(CaseActionError, match="受付期間（.*）外のため、提出できません。"):
        workflow.perform(COMPETITIVE.machine, case.pk, "submit", actor=head)
    case.refresh_from_db()
    assert (case.status, case.submitted_at) == ("draft", None)


def test_submission_on_the_calls_last_day_is_accepted(open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    today = timezone.localdate()
    Call.objects.filter(pk=open_call.pk).update(opens_on=today - dt.timedelta(days=30), closes_on=today)
    case = workflow.perform(COMPETITIVE.machine, case.pk, "submit", actor=head)
    assert (case.status, case.applied_amount) == ("submitted", 150_000)


def test_submission_without_the_plan_names_the_missing_fields(open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    applications.save_plan(case_id=case.pk, actor=head, expected_effects="", indicators="")
    with pytest.raises(applications.ApplicationError, match="「期待される効果」「成果の指標」を入力してから提出"):
        workflow.perform(COMPETITIVE.machine, case.pk, "submit", actor=head)
    assert GrantCase.objects.get(pk=case.pk).status == "draft"


# -- 添付書類 (applications.attach / remove_attachment) ----------------------------------------------------------

def _attachment_counts() -> tuple[int, int]:
    return (ApplicationAttachment.objects.count(),
            AuditEvent.objects.filter(action__contains="application_attachment").count())


def test_the_group_attaches_a_file_to_its_draft_with_an_audit_row(open_call, npo, media) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    attachment = applications.attach(case_id=case.pk, actor=head, title=" 見積書（会場使用料） ",
                                     file=builders.pdf("mitsumori.pdf"))
    assert (attachment.case, attachment.title, attachment.uploaded_by) == (case, "見積書（会場使用料）", head)
    assert attachment.file.name.startswith(f"applications/{case.pk}/") and attachment.file.name.endswith(".pdf")
    assert attachment.size == len(builders.pdf().read())
    assert list(case.application_attachments.all()) == [attachment]
    assert _attachment_counts() == (1, 1)


def test_the_group_removes_an_attachment_of_its_draft_and_its_file(open_call, npo, media,
                                                                   django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    attachment = applications.attach(case_id=case.pk, actor=head, title="チラシ案", file=builders.pdf())
    path = attachment.file.path
    with django_capture_on_commit_callbacks(execute=True):
        applications.remove_attachment(case_id=case.pk, actor=head, attachment_id=attachment.pk)
    assert not case.application_attachments.exists() and not os.path.exists(path)
    assert _attachment_counts() == (0, 2)


def test_a_double_click_stores_one_attachment(open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    first = applications.attach(case_id=case.pk, actor=head, title="見積書", file=builders.pdf())
    second = applications.attach(case_id=case.pk, actor=head, title="見積書", file=builders.pdf())
    other = applications.attach(case_id=case.pk, actor=head, title="チラシ案", file=builders.pdf())
    assert second == first and other != first
    assert _attachment_counts() == (2, 2)


def test_attaching_and_removing_are_refused_after_submission(open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    attachment = applications.attach(case_id=case.pk, actor=head, title="見積書", file=builders.pdf())
    workflow.perform(COMPETITIVE.machine, case.pk, "submit", actor=head)
    with pytest.raises(CaseActionError, match="提出前の申請でのみ"):
        applications.attach(case_id=case.pk, actor=head, title="チラシ案", file=builders.pdf())
    with pytest.raises(CaseActionError, match="提出前の申請でのみ"):
        applications.remove_attachment(case_id=case.pk, actor=head, attachment_id=attachment.pk)
    assert list(case.application_attachments.all()) == [attachment]
    assert _attachment_counts() == (1, 1)


def test_another_groups_head_may_neither_attach_nor_remove(open_call, npo, npo_b) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    _, other_head = npo_b
    case = steps.draft(open_call, org, head)
    attachment = applications.attach(case_id=case.pk, actor=head, title="見積書", file=builders.pdf())
    with pytest.raises(GrantCase.DoesNotExist):
        applications.attach(case_id=case.pk, actor=other_head, title="偽の見積書", file=builders.pdf())
    with pytest.raises(GrantCase.DoesNotExist):
        applications.remove_attachment(case_id=case.pk, actor=other_head, attachment_id=attachment.pk)
    assert _attachment_counts() == (1, 1)


def test_staff_may_attach_to_a_draft_but_an_auditor_may_not(open_call, npo, staff, auditor) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    assert applications.attach(case_id=case.pk, actor=staff, title="会場の資料", file=builders.pdf()).uploaded_by == staff
    with pytest.raises(CaseActionError):
        applications.attach(case_id=case.pk, actor=auditor, title="見積書", file=builders.pdf())
    assert _attachment_counts() == (1, 1)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("script.html", b"<html><script>alert(1)</script>", "ファイル: PDF・Word・Excel・画像"),
    ("fake.pdf", b"MZ\x90\x00 not a pdf", "ファイル: ファイルの中身が拡張子"),
    ("empty.pdf", b"", "ファイル: 空のファイル"),
])
def test_a_bad_file_is_refused_naming_the_field_and_nothing_is_stored(open_call, npo, name, data,
                                                                     message) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    with pytest.raises(applications.ApplicationError, match=message):
        applications.attach(case_id=case.pk, actor=head, title="見積書", file=SimpleUploadedFile(name, data))
    assert _attachment_counts() == (0, 0)


def test_a_title_is_required_and_at_most_200_characters(open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.draft(open_call, org, head)
    for title in ("  ", "あ" * 201):
        with pytest.raises(applications.ApplicationError, match="書類名: 200文字以内"):
            applications.attach(case_id=case.pk, actor=head, title=title, file=builders.pdf())
    assert _attachment_counts() == (0, 0)


def test_a_clerk_or_treasurer_cannot_start_the_groups_application(open_call, npo) -> None:  # type: ignore[no-untyped-def]
    """Attack: a 担当者 (or 会計) of the group started its application to a call the head had not chosen; the draft
    took the group's one case of the 年度 (no other call could be applied to) and cannot be withdrawn."""
    org, head = npo
    for role in (MemberRole.CLERK, MemberRole.TREASURER):
        member = factories.UserFactory(username=f"member-{role}", role=Role.ASSOCIATION_HEAD)
        factories.RepresentativeFactory(organization=org, user=member, role=role, title="")
        events = AuditEvent.objects.count()
        with pytest.raises(applications.ApplicationError, match="代表者が行います"):
            applications.start_application(call_id=open_call.pk, actor=member, organization_id=org.pk,
                                           project_title="担当者が始めた申請")
        assert (GrantCase.objects.count(), Project.objects.count(), AuditEvent.objects.count()) == (0, 0, events)
    applications.start_application(call_id=open_call.pk, actor=head, organization_id=org.pk, project_title="交流会")
    assert GrantCase.objects.filter(organization=org).count() == 1
