"""The hub's reads (SPEC §10), each scoped to the reader (SPEC §1):

- an organization sees its own projects, deliveries, points and the requests assigned to it,
  and the needs it took or could take (open, consented, in its projects' areas and kinds);
- township, county and village staff see the needs, deliveries and 12349 requests of their
  region; a citizen their own household's; the supervisor and the administrator everything;
- a department sees none of these (its work is referrals, in ``eligibility``).

Persons shown to an organization are masked by ``applicants.masking`` at the edge.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import Avg, Count, Exists, JSONField, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import JSONObject

from applicants.models import Role, own_household_ids, region_scope

from .models import (
    Delivery,
    InformationResource,
    Need,
    PointsAccount,
    PointsEntry,
    Project,
    ServiceRequest,
    SocialOrganization,
    StaffMember,
    TrainingSession,
)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _sees_all(user) -> bool:
    return _active(user) and (user.is_admin_role or user.role == Role.SUPERVISOR)


def organization_of(user) -> SocialOrganization | None:
    """The organization an ``organization`` account works for."""
    if not _active(user) or user.role != Role.ORGANIZATION:
        return None
    account = getattr(user, "organization_account", None)
    return account.organization if account is not None else None


def _household_scope(user, path_field: str, household_field: str):
    return region_scope(
        user,
        path_field=path_field,
        citizen_q=lambda u: Q(**{f"{household_field}__in": own_household_ids(u)}),
    )


# --- departments and their resources ------------------------------------------------------


def resource_list(*, query: str = "", department: str = "", public_only: bool = True):
    """Departments' shared information resources: what each shares, with whom, how often."""
    qs = InformationResource.objects.select_related("department").prefetch_related("shared_with")
    if public_only:
        qs = qs.filter(is_public=True)
    for term in query.split()[:8]:
        term = term[:40]
        qs = qs.filter(
            Q(name__icontains=term) | Q(items__icontains=term) | Q(department__name__icontains=term)
        )
    if department:
        qs = qs.filter(department__code=department)
    return qs.order_by("department__code", "code")


# --- organizations, projects, needs, deliveries ---------------------------------------------


def organization_list() -> QuerySet[SocialOrganization]:
    return SocialOrganization.objects.select_related("region", "points_account").order_by("name")


def organization_standing(organization: SocialOrganization) -> dict:
    """An organization's standing (信用与服务情况): its evaluation grade, what it runs and
    gives, how it is rated on 12349, and its 海贝分."""
    projects = organization.projects.aggregate(
        open=Count("id", filter=Q(status="open")),
        total=Count("id"),
        funding=Sum("funding"),
        capacity=Sum("capacity", filter=Q(status="open")),
    )
    deliveries = organization.deliveries.aggregate(
        n=Count("id"), people=Count("person", distinct=True)
    )
    requests = organization.service_requests.aggregate(
        completed=Count("id", filter=Q(status="completed")),
        assigned=Count("id", filter=Q(status="assigned")),
        rating=Avg("rating"),
    )
    balance = (
        PointsAccount.objects.filter(organization=organization)
        .values_list("balance", flat=True)
        .first()
    ) or 0
    return {
        "grade": organization.evaluation_grade,
        "projects_open": projects["open"],
        "projects_total": projects["total"],
        "funding": projects["funding"] or Decimal("0.00"),
        "capacity_open": projects["capacity"] or 0,
        "needs_taken": Need.objects.filter(
            project__organization=organization, status__in=["matched", "closed"]
        ).count(),
        "deliveries": deliveries["n"],
        "people_served": deliveries["people"],
        "requests_completed": requests["completed"],
        "requests_open": requests["assigned"],
        "rating": None if requests["rating"] is None else round(Decimal(requests["rating"]), 2),
        "points": balance,
    }


def project_list(*, user, filters=None) -> QuerySet[Project]:
    """Projects are public work (社会力量参与救助项目在线对接): every signed-in reader sees
    them; ``mine`` narrows an organization to its own."""
    filters = filters or {}
    qs = (
        Project.objects.select_related("organization", "area")
        .prefetch_related("service_kinds")
        .annotate(taken=Count("needs", filter=Q(needs__status__in=["matched", "closed"])))
    )
    if not _active(user):
        return qs.none()
    if filters.get("mine") in ("1", "true", True):
        org = organization_of(user)
        qs = qs.filter(organization=org) if org else qs.none()
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if organization := filters.get("organization"):
        qs = qs.filter(organization_id=organization)
    return qs.order_by("-created_at", "-id")


def need_list(*, user, filters=None) -> QuerySet[Need]:
    """Needs in scope. An organization sees the needs its projects took, and the open ones a
    project of its own fits (area and kind) — the matching list."""
    filters = filters or {}
    qs = Need.objects.select_related(
        "household__village__parent", "person", "service_kind", "project__organization"
    )
    if not _active(user):
        return qs.none()
    if _sees_all(user):
        pass
    elif user.role == Role.ORGANIZATION:
        org = organization_of(user)
        if org is None:
            return qs.none()
        qs = qs.filter(Q(project__organization=org) | Q(pk__in=matching_need_ids(org)))
    elif user.role == Role.DEPARTMENT:
        return qs.none()
    else:
        q = _household_scope(user, "household__village__path", "household_id")
        qs = qs if q is None else qs.filter(q)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if kind := filters.get("service_kind"):
        qs = qs.filter(service_kind__code=kind)
    if household := filters.get("household"):
        qs = qs.filter(household_id=household)
    return qs.order_by("-created_at", "-id")


