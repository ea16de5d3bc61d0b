"""``/healthz``: is the database there, is the broker there.

Anyone gets ``{"status": "ok"}`` (200) or ``{"status": "fail"}`` (503) — enough for a load
balancer, nothing for a scanner. The detail of each check (and whether demo mode is on) only for
a logged-in administrator or a monitor sending ``Authorization: Bearer <HEALTH_TOKEN>``.
"""

from __future__ import annotations

from collections.abc import Callable
from hmac import compare_digest

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


#: the named checks that decide ``status``; each answers "ok" or "error: <what>"
CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "broker": _broker,
}
#: named checks reported in the detail only: a warning, not an outage
WARNINGS: dict[str, Callable[[], str]] = {
    "calendar": _calendar,
}


def _may_see_detail(request) -> bool:
    token = settings.HEALTH_TOKEN
    header = request.headers.get("Authorization", "")
    if token and compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_admin_role)


@never_cache
def healthz(request):
    checks = {name: check() for name, check in CHECKS.items()}
    ok = all(v == "ok" for v in checks.values())
    status = 200 if ok else 503
    if not _may_see_detail(request):
        return JsonResponse({"status": "ok" if ok else "fail"}, status=status)
    warnings = {name: check() for name, check in WARNINGS.items()}
    return JsonResponse(
        {"status": "ok" if ok else "fail", **checks, **warnings, "demo": settings.DEMO},
        status=status,
    )
