"""Two-factor login (issue 14 §6): TOTP for admin, approver and supervisor outside demo mode."""

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from applicants.demo import DEMO_PASSWORD
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

REQUIRED = ["admin", "approver", "supervisor"]
REGION = {"admin": None, "approver": "371002", "supervisor": "371000"}


@pytest.fixture
def two_factor_on(settings):
    """Production: demo off, the roles of the setting need a second factor."""
    settings.DEMO = False
    settings.OTP_REQUIRED_ROLES = REQUIRED


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def with_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def password_step(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.parametrize("role", REQUIRED)
def test_password_alone_does_not_log_in_a_role_that_needs_two_factors(
    client, make_user, two_factor_on, role
):
    user = make_user(role=role, region_code=REGION[role])
    with_device(user)
    response = password_step(client, user.username)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/otp/"
    # Not logged in: pages still send to the login page.
    assert client.get("/households/").status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", REQUIRED)
def test_a_valid_code_completes_the_login(client, make_user, two_factor_on, role):
    user = make_user(role=role, region_code=REGION[role])
    device = with_device(user)
    password_step(client, user.username)
    response = client.post("/accounts/login/otp/", {"otp": code_for(device)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/", follow=True).status_code == 200


def test_a_wrong_code_is_refused_in_chinese(client, make_user, two_factor_on):
    user = make_user(role="approver", region_code="371002")
    device = with_device(user)
    password_step(client, user.username)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/login/otp/", {"otp": wrong})
    assert response.status_code == 200
    assert "动态口令不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_code_is_not_accepted_twice(client, make_user, two_factor_on):
    user = make_user(role="approver", region_code="371002")
    device = with_device(user)
    code = code_for(device)
    password_step(client, user.username)
    client.post("/accounts/login/otp/", {"otp": code})
    other = type(client)()
    password_step(other, user.username)
    other.post("/accounts/login/otp/", {"otp": code})
    assert "_auth_user_id" not in other.session


def test_the_code_step_without_the_password_step_sends_back_to_login(client, two_factor_on):
    response = client.post("/accounts/login/otp/", {"otp": "123456"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_the_code_step_expires(client, make_user, two_factor_on, settings):
    user = make_user(role="approver", region_code="371002")
    device = with_device(user)
    password_step(client, user.username)
    session = client.session
    session["weijiuni_otp_pending"]["at"] -= settings.OTP_LOGIN_TIMEOUT_MINUTES * 60 + 1
    session.save()
    client.post("/accounts/login/otp/", {"otp": code_for(device)})
    assert "_auth_user_id" not in client.session


def test_a_required_role_without_a_device_sets_one_up_at_login(client, make_user, two_factor_on):
    user = make_user(role="supervisor", region_code="371000")
    password_step(client, user.username)
    page = client.get("/accounts/login/otp/").content.decode()
    assert "otpauth://totp/" in page
    assert "<svg" in page  # the QR code is drawn on the server, no CDN
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post("/accounts/login/otp/", {"otp": code_for(device)})
    assert int(client.session["_auth_user_id"]) == user.pk
    assert TOTPDevice.objects.get(user=user).confirmed


def test_other_roles_log_in_with_the_password_alone(client, make_user, two_factor_on):
    user = make_user(role="caseworker")
    response = password_step(client, user.username)
    assert response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == user.pk


def test_other_roles_may_add_a_second_factor_and_are_then_asked_for_it(
    client, make_user, two_factor_on
):
    user = make_user(role="caseworker")
    password_step(client, user.username)
    page = client.get("/accounts/two-factor/").content.decode()
    assert "otpauth://totp/" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/two-factor/", {"otp": code_for(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    client.post("/accounts/logout/")
    assert password_step(client, user.username)["Location"] == "/accounts/login/otp/"
    client.post("/accounts/login/otp/", {"otp": code_for(device, steps_ahead=1)})
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_session_without_the_second_factor_is_ended(client, make_user, two_factor_on):
    """The admin site's own login form or an old session: no verified device, no session."""
    user = make_user(role="admin", region_code=None, is_staff=True, is_superuser=True)
    client.force_login(user)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_the_admin_login_form_sends_to_ours(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


@pytest.mark.parametrize("username", REQUIRED)
def test_demo_mode_demo_accounts_log_in_with_the_password_alone(
    client, accounts, settings, username
):
    settings.DEMO = True
    settings.OTP_REQUIRED_ROLES = REQUIRED
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/", follow=True).status_code == 200


# --- the token endpoint ----------------------------------------------------------------------


def token(api, username, password=PASSWORD, **extra):
    return api.post(
        "/api/v1/auth/token/", {"username": username, "password": password, **extra}, format="json"
    )


def test_token_for_a_required_role_needs_the_code(make_user, two_factor_on):
    user = make_user(role="approver", region_code="371002")
    device = with_device(user)
    api = APIClient()
    response = token(api, user.username)
    assert response.status_code == 400
    assert "动态口令" in response.json()["otp"][0]
    response = token(api, user.username, otp=code_for(device))
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/households/").status_code == 200


def test_token_after_a_wrong_code_even_the_right_one_waits(make_user, two_factor_on):
    """django-otp backs off after each failure: guessing a 6-digit code takes years."""
    user = make_user(role="approver", region_code="371002")
    device = with_device(user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    assert token(APIClient(), user.username, otp=wrong).status_code == 400
    response = token(APIClient(), user.username, otp=code_for(device))
    assert response.status_code == 400
    assert "otp" in response.json()


def test_token_for_a_required_role_without_a_device_is_refused(make_user, two_factor_on):
    user = make_user(role="supervisor", region_code="371000")
    response = token(APIClient(), user.username, otp="123456")
    assert response.status_code == 400
    assert "设置动态口令" in response.json()["otp"][0]


def test_token_code_must_be_six_digits(make_user, two_factor_on):
    user = make_user(role="approver", region_code="371002")
    with_device(user)
    response = token(APIClient(), user.username, otp="12ab")
    assert response.status_code == 400
    assert "otp" in response.json()


def test_token_in_demo_mode_needs_no_code(accounts, settings):
    settings.DEMO = True
    settings.OTP_REQUIRED_ROLES = REQUIRED
    assert token(APIClient(), "approver", DEMO_PASSWORD).status_code == 200


def test_demo_mode_ignores_a_device_a_visitor_added_to_a_shared_account(client, accounts, settings):
    settings.DEMO = True
    with_device(accounts["caseworker"])
    response = client.post(
        "/accounts/login/", {"username": "caseworker", "password": DEMO_PASSWORD}
    )
    assert response["Location"] == "/"
    client.force_login(accounts["caseworker"])
    page = client.get("/accounts/two-factor/").content.decode()
    assert "演示模式下不使用动态口令" in page
    assert "otpauth://" not in page
