"""The production examples in deploy/ and config/gunicorn.conf.py: the environment file names every variable the
application and gunicorn read and holds no secret, its configuration passes `check --deploy`, the units start what
exists, and nginx passes the headers the settings rely on."""
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "grants.env.example"


def _variables_read(source: Path) -> set[str]:
    text = source.read_text()
    return (set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', text))
            | set(re.findall(r'environ(?:\.get)?\(\s*"([A-Z][A-Z0-9_]+)"', text))
            | set(re.findall(r'_env_\w+\(\s*"([A-Z][A-Z0-9_]+)"', text))
            | set(re.findall(r"^\s+([A-Z][A-Z0-9_]+)=\(", text, re.MULTILINE)))


def _example_names() -> dict[str, str]:
    """Each variable of the example, set or commented out (``# NAME=value``), with its value."""
    names = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        found = re.match(r"^#?\s?([A-Z][A-Z0-9_]+)=(.*)$", line)
        if found:
            names[found.group(1)] = found.group(2)
    return names


def test_the_environment_example_names_every_variable_the_application_and_gunicorn_read() -> None:
    read = _variables_read(ROOT / "config" / "settings.py") | _variables_read(ROOT / "config" / "gunicorn.conf.py")
    read -= {"ENV_FILE"}  # which file to read, the tests' own
    assert {"SECRET_KEY", "DATABASE_URL", "STATIC_ROOT", "GUNICORN_WORKERS"} <= read  # the patterns find them
    assert read - set(_example_names()) == set()


def test_the_environment_example_holds_no_secret() -> None:
    names = _example_names()
    assert names["SECRET_KEY"] == "" and names["EMAIL_URL"] == ""
    assert "CHANGE-ME" in names["DATABASE_URL"]


def test_the_example_configuration_passes_check_deploy_once_its_key_and_mayor_are_filled_in() -> None:
    base = {key: value for key, value in os.environ.items() if not re.match(r"^[A-Z][A-Z0-9_]+$", key)
            or key in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, capture_output=True,
        text=True, timeout=120, check=False,
        env={**base, "ENV_FILE": str(ENV_EXAMPLE), "SECRET_KEY": secrets.token_urlsafe(50),
             "CITY_MAYOR_NAME": "伊藤　和貴"},
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_units_start_the_servers_of_this_repository() -> None:
    web = (DEPLOY / "grants-web.service").read_text()
    worker = (DEPLOY / "grants-worker.service").read_text()
    daily = (DEPLOY / "grants-daily.service").read_text()
    assert "gunicorn -c config/gunicorn.conf.py config.wsgi" in web
    assert (ROOT / "config" / "gunicorn.conf.py").exists() and (ROOT / "config" / "wsgi.py").exists()
    assert re.search(r"manage\.py db_worker .*--worker-id %H", worker)
    assert "manage.py run_daily" in daily and "Type=oneshot" in daily
    timer = (DEPLOY / "grants-daily.timer").read_text()
    assert "OnCalendar=*-*-* 06:00:00 Asia/Tokyo" in timer and "Persistent=true" in timer
    for unit in (web, worker, daily):
        assert "EnvironmentFile=/etc/grants/grants.env" in unit
        assert "User=grants" in unit


def test_nginx_appends_the_forwarded_address_and_sets_the_scheme() -> None:
    nginx = (DEPLOY / "nginx.conf.example").read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert "proxy_pass http://grants_web;" in nginx and "server 127.0.0.1:8000;" in nginx


def test_gunicorn_takes_its_settings_from_the_environment() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py", "--print-config", "config.wsgi"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "GUNICORN_WORKERS": "3", "GUNICORN_BIND": "127.0.0.1:8123", "GUNICORN_TIMEOUT": "45"},
    )
    assert result.returncode == 0, result.stderr
    printed = {name: value.strip() for name, _, value in
               (line.partition("=") for line in result.stdout.splitlines()) for name in [name.strip()]}
    assert printed["workers"] == "3" and printed["bind"] == "['127.0.0.1:8123']" and printed["timeout"] == "45"
    assert printed["preload_app"] == "True"
    assert (printed["max_requests"], printed["max_requests_jitter"]) == ("1000", "100")
    assert printed["accesslog"] == "-" and printed["control_socket_disable"] == "True"
