"""Schemathesis over ``/api/schema/`` for every role: no 5xx, no response the schema does not
document (status code, content type, body). Bounded: a few examples per operation and mode,
so the whole fuzz part stays well under two minutes; run it alone with ``-m fuzz``."""

from __future__ import annotations

import contextlib
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

ROLES = [
    None,  # anonymous
    "citizen",
    "village",
    "caseworker",
    "approver",
    "supervisor",
    "department",
    "organization",
    "admin",
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: examples per operation and generation mode, per role (FUZZ_EXAMPLES=50 for a deeper run)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Regions, the demo accounts with API tokens, the policy catalogue and a few households:
    seeded once for the module inside a transaction that is rolled back at its end."""
    from applicants import demo
    from eligibility import demo as eligibility_demo
    from weijiuni import demo as hub_demo

    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), _connections_kept_open(), fast_hashing:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo.seed_regions()
            demo.seed_accounts()
            eligibility_demo.seed()
            demo.seed_households(count=12)
            # the hub (issue 12): resources, organizations and projects, staff and training
            hub_demo.seed_catalog()
            hub_demo.seed_organizations()
            hub_demo.seed_staff()
            tokens = {u.username: AuthToken.objects.create(user=u)[1] for u in _users()}
            schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
            # Built once and shared by the roles: building a strategy costs more than a request.
            strategies = [
                (operation.label, mode, operation.as_strategy(generation_mode=mode))
                for operation in (result.ok() for result in schema.get_all_operations())
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            ]
            yield strategies, tokens
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@contextlib.contextmanager
def _connections_kept_open():
    """A WSGI request closes the database connection when it ends; here that connection holds
    the module's transaction, so (like Django's test client) the fuzzer's requests keep it."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


def _users():
    from applicants.models import User

    return User.objects.filter(username__in=[r for r in ROLES if r])


def _fuzz(label, mode, strategy, headers, failures):
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        # negative mode only: the schema admits every value of every parameter (a lookup by
        # any string, no body), so there is no invalid request to make — nothing to test
        if mode is not GenerationMode.NEGATIVE:
            failures.append(f"{label} [{mode.value}]: no request could be generated")
    except BaseException as exc:  # every failure is collected, and reported at the end
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        failures.append(f"{label} [{mode.value}]: {exc}")


@pytest.mark.parametrize("role", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_api_answers_every_role_within_its_schema(world, role, settings_throttles_off):
    strategies, tokens = world
    headers = {"Authorization": f"Token {tokens[role]}"} if role else {}
    failures: list[str] = []
    for label, mode, strategy in strategies:
        _fuzz(label, mode, strategy, headers, failures)
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def settings_throttles_off(settings):
    """The fuzzer is one client sending hundreds of requests; rate limits are tested elsewhere."""
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, "100000/minute"),
    }
