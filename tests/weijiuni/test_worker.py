"""A real Celery worker process, on the real broker and the test database."""

import os
import subprocess
import sys
import uuid
from urllib.parse import quote

import pytest
from django.db import connection

from weijiuni.tasks import ping


def database_url_of_test_db() -> str:
    s = connection.settings_dict
    host = quote(s["HOST"] or "localhost", safe="")
    port = f":{s['PORT']}" if s.get("PORT") else ""
    user = quote(s["USER"] or "postgres")
    return f"postgres://{user}@{host}{port}/{s['NAME']}"


@pytest.fixture
def worker(transactional_db, settings):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "weijiuni",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        env=env,
    )
    yield queue
    proc.terminate()
    proc.wait(timeout=30)


@pytest.mark.worker
def test_task_runs_in_a_real_worker_against_the_test_database(worker, regions):
    from applicants.models import Region

    result = ping.apply_async(queue=worker)
    assert result.get(timeout=60) == {"pong": True, "regions": Region.objects.count()}
