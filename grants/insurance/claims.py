"""Claims (保険金請求) of a covered accident, per person (GRANTS.md §6): the city sends the claim forms, the
person files after recovery (or once ``claim_after_days`` have passed) with treatment days and receipts, the
保険担当 forwards the document set with the amount computed from the policy, and records the insurer's payment
or denial.

Same rules as ``services``: one transaction per act, the claim row locked, the actor checked, an audit row on
the report; ``InsuranceError`` (Japanese, naming the field) writes nothing. Amounts are whole yen; days count
the accident day as day 1.
"""
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from grants.accounts.models import User
from grants.core import workflow
from grants.core.fiscal import wareki
from grants.core.models import record_event
from grants.core.uploads import IMAGES_AND_PDF, UploadError, check_upload

from .benefits import Benefit, BenefitInputError, Treatment, allocate_liability, injury_benefit
from .deadlines import claim_opens
from .machines import ACCIDENT_REPORT, CLAIM, InsuranceError
from .models import (
    CLAIM_KIND_FOR_HARM,
    Claim,
    ClaimDocument,
    ClaimDocumentKind,
    ClaimKind,
    ClaimStatus,
    Harm,
    InpatientPeriod,
    OutpatientVisit,
)
from .services import _insurance_only, _may_act_for, _text, access_report

MAX_DAYS_LISTED = 1000  # more outpatient days than any claim can have within its window


def access_claim(user: User, pk: int, *, for_update: bool = False) -> Claim:
    """The claim ``pk`` if ``user`` may see its report, else ``Claim.DoesNotExist``; ``for_update`` locks the
    claim and its report (report first, the order every act takes)."""
    return workflow.access(CLAIM, user, pk, lock=for_update)


def _locked(actor: User, claim_id: int) -> Claim:
    claim = access_claim(actor, claim_id, for_update=True)
    _may_act_for(actor, claim.report.organization)
    return claim


def claim_open_date(claim: Claim) -> dt.date:
    """The first day the claim may be filed: for an injury, on recovery or once ``claim_after_days`` have passed
    since the accident (whichever comes first); a liability claim as soon as the damages are known."""
    accident = claim.report.accident_date
    if claim.kind != ClaimKind.INJURY:
        return accident
    if claim.died:
        return accident
    return claim_opens(claim.report.policy, accident, None if claim.in_treatment else claim.recovered_on)


def claim_limit_date(claim: Claim) -> dt.date:
    """The last day the right to claim can be exercised: ``claim_limit_years`` years (保険法第95条: 3年) counted
    from the day after the accident (民法第140条, 初日不算入), so the period ends on the anniversary of the
    accident (第143条); an anniversary that does not exist (29 February in a common year) ends the period on the
    last day of that month, 28 February. A limit past the calendar's last year (a slip in the admin) ends on
    its last day."""
    accident = claim.report.accident_date
    year = accident.year + claim.report.policy.claim_limit_years
    if year > dt.MAXYEAR:
        return dt.date.max
    try:
        return accident.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


# -- 請求書類の送付 ----------------------------------------------------------------------------------------

def send_claim_forms(*, actor: User, report_id: int, person_id: int) -> Claim:
    """Open a claim for one harmed person of a covered report and record that the claim forms were sent
    (請求書類の送付). The kind follows the person's harm: 傷害 for the group's own people, 賠償責任 (身体・財物)
    for a third party. One claim per person and kind."""
    _insurance_only(actor)
    with transaction.atomic():
        report = access_report(actor, report_id, for_update=True)
        workflow.require(ACCIDENT_REPORT, report, actor, "send_claim_forms")
        person = report.persons.filter(pk=person_id).first()
        if person is None:
            raise InsuranceError("関係者: この事故報告書の関係者を選んでください。")
        if person.harm == Harm.NONE:
            raise InsuranceError(f"関係者: {person.name}さんには、けが・損害が登録されていません。")
        kind = CLAIM_KIND_FOR_HARM[Harm(person.harm)]
        if Claim.objects.filter(person=person, kind=kind).exists():
            raise InsuranceError(f"関係者: {person.name}さんの{ClaimKind(kind).label}の請求は既にあります。")
        serial = (report.claims.aggregate(m=Max("serial"))["m"] or 0) + 1
        claim = Claim.objects.create(report=report, serial=serial, person=person, kind=kind,
                                     forms_sent_on=timezone.localdate(),
                                     forms_sent_by=actor, in_treatment=kind == ClaimKind.INJURY)
        record_event(actor=actor, subject=report, action="insurance_send_claim_forms",
                     to_state=claim.status, note=f"請求 {claim.number}（{claim.get_kind_display()}）")
    return claim


