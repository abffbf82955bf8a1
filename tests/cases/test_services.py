"""The lifecycle through the services: who may do what, separation of duties, ledger and audit rows."""
import pytest

from grants.cases import services
from grants.cases.models import GrantCase, Status
from grants.core.models import AuditEvent
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from grants.organizations.models import HouseholdCount
from tests import factories

pytestmark = pytest.mark.django_db


def take_to(case: GrantCase, status: str, *, head, staff, approver, finance, finance2=None) -> GrantCase:  # type: ignore[no-untyped-def]
    steps = [
        (Status.SUBMITTED, services.submit_application, head),
        (Status.VERIFIED, services.verify_application, staff),
        (Status.DECIDED, services.decide_grant, approver),
        (Status.PAYMENT_PREPARED, services.prepare_payment, staff),
        (Status.PAYMENT_APPROVED, services.approve_payment, finance),
        (Status.PAID, services.record_payment, finance),
    ]
    for target, act, actor in steps:
        case = act(case_id=case.pk, actor=actor)
        if target == status:
            break
    return case


def test_whole_flow_posts_commitment_and_payment(case, association_head, staff, approver, finance) -> None:  # type: ignore[no-untyped-def]
    done = take_to(case, Status.PAID, head=association_head, staff=staff, approver=approver, finance=finance)
    assert (done.status, done.decided_amount, done.paid_amount) == (Status.PAID, 70_000, 70_000)
    assert (done.verified_by, done.decided_by, done.payment_prepared_by, done.payment_approved_by) == (
        staff, approver, staff, finance
    )
    account = BudgetAccount.objects.get(programme_year=case.programme_year)
    assert (account.budget, account.committed, account.paid, account.available) == (
        5_000_000, 70_000, 70_000, 4_930_000
    )
    assert list(LedgerEntry.objects.filter(case=case).values_list("kind", "amount")) == [
        (EntryKind.COMMITMENT, 70_000), (EntryKind.PAYMENT, 70_000)
    ]
    events = AuditEvent.objects.for_object(case)
    assert [(e.action, e.from_state, e.to_state, e.actor) for e in events] == [
        ("submit", "draft", "submitted", association_head),
        ("verify", "submitted", "verified", staff),
        ("decide", "verified", "decided", approver),
        ("issue_notice", "", "", approver),
        ("prepare_payment", "decided", "payment_prepared", staff),
        ("approve_payment", "payment_prepared", "payment_approved", finance),
        ("record_paid", "payment_approved", "paid", finance),
    ]


