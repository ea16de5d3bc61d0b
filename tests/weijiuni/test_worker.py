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


@pytest.mark.worker
def test_a_finished_batch_job_rebuilds_the_dashboard_in_a_real_worker(worker, regions, monkeypatch):
    """The hook a payroll, a reconciliation or a re-evaluation calls: nothing is sent before
    the commit; after it, a real worker rebuilds the summaries from the tables."""
    import time

    from celery import current_app
    from django.db import transaction

    from applicants.models import Household, Region
    from applicants.tasks import enqueue_summaries_rebuild
    from weijiuni.models import SummaryBuild, SummaryRow

    monkeypatch.setitem(current_app.conf, "task_default_queue", worker)
    Household.objects.create(village=Region.objects.get(code="371002001001"))
    with transaction.atomic():
        enqueue_summaries_rebuild("test")
        time.sleep(1)
        assert not SummaryBuild.objects.exists()  # not sent before the commit
    deadline = time.monotonic() + 120  # a worker starting on a loaded machine
    while not SummaryBuild.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    build = SummaryBuild.objects.get()
    assert build.reason == "test"
    assert sum(SummaryRow.objects.filter(metric="households").values_list("n", flat=True)) == 1


def test_beat_rebuilds_the_dashboard_every_night():
    from weijiuni.celery import app

    entry = app.conf.beat_schedule["dashboard-summaries-nightly"]
    assert entry["task"] == "weijiuni.summaries_rebuild"
    assert entry["task"] in app.tasks
