"""The audit trail's tables and their retention: archive rows past the period, never edit them.

The trail is every insert-only table: reads of personal data, signatures, case steps,
assessments, decisions, the amount history, and every pghistory event table (who changed what,
before → after). Each refuses UPDATE and DELETE by trigger. After ``AUDIT_RETENTION_MONTHS``
(at least 6, 网络安全法 Art 21) the archive job copies a table's rows of a closed period to a
compressed JSON-lines file under ``AUDIT_ARCHIVE_DIR``, reads the file back to verify it, and
records it in ``TrailArchive``. The rows stay in place: removing them would take the owner role
and a deliberate act, which this job is not.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pghistory.models
from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from .models import TrailArchive

#: insert-only tables of the trail and the column that dates each row ("app.Model" strings:
#: integrity imports no other app)
TRAIL_TABLES = {
    "integrity.AccessLog": "at",
    "integrity.Commitment": "signed_at",
    "applicants.ApplicationTransition": "at",
    "eligibility.Assessment": "created_at",
    "eligibility.Decision": "decided_at",
    "eligibility.EnrollmentAmount": "created_at",
    "integrity.DishonestyRecord": "recorded_at",
    "integrity.DishonestyRemoval": "removed_at",
    "integrity.RefusedAttempt": "at",
}


def trail_models() -> list[tuple[type[models.Model], str]]:
    """Every trail model with its time field: the fixed list, then each pghistory event model."""
    found = [(apps.get_model(label), field) for label, field in TRAIL_TABLES.items()]
    found += [
        (model, "pgh_created_at")
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event)
        and model._meta.managed
        and not model._meta.proxy
    ]
    return found


def retention_cutoff(now: dt.datetime | None = None, months: int | None = None) -> dt.datetime:
    """The start of the month ``months`` before this one (local time): older rows are past
    retention. Whole months, so that every run within a month archives the same period."""
    months = settings.AUDIT_RETENTION_MONTHS if months is None else months
    local = timezone.localtime(now or timezone.now())
    index = local.year * 12 + (local.month - 1) - months
    year, month = divmod(index, 12)
    return local.replace(
        year=year, month=month + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )


@dataclass(frozen=True)
class Written:
    rows: int
    first_pk: int | None
    last_pk: int | None
    content_sha256: str


def _write(cursor, path: Path) -> Written:
    rows, first_pk, last_pk = 0, None, None
    digest = hashlib.sha256()
    with path.open("wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb") as out:
            while batch := cursor.fetchmany(2000):
                for pk, line in batch:
                    first_pk = pk if first_pk is None else first_pk
                    last_pk = pk
                    data = (line + "\n").encode()
                    digest.update(data)
                    out.write(data)
                    rows += 1
        raw.flush()
        os.fsync(raw.fileno())  # on disk before the manifest says it is
    return Written(rows, first_pk, last_pk, digest.hexdigest())


def _read_back(path: Path) -> tuple[int, str]:
    """Rows and content digest of a written archive, each line parsed (money stays Decimal)."""
    rows = 0
    digest = hashlib.sha256()
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            json.loads(line, parse_float=Decimal)
            digest.update(line.encode())
            rows += 1
    return rows, digest.hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class ArchiveError(Exception):
    pass


def trail_table_archive(
    *, model: type[models.Model], time_field: str, cutoff: dt.datetime, directory: Path
) -> TrailArchive | None:
    """Archive one table's rows dated before ``cutoff`` and after its last archive.

    Safe to run twice, or twice at once: a per-table advisory lock serializes runs, the second
    finds the period already archived, and a unique (table, until) stops a duplicate manifest.
    """
    table = model._meta.db_table
    quote = connection.ops.quote_name
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"trail:{table}"])
        last = TrailArchive.objects.filter(table=table).order_by("-until").first()
        since = last.until if last else None
        if since is not None and since >= cutoff:
            return None
        column = quote(model._meta.get_field(time_field).column)
        pk = quote(model._meta.pk.column)
        where, params = f"t.{column} < %s", [cutoff]
        if since is not None:
            where, params = f"{where} AND t.{column} >= %s", [cutoff, since]
        label = since.strftime("%Y%m%d") if since else "start"
        target_dir = Path(directory) / table
        target_dir.mkdir(parents=True, exist_ok=True)
        path = target_dir / f"{table}-{label}-{cutoff:%Y%m%d}.jsonl.gz"
        partial = path.with_name(path.name + ".partial")
        # A server-side cursor: a table of millions of rows streams, it is not loaded at once.
        with connection.chunked_cursor() as cursor:
            cursor.execute(
                f"SELECT t.{pk}, row_to_json(t)::text FROM {quote(table)} t "  # noqa: S608  # nosec B608 - quoted identifiers from the model registry, not input
                f"WHERE {where} ORDER BY t.{pk}",
                params,
            )
            written = _write(cursor, partial)
        rows, content_sha256 = _read_back(partial)
        if (rows, content_sha256) != (written.rows, written.content_sha256):
            partial.unlink(missing_ok=True)
            raise ArchiveError(f"{table}: archive read back {rows} rows, wrote {written.rows}")
        os.replace(partial, path)
        return TrailArchive.objects.create(
            table=table,
            since=since,
            until=cutoff,
            rows=written.rows,
            first_pk=written.first_pk,
            last_pk=written.last_pk,
            path=str(path),
            sha256=_file_sha256(path),
            size=path.stat().st_size,
        )


def trail_archive(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Archive every trail table up to the retention cutoff; returns rows archived per table."""
    cutoff = retention_cutoff(now)
    directory = Path(settings.AUDIT_ARCHIVE_DIR)
    done = {}
    for model, time_field in trail_models():
        archive = trail_table_archive(
            model=model, time_field=time_field, cutoff=cutoff, directory=directory
        )
        if archive is not None:
            done[archive.table] = archive.rows
    return done


def trail_archive_verify(archive: TrailArchive) -> bool:
    """True if the archive file is still the one recorded (its checksum and row count)."""
    path = Path(archive.path)
    if not path.exists() or _file_sha256(path) != archive.sha256:
        return False
    return _read_back(path)[0] == archive.rows
