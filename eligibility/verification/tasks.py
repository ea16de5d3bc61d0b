"""Celery tasks of verification: take ids, call a service, safe to run twice.

A request fans out as a chord: a group of one send per source, then ``request_sent``, which
starts the answer clock. Each send is retried with exponential backoff; a source still
unreachable is "no answer". Answers arrive on their own (the DCI callback, the inbox scan);
the report is built when the last query is final.
"""

from __future__ import annotations

import datetime as dt

from celery import chord, group, shared_task
from celery.signals import worker_ready
from django.db import transaction
from django.utils import timezone

from . import services, simulator
from .adapters import SourceUnavailable

SEND_RETRIES = 3


def enqueue_request(request_id: int) -> None:
    """Fan out once the transaction that recorded the request has committed."""
    transaction.on_commit(lambda: dispatch.delay(request_id))


@shared_task(name="verification.dispatch", acks_late=True, time_limit=60, soft_time_limit=50)
def dispatch(request_id: int) -> int:
    from .models import SourceQuery

    ids = list(
        SourceQuery.objects.filter(request_id=request_id, status=SourceQuery.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        chord(group(send.si(pk) for pk in ids), request_sent.si(request_id)).delay()
    return len(ids)


@shared_task(
    bind=True,
    name="verification.send",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=60,
    soft_time_limit=50,
    max_retries=SEND_RETRIES,
)
def send(self, query_id: int) -> str:
    try:
        return "sent" if services.query_send(query_id=query_id) else "skipped"
    except SourceUnavailable as exc:
        if self.request.retries >= SEND_RETRIES:
            services.query_give_up(query_id=query_id, error=str(exc))
            return "no_answer"
        # 0.25 s, 0.5 s, 1 s: a source that hiccups gets a moment, the report is not held up
        raise self.retry(exc=exc, countdown=0.25 * 2**self.request.retries) from exc


@shared_task(name="verification.request_sent", acks_late=True, time_limit=60, soft_time_limit=50)
def request_sent(request_id: int) -> None:
    from .models import VerificationRequest

    request = VerificationRequest.objects.get(pk=request_id)
    # the answer clock runs from the request (or the re-ask), not from the last send
    waited = (timezone.now() - request.created_at).total_seconds()
    countdown = max(services.answer_seconds(request) - waited, 0.5)
    deadline.apply_async((request_id,), countdown=countdown)


@shared_task(name="verification.deadline_later", acks_late=True, time_limit=60, soft_time_limit=50)
def deadline_later(request_id: int) -> None:
    """After a re-ask, the sources get the full answer time again."""
    from .models import VerificationRequest

    request = VerificationRequest.objects.get(pk=request_id)
    deadline.apply_async((request_id,), countdown=services.answer_seconds(request))


@shared_task(name="verification.deadline", acks_late=True, time_limit=60, soft_time_limit=50)
def deadline(request_id: int) -> list[int]:
    again, later = services.request_deadline(request_id=request_id)
    if again:
        chord(group(send.si(pk) for pk in again), deadline_later.si(request_id)).delay()
    elif later is not None:
        deadline.apply_async((request_id,), countdown=later + 0.1)
    return again


@shared_task(name="verification.report_build", acks_late=True, time_limit=120, soft_time_limit=110)
def report_build(request_id: int) -> int | None:
    report = services.report_build(request_id=request_id)
    return report.pk if report else None


@shared_task(name="verification.inbox_scan", acks_late=True, time_limit=300, soft_time_limit=290)
def inbox_scan() -> list[int]:
    return services.inbox_scan()


@shared_task(name="verification.resume", acks_late=True, time_limit=120, soft_time_limit=110)
def resume(min_age_seconds: int = 0) -> int:
    """Requests still running (a worker was killed mid-way, a message was lost): ask the
    sources still open again, or build the report when all have answered. Safe to repeat:
    answers are stored once, the report is built once."""
    from .models import SourceQuery, VerificationRequest

    since = timezone.now() - dt.timedelta(seconds=min_age_seconds)
    running = VerificationRequest.objects.filter(
        status=VerificationRequest.Status.RUNNING, created_at__lte=since
    )
    for request_id in running.order_by("pk").values_list("pk", flat=True):
        open_ids = list(
            SourceQuery.objects.filter(
                request_id=request_id,
                status__in=[SourceQuery.Status.PENDING, SourceQuery.Status.SENT],
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if open_ids:
            chord(group(send.si(pk) for pk in open_ids), request_sent.si(request_id)).delay()
        else:
            report_build.delay(request_id)
    inbox_scan.delay()
    return running.count()


@worker_ready.connect
def _resume_on_start(sender=None, **kwargs):
    """A worker that starts (or restarts after being killed) finishes unfinished requests."""
    resume.delay()


# --- the demo's simulated sources ---------------------------------------------------------


@shared_task(
    name="verification.simulated_file_answer", acks_late=True, time_limit=60, soft_time_limit=50
)
def simulated_file_answer(query_id: int) -> None:
    if simulator.file_answer(query_id):
        inbox_scan.delay()


@shared_task(
    bind=True,
    name="verification.simulated_dci_reply",
    acks_late=True,
    time_limit=60,
    soft_time_limit=50,
    max_retries=3,
)
def simulated_dci_reply(self, source_code: str, transaction_id: str, id_numbers: list[str]):
    try:
        return simulator.dci_reply(source_code, transaction_id, id_numbers)
    except Exception as exc:  # the platform's callback was not reachable: try again
        raise self.retry(exc=exc, countdown=0.25 * 2**self.request.retries) from exc


# --- bulk re-verification (年度复核核对) ------------------------------------------------------


@shared_task(name="verification.bulk_send", acks_late=True, time_limit=1800, soft_time_limit=1790)
def bulk_send(run_id: int) -> int:
    from . import bulk

    sent = bulk.bulk_send(run_id=run_id)
    bulk.simulated_bulk_answers(run_id=run_id)  # only the demo's simulated sources answer here
    bulk_collect.delay(run_id)
    return sent


@shared_task(
    name="verification.bulk_collect", acks_late=True, time_limit=3600, soft_time_limit=3590
)
def bulk_collect(run_id: int) -> str:
    """Match once every file source has answered, or once the wait is over (the sources that
    have not answered are then left out and the run says how many files it loaded)."""
    from django.conf import settings

    from . import bulk
    from .models import BulkVerification

    run = BulkVerification.objects.get(pk=run_id)
    if run.status == BulkVerification.Status.DONE:
        return "done"
    waited = (timezone.now() - run.created_at).total_seconds()
    if (
        len(bulk._result_files(run_id)) < run.files_total
        and waited < settings.VERIFICATION_BULK_WAIT_SECONDS
    ):
        bulk_collect.apply_async((run_id,), countdown=60)
        return "waiting"
    bulk.bulk_match(run_id=run_id)
    return "done"
