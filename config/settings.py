"""Settings, read from the environment (django-environ).

SQLite is the embedded default so the README's commands work anywhere; ``DATABASE_URL`` switches to
PostgreSQL (``postgres://user@127.0.0.1:5432/name``).
"""
import os
import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    SHARED_DATA_DIR=(str, str(BASE_DIR / "data" / "reference")),
    HTTPS=(bool, False),
    BEHIND_TLS_PROXY=(bool, False),
    HSTS_SECONDS=(int, 31_536_000),
    SESSION_HOURS=(int, 9),
    SESSION_EXPIRE_AT_BROWSER_CLOSE=(bool, True),
    LOGIN_FAILURE_LIMIT=(int, 10),
    LOGIN_LOCKOUT_MINUTES=(int, 30),
)
# bin/bootstrap writes a random SECRET_KEY to .env on a machine that has none (the demo); production sets the
# environment instead. ENV_FILE names another file (the settings tests point it elsewhere).
environ.Env.read_env(os.environ.get("ENV_FILE", str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env("DEBUG")
# No key in the repository: without SECRET_KEY the app refuses to start, unless DEBUG is on (a developer's machine).
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "環境変数 SECRET_KEY が設定されていません。50文字以上の推測できない値を SECRET_KEY に設定してください"
            "（SECRET_KEY is not set; the application does not start without it when DEBUG is off）。"
        )
    SECRET_KEY = "debug-only-key-never-used-with-debug-off"
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

# HTTPS (production): HTTPS=True turns on the redirect to HTTPS, HSTS and Secure cookies. Behind a proxy that ends
# TLS and sets X-Forwarded-Proto, BEHIND_TLS_PROXY=True tells Django the request was HTTPS; SECURE_SSL_REDIRECT=False
# leaves the redirect to that proxy. `manage.py check --deploy` is clean with HTTPS=True and a strong SECRET_KEY.
HTTPS = env("HTTPS")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env("HSTS_SECONDS") if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=HTTPS)
BEHIND_TLS_PROXY = env("BEHIND_TLS_PROXY")
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this server only, no inline script or
# style, no framing, forms posted here only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Permissions-Policy (django-permissions-policy): no page of this system uses these browser features.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: [] for feature in ("accelerometer", "camera", "display-capture", "geolocation", "gyroscope",
                                "microphone", "payment", "usb")
}

# Sessions end with the working day (SESSION_HOURS, 9 by default) and when the browser closes.
SESSION_COOKIE_AGE = env("SESSION_HOURS") * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env("SESSION_EXPIRE_AT_BROWSER_CLOSE")
# A link inviting someone to act for an organisation (団体の利用者への招待) can be used for INVITATION_DAYS days.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, which templates/django/forms/ overrides (FORM_RENDERER below)
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_tables2",
    "django_filters",
    "django_tasks",
    "ninja",  # the API's documentation page: Swagger UI's files, served from here (no CDN; pages.api)
    "grants.jobs.apps.TaskQueueConfig",  # django_tasks_db, named in Japanese
    "grants.core",
    "grants.accounts",
    "grants.organizations",
    "grants.programmes",
    "grants.ledger",
    "grants.cases",
    "grants.councils",
    "grants.insurance",
    "grants.competitive",
    "grants.evaluation",
    "grants.jobs",
    "grants.notices",
    "grants.notify",
    "grants.publication",
    "grants.opendata",
    "grants.demo",
    "reports",
    "pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Static files (whitenoise) after the three that set headers, so that a static file has them too, and before the
    # rest: a static file needs no session, user or CSRF token.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The public catalogue's pages and the open-data files, the same for everyone, likewise need no session, user or
    # CSRF token (pages.public).
    "pages.public.SessionlessMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pages.accounts.middleware.TwoFactorMiddleware",
    # last, as django-axes asks: it turns a refused login into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

