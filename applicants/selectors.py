"""Reads about households, always narrowed to what the user may see."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Reverse

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
        # (The end of) an ID number searches ID numbers, anything else the start of a member's
        # name (姓 or 姓名), each through its index (issue 15: a name *containing* the text
        # read every member of the city): an ID's end is the start of the reversed number.
        if masking.looks_like_id_number(q):
            people = Person.objects.annotate(id_tail=Reverse("id_number")).filter(
                id_tail__startswith=q.upper()[::-1]
            )
        else:
            people = Person.objects.filter(name__startswith=q)
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
