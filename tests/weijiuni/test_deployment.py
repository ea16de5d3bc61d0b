"""Deployment hardening (issue 14 §6): HTTPS settings, check --deploy, CSP, no-store."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from applicants.demo import DEMO_PASSWORD

BASE = Path(django_settings.BASE_DIR)

#: what a real deployment sets (docker-compose.yml / .env.example): demo and DEBUG off, a long
#: random secret, its host name, and the TLS proxy in front of it
PRODUCTION_ENV = {
    "DEBUG": "false",
    "WEIJIUNI_DEMO": "false",
    "SECRET_KEY": "k3#Vx9!pL2@wZ8$nR5^tY1&uB7*mC4(eD6)fG0_hJ-iK+oN=sQ%rT",
    "ALLOWED_HOSTS": "weijiuni.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://weijiuni.example.gov.cn",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


def manage(*args, **env):
    """Run manage.py in a process of its own: settings are read once, from this environment."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k in {"PATH", "HOME", "DATABASE_URL", "CELERY_BROKER_URL", "REDIS_CACHE_URL"}
    }
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env={**clean, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_check_deploy_is_clean_on_production_settings():
    """On a migrated database whose holiday calendar is loaded (applicants.W001 is about that
    data, not about the settings), as a running deployment has it."""
    import datetime as dt
    from urllib.parse import quote

    from django.db import connection
    from django.utils import timezone

    from applicants.models import HolidayCalendarYear

    today = timezone.localdate()
    for year in range(today.year, (today + dt.timedelta(days=366)).year + 1):
        HolidayCalendarYear.objects.get_or_create(year=year, defaults={"source": "test"})
    db = connection.settings_dict
    auth = db["USER"] + (f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else "")
    database_url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    result = manage("check", "--deploy", "--fail-level", "WARNING", DATABASE_URL=database_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_https_settings_come_from_the_environment():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0", SESSION_COOKIE_SECURE="false",
    )  # fmt: skip
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012"):
        assert warning in result.stderr


def test_production_defaults_are_secure_and_demo_relaxes_them():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
    )
    production = manage("shell", "--no-imports", "-c", code, SECURE_PROXY_SSL_HEADER="")
    assert production.stdout.split() == ["True", "31536000", "True", "True", "True", "None"]
    proxied = manage("shell", "--no-imports", "-c", code)
    assert "('HTTP_X_FORWARDED_PROTO', 'https')" in proxied.stdout
    demo = manage(
        "shell", "--no-imports", "-c", code, WEIJIUNI_DEMO="true", SECURE_PROXY_SSL_HEADER=""
    )
    assert demo.stdout.split() == ["False", "0", "False", "False", "False", "None"]


# --- in-process: the headers ------------------------------------------------------------------


@pytest.fixture
def https(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.django_db
def test_plain_http_is_redirected_but_the_health_probe_is_not(client, https):
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


@pytest.mark.django_db
def test_hsts_is_sent_over_https(client, https):
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_pages_carry_a_nonce_csp_and_their_scripts_the_nonce(client, accounts):
    client.force_login(accounts["supervisor"])
    response = client.get("/dashboard/")
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    executable = [s for s in scripts if "application/json" not in s]
    assert executable and all(f'nonce="{nonce}"' in s for s in executable)


@pytest.mark.django_db
def test_every_response_names_the_browser_features_it_does_not_use(client):
    response = client.get("/accounts/login/")
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_no_store_on_pages_for_a_logged_in_user(client, accounts):
    client.force_login(accounts["caseworker"])
    assert "no-store" in client.get("/households/")["Cache-Control"]


@pytest.mark.django_db
def test_no_store_on_api_responses(accounts):
    api = APIClient()
    response = api.post(
        "/api/v1/auth/token/", {"username": "caseworker", "password": DEMO_PASSWORD}, format="json"
    )
    assert "no-store" in response["Cache-Control"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert "no-store" in api.get("/api/v1/households/")["Cache-Control"]
    anonymous = APIClient().get("/api/v1/households/")
    assert "no-store" in anonymous["Cache-Control"]


@pytest.mark.django_db
def test_no_store_on_document_downloads(client, accounts, settings, tmp_path):
    from applicants.documents import document_attach
    from applicants.models import Application, Household, Region

    settings.MEDIA_ROOT = tmp_path
    village = Region.objects.get(code="371002001002")
    application = Application.objects.create(
        household=Household.objects.create(village=village),
        village=village,
        channel="window",
        created_by=accounts["caseworker"],
    )
    doc = document_attach(
        application=application,
        kind="id_card",
        upload=SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        by=accounts["caseworker"],
    )
    client.force_login(accounts["caseworker"])
    response = client.get(f"/documents/{doc.pk}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_public_pages_without_personal_data_stay_cacheable(client):
    assert "no-store" not in client.get("/policies/").get("Cache-Control", "")


# --- the templates ---------------------------------------------------------------------------

TEMPLATES = sorted((BASE / "templates").rglob("*.html"))
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(BASE)))
def test_templates_have_no_inline_script_and_no_inline_handler(path):
    text = path.read_text()
    assert not INLINE_HANDLER.search(text), "inline event handler: move it to static/js/"
    assert "javascript:" not in text.lower()
    for attributes in SCRIPT_TAG.findall(text):
        assert "src=" in attributes, "inline <script>: move it to static/js/"
        assert "nonce=" in attributes
