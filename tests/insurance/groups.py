"""Helpers of the fifth adversarial round: a group with a draft report and a filed claim, the URLs of every
insurance page with their POST data, and the counts an attack must leave as they were."""
import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from grants.accounts.models import Role
from grants.insurance.models import AccidentReport, Claim, PersonalDataAccess
from grants.organizations.models import Organization
from tests import factories
from tests.insurance import builders
from tests.insurance.pages import counts, person_post

# What an injured person's record holds in every scene: none of it may appear where it is not allowed.
PERSONAL = ("山田 太郎", "やまだ たろう", "山口市亀山町2-1", "083-000-0000", "右足首の骨折")


@dataclass
class Group:
    """One group, its head, a draft report (one injured participant) and a filed injury claim."""

    organization: Organization
    head: object
    draft: AccidentReport
    claim: Claim

    @property
    def report(self) -> AccidentReport:
        return self.claim.report


def make_group(organization: Organization, head: object, judge: object, *, name: str = "山田 太郎") -> Group:
    claim = builders.filed_claim(head, judge, organization, outpatient_days=3, persons={name: "injury"})
    draft = builders.draft_report(head, organization, persons={name: "injury"})
    return Group(organization, head, draft, claim)


def head_of(organization: Organization, username: str, *, ended_on: dt.date | None = None) -> object:
    user = factories.UserFactory(username=username, role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=organization, user=user, started_on=dt.date(2025, 4, 1),
                                    ended_on=ended_on)
    return user


def snapshot() -> tuple[dict[str, int], int]:
    """Rows of every insurance table an act writes, and of the access log."""
    return counts(), PersonalDataAccess.objects.count()


def get_urls(g: Group) -> dict[str, str]:
    """Every GET of a report's or a claim's personal data, for group ``g``."""
    report, claim = g.report, g.claim
    return {
        "report": reverse("insurance_report_detail", args=[report.pk]),
        "edit": reverse("insurance_report_edit", args=[g.draft.pk]),
        "attachment": reverse("insurance_report_attachment", args=[report.pk, report.attachments.first().pk]),
        "claim": reverse("insurance_claim_detail", args=[claim.pk]),
        "document": reverse("insurance_claim_document", args=[claim.pk, claim.documents.first().pk]),
        "pdf": reverse("insurance_claim_documents_pdf", args=[claim.pk]),
        "xlsx": reverse("insurance_claim_documents_xlsx", args=[claim.pk]),
        "zip": reverse("insurance_claim_documents_zip", args=[claim.pk]),
        "claim_form": reverse("insurance_claim_form", args=[claim.pk]),
    }


def post_urls(g: Group) -> dict[str, tuple[str, dict[str, object]]]:
    """Every POST of the report and claim pages for group ``g``, with data that would succeed for its own
    head or the 保険担当 (so a refusal is the access check, not the input)."""
    draft, report, claim = g.draft, g.report, g.claim
    person, attachment = draft.persons.first(), draft.attachments.first()
    return {
        "edit": (reverse("insurance_report_edit", args=[draft.pk]), {"activity_name": "書き換え"}),
        "add_person": (reverse("insurance_report_add_person", args=[draft.pk]), person_post(name="侵入 者")),
        "remove_person": (reverse("insurance_report_remove_person", args=[draft.pk, person.pk]), {}),
        "add_attachment": (reverse("insurance_report_add_attachment", args=[draft.pk]),
                           {"kind": "other", "title": "写真", "file": builders.pdf()}),
        "remove_attachment": (reverse("insurance_report_remove_attachment", args=[draft.pk, attachment.pk]), {}),
        "submit": (reverse("insurance_report_submit", args=[draft.pk]), {}),
        "withdraw": (reverse("insurance_report_withdraw", args=[draft.pk]), {"reason": "取下げます。"}),
        "return": (reverse("insurance_report_return", args=[draft.pk]), {"note": "差し戻します。"}),
        "judge": (reverse("insurance_report_judge", args=[draft.pk]), {"note": ""}),
        "send_forms": (reverse("insurance_report_send_forms", args=[report.pk]),
                       {"person": report.persons.first().pk}),
        "treatment": (reverse("insurance_claim_treatment", args=[claim.pk]),
                      {"state": "in_treatment", "surgeries_inpatient": 0, "surgeries_outpatient": 0}),
        "damages": (reverse("insurance_claim_damages", args=[claim.pk]), {"damages": 1000}),
        "add_document": (reverse("insurance_claim_add_document", args=[claim.pk]),
                         {"kind": "receipt", "title": "領収書", "amount": 1000, "file": builders.pdf()}),
        "remove_document": (reverse("insurance_claim_remove_document", args=[claim.pk, claim.documents.first().pk]),
                            {}),
        "file": (reverse("insurance_claim_file", args=[claim.pk]), {}),
        "forward": (reverse("insurance_claim_forward", args=[claim.pk]), {"insurer_reference": "X-1"}),
        "payment": (reverse("insurance_claim_payment", args=[claim.pk]),
                    {"paid_on": builders.today().isoformat(), "amount": 1000, "note": "x"}),
        "denial": (reverse("insurance_claim_denial", args=[claim.pk]),
                   {"answered_on": builders.today().isoformat(), "reason": "不支払"}),
        "withdraw_claim": (reverse("insurance_claim_withdraw", args=[claim.pk]), {"reason": "取下げます。"}),
        "reminder": (reverse("insurance_reminder_send"), {"claim": claim.pk, "kind": "claim_due"}),
    }
