"""Django for a benchmark script, against a throw-away database: ``start("notices")`` points Django at
``BENCH_DATABASE_URL`` (default ``sqlite:////tmp/bench_<name>.sqlite3``, deleted first so each run starts empty;
``postgres=True`` or ``BENCH_DATABASE_URL=postgres`` uses a database ``bench_<name>`` on the local PostgreSQL at
127.0.0.1:5432, dropped and created again first),
keeps uploaded and generated files in a fresh temporary folder and starts Django. Extra settings for the run
(``EMAIL_BACKEND`` …) are given as keyword arguments and yield to the environment's."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def start(name: str, *, postgres: bool = False, **environment: str) -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "postgres" if postgres else f"sqlite:////tmp/bench_{name}.sqlite3")
    if url == "postgres":
        url = f"{PG_SERVER}/bench_{name}"
        _recreate_postgres(f"bench_{name}")
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix=f"bench_{name}_media_"))
    for key, value in environment.items():
        os.environ.setdefault(key, value)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _recreate_postgres(database: str) -> None:
    """Drop (closing its connections) and create ``database`` on the local PostgreSQL."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
