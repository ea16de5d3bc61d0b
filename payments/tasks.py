"""Celery tasks: take ids, call a service, safe to run twice (lines are unique)."""

from celery import shared_task
from celery.signals import worker_ready

from .services import bankfiles, batches


@shared_task(
    name="payments.generate_chunk",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=900,
    soft_time_limit=840,
)
def generate_chunk(chunk_id: int) -> int:
    written = batches.chunk_process(chunk_id=chunk_id)
    from .models import BatchChunk

    batches.batch_finish(batch_id=BatchChunk.objects.get(pk=chunk_id).batch_id)
    return written


@shared_task(name="payments.finish", acks_late=True, reject_on_worker_lost=True)
def finish(batch_id: int) -> bool:
    return batches.batch_finish(batch_id=batch_id)


@shared_task(name="payments.bank_files_write", acks_late=True, reject_on_worker_lost=True)
def bank_files_write(batch_id: int) -> int:
    return bankfiles.bank_files_write(batch_id=batch_id)


@shared_task(name="payments.generation_resume", time_limit=120, soft_time_limit=100)
def generation_resume() -> int:
    """Queue again every chunk of a batch still generating (after a worker was killed)."""
    from .models import Batch

    ids = list(Batch.objects.filter(state=Batch.State.GENERATING).values_list("pk", flat=True))
    for pk in ids:
        enqueue_generation(pk)
    return len(ids)


@worker_ready.connect
def _resume_on_start(sender=None, **kwargs):
    generation_resume.delay()


# --- queueing: the only place payments sends work to Celery ---------------------------------


def enqueue_generation(batch_id: int) -> None:
    from .models import BatchChunk

    chunks = list(
        BatchChunk.objects.filter(batch_id=batch_id, done=False).values_list("pk", flat=True)
    )
    for pk in chunks:
        generate_chunk.delay(pk)
    if not chunks:
        finish.delay(batch_id)


def enqueue_bank_files(batch_id: int) -> None:
    bank_files_write.delay(batch_id)
