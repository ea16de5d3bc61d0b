"""Races with real concurrent transactions (threads with their own connections, meeting on a
barrier) and the answers that must not tell what the caller may not know."""

import datetime as dt
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from applicants.models import Application, Household, Person, Role
from tests.factories import id_number_for

NUMBER = id_number_for(91, birth=dt.date(1979, 4, 5), male=False)
SIX = 6


def together(work, n=SIX):
    """Run ``work(i)`` in ``n`` threads released at once; each has its own DB connection."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported by the test's assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def draft(**extra):
    return {
        "village": "371002001002",
        "members": [
            {
                "relation": "applicant",
                "name": "周玉兰",
                "id_number": NUMBER,
                "monthly_income": "100.00",
            }
        ],
        **extra,
    }


@pytest.mark.django_db(transaction=True)
def test_six_concurrent_drafts_with_one_key_make_one_application(accounts):
    user = accounts["caseworker"]
    results = together(
        lambda i: api(user).post(
            "/api/v1/applications/", draft(submission_key="k" * 32), format="json"
        )
    )
    codes = [getattr(r, "status_code", r) for r in results]
    assert codes == [201] * SIX, codes
    assert Application.objects.count() == 1
    assert {r.json()["id"] for r in results} == {Application.objects.get().pk}


@pytest.mark.django_db(transaction=True)
def test_six_concurrent_page_submissions_with_one_key_file_once(client, accounts):
    user = accounts["caseworker"]
    post = {
        "size": "1",
        "village": "371002001002",
        "m0-relation": "applicant",
        "m0-name": "周玉兰",
        "m0-id_number": NUMBER,
        "m0-monthly_income": "100",
        "m0-signed": "on",
        "submission_key": "p" * 32,
        "action": "submit",
    }

    def submit(i):
        from django.test import Client

        c = Client()
        c.force_login(user)
        return c.post("/apply/", post)

    results = together(submit)
    codes = [getattr(r, "status_code", r) for r in results]
    assert codes == [302] * SIX, codes
    application = Application.objects.get()
    assert application.state == "submitted"
    assert {r["Location"] for r in results} == {f"/applications/{application.pk}/"}
    assert Household.objects.count() == 1
    assert Person.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_six_concurrent_registrations_of_one_new_id_make_one_household(accounts):
    user = accounts["caseworker"]
    payload = {"village": "371002001002", "members": draft()["members"]}
    results = together(lambda i: api(user).post("/api/v1/households/", payload, format="json"))
    codes = sorted(getattr(r, "status_code", r) for r in results)
    assert codes == [201] + [400] * (SIX - 1), codes
    for r in results:
        if r.status_code == 400:
            assert r.json()["members"][0]["id_number"]
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_another_users_submission_key_is_a_404_on_the_api(accounts, make_user):
    mine = api(accounts["caseworker"]).post(
        "/api/v1/applications/", draft(submission_key="s" * 32), format="json"
    )
    assert mine.status_code == 201
    other = make_user(Role.CASEWORKER, "371002001")
    response = api(other).post(
        "/api/v1/applications/", draft(submission_key="s" * 32), format="json"
    )
    assert response.status_code == 404
    assert str(mine.json()["id"]) not in response.content.decode()
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_another_users_submission_key_does_not_reveal_the_application_on_the_page(
    client, accounts, make_user
):
    mine = api(accounts["caseworker"]).post(
        "/api/v1/applications/", draft(submission_key="t" * 32), format="json"
    )
    pk = mine.json()["id"]
    client.force_login(make_user(Role.CASEWORKER, "371002001"))
    response = client.post(
        "/apply/",
        {
            "size": "1",
            "village": "371002001002",
            "m0-relation": "applicant",
            "m0-name": "周玉兰",
            "m0-id_number": NUMBER,
            "m0-monthly_income": "100",
            "submission_key": "t" * 32,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"/apply/{pk}/" not in page and f"/applications/{pk}/" not in page
    assert "提交凭据无效" in page
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_duplicate_id_message_does_not_tell_a_citizen(accounts, household_in, client):
    existing = household_in("371002002001").members.get()  # another township's household
    citizen = accounts["citizen"]
    filed = api(citizen).post(
        "/api/v1/applications/",
        draft(members=[{**draft()["members"][0], "id_number": existing.id_number}]),
        format="json",
    )
    assert filed.status_code == 201, filed.content
    response = api(citizen).post(
        f"/api/v1/applications/{filed.json()['id']}/submit/", {}, format="json"
    )
    assert response.status_code == 400
    message = response.json()["members"][0]["id_number"][0]
    assert "已登记" not in message and "其他家庭" not in message


@pytest.mark.django_db
def test_duplicate_id_message_tells_staff_in_scope(accounts, household_in):
    existing = household_in("371002001001").members.get()
    payload = {
        "village": "371002001002",
        "members": [{**draft()["members"][0], "id_number": existing.id_number}],
    }
    in_scope = api(accounts["caseworker"]).post("/api/v1/households/", payload, format="json")
    assert "已登记在其他家庭" in in_scope.json()["members"][0]["id_number"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/enrollments/", "/api/v1/reviews/"])
def test_household_filter_answers_alike_for_unknown_and_out_of_scope(accounts, household_in, url):
    elsewhere = household_in("371002002001")  # 羊亭镇: outside 张村镇's caseworker
    client = api(accounts["caseworker"])
    out_of_scope = client.get(url, {"household": elsewhere.pk})
    unknown = client.get(url, {"household": elsewhere.pk + 1000})
    assert out_of_scope.status_code == unknown.status_code == 200
    assert out_of_scope.json() == unknown.json()