# Forms render through TEMPLATES, so that templates/django/forms/widgets/ overrides Django's: a select's blank choice
# reads 「選択してください」 (required) or 「指定しない」, never 「---------」; django-filter's reads 「すべて」.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
FILTERS_EMPTY_CHOICE_LABEL = "すべて"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pages.context_processors.demo_notice",
                "pages.context_processors.applicant_menus",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once when the browser and the server write together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords within LOGIN_LOCKOUT_MINUTES, the user name is
# locked from every address, and the address is locked for every user name, until the time has passed since the
# last failure or an administrator unlocks it at /admin/ (ログインのロック). The page says so in Japanese.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env("LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = timedelta(minutes=env("LOGIN_LOCKOUT_MINUTES"))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
# A successful login does not clear the failures: axes would clear the address's too, so an attacker with one
# account of their own could log in between guesses and never be locked. Failures expire after the lockout time.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ADMIN = False  # grants/accounts/admin.py shows the attempts and logins with Japanese labels
# The client's address: REMOTE_ADDR, or behind the TLS proxy the address that proxy appended to X-Forwarded-For
# (never one the client sent itself).
AXES_CLIENT_IP_CALLABLE = "grants.accounts.lockout.client_address"

# Two-factor login (django-otp, TOTP): city users (and administrators) enter a code from an authenticator app after
# their password (pages/accounts/). On by default in production (DEBUG off); bin/start turns it off for the demo.
REQUIRE_TWO_FACTOR = env.bool("REQUIRE_TWO_FACTOR", default=not DEBUG)
OTP_TOTP_ISSUER = "山口市 補助金事務"

# Every validator Django has, and at least 12 characters.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
# Static files are served by the application itself (whitenoise), behind gunicorn. Production runs
# `manage.py collectstatic` into STATIC_ROOT and sets STATIC_MANIFEST=True: names carry a hash of the content
# (cached by browsers for ten years: a changed file gets a new name), gzip and Brotli copies are made once, and
# the files are read from STATIC_ROOT only. Without it (the tests, the demo, a developer's machine) the files are
# served from where they lie in the source, looked up at each request, and no collectstatic is needed.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage" if STATIC_MANIFEST
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST
# No other site needs our files (whitenoise would answer `Access-Control-Allow-Origin: *`).
WHITENOISE_ALLOW_ALL_ORIGINS = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DJANGO_TABLES2_TEMPLATE = "tables/table.html"

# Where the public reference figures live: a copy of the project's shared/data kept in the repo, so that a
# fresh clone sets itself up anywhere.
SHARED_DATA_DIR = Path(env("SHARED_DATA_DIR"))

MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))

# Background work (exports, batch printing) runs on django-tasks with its database backend, so it works on
# the embedded SQLite as on PostgreSQL; `manage.py db_worker` runs the jobs (bin/start starts one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Mail (お知らせメール, grants.notify): EMAIL_URL names the production SMTP server (smtp+tls://user:pass@host:587);
# without it the mail is written to files under var/mail (the demo), never sent. The worker tries a failed mail
# again after each wait of MAIL_RETRY_MINUTES (then after the last one) until MAIL_MAX_ATTEMPTS attempts have
# failed. SITE_URL is the address the mail's links start with.
if env("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="山口市 協働推進課 <noreply@example.invalid>")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Notices (reports.pdf): the sender line 「山口市長　伊藤　和貴」 is CITY_MAYOR_TITLE and CITY_MAYOR_NAME; without
# the name it reads the title alone, and `check --deploy` warns (notices.W001). NOTICE_DATE_STYLE: wareki or
# wareki_western.
CITY_MAYOR_TITLE = env("CITY_MAYOR_TITLE", default="山口市長")
CITY_MAYOR_NAME = env("CITY_MAYOR_NAME", default="")
NOTICE_DATE_STYLE = env("NOTICE_DATE_STYLE", default="wareki")
# The open data (grants.opendata): 全国地方公共団体コード (6 digits, the last the JIS X 0402 check digit; system check
# opendata.E001) and 地方公共団体名, the first and third columns of every row.
CITY_LOCAL_GOVERNMENT_CODE = env("CITY_LOCAL_GOVERNMENT_CODE", default="352039")
CITY_NAME = env("CITY_NAME", default="山口市")
# A total per 地域 of fewer awards than this shows its count without amounts (one or two associations' total gives
# each one's amount back); grants.opendata.
OPENDATA_MIN_AREA_COUNT = env.int("OPENDATA_MIN_AREA_COUNT", default=3)
MAIL_RETRY_MINUTES = env.list("MAIL_RETRY_MINUTES", cast=int, default=[5, 30, 120])
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=4)
# The hour (0–23, local time) at which `manage.py scheduler` (the demo's daily scheduler, bin/start) makes its daily
# pass; production calls `manage.py run_daily` from a timer instead (README: The daily scheduler).
SCHEDULER_HOUR = env.int("SCHEDULER_HOUR", default=6)
if not 0 <= SCHEDULER_HOUR <= 23:
    raise ImproperlyConfigured(f"SCHEDULER_HOUR must be an hour from 0 to 23, not {SCHEDULER_HOUR}.")

