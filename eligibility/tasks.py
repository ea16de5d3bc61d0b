"""Celery tasks: take ids, call a service, safe to run twice."""

from celery import shared_task
from celery.signals import worker_ready
from django.db import transaction

from .services import reevaluation


@shared_task(name="eligibility.reevaluation_start", time_limit=600, soft_time_limit=540)
def reevaluation_start(standard_id: int) -> int:
    from .models import Reevaluation, Standard

    existing = Reevaluation.objects.filter(standard_id=standard_id).first()
    if existing is not None:  # the same standard is not re-evaluated twice by a retry
        return existing.pk
    return reevaluation.reevaluation_start(standard=Standard.objects.get(pk=standard_id)).pk


@shared_task(
    name="eligibility.reevaluate_chunk",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=900,
    soft_time_limit=840,
    max_retries=3,
)
def reevaluate_chunk(chunk_id: int) -> int | None:
    return reevaluation.reevaluation_chunk_process(chunk_id=chunk_id)


@shared_task(name="eligibility.reevaluation_resume", time_limit=120, soft_time_limit=100)
def reevaluation_resume() -> int:
    return reevaluation.reevaluation_resume()


@worker_ready.connect
def _resume_on_start(sender=None, **kwargs):
    """A worker that starts (or restarts after being killed) picks up unfinished chunks."""
    reevaluation_resume.delay()


@shared_task(name="eligibility.reviews_schedule", time_limit=600, soft_time_limit=540)
def reviews_schedule() -> int:
    from .services.reviews import reviews_schedule as run

    return run()


@shared_task(name="eligibility.reevaluations_due", time_limit=120, soft_time_limit=100)
def reevaluations_due() -> list[int]:
    from .services import reevaluations_due as run

    return run()


@shared_task(name="eligibility.enrollments_end_due", time_limit=600, soft_time_limit=540)
def enrollments_end_due() -> int:
    from .services.exits import exits_due

    return exits_due()


# --- queueing: the only place work is sent to Celery (services call these) -----------------


def enqueue_reevaluation(standard_id: int) -> None:
    """Re-evaluate for a standard once the transaction that recorded it has committed."""
    transaction.on_commit(lambda: reevaluation_start.delay(standard_id))


def enqueue_chunks(chunk_ids: list[int]) -> None:
    for pk in chunk_ids:
        reevaluate_chunk.delay(pk)


# Household economic verification's tasks live in their own room; registered with the app's.
from .verification import tasks as verification_tasks  # noqa: E402, F401
