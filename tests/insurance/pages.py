"""Helpers of the insurance page tests: reading a page, the POST data of the forms, and counting the rows an act
may write (logging in and the messages shown: tests/cases/steps.py)."""
import datetime as dt

from django.forms.models import model_to_dict

from grants.accounts.models import Role
from grants.core.models import AuditEvent
from grants.insurance.models import (
    AccidentReport,
    Claim,
    ClaimDocument,
    Finding,
    InvolvedPerson,
    Judgment,
    PersonalDataAccess,
    Reminder,
    ReportAttachment,
)
from tests import factories

from . import builders

COUNTED = (AccidentReport, InvolvedPerson, ReportAttachment, Judgment, Finding, Claim, ClaimDocument, Reminder,
           AuditEvent)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def counts() -> dict[str, int]:
    """Rows of every table an insurance act writes (the access log apart: see ``accesses``)."""
    return {model.__name__: model.objects.count() for model in COUNTED}


def accesses(**filters: object) -> list[tuple[str, str, int | None, str]]:
    """(user, kind, claim id, detail) of the personal-data access rows, oldest first."""
    return list(PersonalDataAccess.objects.filter(**filters).order_by("pk")
                .values_list("user__username", "kind", "claim_id", "detail"))


def state(row) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return model_to_dict(type(row).objects.get(pk=row.pk))


def other_group(username: str = "head2"):  # type: ignore[no-untyped-def]
    """Another association with its own head (a login that must never see the first group's reports)."""
    org = factories.AssociationFactory(name="湯田第1自治会")
    head = factories.UserFactory(username=username, role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=org, user=head, started_on=dt.date(2025, 4, 1))
    return org, head


def iso(day: dt.date) -> str:
    return day.strftime("%Y-%m-%d")


def report_post(organization=None, **fields: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The POST of the report form for ``builders.report_data(**fields)``."""
    data: dict[str, object] = {}
    for name, value in builders.report_data(**fields).items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, dt.date):
            data[name] = iso(value)
        else:
            data[name] = value
    if organization is not None:
        data["organization"] = organization.pk
    return data


def person_post(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {"role": "participant", "harm": "injury", "name": "山田 太郎", "name_kana": "やまだ たろう",
                               "birth_date": "1960-04-01", "address": "山口市亀山町2-1", "phone": "083-000-0000",
                               "detail": "右足首の骨折"}
    data.update(fields)
    return data


def judgment_post(report: AccidentReport, **overrides: bool) -> dict[str, object]:
    """Every condition met and no exclusion, with ``overrides`` by code (True: holds / applies)."""
    data: dict[str, object] = {"note": "書類を確認しました。"}
    for c in report.policy.conditions.all():
        holds = overrides.get(c.code, c.kind == "condition")
        data[f"holds_{c.pk}"] = "yes" if holds else "no"
        data[f"reason_{c.pk}"] = f"{c.label}を確認しました。"
    return data
