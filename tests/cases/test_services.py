"""The lifecycle through the services: who may do what, separation of duties, ledger and audit rows."""
import pytest
from django.urls import reverse

from grants.accounts.models import Role
from grants.cases import services
from grants.cases.models import AnnualRun, GrantCase, Status
from grants.core.models import AuditEvent
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from grants.organizations.models import HouseholdCount
from tests import factories
from tests.cases.steps import login, take_to, to_decided, to_verified

pytestmark = pytest.mark.django_db


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
        ("record_paid", "payment_approved", "transfer_sent", finance),
        ("confirm_transfer", "transfer_sent", "paid", finance),
    ]


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


def test_regression_a_formula_override_is_neither_approved_nor_rejected_by_a_second_person(  # type: ignore[no-untyped-def]
        client, case, association_head, staff, staff2, approver):
    """A formula grant's override counts as made (its workflow's ``approve_override`` is open in no state), yet
    the approval and rejection services checked only the role: a second staff member or an approver could
    remove a counting override through the full lifecycle's reject URL (the check then failed again on a case
    already verified on its strength) or stamp an approval the workflow does not have."""
    case.organization.bank_accounts.update(is_current=False)
    services.submit_application(case_id=case.pk, actor=association_head)
    override = services.override_check(case_id=case.pk, actor=staff, check_code="bank_account",
                                       justification="口座変更届を受理済み（台帳反映待ち）")
    before = AuditEvent.objects.count()

    with pytest.raises(services.CaseActionError, match="特例判断を承認する権限がありません"):
        services.approve_override(case_id=case.pk, override_id=override.pk, actor=approver)
    with pytest.raises(services.CaseActionError, match="特例判断を承認する権限がありません"):
        services.reject_override(case_id=case.pk, override_id=override.pk, actor=staff2, note="不要")
    login(client, staff2).post(reverse("case_override_reject", args=[case.pk, override.pk]), {"note": "不要"})

    override.refresh_from_db()
    assert override.approved_by is None
    assert AuditEvent.objects.count() == before
    assert services.verify_application(case_id=case.pk, actor=staff2).status == Status.VERIFIED


def test_submission_without_count_is_refused(programme_year, ready_association, association_head) -> None:  # type: ignore[no-untyped-def]
    case = GrantCase.objects.create(programme_year=programme_year, organization=ready_association)
    with pytest.raises(services.CaseActionError, match="世帯数を入力してから"):
        services.submit_application(case_id=case.pk, actor=association_head)


