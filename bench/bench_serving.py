"""Benchmark: production serving — gunicorn with one worker, then two, under the same load; and the job workers,
one then two side by side, on the same queue.

Run from the project root: ``.venv/bin/python bench/bench_serving.py [--users 16] [--seconds 30] [--warmup 10]
[--jobs 40] [--rounds 2]`` (locust: ``pip install -e '.[bench]'``). Again on the same data, without building it:
``BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_serving .venv/bin/python bench/bench_serving.py
--reuse``.

Sets Django up against a throw-away database ``bench_serving`` on the local PostgreSQL (``temp_django``), migrates,
runs ``setup_demo`` and ``collectstatic`` into a temporary STATIC_ROOT with the production settings for static files
(``STATIC_MANIFEST=True``: hashed names, compressed copies, served by whitenoise). Then:

1. **Serving.** gunicorn (config/gunicorn.conf.py, as deploy/grants-web.service starts it) on a free port of
   127.0.0.1 with ``GUNICORN_WORKERS=1``, then ``=2``; each time locust (bench/locustfile.py) runs ``--users`` users
   in a closed loop (each sends its next request as soon as the answer comes) for ``--warmup`` + ``--seconds``
   seconds. Each user is the demo's 担当, logged in beforehand (a session made by the bench: the password hashing
   of a login, half a second by design, is not what this measures), and opens ホーム, 案件一覧, a case's page and
   the stylesheet. Only the requests started in the ``--seconds`` after the warm-up count: requests per
   second, p50 and p95 of the response time (ms), per page and together. ``--rounds`` of each, in the order
   1, 2, 2, 1 (so that a load on the machine that grows or falls during the run weighs on both), each printed,
   then all rounds of each together. The baseline is one worker in the same run; the ratio is two workers ÷ one.
2. **Job workers.** ``--jobs`` jobs 「事業・年度の台帳（Excel）」 of the demo's programme-year are requested, and one
   ``manage.py db_worker --batch`` process runs them; then as many again, run by two such processes at once (as on
   two hosts sharing the database, each with its own ``--worker-id``). The time of each is from the first job's start
   to the last one's end (the tasks' own times, so the processes' start-up is left out). Checked: every job 完了, each
   started once (one ``start_job`` audit row) and each task claimed by one worker; with two, both took jobs and
   were busy at the same time.

The machine has 2 cores and locust, PostgreSQL and the workers share them: one worker leaves a core partly idle,
two use both, so the figures rise by less than 2× and depend on what else runs (``uptime`` is printed with each).
Exits with status 1 when requests per second do not rise from one worker to two, when a request failed, or when a
job failed, ran twice or was claimed twice, or the two job workers did not work side by side.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

import temp_django  # bench/ is the script's folder, first on sys.path
from timing import uptime

ROOT = temp_django.ROOT
BIN = Path(sys.executable).parent
STAFF = "tanto"




def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(static_root: str, reuse: bool) -> list[int]:
    """Demo data (unless ``reuse``: already there) and the collected static files; returns the ids of a few cases
    the demo's 担当 sees."""
    from django.core.management import call_command

    from grants.cases.models import GrantCase

    if not reuse:
        call_command("migrate", verbosity=0)
        call_command("setup_demo", stdout=io.StringIO())
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (Path(static_root) / "staticfiles.json").exists()
    return list(GrantCase.objects.order_by("pk").values_list("pk", flat=True)[:8])


def sessions(count: int) -> list[str]:
    """``count`` sessions of the demo's 担当, logged in as after the login page (without its password hashing)."""
    from django.conf import settings
    from django.test import Client

    from grants.accounts.models import User

    staff = User.objects.get(username=STAFF)
    keys = []
    for _ in range(count):
        client = Client()
        client.force_login(staff)
        keys.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return keys


