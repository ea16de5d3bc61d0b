"""Reads about households, always narrowed to what the user may see."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from . import masking
from .models import Household, Person, Region, User

# Who reads unmasked lives in applicants.masking; kept importable from here for older callers.
sees_personal_data = masking.sees_personal_data


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
        if not masking.may_search_people(user):
            # A masked reader's search matches nothing: an answer either way would tell
            # whether a guessed ID ending or name belongs to someone here.
            return qs.none()
        # (The end of) an ID number searches ID numbers, anything else a member's name.
        if masking.looks_like_id_number(q):
            people = Person.objects.filter(id_number__endswith=q.upper())
        else:
            people = Person.objects.filter(name__contains=q)
        qs = qs.filter(pk__in=people.values("household_id"))
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
