"""Every input of every registered admin's forms has a name a screen reader reads (grants.core.admin_inputs): the
date and the time input of a split date-and-time field are each named after the field (「有効期限（日付）」); Django
names neither (axe: label). Rendered without a browser; the pages themselves: tests/core/test_admin_a11y_browser.py."""
import re
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.test import RequestFactory

from grants.organizations.models import Invitation
from tests import factories

INPUT = re.compile(r"<input\b[^>]*>")


def _unnamed_inputs(model_admin: Any, request: Any) -> list[str]:
    """The visible inputs of ``model_admin``'s form (and its inlines' forms) with neither an aria-label nor an id a
    <label for> could name: the split date-and-time inputs (the field's own <label> names no input)."""
    forms = [model_admin.get_form(request, None)]
    forms += [inline.get_formset(request, None).form for inline in model_admin.get_inline_instances(request, None)]
    unnamed = []
    for form_class in forms:
        form = form_class()
        for name, field in form.fields.items():
            if not isinstance(field.widget, AdminSplitDateTime):
                continue
            for tag in INPUT.findall(str(form[name])):
                if 'type="hidden"' not in tag and "aria-label=" not in tag:
                    unnamed.append(f"{type(model_admin).__name__}.{name}: {tag}")
    return unnamed


@pytest.fixture
def superuser_request(db):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/admin/")
    request.user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    return request


def test_every_split_date_and_time_input_of_every_admin_has_a_name(superuser_request) -> None:  # type: ignore[no-untyped-def]
    checked = [type(model_admin).__name__ for model_admin in admin.site._registry.values()]
    unnamed = [tag for model_admin in admin.site._registry.values()
               for tag in _unnamed_inputs(model_admin, superuser_request)]
    assert unnamed == []
    assert "InvitationAdmin" in checked


def test_the_names_come_from_the_field_and_a_bare_admin_has_none(superuser_request) -> None:  # type: ignore[no-untyped-def]
    form = admin.site._registry[Invitation].get_form(superuser_request, None)()
    html = str(form["expires_at"])
    assert 'aria-label="有効期限（日付）"' in html and 'aria-label="有効期限（時刻）"' in html
    bare = admin.ModelAdmin(Invitation, admin.site)  # Django's own: the detector above sees its inputs unnamed
    assert len([tag for tag in _unnamed_inputs(bare, superuser_request) if "expires_at" in tag]) == 2