# -- 治療・損害の記録 --------------------------------------------------------------------------------------

def _date(value: object, label: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InsuranceError(f"{label}: 日付を入力してください。")
    return value


def record_treatment(*, actor: User, claim_id: int, in_treatment: bool, recovered_on: dt.date | None,
                     inpatient: Sequence[tuple[dt.date, dt.date]] = (), outpatient: Iterable[dt.date] = (),
                     surgeries_inpatient: int = 0, surgeries_outpatient: int = 0, died: bool = False,
                     disability_percent: Decimal | str | None = None) -> Claim:
    """Record an injury claim's treatment while the forms are out (請求書類送付済): inpatient periods (first and
    last day), outpatient days, surgeries, and a death or a disability share. Replaces what was recorded.
    Days must lie between the accident day and today; the recovery day after the last treatment day."""
    today = timezone.localdate()
    periods = [(_date(a, "入院日"), _date(b, "退院日")) for a, b in inpatient]
    visits = sorted({_date(d, "通院日") for d in outpatient})
    if len(visits) > MAX_DAYS_LISTED:
        raise InsuranceError(f"通院日: {MAX_DAYS_LISTED}日以内で入力してください。")
    for count, label in ((surgeries_inpatient, "入院中の手術"), (surgeries_outpatient, "外来の手術")):
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 20:
            raise InsuranceError(f"{label}: 0から20までの回数を入力してください。")
    if surgeries_inpatient and not periods:
        raise InsuranceError("入院中の手術: 入院期間が記録されていません。入院期間を入力するか、外来の手術として"
                             "入力してください。")
    percent = None
    if disability_percent not in (None, ""):
        try:
            percent = Decimal(str(disability_percent))
        except InvalidOperation as error:
            raise InsuranceError("後遺障害の割合: 数字で入力してください。") from error
        if not percent.is_finite() or not Decimal(0) < percent <= Decimal(100) or percent != percent.quantize(
                Decimal("0.01")):
            raise InsuranceError("後遺障害の割合: 0％を超え100％以下（小数2桁まで）で入力してください。")
    with transaction.atomic():
        claim = _locked(actor, claim_id)
        if claim.kind != ClaimKind.INJURY:
            raise InsuranceError("治療の記録は傷害保険金の請求だけにあります。賠償は損害額を入力してください。")
        workflow.require(CLAIM, claim, actor, "record_treatment")
        accident = claim.report.accident_date
        for first, last in periods:
            if last < first:
                raise InsuranceError(f"入院期間: 退院日（{wareki(last)}）が入院日（{wareki(first)}）より前です。")
            if first < accident or last > today:
                raise InsuranceError("入院期間: 事故の日から今日までの日付を入力してください。")
        for (_, last), (first, _) in zip(sorted(periods), sorted(periods)[1:], strict=False):
            if first <= last:  # a stay typed twice: the amount counts its days once, the document set twice
                raise InsuranceError(f"入院期間: 重なっている期間があります（{wareki(first)}）。1回の入院は1行に"
                                     "入力してください。")
        if visits and (visits[0] < accident or visits[-1] > today):
            raise InsuranceError("通院日: 事故の日から今日までの日付を入力してください。")
        last_day = max([b for _, b in periods] + visits, default=None)
        if in_treatment:
            recovered_on = None
        else:
            recovered_on = _date(recovered_on, "治療を終えた日")
            if recovered_on < accident or recovered_on > today:
                raise InsuranceError("治療を終えた日: 事故の日から今日までの日付を入力してください。")
            if last_day and recovered_on < last_day:
                raise InsuranceError(f"治療を終えた日: 最後の入院・通院の日（{wareki(last_day)}）より前です。")
        try:
            injury_benefit(claim.report.policy, Treatment(accident, periods, visits, (), died, percent))
        except BenefitInputError as error:
            raise InsuranceError(str(error)) from error
        claim.in_treatment, claim.recovered_on = in_treatment, recovered_on
        claim.surgeries_inpatient, claim.surgeries_outpatient = surgeries_inpatient, surgeries_outpatient
        claim.died, claim.disability_percent = died, percent
        claim.save()
        claim.inpatient.all().delete()
        claim.outpatient.all().delete()
        InpatientPeriod.objects.bulk_create(InpatientPeriod(claim=claim, first_day=a, last_day=b) for a, b in periods)
        OutpatientVisit.objects.bulk_create(OutpatientVisit(claim=claim, day=d) for d in visits)
        record_event(actor=actor, subject=claim.report, action="insurance_record_treatment",
                     note=f"請求 {claim.number}：入院 {len(periods)}期間・通院 {len(visits)}日")
    return claim


def record_damages(*, actor: User, claim_id: int, damages: int) -> Claim:
    """Record the damages (損害額, whole yen) of a liability claim while the forms are out."""
    if isinstance(damages, bool) or not isinstance(damages, int) or not 0 < damages <= 10**12:
        raise InsuranceError("損害額: 1円以上の金額（円）を入力してください。")
    with transaction.atomic():
        claim = _locked(actor, claim_id)
        if claim.kind == ClaimKind.INJURY:
            raise InsuranceError("損害額は賠償責任保険金の請求だけにあります。")
        if not workflow.may(CLAIM, claim, actor, "record_treatment"):
            raise InsuranceError("請求の後は損害額を変更できません。")
        claim.damages = damages
        claim.save(update_fields=["damages"])
        record_event(actor=actor, subject=claim.report, action="insurance_record_damages",
                     note=f"請求 {claim.number}：{damages:,}円")
    return claim


def add_claim_document(*, actor: User, claim_id: int, kind: str, title: str, upload: UploadedFile,
                       amount: int | None = None) -> ClaimDocument:
    """Attach a claim document (請求書, 領収書, 診断書…; PDF, JPEG or PNG, at most 10 MB) before the claim is
    forwarded. A receipt (領収書) must carry its amount (whole yen): the insurer adds them up; another document
    may carry one (an estimate)."""
    if kind not in ClaimDocumentKind.values:
        raise InsuranceError("書類: 書類の種類を選んでください。")
    title = _text(title, "内容", 200)
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= 10**12):
        raise InsuranceError("金額: 0円以上の金額（円）を入力してください。")
    try:
        ext = check_upload(upload, IMAGES_AND_PDF)
    except UploadError as error:
        raise InsuranceError(str(error)) from error
    with transaction.atomic():
        claim = _locked(actor, claim_id)
        workflow.require(CLAIM, claim, actor, "add_document")
        if kind == ClaimDocumentKind.RECEIPT and amount is None:
            raise InsuranceError("金額: 領収書の金額（円）を入力してください。")
        document = ClaimDocument(claim=claim, kind=kind, title=title, amount=amount, uploaded_by=actor)
        document.file.save(f"document{ext}", upload, save=False)
        document.save()
        record_event(actor=actor, subject=claim.report, action="insurance_add_claim_document",
                     note=f"請求 {claim.number}：{document.get_kind_display()}")
    return document


