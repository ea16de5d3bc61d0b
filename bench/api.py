"""Every list and page at a city's scale (issue 15): gunicorn as in production, Locust's load.

    python -m bench.api [--households 1000000] [--rate 50] [--seconds 60] [--reuse]

Generates ``--households`` households (≈ 2.5 members each) spread over the demo's townships as a
city is (a few large street offices, most townships a few percent of the city): 70 % enrolled
through the re-evaluation benchmark's generator (application, frozen assessment, decision,
enrollment), with the amount ledger and a year of reviews; the rest with an application in every
other state of SPEC §6 (open ones with time limits, some overdue). ``--reuse`` keeps a database
already generated with as many households (it is migrated, so new migrations and their backfills
run on a million rows).

Then it starts gunicorn as the Procfile does (2 workers, timeout 60) on a loopback port and runs
Locust headless against it, one phase per role (``--seconds`` each, ``--rate`` requests per
second in total): every list of ``/api/v1/`` with its common filters and pages deep into the
list (following ``next``), every detail, and the pages (inbox, households, dashboard, overdue)
with a session. Each simulated person logs in for real: a knox token (``/api/v1/auth/token/``)
and a session (the login form). It prints p50/p95/max and errors per request kind, and closes
with ``api households=N seconds=<worst list p95> bound_seconds=<p95 of the plain SQL of that
list's page> ratio=… peak_mb=<largest gunicorn worker>``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import common

#: township code → share of the city's households (percent): the street offices (街道) of the
#: county seats are large, the rural towns small; 环翠区 (the approver's) holds a quarter
TOWNSHIP_WEIGHTS = {
    "371002001": 5,
    "371002002": 6,
    "371002003": 14,
    "371003001": 9,
    "371003002": 3,
    "371003003": 3,
    "371082001": 10,
    "371082002": 4,
    "371082003": 3,
    "371083001": 9,
    "371083002": 4,
    "371083003": 3,
    "371091001": 7,
    "371091002": 3,
    "371092001": 6,
    "371092002": 3,
    "371093001": 4,
    "371093002": 4,
}
ENROLLED_SHARE = 0.7
#: the states of the households not enrolled, in turn (SPEC §6; 已批准 lasts no longer than
#: the transaction that enrolls)
OTHER_STATES = [
    "draft",
    "submitted",
    "accepted",
    "verifying",
    "surveyed",
    "proposed",
    "public_notice",
    "returned",
    "rejected",
    "withdrawn",
    "terminated",
]
ROLES = ["admin", "supervisor", "approver", "caseworker", "village", "citizen"]


def village_slots() -> list[int]:
    """1,000 village ids, each village as often as its share of the city, shuffled (new
    households arrive from everywhere, so ids interleave the regions)."""
    from applicants.models import Region

    slots: list[int] = []
    for code, weight in TOWNSHIP_WEIGHTS.items():
        villages = list(
            Region.objects.filter(parent__code=code).order_by("code").values_list("pk", flat=True)
        )
        # the seat (the first village or community) twice the others
        shares = [2] + [1] * (len(villages) - 1)
        total = sum(shares)
        for village, share in zip(villages, shares, strict=True):
            slots += [village] * max(1, round(10 * weight * share / total))
    random.Random(15).shuffle(slots)  # nosec B311  # reproducible benchmark data
    return slots


def generate(households: int, *, vacuum: bool = True) -> None:
    """The city: enrolled households by bench.reevaluate's generator, the rest set-based
    (``vacuum=False``: ANALYZE only, inside a test's transaction — tests/weijiuni/
    test_list_performance.py EXPLAINs every list over 100,000 households made here)."""
    from django.db import connection
    from django.utils import timezone

    from applicants import demo
    from applicants.models import User
    from bench import inbox, reevaluate

    demo.seed_regions()
    slots = village_slots()
    enrolled = int(households * ENROLLED_SHARE)
    reevaluate.generate(enrolled, villages=slots, vacuum=False)
    creator = User.objects.get(username="caseworker").pk
    approver = User.objects.get(username="approver").pk
    today = timezone.localdate()
    params = {
        "slots": slots,
        "ns": len(slots),
        "n": households - enrolled,
        "states": OTHER_STATES,
        "nstates": len(OTHER_STATES),
        "creator": creator,
        "approver": approver,
        "today": today,
        "s": inbox.SURNAMES,
        "nsur": len(inbox.SURNAMES),
        "g": inbox.GIVEN,
        "ng": len(inbox.GIVEN),
    }
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no history triggers here
        cursor.execute("SELECT coalesce(max(id), 0) FROM applicants_household")
        params["before"] = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO applicants_household (id, village_id, address, income_unstable,
                                              created_at, updated_at)
            SELECT %(before)s + i, (%(slots)s::bigint[])[1 + (%(before)s + i) %% %(ns)s],
                   'bench', false, now() - (i %% 700) * interval '1 day', now()
            FROM generate_series(1, %(n)s) i
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO applicants_application (household_id, village_id, requested, state,
                channel, data, special, close_relative, county_visit_done, missing_items,
                created_by_id, created_at, submitted_at, due_on, due_for, case_due_on,
                notice_closes_on, decided_at)
            SELECT h.id, h.village_id, 'dibao', st.state, 'window', '{}'::jsonb, false, false,
                   false, '[]'::jsonb, %(creator)s, h.created_at,
                   CASE WHEN st.state <> 'draft' THEN h.created_at END,
                   CASE WHEN st.open THEN %(today)s::date + ((h.id * 7) %% 31 - 6)::int END,
                   CASE WHEN st.open THEN 'survey' ELSE '' END,
                   CASE WHEN st.open THEN %(today)s::date + ((h.id * 11) %% 46 - 3)::int END,
                   CASE WHEN st.state = 'public_notice'
                        THEN %(today)s::date + (h.id %% 9 - 4)::int END,
                   CASE WHEN st.state IN ('rejected', 'terminated') THEN h.created_at END
            FROM applicants_household h
            CROSS JOIN LATERAL (
                SELECT (%(states)s::text[])[1 + h.id %% %(nstates)s] AS state
            ) s0
            CROSS JOIN LATERAL (
                SELECT s0.state AS state, s0.state IN ('submitted', 'accepted', 'verifying',
                       'surveyed', 'proposed', 'public_notice') AS open
            ) st
            WHERE h.id > %(before)s
            """,
            params,
        )
        # members: 1–4 per household (2.5 on average), the first the applicant
        cursor.execute(
            """
            INSERT INTO applicants_person (household_id, relation, name, id_number, birth_date,
                sex, phone, disability_type, serious_illness, self_care, labour_capacity,
                in_school, parent_situations, care_arrangement, monthly_income, status,
                status_reason, bank_name, bank_account)
            SELECT h.id, (ARRAY['applicant', 'spouse', 'child', 'parent'])[k],
                   (%(s)s::text[])[1 + (h.id + k) %% %(nsur)s]
                   || (%(g)s::text[])[1 + (h.id / %(nsur)s) %% %(ng)s]
                   || (%(g)s::text[])[1 + (h.id * k / 7) %% %(ng)s],
                   '3710' || lpad(h.id::text, 9, '0') || k::text || '0000',
                   date '1940-01-01' + ((h.id * 31 + k * 3650) %% 29000)::int,
                   CASE WHEN (h.id + k) %% 2 = 0 THEN 'M' ELSE 'F' END,
                   '', '', false, 'full', 'full', false, '[]'::jsonb, '',
                   ((h.id * k) %% 4) * 100, 'living', '', '', ''
            FROM applicants_household h
            CROSS JOIN LATERAL generate_series(1, 1 + (h.id * 7) %% 4) k
            """,
            params,
        )
        # the amount ledger: the first amount of every enrollment, a later change for a fifth
        cursor.execute(
            """
            INSERT INTO eligibility_enrollmentamount (enrollment_id, amount, previous_amount,
                effective_month, reason, assessment_id, created_at)
            SELECT e.id, e.monthly_amount, NULL, e.start_month, '审批纳入保障', e.assessment_id,
                   e.created_at
            FROM eligibility_enrollment e
            UNION ALL
            SELECT e.id, e.monthly_amount, e.monthly_amount, date '2021-07-01', '调整保障标准',
                   e.assessment_id, e.created_at + interval '200 days'
            FROM eligibility_enrollment e WHERE e.id %% 5 = 0
            """,
            params,
        )
        # a year of reviews: every enrolled household's periodic review, most closed; changes
        cursor.execute(
            """
            INSERT INTO eligibility_review (household_id, kind, status, due_on, reported_change,
                outcome, reasons, created_at, closed_at, confirm_reasons, opened_by_id,
                closed_by_id, village_id)
            SELECT e.household_id, 'periodic',
                   CASE WHEN e.id %% 7 = 0 THEN 'open' ELSE 'closed' END,
                   %(today)s::date - 330 + (e.id %% 365)::int, '',
                   CASE WHEN e.id %% 7 = 0 THEN '' ELSE 'keep' END,
                   CASE WHEN e.id %% 7 = 0 THEN '' ELSE '家庭情况无变化，维持' END,
                   now() - interval '1 year',
                   CASE WHEN e.id %% 7 = 0 THEN NULL ELSE now() - (e.id %% 300) * interval '1 day'
                   END,
                   '', %(creator)s, CASE WHEN e.id %% 7 = 0 THEN NULL ELSE %(creator)s END,
                   e.village_id
            FROM eligibility_enrollment e
            UNION ALL
            SELECT e.household_id, 'change', 'open', %(today)s::date + (e.id %% 20)::int,
                   '家庭成员就业，收入增加', '', '', now(), NULL, '', %(creator)s, NULL,
                   e.village_id
            FROM eligibility_enrollment e WHERE e.id %% 31 = 0
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO applicants_applicationtransition (application_id, action, source,
                target, at, reason, by_id)
            SELECT a.id, 'submit', 'draft', 'submitted', a.created_at, '', a.created_by_id
            FROM applicants_application a WHERE a.state <> 'draft'
            UNION ALL
            SELECT a.id, 'approve', 'public_notice', 'approved', a.created_at, '符合条件',
                   %(approver)s
            FROM applicants_application a WHERE a.state = 'enrolled'
            """,
            params,
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in ("applicants_household", "applicants_person", "applicants_application"):
            cursor.execute(
                # the table names are the literals above, not input
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608
                f"(SELECT max(id) FROM {table}))"
            )
    demo.seed_accounts()
    _link_citizen()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def _link_citizen() -> None:
    """The demo citizen is the applicant of a household of 张村镇东村 (the village assistant's)."""
    from applicants.models import Person, User

    citizen = User.objects.get(username="citizen")
    applicant = (
        Person.objects.filter(
            relation="applicant", household__village__code="371002001002", user__isnull=True
        )
        .order_by("household_id")
        .first()
    )
    if applicant is not None and not Person.objects.filter(user=citizen).exists():
        applicant.user = citizen
        applicant.save(update_fields=["user"])


def generated_households() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass('applicants_household') IS NOT NULL AND "
            "EXISTS (SELECT 1 FROM applicants_household WHERE address = 'bench')"
        )
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT count(*) FROM applicants_household")
        return cursor.fetchone()[0]


