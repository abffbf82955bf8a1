"""The production settings (config/settings.py): no key from the repository, `check --deploy` clean with HTTPS on,
passwords held to every validator with at least 12 characters, sessions that end with the working day."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """``manage.py`` in a fresh process with only ``environment`` set among the app's variables (no .env)."""
    base = {key: value for key, value in os.environ.items()
            if key not in {"SECRET_KEY", "DEBUG", "HTTPS", "DATABASE_URL", "DJANGO_SETTINGS_MODULE",
                           "DJANGO_ALLOW_ASYNC_UNSAFE"}}  # set by the browser tests of this process
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**base, "ENV_FILE": "/nonexistent/.env", **environment}, timeout=120, check=False)


def test_without_a_secret_key_the_app_refuses_to_start_naming_the_variable() -> None:
    result = _manage("check", DEBUG="False")
    assert result.returncode != 0
    assert "環境変数 SECRET_KEY が設定されていません" in result.stderr


def test_the_production_configuration_passes_check_deploy_without_a_warning() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="False", HTTPS="True",
                     SECRET_KEY=secrets.token_urlsafe(50), CITY_MAYOR_NAME="伊藤　和貴")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_without_https_check_deploy_names_what_is_missing() -> None:
    result = _manage("check", "--deploy", DEBUG="False", SECRET_KEY=secrets.token_urlsafe(50))
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


@pytest.mark.parametrize("password", ["12345678", "password", "password1234", "123456789012", "short-pass"])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted() -> None:
    validate_password("kawara-sakura-2026-yamaguchi")


def test_sessions_end_with_the_working_day_and_the_browser() -> None:
    assert settings.SESSION_COOKIE_AGE == 9 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def _setting(name: str, **environment: str) -> str:
    result = _manage("shell", "-c", f"from django.conf import settings; print(repr(settings.{name}))",
                     SECRET_KEY=secrets.token_urlsafe(50), **environment)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after the shell's note of what it imported


def test_two_factor_login_is_on_in_production_unless_turned_off() -> None:
    assert _setting("REQUIRE_TWO_FACTOR", DEBUG="False") == "True"
    assert _setting("REQUIRE_TWO_FACTOR", DEBUG="False", REQUIRE_TWO_FACTOR="False") == "False"
    assert _setting("REQUIRE_TWO_FACTOR", DEBUG="True") == "False"


def test_the_lockout_limit_and_time_come_from_the_environment() -> None:
    assert _setting("AXES_FAILURE_LIMIT", LOGIN_FAILURE_LIMIT="5") == "5"
    assert _setting("AXES_COOLOFF_TIME", LOGIN_LOCKOUT_MINUTES="15") == "datetime.timedelta(seconds=900)"
    assert _setting("AXES_LOCKOUT_PARAMETERS") == "[['username'], ['ip_address']]"


def test_the_notices_sender_comes_from_the_environment() -> None:
    assert _setting("CITY_MAYOR_NAME", CITY_MAYOR_NAME="伊藤　和貴") == repr("伊藤　和貴")
    assert _setting("CITY_MAYOR_NAME") == "''"
    assert _setting("CITY_MAYOR_TITLE") == "'山口市長'"


def test_check_deploy_warns_while_the_mayor_s_name_is_not_set() -> None:
    result = _manage("check", "--deploy", DEBUG="False", HTTPS="True", SECRET_KEY=secrets.token_urlsafe(50))
    assert "notices.W001" in result.stderr + result.stdout
    named = _manage("check", "--deploy", DEBUG="False", HTTPS="True", SECRET_KEY=secrets.token_urlsafe(50),
                    CITY_MAYOR_NAME="伊藤　和貴")
    assert "notices.W001" not in named.stderr + named.stdout
