"""Shared set-up for benchmarks: a PostgreSQL database of their own, Django configured.

``DATABASE_URL`` as for the tests (else 127.0.0.1:5432 when it answers, else the embedded
server); the benchmark database is that server's ``weijiuni_bench`` (or ``BENCH_DATABASE``),
created and migrated here.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit, urlunsplit

#: the benchmark database; BENCH_DATABASE names another (two benchmarks on one server)
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "weijiuni_bench")


def _bench_url() -> str:
    from weijiuni import embedded

    url = os.environ.get("DATABASE_URL")
    if not url:
        url = (
            "postgres://postgres@127.0.0.1:5432/postgres"
            if embedded._tcp_answers("127.0.0.1", 5432)
            else embedded.database_url()
        )
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))


def setup(*, fresh: bool = True) -> None:
    """Point Django at the benchmark database, (re)create it, migrate it."""
    url = _bench_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weijiuni.settings")
    import psycopg2
    from psycopg2 import sql

    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    import environ

    cfg = environ.Env.db_url_config(admin_url)
    conn = psycopg2.connect(
        dbname=cfg["NAME"],
        user=cfg["USER"],
        host=unquote(cfg["HOST"]) or None,
        port=cfg["PORT"] or None,
        password=cfg["PASSWORD"] or None,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE])
        exists = cur.fetchone() is not None
        if exists and fresh:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [BENCH_DATABASE],
            )
            cur.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(BENCH_DATABASE)))
            exists = False
        if not exists:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DATABASE)))
    conn.close()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timed():
    box = {}
    start = time.perf_counter()
    yield box
    box["seconds"] = time.perf_counter() - start


def closing_line(name: str, households: int, seconds: float, bound: float) -> str:
    """The one closing line ARCHITECTURE.md's Benchmarks section defines."""
    ratio = seconds / bound if bound > 0 else float("inf")
    line = (
        f"{name} households={households} seconds={seconds:.3f} bound_seconds={bound:.3f} "
        f"ratio={ratio:.2f} peak_mb={peak_mb():.1f}"
    )
    sys.stdout.flush()
    return line