def serve(workers: int, port: int, log: Path) -> subprocess.Popen[bytes]:
    """gunicorn with ``workers`` workers on 127.0.0.1:``port``, once it answers."""
    environment = {**os.environ, "GUNICORN_WORKERS": str(workers), "GUNICORN_BIND": f"127.0.0.1:{port}",
                   "GUNICORN_ACCESS_LOG": str(log)}
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"], cwd=ROOT,
                              env=environment, stdout=subprocess.DEVNULL, stderr=open(log.with_suffix(".err"), "wb"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"gunicorn did not answer; see {log.with_suffix('.err')}")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(40)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def load(port: int, cases: list[int], users: int, seconds: int, warmup: int, folder: Path) -> list[dict[str, object]]:
    """locust against 127.0.0.1:``port``; the requests started in the ``seconds`` after ``warmup``."""
    record = folder / f"requests_{port}.jsonl"
    environment = {**os.environ, "BENCH_SESSIONS": ",".join(sessions(users)),
                   "BENCH_CASES": ",".join(map(str, cases)), "BENCH_RECORD": str(record)}
    run = subprocess.run(
        [str(BIN / "locust"), "-f", "bench/locustfile.py", "--headless", "--only-summary", "-u", str(users),
         "-r", str(users), "-t", f"{warmup + seconds + 5}s", "--host", f"http://127.0.0.1:{port}",
         # at the end each user finishes the request it is waiting for, so that every request started in the
         # counted seconds is recorded, however slow
         "--stop-timeout", "60", "--exit-code-on-error", "0", "--loglevel", "WARNING"],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=False, timeout=warmup + seconds + 180,
    )
    if run.returncode != 0 or not record.exists() or not record.read_text():
        raise SystemExit(f"locust failed:\n{run.stderr[-3000:]}")
    rows = [json.loads(line) for line in record.read_text().splitlines()]
    begin = min(row["start"] for row in rows) + warmup
    return [row for row in rows if begin <= row["start"] < begin + seconds]


def summary(rows: list[dict[str, object]], seconds: int) -> dict[str, object]:
    """Requests per second over ``seconds``, p50 and p95 (ms) together and per page, failures."""
    times = [float(row["ms"]) for row in rows]  # type: ignore[arg-type]
    return {
        "requests": len(rows), "failed": sum(bool(row["failed"]) for row in rows), "rps": len(rows) / seconds,
        "p50": percentile(times, 50), "p95": percentile(times, 95),
        "pages": {name: (percentile(page, 50), percentile(page, 95), len(page))
                  for name in sorted({str(row["name"]) for row in rows})
                  for page in [[float(row["ms"]) for row in rows if row["name"] == name]]},  # type: ignore[arg-type]
    }


def show(label: str, result: dict[str, object]) -> None:
    pages = "; ".join(f"{name} p50 {p50:.0f} / p95 {p95:.0f} ms ({n})"
                      for name, (p50, p95, n) in result["pages"].items())  # type: ignore[attr-defined]
    print(f"{label}: {result['rps']:.1f} requests/s, p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, "
          f"{result['requests']} requests, {result['failed']} failed\n    {pages}")


