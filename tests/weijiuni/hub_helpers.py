"""Fixtures' building blocks for the hub's tests (issue 12): the catalog, organizations with
projects, and enrolled households in 张村镇 with needs."""

from __future__ import annotations

from applicants.models import Person, User
from eligibility import demo as eligibility_demo
from eligibility.models import Enrollment
from weijiuni import demo as hub_demo
from weijiuni.models import Need, Project, ServiceKind, SocialOrganization
from weijiuni.services import organizations


def seed_hub(accounts) -> dict:
    """Policies, resources, service kinds, windows, points rates, benefits, the five demo
    organizations (the ``organization`` account works for 威海市慈善总会) and their
    projects."""
    eligibility_demo.seed()
    hub_demo.seed_catalog()
    orgs = hub_demo.seed_organizations()
    return {
        "orgs": orgs,
        "org": orgs[0],
        "project": Project.objects.get(organization=orgs[0], area__code="371002001"),
        "kinds": {k.code: k for k in ServiceKind.objects.all()},
    }


def enrolled_households(accounts, count: int = 4) -> list[Enrollment]:
    """``count`` 低保 households, half of them in 张村镇 (the rest in 乳山市)."""
    from tests.eligibility.enrollments import make_enrollments

    make_enrollments(count=count, admin=accounts["admin"])
    return list(Enrollment.objects.select_related("household__village").order_by("id"))


def need_in_zhangcun(accounts, kind: ServiceKind, *, detail: str = "独居，腿脚不便") -> Need:
    enrollment = next(
        e
        for e in Enrollment.objects.select_related("household__village").order_by("id")
        if e.household.village.path.startswith("371000/371002/371002001/")
        and not Need.objects.filter(household=e.household, service_kind=kind).exists()
    )
    person = Person.objects.filter(household=enrollment.household).order_by("id").first()
    return organizations.need_record(
        household=enrollment.household,
        person=person,
        service_kind=kind,
        by=accounts["caseworker"],
        consent=True,
        consent_channel="written",
        detail=detail,
        enrollment=enrollment,
    )


def org_user(org: SocialOrganization, username: str) -> User:
    from weijiuni.models import OrganizationAccount

    user = User.objects.create_user(
        username=username, password="x-Long-Passw0rd", role="organization"
    )
    OrganizationAccount.objects.create(user=user, organization=org)
    return user
