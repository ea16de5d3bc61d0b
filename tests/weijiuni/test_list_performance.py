"""Every list and page stays an index read at a city's scale (issue 15).

- EXPLAIN of every query of every list and page, for every role, over 100,000 households
  (bench.api's generator, in this test's transaction): no sequential scan of a big table.
- Query counts pinned per list and page (no query per row).
- Bad input: a page number, a cursor edited or taken to another list, a huge page size, an
  unknown filter value — a clear 400 or a bounded answer.
- The keyset pages walk the whole list in the list's order, without a row twice or missed,
  forward and back, and the applications keep "overdue first".
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from applicants.models import User

#: the tables that grow with the city: a sequential scan of one of them is a full read
BIG_TABLES = {
    "applicants_household",
    "applicants_person",
    "applicants_application",
    "applicants_applicationtransition",
    "eligibility_enrollment",
    "eligibility_enrollmentamount",
    "eligibility_review",
    "eligibility_assessment",
    "eligibility_decision",
}
ROLES = ["admin", "supervisor", "approver", "caseworker", "village", "citizen"]
API_LISTS = [
    "/api/v1/households/",
    "/api/v1/households/?region=371002001",
    "/api/v1/households/?q=王伟",
    "/api/v1/applications/",
    "/api/v1/applications/?open=true",
    "/api/v1/applications/?overdue=true",
    "/api/v1/applications/?state=rejected",
    "/api/v1/enrollments/",
    "/api/v1/enrollments/?status=stopped",
    "/api/v1/enrollments/?policy_code=tekun",
    "/api/v1/enrollments/?household=5",
    "/api/v1/reviews/",
    "/api/v1/reviews/?status=open",
    "/api/v1/reviews/?kind=change",
    "/api/v1/payment-lines/",
    "/api/v1/receivables/",
    "/api/v1/verification-requests/",
]
PAGES = {
    "admin": ["/cases/", "/households/", "/oversight/overdue/", "/households/?page=99"],
    "supervisor": ["/cases/", "/households/", "/oversight/overdue/"],
    "approver": ["/cases/", "/households/", "/oversight/overdue/", "/cases/?page=40"],
    "caseworker": ["/cases/", "/cases/?overdue=1", "/households/", "/households/?q=王"],
    "village": ["/cases/", "/households/"],
    "citizen": ["/my/"],
}
SET_CONFIG = re.compile(r"^SELECT set_config\('pghistory.*?', true\); ", re.DOTALL)


def _plan_seq_scans(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = []

    def walk(node):
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
            found.append(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def _selects(queries) -> list[str]:
    out = []
    for query in queries:
        sql = SET_CONFIG.sub("", query["sql"])
        if sql.lstrip().upper().startswith("SELECT") and "set_config(" not in sql:
            out.append(sql)
    return out


@pytest.fixture
def city(db, settings):
    """100,000 households as bench.api makes them (enrolled, every state, members, ledger,
    reviews), analysed so that the planner sees a city, not an empty test database."""
    from bench import api as bench_api

    bench_api.generate(100_000, vacuum=False)
    settings.EXACT_COUNT_LIMIT = 1000
    return {u.username: u for u in User.objects.filter(username__in=ROLES)}


def test_every_list_and_page_reads_indexes_at_100000_households(city, client):
    scans = []
    for role in ROLES:
        user = city[role]
        api = APIClient()
        api.force_authenticate(user)
        client.force_login(user)
        urls = list(API_LISTS)
        for url in API_LISTS[:4] + ["/api/v1/enrollments/", "/api/v1/reviews/"]:
            # a page deep in the list, reached by its cursor
            first = api.get(url, {"page_size": 25})
            assert first.status_code == 200, (role, url, first.content[:200])
            if first.json()["next"]:
                urls.append(first.json()["next"])
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                response = api.get(url)
            assert response.status_code == 200, (role, url, response.content[:300])
            scans += [
                (role, url, t, sql[:300]) for sql in _selects(ctx) for t in _plan_seq_scans(sql)
            ]
        for url in PAGES[role]:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, (role, url)
            scans += [
                (role, url, t, sql[:300]) for sql in _selects(ctx) for t in _plan_seq_scans(sql)
            ]
    assert scans == [], "\n".join(map(str, scans))
