"""The catalogue's admin: topics, the public guide of each city programme, and other funders' programmes, each
edit audited (``AuditedAdminMixin``). Who may apply is chosen with check boxes among ``ApplicantKind``."""
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from grants.core.admin_audit import AuditedAdminMixin

from .models import ApplicantKind, FunderProgramme, ProgrammeGuide, Topic


class ApplicantKindsForm(forms.ModelForm):
    """The applicant kinds as check boxes (stored as a list of codes in a JSON field)."""

    applicant_kinds = forms.MultipleChoiceField(
        label="申請できる団体の種類", choices=ApplicantKind.choices, widget=forms.CheckboxSelectMultiple,
        help_text="検索に使います。当てはまるものをすべて選んでください。",
        error_messages={"required": "申請できる団体の種類を1つ以上選んでください。"},
    )


class GuideForm(ApplicantKindsForm):
    class Meta:
        model = ProgrammeGuide
        fields = ("programme", "is_published", "summary", "applicant_kinds", "eligibility", "topics", "funded",
                  "documents", "how_to_apply", "contact_section", "contact_phone")


class FunderProgrammeForm(ApplicantKindsForm):
    url = forms.URLField(label="案内のページ（URL）", max_length=500, assume_scheme="https",
                         help_text="実施団体の公式ページのURLです（https:// から）。")

    class Meta:
        model = FunderProgramme
        fields = ("funder_kind", "funder", "title", "is_published", "summary", "applicant_kinds", "eligibility",
                  "topics", "amount_text", "opens_on", "closes_on", "url")


@admin.register(Topic)
class TopicAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """活動の分野: the topics a citizen searches by (防災・防犯, 子育て …), in their order."""

    list_display = ("order", "name")
    list_display_links = ("name",)
    ordering = ("order", "pk")

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """Django's deletion summary, with a topic still chosen by a guide or an other programme listed as
        protected (a many-to-many link protects nothing): deleting it would drop it from their searches unseen."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for topic in objs:
            uses = [*topic.guides.all(), *topic.funder_programmes.all()]
            protected = [*protected, *(f"活動の分野「{topic.name}」：{use}で使われています" for use in uses)]
        return deleted, counts, perms_needed, protected


@admin.register(ProgrammeGuide)
class ProgrammeGuideAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The public guide of a city programme; rate, cap and window come from its rule per 年度 (not edited here)."""

    form = GuideForm
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    list_display = ("programme", "is_published", "contact_section", "updated_at")
    list_filter = ("is_published",)
    list_select_related = ("programme",)


@admin.register(FunderProgramme)
class FunderProgrammeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Other funders' programmes (民間助成, 県・国の補助金), each linked to the funder's own page."""

    form = FunderProgrammeForm
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    list_display = ("title", "funder", "funder_kind", "opens_on", "closes_on", "is_published", "updated_at")
    list_filter = ("funder_kind", "is_published")
    search_fields = ("title", "funder")
