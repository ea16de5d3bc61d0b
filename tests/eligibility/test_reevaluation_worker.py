"""A re-evaluation whose worker is killed half-way and restarted re-assesses every enrollment
exactly once (issue 5), with a real Celery worker process on the real broker."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.db.models import Count

from eligibility.models import EnrollmentAmount, Reevaluation
from eligibility.services import reevaluation
from tests.eligibility.enrollments import make_enrollments
from tests.eligibility.test_reevaluation import raise_urban
from tests.weijiuni.test_worker import database_url_of_test_db

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def start_worker(queue, settings):
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "CELERY_QUEUE": queue,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    return subprocess.Popen(  # noqa: S603
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
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )


def wait_for(predicate, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_killed_worker_restarted_assesses_every_enrollment_exactly_once(
    catalog, accounts, settings
):
    queue = f"test-reval-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    from weijiuni.celery import app

    app.conf.task_default_queue = queue
    made = make_enrollments(count=300, admin=accounts["admin"])
    run = reevaluation.reevaluation_start(standard=raise_urban(accounts["admin"]), chunk_size=1)
    total = run.chunks_total
    assert total > 100

    worker = start_worker(queue, settings)
    try:

        def some_done():
            run.refresh_from_db()
            return run.chunks_done >= 3

        assert wait_for(some_done)
        worker.send_signal(signal.SIGKILL)  # no warm shutdown: mid-chunk work is lost
        worker.wait(timeout=30)
        run.refresh_from_db()
        done_at_kill = run.chunks_done
        assert done_at_kill < total, "the worker finished before it could be killed"

        worker = start_worker(queue, settings)  # restart: it resumes the pending chunks

        def finished():
            run.refresh_from_db()
            return run.status == Reevaluation.Status.DONE

        assert wait_for(finished)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        app.conf.task_default_queue = "celery"

    rows = EnrollmentAmount.objects.filter(reevaluation=run)
    assert rows.count() == made["urban"] == run.changed
    assert not rows.values("enrollment").annotate(n=Count("id")).filter(n__gt=1).exists()
    for row in rows.select_related("enrollment", "reevaluation", "assessment")[:20]:
        assert reevaluation.reevaluation_replay(row) == row.amount == row.enrollment.monthly_amount
