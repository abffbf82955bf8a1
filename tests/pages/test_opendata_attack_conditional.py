"""Last-Modified of an open-data file is the latest audit event of the cases *still in the file* (and their
organisations, programmes, 地域) and the policy's change: a change that takes a row OUT of the file (an
organisation moved to a kind that is not published) or changes the evaluation file without touching a case
(a 評価項目 renamed in the admin) leaves Last-Modified where it was, so a client that revalidates with
If-Modified-Since alone (curl -z, many harvesters) gets 304 for a file that changed."""
import datetime as dt
from unittest import mock

import pytest

from grants.core.models import record_event
from grants.evaluation.models import Criterion
from grants.opendata.models import KindPolicy, PublicationMode
from grants.organizations.models import OrganizationKind
from tests.opendata import builders
from tests.opendata.builders import FY

pytestmark = pytest.mark.django_db


def at(day: int):  # type: ignore[no-untyped-def]
    moment = dt.datetime(2026, 6, day, 12, 0, tzinfo=dt.UTC)
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_attack_row_leaving_the_file_keeps_last_modified_and_answers_304(client) -> None:  # type: ignore[no-untyped-def]
    with at(1):
        city = builders.city()
        KindPolicy.objects.filter(kind=OrganizationKind.RENGO).update(mode=PublicationMode.NONE)
    first = client.get(f"/opendata/{FY}/awards.csv")
    assert first.status_code == 200 and "大殿まちなみ保存の会" in first.content.decode("utf-8-sig")
    stamp = first["Last-Modified"]
    with at(20):  # an audited admin edit, weeks later: the group is re-registered as a 連合自治会 (not published)
        org = city.orgs["s2"]
        org.kind = OrganizationKind.RENGO
        org.save()
        record_event(actor=None, subject=org, action="admin_change", note="種別: 市民活動団体 → 連合自治会")
    fresh = client.get(f"/opendata/{FY}/awards.csv")
    assert "大殿まちなみ保存の会" not in fresh.content.decode("utf-8-sig")  # the file did change
    again = client.get(f"/opendata/{FY}/awards.csv", headers={"If-Modified-Since": stamp})
    assert again.status_code == 200, (
        f"304 for a changed file: Last-Modified stayed {fresh['Last-Modified']} (was {stamp})")


def test_attack_criterion_renamed_keeps_evaluations_last_modified(client) -> None:  # type: ignore[no-untyped-def]
    with at(1):
        city = builders.city()
        builders.evaluated(city)
    first = client.get(f"/opendata/{FY}/evaluations.csv")
    assert first.status_code == 200
    stamp = first["Last-Modified"]
    with at(20):
        criterion = Criterion.objects.get(name="独創性")
        criterion.name = "新規性"
        criterion.save()
        record_event(actor=None, subject=criterion, action="admin_change", note="評価項目: 独創性 → 新規性")
    assert "新規性" in client.get(f"/opendata/{FY}/evaluations.csv").content.decode("utf-8-sig")
    again = client.get(f"/opendata/{FY}/evaluations.csv", headers={"If-Modified-Since": stamp})
    assert again.status_code == 200, "304 for an evaluation file whose 評価項目 was renamed"
