"""The admin speaks Japanese like the rest (issue 15): its titles (grants/core/admin.py; it read 「Django 管理サイト」)
and the worker's queue of django-tasks, which ships no Japanese (grants/jobs/apps.py; it read 「Task Results」)."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_index_has_no_english_or_half_translated_titles(client, root) -> None:  # type: ignore[no-untyped-def]
    client.force_login(root)
    page = client.get(reverse("admin:index")).content.decode()
    assert "山口市 補助金・交付金事務システム 管理画面" in page and "管理メニュー" in page
    assert "ワーカーの処理待ち行列" in page and "ワーカーの処理" in page
    for english in ("Django 管理サイト", "Django administration", "Task Result", "Tasks Database Backend"):
        assert english not in page, english
    queue = client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")).content.decode()
    assert "Task Result" not in queue and "ワーカーの処理" in queue
