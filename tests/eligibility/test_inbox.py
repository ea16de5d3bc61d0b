"""The inbox: overdue first, scoped, with a bounded number of queries whatever the page size."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from applicants.models import Application, Household, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(accounts):
    """30 open cases in 张村镇 (one overdue) and 5 in 羊亭镇."""
    today = timezone.localdate()
    made = []
    for code, n in (("371002001002", 30), ("371002002002", 5)):
        village = Region.objects.get(code=code)
        for i in range(n):
            household = Household.objects.create(village=village)
            made.append(
                Application.objects.create(
                    household=household,
                    village=village,
                    channel="window",
                    state="accepted",
                    created_by=accounts["caseworker"],
                    due_on=today + dt.timedelta(days=5 + i),
                    case_due_on=today + dt.timedelta(days=30),
                )
            )
    late = made[7]
    Application.objects.filter(pk=late.pk).update(due_on=today - dt.timedelta(days=2))
    return made, late


def test_overdue_case_comes_first(client, accounts, cases):
    _, late = cases
    client.force_login(accounts["caseworker"])
    page = client.get("/cases/")
    assert list(page.context["page"].object_list)[0].pk == late.pk
    assert "超期" in page.content.decode()


def test_inbox_holds_only_own_township(client, accounts, cases):
    client.force_login(accounts["caseworker"])
    page = client.get("/cases/")
    assert page.context["page"].paginator.count == 30


@pytest.mark.parametrize("size", [5, 50])
def test_api_list_queries_are_bounded_whatever_the_page_size(
    accounts, cases, size, django_assert_max_num_queries
):
    api = APIClient()
    api.force_authenticate(accounts["caseworker"])
    with django_assert_max_num_queries(8):
        response = api.get(f"/api/v1/applications/?page_size={size}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(size, 30)


def test_inbox_page_queries_are_bounded(client, accounts, cases, django_assert_max_num_queries):
    client.force_login(accounts["caseworker"])
    # session, user, the scope's villages (issue 15: an indexed id list), count, the page's
    # ids (one read per part of "overdue first" the page reaches: three at most), its rows,
    # categories, villages, reviews, the page's dishonesty flags (one query), the audit row…
    with django_assert_max_num_queries(17):
        assert client.get("/cases/").status_code == 200


def test_supervisor_sees_the_overdue_case(client, accounts, cases):
    _, late = cases
    client.force_login(accounts["supervisor"])
    page = client.get("/oversight/overdue/")
    assert [a.pk for a in page.context["page"].object_list] == [late.pk]


def test_other_township_cannot_open_the_case(client, accounts, cases):
    made, _ = cases
    client.force_login(accounts["caseworker2"])
    assert client.get(f"/cases/{made[0].pk}/").status_code == 404
    api = APIClient()
    api.force_authenticate(accounts["caseworker2"])
    assert api.get(f"/api/v1/applications/{made[0].pk}/").status_code == 404


# --- "overdue first" read in parts (issue 15) -------------------------------------------------

STATES = ["accepted", "surveyed", "public_notice", "approved", "rejected", "draft"]


@pytest.fixture
def mixed(accounts):
    """40 cases of 张村镇 in open and closed states, with and without time limits, some past
    the next one, some past the case's, some past both; ties in the time limit."""
    today = timezone.localdate()
    village = Region.objects.get(code="371002001002")
    rows = []
    for i in range(40):
        due = None if i % 7 == 0 else today + dt.timedelta(days=(i % 9) - 4)
        case_due = None if i % 5 == 0 else today + dt.timedelta(days=(i % 11) - 3)
        rows.append(
            Application(
                household=Household.objects.create(village=village),
                village=village,
                channel="window",
                state=STATES[i % len(STATES)],
                created_by=accounts["caseworker"],
                due_on=due,
                case_due_on=case_due,
            )
        )
    Application.objects.bulk_create(rows)


@pytest.mark.parametrize(
    "query", ["", "state=accepted", "state=rejected", "overdue=1", "category=dibao"]
)
def test_every_page_of_the_parts_is_the_page_of_the_whole_order(accounts, mixed, query):
    """The inbox's pages, read part by part (skipping what the earlier parts hold), are the pages
    of the one ORDER BY the inbox means (overdue first, then the time limit, newest first)."""
    from django.http import QueryDict

    from applicants.paging import SegmentedList
    from eligibility import selectors

    params = selectors.InboxParams.from_query(QueryDict(query), user=accounts["caseworker"])
    assert params.sort == "due"
    whole = list(
        selectors.case_inbox_list(user=accounts["caseworker"], params=params).values_list(
            "pk", flat=True
        )
    )
    filters = {"state": params.state} if params.state else {"open": True}
    parts = selectors.application_segments(
        timezone.localdate(), {"overdue": True} if params.overdue else filters
    )
    ids = selectors.case_inbox_list(user=accounts["caseworker"], params=params)
    segmented = SegmentedList(ids.values_list("pk", flat=True), parts)
    for size in (1, 3, 7):
        pages = []
        for number in range(len(whole) // size + 2):
            pages += segmented[number * size : (number + 1) * size]
        assert pages == whole, (query, size)
    page = selectors.case_inbox_page(user=accounts["caseworker"], params=params, page=1)
    assert [a.pk for a in page.object_list] == whole[: selectors.INBOX_PAGE_SIZE]
