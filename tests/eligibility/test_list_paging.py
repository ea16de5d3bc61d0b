"""Keyset pages, bounded counts and pages, bad paging input, query counts (issue 15).

The big-data side (EXPLAIN of every list at 100,000 households) is
tests/weijiuni/test_list_performance.py.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import signing
from django.utils import timezone
from rest_framework.test import APIClient

from applicants.models import Application, Household, Region
from eligibility.models import Enrollment, Review
from eligibility.selectors import application_list
from tests.eligibility.enrollments import make_enrollments
from tests.factories import HouseholdFactory, PersonFactory


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _walk(client, url: str, params: dict) -> tuple[list[int], list[dict]]:
    """Every page from ``url`` following ``next``: the ids in order, and each page's body."""
    ids, bodies = [], []
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        bodies.append(body)
        ids += [row["id"] for row in body["results"]]
        if not body["next"]:
            return ids, bodies
        response = client.get(body["next"])


@pytest.fixture
def households(accounts):
    village = Region.objects.get(code="371002001002")
    made = []
    for _ in range(23):
        household = HouseholdFactory(village=village)
        PersonFactory(household=household)
        made.append(household.pk)
    return made


def test_cursor_pages_walk_every_household_once_in_order_and_back(accounts, households):
    client = api(accounts["caseworker"])
    ids, bodies = _walk(client, "/api/v1/households/", {"page_size": 5})
    assert ids == sorted(households, reverse=True)
    assert [len(b["results"]) for b in bodies] == [5, 5, 5, 5, 3]
    assert all(b["count"] == 23 and b["count_exact"] for b in bodies)
    assert bodies[0]["previous"] is None
    # back from the last page: the same pages, in reverse
    back, response = [], client.get(bodies[-1]["previous"])
    while True:
        body = response.json()
        back = [row["id"] for row in body["results"]] + back
        if not body["previous"]:
            break
        response = client.get(body["previous"])
    assert back == ids[:-3]


def test_a_row_added_while_paging_neither_repeats_nor_hides_a_row(accounts, households):
    """Keyset, not offset: a household registered between two pages shifts nothing."""
    client = api(accounts["caseworker"])
    first = client.get("/api/v1/households/", {"page_size": 10}).json()
    HouseholdFactory(village=Region.objects.get(code="371002001002"))
    rest, _ = _walk(client, first["next"], {})
    seen = [row["id"] for row in first["results"]] + rest
    assert seen == sorted(households, reverse=True)


def test_applications_keep_overdue_first_across_pages(accounts):
    """The list's order is unchanged: overdue first, then by time limit (none last), the
    newest first among equals — now read as four index-ordered parts."""
    today = timezone.localdate()
    village = Region.objects.get(code="371002001002")
    creator = accounts["caseworker"]
    specs = [
        ("accepted", -3, 10),  # overdue by its time limit
        ("verifying", 2, -1),  # overdue by its case time limit only
        ("submitted", None, -2),  # overdue, no step limit
        ("rejected", -5, None),  # closed, a limit in the past: not overdue
        ("accepted", 1, 20),
        ("accepted", 1, 20),  # a tie on the time limit: the newest first
        ("surveyed", 4, 25),
        ("draft", None, None),
        ("enrolled", None, None),
        ("withdrawn", None, None),
        ("accepted", -1, 5),
    ]
    for state, due, case_due in specs:
        Application.objects.create(
            village=village,
            state=state,
            created_by=creator,
            due_on=today + dt.timedelta(days=due) if due is not None else None,
            case_due_on=today + dt.timedelta(days=case_due) if case_due is not None else None,
        )
    client = api(accounts["caseworker"])
    ids, _ = _walk(client, "/api/v1/applications/", {"page_size": 2})
    # the order the list had before issue 15, by the CASE annotation
    expected = list(application_list(user=accounts["caseworker"]).values_list("pk", flat=True))
    assert ids == expected
    assert len(ids) == len(specs)
    overdue = [a["overdue"] for a in client.get("/api/v1/applications/").json()["results"]]
    assert overdue == sorted(overdue, reverse=True) and overdue.count(True) == 4


