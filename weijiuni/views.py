"""Start pages per role and the supervisor's dashboard."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from applicants.models import Household, Person, Region, Role

START_PAGE = {
    Role.CITIZEN: "my_household",
    # staff land on their work: the inbox (the approver's shows what awaits their decision)
    Role.VILLAGE_ASSISTANT: "case_inbox",
    Role.CASEWORKER: "case_inbox",
    Role.APPROVER: "case_inbox",
    Role.SUPERVISOR: "dashboard",
    Role.DEPARTMENT: "department_home",
    Role.ORGANIZATION: "organization_home",
    Role.ADMIN: "dashboard",
}


@login_required
def home(request):
    role = Role.ADMIN if request.user.is_superuser else request.user.role
    return redirect(START_PAGE[role])


DASHBOARD_KEY = "dashboard:counts:v1"


def _count_by_county() -> dict:
    return {
        "households": dict(
            Household.objects.values_list("village__parent__parent__code").annotate(n=Count("id"))
        ),
        "people": dict(
            Person.objects.values_list("household__village__parent__parent__code").annotate(
                n=Count("id")
            )
        ),
        "at": timezone.now(),
    }


def dashboard_counts() -> dict:
    """Households and people per county, counted at most every ``DASHBOARD_CACHE_SECONDS``
    (issue 15: the two counts read every household and every member, a second at a million
    households, on each opening). One process recounts when the figures expire while the
    others show the previous ones (kept twice as long), so that expiry never queues the
    dashboard behind one count per web worker."""
    fresh = cache.get(DASHBOARD_KEY)
    if fresh is not None:
        return fresh
    stale = cache.get(f"{DASHBOARD_KEY}:stale")
    if stale is not None and not cache.add(f"{DASHBOARD_KEY}:lock", 1, timeout=120):
        return stale
    try:
        counts = _count_by_county()
        cache.set(DASHBOARD_KEY, counts, settings.DASHBOARD_CACHE_SECONDS)
        cache.set(f"{DASHBOARD_KEY}:stale", counts, settings.DASHBOARD_CACHE_SECONDS * 2)
    finally:
        cache.delete(f"{DASHBOARD_KEY}:lock")
    return counts


def _can_see_dashboard(user) -> bool:
    return user.is_admin_role or user.role == Role.SUPERVISOR


@login_required
def dashboard(request):
    """城市督导看板: households and people by county (aggregates only, no personal data)."""
    if not _can_see_dashboard(request.user):
        raise Http404
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    counts = dashboard_counts()
    households, people = counts["households"], counts["people"]
    rows = [
        {
            "code": c.code,
            "name": c.name,
            "households": households.get(c.code, 0),
            "people": people.get(c.code, 0),
        }
        for c in counties
    ]
    chart = {
        "labels": [r["name"] for r in rows],
        "households": [r["households"] for r in rows],
        "people": [r["people"] for r in rows],
    }
    return render(
        request,
        "weijiuni/dashboard.html",
        {
            "rows": rows,
            "chart": chart,
            "total_households": sum(households.values()),
            "total_people": sum(people.values()),
            "counted_at": counts["at"],
            "refresh_minutes": max(1, settings.DASHBOARD_CACHE_SECONDS // 60),
        },
    )


@login_required
def organization_home(request):
    if not (request.user.is_admin_role or request.user.role == Role.ORGANIZATION):
        raise Http404
    return render(request, "weijiuni/organization_home.html", {})
