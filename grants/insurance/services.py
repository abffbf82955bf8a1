"""The accident report (事故報告書) and the judgment of eligibility (GRANTS.md §6): who may see a report, filing
by the group, the due date and the 遅延理由書, return, withdrawal, and the 保険担当's judgment on every condition
and exclusion of the policy.

Every act locks the report row, checks who may take it, writes an audit row (``record_event``) and happens in one
transaction; errors raise ``InsuranceError`` with a Japanese message that names the field, and write nothing.
A report the user may not see raises ``AccidentReport.DoesNotExist`` (views answer 404).
"""
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import jaconv
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.fiscal import wareki
from grants.core.models import concrete_field, record_event
from grants.core.uploads import DOCUMENTS, UploadError, check_upload
from grants.organizations.models import Organization, Representative

from .deadlines import report_due
from .machines import ACCIDENT_REPORT, InsuranceError
from .models import (
    HARMS_BY_ROLE,
    REQUIRED_ATTACHMENTS,
    AccessKind,
    AccidentReport,
    AttachmentKind,
    Claim,
    ConditionKind,
    Finding,
    Harm,
    InsurancePolicy,
    InvolvedPerson,
    Judgment,
    PersonalDataAccess,
    PolicyCondition,
    ReportAttachment,
)

# Fields of the report the group writes (the rest are set by the services).
REPORT_FIELDS = ("activity_name", "plan_entry", "activity_description", "reward", "participants_count",
                 "accident_date", "accident_time", "place", "who", "how", "outcome", "kind_injury",
                 "kind_liability_bodily", "kind_liability_property")
PERSON_FIELDS = ("role", "harm", "name", "name_kana", "birth_date", "address", "phone", "detail")
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
# ふりがな once katakana is turned into hiragana: hiragana, 「ー」, 「・」 (a foreign name's reading) and spaces.
KANA = re.compile(r"[\u3041-\u3096\u309d\u309e\u30fc\u30fb \u3000]*")


# -- who sees what ---------------------------------------------------------------------------------------------

def represented_organizations(user: User) -> QuerySet[Organization]:
    """Organisations ``user`` represents today (an association head may represent more than one)."""
    return Organization.objects.filter(
        pk__in=Representative.objects.current().filter(user=user).values("organization_id"))


def access_report(user: User, pk: int, *, for_update: bool = False) -> AccidentReport:
    """The report ``pk`` if ``user`` may see it, else ``AccidentReport.DoesNotExist``. ``for_update`` locks
    the row (call inside a transaction)."""
    return workflow.access(ACCIDENT_REPORT, user, pk, lock=for_update)


def log_access(user: User, report: AccidentReport, kind: str, *, claim: Claim | None = None,
               detail: str = "") -> PersonalDataAccess:
    """Record one view of personal data (個人情報の閲覧記録) before it is shown. ``kind``: an ``AccessKind``."""
    if kind not in AccessKind.values:
        raise ValueError(f"unknown access kind {kind!r}")
    return PersonalDataAccess.objects.create(user=user, report=report, claim=claim, kind=kind, detail=detail[:200])


def _may_act_for(user: User, organization: Organization) -> None:
    if user.role == Role.INSURANCE:
        return
    if user.role == Role.ASSOCIATION_HEAD and represented_organizations(user).filter(pk=organization.pk).exists():
        return
    raise InsuranceError("この団体の事故報告書を作成・変更する権限がありません。")


def _insurance_only(user: User) -> None:
    if user.role != Role.INSURANCE:
        raise InsuranceError("この操作は保険担当のみが行えます。")


