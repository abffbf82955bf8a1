"""Count corrections with absurd values, HTML/JS in free text, double clicks on the page."""
import pytest
from django.urls import reverse

from grants.cases import services
from grants.cases.models import GrantCase, Status
from grants.core.models import AuditEvent
from grants.ledger.models import BudgetAccount, LedgerEntry
from grants.organizations.models import HouseholdCount
from tests import factories
from tests.cases.steps import login, to_decided, to_verified

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _page(client, case):  # type: ignore[no-untyped-def]
    return client.get(reverse("case_detail", args=[case.pk])).content.decode()


def _assert_escaped(page: str) -> None:
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


# --- count corrections ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1000000000", "100001", "-1", "1e3", "12.5", "", "abc", "10**9",
                                   "99999999999999999999999"])
def test_absurd_counts_refused_by_the_form(client, case, association_head, value) -> None:  # type: ignore[no-untyped-def]
    response = login(client, association_head).post(reverse("correct_count", args=[case.pk]),
                                                     {"households": value, "reason": "訂正"}, follow=True)
    assert "基準日の世帯数:" in response.content.decode()
    case.refresh_from_db()
    assert case.household_count == 120
    assert not HouseholdCount.objects.filter(source="correction").exists()


@pytest.mark.parametrize("value, expected", [("１２０", 120), ("-0", 0), ("-0.0", 0), ("7.0", 7), (" 5 ", 5), ("100000", 100_000)])
def test_edge_counts_accepted_by_the_form(client, case, association_head, value, expected) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head).post(reverse("correct_count", args=[case.pk]), {"households": value, "reason": "訂正"})
    assert GrantCase.objects.get(pk=case.pk).household_count == expected


def test_huge_reason_refused_and_whitespace_reason_refused(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    for reason in ("x" * 2001, "   ", "\u3000\n"):
        client.post(reverse("correct_count", args=[case.pk]), {"households": 5, "reason": reason})
    assert GrantCase.objects.get(pk=case.pk).household_count == 120
    assert not HouseholdCount.objects.filter(source="correction").exists()


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


# --- HTML and JS in free text ---------------------------------------------------------------------------------

def test_html_in_correction_reason_is_escaped(client, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    services.correct_household_count(case_id=case.pk, actor=association_head, households=5, reason=XSS)
    _assert_escaped(_page(login(client, staff), case))


def test_html_in_return_note_and_override_is_escaped(client, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    case.organization.bank_accounts.all().delete()
    services.submit_application(case_id=case.pk, actor=association_head)
    services.override_check(case_id=case.pk, actor=staff, check_code="bank_account", justification=XSS)
    login(client, staff).post(reverse("case_action", args=[case.pk, "return_to_applicant"]), {"note": XSS})
    assert GrantCase.objects.get(pk=case.pk).status == Status.DRAFT
    page = _page(client, case)
    _assert_escaped(page)
    client.logout()
    _assert_escaped(_page(login(client, association_head), case))


def test_html_in_organization_and_representative_names_is_escaped(client, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    org = case.organization
    org.name = XSS
    org.save()
    login(client, staff).post(reverse("organization_detail", args=[org.pk]),
                              {"name": XSS, "title": "<b>会長</b>", "started_on": "2026-06-01"})
    for url in (reverse("case_list"), reverse("case_detail", args=[case.pk]), reverse("organization_detail", args=[org.pk]),
                reverse("home")):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>会長" not in page, url


def test_html_in_search_box_is_escaped(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    page = login(client, association_head).get(reverse("case_list"), {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in page


# --- double clicks --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("step", ["verify", "decide", "prepare_payment", "approve_payment"])
def test_double_post_of_each_step_acts_once(client, case, association_head, staff, approver, finance, finance2, step) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    actor = {"verify": staff, "decide": approver, "prepare_payment": finance, "approve_payment": finance2,
             "record_paid": finance}
    order = ["verify", "decide", "prepare_payment", "approve_payment", "record_paid"]
    for earlier in order[: order.index(step)]:
        services.__dict__[{"verify": "verify_application", "decide": "decide_grant", "prepare_payment": "prepare_payment",
                           "approve_payment": "approve_payment"}[earlier]](case_id=case.pk, actor=actor[earlier])
    login(client, actor[step])
    url = reverse("case_action", args=[case.pk, step])
    client.post(url, {"note": ""})
    second = client.post(url, {"note": ""}, follow=True).content.decode()
    assert "この操作はできません" in second
    assert AuditEvent.objects.filter(action=step).count() == 1
    account = BudgetAccount.objects.get(programme_year=case.programme_year)
    assert account.committed == (70_000 if order.index(step) >= 1 else 0)
    assert account.paid == (70_000 if step == "record_paid" else 0)
    assert LedgerEntry.objects.filter(case=case).count() == (order.index(step) >= 1) + (step == "record_paid")


def test_payment_is_not_recorded_from_the_case_page(client, case, association_head, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    """Payments go out only through an approved payment batch (with its 全銀 file): the case page has no
    record_paid action, and posting to it is 404."""
    services.submit_application(case_id=case.pk, actor=association_head)
    to_verified_and_on(case, staff, approver, finance, finance2)
    login(client, finance)
    assert client.post(reverse("case_action", args=[case.pk, "record_paid"]), {"note": ""}).status_code == 404
    assert "振込を実行する" not in client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert BudgetAccount.objects.get(programme_year=case.programme_year).paid == 0


def to_verified_and_on(case, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    services.verify_application(case_id=case.pk, actor=staff)
    services.decide_grant(case_id=case.pk, actor=approver)
    services.prepare_payment(case_id=case.pk, actor=finance)
    services.approve_payment(case_id=case.pk, actor=finance2)


def test_double_correction_keeps_history(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    for _ in range(2):
        client.post(reverse("correct_count", args=[case.pk]), {"households": 130, "reason": "訂正"})
    assert GrantCase.objects.get(pk=case.pk).computed_amount == 10_000 + 130 * 500
    assert HouseholdCount.objects.filter(organization=case.organization, source="correction").count() == 2


def test_regression_overlong_note_silently_dropped(client, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (views.case_action): when NoteForm is invalid (note over 2,000 characters) the view uses note=""
    and carries on. For verify/submit the applicant's or reviewer's note is lost without a word; for a step
    whose note is required (差戻し, 不交付) the user is told 「理由を入力してください」 although they did. The
    view should report the form error and not act."""
    services.submit_application(case_id=case.pk, actor=association_head)
    login(client, staff).post(reverse("case_action", args=[case.pk, "verify"]), {"note": "確認済み。" + "x" * 2000})
    assert GrantCase.objects.get(pk=case.pk).status == Status.SUBMITTED, "acted with the note thrown away"


def test_refuse_needs_reason(client, case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    to_verified(case, association_head, staff)
    login(client, approver)
    response = client.post(reverse("case_action", args=[case.pk, "refuse"]), {"note": "  "}, follow=True)
    assert "理由を入力してください" in response.content.decode()
    assert GrantCase.objects.get(pk=case.pk).status == Status.VERIFIED


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
