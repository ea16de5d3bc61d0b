"""``/healthz``: is the database there, is the broker there."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is a health answer, not a crash
        return f"error: {exc.__class__.__name__}"


def _broker() -> str:
    from weijiuni.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"


def _calendar() -> str:
    """Whether the working-day calendar knows the holidays of the next 60 days. Reported, not
    counted in ``status``: the site works, but time limits past the gap would come out early."""
    from django.utils import timezone

    from applicants.workdays import calendar_gap

    try:
        gap = calendar_gap(timezone.localdate())
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    return "ok" if gap is None else f"uncovered from {gap.isoformat()}"


@never_cache
def healthz(request):
    checks = {"database": _database(), "broker": _broker()}
    ok = all(v == "ok" for v in checks.values())
    checks["calendar"] = _calendar()  # after ``ok``: a gap is a warning, not an outage
    return JsonResponse(
        {"status": "ok" if ok else "error", **checks, "demo": settings.DEMO},
        status=200 if ok else 503,
    )
