"""A second declaration is silently ignored (assignments.declare: "the first declaration stands") — fine for a
double click of the same answer, but a conflict declared from a second tab (or after the Back button, a new
one-time key) after "none" is dropped, and the page confirms the opposite of what the evaluator said: 「利益相反が
ないことを申告しました」. Nothing of the late conflict is recorded; the evaluator can go on and submit."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from grants.core import once
from tests.evaluation.cast import assign, cast

pytestmark = pytest.mark.django_db


def test_attack_a_late_conflict_is_dropped_and_confirmed_as_none() -> None:
    c = cast()
    a = assign(c)
    client = Client()
    client.force_login(c.evaluator)
    url = reverse("evaluation_assignment", args=[a.pk])
    # Two tabs open on the declaration page: two one-time keys.
    keys = [re.search(rf'name="{once.FIELD}" value="([^"]+)"', client.get(url).content.decode()).group(1)
            for _ in range(2)]
    declare = reverse("evaluation_declare", args=[a.pk])
    client.post(declare, {"conflicted": "no", "reason": "", once.FIELD: keys[0]})
    response = client.post(declare, {"conflicted": "yes", "reason": "妻がこの会の会計です", once.FIELD: keys[1]},
                           follow=True)
    said = [str(m) for m in response.context["messages"]]
    a.refresh_from_db()
    assert a.conflict_declared is not False or not any("利益相反がないことを申告しました" in m for m in said), (
        f"a declared conflict was dropped and the page said: {said}")
