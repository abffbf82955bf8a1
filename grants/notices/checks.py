"""Deployment checks of the notices' settings (``manage.py check --deploy``)."""
from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def check_mayor_name(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """A notice is sent in the mayor's name: without ``CITY_MAYOR_NAME`` the sender reads 「山口市長」 alone."""
    if str(getattr(settings, "CITY_MAYOR_NAME", "")).strip():
        return []
    return [checks.Warning(
        "CITY_MAYOR_NAME が設定されていないため、通知書の発信者が市長の職名だけになります"
        "（CITY_MAYOR_NAME is not set: notices are signed with the title alone）。",
        hint="環境変数 CITY_MAYOR_NAME に市長の氏名を設定してください（例: 伊藤　和貴）。",
        id="notices.W001",
    )]
