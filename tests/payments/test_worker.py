"""Payroll generation whose worker is killed half-way and restarted (issue 9): the same lines,
no duplicates, no gaps — a real Celery worker process on the real broker, SIGKILLed."""

import signal
import uuid

import pytest
from django.db.models import Count

from eligibility.models import Enrollment
from eligibility.selectors import amounts_due
from eligibility.services.enrollments import this_month
from payments.models import Batch, Line
from payments.services import batches
from tests.eligibility.enrollments import make_enrollments
from tests.eligibility.test_reevaluation_worker import start_worker, wait_for
from tests.payments.conftest import county, with_accounts

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_killed_worker_restarted_generates_every_line_exactly_once(
    catalog, accounts, approvers, settings
):
    queue = f"test-payroll-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    from weijiuni.celery import app

    app.conf.task_default_queue = queue
    make_enrollments(count=400, admin=accounts["admin"])
    with_accounts()
    month = this_month()
    batch = batches.batch_start(county=county(), month=month, user=approvers[0], chunk_size=1)
    total = batch.chunks_total
    assert total >= 200

    worker = start_worker(queue, settings)
    try:

        def some_done():
            batch.refresh_from_db()
            return batch.chunks_done >= 3

        assert wait_for(some_done)
        worker.send_signal(signal.SIGKILL)  # mid-chunk work is lost with its transaction
        worker.wait(timeout=30)
        batch.refresh_from_db()
        assert batch.chunks_done < total, "the worker finished before it could be killed"
        assert batch.state == Batch.State.GENERATING

        worker = start_worker(queue, settings)  # resumes the chunks still to do

        def finished():
            batch.refresh_from_db()
            return batch.state == Batch.State.DRAFT

        assert wait_for(finished, timeout=180)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        app.conf.task_default_queue = "celery"

    ids = list(
        Enrollment.objects.filter(household__village__path__startswith=county().path).values_list(
            "pk", flat=True
        )
    )
    due = amounts_due(month=month, enrollment_ids=ids)
    lines = Line.objects.filter(batch=batch)
    assert dict(lines.values_list("enrollment_id", "amount")) == due  # no gap
    assert not lines.values("enrollment").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert batch.line_count == len(due) == 200
