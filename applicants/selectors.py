"""Reads about households, always narrowed to what the user may see."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from .models import Household, Person, Region, Role, User

#: roles that may see unmasked personal data inside their scope (SPEC §1); the supervisor's
#: city-wide scope is for oversight, so it reads masked data.
UNMASKED_ROLES = {
    Role.CITIZEN,
    Role.VILLAGE_ASSISTANT,
    Role.CASEWORKER,
    Role.APPROVER,
    Role.ADMIN,
}


def sees_personal_data(user: User) -> bool:
    return user.is_superuser or user.role in UNMASKED_ROLES


def household_list(*, user: User, filters: dict | None = None) -> QuerySet[Household]:
    filters = filters or {}
    qs = (
        Household.objects.for_user(user)
        .select_related("village__parent__parent")
        .prefetch_related(Prefetch("members", queryset=Person.objects.order_by("id")))
        .order_by("-id")
    )
    if region := filters.get("region"):
        qs = qs.filter(
            Q(village__path__startswith=f"{region}/") | Q(village__path__contains=f"/{region}/")
        )
    if q := (filters.get("q") or "").strip():
        # Digits search the tail of an ID number, anything else a member's name.
        field = "members__id_number__endswith" if q.isdigit() else "members__name__contains"
        qs = qs.filter(
            pk__in=Person.objects.filter(**{field.removeprefix("members__"): q}).values(
                "household_id"
            )
        )
    return qs


def household_get(*, user: User, pk: int) -> Household:
    """One household in the user's scope; ``Household.DoesNotExist`` (a 404) otherwise."""
    return (
        Household.objects.for_user(user)
        .select_related("village__parent__parent")
        .prefetch_related(Prefetch("members", queryset=Person.objects.order_by("id")))
        .get(pk=pk)
    )


def villages_for_user(*, user: User) -> QuerySet[Region]:
    qs = Region.objects.filter(level=Region.Level.VILLAGE).select_related("parent")
    if user.is_admin_role:
        return qs
    if user.region_id:
        return qs.filter(path__startswith=user.region.path)
    return qs.none()