def run_jobs(count: int, worker_ids: list[str], programme_year: int) -> dict[str, object]:
    """``count`` workbook jobs, run by one ``db_worker --batch`` process per id of ``worker_ids`` at once."""
    from django_tasks_db.models import DBTaskResult

    from grants.accounts.models import User
    from grants.core.models import AuditEvent
    from grants.jobs.models import Job, JobStatus
    from grants.jobs.services import request_job

    staff = User.objects.get(username=STAFF)
    before = set(DBTaskResult.objects.values_list("id", flat=True))
    jobs = [request_job(kind="programme_year_workbook", actor=staff, title=f"台帳 {i + 1}",
                        params={"programme_year": programme_year}) for i in range(count)]
    workers = [subprocess.Popen([str(BIN / "python"), "manage.py", "db_worker", "--batch", "--no-startup-delay",
                                 "--worker-id", worker_id, "--interval", "0.2", "-v", "0"], cwd=ROOT,
                                env=dict(os.environ))
               for worker_id in worker_ids]
    for worker in workers:
        worker.wait(900)
    tasks = list(DBTaskResult.objects.exclude(id__in=before))
    started = min(task.started_at for task in tasks if task.started_at)
    finished = max(task.finished_at for task in tasks if task.finished_at)
    taken = Counter(worker_id for task in tasks for worker_id in task.worker_ids)
    spans = {worker_id: (min(t.started_at for t in tasks if t.worker_ids == [worker_id]),
                         max(t.finished_at for t in tasks if t.worker_ids == [worker_id])) for worker_id in taken}
    starts = Counter(AuditEvent.objects.filter(action="start_job", object_id__in=[job.pk for job in jobs])
                     .values_list("object_id", flat=True))
    problems = []
    if len(tasks) != count or any(task.status != "SUCCESSFUL" for task in tasks):
        problems.append(f"{len(tasks)} tasks, statuses {Counter(task.status for task in tasks)}")
    if any(len(task.worker_ids) != 1 for task in tasks):
        problems.append("a task was claimed more than once")
    done = Job.objects.filter(pk__in=[job.pk for job in jobs], status=JobStatus.DONE).count()
    if done != count:
        problems.append(f"{done} of {count} jobs 完了")
    twice = [pk for pk, n in starts.items() if n != 1]
    if twice or len(starts) != count:
        problems.append(f"jobs started other than once: {twice or 'some never'}")
    if set(taken) != set(worker_ids):
        problems.append(f"not every worker took a job: {dict(taken)}")
    return {"seconds": (finished - started).total_seconds(), "taken": dict(taken), "spans": spans,
            "problems": problems}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2, help="measurements of each, in the order 1, 2, 2, 1 …")
    parser.add_argument("--reuse", action="store_true",
                        help="the demo is already in BENCH_DATABASE_URL (a previous run's bench_serving)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench_serving_"))
    static_root = str(folder / "static")
    temp_django.start("serving", postgres=True, STATIC_MANIFEST="True", STATIC_ROOT=static_root, DEBUG="False",
                      REQUIRE_TWO_FACTOR="False", ALLOWED_HOSTS="127.0.0.1,localhost",
                      EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    from grants.programmes.models import ProgrammeYear

    t = time.perf_counter()
    cases = prepare(static_root, args.reuse)
    programme_year = ProgrammeYear.objects.get(programme__code="jichi_shinko", label="サンプル").pk
    print(f"setup: demo, {len(cases)} cases for the load, collectstatic in {time.perf_counter() - t:.0f} s")
    print(f"load: {args.users} users, closed loop, {args.warmup} s warm-up then {args.seconds} s counted; "
          f"pages ホーム, 案件一覧, 案件, 静的ファイル (2:2:2:1)")

    failed: list[str] = []
    # Rounds in the order 1, 2, 2, 1 …: a load on the machine that grows or falls during the run weighs on both
    # alike.
    order = [n for r in range(args.rounds) for n in ((1, 2) if r % 2 == 0 else (2, 1))]
    pooled: dict[int, list[dict[str, object]]] = {1: [], 2: []}
    for workers in order:
        port = free_port()
        server = serve(workers, port, folder / f"gunicorn_{workers}_{port}.log")
        try:
            print(f"  [{workers} worker{'s' if workers > 1 else ''}] {uptime()}")
            rows = load(port, cases, args.users, args.seconds, args.warmup, folder)
        finally:
            stop(server)
        pooled[workers] += rows
        show(f"gunicorn, {workers} worker{'s' if workers > 1 else ' '}", summary(rows, args.seconds))
    results = {workers: summary(rows, args.seconds * args.rounds) for workers, rows in pooled.items()}
    for workers, result in results.items():
        show(f"all rounds, {workers} worker{'s' if workers > 1 else ' '}", result)
        if result["failed"]:
            failed.append(f"{result['failed']} requests failed with {workers} worker(s)")
    ratio = float(results[2]["rps"]) / float(results[1]["rps"])  # type: ignore[arg-type]
    print(f"ratio 2 workers / 1 worker: requests/s {ratio:.2f}×, p95 "
          f"{float(results[2]['p95']) / float(results[1]['p95']):.2f}×")  # type: ignore[arg-type]
    if ratio <= 1.0:
        failed.append(f"requests/s did not rise from 1 worker to 2 ({ratio:.2f}×)")

    rounds = {}
    for worker_ids in (["bench-host-a"], ["bench-host-a", "bench-host-b"]):
        print(f"  [{len(worker_ids)} job worker{'s' if len(worker_ids) > 1 else ''}] {uptime()}")
        rounds[len(worker_ids)] = outcome = run_jobs(args.jobs, worker_ids, programme_year)
        overlap = ""
        if len(worker_ids) == 2:
            (a_start, a_end), (b_start, b_end) = outcome["spans"].values()  # type: ignore[attr-defined]
            together = (min(a_end, b_end) - max(a_start, b_start)).total_seconds()
            overlap = f", busy together for {max(together, 0):.1f} s"
            if together <= 0:
                failed.append("the two job workers never ran at the same time")
        print(f"{args.jobs} jobs, {len(worker_ids)} db_worker process{'es' if len(worker_ids) > 1 else ''}: "
              f"{outcome['seconds']:.1f} s, taken {outcome['taken']}{overlap}; "
              f"each job started once: {'yes' if not outcome['problems'] else 'NO'}")
        failed += outcome["problems"]  # type: ignore[arg-type]
    print(f"ratio 1 job worker / 2 (time): {float(rounds[1]['seconds']) / float(rounds[2]['seconds']):.2f}×")  # type: ignore[arg-type]
    print(f"  [end] {uptime()}")

    for line in failed:
        print("FAILED", line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
