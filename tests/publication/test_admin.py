"""The catalogue's admin: who may apply is chosen with check boxes and required; a link out must be http(s) (a
``javascript:`` address never reaches a public page); the window must be ordered; every save is audited."""
import pytest
from django.urls import reverse

from grants.core.models import AuditEvent
from grants.publication.models import ApplicantKind, FunderKind, FunderProgramme, ProgrammeGuide, Topic
from tests import factories
from tests.publication import builders

pytestmark = pytest.mark.django_db
ADD = "admin:publication_funderprogramme_add"


def _data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "funder_kind": FunderKind.PREFECTURE, "funder": "山口県", "title": "県の助成（例）", "is_published": "on",
        "summary": "概要", "applicant_kinds": [ApplicantKind.NPO, ApplicantKind.JICHIKAI],
        "topics": [builders.topic("福祉").pk], "amount_text": "50万円まで", "url": "https://www.pref.yamaguchi.lg.jp/",
    }
    data.update(changes)
    return data


def test_an_other_programme_is_added_with_its_kinds_and_audited(client, root):  # type: ignore[no-untyped-def]
    response = client.post(reverse(ADD), _data())
    assert response.status_code == 302
    row = FunderProgramme.objects.get()
    assert row.applicant_kinds == [ApplicantKind.JICHIKAI, ApplicantKind.NPO]  # in the choices' order
    assert [t.name for t in row.topics.all()] == ["福祉"]
    assert AuditEvent.objects.for_object(row).exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("url", "javascript:alert(1)", "URLを正しく入力してください。"),
    ("applicant_kinds", [], "申請できる団体の種類を1つ以上選んでください。"),
    ("applicant_kinds", ["superuser"], "superuser"),
    ("closes_on", "2026-04-01", "受付終了日は受付開始日より後にしてください。"),
])
def test_bad_input_is_refused_on_its_field(client, root, field, value, message):  # type: ignore[no-untyped-def]
    data = _data(opens_on="2026-05-01", closes_on="2026-06-01")
    data[field] = value
    response = client.post(reverse(ADD), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in str(errors[field])
    assert not FunderProgramme.objects.exists()


def test_a_guide_is_added_for_a_programme_once(client, root):  # type: ignore[no-untyped-def]
    programme = factories.programme()
    data = {"programme": programme.pk, "summary": "概要", "applicant_kinds": [ApplicantKind.JICHIKAI],
            "contact_phone": "083-934-2937"}
    assert client.post(reverse("admin:publication_programmeguide_add"), data).status_code == 302
    again = client.post(reverse("admin:publication_programmeguide_add"), data)
    assert again.status_code == 200 and ProgrammeGuide.objects.count() == 1
    bad_phone = client.post(reverse("admin:publication_programmeguide_change",
                                    args=[ProgrammeGuide.objects.get().pk]), {**data, "contact_phone": "<b>x</b>"})
    assert "電話番号は数字とハイフンで" in str(bad_phone.context["adminform"].form.errors)


def test_a_topic_in_use_is_not_deleted_and_an_unused_one_is(client, root):  # type: ignore[no-untyped-def]
    used = builders.other(topics=("福祉",)).topics.get()
    unused = builders.topic("国際交流")
    refused = client.post(reverse("admin:publication_topic_delete", args=[used.pk]), {"post": "yes"})
    assert refused.status_code == 200 and "で使われています" in refused.content.decode()
    assert Topic.objects.filter(pk=used.pk).exists()
    done = client.post(reverse("admin:publication_topic_delete", args=[unused.pk]), {"post": "yes"})
    assert done.status_code == 302 and not Topic.objects.filter(pk=unused.pk).exists()
