"""Static files served by the application (whitenoise, config/settings.py): from the source without collectstatic
(the tests, the demo), from STATIC_ROOT with hashed, compressed copies in production (STATIC_MANIFEST=True), and in
both with the security headers every page has (Content-Security-Policy, HSTS, nosniff …)."""
import json
import os
import secrets
import subprocess
import sys
import warnings
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

# What every answer of this server carries, a static file's included.
SECURITY_HEADERS = ("Content-Security-Policy", "Permissions-Policy", "X-Content-Type-Options", "Referrer-Policy",
                    "Cross-Origin-Opener-Policy")


def test_without_collectstatic_a_static_file_is_served_from_the_source(client, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.STATIC_ROOT = tmp_path / "never-collected"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even whitenoise's 「No directory at」 for the missing STATIC_ROOT
        response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"".join(response.streaming_content) == (ROOT / "static" / "css" / "site.css").read_bytes()


def test_a_static_file_carries_the_security_headers_of_a_page(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_SSL_REDIRECT = False
    response = client.get("/static/js/job.js", secure=True)
    assert response.status_code == 200
    for header in SECURITY_HEADERS:
        assert header in response, header
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "camera=()" in response["Permissions-Policy"]


def test_a_missing_static_file_is_the_sites_own_404_not_a_file_listing(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/static/css/")
    assert response.status_code == 404
    response = client.get("/static/../config/settings.py")
    assert response.status_code == 404


def test_the_demo_and_the_tests_use_plain_names_and_no_manifest() -> None:
    assert settings.STATIC_MANIFEST is False
    assert settings.STORAGES["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"


# Production: collectstatic into STATIC_ROOT, then the hashed names, compressed copies and a year's cache. Run in
# fresh processes with the production environment, as the server would start.
PRODUCTION_CLIENT = """
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client, RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware
import json
url = staticfiles_storage.url("css/site.css")
static_files = WhiteNoiseMiddleware(lambda request: "passed on to Django")
client = Client()
plain = client.get(url, secure=True)
gzipped = client.get(url, secure=True, HTTP_ACCEPT_ENCODING="gzip")
missing = static_files(RequestFactory().get("/static/css/not-there.css"))
print(json.dumps({"url": url, "status": plain.status_code, "body": b"".join(plain.streaming_content).decode(),
                  "cache": plain.get("Cache-Control", ""), "csp": plain.get("Content-Security-Policy", ""),
                  "hsts": plain.get("Strict-Transport-Security", ""),
                  "gzip": gzipped.get("Content-Encoding", ""), "missing": missing if isinstance(missing, str) else missing.status_code}))
"""


def _manage(*args: str, static_root: Path) -> subprocess.CompletedProcess[str]:
    base = {key: value for key, value in os.environ.items()
            if key not in {"SECRET_KEY", "DEBUG", "HTTPS", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "STATIC_ROOT",
                           "STATIC_MANIFEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environment = {"ENV_FILE": "/nonexistent/.env", "DEBUG": "False", "HTTPS": "True", "SECURE_SSL_REDIRECT": "False",
                   "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "testserver",
                   "STATIC_MANIFEST": "True", "STATIC_ROOT": str(static_root)}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**base, **environment}, timeout=300, check=False)


def test_in_production_collected_files_are_served_hashed_compressed_and_cached_for_a_year(tmp_path) -> None:
    collected = _manage("collectstatic", "--noinput", "-v0", static_root=tmp_path)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/site.css"]
    assert hashed != "css/site.css" and (tmp_path / (hashed + ".gz")).exists()

    served = _manage("shell", "-c", PRODUCTION_CLIENT, static_root=tmp_path)
    assert served.returncode == 0, served.stderr
    answer = json.loads(served.stdout.strip().splitlines()[-1])
    assert answer["url"] == "/static/" + hashed
    assert answer["status"] == 200
    assert answer["body"] == (ROOT / "static" / "css" / "site.css").read_text()
    assert "immutable" in answer["cache"] and "max-age=315360000" in answer["cache"]
    assert answer["gzip"] == "gzip"
    assert "default-src 'self'" in answer["csp"] and answer["hsts"].startswith("max-age=")
    assert answer["missing"] == "passed on to Django"  # the site's 404 page, as in the test above


def test_in_production_a_file_never_collected_is_not_served_from_the_source(tmp_path) -> None:
    """Once STATIC_MANIFEST is on, only what collectstatic put in STATIC_ROOT is served (an empty one here)."""
    served = _manage("shell", "-c", NEVER_COLLECTED, static_root=tmp_path)
    assert served.returncode == 0, served.stderr
    assert served.stdout.strip().splitlines()[-1] == "passed on to Django; Missing staticfiles manifest entry for 'css/site.css'"


NEVER_COLLECTED = """
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware
served = WhiteNoiseMiddleware(lambda request: "passed on to Django")(RequestFactory().get("/static/css/site.css"))
try:
    staticfiles_storage.url("css/site.css")
except ValueError as exc:
    print(f"{served}; {exc}")
"""
