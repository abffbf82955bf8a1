"""Helpers of the insurance service tests: a refusal writes nothing, and a day other than today for acts that
happened earlier or later (the services take today from ``timezone.localdate``)."""
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import models
from django.forms.models import model_to_dict
from django.utils import timezone

from grants.core.models import AuditEvent
from grants.insurance.models import (
    AccidentReport,
    Claim,
    ClaimDocument,
    Finding,
    InpatientPeriod,
    InvolvedPerson,
    Judgment,
    OutpatientVisit,
    PersonalDataAccess,
    Reminder,
    ReportAttachment,
)

COUNTED = (AccidentReport, InvolvedPerson, ReportAttachment, Judgment, Finding, Claim, InpatientPeriod,
           OutpatientVisit, ClaimDocument, Reminder, PersonalDataAccess, AuditEvent)


def _state(rows: tuple[models.Model, ...]) -> tuple[dict[str, int], list[dict[str, object]]]:
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    values = [model_to_dict(type(row).objects.get(pk=row.pk)) for row in rows]
    return counts, values


@contextmanager
def nothing_written(*rows: models.Model) -> Iterator[None]:
    """Assert that the block adds or removes no row of the insurance tables or the audit trail, and leaves the
    fields of ``rows`` as they were. Put ``pytest.raises`` inside it."""
    before = _state(rows)
    yield
    assert _state(rows) == before


def on_day(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    """Make ``day`` today for the services (``timezone.localdate()``) until the test ends or ``undo``."""
    real = timezone.localdate

    def localdate(value: dt.datetime | None = None, timezone: object = None) -> dt.date:
        return day if value is None else real(value, timezone)  # type: ignore[arg-type]

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
