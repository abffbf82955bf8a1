"""A double click on 「保存する」 of a new 事故報告書 makes one report: the form carries a token, the service returns
the report the first sending made, and the unique column settles two sendings at once."""
import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from grants.insurance import services
from grants.insurance.machines import InsuranceError
from grants.insurance.models import AccidentReport

from . import builders


def _form_data(client, association) -> dict[str, object]:  # type: ignore[no-untyped-def]
    page = client.get(reverse("insurance_report_create")).content.decode()
    token = re.search(r'name="once" value="([0-9a-f]{32})"', page).group(1)
    data = {k: v for k, v in builders.report_data().items() if v is not None}
    data.update({"once": token, "organization": association.pk, "accident_date": builders.days_ago(3).isoformat(),
                 "kind_injury": "on"})
    return data


@pytest.mark.django_db
def test_the_same_form_sent_twice_makes_one_report(client, association, association_head, policy) -> None:  # type: ignore[no-untyped-def]
    client.force_login(association_head)
    data = _form_data(client, association)
    first = client.post(reverse("insurance_report_create"), data)
    second = client.post(reverse("insurance_report_create"), data)
    report = AccidentReport.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("insurance_report_detail", args=[report.pk])
    assert report.creation_token == data["once"]
    other = _form_data(client, association)  # a new form is a new report
    client.post(reverse("insurance_report_create"), other)
    assert AccidentReport.objects.count() == 2


@pytest.mark.django_db
def test_another_users_token_is_refused(association, association_head, insurance, policy) -> None:  # type: ignore[no-untyped-def]
    services.create_report(actor=association_head, organization=association, data=builders.report_data(),
                           token="a" * 32)
    with pytest.raises(InsuranceError, match="使用済み"):
        services.create_report(actor=insurance, organization=association, data=builders.report_data(),
                               token="a" * 32)
    assert AccidentReport.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sendings_at_once_make_one_report(association, association_head, policy) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    barrier, made, errors = threading.Barrier(2), [], []

    def send() -> None:
        try:
            barrier.wait()
            made.append(services.create_report(actor=association_head, organization=association,
                                               data=builders.report_data(), token="b" * 32).pk)
        except Exception as error:  # noqa: BLE001 - the test reports any failure below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(made)) == 1 and AccidentReport.objects.count() == 1
