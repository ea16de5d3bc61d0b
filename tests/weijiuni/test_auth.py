"""Login, lockout and the token contract (issue 2)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from applicants.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

START_PAGES = {
    "admin": "/dashboard/",
    "caseworker": "/cases/",
    "approver": "/cases/",
    "supervisor": "/dashboard/",
    "department": "/department/",
    "organization": "/organization/",
    "citizen": "/my/",
    "village": "/cases/",
}


@pytest.mark.parametrize("username", sorted(START_PAGES))
def test_demo_account_lands_on_its_start_page(client, accounts, username):
    response = client.post(
        "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == START_PAGES[username]
    assert response.status_code == 200


@pytest.mark.parametrize("username", sorted(set(START_PAGES) - {"citizen"}))
def test_the_applicants_own_page_sends_staff_to_their_start_page(client, accounts, username):
    # /my/ is the applicant's household; for staff it showed their scope's first household as
    # "mine" and rendered every application of the scope (the whole city for the administrator)
    client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    response = client.get("/my/", follow=True)
    assert response.redirect_chain[-1][0] == START_PAGES[username]
    assert "我的家庭" not in response.content.decode()


def test_wrong_password_shows_chinese_error(client, accounts):
    response = client.post("/accounts/login/", {"username": "caseworker", "password": "nope"})
    assert "用户名或密码不正确" in response.content.decode()


def test_six_wrong_passwords_lock_the_account(client, accounts):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "caseworker", "password": "wrong-password"})
    response = client.post(
        "/accounts/login/", {"username": "caseworker", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_lockout_is_per_username(client, accounts):
    for _ in range(6):
        client.post("/accounts/login/", {"username": "caseworker", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": "approver", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_token_contract(accounts):
    api = APIClient()
    response = api.post(
        "/api/v1/auth/token/", {"username": "caseworker", "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/households/").status_code == 200


def test_token_with_wrong_password_is_a_400(accounts):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "caseworker", "password": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_token_lockout_applies(accounts):
    api = APIClient()
    for _ in range(5):
        api.post("/api/v1/auth/token/", {"username": "approver", "password": "x"}, format="json")
    response = api.post(
        "/api/v1/auth/token/", {"username": "approver", "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]


def test_token_requires_both_fields(accounts):
    response = APIClient().post("/api/v1/auth/token/", {"username": "a"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


@pytest.mark.parametrize("password", ["short-1", "password1234", "123456789012"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_long_uncommon_password_is_accepted():
    validate_password("Weihai-helps-families-2020")


def test_logout_ends_the_session(client, accounts):
    client.post("/accounts/login/", {"username": "caseworker", "password": DEMO_PASSWORD})
    client.post("/accounts/logout/")
    assert client.get("/households/").status_code == 302