# --- the load ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env() -> dict[str, str]:
    """Production settings, less what a loopback load needs changed (and says so here): plain
    http (the proxy's TLS is not measured), no second factor (a login step, not a list), and
    throttles above the load (one account stands for many people of a role)."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "OTP_REQUIRED_ROLES": "none",
        "THROTTLE_USER": "1000000/minute",
        "THROTTLE_LOGIN": "100000/minute",
        "THROTTLE_ANON": "100000/minute",
    }


def start_gunicorn(port: int, workers: int, threads: int = 1) -> subprocess.Popen:
    """As the Procfile: gunicorn weijiuni.wsgi, N workers, timeout 60 (no access log)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(  # noqa: S603  # nosec B603  # our own server, fixed argv
        [
            str(gunicorn),
            "weijiuni.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "60",
            *(
                # BENCH_ACCESS_LOG=path: each request's time inside the worker (µs), to tell
                # the time a request is served from the time it waits for a free worker
                [
                    "--access-logfile",
                    os.environ["BENCH_ACCESS_LOG"],
                    "--access-logformat",
                    "%(m)s %(U)s %(s)s %(D)s",
                ]
                if os.environ.get("BENCH_ACCESS_LOG")
                else []
            ),
        ],
        env=server_env(),
        stdout=subprocess.DEVNULL,
        stderr=open(Path(tempfile.gettempdir()) / f"bench-api-gunicorn-{port}.log", "w"),  # noqa: SIM115
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start")


class MemoryWatch(threading.Thread):
    """The largest resident size of gunicorn's processes while the load runs (MB)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()

    def run(self) -> None:
        import psutil

        parent = psutil.Process(self.pid)
        while not self.stop.is_set():
            try:
                for p in [parent, *parent.children()]:
                    self.peak = max(self.peak, p.memory_info().rss / 2**20)
            except psutil.Error:
                pass
            self.stop.wait(0.5)


def logins(*, role: str, port: int, devices: int, out: Path) -> Path:
    """Real logins of ``role`` on the running server: a knox token (POST /api/v1/auth/token/)
    and a session (the login form, with its CSRF token), ``devices`` of each."""
    import re

    import requests

    from applicants.demo import DEMO_PASSWORD

    base = f"http://127.0.0.1:{port}"
    found = []
    for _ in range(devices):
        token = requests.post(
            f"{base}/api/v1/auth/token/",
            json={"username": role, "password": DEMO_PASSWORD},
            timeout=60,
        )
        token.raise_for_status()
        browser = requests.Session()
        form = browser.get(f"{base}/accounts/login/", timeout=60)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        done = browser.post(
            f"{base}/accounts/login/",
            data={
                "username": role,
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": csrf.group(1) if csrf else "",
            },
            headers={"Referer": f"{base}/accounts/login/"},
            timeout=60,
        )
        if "sessionid" not in browser.cookies or "/accounts/login/" in done.url:
            raise SystemExit(f"{role}: the login form did not log in ({done.status_code})")
        found.append({"token": token.json()["token"], "sessionid": browser.cookies["sessionid"]})
    path = out / f"{role}-logins.json"
    path.write_text(json.dumps(found))
    return path


def run_locust(
    *,
    role: str,
    port: int,
    rate: float,
    seconds: int,
    out: Path,
    per_person: float = 2.0,
    arrivals: str = "poisson",
) -> Path:
    """One phase: ``rate`` requests/s from simulated people of ``role`` for ``seconds``, each
    person making ``per_person`` requests a second."""
    users = max(1, round(rate / per_person))
    prefix = out / role
    env = {
        **os.environ,
        "BENCH_ROLE": role,
        "BENCH_LOGINS": str(logins(role=role, port=port, devices=4, out=out)),
        "BENCH_USER_RATE": f"{rate / users:.3f}",
        "BENCH_ARRIVALS": arrivals,
    }
    subprocess.run(  # noqa: S603  # nosec B603  # Locust from our venv, fixed argv
        [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(Path(__file__).with_name("api_locust.py")),
            "--headless",
            "--host",
            f"http://127.0.0.1:{port}",  # loopback only
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 2)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        check=False,
        timeout=seconds + 120,
        stdout=subprocess.DEVNULL,
    )
    return Path(f"{prefix}_stats.csv")


# --- where the CPU went during a phase (Linux /proc) ------------------------------------------


def _proc_cpu(pid: int, *, reaped: bool = False) -> float:
    """CPU seconds of a process (user + system; with ``reaped``, of its waited-for children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _machine_cpu() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK"), idle / os.sysconf("SC_CLK_TCK")


class CpuSplit:
    """CPU seconds of a phase: gunicorn (master and workers), Locust, and the rest of the
    machine (PostgreSQL above all), read from /proc before and after."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid

    def _gunicorn(self) -> float:
        workers = _children(self.server_pid)
        return _proc_cpu(self.server_pid) + sum(_proc_cpu(w) for w in workers)

    def __enter__(self):
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.start = (self._gunicorn(), children, _machine_cpu())
        return self

    def __exit__(self, *exc) -> None:
        gunicorn, before, (busy, idle) = self._gunicorn(), self.start[1], _machine_cpu()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.gunicorn = gunicorn - self.start[0]
        self.locust = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        self.busy = busy - self.start[2][0]
        self.idle = idle - self.start[2][1]
        self.rest = max(0.0, self.busy - self.gunicorn - self.locust)


def read_stats(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return [row for row in csv.DictReader(f) if row["Name"] != "Aggregated"]


# --- the bound: the plain SQL of a list's page ---------------------------------------------

BOUND_SQL = {
    "households": """
        SELECT h.id, h.village_id, h.address, h.created_at, v.code, v.name, t.code, t.name
        FROM applicants_household h
        JOIN applicants_region v ON v.id = h.village_id
        JOIN applicants_region t ON t.id = v.parent_id
        WHERE v.path LIKE %(path)s ORDER BY h.id DESC LIMIT 26
    """,
    "applications": """
        SELECT a.* FROM applicants_application a
        JOIN applicants_region v ON v.id = a.village_id
        WHERE v.path LIKE %(path)s ORDER BY a.due_on, a.id DESC LIMIT 26
    """,
    "enrollments": """
        SELECT e.* FROM eligibility_enrollment e
        JOIN applicants_household h ON h.id = e.household_id
        JOIN applicants_region v ON v.id = h.village_id
        WHERE v.path LIKE %(path)s ORDER BY e.id DESC LIMIT 26
    """,
    "reviews": """
        SELECT r.* FROM eligibility_review r
        JOIN applicants_household h ON h.id = r.household_id
        JOIN applicants_region v ON v.id = h.village_id
        WHERE v.path LIKE %(path)s ORDER BY r.due_on, r.id LIMIT 26
    """,
}


def bound_p95(kind: str, role: str, samples: int = 200) -> float:
    from django.db import connection

    from applicants.models import User

    sql = BOUND_SQL.get(kind.split()[1] if " " in kind else kind, BOUND_SQL["households"])
    user = User.objects.select_related("region").get(username=role)
    path = (user.region.path if user.region_id else "") + "%"
    times = []
    with connection.cursor() as cursor:
        for _ in range(samples):
            start = time.perf_counter()
            cursor.execute(sql, {"path": path})
            cursor.fetchall()
            times.append(time.perf_counter() - start)
    return statistics.quantiles(times, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=50, help="requests per second")
    parser.add_argument("--seconds", type=int, default=60, help="per role")
    parser.add_argument(
        "--arrivals",
        choices=["poisson", "pacing"],
        default="poisson",
        help="request start times: a Poisson process at --rate (independent people), or "
        "Locust's constant_throughput per person (falls into step: bursts)",
    )
    parser.add_argument(
        "--per-person",
        type=float,
        default=2.0,
        help="requests a second of one simulated person (the number of people is rate / this)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database if it has these households"
    )
    parser.add_argument("--generate-only", action="store_true", help="make the data, no load")
    args = parser.parse_args()
    common.setup(fresh=False)
    have = generated_households()
    if not (args.reuse and have == args.households):
        from django.db import connections

        connections.close_all()  # the fresh database's set-up ends every session on it
        common.setup(fresh=True)
        start = time.perf_counter()
        generate(args.households)
        print(f"api generated households={args.households} in {time.perf_counter() - start:.1f}s")
    else:
        print(f"api reusing households={have}")
    if args.generate_only:
        return
    from django.db import connection

    connection.close()
    port = _free_port()
    server = start_gunicorn(port, args.workers, args.threads)
    watch = MemoryWatch(server.pid)
    watch.start()
    results: dict[str, list[dict]] = {}
    cpus: dict[str, CpuSplit] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for role in args.roles.split(","):
                with CpuSplit(server.pid) as cpu:
                    stats = run_locust(
                        role=role,
                        port=port,
                        rate=args.rate,
                        seconds=args.seconds,
                        out=Path(tmp),
                        per_person=args.per_person,
                        arrivals=args.arrivals,
                    )
                results[role] = read_stats(stats)
                cpus[role] = cpu
    finally:
        watch.stop.set()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    worst: tuple[float, str, str] = (0.0, "", "")
    failed = 0
    targets = {"list": 300, "deep": 300, "detail": 100, "page": 300}
    misses = []
    print(f"{'role':<11} {'kind':<34} {'n':>6} {'err':>4} {'p50':>6} {'p95':>6} {'max':>6}")
    for role, rows in results.items():
        for row in rows:
            name, n, errors = row["Name"], int(row["Request Count"]), int(row["Failure Count"])
            p50, p95, top = (float(row[k] or 0) for k in ("50%", "95%", "Max Response Time"))
            print(f"{role:<11} {name:<34} {n:>6} {errors:>4} {p50:>6.0f} {p95:>6.0f} {top:>6.0f}")
            kind = name.split()[0]
            if kind == "login":
                continue
            failed += errors
            if p95 > targets[kind]:
                misses.append(f"{role} {name} p95 {p95:.0f} ms > {targets[kind]} ms")
            if kind in ("list", "deep") and p95 / 1000 > worst[0]:
                worst = (p95 / 1000, role, name)
    for role, rows in results.items():
        done = sum(int(r["Request Count"]) for r in rows if not r["Name"].startswith("login"))
        # below --rate: the server could not keep up, and every latency above includes queueing
        print(f"api role={role} requests={done} achieved_per_second={done / args.seconds:.1f}")
        cpu = cpus[role]  # the phase includes its logins (a few password hashes)
        print(
            f"api role={role} cpu_seconds gunicorn={cpu.gunicorn:.1f} locust={cpu.locust:.1f}"
            f" rest={cpu.rest:.1f} idle={cpu.idle:.1f}"
            f" gunicorn_ms_per_request={1000 * cpu.gunicorn / max(done, 1):.1f}"
        )
    print(f"api errors={failed} worst_list={worst[1]} {worst[2]!r} p95_ms={worst[0] * 1000:.0f}")
    for miss in misses:
        print(f"api target missed: {miss}")
    bound = bound_p95(worst[2], worst[1]) if worst[1] else 0.0
    line = common.closing_line("api", args.households, worst[0], bound)
    # peak_mb: the largest gunicorn process (the server is what the load measures)
    print(line.rsplit("peak_mb=", 1)[0] + f"peak_mb={watch.peak:.1f}")


if __name__ == "__main__":
    main()
