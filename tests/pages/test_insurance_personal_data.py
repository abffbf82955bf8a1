"""Personal data of injured people on the pages (CONVENTIONS.md: least access, access logged): each page or file
that shows it writes exactly one ``PersonalDataAccess`` row of the right kind for the 保険担当 and the reporting
group's head, and answers 404 (or 403 for the insurer's document set, which is the 保険担当's) to everyone else
without writing any. Pages of lists, counts and the log itself write none and show no name."""
import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import reverse

from grants.core.models import AuditEvent
from grants.insurance import claims, services
from grants.insurance.models import AccidentReport, Claim, ClaimDocumentKind, PersonalDataAccess
from grants.organizations.models import Representative
from reports.exporters import AuditTrailReport, Scope
from tests import factories
from tests.cases.steps import login
from tests.factories import CURRENT_FY
from tests.insurance import builders
from tests.insurance.groups import PERSONAL, get_urls
from tests.insurance.pages import accesses, counts, other_group, person_post, text

pytestmark = pytest.mark.django_db


OUTSIDERS = ("other_head", "staff", "approver", "finance", "auditor")


@dataclass
class Scene:
    draft: AccidentReport
    report: AccidentReport
    claim: Claim


@pytest.fixture
def scene(association, association_head, insurance, policy, media):  # type: ignore[no-untyped-def]
    """A draft report and a covered report with a filed injury claim (claim form and medical certificate)."""
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=3)
    draft = builders.draft_report(association_head, association)
    assert PersonalDataAccess.objects.count() == 0  # the services show nothing, so they log nothing
    return Scene(draft=draft, report=claim.report, claim=claim)


@pytest.fixture
def other_head(db):  # type: ignore[no-untyped-def]
    return other_group()[1]


# (name, kind logged, with the claim, url from the scene)
VIEWS = {
    "report_page": ("report_page", False, lambda s: reverse("insurance_report_detail", args=[s.report.pk])),
    "report_edit": ("report_page", False, lambda s: reverse("insurance_report_edit", args=[s.draft.pk])),
    "attachment": ("attachment", False, lambda s: reverse("insurance_report_attachment",
                                                          args=[s.report.pk, s.report.attachments.first().pk])),
    "claim_page": ("claim_page", True, lambda s: reverse("insurance_claim_detail", args=[s.claim.pk])),
    "claim_document": ("claim_document", True, lambda s: reverse("insurance_claim_document",
                                                                 args=[s.claim.pk, s.claim.documents.first().pk])),
}


DOCUMENT_SET = {
    "document_set_pdf": lambda s: reverse("insurance_claim_documents_pdf", args=[s.claim.pk]),
    "document_set_xlsx": lambda s: reverse("insurance_claim_documents_xlsx", args=[s.claim.pk]),
}


def _report_of(scene: Scene, name: str) -> AccidentReport:
    return scene.draft if name == "report_edit" else scene.report


