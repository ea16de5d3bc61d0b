"""Reads of verification: requests in the user's scope, source health."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from applicants.models import Role, own_household_ids, region_scope

from .models import DataSource, SourceQuery, VerificationRequest


def request_list(*, user) -> QuerySet[VerificationRequest]:
    """Requests of households the user may see (SPEC §1): a citizen their own household."""
    q = region_scope(
        user,
        path_field="household__village__path",
        citizen_q=lambda u: Q(household_id__in=own_household_ids(u)),
    )
    qs = (
        VerificationRequest.objects.select_related("report")
        .prefetch_related("queries__source")
        .order_by("-created_at", "-id")
    )
    return qs if q is None else qs.filter(q)


def can_see_sources(user) -> bool:
    """The source health page: department officers, supervisors, administrators (issue 10)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_admin_role or user.role in (Role.DEPARTMENT, Role.SUPERVISOR, Role.CASEWORKER)


def source_health() -> QuerySet[DataSource]:
    """Every source with its pending queries counted (one query)."""
    return (
        DataSource.objects.prefetch_related("items")
        .annotate(
            pending=Count(
                "queries",
                filter=Q(queries__status__in=[SourceQuery.Status.PENDING, SourceQuery.Status.SENT]),
            )
        )
        .order_by("kind", "code")
    )
