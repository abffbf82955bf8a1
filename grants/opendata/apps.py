"""情報公開: the open data of decided awards per fiscal year (CSV, Shift_JIS CSV, JSON; CC BY 4.0), what is
published of each organisation type, and the data dictionary."""
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

from .codes import is_valid_code


class OpendataConfig(AppConfig):
    name = "grants.opendata"
    verbose_name = "オープンデータ"

    def ready(self) -> None:
        checks.register(check_city_code)


def check_city_code(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """opendata.E001: settings.CITY_LOCAL_GOVERNMENT_CODE must be a 6-digit 全国地方公共団体コード whose last digit is
    the check digit of the first five (a mistyped code would head every row of the open data)."""
    code = str(getattr(settings, "CITY_LOCAL_GOVERNMENT_CODE", ""))
    if is_valid_code(code):
        return []
    return [checks.Error(f"CITY_LOCAL_GOVERNMENT_CODE {code!r} is not a valid 6-digit local government code "
                         "(JIS X 0402 with its check digit, e.g. 352039).", id="opendata.E001")]
