"""Claim documents through the services: a wrong file is removed by the group or the 保険担当 until the claim is
forwarded (the audit row keeps the kind and number, never the title; the file goes after commit), and a 領収書
carries its amount. Every refusal writes nothing."""
import pytest
from django.db import connection

from grants.accounts.models import Role
from grants.core.models import AuditEvent
from grants.insurance import claims
from grants.insurance.machines import InsuranceError
from grants.insurance.models import Claim, ClaimDocument, ClaimDocumentKind, ClaimStatus
from tests import factories
from tests.concurrency import run_together
from tests.insurance import builders
from tests.insurance.support import nothing_written

pytestmark = pytest.mark.django_db

NAMED_TITLE = "山田 太郎さんの領収書"


@pytest.fixture
def covered(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    return builders.covered_report(association_head, insurance, association)


@pytest.fixture
def claim(covered, insurance) -> Claim:  # type: ignore[no-untyped-def]
    """The injury claim of the covered report, forms sent."""
    return claims.send_claim_forms(actor=insurance, report_id=covered.pk, person_id=covered.persons.get().pk)


@pytest.fixture
def filed(association, association_head, insurance, policy, media) -> Claim:  # type: ignore[no-untyped-def]
    return builders.filed_claim(association_head, insurance, association, outpatient_days=3)


def _receipt(actor, claim: Claim, title: str = NAMED_TITLE) -> ClaimDocument:  # type: ignore[no-untyped-def]
    return claims.add_claim_document(actor=actor, claim_id=claim.pk, kind=ClaimDocumentKind.RECEIPT, title=title,
                                     upload=builders.pdf(), amount=3_240)


def _last_event(claim: Claim) -> AuditEvent:
    return AuditEvent.objects.for_object(claim.report).last()


# --- removal ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["association_head", "insurance"])
def test_the_group_or_the_insurance_officer_removes_a_document_before_filing(request, claim, who,  # type: ignore[no-untyped-def]
                                                                              association_head,
                                                                              django_capture_on_commit_callbacks):
    actor = request.getfixturevalue(who)
    document = _receipt(association_head, claim)
    storage, name = document.file.storage, document.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        claims.remove_claim_document(actor=actor, claim_id=claim.pk, document_id=document.pk)
    assert not ClaimDocument.objects.filter(pk=document.pk).exists()
    assert storage.exists(name)  # not before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert not storage.exists(name)
    event = _last_event(claim)
    assert (event.action, event.actor) == ("insurance_remove_claim_document", actor)
    assert event.note == f"請求 {claim.number}：領収書（治療費・通院交通費など）（書類番号 {document.pk}）"
    assert "山田" not in event.note


def test_a_filed_claim_still_loses_a_wrong_document(filed, association_head) -> None:
    document = filed.documents.get(kind=ClaimDocumentKind.MEDICAL)
    claims.remove_claim_document(actor=association_head, claim_id=filed.pk, document_id=document.pk)
    filed.refresh_from_db()
    assert filed.status == ClaimStatus.FILED
    assert list(filed.documents.values_list("kind", flat=True)) == [ClaimDocumentKind.CLAIM_FORM]


@pytest.mark.parametrize("stage", ["forwarded", "paid", "denied", "withdrawn"])
def test_nothing_is_removed_once_the_claim_left_the_city_or_was_withdrawn(filed, stage, association_head,  # type: ignore[no-untyped-def]
                                                                          insurance):
    if stage == "withdrawn":
        claims.withdraw_claim(actor=association_head, claim_id=filed.pk, reason="請求しません。")
    else:
        claims.forward_claim(actor=insurance, claim_id=filed.pk)
        if stage == "paid":
            claims.record_payment(actor=insurance, claim_id=filed.pk, paid_on=builders.today(), amount=6_000)
        if stage == "denied":
            claims.record_denial(actor=insurance, claim_id=filed.pk, answered_on=builders.today(), reason="対象外")
    filed.refresh_from_db()
    document = filed.documents.first()
    for actor in (association_head, insurance):
        with nothing_written(filed, document), pytest.raises(
                InsuranceError, match="^書類を削除できるのは、保険会社へ送付する前（請求待ち・請求受付）の請求だけです。$"):
            claims.remove_claim_document(actor=actor, claim_id=filed.pk, document_id=document.pk)
    assert document.file.storage.exists(document.file.name)


def test_a_document_of_another_claim_is_not_removed(claim, filed, association_head) -> None:
    foreign = filed.documents.first()
    with nothing_written(claim, foreign), pytest.raises(InsuranceError, match="^書類: この請求の書類を選んでください。$"):
        claims.remove_claim_document(actor=association_head, claim_id=claim.pk, document_id=foreign.pk)


def test_a_document_removed_twice_is_refused_the_second_time(claim, association_head) -> None:
    document = _receipt(association_head, claim)
    claims.remove_claim_document(actor=association_head, claim_id=claim.pk, document_id=document.pk)
    with nothing_written(claim), pytest.raises(InsuranceError, match="^書類: この請求の書類"):
        claims.remove_claim_document(actor=association_head, claim_id=claim.pk, document_id=document.pk)


def test_another_group_and_the_grant_roles_cannot_remove(claim, association_head, staff, approver, finance,  # type: ignore[no-untyped-def]
                                                         auditor):
    document = _receipt(association_head, claim)
    head = factories.UserFactory(username="head-other", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=factories.AssociationFactory(), user=head)
    for outsider in (head, staff, approver, finance, auditor):
        with nothing_written(claim, document), pytest.raises(Claim.DoesNotExist):
            claims.remove_claim_document(actor=outsider, claim_id=claim.pk, document_id=document.pk)


# --- a receipt carries its amount ---------------------------------------------------------------------------------

def test_a_receipt_without_its_amount_is_refused(claim, association_head) -> None:
    with nothing_written(claim), pytest.raises(InsuranceError, match="^金額: 領収書の金額（円）を入力してください。$"):
        claims.add_claim_document(actor=association_head, claim_id=claim.pk, kind=ClaimDocumentKind.RECEIPT,
                                  title="領収書", upload=builders.pdf())
    assert ClaimDocument.objects.count() == 0


def test_a_receipt_of_zero_yen_and_other_documents_without_amount_are_kept(claim, association_head) -> None:
    zero = claims.add_claim_document(actor=association_head, claim_id=claim.pk, kind=ClaimDocumentKind.RECEIPT,
                                     title="無料の通院", upload=builders.pdf(), amount=0)
    kinds = [ClaimDocumentKind.CLAIM_FORM, ClaimDocumentKind.MEDICAL, ClaimDocumentKind.DAMAGE,
             ClaimDocumentKind.OTHER]
    others = [claims.add_claim_document(actor=association_head, claim_id=claim.pk, kind=kind, title="書類",
                                        upload=builders.pdf()) for kind in kinds]
    assert zero.amount == 0
    assert [d.amount for d in others] == [None, None, None, None]


def test_a_forwarded_claim_refuses_a_receipt_for_being_forwarded(filed, association_head, insurance) -> None:
    claims.forward_claim(actor=insurance, claim_id=filed.pk)
    filed.refresh_from_db()
    with nothing_written(filed), pytest.raises(InsuranceError, match="送付した後の請求には書類を追加できません"):
        claims.add_claim_document(actor=association_head, claim_id=filed.pk, kind=ClaimDocumentKind.RECEIPT,
                                  title="領収書", upload=builders.pdf())


# --- races (PostgreSQL) -------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_removal_against_forwarding_and_twice_has_one_outcome_each(association, association_head, insurance,
                                                                   policy, media) -> None:
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=3)
    document = claim.documents.get(kind=ClaimDocumentKind.MEDICAL)
    outcomes = run_together(
        lambda: claims.remove_claim_document(actor=association_head, claim_id=claim.pk, document_id=document.pk),
        lambda: claims.forward_claim(actor=insurance, claim_id=claim.pk))
    removed = outcomes[0] is None
    assert removed != isinstance(outcomes[0], InsuranceError), outcomes
    assert isinstance(outcomes[1], Claim), outcomes  # forwarding never waits on a document
    assert ClaimDocument.objects.filter(pk=document.pk).exists() != removed
    form = claim.documents.get(kind=ClaimDocumentKind.CLAIM_FORM)
    other = builders.filed_claim(association_head, insurance, association, outpatient_days=3,
                                 persons={"田中 三郎": "injury"})
    target = other.documents.get(kind=ClaimDocumentKind.MEDICAL)
    outcomes = run_together(*[lambda: claims.remove_claim_document(actor=association_head, claim_id=other.pk,
                                                                   document_id=target.pk)] * 2)
    assert sorted(type(o).__name__ for o in outcomes) == ["InsuranceError", "NoneType"], outcomes
    assert AuditEvent.objects.filter(action="insurance_remove_claim_document",
                                     note__endswith=f"（書類番号 {target.pk}）").count() == 1
    assert ClaimDocument.objects.filter(pk=form.pk).exists()


def test_an_inpatient_surgery_needs_a_stay(association, association_head, insurance, policy, media) -> None:  # type: ignore[no-untyped-def]
    """入院中の手術 is paid at the inpatient multiple: without a recorded stay it is refused, nothing written."""
    from grants.insurance import claims as claim_services
    from grants.insurance.machines import InsuranceError

    report = builders.covered_report(association_head, insurance, association, accident_date=builders.days_ago(5))
    claim = claim_services.send_claim_forms(actor=insurance, report_id=report.pk,
                                            person_id=report.persons.get().pk)
    with pytest.raises(InsuranceError, match="^入院中の手術: 入院期間が記録されていません。"):
        claim_services.record_treatment(actor=association_head, claim_id=claim.pk, in_treatment=True,
                                        recovered_on=None, outpatient=[report.accident_date],
                                        surgeries_inpatient=1)
    claim.refresh_from_db()
    assert (claim.surgeries_inpatient, claim.outpatient.count()) == (0, 0)