def _document_note(claim: Claim, document: ClaimDocument) -> str:
    """The audit note of a claim document: its kind and number, never its title (a title often names a person,
    and audit rows are read outside the logged pages)."""
    return f"請求 {claim.number}：{document.get_kind_display()}（書類番号 {document.pk}）"


def remove_claim_document(*, actor: User, claim_id: int, document_id: int) -> None:
    """Remove a claim document (a wrong file, an unsigned form) by the group or the 保険担当 while the claim is
    請求書類送付済 or 請求受付; once forwarded the insurer holds the set and nothing is removed. The file is
    deleted from storage after commit."""
    with transaction.atomic():
        claim = _locked(actor, claim_id)
        if not workflow.may(CLAIM, claim, actor, "add_document"):
            raise InsuranceError("書類を削除できるのは、保険会社へ送付する前（請求待ち・請求受付）の請求だけです。")
        document = claim.documents.filter(pk=document_id).first()
        if document is None:
            raise InsuranceError("書類: この請求の書類を選んでください。")
        storage, name, note = document.file.storage, document.file.name, _document_note(claim, document)
        document.delete()
        record_event(actor=actor, subject=claim.report, action="insurance_remove_claim_document", note=note)
        transaction.on_commit(lambda: storage.delete(name))


# -- 算定 --------------------------------------------------------------------------------------------------

