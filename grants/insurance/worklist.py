"""The insurance box of the home page (ホーム「コミュニティ活動保険」): for the 保険担当, what waits for them; for a
group's head, their group's open reports and claims and the reminders they received. Counts, numbers and states
only: no personal data is shown there, so nothing is logged."""
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.urls import reverse

from grants.accounts.models import Role, User

from .machines import EDITABLE, visible_claims, visible_reports
from .models import (
    OPEN_CLAIM_STATUSES,
    AccidentReport,
    Claim,
    ClaimStatus,
    Harm,
    InvolvedPerson,
    Reminder,
    ReminderKind,
    ReportStatus,
)
from .reminders import due_reminders


@dataclass(frozen=True)
class WorkItem:
    label: str
    count: int
    url: str


@dataclass
class InsuranceBox:
    """``items``: counts for the 保険担当; ``reports``, ``claims``, ``reminders``: a head's open rows."""

    items: list[WorkItem] = field(default_factory=list)
    reports: list[AccidentReport] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)


def _awaiting_forms() -> QuerySet[AccidentReport]:
    """Covered reports with a harmed person who has no claim yet (the 保険担当 sends the forms next)."""
    harmed = InvolvedPerson.objects.exclude(harm=Harm.NONE).filter(claims__isnull=True).values("report")
    return AccidentReport.objects.filter(status=ReportStatus.COVERED, pk__in=harmed)


def insurance_box(user: User) -> InsuranceBox | None:
    """What the home page shows ``user`` about the insurance, or None for the roles that have no part in it."""
    if user.role == Role.INSURANCE:
        reports_url = reverse("insurance_report_list")
        waiting = AccidentReport.objects.filter(status=ReportStatus.SUBMITTED)
        return InsuranceBox(items=[
            # The reports this user entered on paper are judged by another 保険担当 (services.judge_report).
            WorkItem("判定を待っている事故報告書（あなたが判定できるもの）",
                     waiting.exclude(created_by=user).count(), f"{reports_url}?status={ReportStatus.SUBMITTED}"),
            WorkItem("判定を待っている事故報告書（あなたが入力したため、別の保険担当が判定するもの）",
                     waiting.filter(created_by=user).count(), f"{reports_url}?status={ReportStatus.SUBMITTED}"),
            WorkItem("請求書類の送付を待っている事故報告書（補償の対象と判定済み）", _awaiting_forms().count(),
                     f"{reports_url}?status={ReportStatus.COVERED}"),
            WorkItem("保険会社への送付を待っている請求", Claim.objects.filter(status=ClaimStatus.FILED).count(),
                     reverse("insurance_claim_list") + f"?status={ClaimStatus.FILED}"),
            WorkItem("送付の時期を迎えた督促・照会", len(due_reminders()), reverse("insurance_reminders")),
        ])
    if user.role == Role.ASSOCIATION_HEAD:
        # Covered reports stay listed until every claim is settled: the claim forms come next, then the claims.
        settled = Claim.objects.exclude(status__in=OPEN_CLAIM_STATUSES).values("report")
        open_claims = Claim.objects.filter(status__in=OPEN_CLAIM_STATUSES).values("report")
        open_reports = (visible_reports(user)
                        .filter(Q(status__in=(*EDITABLE, ReportStatus.SUBMITTED))
                                | Q(status=ReportStatus.COVERED) & (~Q(pk__in=settled) | Q(pk__in=open_claims)))
                        .select_related("policy", "organization"))
        claims = visible_claims(user).filter(status__in=OPEN_CLAIM_STATUSES).select_related("report__policy")
        reminders = (Reminder.objects.filter(claim__in=visible_claims(user), kind=ReminderKind.CLAIM_DUE,
                                             claim__status=ClaimStatus.FORMS_SENT)
                     .select_related("claim__report__policy").order_by("-sent_on", "-pk"))
        return InsuranceBox(reports=list(open_reports), claims=list(claims), reminders=list(reminders[:10]))
    return None