def test_lists_do_not_nest_history_the_detail_does(catalog, accounts):
    make_enrollments(count=3, admin=accounts["admin"])
    client = api(accounts["admin"])
    row = client.get("/api/v1/enrollments/").json()["results"][0]
    assert "amounts" not in row
    assert "amounts" in client.get(f"/api/v1/enrollments/{row['id']}/").json()


def test_enrollments_and_reviews_carry_their_households_village(catalog, accounts):
    """Kept by the database: on insert, and when the household moves."""
    made = make_enrollments(count=4, admin=accounts["admin"])
    assert made
    for enrollment in Enrollment.objects.select_related("household"):
        assert enrollment.village_id == enrollment.household.village_id
    household = Enrollment.objects.first().household
    review = Review.objects.create(household=household, kind="change", due_on=dt.date(2027, 1, 1))
    review.refresh_from_db()
    assert review.village_id == household.village_id
    elsewhere = Region.objects.get(code="371082001001")
    Household.objects.filter(pk=household.pk).update(village=elsewhere)
    assert set(
        Enrollment.objects.filter(household=household).values_list("village_id", flat=True)
    ) == {elsewhere.pk}
    review.refresh_from_db()
    assert review.village_id == elsewhere.pk
    # and so the scope follows: 张村镇's caseworker no longer sees them, 崖头街道's does
    assert not api(accounts["caseworker"]).get(f"/api/v1/reviews/{review.pk}/").status_code == 200


def test_counts_are_exact_while_small_and_estimated_and_labelled_beyond(
    accounts, households, settings
):
    settings.EXACT_COUNT_LIMIT = 5
    body = api(accounts["caseworker"]).get("/api/v1/households/").json()
    assert body["count_exact"] is False and body["count"] >= 6
    settings.EXACT_COUNT_LIMIT = 1000
    body = api(accounts["caseworker"]).get("/api/v1/households/").json()
    assert body["count_exact"] is True and body["count"] == 23


