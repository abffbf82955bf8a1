"""The load of bench/bench_serving.py (locust, `pip install -e '.[bench]'`): each simulated user is the demo's 担当,
logged in, and opens, without pausing, ホーム, 案件一覧, a case's page and the site's stylesheet, in the proportions
2 : 2 : 2 : 1.

Read from the environment: ``BENCH_SESSIONS`` (session keys of the demo's 担当, comma-separated, one per user: the
bench logs them in beforehand, so that the password hashing of a login — half a second by design — is not what is
measured), ``BENCH_CASES`` (case ids, comma-separated, each user takes one), ``BENCH_RECORD`` (a file: at the end,
one JSON line per request — name, start time (s since the epoch), response time (ms), failed — which the bench
reads, so that it can leave out the warm-up and compute its own percentiles).
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, events, task

RECORDS: list[tuple[str, float, float, bool]] = []
STYLESHEET = re.compile(r'href="(/static/css/site[^"]*\.css)"')
USERS = itertools.count()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response, context, exception, start_time=None,
            **kwargs):  # type: ignore[no-untyped-def]
    if name != "start":
        RECORDS.append((name, start_time or 0.0, response_time, exception is not None))


@events.quitting.add_listener
def _write(environment, **kwargs):  # type: ignore[no-untyped-def]
    with open(os.environ["BENCH_RECORD"], "w") as out:
        for name, start, ms, failed in RECORDS:
            out.write(json.dumps({"name": name, "start": start, "ms": ms, "failed": failed}) + "\n")


class Staff(HttpUser):
    wait_time = staticmethod(lambda: 0)  # a closed loop: the next request as soon as the answer has come

    def on_start(self) -> None:
        sessions = os.environ["BENCH_SESSIONS"].split(",")
        self.client.cookies.set("sessionid", sessions[next(USERS) % len(sessions)])
        home = self.client.get("/", name="start")
        assert "/login/" not in home.url, "the session was not accepted"
        found = STYLESHEET.search(home.text)
        assert found, "no stylesheet link on ホーム"
        self.stylesheet = found.group(1)
        self.case = random.choice(os.environ["BENCH_CASES"].split(","))

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="ホーム")

    @task(2)
    def case_list(self) -> None:
        self.client.get("/cases/", name="案件一覧")

    @task(2)
    def case_page(self) -> None:
        self.client.get(f"/cases/{self.case}/", name="案件")

    @task(1)
    def stylesheet_file(self) -> None:
        self.client.get(self.stylesheet, name="静的ファイル")
