"""The POST data of an admin change page as it was rendered, so that a test changes a few fields and posts it back
through the real admin (main form, every inline and their management forms)."""
from typing import Any

from django.http import HttpResponse


def change_form_data(response: HttpResponse) -> dict[str, Any]:
    """The values of the main form and of every inline form of an admin add/change page ``response`` (a GET of
    the page through the test client), keyed as the browser would post them; unticked boxes are left out."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
            elif isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(item) for item in value]
            elif value is not None:
                data[form.add_prefix(name)] = value.pk if hasattr(value, "pk") else str(value)

    context: Any = response.context  # type: ignore[attr-defined]
    add(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data