SENT_TO_INSURER = (ClaimStatus.FORWARDED, ClaimStatus.PAID)


def compute_claim(claim: Claim) -> Benefit:
    """The amount the policy gives for ``claim`` (whole yen, with its lines). Injury: ``injury_benefit`` of the
    recorded treatment. Liability: the accident's claims already sent to the insurer keep the amounts they were
    sent with; the other live liability claims share what is left of the cover in serial order
    (``allocate_liability``), so the deductible is taken once and the per-accident limits hold whatever the
    order of forwarding. A claim whose damages are not yet known computes to nothing."""
    policy = claim.report.policy
    if claim.kind == ClaimKind.INJURY:
        treatment = Treatment(
            accident_date=claim.report.accident_date,
            inpatient=[(p.first_day, p.last_day) for p in claim.inpatient.all()],
            outpatient=[v.day for v in claim.outpatient.all()],
            surgeries=["inpatient"] * claim.surgeries_inpatient + ["outpatient"] * claim.surgeries_outpatient,
            died=claim.died, disability_percent=claim.disability_percent)
        return injury_benefit(policy, treatment)
    if claim.damages is None:
        return Benefit([])
    others = list(Claim.objects.filter(report=claim.report, damages__isnull=False)
                  .exclude(pk=claim.pk)
                  .exclude(kind=ClaimKind.INJURY)
                  .exclude(status__in=(ClaimStatus.WITHDRAWN, ClaimStatus.DENIED)))
    sent = [c for c in others if c.status in SENT_TO_INSURER]
    live = sorted([c for c in others if c.status not in SENT_TO_INSURER] + [claim], key=lambda c: c.serial)
    # Every claim here has its damages (the query above and the check on ``claim``): ``or 0`` only types it.
    kinds = [("bodily" if c.kind == ClaimKind.LIABILITY_BODILY else "property", c.damages or 0) for c in live]
    return allocate_liability(policy, kinds, **_used_by(sent))[live.index(claim)]


def _used_by(sent: list[Claim]) -> dict[str, int]:
    """What ``sent`` claims took of the accident's cover, from the lines they were sent with: their positive
    lines from the bodily or property limit, their negative lines (免責金額) from the deductible."""
    used = {"bodily_used": 0, "property_used": 0, "deductible_used": 0}
    for claim in sent:
        bucket = "bodily_used" if claim.kind == ClaimKind.LIABILITY_BODILY else "property_used"
        for line in claim.computed_lines:
            if line["amount"] < 0:
                used["deductible_used"] -= line["amount"]
            else:
                used[bucket] += line["amount"]
    return used


def _freeze(claim: Claim) -> None:
    benefit = compute_claim(claim)
    claim.computed_amount = max(benefit.amount, 0)
    claim.computed_lines = [{"label": line.label, "basis": line.basis, "amount": line.amount}
                            for line in benefit.lines]


# -- 請求・送付・回答 ----------------------------------------------------------------------------------------

def missing_for_filing(claim: Claim, today: dt.date | None = None) -> list[str]:
    """What the claim still lacks before it can be filed, in Japanese (empty when it can be)."""
    today = today or timezone.localdate()
    missing = []
    opens = claim_open_date(claim)
    if today < opens:
        missing.append(f"請求は治療を終えた後、または事故の日から{claim.report.policy.claim_after_days}日を過ぎて"
                       f"から行えます（{wareki(opens)}以降）。治療を終えたときは、治療を終えた日を記録してください。")
    if today > claim_limit_date(claim):
        missing.append(f"請求できる期限（{wareki(claim_limit_date(claim))}、保険法第95条）を過ぎています。")
    kinds = set(claim.documents.values_list("kind", flat=True))
    if ClaimDocumentKind.CLAIM_FORM not in kinds:
        missing.append("書類「保険金請求書」を登録してください。")
    if claim.kind == ClaimKind.INJURY:
        treated = claim.inpatient.exists() or claim.outpatient.exists()
        if not (treated or claim.died or claim.disability_percent):
            missing.append("入院・通院の日、または死亡・後遺障害を記録してください。")
        if not kinds & {ClaimDocumentKind.MEDICAL, ClaimDocumentKind.RECEIPT}:
            missing.append("書類「診断書・通院証明書」または「領収書」を登録してください。")
    else:
        if claim.damages is None:
            missing.append("損害額を入力してください。")
        if ClaimDocumentKind.DAMAGE not in kinds:
            missing.append("書類「損害の見積書・写真」を登録してください。")
    return missing