@pytest.mark.parametrize("viewer", ["insurance", "association_head"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_each_view_of_personal_data_is_logged_once(client, request, scene, viewer, view):
    user = request.getfixturevalue(viewer)
    kind, with_claim, make_url = VIEWS[view]
    response = login(client, user).get(make_url(scene))
    assert response.status_code == 200
    rows = list(PersonalDataAccess.objects.all())
    assert len(rows) == 1
    row = rows[0]
    assert (row.user, row.kind, row.report) == (user, kind, _report_of(scene, view))
    assert row.claim == (scene.claim if with_claim else None)


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("view", list(VIEWS))
def test_outsiders_get_404_and_nothing_is_logged(client, request, scene, outsider, view):
    user = request.getfixturevalue(outsider)
    response = login(client, user).get(VIEWS[view][2](scene))
    assert response.status_code == 404
    assert PersonalDataAccess.objects.count() == 0


@pytest.mark.parametrize("kind", list(DOCUMENT_SET))
def test_document_set_is_logged_for_the_insurance_staff(client, scene, insurance, kind):
    response = login(client, insurance).get(DOCUMENT_SET[kind](scene))
    assert response.status_code == 200
    assert accesses() == [("hoken", kind, scene.claim.pk, f"請求 {scene.claim.number}")]


@pytest.mark.parametrize("viewer,status", [("association_head", 403), *((o, 404) for o in OUTSIDERS)])
@pytest.mark.parametrize("kind", list(DOCUMENT_SET))
def test_document_set_is_refused_to_everyone_else_without_a_log(client, request, scene, kind, viewer, status):
    response = login(client, request.getfixturevalue(viewer)).get(DOCUMENT_SET[kind](scene))
    assert response.status_code == status
    assert PersonalDataAccess.objects.count() == 0


def test_a_head_whose_term_ended_no_longer_sees_the_report(client, scene, association_head):
    Representative.objects.filter(user=association_head).update(ended_on=builders.days_ago(1))
    c = login(client, association_head)
    assert c.get(VIEWS["report_page"][2](scene)).status_code == 404
    assert c.get(VIEWS["claim_page"][2](scene)).status_code == 404
    assert scene.report.number not in text(c.get(reverse("insurance_report_list")))
    assert PersonalDataAccess.objects.count() == 0


def test_a_head_of_two_groups_sees_both(client, scene, association_head, policy, media):
    second = factories.AssociationFactory(name="大歳第2自治会")
    factories.RepresentativeFactory(organization=second, user=association_head, started_on=dt.date(2025, 4, 1))
    theirs = builders.draft_report(association_head, second)
    c = login(client, association_head)
    page = text(c.get(reverse("insurance_report_list")))
    assert scene.report.number in page and theirs.number in page
    assert c.get(reverse("insurance_report_detail", args=[theirs.pk])).status_code == 200
    assert accesses() == [("head", "report_page", None, "")]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_posts_are_404_and_write_nothing(client, request, scene, outsider):
    c = login(client, request.getfixturevalue(outsider))
    before = counts()
    draft, claim = scene.draft, scene.claim
    posts = [
        (reverse("insurance_report_add_person", args=[draft.pk]), person_post()),
        (reverse("insurance_report_submit", args=[draft.pk]), {}),
        (reverse("insurance_report_withdraw", args=[draft.pk]), {"reason": "取下げ"}),
        (reverse("insurance_report_return", args=[draft.pk]), {"note": "差戻し"}),
        (reverse("insurance_claim_withdraw", args=[claim.pk]), {"reason": "取下げ"}),
        (reverse("insurance_claim_forward", args=[claim.pk]), {"insurer_reference": "X"}),
        (reverse("insurance_claim_file", args=[claim.pk]), {}),
    ]
    for target, data in posts:
        assert c.post(target, data).status_code == 404, target
    assert counts() == before and PersonalDataAccess.objects.count() == 0


def test_a_form_shown_again_with_errors_is_a_view_and_is_logged(client, scene, association_head):
    response = login(client, association_head).post(reverse("insurance_report_add_person", args=[scene.draft.pk]),
                                                    person_post(name=""))
    assert response.status_code == 200 and "山田 太郎" in text(response)
    assert accesses() == [("head", "report_page", None, "")]


def test_a_successful_post_redirects_without_logging(client, scene, association_head):
    response = login(client, association_head).post(reverse("insurance_report_add_person", args=[scene.draft.pk]),
                                                    person_post(name="佐藤 花子"))
    assert response.status_code == 302 and PersonalDataAccess.objects.count() == 0


@pytest.mark.parametrize("viewer,pages", [
    ("insurance", ("insurance_report_list", "insurance_claim_list", "home", "insurance_reminders",
                   "insurance_access_log", "insurance_statistics")),
    ("association_head", ("insurance_report_list", "insurance_claim_list", "home")),
    ("auditor", ("insurance_access_log", "insurance_statistics", "home")),
])
def test_lists_counts_and_the_log_show_no_personal_data_and_log_nothing(client, request, scene, viewer, pages):
    c = login(client, request.getfixturevalue(viewer))
    for name in pages:
        response = c.get(reverse(name))
        assert response.status_code == 200, name
        page = text(response)
        for personal in ("山田 太郎", "やまだ たろう", "山口市亀山町2-1", "083-000-0000", "右足首の骨折"):
            assert personal not in page, (name, personal)
    assert PersonalDataAccess.objects.count() == 0


def test_the_access_log_cannot_be_changed_from_a_page(client, scene, insurance):
    c = login(client, insurance)
    c.get(VIEWS["report_page"][2](scene))
    assert c.post(reverse("insurance_access_log"), {"user": insurance.pk}).status_code == 405
    assert PersonalDataAccess.objects.count() == 1


# Personal data of injured people where it must not be: the lists, the counts, the access log, the home page,
# the audit trail outside the report's own page (the admin, the grant workbook), and error messages. The people's
# names, addresses and phones are known values (``PERSONAL``); a page that may not show them must not contain any.


NAMED_TITLE = "山田 太郎さんの診断書"


def _everything_happened(group, insurance, insurance2) -> None:  # type: ignore[no-untyped-def]
    """Every act that writes an audit row, on group A's accident, with a file titled by the injured person's
    name and every free-text reason filled in."""
    head, draft, claim = group.head, group.draft, group.claim
    services.add_attachment(actor=head, report_id=draft.pk, kind="other", title=NAMED_TITLE, upload=builders.pdf())
    services.remove_attachment(actor=head, report_id=draft.pk, attachment_id=draft.attachments.last().pk)
    services.remove_person(actor=head, report_id=draft.pk, person_id=draft.persons.first().pk)
    services.withdraw_report(actor=head, report_id=draft.pk, reason="けがが軽く、請求しないため。")
    claims.add_claim_document(actor=head, claim_id=claim.pk, kind=ClaimDocumentKind.RECEIPT, title=NAMED_TITLE,
                              upload=builders.pdf(), amount=3_000)
    claims.forward_claim(actor=insurance, claim_id=claim.pk)
    claims.record_payment(actor=insurance, claim_id=claim.pk, paid_on=builders.today(), amount=claim.computed_amount)
    other = builders.draft_report(head, group.organization, accident_date=builders.days_ago(1))
    services.submit_report(actor=head, report_id=other.pk)
    services.return_report(actor=insurance, report_id=other.pk, note="参加者名簿を添付してください。")


def test_regression_audit_notes_carry_no_attachment_title(group_a, insurance, insurance2) -> None:
    """Audit rows leave the report's page (the admin's 監査証跡, the grant workbook's scope queries): names,
    addresses, phones and file titles that name a person stay on the logged pages."""
    _everything_happened(group_a, insurance, insurance2)
    notes = "\n".join(AuditEvent.objects.values_list("note", flat=True))
    for personal in (*PERSONAL, NAMED_TITLE):
        assert personal not in notes, personal


def test_regression_admin_audit_trail_shows_no_attachment_title(client, group_a, insurance, insurance2) -> None:
    _everything_happened(group_a, insurance, insurance2)
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    changelist = client.get(reverse("admin:core_auditevent_changelist") + "?all=").content.decode()
    pages = [changelist] + [client.get(reverse("admin:core_auditevent_change", args=[pk])).content.decode()
                            for pk in AuditEvent.objects.values_list("pk", flat=True)]
    for page in pages:
        for personal in (*PERSONAL, NAMED_TITLE):
            assert personal not in page, personal


def test_the_grant_workbooks_audit_sheet_holds_no_insurance_event(group_a, insurance, insurance2) -> None:
    _everything_happened(group_a, insurance, insurance2)
    factories.programme_year_with_budget(budget=1_000_000)
    rows = list(AuditTrailReport(Scope.of_fiscal_year(CURRENT_FY)).rows())
    flat = "\n".join(str(cell) for row in rows for cell in row)
    assert "insurance" not in flat and "事故報告" not in flat
    for personal in (*PERSONAL, NAMED_TITLE):
        assert personal not in flat


def test_the_access_log_names_kinds_and_numbers_only(client, group_a, insurance, auditor) -> None:
    c = login(client, insurance)
    for target in get_urls(group_a).values():
        assert c.get(target).status_code == 200
    c.logout()
    assert PersonalDataAccess.objects.count() == len(get_urls(group_a))  # one row per file or page
    page = login(client, auditor).get(reverse("insurance_access_log")).content.decode()
    for personal in PERSONAL:
        assert personal not in page
    assert group_a.claim.number in page


@pytest.mark.parametrize("name", ["insurance_report_list", "insurance_claim_list", "home", "insurance_reminders",
                                  "insurance_statistics"])
def test_lists_and_counts_carry_no_names_even_with_a_late_reminder(client, group_a, insurance, name) -> None:
    """A claim overdue enough to be reminded puts its group and number on the reminders page, never the person."""
    old = builders.covered_report(group_a.head, insurance, group_a.organization, accident_date=builders.days_ago(300),
                                  delay_reason="入院していたため。")
    claim = claims.send_claim_forms(actor=insurance, report_id=old.pk, person_id=old.persons.get().pk)
    page = login(client, insurance).get(reverse(name)).content.decode()
    if name == "insurance_reminders":
        assert claim.number in page
    for personal in PERSONAL:
        assert personal not in page, (name, personal)
    assert PersonalDataAccess.objects.count() == 0


def test_the_404_of_another_groups_page_names_nobody(client, group_a, group_b) -> None:
    c = login(client, group_a.head)
    for target in get_urls(group_b).values():
        body = c.get(target).content.decode()
        assert "湯田 花子" not in body


def test_a_refusal_message_to_the_group_names_nobody_of_another_group(client, group_a, group_b) -> None:
    """The message of a refused act (shown on the next page) says what is wrong, never whose record it was."""
    c = login(client, group_a.head)
    response = c.post(reverse("insurance_report_remove_person",
                              args=[group_a.draft.pk, group_b.draft.persons.first().pk]), follow=True)
    body = response.content.decode()
    assert "この事故報告書の関係者を選んでください" in body
    assert "湯田 花子" not in body


def test_a_birth_date_is_not_on_the_claim_list(client, group_a, insurance) -> None:
    page = login(client, insurance).get(reverse("insurance_claim_list")).content.decode()
    assert "1960" not in page and dt.date(1960, 4, 1).isoformat() not in page


def test_the_attachments_history_names_its_kind_and_number(group_a) -> None:
    """Without the title, the report's history still says which document came and went."""
    head, draft = group_a.head, group_a.draft
    added = services.add_attachment(actor=head, report_id=draft.pk, kind="other", title=NAMED_TITLE,
                                    upload=builders.pdf())
    services.remove_attachment(actor=head, report_id=draft.pk, attachment_id=added.pk)
    notes = list(AuditEvent.objects.for_object(draft).filter(action__endswith="_attachment")
                 .values_list("note", flat=True))
    assert notes[-2:] == [f"その他（写真・図面など）（書類番号 {added.pk}）"] * 2


# Every view of personal data is logged: a form shown again with its errors (on the report page, the claim page
# and the edit page), a refusal by the service that shows the page again, a HEAD request; and a successful or
# refused POST that only redirects logs nothing (the page it leads to logs its own view).


def _shows_personal_data(response) -> bool:  # type: ignore[no-untyped-def]
    return "山田 太郎" in text(response)


# (url name, the claim's stage, data that the form refuses)
CLAIM_FORMS = {
    "treatment": ("insurance_claim_treatment", "forms_sent", {"state": "recovered", "surgeries_inpatient": 0,
                                                              "surgeries_outpatient": 0}),
    "treatment_days": ("insurance_claim_treatment", "forms_sent", {"state": "in_treatment", "outpatient": "きのう",
                                                                   "surgeries_inpatient": 0,
                                                                   "surgeries_outpatient": 0}),
    "document": ("insurance_claim_add_document", "filed", {"kind": "receipt", "title": ""}),
    "withdraw": ("insurance_claim_withdraw", "filed", {"reason": ""}),
    "forward": ("insurance_claim_forward", "filed", {"insurer_reference": "X" * 41}),
    "payment": ("insurance_claim_payment", "forwarded", {"paid_on": "昨日", "amount": "-1"}),
    "denial": ("insurance_claim_denial", "forwarded", {"answered_on": "", "reason": ""}),
}


@pytest.fixture
def open_claim(group_a, insurance):  # type: ignore[no-untyped-def]
    report = builders.covered_report(group_a.head, insurance, group_a.organization)
    return claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)


@pytest.mark.parametrize("form", list(CLAIM_FORMS))
def test_a_claim_form_shown_again_with_errors_is_logged(client, group_a, insurance, open_claim, form) -> None:
    name, stage, data = CLAIM_FORMS[form]
    claim = open_claim if stage == "forms_sent" else group_a.claim
    if stage == "forwarded":
        claims.forward_claim(actor=insurance, claim_id=claim.pk)
    response = login(client, insurance).post(reverse(name, args=[claim.pk]), data)
    assert response.status_code == 200 and _shows_personal_data(response)
    assert accesses() == [("hoken", "claim_page", claim.pk, f"請求 {claim.number}")]


def test_a_service_refusal_that_shows_the_claim_page_again_is_logged(client, open_claim, group_a) -> None:
    """Recovery before the accident passes the form and is refused by the service: the page comes back."""
    response = login(client, group_a.head).post(reverse("insurance_claim_treatment", args=[open_claim.pk]), {
        "state": "recovered", "recovered_on": builders.days_ago(400).isoformat(),
        "surgeries_inpatient": 0, "surgeries_outpatient": 0})
    assert response.status_code == 200 and _shows_personal_data(response)
    assert accesses() == [("head", "claim_page", open_claim.pk, f"請求 {open_claim.number}")]


REPORT_FORMS = {
    "attachment": ("insurance_report_add_attachment", {"kind": "", "title": ""}),
    "withdraw": ("insurance_report_withdraw", {"reason": " "}),
    "submit_long": ("insurance_report_submit", {"delay_reason": "あ" * 2001}),
}


@pytest.mark.parametrize("form", list(REPORT_FORMS))
def test_a_report_form_shown_again_with_errors_is_logged(client, group_a, form) -> None:
    name, data = REPORT_FORMS[form]
    response = login(client, group_a.head).post(reverse(name, args=[group_a.draft.pk]), data)
    assert response.status_code == 200 and _shows_personal_data(response)
    assert accesses() == [("head", "report_page", None, "")]


def test_a_judgment_shown_again_with_errors_is_logged(client, group_a, insurance, insurance2) -> None:
    from grants.insurance import services

    services.submit_report(actor=group_a.head, report_id=group_a.draft.pk)
    response = login(client, insurance2).post(reverse("insurance_report_judge", args=[group_a.draft.pk]),
                                              {"note": ""})
    assert response.status_code == 200 and _shows_personal_data(response)
    assert accesses() == [("hoken2", "report_page", None, "")]


def test_the_edit_page_shown_again_with_errors_is_logged(client, group_a) -> None:
    from tests.insurance.pages import report_post

    data = report_post(accident_date=builders.days_ago(5), place="")
    response = login(client, group_a.head).post(reverse("insurance_report_edit", args=[group_a.draft.pk]), data)
    assert response.status_code == 200 and "椹野川" in text(response)
    assert accesses() == [("head", "report_page", None, "修正画面")]


def test_the_edit_page_refused_by_the_service_is_logged(client, group_a) -> None:
    from tests.insurance.pages import report_post

    data = report_post(accident_date=builders.days_ago(900))  # another policy period (none)
    response = login(client, group_a.head).post(reverse("insurance_report_edit", args=[group_a.draft.pk]), data)
    assert response.status_code == 200 and "別の保険期間" in text(response)
    assert accesses() == [("head", "report_page", None, "修正画面")]


def test_redirects_log_nothing(client, group_a, insurance) -> None:
    c = login(client, group_a.head)
    refused = c.post(reverse("insurance_claim_file", args=[group_a.claim.pk]))  # already filed
    assert refused.status_code == 302
    edit_of_filed = c.get(reverse("insurance_report_edit", args=[group_a.report.pk]))
    assert edit_of_filed.status_code == 302
    done = c.post(reverse("insurance_report_remove_attachment",
                          args=[group_a.draft.pk, group_a.draft.attachments.first().pk]))
    assert done.status_code == 302
    assert PersonalDataAccess.objects.count() == 0


@pytest.mark.parametrize("view", ["report", "edit", "attachment", "claim", "document", "pdf", "xlsx"])
def test_a_head_request_is_answered_and_logged_like_a_get(client, group_a, insurance, view) -> None:
    c = login(client, insurance)
    target = get_urls(group_a)[view]
    assert c.head(target).status_code == 200
    assert PersonalDataAccess.objects.count() == 1


def test_logged_pages_hold_the_data_they_are_logged_for(client, group_a, insurance) -> None:
    """The log is not written for pages that show nothing: each logged page does carry the person."""
    c = login(client, insurance)
    for view in ("report", "claim"):
        page = text(c.get(get_urls(group_a)[view]))
        for personal in PERSONAL:
            assert personal in page, (view, personal)