def test_verifier_cannot_decide(case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    """Even a user holding both roles' rights may not approve what they verified (separation of duties)."""
    take_to(case, Status.VERIFIED, head=association_head, staff=staff, approver=None, finance=None)
    staff.role = "approver"
    staff.save()
    with pytest.raises(services.CaseActionError, match="審査した方は"):
        services.decide_grant(case_id=case.pk, actor=staff)
    assert GrantCase.objects.get(pk=case.pk).status == Status.VERIFIED
    assert not LedgerEntry.objects.filter(kind=EntryKind.COMMITMENT).exists()


def test_payment_preparer_cannot_approve(case, association_head, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    take_to(case, Status.DECIDED, head=association_head, staff=staff, approver=approver, finance=finance)
    services.prepare_payment(case_id=case.pk, actor=finance)
    with pytest.raises(services.CaseActionError, match="起票した方は"):
        services.approve_payment(case_id=case.pk, actor=finance)
    assert services.approve_payment(case_id=case.pk, actor=finance2).status == Status.PAYMENT_APPROVED


ROLES = ["association_head", "staff", "approver", "finance", "auditor"]
# (action function, status the case must be in, roles allowed)
MATRIX = [
    (services.submit_application, Status.DRAFT, {"association_head", "staff"}),
    (services.verify_application, Status.SUBMITTED, {"staff"}),
    (services.decide_grant, Status.VERIFIED, {"approver"}),
    (services.prepare_payment, Status.DECIDED, {"staff", "finance"}),
    (services.approve_payment, Status.PAYMENT_PREPARED, {"finance"}),
    (services.record_payment, Status.PAYMENT_APPROVED, {"finance"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("act", "status", "allowed"), MATRIX, ids=[m[0].__name__ for m in MATRIX])
def test_role_action_matrix(request, case, association_head, staff, approver, finance, finance2, role, act, status, allowed) -> None:  # type: ignore[no-untyped-def]
    take_to(case, status, head=association_head, staff=staff, approver=approver, finance=finance) if status != Status.DRAFT else None
    actor = {"association_head": association_head, "staff": factories.UserFactory(username="staff-x", role="staff"),
             "approver": approver, "finance": finance2, "auditor": factories.UserFactory(username="aud", role="auditor")}[role]
    before = (GrantCase.objects.get(pk=case.pk).status, LedgerEntry.objects.count(), AuditEvent.objects.count())
    if role in allowed:
        assert act(case_id=case.pk, actor=actor, note="").status != status
    else:
        with pytest.raises((services.CaseActionError, GrantCase.DoesNotExist)):
            act(case_id=case.pk, actor=actor, note="")
        assert (GrantCase.objects.get(pk=case.pk).status, LedgerEntry.objects.count(), AuditEvent.objects.count()) == before


def test_head_cannot_see_or_change_another_associations_case(other_case, association_head) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(GrantCase.DoesNotExist):
        services.submit_application(case_id=other_case.pk, actor=association_head)
    with pytest.raises(GrantCase.DoesNotExist):
        services.correct_household_count(case_id=other_case.pk, actor=association_head, households=1, reason="x")
    other_case.refresh_from_db()
    assert (other_case.status, other_case.household_count) == (Status.DRAFT, 40)
    assert not AuditEvent.objects.exists()


def test_count_correction_recomputes_and_keeps_history(case, association_head) -> None:  # type: ignore[no-untyped-def]
    updated = services.correct_household_count(case_id=case.pk, actor=association_head, households=130,
                                               reason="4月の転入世帯を加えました")
    assert (updated.household_count, updated.computed_amount) == (130, 75_000)
    assert [line["label"] for line in updated.computation["lines"]] == ["均等割", "世帯割", "小計", "交付額"]
    counts = HouseholdCount.objects.filter(organization=case.organization).order_by("pk")
    assert [(c.households, c.source) for c in counts] == [(120, "register"), (130, "correction")]
    assert case.organization.household_count_on(case.programme_year.base_date).households == 130
    event = AuditEvent.objects.for_object(case).get()
    assert event.note == "世帯数 120 → 130：4月の転入世帯を加えました"


@pytest.mark.parametrize(("households", "reason", "message"), [(-1, "x", "0以上"), (10, " ", "理由")])
def test_count_correction_refuses_bad_input(case, association_head, households, reason, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(services.CaseActionError, match=message):
        services.correct_household_count(case_id=case.pk, actor=association_head, households=households, reason=reason)
    assert GrantCase.objects.get(pk=case.pk).household_count == 120


def test_count_cannot_be_corrected_after_submission(case, association_head) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    with pytest.raises(services.CaseActionError, match="提出前"):
        services.correct_household_count(case_id=case.pk, actor=association_head, households=1, reason="x")


def test_verification_explains_failed_checks_and_override_passes_them(case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    case.organization.bank_accounts.update(is_current=False)
    services.submit_application(case_id=case.pk, actor=association_head)
    with pytest.raises(services.CaseActionError, match="振込先の口座が登録されていません"):
        services.verify_application(case_id=case.pk, actor=staff)
    services.override_check(case_id=case.pk, actor=staff, check_code="bank_account",
                            justification="口座変更届を受理済み（台帳反映待ち）")
    assert services.verify_application(case_id=case.pk, actor=staff).status == Status.VERIFIED


def test_submission_without_count_is_refused(programme_year, ready_association, association_head) -> None:  # type: ignore[no-untyped-def]
    case = GrantCase.objects.create(programme_year=programme_year, organization=ready_association)
    with pytest.raises(services.CaseActionError, match="世帯数を入力してから"):
        services.submit_application(case_id=case.pk, actor=association_head)


def test_decision_beyond_budget_is_refused(case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    take_to(case, Status.VERIFIED, head=association_head, staff=staff, approver=approver, finance=None)
    GrantCase.objects.filter(pk=case.pk).update(computed_amount=5_000_001)
    with pytest.raises(services.CaseActionError, match="予算額を超える"):
        services.decide_grant(case_id=case.pk, actor=approver)
    assert GrantCase.objects.get(pk=case.pk).status == Status.VERIFIED


def test_return_requires_reason(case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    with pytest.raises(services.CaseActionError, match="理由を入力"):
        services.return_application(case_id=case.pk, actor=staff, note="")
    assert services.return_application(case_id=case.pk, actor=staff, note="世帯数の根拠資料を添付してください").status == Status.DRAFT


def test_already_paid_check(case, association_head, staff, approver, finance) -> None:  # type: ignore[no-untyped-def]
    """A second case of the same association in the same programme-year cannot exist (unique), and a paid
    association fails the check on any other case of the year."""
    from grants.cases.checks import run_checks

    take_to(case, Status.PAID, head=association_head, staff=staff, approver=approver, finance=finance)
    results = {r.code: r for r in run_checks(case)}
    assert results["not_already_paid"].passed  # its own payment does not count against itself
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        GrantCase.objects.create(programme_year=case.programme_year, organization=case.organization)


def test_change_of_head_keeps_history(case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from grants.organizations.services import change_head

    new_head = factories.UserFactory(username="newhead", role="association_head")
    change_head(organization_id=case.organization_id, actor=staff, name="新会長 花子", started_on=dt.date(2026, 6, 1),
                user=new_head)
    assert list(GrantCase.objects.visible_to(new_head)) == [case]
    assert list(GrantCase.objects.visible_to(association_head)) == []
    terms = list(case.organization.representatives.order_by("started_on").values_list("name", "ended_on"))
    assert terms == [("山口 太郎", dt.date(2026, 5, 31)), ("新会長 花子", None)]


def test_submission_outside_application_window_is_refused(case, association_head) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from grants.programmes.models import ProgrammeYear

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ProgrammeYear.objects.filter(pk=case.programme_year_id).update(
        application_opens=yesterday - dt.timedelta(days=30), application_closes=yesterday
    )
    with pytest.raises(services.CaseActionError, match="申請受付期間.*外のため提出できません"):
        services.submit_application(case_id=case.pk, actor=association_head)
    assert GrantCase.objects.get(pk=case.pk).status == Status.DRAFT


def test_staff_who_submitted_on_behalf_cannot_verify(case, staff, staff2) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=staff, note="紙の申請書を代理入力")
    with pytest.raises(services.CaseActionError, match="代理で提出した方は"):
        services.verify_application(case_id=case.pk, actor=staff)
    assert services.verify_application(case_id=case.pk, actor=staff2).verified_by == staff2


def test_payment_order_needs_an_account_on_file(case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    take_to(case, Status.DECIDED, head=association_head, staff=staff, approver=approver, finance=None)
    case.organization.bank_accounts.update(is_current=False)
    with pytest.raises(services.CaseActionError, match="振込先の口座が登録されていない"):
        services.prepare_payment(case_id=case.pk, actor=staff)
    assert GrantCase.objects.get(pk=case.pk).status == Status.DECIDED
