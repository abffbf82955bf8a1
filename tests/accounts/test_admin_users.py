"""The admin's users: staff no longer choose passwords for applicants — adding a user offers no applicant role, and a
user cannot be made one (both point to the invitation); city users are added with their role as before."""
import pytest
from django.urls import reverse

from grants.accounts.models import Role, User
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "kawara-sakura-2026"


def _add(client, role: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("admin:accounts_user_add"), {
        "username": f"new-{role or 'none'}", "role": role, "display_name": "新しい方", "usable_password": "true",
        "password1": PASSWORD, "password2": PASSWORD})


def test_an_applicant_cannot_be_added_with_a_password_chosen_by_staff(root, client) -> None:  # type: ignore[no-untyped-def]
    page = client.get(reverse("admin:accounts_user_add")).content.decode()
    assert "団体の利用者" in page and 'value="association_head"' not in page
    response = _add(client, Role.ASSOCIATION_HEAD)
    assert response.status_code == 200
    assert not User.objects.filter(username="new-association_head").exists()


def test_a_city_user_is_added_with_the_role(root, client) -> None:  # type: ignore[no-untyped-def]
    response = _add(client, Role.STAFF)
    assert response.status_code == 302
    user = User.objects.get(username="new-staff")
    assert (user.role, user.display_name, user.check_password(PASSWORD)) == (Role.STAFF, "新しい方", True)


def test_a_city_user_is_not_made_an_applicant_on_their_page(root, client) -> None:  # type: ignore[no-untyped-def]
    staff = factories.UserFactory(username="city", role=Role.STAFF)
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data.update(role=Role.ASSOCIATION_HEAD, date_joined_0="2026-01-01", date_joined_1="00:00:00",
                username="city")
    response = client.post(url, data)
    assert response.status_code == 200 and "団体の利用者" in response.content.decode()
    staff.refresh_from_db()
    assert staff.role == Role.STAFF
