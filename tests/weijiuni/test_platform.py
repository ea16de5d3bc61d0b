"""Health, API schema, languages, seed_demo."""

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from applicants.models import Household, Person, Region, User

pytestmark = pytest.mark.django_db


def test_healthz_tells_the_public_only_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_reports_database_and_broker_to_an_administrator(client, make_user):
    client.force_login(make_user(role="admin", region_code=None))
    body = client.get("/healthz").json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["demo"] is False


def test_healthz_detail_with_the_health_token_and_not_without(client, settings):
    settings.HEALTH_TOKEN = "monitor-secret-1234"
    detail = client.get("/healthz", HTTP_AUTHORIZATION="Bearer monitor-secret-1234").json()
    assert detail["database"] == "ok"
    assert client.get("/healthz", HTTP_AUTHORIZATION="Bearer wrong").json() == {"status": "ok"}


def test_healthz_is_a_bare_503_when_a_check_fails(client, monkeypatch):
    from weijiuni import health

    monkeypatch.setitem(health.CHECKS, "broker", lambda: "error: ConnectionError")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "fail"}


def test_healthz_detail_is_not_for_other_staff(client, make_user):
    client.force_login(make_user(role="caseworker"))
    assert client.get("/healthz").json() == {"status": "ok"}


def test_schema_is_valid_openapi_3_and_names_the_contract_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token/" in schema["paths"]
    assert "/api/v1/households/{id}/" in schema["paths"]


def test_swagger_ui_is_served_without_a_cdn(client):
    page = client.get("/api/docs/").content.decode()
    assert "cdn" not in page.lower()
    assert "drf_spectacular_sidecar" in page


def test_login_page_is_chinese_first_and_switches_to_english(client):
    assert "登录" in client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Log in" in client.get("/accounts/login/").content.decode()


def test_seed_demo_twice_gives_the_same_data(settings):
    settings.DEMO = True
    call_command("seed_demo")
    counts = (
        Region.objects.count(),
        User.objects.count(),
        Household.objects.count(),
        Person.objects.count(),
    )
    call_command("seed_demo")
    assert counts == (
        Region.objects.count(),
        User.objects.count(),
        Household.objects.count(),
        Person.objects.count(),
    )
    assert counts[2] >= 300
    townships = Region.objects.filter(level="township")
    assert all(Household.objects.filter(village__parent=t).exists() for t in townships)
    assert User.objects.get(username="citizen").person.household.village.parent.name == "张村镇"
    from eligibility.models import Review, TemporaryGrant

    # every new page of the ledger has something to show in the demo
    assert TemporaryGrant.objects.filter(advance=False).exists()
    assert TemporaryGrant.objects.filter(advance=True, file_completed_at__isnull=True).exists()
    assert Review.objects.filter(proposed_at__isnull=False, status="open").exists()
    from eligibility.models import Enrollment

    enrolled = set(Enrollment.objects.values_list("category__code", flat=True))
    paid_once = TemporaryGrant.objects.exists()
    # the nine categories, each enrolled (or, for 临时救助, paid once) from the demo
    assert enrolled | ({"temporary"} if paid_once else set()) >= {
        "dibao",
        "tekun",
        "dibao_edge",
        "expenditure_hardship",
        "temporary",
        "orphan",
        "child_in_hardship",
        "severe_disability",
        "relative_poverty",
    }, enrolled
    # issue 13: the approver has decisions to make; every ending has a case to look at
    from django.utils import timezone

    from applicants.models import Application

    approver = User.objects.get(username="approver")
    awaiting = Application.objects.for_user(approver).filter(
        state="public_notice", notice_closes_on__lte=timezone.localdate()
    )
    assert awaiting.exists()
    assert Application.objects.filter(state="terminated").exists()
    closed = Review.objects.filter(status="closed")
    assert closed.filter(outcome="stop").exists()
    assert closed.filter(outcome="gradual_exit").exists()


def test_seed_demo_refuses_outside_demo_mode(settings):
    from django.core.management.base import CommandError

    settings.DEMO = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_history_records_changes_including_bulk_updates(household_in):
    household = household_in()
    Person.objects.filter(household=household).update(monthly_income="999.00")
    person = household.members.get()
    incomes = [str(e.monthly_income) for e in person.events.order_by("pgh_id")]
    assert incomes == ["300.00", "999.00"]
