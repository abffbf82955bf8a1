"""Other people's data: a head of group A at group B's report, claim, files and every POST by id; a head whose
term ended; the grant roles on every insurance URL; an anonymous visitor; ids of persons, attachments and
documents of another report slipped into a POST to one's own. Every refusal is a 404 (or 403 for a page of a
role the user does not have), writes nothing and logs nothing."""
import pytest
from django.urls import reverse

from grants.insurance import claims
from grants.insurance.models import PersonalDataAccess
from grants.organizations.models import Representative
from tests import factories
from tests.cases.steps import login
from tests.insurance import builders
from tests.insurance.groups import get_urls, post_urls, snapshot
from tests.insurance.pages import person_post

pytestmark = pytest.mark.django_db

GRANT_ROLES = ("staff", "approver", "finance", "auditor")
LIST_PAGES = ("insurance_report_list", "insurance_report_create", "insurance_claim_list", "insurance_reminders",
              "insurance_access_log", "insurance_statistics")
# Which list pages each grant role may open (the access log for the auditor, the counts for the city's staff).
ALLOWED_LISTS = {"staff": {"insurance_statistics"}, "approver": {"insurance_statistics"}, "finance": set(),
                 "auditor": {"insurance_access_log", "insurance_statistics"}}


@pytest.mark.parametrize("view", ["report", "edit", "attachment", "claim", "document", "pdf", "xlsx"])
def test_head_of_a_reaches_nothing_of_b_by_id(client, group_a, group_b, view) -> None:
    c = login(client, group_a.head)
    before = snapshot()
    assert c.get(get_urls(group_b)[view]).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("act", ["edit", "add_person", "remove_person", "add_attachment", "remove_attachment",
                                 "submit", "withdraw", "return", "judge", "send_forms", "treatment", "damages",
                                 "add_document", "file", "forward", "payment", "denial", "withdraw_claim"])
def test_head_of_a_posts_nothing_to_b(client, group_a, group_b, act) -> None:
    c = login(client, group_a.head)
    target, data = post_urls(group_b)[act]
    before = snapshot()
    assert c.post(target, data).status_code == 404
    assert snapshot() == before


def test_head_of_a_cannot_send_a_reminder_about_b(client, group_a, group_b) -> None:
    target, data = post_urls(group_b)["reminder"]
    before = snapshot()
    assert login(client, group_a.head).post(target, data).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("view", ["report", "edit", "attachment", "claim", "document"])
def test_a_head_whose_term_ended_gets_404_and_logs_nothing(client, group_a, view) -> None:
    Representative.objects.filter(user=group_a.head).update(ended_on=builders.days_ago(1))
    before = snapshot()
    assert login(client, group_a.head).get(get_urls(group_a)[view]).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("act", ["edit", "add_person", "remove_person", "add_attachment", "submit", "withdraw",
                                 "treatment", "add_document", "withdraw_claim"])
def test_a_head_whose_term_ended_writes_nothing(client, group_a, act) -> None:
    Representative.objects.filter(user=group_a.head).update(ended_on=builders.days_ago(1))
    target, data = post_urls(group_a)[act]
    before = snapshot()
    assert login(client, group_a.head).post(target, data).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("role", GRANT_ROLES)
def test_grant_roles_get_404_on_every_personal_page(client, request, group_a, role) -> None:
    c = login(client, request.getfixturevalue(role))
    before = snapshot()
    for name, target in get_urls(group_a).items():
        assert c.get(target).status_code == 404, name
    assert snapshot() == before


@pytest.mark.parametrize("role", GRANT_ROLES)
def test_grant_roles_post_nothing_anywhere(client, request, group_a, role) -> None:
    c = login(client, request.getfixturevalue(role))
    before = snapshot()
    for name, (target, data) in post_urls(group_a).items():
        assert c.post(target, data).status_code == (403 if name == "reminder" else 404), name
    assert snapshot() == before


@pytest.mark.parametrize("role", GRANT_ROLES)
def test_grant_roles_open_only_their_list_pages(client, request, group_a, role) -> None:
    c = login(client, request.getfixturevalue(role))
    for name in LIST_PAGES:
        expected = 200 if name in ALLOWED_LISTS[role] else 403
        assert c.get(reverse(name)).status_code == expected, name
    assert c.post(reverse("insurance_report_create"), {"activity_name": "x"}).status_code == 403
    assert PersonalDataAccess.objects.count() == 0


def test_an_anonymous_visitor_is_sent_to_log_in_everywhere(client, group_a) -> None:
    before = snapshot()
    targets = [*get_urls(group_a).values(), *(reverse(name) for name in LIST_PAGES)]
    for target in targets:
        response = client.get(target)
        assert response.status_code == 302 and "/login" in response["Location"], target
    for name, (target, data) in post_urls(group_a).items():
        response = client.post(target, data)
        assert response.status_code == 302 and "/login" in response["Location"], name
    assert snapshot() == before


