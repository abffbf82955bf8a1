"""Personal data of injured people on the pages (CONVENTIONS.md: least access, access logged): each page or file
that shows it writes exactly one ``PersonalDataAccess`` row of the right kind for the 保険担当 and the reporting
group's head, and answers 404 (or 403 for the insurer's document set, which is the 保険担当's) to everyone else
without writing any. Pages of lists, counts and the log itself write none and show no name."""
import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import reverse

from grants.insurance.models import AccidentReport, Claim, PersonalDataAccess
from grants.organizations.models import Representative
from tests import factories
from tests.insurance import builders
from tests.insurance.pages import accesses, counts, login, other_group, person_post, text

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
