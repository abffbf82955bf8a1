"""Inline formsets of the admin that stay sound when the same page is posted twice.

``FreshRowsFormSet`` is an inline table refused when rows were saved since the page was opened: the same form
posted twice by a double click on 保存, or two administrators adding rows at once. Django would add the posted new
rows beside those saved meanwhile, twice over (a band table of 1〜100 saved twice pays the band twice), and the
table's own checks (gaps, overlaps) would not see the rows that are not on the page.
"""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


class FreshRowsFormSet(forms.BaseInlineFormSet):
    """An inline table checked against the rows stored for its parent (see the module's docstring). The refusal
    names the rows saved since, by their ``str``, and asks to open the page again."""

    def clean(self) -> None:
        super().clean()
        if self.instance.pk is None:
            return
        posted = {form.instance.pk for form in self.initial_forms if form.instance.pk is not None}
        stale = [str(row) for row in self.get_queryset() if row.pk not in posted]
        if stale:
            raise ValidationError(
                f"この画面を開いた後に、{self.model._meta.verbose_name_plural}が保存されています（{'、'.join(stale)}）。"
                "同じ内容を二重に保存しないよう、画面を開き直してから入力してください。")
