"""One world of objects for the permission matrix (tests/pages/test_permission_matrix.py): a case of each
programme kind, an organisation of each kind, a plan, a payment order and batch, a notice, a report, an insurance
report and claim, a call and an application, a job, attachments and receipts — each owned by organisations whose
heads are NOT the matrix's applicant users — and the users of every role the matrix tries.

Built with the suite's builders. ``Cast.objects`` names each object; the matrix's ``URL_ARGS`` maps each URL
parameter of each view to one of these names. The one thing a matrix user owns is HEAD_DANTAI's confirmed group
(``own_group``), with which it may start an application."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases import receipts
from grants.cases.batches import create_payment_batch
from grants.cases.models import AnnualRun, EligibilityOverride, GrantCase
from grants.cases.services import apply_count
from grants.competitive import applications
from grants.competitive.models import GroupRegistration, RegistrationStatus, Selection, TaxCreditReport
from grants.core.bankdays import next_bank_business_day
from grants.evaluation.models import Assignment, Criterion, Publication
from grants.jobs.models import Job
from grants.ledger.models import PaymentBatch
from grants.notices.models import Notice
from grants.notify.models import Notification
from grants.organizations.invitations import token_hash
from grants.organizations.models import (
    Invitation,
    Measure,
    MemberRole,
    Organization,
    OrganizationKind,
    PlanAttachment,
    Representative,
)
from tests import factories
from tests.cases.steps import approve_case, association_case, to_verified
from tests.cases.world import _write_report, drive, make_world
from tests.competitive import builders as competitive
from tests.competitive import steps as competitive_steps
from tests.councils import builders as councils
from tests.insurance import builders as insurance_builders
from tests.insurance.groups import make_group
from tests.notices.builders import with_relations
from tests.publication import builders as publication

ANONYMOUS = "anonymous"
NO_ROLE = "no_role"
ADMIN = "admin"  # is_staff, no role, not a superuser: only the model permissions below
HEAD_JICHIKAI = "head_jichikai"  # 自治会長 of another 自治会
HEAD_KYOGIKAI = "head_kyogikai"  # 事務局長 of another 協議会
HEAD_DANTAI = "head_dantai"  # 代表 of another (confirmed) 市民活動団体
PANEL = "panel"  # 審査委員 assigned to no call
EVALUATOR = "evaluator"  # 評価委員 (協働推進委員会) assigned to no case
# The roles within an organisation: the 会計 and a 担当者 of the world's first 自治会 (``association``, whose head is
# the world's, not the matrix's): members who see its objects, draft and enter money, but never submit.
TREASURER = "treasurer_first"
CLERK = "clerk_first"
# The invitation link the matrix opens: to an organisation none of the world's pages names.
INVITATION_TOKEN = "matrix-invitation-token"

ROLES = (Role.STAFF.value, Role.APPROVER.value, Role.FINANCE.value, Role.AUDITOR.value, Role.INSURANCE.value,
         HEAD_JICHIKAI, HEAD_KYOGIKAI, HEAD_DANTAI, PANEL, EVALUATOR, NO_ROLE, ADMIN,
         ANONYMOUS, TREASURER, CLERK)

# The one model permission the admin user holds (besides is_staff): viewing organisations.
ADMIN_PERMISSIONS = ("organizations.view_organization",)


@dataclass
class Cast:
    users: dict[str, User | None]
    objects: dict[str, Any]


def _user(username: str, role: str, **fields: object) -> User:
    return factories.UserFactory(username=username, role=role, **fields)


def _head(kind: str, username: str, name: str) -> User:
    """A head of a new organisation of ``kind`` that owns nothing the matrix asks for."""
    org = factories.AssociationFactory(kind=kind, name=name)
    user = _user(username, Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=org, user=user, started_on=dt.date(2020, 4, 1))
    if kind == OrganizationKind.SHIMIN_DANTAI:
        factories.BankAccountFactory(organization=org)
        GroupRegistration.objects.create(organization=org, representative_name="別 代表", phone="0",
                                         email=f"{username}@example.jp", address="山口市", based_in_city=True,
                                         members=10, purpose="目的", submitted_by=user,
                                         status=RegistrationStatus.CONFIRMED)  # it may apply to a call
    return user


def matrix_users() -> dict[str, User | None]:
    admin = _user("m-admin", "", is_staff=True)
    for label in ADMIN_PERMISSIONS:
        app_label, codename = label.split(".")
        admin.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return {
        **{role: _user(f"m-{role}", role) for role in (Role.STAFF, Role.APPROVER, Role.FINANCE, Role.AUDITOR,
                                                        Role.INSURANCE)},
        HEAD_JICHIKAI: _head(OrganizationKind.JICHIKAI, "m-head-jichikai", "白石第9自治会"),
        HEAD_KYOGIKAI: _head(OrganizationKind.KYOGIKAI, "m-head-kyogikai", "宮野地域づくり協議会"),
        HEAD_DANTAI: _head(OrganizationKind.SHIMIN_DANTAI, "m-head-dantai", "宮野まちづくりの会"),
        PANEL: _user("m-panel", Role.PANEL),
        EVALUATOR: _user("m-evaluator", Role.EVALUATOR),
        NO_ROLE: _user("m-no-role", ""),
        ADMIN: admin,
        ANONYMOUS: None,
    }


def _evaluation(staff: User) -> tuple[GrantCase, Assignment]:
    """評価 (grants.evaluation): a closed case of a programme-year with a criterion, assigned to an evaluator who is
    not the matrix's (the matrix's 評価委員 is assigned to nothing: each assignment's page answers them 404)."""
    year = factories.rule(code="hyoka-matrix")
    Criterion.objects.create(programme_year=year, order=1, name="目標の達成度")
    case = GrantCase.objects.create(programme_year=year, organization=factories.AssociationFactory(name="評価対象の自治会"),
                                    status="closed")
    evaluator = _user("w-evaluator", Role.EVALUATOR)
    return case, Assignment.objects.create(case=case, evaluator=evaluator, kind="peer", assigned_by=staff)


