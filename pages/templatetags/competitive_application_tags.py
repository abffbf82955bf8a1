"""What the case page's 事業計画書 section (``cases/sections/_project_plan.html``) shows of a competitive
application: the call, the project and its year (何年目), the plan as a form while the draft may be edited
(activity ``edit_application`` of the case's workflow) or as text afterwards, and any text that could not be
saved (kept in the session by ``pages.competitive.applications``) to offer it again."""
from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from grants.cases.models import GrantCase
from grants.cases.workflows import workflow_of
from grants.competitive.applications import PLAN_FIELDS, year_limit_refusal
from grants.competitive.models import ProjectPlan
from grants.core import workflow
from pages.competitive.applications import TYPED_KEY, PlanForm

register = template.Library()


@register.simple_tag(takes_context=True)
def project_plan_section(context: template.Context, case: GrantCase) -> dict[str, Any] | None:
    """The section's context for ``case`` (which the page's user already may see), or None when the case is
    not an application to a call."""
    plan = (ProjectPlan.objects.filter(case=case)
            .select_related("call__programme_year", "project").first())
    if plan is None:
        return None
    user = context["user"]
    editable = workflow.may(workflow_of(case).machine, case, user, "edit_application")
    typed: dict[str, Any] = {}
    request: HttpRequest | None = context.get("request")
    if editable and request is not None:
        typed = request.session.pop(TYPED_KEY.format(pk=case.pk), None) or {}
    form = None
    if editable:
        initial = {name: getattr(plan, name) for name in PLAN_FIELDS}
        form = PlanForm(initial={**initial, **typed.get("fields", {})})
        for name in typed.get("errors", {}):
            if name in form.fields:
                attrs = form.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = " ".join(filter(None, (f"plan-{name}-error",
                                                                  attrs.get("aria-describedby"))))
        form.typed_errors = typed.get("errors", {})  # type: ignore[attr-defined]
    call = plan.call
    return {
        "plan": plan, "call": call, "project": plan.project, "year": case.repeat_year,
        "year_limit": call.programme_year.max_project_years,
        "year_refusal": year_limit_refusal(plan.project, call) if editable else None,
        "window_open": call.is_open(), "editable": editable, "form": form,
        "typed_restored": bool(typed.get("fields")), "typed_errors": typed.get("errors", {}),
        "fields": [(PLAN_FIELDS[name], getattr(plan, name)) for name in PLAN_FIELDS],
    }


@register.filter
def field_error(errors: dict[str, str], name: str) -> str:
    """The error kept for field ``name`` (empty when none)."""
    return errors.get(name, "") if isinstance(errors, dict) else ""
