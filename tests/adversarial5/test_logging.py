"""Every view of personal data is logged: a form shown again with its errors (on the report page, the claim page
and the edit page), a refusal by the service that shows the page again, a HEAD request; and a successful or
refused POST that only redirects logs nothing (the page it leads to logs its own view)."""
import pytest
from django.urls import reverse

from grants.insurance import claims
from grants.insurance.models import PersonalDataAccess
from tests.insurance import builders
from tests.insurance.groups import PERSONAL, get_urls
from tests.insurance.pages import accesses, login, text

pytestmark = pytest.mark.django_db


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