def build() -> Cast:
    """Every object a URL of the pages names, owned by other people than the matrix's users."""
    staff, staff2 = _user("w-staff", Role.STAFF), _user("w-staff2", Role.STAFF)
    approver, finance, finance2 = _user("w-approver", Role.APPROVER), _user("w-finance", Role.FINANCE), \
        _user("w-finance2", Role.FINANCE)
    auditor, judge = _user("w-auditor", Role.AUDITOR), _user("w-hoken", Role.INSURANCE)
    today = timezone.localdate()

    # 自治会等自治振興交付金 (formula): a case paid-approved in a draft batch, with its 交付決定通知書.
    year = factories.programme_year_with_budget(budget=5_000_000)
    association = factories.AssociationFactory()
    head = _user("w-head", Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=association, user=head, started_on=dt.date(2025, 4, 1))
    factories.BankAccountFactory(organization=association)
    factories.count(association, factories.BASE_DATE, 120)
    case = GrantCase(programme_year=year, organization=association)
    apply_count(case, 120)
    case.save()
    case = with_relations(approve_case(case, head, staff, approver, staff, finance))
    batch = create_payment_batch(actor=finance, case_ids=[case.pk],
                                 transfer_date=next_bank_business_day(today + dt.timedelta(days=7)))
    sent_batch = PaymentBatch.objects.create(transfer_date=today, prepared_by=finance, status="approved",
                                             file=ContentFile(b"1" * 120, name="zengin.txt"))
    notice = Notice.objects.filter(case=case).first()
    verified = to_verified(association_case(year), staff, staff2)  # waiting for the 決裁者's 交付決定
    run = AnnualRun.objects.create(programme_year=year, started_by=staff, counts_source="登録済み")

    # 地域づくり活動支援 (full): a council, its plan, a decided case with a saved report and a receipt.
    council, secretary = councils.council()
    w = make_world((council, secretary), councils.katsudo_year(), staff, staff2, approver, finance, finance2,
                   auditor)
    councils.instalments(w.py, [(1, 2)])  # one 概算払 order of half the decided amount
    full = drive(w, "decided")
    _write_report(w, full)
    receipt = receipts.add_receipt(case_id=full.pk, actor=secretary, title="領収書",
                                   upload=insurance_builders.pdf("receipt.pdf"))
    override = EligibilityOverride.objects.create(case=full, check_code="plan", justification="理由", actor=staff)
    # the open data (grants.opendata): the council's decided case has a published evaluation (its year's 評価結果)
    Publication.objects.create(case=full, publish_scores=True, summary="公表する講評", decided_by=staff,
                               decided_at=timezone.now())
    attachment = PlanAttachment.objects.create(plan=w.plan, title="計画書", uploaded_by=staff,
                                               file=ContentFile(b"%PDF-1.4 plan", name="plan.pdf"))
    secretariat = councils.staff_member(council, staff)

    # コミュニティ活動保険: the association's draft report and filed claim (with their files).
    insurance_builders.policy()
    group = make_group(association, head, judge)

    # 市民活動交流事業補助金 (competitive): a call, a confirmed group, its application in screening with a file,
    # a tax report.
    call = competitive.call(competitive.programme_year(), staff)
    npo, npo_head = competitive.group(confirmed_by=staff)
    competitive.panel_member(call, "w-judge", staff)
    application = competitive_steps.draft(call, npo, npo_head)
    app_file = applications.attach(case_id=application.pk, actor=npo_head, title="見積書",
                                   file=competitive.pdf("mitsumori.pdf"))
    application = competitive_steps.screening(call, *competitive.group("npo-b", "湯田の会", confirmed_by=staff),
                                              staff)
    tax = TaxCreditReport.objects.create(case=application, due_on=today, status="draft",
                                         evidence=ContentFile(b"%PDF-1.4 evidence", name="evidence.pdf"))
    Selection.objects.create(call=call)
    measure = Measure.objects.get_or_create(code="population", defaults={"name": "人口", "unit": "人"})[0]
    registration = GroupRegistration.objects.get(organization=npo)

    job = Job.objects.create(kind="ledger_csv", title="台帳", requested_by=auditor, status="done",
                             file=ContentFile(b"a,b\n", name="ledger.csv"), filename="ledger.csv",
                             content_type="text/csv")
    bulk_job = Job.objects.create(
        kind="case_bulk_act", title="一括の手続: 交付決定する（1件）", requested_by=approver, status="done",
        params={"edge": "decide", "cases": [verified.pk], "result": {
            "edge": "decide", "label": "交付決定する", "done": [], "set_aside": [[verified.pk, "理由"]]}})
    objects = {
        "case": case, "verified_case": verified, "year": year, "batch": batch, "item": batch.items.first(), "sent_batch": sent_batch, "notice": notice, "run": run,
        "association": association, "council": council, "full": full, "plan": w.plan,
        "plan_item": w.plan.items.last(), "plan_attachment": attachment, "secretariat": secretariat,
        "line": full.budget_lines.first(), "override": override, "order": full.payment_orders.first(),
        "receipt": receipt, "report": group.draft, "report_person": group.draft.persons.first(),
        "report_attachment": group.draft.attachments.first(), "covered_report": group.report, "claim": group.claim,
        "claim_document": group.claim.documents.first(), "call": call, "group": npo, "registration": registration,
        "application": application, "draft_application": app_file.case, "application_file": app_file,
        "tax": tax, "job": job, "bulk_job": bulk_job, "measure": measure,
        # the 交付決定's お知らせ to the association's head (grants.notify): its recipient's alone
        "notification": Notification.objects.filter(recipient=head).first(),
    }
    users = matrix_users()
    for role, username, member_role in ((TREASURER, "m-kaikei", MemberRole.TREASURER),
                                        (CLERK, "m-tanto", MemberRole.CLERK)):
        users[role] = _user(username, Role.ASSOCIATION_HEAD, email=f"{username}@example.jp")
        factories.RepresentativeFactory(organization=association, user=users[role], name=username, role=member_role,
                                        title=member_role.label, started_on=dt.date(2025, 4, 1))
    objects["member_term"] = Representative.objects.get(user=users[CLERK])
    objects["invitation"] = Invitation.objects.create(
        organization=association, role=MemberRole.CLERK, name="招待 太郎", email="shotai@example.jp",
        token_hash=token_hash("world-invitation"), expires_at=timezone.now() + dt.timedelta(days=7), invited_by=staff)
    elsewhere = factories.AssociationFactory(name="招待先の自治会")
    Invitation.objects.create(organization=elsewhere, role=MemberRole.CLERK, name="招待 次郎", email="j@example.jp",
                              token_hash=token_hash(INVITATION_TOKEN), expires_at=timezone.now() + dt.timedelta(days=7),
                              invited_by=staff)
    # the public catalogue (pages.catalogue): a published guide of the formula programme, an other funder's programme
    objects["guide"] = publication.guide(year.programme)
    objects["funder_programme"] = publication.other()
    objects["closed_case"], objects["assignment"] = _evaluation(staff)
    # the one thing a matrix user owns: the group of HEAD_DANTAI, with which it may start an application
    objects["own_group"] = Organization.objects.get(representatives__user=users[HEAD_DANTAI])
    missing = [name for name, obj in objects.items() if obj is None]
    assert not missing, f"the world lacks {missing}"
    return Cast(users=users, objects=objects)
