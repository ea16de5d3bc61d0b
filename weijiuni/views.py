"""Start pages per role and the supervisor's dashboard."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render

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


def _can_see_dashboard(user) -> bool:
    return user.is_admin_role or user.role == Role.SUPERVISOR


@login_required
def dashboard(request):
    """城市督导看板: households and people by county (aggregates only, no personal data)."""
    if not _can_see_dashboard(request.user):
        raise Http404
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    households = dict(
        Household.objects.values_list("village__parent__parent__code").annotate(n=Count("id"))
    )
    people = dict(
        Person.objects.values_list("household__village__parent__parent__code").annotate(
            n=Count("id")
        )
    )
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
        },
    )
