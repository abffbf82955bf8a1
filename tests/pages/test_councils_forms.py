"""The council pages' forms (pages/councils/forms.py) with bad input: plan attachments oversized, empty or served
inline, 事務局員 records with impossible values or dates at the calendar's edges."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.councils import plans, staff
from grants.organizations.models import PlanAttachment, SecretariatStaff
from tests.councils import builders
from tests.councils.steps import login, post

pytestmark = pytest.mark.django_db


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def draft_plan(council, staff):  # type: ignore[no-untyped-def]
    plan = builders.approved_plan(council[0], staff)
    return plans.start_revision(actor=council[1], plan_id=plan.pk, reason="見直し")


def test_oversized_and_empty_uploads_through_the_pages(client, council, draft_plan) -> None:  # type: ignore[no-untyped-def]
    login(client, council[1])
    url = reverse("plan_add_attachment", args=[draft_plan.pk])
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    assert any("10MB" in m for m in post(client, url, {"title": "大", "file": big}))
    assert any(m.startswith("ファイル") for m in post(client, url, {"title": "空", "file": SimpleUploadedFile(
        "empty.pdf", b"")}))
    assert any(m.startswith("資料名") for m in post(client, url, {"title": "", "file": SimpleUploadedFile(
        "a.pdf", PDF)}))
    assert not PlanAttachment.objects.exists()


def test_attachments_are_served_as_downloads_never_inline(client, council, staff, draft_plan) -> None:  # type: ignore[no-untyped-def]
    attachment = plans.add_attachment(actor=council[1], plan_id=draft_plan.pk, title="資料",
                                      upload=SimpleUploadedFile("計画.pdf", PDF))
    response = login(client, staff).get(reverse("plan_attachment", args=[draft_plan.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.get("X-Content-Type-Options") == "nosniff"
    # A file gone from the disk is a 404, not a 500.
    attachment.file.storage.delete(attachment.file.name)
    assert client.get(reverse("plan_attachment", args=[draft_plan.pk, attachment.pk])).status_code == 404


# Bad input in every form of the council pages: amounts that are negative, huge, not integers or in other
# digits; dates outside the 年度 or at the end of the calendar; empty, very long or control-character texts;
# HTML in every text (escaped in pages and notices); and rows of another council or programme-year posted
# directly. The page always answers (never a 500), names the field, and writes nothing.


def test_regression_staff_record_dated_9999_12_31_is_kept_and_listed(client, council) -> None:  # type: ignore[no-untyped-def]
    org, secretary = council
    login(client, secretary)
    response = client.post(reverse("council_staff", args=[org.pk]), {
        "name": "山口 太郎", "role": "事務局員", "pay_basis": "monthly", "monthly_wage": "180000",
        "social_insurance_monthly": "0", "employed_from": "2020-04-01", "employed_until": "9999-12-31"},
        follow=True)
    assert response.status_code == 200
    record = SecretariatStaff.objects.get(organization=org)
    assert record.employed_until == dt.date(9999, 12, 31)
    response = client.post(reverse("council_staff_end", args=[org.pk, record.pk]),
                           {"employed_until": "9999-12-31"}, follow=True)
    assert response.status_code == 200


def test_staff_form_bad_values_name_their_fields(client, council) -> None:  # type: ignore[no-untyped-def]
    org, secretary = council
    login(client, secretary)
    for data, field in (
        ({"pay_basis": "monthly", "monthly_wage": "-1"}, "monthly_wage"),
        ({"pay_basis": "monthly", "monthly_wage": "2000001"}, "monthly_wage"),
        ({"pay_basis": "hourly", "hourly_rate": "1000", "hours_per_month": "745"}, "hours_per_month"),
        ({"pay_basis": "hourly", "hourly_rate": "1000"}, "hourly_rate"),
        ({"pay_basis": "weekly", "monthly_wage": "1"}, "pay_basis"),
        ({"pay_basis": "monthly", "monthly_wage": "1", "employed_until": "2019-04-01"}, "employed_until"),
    ):
        values = {"name": "x", "role": "事務局員", "social_insurance_monthly": "0", "employed_from": "2020-04-01",
                  **data}
        response = client.post(reverse("council_staff", args=[org.pk]), values)
        assert response.status_code == 200
        assert field in response.context["form"].errors, (data, response.context["form"].errors)
    assert not SecretariatStaff.objects.exists()
    with pytest.raises(staff.StaffError):
        staff.add_staff(actor=secretary, organization_id=org.pk, name="", role="", pay_basis="monthly",
                        employed_from=None, monthly_wage=1)
