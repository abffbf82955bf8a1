"""gunicorn's settings for production: ``gunicorn -c config/gunicorn.conf.py config.wsgi`` (deploy/grants-web.service).

Each value comes from the environment (deploy/grants.env.example), with the default shown:

- ``GUNICORN_BIND`` (``127.0.0.1:8000``): where nginx sends the requests (deploy/nginx.conf.example); a comma
  separates several addresses, ``unix:/run/grants/gunicorn.sock`` is a socket.
- ``GUNICORN_WORKERS`` (2 × the cores + 1): processes, each answering one request at a time. The pages spend most
  of their time in Python (rendering) and the rest waiting for PostgreSQL, so about two per core keeps the cores
  busy; each takes about 100–150 MB. More workers do not help once the cores are busy (bench/bench_serving.py).
- ``GUNICORN_TIMEOUT`` (60 s): a worker silent for longer is killed and its request answered with an error. The
  longest work of a request (a bulk act of up to ``BULK_ACT_IN_REQUEST_MAX`` cases, a household-count file under
  ``HOUSEHOLD_IMPORT_BACKGROUND_KB``) takes about 10 s; anything longer runs in the job worker, not here.
- ``GUNICORN_GRACEFUL_TIMEOUT`` (30 s): on a restart or stop, how long a request in progress may finish.
- ``GUNICORN_MAX_REQUESTS`` (1000) and ``GUNICORN_MAX_REQUESTS_JITTER`` (100): a worker is replaced after that
  many requests plus a random 0–100, so the workers do not all restart at once, and memory a long-lived process
  may gather (a large export's page, fragmentation) is given back.
- ``GUNICORN_ACCESS_LOG`` (``-``: standard output, i.e. the journal under systemd; empty turns it off).
- ``GUNICORN_FORWARDED_ALLOW_IPS`` (``127.0.0.1,::1``): the proxy whose ``X-Forwarded-Proto`` gunicorn believes
  (Django itself reads it only with ``BEHIND_TLS_PROXY=True``: README, Production settings).

``preload_app`` is on: the application is imported once in the master and the workers are forked from it, so they
share its memory pages (Django, WeasyPrint, the fonts' tables) and a worker replaced after ``max_requests`` starts in
milliseconds instead of importing everything again. Nothing opens a database connection while importing (Django
connects at the first query), and ``pre_fork`` closes any the master may have opened all the same, so no worker
inherits a connection it would share with another. The price: ``kill -HUP`` does not load new code; a deploy runs
``systemctl restart grants-web`` (a few seconds in which nginx answers 502) or, without a gap, ``kill -USR2`` the
master and then ``-TERM`` the old one (gunicorn's documented upgrade). ``GUNICORN_PRELOAD=False`` turns it off.
"""
import multiprocessing
import os
from typing import Any


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in {"1", "true", "yes", "on"}


bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if address.strip()]
workers = _env_int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
timeout = _env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind nginx, which keeps its own connections to the browsers; the sync worker closes each connection after its
# answer anyway.
keepalive = 5
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)
preload_app = _env_bool("GUNICORN_PRELOAD", True)

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# The client's address as nginx appended it (the connection's own address is nginx's), the time taken (µs), no
# query string: a search term or an organisation's name typed in a filter stays out of the log.
access_log_format = '%({x-forwarded-for}i)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(D)sus "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The heartbeat file in memory, never on a disk that may stall (gunicorn's advice); /dev/shm exists on Linux.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn's control socket (gunicornc, since 25) is not used: systemd starts, stops and restarts the server.
control_socket_disable = True


def pre_fork(server: Any, worker: Any) -> None:
    """Close any database connection the master holds before a worker is forked from it (see preload_app); without
    preload_app the master has not loaded Django and holds none."""
    if server.cfg.preload_app:
        from django.db import connections

        connections.close_all()
