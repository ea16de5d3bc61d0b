"""Re-evaluation of every active enrollment when a standard changes (issue 5)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from applicants.models import Region
from eligibility.models import Enrollment, EnrollmentAmount, Standard, StandardItem
from eligibility.services import reevaluation
from tests.eligibility.enrollments import make_enrollments

pytestmark = pytest.mark.django_db


def raise_urban(admin, value="850", day=dt.date(2021, 1, 1)):
    return Standard.objects.create(
        item=StandardItem.DIBAO,
        region=Region.objects.get(code="371000"),
        area="urban",
        value=Decimal(value),
        effective_from=day,
        created_by=admin,
    )


def run_all(run):
    for chunk in run.chunks.order_by("index"):
        reevaluation.reevaluation_chunk_process(chunk_id=chunk.pk)
    run.refresh_from_db()
    return run


def test_raising_the_urban_standard_changes_every_urban_dibao_amount(catalog, accounts):
    made = make_enrollments(count=60, admin=accounts["admin"])
    before = {
        e.pk: (e.monthly_amount, e.household.members.count(), e.household.village.area)
        for e in Enrollment.objects.select_related("household__village")
    }
    standard = raise_urban(accounts["admin"])
    run = run_all(reevaluation.reevaluation_start(standard=standard, chunk_size=7))
    assert run.status == "done" and run.chunks_total == run.chunks_done > 1
    for e in Enrollment.objects.all():
        amount, size, area = before[e.pk]
        if area == "urban":
            assert e.monthly_amount == amount + (Decimal("850") - Decimal("787")) * size
        else:
            assert e.monthly_amount == amount
    urban = sum(1 for a, s, area in before.values() if area == "urban")
    assert run.changed == urban and run.processed == urban == made["urban"]


def test_report_sums_match_the_database(catalog, accounts):
    make_enrollments(count=40, admin=accounts["admin"])
    run = run_all(
        reevaluation.reevaluation_start(standard=raise_urban(accounts["admin"]), chunk_size=10)
    )
    new_total = sum(Decimal(v["new_total"]) for v in run.report.values())
    in_db = EnrollmentAmount.objects.filter(reevaluation=run).aggregate(s=Sum("amount"))["s"]
    assert new_total == in_db
    count = sum(v["count"] for v in run.report.values())
    assert count == EnrollmentAmount.objects.filter(reevaluation=run).count() == run.changed


def test_a_second_run_changes_nothing(catalog, accounts):
    make_enrollments(count=30, admin=accounts["admin"])
    standard = raise_urban(accounts["admin"])
    run_all(reevaluation.reevaluation_start(standard=standard, chunk_size=10))
    amounts = dict(Enrollment.objects.values_list("pk", "monthly_amount"))
    again = run_all(reevaluation.reevaluation_start(standard=standard, chunk_size=10))
    assert again.changed == 0
    assert dict(Enrollment.objects.values_list("pk", "monthly_amount")) == amounts


def test_a_done_chunk_is_not_done_twice(catalog, accounts):
    make_enrollments(count=20, admin=accounts["admin"])
    run = reevaluation.reevaluation_start(standard=raise_urban(accounts["admin"]), chunk_size=50)
    chunk = run.chunks.get()
    first = reevaluation.reevaluation_chunk_process(chunk_id=chunk.pk)
    assert first > 0
    assert reevaluation.reevaluation_chunk_process(chunk_id=chunk.pk) is None
    assert EnrollmentAmount.objects.filter(reevaluation=run).count() == first


def test_rural_and_other_counties_are_untouched_by_a_county_urban_change(catalog, accounts):
    make_enrollments(count=40, admin=accounts["admin"])
    standard = Standard.objects.create(
        item=StandardItem.DIBAO,
        region=Region.objects.get(code="371083"),
        area="urban",
        value=Decimal("900"),
        effective_from=dt.date(2021, 1, 1),
    )
    run = run_all(reevaluation.reevaluation_start(standard=standard, chunk_size=10))
    changed = Enrollment.objects.filter(amounts__reevaluation=run)
    assert changed.exists()
    assert set(changed.values_list("household__village__area", flat=True)) == {"urban"}
    assert {e.household.village.county_code for e in changed} == {"371083"}


def test_re_evaluated_amount_replays_from_what_was_frozen(catalog, accounts):
    make_enrollments(count=10, admin=accounts["admin"])
    run = run_all(
        reevaluation.reevaluation_start(standard=raise_urban(accounts["admin"]), chunk_size=10)
    )
    for row in EnrollmentAmount.objects.filter(reevaluation=run):
        assert reevaluation.reevaluation_replay(row) == row.amount


def test_history_shows_every_amount_with_its_reason(catalog, accounts):
    make_enrollments(count=10, admin=accounts["admin"])
    run_all(reevaluation.reevaluation_start(standard=raise_urban(accounts["admin"]), chunk_size=10))
    enrollment = Enrollment.objects.filter(household__village__area="urban").first()
    reasons = list(enrollment.amounts.values_list("reason", flat=True))
    assert reasons == ["审批纳入保障", reevaluation.REASON]


def test_standard_added_through_the_api_queues_the_reevaluation(
    catalog, accounts, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(accounts["admin"])
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(
            "/api/v1/standards/",
            {
                "item": "dibao",
                "region": "371000",
                "area": "urban",
                "value": "850.00",
                "effective_from": "2022-01-01",
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert len(callbacks) == 1  # reevaluation_start.delay(standard id)
    bad = api.post(
        "/api/v1/standards/",
        {
            "item": "dibao",
            "region": "371000",
            "area": "urban",
            "value": "-1",
            "effective_from": "2022-02-01",
        },
        format="json",
    )
    assert bad.status_code == 400 and "value" in bad.json()
    caseworker = APIClient()
    caseworker.force_authenticate(accounts["caseworker"])
    assert (
        caseworker.post(
            "/api/v1/standards/",
            {
                "item": "dibao",
                "region": "371000",
                "area": "urban",
                "value": "900.00",
                "effective_from": "2022-03-01",
            },
            format="json",
        ).status_code
        == 403
    )


def test_a_lower_standard_opens_reviews_for_those_no_longer_eligible(catalog, accounts):
    from eligibility.models import Review

    make_enrollments(count=20, admin=accounts["admin"])
    before = dict(Enrollment.objects.values_list("pk", "monthly_amount"))
    standard = raise_urban(accounts["admin"], value="100")  # far below incomes of 150
    run = run_all(reevaluation.reevaluation_start(standard=standard, chunk_size=5))
    reviews = Review.objects.filter(kind="change", status="open")
    assert reviews.exists()
    assert all("重新核定" in r.reported_change for r in reviews)
    ineligible = sum(v["count"] for k, v in run.report.items() if k.endswith(":ineligible"))
    assert ineligible >= reviews.count() > 0
    # their amounts stay until a review decides
    for review in reviews:
        for e in review.household.enrollments.all():
            assert e.monthly_amount == before[e.pk]
    again = run_all(reevaluation.reevaluation_start(standard=standard, chunk_size=5))
    assert again.changed == 0
    assert Review.objects.filter(kind="change", status="open").count() == reviews.count()
