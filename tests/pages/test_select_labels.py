"""A select's blank choice says what it means — 「選択してください」 where a choice is required, 「指定しない」 where it
may be left out, 「すべて」 in a list's filters — never Django's 「---------」 (templates/django/forms/widgets/,
rendered through TEMPLATES: FORM_RENDERER). Every form and filter of pages/ that builds without arguments is swept."""
import importlib
import inspect
import pkgutil

import django_filters
import pytest
from django import forms

import pages
from grants.organizations.models import Area

pytestmark = pytest.mark.django_db


def _classes(base: type) -> list[type]:
    found: dict[str, type] = {}
    for module in pkgutil.walk_packages(pages.__path__, "pages."):
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(cls, base) and cls.__module__.startswith("pages.") and not inspect.isabstract(cls):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[name] for name in sorted(found)]


def _built(cls: type) -> object | None:
    try:
        return cls()
    except (TypeError, KeyError, AttributeError):
        return None  # a form that needs its case, claim or user; the selects it shares are built the same way


def test_no_form_of_the_pages_shows_a_row_of_dashes() -> None:
    swept = [(cls.__name__, str(form)) for cls in _classes(forms.BaseForm) if (form := _built(cls)) is not None]
    assert len(swept) >= 30  # most forms of pages/ build without arguments
    assert [name for name, html in swept if "---------" in html] == []
    assert any("選択してください" in html or "指定しない" in html for _, html in swept)


def test_no_filter_of_the_lists_shows_a_row_of_dashes() -> None:
    swept = [(cls.__name__, str(fs.form)) for cls in _classes(django_filters.FilterSet)
             if (fs := _built(cls)) is not None]
    assert swept
    assert [name for name, html in swept if "---------" in html] == []


class _Choices(forms.Form):
    required_area = forms.ModelChoiceField(label="地域", queryset=Area.objects.all())
    optional_area = forms.ModelChoiceField(label="地域（任意）", queryset=Area.objects.all(), required=False)
    kind = forms.ChoiceField(label="種別", choices=[("", "---------"), ("a", "甲")], required=False)


def test_a_required_choice_asks_to_choose_and_an_optional_one_says_none() -> None:
    form = _Choices()
    assert '<option value="" selected>選択してください</option>' in str(form["required_area"])
    assert '<option value="" selected>指定しない</option>' in str(form["optional_area"])
    assert '<option value="" selected>指定しない</option>' in str(form["kind"])


def test_a_filter_s_blank_choice_reads_all() -> None:
    class AreaFilter(django_filters.FilterSet):
        area = django_filters.ModelChoiceFilter(queryset=Area.objects.all())

        class Meta:
            model = Area
            fields: list[str] = []

    assert '<option value="" selected>すべて</option>' in str(AreaFilter().form["area"])
