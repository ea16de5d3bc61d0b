"""Celery tasks of verification: take ids, call a service, safe to run twice.

A request fans out as a chord: a group of a few batch sends (per adapter kind, each calling its
sources concurrently), then ``request_sent``, which starts the answer clock. A source that
could not be reached is retried with exponential backoff; still unreachable, it is "no
answer". Answers arrive on their own (the DCI callback, the inbox scan); the report is built
when the last query is final.
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
#: a request younger than this whose queries are unsent is being dispatched, not lost
RESUME_GRACE_SECONDS = 10


def enqueue_request(request_id: int) -> None:
    """Fan out once the transaction that recorded the request has committed: the batches are
    queued from here (no extra hop through a dispatch task before the first source is asked)."""
    transaction.on_commit(lambda: dispatch(request_id))


def batches(query_ids: list[int], adapters: dict[int, str]) -> list[list[int]]:
    """The queries split per adapter kind (files, HTTP) into batches of at most
    ``VERIFICATION_SEND_BATCH``: a few tasks for a request, not one per source."""
    from django.conf import settings

    size = max(1, settings.VERIFICATION_SEND_BATCH)
    out: list[list[int]] = []
    for kind in sorted(set(adapters.values())):
        ids = [pk for pk in query_ids if adapters.get(pk) == kind]
        out += [ids[i : i + size] for i in range(0, len(ids), size)]
    return out


def fan_out(query_ids: list[int], then) -> None:
    """Send the queries in batches as a chord; ``then`` runs once every batch is sent (or
    given up)."""
    from .models import SourceQuery

    adapters = dict(
        SourceQuery.objects.filter(pk__in=query_ids).values_list("pk", "source__adapter")
    )
    chord(group(send_batch.si(ids) for ids in batches(query_ids, adapters)), then).delay()


@shared_task(name="verification.dispatch", acks_late=True, time_limit=60, soft_time_limit=50)
def dispatch(request_id: int) -> int:
    from .models import SourceQuery

    ids = list(
        SourceQuery.objects.filter(request_id=request_id, status=SourceQuery.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        fan_out(ids, request_sent.si(request_id))
    return len(ids)


def _backoff(retries: int) -> float:
    # 0.25 s, 0.5 s, 1 s: a source that hiccups gets a moment, the report is not held up
    return 0.25 * 2**retries


@shared_task(
    bind=True,
    name="verification.send_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=120,
    soft_time_limit=110,
    max_retries=SEND_RETRIES,
)
def send_batch(self, query_ids: list[int]) -> dict:
    """Send a batch of queries, each source concurrently. The sources that could not be
    reached are retried — only they — with backoff; still unreachable, they are "no answer"."""
    sent, failed = services.queries_send(query_ids=query_ids)
    if failed and self.request.retries < SEND_RETRIES:
        raise self.retry(args=(sorted(failed),), countdown=_backoff(self.request.retries))
    for query_id, error in failed.items():
        services.query_give_up(query_id=query_id, error=error)
    return {"sent": len(sent), "no_answer": len(failed)}


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
    """One query alone (messages queued before batches existed are still honoured)."""
    try:
        return "sent" if services.query_send(query_id=query_id) else "skipped"
    except SourceUnavailable as exc:
        if self.request.retries >= SEND_RETRIES:
            services.query_give_up(query_id=query_id, error=str(exc))
            return "no_answer"
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


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
        fan_out(again, deadline_later.si(request_id))
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
    """Requests still running (a worker was killed mid-way, a message was lost): send what was
    never sent, restart the answer clock of what was sent (the sources whose answer time is
    up are asked again — not every source at once, which doubled a request's work when a
    worker started beside a running request), or build the report when all have answered.
    Safe to repeat: answers are stored once, the report is built once."""
    from .models import SourceQuery, VerificationRequest

    now = timezone.now()
    since = now - dt.timedelta(seconds=min_age_seconds)
    running = VerificationRequest.objects.filter(
        status=VerificationRequest.Status.RUNNING, created_at__lte=since
    )
    young = False
    for request_id, created_at in running.order_by("pk").values_list("pk", "created_at"):
        queries = SourceQuery.objects.filter(request_id=request_id)
        pending = list(
            queries.filter(status=SourceQuery.Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if pending and (now - created_at).total_seconds() < RESUME_GRACE_SECONDS:
            young = True  # its dispatch is most likely on its way: look again later
        elif pending:  # never sent: send them now
            fan_out(pending, request_sent.si(request_id))
        elif queries.filter(status=SourceQuery.Status.SENT).exists():
            # sent and waiting: the answer clock (lost with a killed worker) runs again; it
            # asks again the sources whose answer time is up, and only those
            deadline.delay(request_id)
        else:
            report_build.delay(request_id)
    if young:
        resume.apply_async(countdown=RESUME_GRACE_SECONDS)
    inbox_scan.delay()
    return running.count()


@worker_ready.connect
def _resume_on_start(sender=None, **kwargs):
    """A worker that starts (or restarts after being killed) finishes unfinished requests."""
    resume.delay()


# --- the demo's simulated sources ---------------------------------------------------------


@shared_task(
    name="verification.simulated_file_answers", acks_late=True, time_limit=60, soft_time_limit=50
)
def simulated_file_answers(query_ids: list[int]) -> list[int]:
    """The simulated file sources write their result files; the platform loads exactly those
    at once instead of waiting for the inbox poll (which loads real sources' files)."""
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from django.db import connections

    def answer(query_id: int) -> int | None:
        try:  # each file on its own thread and connection: the work is mostly database waits
            path = simulator.file_answer(query_id)
            loaded = services.result_file_load(path=Path(path)) if path else None
            return loaded.pk if loaded else None
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=min(8, len(query_ids) or 1)) as pool:
        return [pk for pk in pool.map(answer, query_ids) if pk]


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