def _validated(instance: models.Model, fields: tuple[str, ...]) -> None:
    """Run the model's field validation on ``fields``; a failure becomes an InsuranceError naming the field."""
    exclude = [f.name for f in instance._meta.fields if f.name not in fields]
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        errors: dict[str, list[str]] = {}
    except ValidationError as error:
        errors = dict(error.message_dict)
    for name in fields:
        # Django checks a TextField's max_length in forms only; the services are the way in for every caller.
        field = concrete_field(instance, name)
        value = getattr(instance, field.attname)
        if isinstance(field, models.TextField) and field.max_length and len(str(value or "")) > field.max_length:
            errors.setdefault(name, []).append(f"{field.max_length}文字以内で入力してください。")
    if errors:
        parts = []
        for name, messages in errors.items():
            label = concrete_field(instance, name).verbose_name if name != "__all__" else ""
            parts.append(f"{label}: {' '.join(messages)}" if label else " ".join(messages))
        raise InsuranceError(" ".join(parts))


def _text(value: object, label: str, max_length: int, *, required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise InsuranceError(f"{label}: 入力してください。")
    if len(text) > max_length:
        raise InsuranceError(f"{label}: {max_length}文字以内で入力してください。")
    return text


# -- the policy of an accident --------------------------------------------------------------------------------

def policy_for(day: dt.date) -> InsurancePolicy:
    """The policy whose period contains ``day``; InsuranceError when none does."""
    policy = InsurancePolicy.objects.filter(period_start__lte=day, period_end__gte=day).first()
    if policy is None:
        raise InsuranceError(f"事故の日: {wareki(day)}を保険期間に含む保険契約が登録されていません。"
                             "市の保険担当にお問い合わせください。")
    return policy


def _check_accident_date(day: object) -> dt.date:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise InsuranceError("事故の日: 日付を入力してください。")
    if day > timezone.localdate():
        raise InsuranceError("事故の日: 今日より後の日付は入力できません。")
    return day


# -- 事故報告書 ----------------------------------------------------------------------------------------------

def create_report(*, actor: User, organization: Organization, data: Mapping[str, object]) -> AccidentReport:
    """Start a report (作成中) for ``organization``: the group's head for their own group, or the 保険担当 for a
    report received on paper. ``data``: the ``REPORT_FIELDS``. The policy is the one whose period holds the
    accident day; the due date is computed from it (``report_due_days`` days counted by ``report_due_counting``).
    The same form sent twice (a double click) makes one report: the page runs this through ``grants.core.once``."""
    _may_act_for(actor, organization)
    day = _check_accident_date(data.get("accident_date"))
    with transaction.atomic():
        policy = InsurancePolicy.objects.select_for_update().get(pk=policy_for(day).pk)  # serialises the serials
        report = AccidentReport(organization=organization, policy=policy, created_by=actor)
        for name in REPORT_FIELDS:
            if name in data:
                setattr(report, name, data[name])
        _validated(report, REPORT_FIELDS)
        report.due_date = report_due(policy, day)
        report.serial = (policy.reports.aggregate(m=Max("serial"))["m"] or 0) + 1
        report.save()
        record_event(actor=actor, subject=report, action="insurance_create_report", to_state=report.status,
                     note=f"{organization}：{report.activity_name}")
    return report


def update_report(*, actor: User, report_id: int, data: Mapping[str, object]) -> AccidentReport:
    """Change the report's own fields while it is 作成中 or 差戻し. The accident day may move only within the
    same policy period (the due date follows it)."""
    with transaction.atomic():
        report = access_report(actor, report_id, for_update=True)
        _may_act_for(actor, report.organization)
        if not workflow.may(ACCIDENT_REPORT, report, actor, "edit_report"):
            raise InsuranceError("提出後の事故報告書は変更できません。保険担当から差し戻されたときに修正できます。")
        day = _check_accident_date(data.get("accident_date", report.accident_date))
        if not report.policy.covers(day):
            raise InsuranceError("事故の日: 別の保険期間の日付には変更できません。この報告書を取り下げて、"
                                 "新しく作成してください。")
        before = {name: getattr(report, name) for name in REPORT_FIELDS}
        for name in REPORT_FIELDS:
            if name in data:
                setattr(report, name, data[name])
        _validated(report, REPORT_FIELDS)
        report.due_date = report_due(report.policy, day)
        report.save()
        record_event(actor=actor, subject=report, action="insurance_update_report", note=_changes(report, before))
    return report


def _changes(report: AccidentReport, before: Mapping[str, Any]) -> str:
    """The audit note of an update: the fields changed, by label; the accident day with its old and new day (it
    moves the due date, and with it whether the report is late). Never the text: it may name people."""
    changed = []
    for name in REPORT_FIELDS:
        if getattr(report, name) == before[name]:
            continue
        label = str(concrete_field(AccidentReport, name).verbose_name)
        if name == "accident_date":
            label += f"（{wareki(before[name])} → {wareki(report.accident_date)}）"
        changed.append(label)
    return "修正した項目：" + "、".join(changed) if changed else "修正した項目はありません"


def add_person(*, actor: User, report_id: int, data: Mapping[str, object]) -> InvolvedPerson:
    """Add a person involved (指導者・責任者, 参加者, 第三者) with their harm: a leader or participant can be
    injured (傷害); only a third party can suffer bodily or property damage (賠償責任). The ふりがな is kept in
    hiragana (katakana is converted, see ``_kana``)."""
    with transaction.atomic():
        report = access_report(actor, report_id, for_update=True)
        _may_act_for(actor, report.organization)
        if not workflow.may(ACCIDENT_REPORT, report, actor, "edit_report"):
            raise InsuranceError("提出後の事故報告書には関係者を追加できません。")
        person = InvolvedPerson(report=report, **{k: data[k] for k in PERSON_FIELDS if k in data})
        _validated(person, PERSON_FIELDS)
        person.name_kana = _kana(person.name_kana)
        if person.harm not in HARMS_BY_ROLE[person.role]:
            raise InsuranceError(f"けが・損害: {person.get_role_display()}には「{person.get_harm_display()}」"
                                 "を選べません。活動者のけがは傷害、第三者のけが・物の損害は賠償責任です。")
        if person.birth_date and person.birth_date > timezone.localdate():
            raise InsuranceError("生年月日: 今日より後の日付は入力できません。")
        if person.birth_date and person.birth_date < EARLIEST_BIRTH_DATE:
            # A year typed 0960 for 1960; nor can the insurer's workbook hold a day before 1900 (Excel's epoch).
            raise InsuranceError("生年月日: 1900年1月1日以降の日付を入力してください。")
        person.save()
        record_event(actor=actor, subject=report, action="insurance_add_person",
                     note=f"{person.get_role_display()}（{person.get_harm_display()}）")
    return person


def _kana(value: object) -> str:
    """The ふりがな as kept: hiragana, katakana (full or half width, stored as hiragana), spaces and 「ー」; Latin
    letters, digits, kanji and other signs are refused (InsuranceError naming 「ふりがな」)."""
    text = jaconv.kata2hira(jaconv.h2z(str(value or "").strip(), kana=True, ascii=False, digit=False))
    if not KANA.fullmatch(text):
        raise InsuranceError("ふりがな: ひらがなで入力してください。")
    return text


def remove_person(*, actor: User, report_id: int, person_id: int) -> None:
    """Remove a person while the report can be edited (the audit row keeps the role, not the name)."""
    with transaction.atomic():
        report = access_report(actor, report_id, for_update=True)
        _may_act_for(actor, report.organization)
        if not workflow.may(ACCIDENT_REPORT, report, actor, "edit_report"):
            raise InsuranceError("提出後の事故報告書の関係者は削除できません。")
        person = report.persons.filter(pk=person_id).first()
        if person is None:
            raise InsuranceError("関係者: この事故報告書の関係者を選んでください。")
        person.delete()
        record_event(actor=actor, subject=report, action="insurance_remove_person",
                     note=person.get_role_display())


def _attachment_note(attachment: ReportAttachment) -> str:
    """The audit note of an attachment: its kind and number, never its title. A title often names a person
    (「山田 太郎さんの診断書」), and audit rows are read outside the logged pages (the admin's 監査証跡)."""
    return f"{attachment.get_kind_display()}（書類番号 {attachment.pk}）"


def add_attachment(*, actor: User, report_id: int, kind: str, title: str, upload: UploadedFile) -> ReportAttachment:
    """Attach a document (PDF, Word, Excel, JPEG or PNG, at most 10 MB, content matching its extension) while the
    report can be edited."""
    if kind not in AttachmentKind.values:
        raise InsuranceError("書類: 書類の種類を選んでください。")
    title = _text(title, "内容", 200)
    try:
        ext = check_upload(upload, DOCUMENTS)
    except UploadError as error:
        raise InsuranceError(str(error)) from error
    with transaction.atomic():
        report = access_report(actor, report_id, for_update=True)
        _may_act_for(actor, report.organization)
        if not workflow.may(ACCIDENT_REPORT, report, actor, "edit_report"):
            raise InsuranceError("提出後の事故報告書には書類を追加できません。")
        attachment = ReportAttachment(report=report, kind=kind, title=title, uploaded_by=actor)
        attachment.file.save(f"attachment{ext}", upload, save=False)
        attachment.save()
        record_event(actor=actor, subject=report, action="insurance_add_attachment", note=_attachment_note(attachment))
    return attachment


def remove_attachment(*, actor: User, report_id: int, attachment_id: int) -> None:
    """Remove an attachment while the report can be edited (the file is deleted from storage after commit)."""
    with transaction.atomic():
        report = access_report(actor, report_id, for_update=True)
        _may_act_for(actor, report.organization)
        if not workflow.may(ACCIDENT_REPORT, report, actor, "edit_report"):
            raise InsuranceError("提出後の事故報告書の書類は削除できません。")
        attachment = report.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise InsuranceError("書類: この事故報告書の書類を選んでください。")
        storage, name, note = attachment.file.storage, attachment.file.name, _attachment_note(attachment)
        attachment.delete()
        record_event(actor=actor, subject=report, action="insurance_remove_attachment", note=note)
        transaction.on_commit(lambda: storage.delete(name))


def missing_for_submission(report: AccidentReport) -> list[str]:
    """What the report still lacks before it can be submitted, in Japanese (empty when complete)."""
    missing = []
    if not (report.kind_injury or report.kind_liability_bodily or report.kind_liability_property):
        missing.append("事故の種類（傷害・賠償（身体）・賠償（財物））を一つ以上選んでください。")
    harms = set(report.persons.values_list("harm", flat=True))
    if not harms:
        missing.append("関係者を一人以上登録してください。")
    for flag, harm, label in ((report.kind_injury, Harm.INJURY, "傷害"),
                              (report.kind_liability_bodily, Harm.BODILY, "賠償（身体）"),
                              (report.kind_liability_property, Harm.PROPERTY, "賠償（財物）")):
        if flag and harm not in harms:
            missing.append(f"事故の種類「{label}」に当たる関係者（{Harm(harm).label}）を登録してください。")
        if not flag and harm in harms:
            missing.append(f"関係者に「{Harm(harm).label}」の人がいます。事故の種類「{label}」も選んでください。")
    have = set(report.attachments.values_list("kind", flat=True))
    for kind in REQUIRED_ATTACHMENTS:
        if kind not in have:
            missing.append(f"添付書類「{AttachmentKind(kind).label}」を登録してください。")
    return missing


def submit_report(*, actor: User, report_id: int, delay_reason: str = "") -> AccidentReport:
    """Submit (提出) a complete report. The report day is the first submission's day; a report submitted after
    its due date is flagged 期限後 and must give the reason (遅延理由書)."""

    def complete(act: workflow.Act[AccidentReport]) -> None:
        report = act.obj
        missing = missing_for_submission(report)
        if missing:
            raise InsuranceError("提出できません。" + " ".join(missing))
        filed_on = report.filed_on or timezone.localdate()
        late = filed_on > report.due_date
        reason = _text(delay_reason, "遅延理由書", 2000, required=False) or report.delay_reason
        if late and not reason:
            raise InsuranceError(f"遅延理由書: 報告期限（{wareki(report.due_date)}）を過ぎています。"
                                 "期限までに報告できなかった理由を入力してください。")
        report.filed_on, report.is_late, report.delay_reason = filed_on, late, reason if late else ""
        act.note = "期限後の報告" if late else ""

    return workflow.perform(ACCIDENT_REPORT, report_id, "insurance_submit_report", actor=actor, effect=complete)


def return_report(*, actor: User, report_id: int, note: str) -> AccidentReport:
    """Send a submitted report back to the group for correction (差戻し), with the reason."""
    _insurance_only(actor)
    note = _text(note, "差戻しの理由", 2000)

    def keep_note(act: workflow.Act[AccidentReport]) -> None:
        act.obj.returned_note = note

    return workflow.perform(ACCIDENT_REPORT, report_id, "insurance_return_report", actor=actor, note=note,
                            effect=keep_note)


def withdraw_report(*, actor: User, report_id: int, reason: str) -> AccidentReport:
    """Withdraw a report not yet judged (取下げ), by the group or the 保険担当, with the reason."""
    reason = _text(reason, "取下げの理由", 2000)
    return workflow.perform(ACCIDENT_REPORT, report_id, "insurance_withdraw_report", actor=actor, note=reason)


# -- 判定 ------------------------------------------------------------------------------------------------------

def judge_report(*, actor: User, report_id: int, findings: Mapping[int, tuple[bool, str]],
                 note: str = "") -> Judgment:
    """Judge a submitted report: ``findings`` maps every ``PolicyCondition`` id of the report's policy to
    (holds, reason). Covered ⇔ every condition holds and no exclusion applies. The 保険担当 who entered the
    report (a paper report) may not judge it: another one does. Returns the Judgment; the report becomes 補償の
    対象 or 補償の対象外."""
    _insurance_only(actor)
    note = _text(note, "判定の所見", 2000, required=False)
    with transaction.atomic():
        report = access_report(actor, report_id, for_update=True)
        refused = workflow.refusal(ACCIDENT_REPORT, ACCIDENT_REPORT.edge("insurance_judge_covered"), report, actor)
        if refused:
            raise InsuranceError(refused)
        conditions = list(report.policy.conditions.all())
        rows = _findings(conditions, findings)
        covered = all(holds if c.kind == ConditionKind.CONDITION else not holds for c, holds, _ in rows)
        edge = "insurance_judge_covered" if covered else "insurance_judge_not_covered"
        saved: list[Judgment] = []

        def record(act: workflow.Act[AccidentReport]) -> None:
            judgment = Judgment.objects.create(report=act.obj, covered=covered, note=note, judged_by=actor,
                                               judged_at=timezone.now())
            Finding.objects.bulk_create(Finding(judgment=judgment, condition=c, holds=h, reason=r)
                                        for c, h, r in rows)
            saved.append(judgment)

        workflow.perform(ACCIDENT_REPORT, report_id, edge, actor=actor, note=note, effect=record)
    return saved[0]


def _findings(conditions: list[PolicyCondition], findings: Mapping[int, tuple[bool, str]]
              ) -> list[tuple[PolicyCondition, bool, str]]:
    """Every judged item of the policy with its finding and reason, or ``InsuranceError`` naming the item."""
    if not conditions:
        raise InsuranceError("この保険契約には判定項目が登録されていません。管理画面で登録してください。")
    if set(findings) - {c.pk for c in conditions}:
        raise InsuranceError("判定項目: この保険契約にない項目が含まれています。")
    rows = []
    for condition in conditions:
        if condition.pk not in findings:
            raise InsuranceError(f"「{condition.label}」: 該当するかどうかを選んでください。")
        holds, reason = findings[condition.pk]
        if not isinstance(holds, bool):
            raise InsuranceError(f"「{condition.label}」: 該当するかどうかを選んでください。")
        rows.append((condition, holds, _text(reason, f"「{condition.label}」の理由", 1000)))
    return rows


def unfavourable_findings(judgment: Judgment) -> list[Finding]:
    """The findings that stand in the way of cover (a condition not met, an exclusion that applies)."""
    return [f for f in judgment.findings.select_related("condition") if not f.favourable]