def matching_need_ids(org: SocialOrganization):
    """Ids of open needs some open project of ``org`` fits, as a subquery: the need's kind is
    one the project gives and its village lies inside the project's area (path prefix)."""
    from django.db.models import F
    from django.db.models.functions import StrIndex

    fitting = (
        Project.objects.filter(
            organization=org, status=Project.Status.OPEN, service_kinds=OuterRef("service_kind")
        )
        .annotate(at=StrIndex(OuterRef("household__village__path"), F("area__path")))
        .filter(at=1)
    )
    return Need.objects.filter(status=Need.Status.OPEN).filter(Exists(fitting)).values("pk")


def projects_fitting(need: Need, org: SocialOrganization, *, among=None) -> list[Project]:
    """The open projects of ``org`` that can take ``need``. ``among``: the organization's
    projects already read with their area and service kinds (a page of needs then costs no
    query per need)."""
    path = need.household.village.path
    if among is None:
        among = Project.objects.filter(
            organization=org, status=Project.Status.OPEN, service_kinds=need.service_kind_id
        ).select_related("area")
    else:
        among = [
            p
            for p in among
            if p.organization_id == org.pk
            and p.status == Project.Status.OPEN
            and any(k.pk == need.service_kind_id for k in p.service_kinds.all())
        ]
    return [p for p in among if path.startswith(p.area.path)]


def delivery_list(*, user, filters=None) -> QuerySet[Delivery]:
    filters = filters or {}
    qs = Delivery.objects.select_related(
        "person__household__village__parent", "service_kind", "project", "organization"
    )
    if not _active(user):
        return qs.none()
    if _sees_all(user):
        pass
    elif user.role == Role.ORGANIZATION:
        org = organization_of(user)
        qs = qs.filter(organization=org) if org else qs.none()
    elif user.role == Role.DEPARTMENT:
        return qs.none()
    else:
        q = _household_scope(user, "person__household__village__path", "person__household_id")
        qs = qs if q is None else qs.filter(q)
    if kind := filters.get("service_kind"):
        qs = qs.filter(service_kind__code=kind)
    if project := filters.get("project"):
        qs = qs.filter(project_id=project)
    return qs.order_by("-delivered_on", "-id")


def points_entry_list(*, user, filters=None) -> QuerySet[PointsEntry]:
    filters = filters or {}
    qs = PointsEntry.objects.select_related(
        "account__organization", "benefit", "project", "delivery__service_kind"
    )
    if not _active(user):
        return qs.none()
    if not _sees_all(user):
        org = organization_of(user)
        qs = qs.filter(account__organization=org) if org else qs.none()
    if organization := filters.get("organization"):
        qs = qs.filter(account__organization_id=organization)
    return qs.order_by("-created_at", "-id")


# --- 12349 --------------------------------------------------------------------------------


def service_request_list(*, user, filters=None) -> QuerySet[ServiceRequest]:
    """12349 requests: the citizen their own, a provider those assigned to it, the staff of
    a region those from it, the supervisor and the administrator all."""
    filters = filters or {}
    qs = ServiceRequest.objects.select_related(
        "window", "service_kind", "region__parent", "provider", "household"
    )
    if not _active(user):
        return qs.none()
    if _sees_all(user):
        pass
    elif user.role == Role.CITIZEN:
        qs = qs.filter(Q(requested_by=user) | Q(household_id__in=own_household_ids(user)))
    elif user.role == Role.ORGANIZATION:
        org = organization_of(user)
        qs = qs.filter(provider=org) if org else qs.none()
    elif user.role == Role.DEPARTMENT:
        return qs.none()
    else:
        q = region_scope(user, path_field="region__path")
        qs = qs if q is None else qs.filter(q)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if window := filters.get("window"):
        qs = qs.filter(window__code=window)
    if channel := filters.get("channel"):
        qs = qs.filter(channel=channel)
    return qs.order_by("-created_at", "-id")


# --- staff and training -------------------------------------------------------------------


def staff_list(
    *, user, region=None, kind: str = "", with_sessions: bool = False
) -> QuerySet[StaffMember]:
    """Grassroots staff in the reader's region (the caller checks ``can_read_staff_records``),
    each with the sessions attended and their hours; ``region`` (inside the reader's scope,
    checked by the caller) and ``kind`` narrow it. ``with_sessions`` adds each one's sessions
    (day, title, hours) as one JSON array: a page of staff is one query, whatever the sessions.
    """
    qs = StaffMember.objects.select_related("region__parent", "user").annotate(
        sessions_attended=Count("sessions", distinct=True),
        training_hours=Sum("sessions__hours"),
    )
    if with_sessions:
        qs = qs.annotate(
            session_list=JSONBAgg(
                JSONObject(
                    held_on="sessions__held_on",
                    title="sessions__title",
                    hours="sessions__hours",
                ),
                filter=Q(sessions__isnull=False),
                order_by=("sessions__held_on", "sessions__id"),
                default=Value([], output_field=JSONField()),
            )
        )
    q = region_scope(user, path_field="region__path")
    if q is not None:
        qs = qs.filter(q)
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("region__path", "name", "id")


def training_list(*, user) -> QuerySet[TrainingSession]:
    qs = TrainingSession.objects.select_related("region").annotate(
        attended=Count("attendees", distinct=True)
    )
    if _sees_all(user):
        return qs
    q = region_scope(user, path_field="region__path")
    return qs if q is None else qs.filter(q)
