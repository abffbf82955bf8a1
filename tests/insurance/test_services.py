"""事故報告書 through the services: who may file it, the policy and due date of the accident day, the fields,
the people involved, the attachments, submission on time or late (遅延理由書), return, withdrawal and the
受付番号. Every refusal writes nothing."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from grants.accounts.models import Role
from grants.core.models import AuditEvent
from grants.core.uploads import MAX_UPLOAD_BYTES
from grants.insurance import claims, machines, services
from grants.insurance.machines import InsuranceError
from grants.insurance.models import AccidentReport, AttachmentKind, ClaimStatus, ReportAttachment, ReportStatus
from tests import factories
from tests.concurrency import run_together
from tests.factories import CURRENT_FY
from tests.insurance import builders
from tests.insurance.builders import days_ago, today
from tests.insurance.support import nothing_written, on_day

D = dt.date


LATE_REASON = "事故の後、けがをした会員の入院に付き添っていたため、報告が遅れました。"


@pytest.fixture
def other_association(db):  # type: ignore[no-untyped-def]
    return factories.AssociationFactory()


def _short(value: object) -> str | None:
    """A readable test id for a long text payload."""
    return f"{len(value)}字" if isinstance(value, str) and len(value) > 20 else None


def _actions(report: AccidentReport) -> list[str]:
    return list(AuditEvent.objects.for_object(report).values_list("action", flat=True))


@pytest.mark.django_db
def test_the_head_starts_a_report_of_their_own_group(association, association_head, policy) -> None:
    accident = days_ago(5)
    report = services.create_report(actor=association_head, organization=association,
                                    data=builders.report_data(accident_date=accident))
    assert (report.status, report.policy, report.serial, report.created_by) == (
        ReportStatus.DRAFT, policy, 1, association_head)
    assert report.due_date == accident + dt.timedelta(days=19)
    assert (report.filed_on, report.is_late) == (None, False)
    assert _actions(report) == ["insurance_create_report"]


@pytest.mark.django_db
def test_the_head_cannot_start_a_report_for_another_group(association_head, other_association, policy) -> None:
    with nothing_written(), pytest.raises(InsuranceError, match="権限がありません"):
        services.create_report(actor=association_head, organization=other_association,
                               data=builders.report_data())


@pytest.mark.django_db
def test_insurance_enters_a_paper_report_for_any_group(insurance, association, other_association, policy) -> None:
    first = services.create_report(actor=insurance, organization=association, data=builders.report_data())
    second = services.create_report(actor=insurance, organization=other_association, data=builders.report_data())
    assert (first.organization, second.organization) == (association, other_association)
    assert first.created_by == second.created_by == insurance


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STAFF, Role.APPROVER, Role.FINANCE, Role.AUDITOR])
def test_grant_roles_cannot_start_a_report(role, association, policy) -> None:  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username=f"city-{role}", role=role)
    with nothing_written(), pytest.raises(InsuranceError, match="権限がありません"):
        services.create_report(actor=user, organization=association, data=builders.report_data())


@pytest.mark.django_db
def test_a_day_outside_every_policy_is_refused(association, association_head, policy) -> None:
    # the test policy starts 400 days ago
    with nothing_written(), pytest.raises(InsuranceError, match="事故の日: .*保険契約が登録されていません"):
        services.create_report(actor=association_head, organization=association,
                               data=builders.report_data(accident_date=days_ago(401)))


@pytest.mark.django_db
def test_a_future_accident_day_is_refused(association, association_head, policy) -> None:
    tomorrow = today() + dt.timedelta(days=1)
    with nothing_written(), pytest.raises(InsuranceError, match="事故の日: 今日より後"):
        services.create_report(actor=association_head, organization=association,
                               data=builders.report_data(accident_date=tomorrow))


@pytest.mark.django_db
@pytest.mark.parametrize("value", [None, "2026-05-01", dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)])
def test_the_accident_day_must_be_a_date(value, association, association_head, policy) -> None:  # type: ignore[no-untyped-def]
    with nothing_written(), pytest.raises(InsuranceError, match="事故の日: 日付を入力してください"):
        services.create_report(actor=association_head, organization=association,
                               data=builders.report_data(accident_date=value))


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "label"), [
    ("activity_name", "", "活動の名称"),
    ("activity_name", "あ" * 101, "活動の名称"),
    ("plan_entry", "", "年間事業計画での位置づけ"),
    ("place", "あ" * 201, "場所（どこで）"),
    ("who", "", "だれが"),
    ("reward", "bonus", "謝礼・報酬"),
    ("participants_count", -1, "参加者数（人）"),
    ("activity_description", "あ" * 2001, "活動の内容"),
    ("how", "あ" * 2001, "どうして（事故の原因・状況）"),
    ("outcome", "あ" * 2001, "どうなった（けが・損害の内容）"),
], ids=_short)
def test_a_wrong_field_is_named_in_the_error(field, value, label, association, association_head, policy) -> None:  # type: ignore[no-untyped-def]
    with nothing_written(), pytest.raises(InsuranceError, match=f"^{label}: "):
        services.create_report(actor=association_head, organization=association,
                               data=builders.report_data(**{field: value}))


@pytest.mark.django_db
def test_text_at_its_limit_is_accepted(association, association_head, policy) -> None:
    report = services.create_report(actor=association_head, organization=association, data=builders.report_data(
        how="あ" * 2000, place="い" * 200, activity_name="う" * 100))
    assert len(AccidentReport.objects.get(pk=report.pk).how) == 2000


@pytest.fixture
def two_rules(db):  # type: ignore[no-untyped-def]
    twenty = builders.policy(fiscal_year=2022, policy_number="T-2022", period_start=D(2022, 4, 1),
                             period_end=D(2023, 3, 31), report_due_days=20)
    ten = builders.policy(fiscal_year=2023, policy_number="T-2023", period_start=D(2023, 4, 1),
                          period_end=D(2024, 3, 31), report_due_days=10)
    return twenty, ten


@pytest.mark.django_db
@pytest.mark.parametrize(("accident", "due", "fiscal_year"), [
    (D(2022, 4, 1), D(2022, 4, 20), 2022),  # 20 days: 4/1 … 4/20
    (D(2022, 5, 20), D(2022, 6, 8), 2022),  # month end: 5/20 + 19 (12 days of May, 8 of June)
    (D(2022, 12, 25), D(2023, 1, 13), 2022),  # year end: 12/25 + 19
    (D(2023, 2, 10), D(2023, 3, 1), 2022),  # 2023 is not a leap year: 2/10 + 19 = 3/1
    (D(2023, 3, 31), D(2023, 4, 19), 2022),  # the last day of the period: the deadline leaves it
    (D(2023, 4, 1), D(2023, 4, 10), 2023),  # 10 days: 4/1 … 4/10
    (D(2023, 12, 28), D(2024, 1, 6), 2023),  # year end: 12/28 + 9
    (D(2024, 2, 20), D(2024, 2, 29), 2023),  # 2024 is a leap year: 2/20 + 9 = 2/29
    (D(2024, 2, 25), D(2024, 3, 5), 2023),  # across 29 February: 2/25 + 9 = 3/5
])
def test_the_due_date_counts_the_accident_day(two_rules, accident, due, fiscal_year, insurance, association) -> None:  # type: ignore[no-untyped-def]
    report = services.create_report(actor=insurance, organization=association,
                                    data=builders.report_data(accident_date=accident))
    assert (report.policy.fiscal_year, report.due_date) == (fiscal_year, due)


@pytest.mark.django_db
def test_serial_numbers_run_per_policy(two_rules, insurance, association) -> None:
    numbers = [services.create_report(actor=insurance, organization=association,
                                      data=builders.report_data(accident_date=day)).number
               for day in (D(2022, 6, 1), D(2023, 6, 1), D(2022, 7, 1), D(2022, 8, 1), D(2023, 7, 1))]
    assert numbers == ["2022-0001", "2023-0001", "2022-0002", "2022-0003", "2023-0002"]


@pytest.mark.django_db
def test_the_number_is_the_fiscal_year_and_four_digits(insurance, association, policy) -> None:
    reports = [services.create_report(actor=insurance, organization=association, data=builders.report_data())
               for _ in range(3)]
    assert [r.serial for r in reports] == [1, 2, 3]
    assert reports[2].number == f"{CURRENT_FY}-0003"
    assert str(reports[2]) == f"事故報告 {CURRENT_FY}-0003"


@pytest.mark.django_db
def test_a_draft_is_edited_and_the_due_date_follows_the_accident_day(association, association_head, policy) -> None:
    report = builders.draft_report(association_head, association, accident_date=days_ago(5))
    services.update_report(actor=association_head, report_id=report.pk,
                           data={"accident_date": days_ago(8), "place": "市民館前の広場"})
    report.refresh_from_db()
    assert (report.accident_date, report.due_date, report.place) == (days_ago(8), days_ago(8) + dt.timedelta(19),
                                                                      "市民館前の広場")
    assert _actions(report)[-1] == "insurance_update_report"


@pytest.mark.django_db
def test_a_returned_report_can_be_edited(association, association_head, insurance, policy) -> None:
    report = builders.draft_report(association_head, association)
    services.submit_report(actor=association_head, report_id=report.pk)
    services.return_report(actor=insurance, report_id=report.pk, note="参加者名簿が前年度のものです。")
    services.update_report(actor=association_head, report_id=report.pk, data={"participants_count": 30})
    assert AccidentReport.objects.get(pk=report.pk).participants_count == 30


@pytest.mark.django_db
def test_a_submitted_report_cannot_be_edited(association, association_head, policy) -> None:
    report = builders.draft_report(association_head, association)
    services.submit_report(actor=association_head, report_id=report.pk)
    with nothing_written(report), pytest.raises(InsuranceError, match="提出後の事故報告書は変更できません"):
        services.update_report(actor=association_head, report_id=report.pk, data={"place": "別の場所"})


@pytest.mark.django_db
def test_a_judged_report_cannot_be_edited_even_by_insurance(association, association_head, insurance,
                                                            policy) -> None:
    report = builders.covered_report(association_head, insurance, association)
    with nothing_written(report), pytest.raises(InsuranceError, match="変更できません"):
        services.update_report(actor=insurance, report_id=report.pk, data={"place": "別の場所"})


@pytest.mark.django_db
def test_the_accident_day_cannot_move_to_another_policy_period(association, association_head, policy) -> None:
    builders.policy(fiscal_year=CURRENT_FY - 2, policy_number="T-OLD", period_start=days_ago(800),
                    period_end=days_ago(401))
    report = builders.draft_report(association_head, association)
    with nothing_written(report), pytest.raises(InsuranceError, match="事故の日: 別の保険期間"):
        services.update_report(actor=association_head, report_id=report.pk, data={"accident_date": days_ago(410)})


@pytest.mark.django_db
def test_an_edit_with_a_bad_field_changes_nothing(association, association_head, policy) -> None:
    report = builders.draft_report(association_head, association)
    with nothing_written(report), pytest.raises(InsuranceError, match="^だれが: "):
        services.update_report(actor=association_head, report_id=report.pk, data={"place": "広場", "who": ""})


@pytest.mark.django_db
def test_another_groups_head_does_not_see_the_report(association, association_head, other_association,
                                                     policy) -> None:
    report = builders.draft_report(association_head, association)
    head = factories.UserFactory(username="head-other", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=other_association, user=head)
    with nothing_written(report), pytest.raises(AccidentReport.DoesNotExist):
        services.update_report(actor=head, report_id=report.pk, data={"place": "別の場所"})
    with nothing_written(report), pytest.raises(AccidentReport.DoesNotExist):
        services.submit_report(actor=head, report_id=report.pk)


def _person(**fields: object) -> dict[str, object]:
    values: dict[str, object] = {"role": "participant", "harm": "injury", "name": "佐藤 花子",
                                 "name_kana": "さとう はなこ", "birth_date": D(1955, 7, 7), "detail": "左手首の捻挫"}
    values.update(fields)
    return values


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "harm"), [
    ("leader", "injury"), ("leader", "none"), ("participant", "injury"), ("participant", "none"),
    ("third_party", "bodily"), ("third_party", "property"), ("third_party", "none"),
])
def test_roles_and_harms_that_go_together(role, harm, association, association_head, policy) -> None:  # type: ignore[no-untyped-def]
    report = builders.draft_report(association_head, association, persons={})
    person = services.add_person(actor=association_head, report_id=report.pk, data=_person(role=role, harm=harm))
    assert (person.role, person.harm, person.report_id) == (role, harm, report.pk)
    assert _actions(report)[-1] == "insurance_add_person"


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "harm"), [
    ("third_party", "injury"), ("participant", "bodily"), ("participant", "property"), ("leader", "bodily"),
    ("leader", "property"),
])
def test_roles_and_harms_that_do_not(role, harm, association, association_head, policy) -> None:  # type: ignore[no-untyped-def]
    report = builders.draft_report(association_head, association, persons={})
    with nothing_written(report), pytest.raises(InsuranceError, match="^けが・損害: "):
        services.add_person(actor=association_head, report_id=report.pk, data=_person(role=role, harm=harm))


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "message"), [
    ({"birth_date": "tomorrow"}, "^生年月日: 今日より後"),
    ({"name": ""}, "^氏名: "),
    ({"role": "spectator"}, "^立場: "),
    ({"phone": "0" * 31}, "^電話番号: "),
    ({"detail": "あ" * 2001}, "^けが・損害の内容: "),
], ids=["future-birth-date", "no-name", "unknown-role", "long-phone", "long-detail"])
def test_a_wrong_person_is_refused(fields, message, association, association_head, policy) -> None:  # type: ignore[no-untyped-def]
    if fields.get("birth_date") == "tomorrow":
        fields = {"birth_date": today() + dt.timedelta(days=1)}
    report = builders.draft_report(association_head, association, persons={})
    with nothing_written(report), pytest.raises(InsuranceError, match=message):
        services.add_person(actor=association_head, report_id=report.pk, data=_person(**fields))


@pytest.mark.django_db
def test_a_person_is_removed_from_their_own_report_only(association, association_head, policy) -> None:
    report = builders.draft_report(association_head, association)
    other = builders.draft_report(association_head, association)
    stranger = other.persons.get()
    with nothing_written(report, other), pytest.raises(InsuranceError, match="^関係者: "):
        services.remove_person(actor=association_head, report_id=report.pk, person_id=stranger.pk)
    services.remove_person(actor=association_head, report_id=report.pk, person_id=report.persons.get().pk)
    assert report.persons.count() == 0
    assert other.persons.count() == 1
    assert _actions(report)[-1] == "insurance_remove_person"


@pytest.mark.django_db
def test_no_people_change_after_submission(association, association_head, policy) -> None:
    report = builders.draft_report(association_head, association)
    services.submit_report(actor=association_head, report_id=report.pk)
    person = report.persons.get()
    with nothing_written(report), pytest.raises(InsuranceError, match="関係者を追加できません"):
        services.add_person(actor=association_head, report_id=report.pk, data=_person())
    with nothing_written(report, person), pytest.raises(InsuranceError, match="関係者は削除できません"):
        services.remove_person(actor=association_head, report_id=report.pk, person_id=person.pk)


def _attach(actor, report, upload, kind: str = AttachmentKind.BYLAWS, title: str = "会則"):  # type: ignore[no-untyped-def]
    return services.add_attachment(actor=actor, report_id=report.pk, kind=kind, title=title, upload=upload)


@pytest.mark.django_db
def test_a_document_is_attached_with_its_kind(association, association_head, policy, media) -> None:
    report = builders.draft_report(association_head, association, attachments=False)
    docx = SimpleUploadedFile("名簿.DOCX", b"PK\x03\x04rest-of-a-docx")
    attachment = _attach(association_head, report, docx, kind=AttachmentKind.MEMBER_LIST, title="会員名簿（4月1日現在）")
    assert (attachment.kind, attachment.title, attachment.uploaded_by) == (
        "member_list", "会員名簿（4月1日現在）", association_head)
    assert attachment.file.name.endswith(".docx")
    assert attachment.file.storage.exists(attachment.file.name)
    assert _actions(report)[-1] == "insurance_add_attachment"


@pytest.mark.django_db
@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("setup.exe", b"MZ\x90\x00"), "ファイル: PDF・Word・Excel・画像"),
    (SimpleUploadedFile("memo.txt", b"hello"), "ファイル: PDF・Word・Excel・画像"),
    (SimpleUploadedFile("kaisoku.pdf", b"MZ\x90\x00\x03\x00\x00\x00"), "ファイル: ファイルの中身が拡張子"),
    (SimpleUploadedFile("page.pdf", b"<html><script>alert(1)</script>"), "ファイル: ファイルの中身が拡張子"),
    (SimpleUploadedFile("empty.pdf", b""), "ファイル: 空のファイル"),
    (None, "ファイル: ファイルを選んでください"),
])
def test_a_file_that_cannot_be_kept_is_refused(upload, message, association, association_head, policy,  # type: ignore[no-untyped-def]
                                               media) -> None:
    report = builders.draft_report(association_head, association, attachments=False)
    with nothing_written(report), pytest.raises(InsuranceError, match=message):
        _attach(association_head, report, upload)
    assert not (media / "insurance").exists()


@pytest.mark.django_db
def test_a_file_over_ten_megabytes_is_refused(association, association_head, policy, media) -> None:
    report = builders.draft_report(association_head, association, attachments=False)
    big = builders.pdf()
    big.size = MAX_UPLOAD_BYTES + 1  # the content is not read before the size is checked
    with nothing_written(report), pytest.raises(InsuranceError, match="ファイル: 10MB以下"):
        _attach(association_head, report, big)
    exactly = builders.pdf()
    exactly.size = MAX_UPLOAD_BYTES
    assert _attach(association_head, report, exactly).pk


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "title", "message"), [
    ("photo", "写真", "^書類: "), ("bylaws", "", "^内容: 入力"), ("bylaws", "あ" * 201, "^内容: 200文字"),
], ids=_short)
def test_an_attachment_needs_a_known_kind_and_a_title(kind, title, message, association, association_head,  # type: ignore[no-untyped-def]
                                                      policy, media) -> None:
    report = builders.draft_report(association_head, association, attachments=False)
    with nothing_written(report), pytest.raises(InsuranceError, match=message):
        _attach(association_head, report, builders.pdf(), kind=kind, title=title)


@pytest.mark.django_db
def test_removing_an_attachment_deletes_the_file_after_commit(association, association_head, policy, media,
                                                              django_capture_on_commit_callbacks) -> None:
    report = builders.draft_report(association_head, association, attachments=False)
    attachment = _attach(association_head, report, builders.pdf())
    storage, name = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.remove_attachment(actor=association_head, report_id=report.pk, attachment_id=attachment.pk)
    assert not ReportAttachment.objects.filter(pk=attachment.pk).exists()
    assert storage.exists(name)  # not before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert not storage.exists(name)
    assert _actions(report)[-1] == "insurance_remove_attachment"


@pytest.mark.django_db
def test_attachments_are_fixed_once_submitted(association, association_head, policy, media) -> None:
    report = builders.draft_report(association_head, association)
    services.submit_report(actor=association_head, report_id=report.pk)
    attachment = report.attachments.first()
    with nothing_written(report), pytest.raises(InsuranceError, match="書類を追加できません"):
        _attach(association_head, report, builders.pdf())
    with nothing_written(report, attachment), pytest.raises(InsuranceError, match="書類は削除できません"):
        services.remove_attachment(actor=association_head, report_id=report.pk, attachment_id=attachment.pk)
    assert attachment.file.storage.exists(attachment.file.name)


@pytest.mark.django_db
def test_an_attachment_of_another_report_cannot_be_removed(association, association_head, policy, media) -> None:
    report = builders.draft_report(association_head, association, attachments=False)
    other = builders.draft_report(association_head, association)
    foreign = other.attachments.first()
    with nothing_written(report, foreign), pytest.raises(InsuranceError, match="^書類: この事故報告書の書類"):
        services.remove_attachment(actor=association_head, report_id=report.pk, attachment_id=foreign.pk)


@pytest.mark.django_db
def test_an_empty_report_lists_everything_it_lacks(association, association_head, policy) -> None:
    report = services.create_report(actor=association_head, organization=association,
                                    data=builders.report_data(kind_injury=False))
    assert services.missing_for_submission(report) == [
        "事故の種類（傷害・賠償（身体）・賠償（財物））を一つ以上選んでください。",
        "関係者を一人以上登録してください。",
        "添付書類「会則・規約」を登録してください。",
        "添付書類「会員名簿」を登録してください。",
        "添付書類「年間事業計画」を登録してください。",
        "添付書類「参加者名簿」を登録してください。",
    ]
    with nothing_written(report), pytest.raises(InsuranceError, match="^提出できません。事故の種類.*参加者名簿"):
        services.submit_report(actor=association_head, report_id=report.pk)


@pytest.mark.django_db
def test_kinds_and_people_must_agree(association, association_head, policy, media) -> None:
    # kind 傷害 and 賠償（財物） ticked; the only harmed person is a third party with bodily harm
    report = builders.draft_report(association_head, association, persons={"鈴木 一郎": "bodily"},
                                   kind_liability_property=True)
    assert services.missing_for_submission(report) == [
        "事故の種類「傷害」に当たる関係者（本人のけが（傷害保険））を登録してください。",
        "関係者に「第三者のけが（賠償責任・身体）」の人がいます。事故の種類「賠償（身体）」も選んでください。",
        "事故の種類「賠償（財物）」に当たる関係者（第三者の物の損害（賠償責任・財物））を登録してください。",
    ]


@pytest.mark.django_db
def test_one_missing_attachment_is_named(association, association_head, policy, media) -> None:
    report = builders.draft_report(association_head, association)
    services.remove_attachment(actor=association_head, report_id=report.pk,
                               attachment_id=report.attachments.get(kind="annual_plan").pk)
    assert services.missing_for_submission(report) == ["添付書類「年間事業計画」を登録してください。"]


@pytest.mark.django_db
def test_a_report_on_time_is_not_flagged(association, association_head, policy, media) -> None:
    report = builders.draft_report(association_head, association, accident_date=days_ago(19))  # due today
    services.submit_report(actor=association_head, report_id=report.pk, delay_reason="念のため")
    report.refresh_from_db()
    assert (report.status, report.filed_on, report.is_late, report.delay_reason) == (
        ReportStatus.SUBMITTED, today(), False, "")
    assert report.submitted_by == association_head
    event = AuditEvent.objects.for_object(report).last()
    assert (event.action, event.from_state, event.to_state, event.note) == (
        "insurance_submit_report", "draft", "submitted", "")


@pytest.mark.django_db
def test_a_late_report_needs_its_reason(association, association_head, policy, media) -> None:
    report = builders.draft_report(association_head, association, accident_date=days_ago(20))  # due yesterday
    with nothing_written(report), pytest.raises(InsuranceError, match="^遅延理由書: 報告期限（.*）を過ぎています"):
        services.submit_report(actor=association_head, report_id=report.pk, delay_reason="  ")
    services.submit_report(actor=association_head, report_id=report.pk, delay_reason=LATE_REASON)
    report.refresh_from_db()
    assert (report.is_late, report.delay_reason, report.filed_on) == (True, LATE_REASON, today())
    assert AuditEvent.objects.for_object(report).last().note == "期限後の報告"


@pytest.mark.django_db
def test_a_resubmission_keeps_the_first_filing_day(association, association_head, insurance, policy, media,
                                                   monkeypatch) -> None:
    # accident 25 days ago, due 6 days ago; first filed 10 days ago (on time), returned, filed again today
    accident, first_filing = days_ago(25), days_ago(10)
    report = builders.draft_report(association_head, association, accident_date=accident)
    with monkeypatch.context() as m:
        on_day(m, first_filing)
        services.submit_report(actor=association_head, report_id=report.pk)
    services.return_report(actor=insurance, report_id=report.pk, note="会員名簿の添付が漏れています。")
    services.submit_report(actor=association_head, report_id=report.pk)
    report.refresh_from_db()
    assert (report.status, report.filed_on, report.is_late, report.delay_reason) == (
        ReportStatus.SUBMITTED, first_filing, False, "")


@pytest.mark.django_db
def test_a_late_first_filing_stays_late_and_keeps_its_reason(association, association_head, insurance, policy,
                                                             media) -> None:
    report = builders.draft_report(association_head, association, accident_date=days_ago(30))
    services.submit_report(actor=association_head, report_id=report.pk, delay_reason=LATE_REASON)
    services.return_report(actor=insurance, report_id=report.pk, note="写真を添付してください。")
    services.submit_report(actor=association_head, report_id=report.pk)
    report.refresh_from_db()
    assert (report.is_late, report.delay_reason) == (True, LATE_REASON)


@pytest.mark.django_db
def test_a_submitted_report_is_not_submitted_twice(association, association_head, policy, media) -> None:
    report = builders.draft_report(association_head, association)
    services.submit_report(actor=association_head, report_id=report.pk)
    with nothing_written(report), pytest.raises(InsuranceError, match="提出済みです"):
        services.submit_report(actor=association_head, report_id=report.pk)


@pytest.mark.django_db
def test_only_insurance_returns_a_submitted_report_with_a_reason(association, association_head, insurance, staff,
                                                                 policy, media) -> None:
    report = builders.draft_report(association_head, association)
    with nothing_written(report), pytest.raises(InsuranceError, match="差し戻せるのは提出済み"):
        services.return_report(actor=insurance, report_id=report.pk, note="修正してください。")
    services.submit_report(actor=association_head, report_id=report.pk)
    for user in (association_head, staff):
        with nothing_written(report), pytest.raises(InsuranceError, match="保険担当のみ"):
            services.return_report(actor=user, report_id=report.pk, note="修正してください。")
    with nothing_written(report), pytest.raises(InsuranceError, match="^差戻しの理由: 入力"):
        services.return_report(actor=insurance, report_id=report.pk, note="")
    services.return_report(actor=insurance, report_id=report.pk, note="会則の写しが読めません。")
    report.refresh_from_db()
    assert (report.status, report.returned_note) == (ReportStatus.RETURNED, "会則の写しが読めません。")


@pytest.mark.django_db
@pytest.mark.parametrize("stage", ["draft", "submitted", "returned"])
def test_a_report_is_withdrawn_before_judgment(stage, association, association_head, insurance, policy, media) -> None:  # type: ignore[no-untyped-def]
    report = builders.draft_report(association_head, association)
    if stage != "draft":
        services.submit_report(actor=association_head, report_id=report.pk)
    if stage == "returned":
        services.return_report(actor=insurance, report_id=report.pk, note="写真を添付してください。")
    services.withdraw_report(actor=association_head, report_id=report.pk, reason="けがが軽く、請求しないため。")
    report.refresh_from_db()
    assert report.status == ReportStatus.WITHDRAWN
    event = AuditEvent.objects.for_object(report).last()
    assert (event.action, event.from_state, event.note) == (
        "insurance_withdraw_report", stage, "けがが軽く、請求しないため。")


@pytest.mark.django_db
def test_a_judged_report_cannot_be_withdrawn(association, association_head, insurance, policy, media) -> None:
    report = builders.covered_report(association_head, insurance, association)
    with nothing_written(report), pytest.raises(InsuranceError, match="判定後の事故報告書は取り下げられません"):
        services.withdraw_report(actor=association_head, report_id=report.pk, reason="取り下げます。")


@pytest.mark.django_db
def test_a_withdrawal_needs_a_reason(association, association_head, policy, media) -> None:
    report = builders.draft_report(association_head, association)
    with nothing_written(report), pytest.raises(InsuranceError, match="^取下げの理由: 入力"):
        services.withdraw_report(actor=association_head, report_id=report.pk, reason="")


@pytest.mark.django_db
@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_reports_started_at_once_get_two_serials(association, association_head, insurance, policy) -> None:
    for _ in range(3):
        outcomes = run_together(
            lambda: services.create_report(actor=association_head, organization=association,
                                           data=builders.report_data()),
            lambda: services.create_report(actor=insurance, organization=association, data=builders.report_data()))
        assert all(isinstance(o, AccidentReport) for o in outcomes), outcomes
    assert sorted(AccidentReport.objects.values_list("serial", flat=True)) == [1, 2, 3, 4, 5, 6]


# A double click on 「保存する」 of a new 事故報告書 makes one report: tests/pages/test_double_submission.py.


# The administrator is not a 保険担当: the admin's audit trail (監査証跡) leaves out the insurance events, whose
# notes may speak of an injured person, and a withdrawn report says so when submitted again.


@pytest.mark.django_db
def test_a_withdrawn_report_is_not_submitted_again(association, association_head, policy, media):
    report = builders.draft_report(association_head, association)
    services.withdraw_report(actor=association_head, report_id=report.pk, reason="誤って作成したため")
    with pytest.raises(InsuranceError, match="^取り下げた事故報告書は提出できません。$"):
        services.submit_report(actor=association_head, report_id=report.pk)


# The whole path through the services, from the group's report to the recorded payment.


@pytest.mark.django_db
def test_report_to_payment(association, association_head, insurance, policy, media):
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=10)
    # 通院 10日 × 2,000円 = 20,000円
    assert claim.status == ClaimStatus.FILED
    assert claim.computed_amount == 20_000
    assert claim.report.status == ReportStatus.COVERED
    claims.forward_claim(actor=insurance, claim_id=claim.pk, insurer_reference="A-1")
    paid = claims.record_payment(actor=insurance, claim_id=claim.pk, paid_on=builders.today(), amount=20_000)
    assert paid.status == ClaimStatus.PAID
    assert machines.visible_reports(association_head).count() == 1