def test_decision_beyond_budget_is_refused(case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    take_to(case, Status.VERIFIED, head=association_head, staff=staff, approver=approver, finance=None)
    BudgetAccount.objects.filter(programme_year=case.programme_year).update(budget=1)  # less than the amount
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


def test_payment_order_needs_an_account_on_file(case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    take_to(case, Status.DECIDED, head=association_head, staff=staff, approver=approver, finance=None)
    case.organization.bank_accounts.update(is_current=False)
    with pytest.raises(services.CaseActionError, match="振込先の口座が登録されていない"):
        services.prepare_payment(case_id=case.pk, actor=staff)
    assert GrantCase.objects.get(pk=case.pk).status == Status.DECIDED


# Attacks on scoping and roles: another association's data, ended terms, wrong roles, separation of duties.


ALL_ACTIONS = ["submit", "return_to_applicant", "verify", "decide", "refuse", "prepare_payment",
               "approve_payment", "reject_payment", "record_paid"]


def test_auditor_cannot_change_anything(client, case, association_head, staff, approver, auditor) -> None:  # type: ignore[no-untyped-def]
    to_verified(case, association_head, staff)
    login(client, auditor)
    for action in ALL_ACTIONS:
        client.post(reverse("case_action", args=[case.pk, action]), {"note": "監査"})
    client.post(reverse("correct_count", args=[case.pk]), {"households": 1, "reason": "x"})
    client.post(reverse("override_check", args=[case.pk]), {"check_code": "bank_account", "justification": "x"})
    client.post(reverse("annual_run_start", args=[case.programme_year.pk]), {"source": "on_file"})
    client.post(reverse("organization_detail", args=[case.organization_id]),
                {"name": "監査太郎", "title": "会長", "started_on": "2026-06-01"})
    case.refresh_from_db()
    assert case.status == Status.VERIFIED and case.household_count == 120
    assert not AnnualRun.objects.exists()
    assert not AuditEvent.objects.filter(actor=auditor).exists()
    assert case.organization.representatives.count() == 1
    assert LedgerEntry.objects.count() == 1  # the budget only


@pytest.mark.parametrize("role", [Role.FINANCE, Role.STAFF, Role.AUDITOR, Role.ASSOCIATION_HEAD])
def test_only_approver_decides(case, association_head, staff, role) -> None:  # type: ignore[no-untyped-def]
    to_verified(case, association_head, staff)
    actor = association_head if role == Role.ASSOCIATION_HEAD else factories.UserFactory(username=f"x-{role}", role=role)
    with pytest.raises(services.CaseActionError):
        services.decide_grant(case_id=case.pk, actor=actor)
    with pytest.raises(services.CaseActionError):
        services.refuse_grant(case_id=case.pk, actor=actor, note="x")
    assert GrantCase.objects.get(pk=case.pk).status == Status.VERIFIED


@pytest.mark.parametrize("role", [Role.STAFF, Role.APPROVER, Role.AUDITOR])
def test_only_finance_approves_or_pays(case, association_head, staff, approver, finance, role) -> None:  # type: ignore[no-untyped-def]
    to_decided(case, association_head, staff, approver)
    services.prepare_payment(case_id=case.pk, actor=finance)
    actor = factories.UserFactory(username=f"y-{role}", role=role)
    for call in (services.approve_payment, services.record_payment):
        with pytest.raises(services.CaseActionError):
            call(case_id=case.pk, actor=actor)
    with pytest.raises(services.CaseActionError):
        services.reject_payment(case_id=case.pk, actor=actor, note="x")
    assert GrantCase.objects.get(pk=case.pk).status == Status.PAYMENT_PREPARED


def test_finance_cannot_correct_count_or_override(case, association_head, finance, approver) -> None:  # type: ignore[no-untyped-def]
    for actor in (finance, approver):
        with pytest.raises(services.CaseActionError):
            services.correct_household_count(case_id=case.pk, actor=actor, households=1, reason="x")
    services.submit_application(case_id=case.pk, actor=association_head)
    for actor in (finance, approver, association_head):
        with pytest.raises(services.CaseActionError):
            services.override_check(case_id=case.pk, actor=actor, check_code="bank_account", justification="x")


def test_head_cannot_verify_own_application(case, association_head) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    with pytest.raises(services.CaseActionError):
        services.verify_application(case_id=case.pk, actor=association_head)
    with pytest.raises(services.CaseActionError):
        services.return_application(case_id=case.pk, actor=association_head, note="x")


def test_head_cannot_correct_after_submission(case, association_head) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    with pytest.raises(services.CaseActionError):
        services.correct_household_count(case_id=case.pk, actor=association_head, households=9999, reason="x")
    assert GrantCase.objects.get(pk=case.pk).household_count == 120


# Count corrections with absurd values, HTML/JS in free text, double clicks on the page.


def test_service_refuses_non_int_counts(case, association_head) -> None:  # type: ignore[no-untyped-def]
    for bad in (1.5, "120", None, -1):
        with pytest.raises(services.CaseActionError):
            services.correct_household_count(case_id=case.pk, actor=association_head, households=bad, reason="x")  # type: ignore[arg-type]


def test_regression_service_accepts_absurd_and_boolean_counts(case, association_head) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (services.correct_household_count): the service checks ``isinstance(households, int)`` and ``>= 0``
    only. The upper bound lives in the form (100,000), so any other caller (management command, future API,
    shell) can record 10**10 households (PostgreSQL: integer overflow → DataError, SQLite: stored and a
    5,000,010,000 yen amount computed), and ``True`` passes as 1 household. The service, which is the one place
    every write goes through, should refuse bool and values above a sane maximum."""
    for bad in (10**10, True):
        with pytest.raises(services.CaseActionError):
            services.correct_household_count(case_id=case.pk, actor=association_head, households=bad, reason="x")


def test_decided_case_cannot_be_returned_or_corrected(case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    to_decided(case, association_head, staff, approver)
    with pytest.raises(services.CaseActionError):
        services.return_application(case_id=case.pk, actor=staff, note="やり直し")
    with pytest.raises(services.CaseActionError):
        services.correct_household_count(case_id=case.pk, actor=staff, households=999, reason="x")
    case.refresh_from_db()
    assert (case.status, case.decided_amount) == (Status.DECIDED, 70_000)


def test_returned_after_verification_then_recomputed_amount_is_decided(case, association_head, staff, staff2, approver) -> None:  # type: ignore[no-untyped-def]
    """Return after verification, head corrects the count, another staff verifies: the new amount is decided,
    and the first verifier's record is replaced."""
    to_verified(case, association_head, staff)
    services.return_application(case_id=case.pk, actor=staff, note="世帯数を確認してください")
    services.correct_household_count(case_id=case.pk, actor=association_head, households=200, reason="再確認")
    to_verified(case, association_head, staff2)
    services.decide_grant(case_id=case.pk, actor=approver)
    case.refresh_from_db()
    assert (case.verified_by, case.decided_amount) == (staff2, 110_000)
    assert BudgetAccount.objects.get(programme_year=case.programme_year).committed == 110_000


def test_budget_exhausted_refusal_writes_nothing(case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    services.correct_household_count(case_id=case.pk, actor=association_head, households=100_000, reason="大規模")
    to_verified(case, association_head, staff)
    with pytest.raises(services.CaseActionError, match="予算額を超える"):
        services.decide_grant(case_id=case.pk, actor=approver)
    case.refresh_from_db()
    assert (case.status, case.decided_amount, case.decided_by) == (Status.VERIFIED, None, None)
    assert not LedgerEntry.objects.filter(case=case).exists()
    assert not AuditEvent.objects.filter(action="decide").exists()


def test_zero_household_case_with_no_flat_part(association_head, staff, approver, ready_association) -> None:  # type: ignore[no-untyped-def]
    """A rule that gives 0 yen: deciding is refused with a Japanese message (ledger refuses 0), nothing written."""
    from grants.ledger.models import BudgetAccount as BA
    from grants.ledger.services import set_budget
    from grants.programmes.models import ComponentKind

    py = factories.rule(fiscal_year=2027, components=[(ComponentKind.PER_HOUSEHOLD, "世帯割", 500)])
    BA.objects.create(programme_year=py)
    set_budget(programme_year=py, budget=1_000_000, actor=approver)
    case = GrantCase(programme_year=py, organization=ready_association)
    services.apply_count(case, 0)
    case.save()
    to_verified(case, association_head, staff)
    with pytest.raises(services.CaseActionError):
        services.decide_grant(case_id=case.pk, actor=approver)
    assert GrantCase.objects.get(pk=case.pk).status == Status.VERIFIED
