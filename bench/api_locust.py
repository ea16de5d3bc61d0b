"""Locust's simulated staff for bench.api (issue 15): one role per run (``BENCH_ROLE``).

Run by bench.api, headless, against gunicorn on the loopback; not a test. Each simulated person
logs in for real — a knox token for the API, the login form for the pages (bench.api does the
logins before the clock starts, see ``on_start``) — then mixes the
role's lists (with their common filters), pages deep into each list by following ``next``, opens
details of rows it has seen, and opens the pages. Request names are the "kinds" bench.api
reports: ``list …``, ``deep …``, ``detail …``, ``page …``.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

from locust import FastHttpUser, constant_throughput, task

ROLE = os.environ.get("BENCH_ROLE", "admin")
#: requests per second of one simulated person (bench.api sets the number of people)
PER_USER_RATE = float(os.environ.get("BENCH_USER_RATE", "2"))
#: how deep a person pages into a list before starting again from the first page
DEEP_PAGES = int(os.environ.get("BENCH_DEEP_PAGES", "200"))

#: list kind → (path, the common filters of that list) per role; a role absent from a list
#: does not read it (its scope there is empty or it has no page for it)
API_LISTS = {
    "households": ("/api/v1/households/", ["", "region={township}"]),
    "applications": (
        "/api/v1/applications/",
        ["", "open=true", "overdue=true", "state=public_notice", "state=rejected"],
    ),
    "enrollments": ("/api/v1/enrollments/", ["", "status=active", "policy_code=dibao"]),
    "reviews": ("/api/v1/reviews/", ["", "status=open", "kind=periodic"]),
    "payroll-batches": ("/api/v1/payroll-batches/", [""]),
    "receivables": ("/api/v1/receivables/", [""]),
    "verification-requests": ("/api/v1/verification-requests/", [""]),
    "standards": ("/api/v1/standards/", [""]),
}
DETAILS = {
    "households": "/api/v1/households/{id}/",
    "applications": "/api/v1/applications/{id}/",
    "enrollments": "/api/v1/enrollments/{id}/",
    "reviews": "/api/v1/reviews/{id}/",
}
#: the pages (server-rendered) each role opens
PAGES = {
    "admin": ["/cases/", "/households/", "/dashboard/", "/oversight/overdue/"],
    "supervisor": ["/cases/", "/households/", "/dashboard/", "/oversight/overdue/"],
    "approver": ["/cases/", "/households/", "/oversight/overdue/"],
    "caseworker": ["/cases/", "/households/", "/cases/?overdue=1"],
    "village": ["/cases/", "/households/"],
    "citizen": ["/my/"],
}
#: a township of the role's scope, for ``?region=``
TOWNSHIP = {
    "admin": "371082001",
    "supervisor": "371002003",
    "approver": "371002002",
    "caseworker": "371002001",
    "village": "371002001002",
    "citizen": "371002001",
}
#: "poisson": each person's requests start at the times of a Poisson process of their rate, so
#: the role's load is the Poisson process of independent people at ``--rate``; "pacing":
#: Locust's constant_throughput, whose people fall into step after the first slow moment (the
#: listen queue then filled in bursts of 15–22 connections every half second, see
#: docs/PERFORMANCE.md)
ARRIVALS = os.environ.get("BENCH_ARRIVALS", "poisson")


def poisson_pacing(rate: float):
    """A wait_time starting a person's tasks at the arrival times of a Poisson process of
    ``rate`` per second, whatever each task took: a person who fell behind starts the next at
    once, so the mean rate stays ``rate`` (the load is offered, not waiting on the server)."""

    def wait(user) -> float:
        now = time.monotonic()
        due = getattr(user, "_next_arrival", None)
        if due is None:
            due = now + random.expovariate(rate)  # nosec B311  # load timing, not a secret
        user._next_arrival = due + random.expovariate(rate)  # nosec B311
        return max(0.0, due - now)

    return wait


LOGINS = (
    json.loads(Path(os.environ["BENCH_LOGINS"]).read_text()) if "BENCH_LOGINS" in os.environ else []
)
NEXT_LOGIN = 0


class Staff(FastHttpUser):
    """One simulated person. ``FastHttpUser`` (geventhttpclient) rather than ``HttpUser``
    (requests): the load generator shares the 2 cores with gunicorn and PostgreSQL, and the
    requests-based client spent several times the CPU per request of this one."""

    wait_time = (
        poisson_pacing(PER_USER_RATE)
        if ARRIVALS == "poisson"
        else constant_throughput(PER_USER_RATE)
    )

    def on_start(self) -> None:
        # bench.api logged in for real before the clock started (a knox token through
        # /api/v1/auth/token/, a session through the login form): a few devices per role,
        # shared by the simulated people in turn, so that the password hashing of the logins
        # is not counted among the lists
        global NEXT_LOGIN
        login = LOGINS[NEXT_LOGIN % len(LOGINS)]
        NEXT_LOGIN += 1
        self.auth = {"Authorization": f"Token {login['token']}"}
        self.cookie = {"Cookie": f"sessionid={login['sessionid']}"}
        self.seen: dict[str, list[int]] = {kind: [] for kind in DETAILS}
        self.next_url: dict[str, str | None] = {}
        self.depth: dict[str, int] = {}

    def _api(self, url: str, name: str):
        with self.client.get(url, headers=self.auth, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}: {r.text[:200]}")
                return None
            data = r.json()
            return data

    def _remember(self, kind: str, data) -> None:
        if kind in self.seen and data:
            ids = [row["id"] for row in data.get("results", [])]
            self.seen[kind] = (self.seen[kind] + ids)[-500:]

    @task(6)
    def list_first_page(self) -> None:
        kind = random.choice(list(API_LISTS))  # nosec B311  # load mix, not a secret
        path, filters = API_LISTS[kind]
        query = random.choice(filters).format(township=TOWNSHIP[ROLE])  # nosec B311
        page_size = random.choice((25, 50))  # nosec B311
        url = f"{path}?page_size={page_size}" + (f"&{query}" if query else "")
        label = f"list {kind}" + (f" ?{query.split('=')[0]}" if query else "")
        self._remember(kind, self._api(url, label))

    @task(4)
    def list_deep(self) -> None:
        """Follow ``next`` through a big list: every person walks further each time."""
        kind = random.choice(["households", "applications", "enrollments", "reviews"])  # nosec B311
        url = self.next_url.get(kind)
        if not url or self.depth.get(kind, 0) >= DEEP_PAGES:
            url, self.depth[kind] = f"{API_LISTS[kind][0]}?page_size=25", 0
        data = self._api(url, f"deep {kind}")
        self.depth[kind] = self.depth.get(kind, 0) + 1
        self._remember(kind, data)
        self.next_url[kind] = (data or {}).get("next")

    @task(4)
    def detail(self) -> None:
        kinds = [kind for kind, ids in self.seen.items() if ids]
        if not kinds:
            return self.list_first_page()
        kind = random.choice(kinds)  # nosec B311
        pk = random.choice(self.seen[kind])  # nosec B311
        self._api(DETAILS[kind].format(id=pk), f"detail {kind}")

    @task(3)
    def page(self) -> None:
        path = random.choice(PAGES[ROLE])  # nosec B311
        with self.client.get(
            path,
            name=f"page {path}",
            headers=self.cookie,
            allow_redirects=False,  # a redirect is to the login page: a failure
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.headers.get('Location', '')}")

    @task(1)
    def page_deep(self) -> None:
        """A person pages through the inbox and the household list (page numbers)."""
        if ROLE == "citizen":
            return self.page()
        path = random.choice(["/cases/", "/households/"])  # nosec B311
        number = random.choice((2, 5, 20, 100))  # nosec B311
        with self.client.get(
            f"{path}?page={number}",
            name=f"page {path}?page=N",
            headers=self.cookie,
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.headers.get('Location', '')}")
