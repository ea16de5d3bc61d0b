"""API tokens (issue 14 §6): stored hashed, expiring, revocable, not in the admin."""

from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from applicants.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def issue(api=None, username="caseworker"):
    api = api or APIClient()
    response = api.post(
        "/api/v1/auth/token/", {"username": username, "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def authed(token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_the_database_keeps_only_a_digest_of_the_token(accounts):
    token = issue()
    stored = AuthToken.objects.get(user__username="caseworker")
    assert token not in stored.digest
    assert stored.digest != token
    assert len(stored.digest) == 128  # SHA-512, hex


def test_the_token_expires_after_the_setting(accounts, settings):
    token = issue()
    stored = AuthToken.objects.get(user__username="caseworker")
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    assert abs(stored.expiry - (timezone.now() + ttl)) < timedelta(minutes=1)
    AuthToken.objects.filter(pk=stored.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert authed(token).get("/api/v1/households/").status_code == 401


def test_logout_revokes_this_token_only(accounts):
    first, second = issue(), issue()
    assert authed(first).post("/api/v1/auth/logout/").status_code == 204
    assert authed(first).get("/api/v1/households/").status_code == 401
    assert authed(second).get("/api/v1/households/").status_code == 200


def test_logout_all_revokes_every_token_of_the_user_and_no_one_elses(accounts):
    first, second = issue(), issue()
    other = issue(username="approver")
    assert authed(first).post("/api/v1/auth/logout-all/").status_code == 204
    assert authed(first).get("/api/v1/households/").status_code == 401
    assert authed(second).get("/api/v1/households/").status_code == 401
    assert authed(other).get("/api/v1/households/").status_code == 200


def test_logout_without_a_token_is_a_401(accounts):
    assert APIClient().post("/api/v1/auth/logout/").status_code == 401


def test_a_made_up_token_is_a_401(accounts):
    assert authed("0" * 64).get("/api/v1/households/").status_code == 401


def test_tokens_per_user_are_capped_oldest_first(accounts, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 3}
    tokens = [issue() for _ in range(4)]
    assert AuthToken.objects.filter(user__username="caseworker").count() == 3
    assert authed(tokens[0]).get("/api/v1/households/").status_code == 401
    assert authed(tokens[-1]).get("/api/v1/households/").status_code == 200


def test_the_admin_does_not_list_tokens(client, accounts):
    issue()
    client.force_login(accounts["admin"])
    assert client.get("/admin/knox/authtoken/").status_code == 404
    assert "authtoken" not in client.get("/admin/").content.decode().lower()


def test_the_admin_does_not_show_a_totp_key(client, accounts):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=accounts["caseworker"], name="TOTP", confirmed=True)
    client.force_login(accounts["admin"])
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page


def test_the_schema_documents_the_token_endpoints_without_warnings(accounts):
    import subprocess
    import sys

    result = subprocess.run(  # noqa: S603 - our own manage.py with a fixed argument list
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for path in ("/api/v1/auth/token/", "/api/v1/auth/logout/", "/api/v1/auth/logout-all/"):
        assert path in result.stdout
