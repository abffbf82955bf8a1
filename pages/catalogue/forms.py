"""The catalogue's search form (GET): who you are, what you do, a keyword, 募集中のみ."""
from __future__ import annotations

from typing import Any

from django import forms

from grants.publication.models import ApplicantKind, Topic


class CatalogueSearchForm(forms.Form):
    """The search of ``grants.publication.catalogue.search``; the topics are passed in (read once per page)."""

    applicant_kind = forms.ChoiceField(label="団体の種類", required=False)
    topic = forms.TypedChoiceField(label="活動の分野", required=False, coerce=int, empty_value=None)
    keyword = forms.CharField(label="キーワード", required=False, max_length=100,
                              help_text="複数の言葉はスペースで区切ります（すべてを含むものを表示）。")
    open_only = forms.BooleanField(label="募集中のみ", required=False)

    def __init__(self, *args: Any, topics: list[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["applicant_kind"]
        topic = self.fields["topic"]
        assert isinstance(kind, forms.ChoiceField) and isinstance(topic, forms.TypedChoiceField)
        kind.choices = [("", "指定しない"), *ApplicantKind.choices]
        topic.choices = [("", "指定しない"), *((t.pk, t.name) for t in topics)]

    def filters(self) -> dict[str, Any]:
        """The search's keyword arguments from the fields that are valid (a forged value is left out, and the
        field says why)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "applicant_kind": data.get("applicant_kind") or "",
            "topic_id": data.get("topic"),
            "keyword": data.get("keyword") or "",
            "open_only": bool(data.get("open_only")),
        }
