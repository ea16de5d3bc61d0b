"""Retention of the audit trail: a setting of at least 6 months, a job that archives and never
edits, safe to run twice (issue 14 item 3, issue 11 item 1)."""

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pgtrigger
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from integrity import services, trail
from integrity.models import AccessLog, TrailArchive

TZ = timezone.get_default_timezone()
NOW = dt.datetime(2026, 11, 15, 10, 0, tzinfo=TZ)


@pytest.fixture
def archive_dir(settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path / "archive"
    settings.AUDIT_RETENTION_MONTHS = 6
    return settings.AUDIT_ARCHIVE_DIR


def _reads(admin, *, at: dt.datetime, count: int) -> list[int]:
    """Access-log rows dated ``at``: written now, back-dated as the owner (tests only)."""
    services.access_log_record(user=admin, object_type="person", object_ids=range(count))
    ids = list(AccessLog.objects.order_by("-id").values_list("id", flat=True)[:count])
    with pgtrigger.ignore("integrity.AccessLog:access_log_append_only"):
        AccessLog.objects.filter(id__in=ids).update(at=at)
    return sorted(ids)


def _lines(path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line, parse_float=Decimal) for line in f]


def test_cutoff_is_whole_months_before_this_one():
    assert trail.retention_cutoff(NOW, 6) == dt.datetime(2026, 5, 1, tzinfo=TZ)
    assert trail.retention_cutoff(dt.datetime(2026, 3, 31, 23, 0, tzinfo=TZ), 6) == dt.datetime(
        2025, 9, 1, tzinfo=TZ
    )
    assert trail.retention_cutoff(NOW, 18) == dt.datetime(2025, 5, 1, tzinfo=TZ)


@pytest.mark.parametrize(("months", "starts"), [("5", False), ("0", False), ("6", True)])
def test_retention_under_six_months_is_refused_at_start_up(months, starts):
    env = {
        **os.environ,
        "AUDIT_RETENTION_MONTHS": months,
        "DJANGO_SETTINGS_MODULE": "weijiuni.settings",
    }
    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        check=False,
    )
    assert (done.returncode == 0) is starts, done.stderr
    if not starts:
        assert "至少保留 6 个月" in done.stderr


def test_archive_copies_old_rows_and_leaves_every_row_as_it_was(accounts, archive_dir):
    admin = accounts["admin"]
    old = _reads(admin, at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ), count=3)
    recent = _reads(admin, at=dt.datetime(2026, 10, 2, 9, 0, tzinfo=TZ), count=2)
    before = list(AccessLog.objects.order_by("id").values())

    done = trail.trail_archive(now=NOW)

    assert done["integrity_accesslog"] == 3
    assert list(AccessLog.objects.order_by("id").values()) == before  # nothing edited or removed
    archive = TrailArchive.objects.get(table="integrity_accesslog")
    assert (archive.since, archive.until) == (None, dt.datetime(2026, 5, 1, tzinfo=TZ))
    assert (archive.rows, archive.first_pk, archive.last_pk) == (3, old[0], old[-1])
    rows = _lines(archive.path)
    assert [r["id"] for r in rows] == old
    assert not set(recent) & {r["id"] for r in rows}
    assert rows[0]["user_id"] == admin.pk and rows[0]["fields"]
    assert Path(archive.path).parent == archive_dir / "integrity_accesslog"
    assert trail.trail_archive_verify(archive)
    # Every trail table has its period recorded, empty or not, so the next run starts after it.
    tables = {model._meta.db_table for model, _ in trail.trail_models()}
    assert set(TrailArchive.objects.values_list("table", flat=True)) == tables


def test_running_twice_archives_nothing_twice(accounts, archive_dir):
    _reads(accounts["admin"], at=dt.datetime(2026, 1, 5, tzinfo=TZ), count=2)
    trail.trail_archive(now=NOW)
    manifests = TrailArchive.objects.count()
    assert trail.trail_archive(now=NOW + dt.timedelta(days=10)) == {}
    assert TrailArchive.objects.count() == manifests


def test_next_month_archives_only_the_next_period(accounts, archive_dir):
    admin = accounts["admin"]
    _reads(admin, at=dt.datetime(2026, 4, 20, tzinfo=TZ), count=2)
    may = _reads(admin, at=dt.datetime(2026, 5, 20, tzinfo=TZ), count=1)
    trail.trail_archive(now=NOW)
    done = trail.trail_archive(now=dt.datetime(2026, 12, 3, tzinfo=TZ))
    assert done["integrity_accesslog"] == 1
    second = TrailArchive.objects.filter(table="integrity_accesslog").order_by("until").last()
    assert (second.since, second.until) == (
        dt.datetime(2026, 5, 1, tzinfo=TZ),
        dt.datetime(2026, 6, 1, tzinfo=TZ),
    )
    assert [r["id"] for r in _lines(second.path)] == may


def test_a_changed_archive_file_fails_verification(accounts, archive_dir):
    _reads(accounts["admin"], at=dt.datetime(2026, 1, 5, tzinfo=TZ), count=2)
    trail.trail_archive(now=NOW)
    archive = TrailArchive.objects.get(table="integrity_accesslog")
    with gzip.open(archive.path, "wt", encoding="utf-8") as f:
        f.write('{"id": 1}\n')
    assert not trail.trail_archive_verify(archive)


def test_the_manifest_cannot_be_edited(accounts, archive_dir):
    from django.db import transaction
    from django.db.utils import InternalError

    trail.trail_archive(now=NOW)
    with pytest.raises(InternalError), transaction.atomic():
        TrailArchive.objects.update(rows=0)


def test_archive_is_a_scheduled_task(accounts, archive_dir):
    from integrity.tasks import trail_archive

    schedule = django_settings.CELERY_BEAT_SCHEDULE["audit-trail-archive"]
    assert schedule["task"] == trail_archive.name == "integrity.trail_archive"
    assert isinstance(trail_archive.apply().get(), dict)
    assert TrailArchive.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_archivers_at_once_write_one_manifest_per_table(accounts, archive_dir):
    _reads(accounts["admin"], at=dt.datetime(2026, 2, 5, tzinfo=TZ), count=4)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            trail.trail_archive(now=NOW)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    tables = {model._meta.db_table for model, _ in trail.trail_models()}
    assert TrailArchive.objects.count() == len(tables)
    assert TrailArchive.objects.get(table="integrity_accesslog").rows == 4