def _claim_note(claim: Claim, text: str) -> str:
    return f"請求 {claim.number}：{text}"


def file_claim(*, actor: User, claim_id: int) -> Claim:
    """File the claim (請求): the group or the 保険担当, once it can be filed (see ``missing_for_filing``). The
    amount is computed from the policy and kept with its lines."""

    def complete(act: workflow.Act[Claim]) -> None:
        claim = act.obj
        missing = missing_for_filing(claim)
        if missing:
            raise InsuranceError("請求できません。" + " ".join(missing))
        claim.filed_on = timezone.localdate()
        _freeze(claim)
        act.note = _claim_note(claim, f"算定額 {claim.computed_amount:,}円")

    return workflow.perform(CLAIM, claim_id, "insurance_file_claim", actor=actor, effect=complete)


def forward_claim(*, actor: User, claim_id: int, insurer_reference: str = "") -> Claim:
    """Forward the filed claim to the insurer (保険会社へ送付) with its document set; the computed amount is
    recomputed and kept as sent."""
    _insurance_only(actor)
    reference = _text(insurer_reference, "保険会社の受付番号", 40, required=False)

    def forward(act: workflow.Act[Claim]) -> None:
        claim = act.obj
        _freeze(claim)
        claim.forwarded_on, claim.insurer_reference = timezone.localdate(), reference
        act.note = _claim_note(claim, f"算定額 {claim.computed_amount:,}円")

    return workflow.perform(CLAIM, claim_id, "insurance_forward_claim", actor=actor, effect=forward)


def _answer_day(claim: Claim, day: object) -> dt.date:
    day = _date(day, "回答日")
    if claim.forwarded_on and day < claim.forwarded_on:
        raise InsuranceError(f"回答日: 保険会社へ送付した日（{wareki(claim.forwarded_on)}）より前の日付です。")
    if day > timezone.localdate():
        raise InsuranceError("回答日: 今日より後の日付は入力できません。")
    return day


def record_payment(*, actor: User, claim_id: int, paid_on: dt.date, amount: int, note: str = "") -> Claim:
    """Record the insurer's payment (保険金の支払). An amount other than the computed one needs a note (the
    insurer's explanation)."""
    _insurance_only(actor)
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= 10**12:
        raise InsuranceError("支払額: 1円以上の金額（円）を入力してください。")
    note = _text(note, "備考", 2000, required=False)

    def paid(act: workflow.Act[Claim]) -> None:
        claim = act.obj
        day = _answer_day(claim, paid_on)
        if amount != claim.computed_amount and not note:
            raise InsuranceError(f"備考: 支払額が算定額（{claim.computed_amount:,}円）と異なります。"
                                 "保険会社の説明を入力してください。")
        claim.result_on, claim.paid_amount, claim.result_note = day, amount, note
        act.note = _claim_note(claim, f"{amount:,}円")

    return workflow.perform(CLAIM, claim_id, "insurance_record_payment", actor=actor, effect=paid)


def record_denial(*, actor: User, claim_id: int, answered_on: dt.date, reason: str) -> Claim:
    """Record the insurer's denial (不支払) with its reason."""
    _insurance_only(actor)
    reason = _text(reason, "不支払の理由", 2000)

    def denied(act: workflow.Act[Claim]) -> None:
        claim = act.obj
        claim.result_on, claim.denial_reason = _answer_day(claim, answered_on), reason
        act.note = _claim_note(claim, reason)

    return workflow.perform(CLAIM, claim_id, "insurance_record_denial", actor=actor, effect=denied)


def withdraw_claim(*, actor: User, claim_id: int, reason: str) -> Claim:
    """Withdraw a claim not yet forwarded (取下げ), by the group or the 保険担当, with the reason."""
    reason = _text(reason, "取下げの理由", 2000)

    def withdrawn(act: workflow.Act[Claim]) -> None:
        act.obj.withdrawn_reason = reason
        act.note = _claim_note(act.obj, reason)

    return workflow.perform(CLAIM, claim_id, "insurance_withdraw_claim", actor=actor, note=reason,
                            effect=withdrawn)