def test_ids_of_another_report_slipped_into_a_post_to_ones_own(client, group_a, group_b) -> None:
    c = login(client, group_a.head)
    own = group_a.draft
    theirs_person, theirs_attachment = group_b.draft.persons.first(), group_b.draft.attachments.first()
    before = snapshot()
    c.post(reverse("insurance_report_remove_person", args=[own.pk, theirs_person.pk]))
    c.post(reverse("insurance_report_remove_attachment", args=[own.pk, theirs_attachment.pk]))
    assert snapshot()[0] == before[0]
    assert group_b.draft.persons.filter(pk=theirs_person.pk).exists()
    assert group_b.draft.attachments.filter(pk=theirs_attachment.pk).exists()


def test_files_of_another_report_or_claim_are_404_through_ones_own(client, group_a, group_b) -> None:
    c = login(client, group_a.head)
    before = snapshot()
    theirs_attachment = group_b.report.attachments.first()
    theirs_document = group_b.claim.documents.first()
    assert c.get(reverse("insurance_report_attachment",
                         args=[group_a.report.pk, theirs_attachment.pk])).status_code == 404
    assert c.get(reverse("insurance_claim_document", args=[group_a.claim.pk, theirs_document.pk])).status_code == 404
    assert snapshot() == before


def test_claim_forms_for_a_person_of_another_report_are_refused(client, group_a, group_b, insurance) -> None:
    report = builders.covered_report(group_a.head, insurance, group_a.organization)
    c = login(client, insurance)
    before = snapshot()
    response = c.post(reverse("insurance_report_send_forms", args=[report.pk]),
                      {"person": group_b.report.persons.first().pk})
    assert response.status_code == 200  # the page again, with the refusal
    assert "この事故報告書の関係者を選んでください" in response.content.decode()
    assert snapshot()[0] == before[0]


@pytest.mark.parametrize("huge", [2**63, 10**30])
def test_ids_beyond_any_integer_column_are_404_not_500(client, group_a, insurance, huge) -> None:
    c = login(client, insurance)
    for name in ("insurance_report_detail", "insurance_claim_detail", "insurance_report_edit"):
        assert c.get(reverse(name, args=[huge])).status_code == 404, name
    assert c.get(reverse("insurance_report_attachment", args=[group_a.report.pk, huge])).status_code == 404
    assert c.post(reverse("insurance_report_remove_person", args=[group_a.draft.pk, huge])).status_code == 302
    assert c.post(reverse("insurance_reminder_send"), {"claim": huge, "kind": "claim_due"}).status_code == 404
    response = c.post(reverse("insurance_report_send_forms", args=[group_a.report.pk]), {"person": huge})
    assert response.status_code in (200, 302)


def test_a_head_cannot_report_for_a_group_they_do_not_represent(client, group_a, group_b) -> None:
    before = snapshot()
    from tests.insurance.pages import report_post

    response = login(client, group_a.head).post(reverse("insurance_report_create"),
                                                report_post(group_b.organization))
    assert response.status_code == 200 and "団体" in response.content.decode()
    assert snapshot()[0] == before[0]


def test_a_head_of_a_never_sees_bs_names_after_b_gets_a_claim(client, group_a, group_b, insurance) -> None:
    """Lists and the home page of A's head carry neither B's numbers nor B's people."""
    c = login(client, group_a.head)
    for name in ("insurance_report_list", "insurance_claim_list", "home"):
        page = c.get(reverse(name)).content.decode()
        assert group_b.report.number not in page and "湯田 花子" not in page, name
        assert group_b.claim.number not in page, name


def test_a_person_added_by_a_head_to_anothers_report_id_is_404(client, group_a, group_b) -> None:
    before = snapshot()
    response = login(client, group_a.head).post(reverse("insurance_report_add_person", args=[group_b.draft.pk]),
                                                person_post(name="侵入 者"))
    assert response.status_code == 404 and snapshot() == before


def test_a_claim_of_a_report_another_head_now_represents(client, group_a, insurance, staff) -> None:
    """A head who stepped down keeps no access to the claim; the successor has it."""
    from grants.organizations.services import change_head

    successor = factories.UserFactory(username="successor", role="association_head")
    change_head(organization_id=group_a.organization.pk, actor=staff, name="後任 一郎", started_on=builders.today(),
                user=successor)
    assert login(client, group_a.head).get(get_urls(group_a)["claim"]).status_code == 404
    client.logout()
    assert login(client, successor).get(get_urls(group_a)["claim"]).status_code == 200
    assert list(PersonalDataAccess.objects.values_list("user__username", flat=True)) == ["successor"]
    claims.withdraw_claim(actor=successor, claim_id=group_a.claim.pk, reason="後任が取り下げます。")


def test_a_post_without_the_csrf_token_is_refused(group_a) -> None:
    """A page elsewhere cannot make a logged-in head submit, withdraw or file: every POST needs the token."""
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(group_a.head)
    before = snapshot()
    for name, (target, data) in post_urls(group_a).items():
        assert c.post(target, data).status_code == 403, name
    assert snapshot() == before