def test_an_estimate_is_kept_a_minute_and_shared_by_readers_of_the_same_rows_only(
    accounts, households, settings
):
    """Past the exact limit the bounded count and the EXPLAIN ran on every request and every
    page turned (most of the database's work behind a list, issue 15): the estimate is kept
    for ``ESTIMATED_COUNT_SECONDS`` under the list's SQL, so another scope or filter is
    counted on its own; an exact count is never kept."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counting(client, url):
        with CaptureQueriesContext(connection) as seen:
            body = client.get(url).json()
        sql = [q["sql"] for q in seen.captured_queries]
        return body, sum("COUNT(*)" in q or "EXPLAIN" in q for q in sql)

    settings.EXACT_COUNT_LIMIT = 5
    caseworker, admin = api(accounts["caseworker"]), api(accounts["admin"])
    body, counts = counting(caseworker, "/api/v1/households/?page_size=3")
    assert body["count_exact"] is False and counts == 2  # the bounded count, the EXPLAIN
    again, counts = counting(caseworker, "/api/v1/households/?page_size=3")
    assert counts == 0 and again["count"] == body["count"] and again["count_exact"] is False
    _next, counts = counting(caseworker, body["next"])  # a page turned: the same list
    assert counts == 0
    _admin, counts = counting(admin, "/api/v1/households/?page_size=3")  # another scope
    assert counts == 2

    settings.EXACT_COUNT_LIMIT = 1000  # small again: exact, counted every time, never kept
    for _ in range(2):
        body, counts = counting(caseworker, "/api/v1/households/?page_size=3")
        assert body["count_exact"] is True and body["count"] == 23 and counts == 1
    HouseholdFactory(village=Region.objects.get(code="371002001002"))
    assert caseworker.get("/api/v1/households/").json()["count"] == 24


# --- bad input ------------------------------------------------------------------------------


def test_a_page_number_is_refused_with_a_clear_400(accounts, households):
    client = api(accounts["caseworker"])
    response = client.get("/api/v1/households/", {"page": 2})
    assert response.status_code == 400
    assert "cursor" in response.json()["page"][0]
    assert client.get("/api/v1/households/", {"page": 1}).status_code == 200
    assert client.get("/api/v1/households/", {"page": 999999999}).status_code == 400


def test_a_tampered_cursor_is_a_400_never_a_scan(accounts, households):
    client = api(accounts["caseworker"])
    next_url = client.get("/api/v1/households/", {"page_size": 5}).json()["next"]
    cursor = re.search(r"cursor=([^&]+)", next_url).group(1)
    from urllib.parse import unquote

    cursor = unquote(cursor)
    forged = signing.dumps({"s": 0, "v": [1], "r": False, "o": '[["id", true]]'}, salt="other")
    for bad in (
        cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"),  # signature broken
        "abc",
        "x" * 5000,  # too long to even check
        forged,
        "\u0000",
    ):
        response = client.get("/api/v1/households/", {"cursor": bad})
        assert response.status_code == 400, bad[:40]
        assert "cursor" in response.json()
    # a cursor of one list is refused by a list of another order
    review_cursor = client.get("/api/v1/households/", {"page_size": 1}).json()["next"]
    taken = unquote(re.search(r"cursor=([^&]+)", review_cursor).group(1))
    assert client.get("/api/v1/reviews/", {"cursor": taken}).status_code == 400


def test_a_huge_page_size_is_answered_with_the_largest_page(accounts, households):
    client = api(accounts["caseworker"])
    body = client.get("/api/v1/households/", {"page_size": 1_000_000}).json()
    assert len(body["results"]) == 23  # all there are, at most 200
    for bad in ("0", "-1", "abc", "1e9"):
        response = client.get("/api/v1/households/", {"page_size": bad})
        assert response.status_code == 400, bad
        assert "page_size" in response.json()


def test_an_unknown_filter_value_is_a_400_or_an_empty_list(accounts, households):
    client = api(accounts["caseworker"])
    assert client.get("/api/v1/enrollments/", {"status": "nonsense"}).status_code == 400
    body = client.get("/api/v1/enrollments/", {"policy_code": "x" * 40}).json()
    assert body["results"] == [] and body["count"] == 0
    # an ID tail too short to be an index range still answers, boundedly
    assert client.get("/api/v1/households/", {"q": "1"}).status_code == 200


def test_a_page_past_the_end_shows_the_last_page_allowed(accounts, client, settings):
    settings.PAGE_MAX_NUMBER = 2
    village = Region.objects.get(code="371002001002")
    for _ in range(80):
        PersonFactory(household=HouseholdFactory(village=village))
    client.force_login(accounts["caseworker"])
    page = client.get("/households/", {"page": 100000})
    assert page.status_code == 200
    assert page.context["page"].number == 2
    assert "只列出前 2 页" in page.content.decode()
    assert client.get("/households/", {"page": "abc"}).context["page"].number == 1


# --- query counts ---------------------------------------------------------------------------

#: the most queries each list may make, whatever its length (session, user, scope, page,
#: prefetches, bounded count, estimate, access log)
LIST_QUERIES = {
    "/api/v1/households/": 12,
    "/api/v1/applications/": 11,
    "/api/v1/enrollments/": 11,
    "/api/v1/reviews/": 11,
    "/api/v1/payment-lines/": 11,
    "/api/v1/receivables/": 11,
}
#: the dashboard reads the summary rows once per chart (eleven charts), whatever the rows
PAGE_QUERIES = {"/cases/": 18, "/households/": 16, "/oversight/overdue/": 12, "/dashboard/": 28}


@pytest.mark.parametrize("url,most", LIST_QUERIES.items())
def test_list_query_count_does_not_grow_with_rows(
    catalog, accounts, url, most, settings, django_assert_max_num_queries
):
    settings.EXACT_COUNT_LIMIT = 5  # the estimate's EXPLAIN is counted too
    make_enrollments(count=24, admin=accounts["admin"])
    for role in ("admin", "supervisor", "approver", "caseworker"):
        client = api(accounts[role])
        with django_assert_max_num_queries(most):
            assert client.get(url, {"page_size": 20}).status_code == 200


@pytest.mark.parametrize("url,most", PAGE_QUERIES.items())
def test_page_query_count_does_not_grow_with_rows(
    catalog, accounts, client, url, most, django_assert_max_num_queries
):
    make_enrollments(count=24, admin=accounts["admin"])
    for role in ("admin", "supervisor"):
        client.force_login(accounts[role])
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200