# The read-only API (/api/v1/, pages.api): calls per client address without a token (the public endpoints) and per
# token, as "number/period" (s, min, h or day); more answers 429. The counts live in the cache: with several workers
# or hosts, CACHE_URL must name a shared cache (e.g. redis://…; the default, locmem, counts per worker process).
API_ANON_RATE = env("API_ANON_RATE", default="60/min")
API_TOKEN_RATE = env("API_TOKEN_RATE", default="600/min")
for _rate in (API_ANON_RATE, API_TOKEN_RATE):
    if not re.fullmatch(r"[0-9]+/(s|sec|m|min|h|hour|d|day)", _rate):
        raise ImproperlyConfigured(f"API_ANON_RATE and API_TOKEN_RATE are number/period (e.g. 60/min), not {_rate}.")
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Whose address a rate counts: behind the TLS proxy the last one in X-Forwarded-For (as for the login lockout).
NINJA_NUM_PROXIES = 1 if BEHIND_TLS_PROXY else 0

# Largest upload accepted by the household-count import (bytes; HOUSEHOLD_IMPORT_MAX_MB in the environment).
HOUSEHOLD_IMPORT_MAX_BYTES = env.int("HOUSEHOLD_IMPORT_MAX_MB", default=5) * 1024 * 1024
# What any uploaded table (.xlsx or CSV) may hold, checked before and while it streams (grants.core.sheets):
# rows (the heading row included; the largest city has a few thousand associations), columns, the .xlsx's
# members uncompressed together (MB), its number of members, the compression ratio of a member over 1 MB, and
# the characters on one CSV line.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=200)
IMPORT_MAX_UNZIPPED_MB = env.int("IMPORT_MAX_UNZIPPED_MB", default=50)
IMPORT_MAX_ZIP_MEMBERS = env.int("IMPORT_MAX_ZIP_MEMBERS", default=100)
IMPORT_MAX_COMPRESSION_RATIO = env.int("IMPORT_MAX_COMPRESSION_RATIO", default=100)
IMPORT_MAX_LINE_CHARS = env.int("IMPORT_MAX_LINE_CHARS", default=10_000)
# A household-count file larger than this is imported by the background worker (its page shows the progress and
# the result); a smaller one, a city's usual file, is imported within the request.
HOUSEHOLD_IMPORT_BACKGROUND_BYTES = env.int("HOUSEHOLD_IMPORT_BACKGROUND_KB", default=256) * 1024
# A bulk act of the case list (一括の手続) on more cases than this runs in the background worker (its page shows the
# progress and then the result); up to this many, within the request.
BULK_ACT_IN_REQUEST_MAX = env.int("BULK_ACT_IN_REQUEST_MAX", default=50)
