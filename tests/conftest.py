import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from applicants import demo
from applicants.models import Role
from tests.factories import HouseholdFactory, PersonFactory, UserFactory

PASSWORD = "Correct-horse-battery-9"

# Property tests assert what is computed, not how fast: Hypothesis's 200 ms deadline per example
# failed a validator test on a loaded 2-core machine (the first example pays the imports)
hypothesis_settings.register_profile("weijiuni", deadline=None)
hypothesis_settings.load_profile("weijiuni")


@pytest.fixture(scope="session", autouse=True)
def _plain_http_test_server():
    """The test client and the live server speak plain HTTP; production redirects to HTTPS."""
    from django.test.utils import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(autouse=True)
def _password_alone_logs_in(settings):
    """A force_login or a password login stands for a finished login in tests of other things;
    tests/weijiuni/test_two_factor.py switches the second factor on (settings.OTP_REQUIRED_ROLES).
    """
    settings.OTP_REQUIRED_ROLES = []


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Demo accounts are hashed per test; PBKDF2's cost is not what these tests measure."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _chinese_first():
    """A request in English leaves English active in this thread; each test starts in zh-hans."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


#: data migrations whose rows every test expects (a transactional test empties the tables)
DATA_MIGRATIONS = [
    ("applicants.migrations.0004_time_limit_defaults", "load"),
    ("applicants.migrations.0006_ledger", "advance_file_days"),
    ("applicants.migrations.0011_answer_time_limits", "answer_days"),
    ("applicants.migrations.0011_acceptance_time_limit", "load"),
]


@pytest.fixture(autouse=True)
def _data_migration_rows(request):
    """A transactional test (threads, live server) starts from tables emptied by the previous
    one: put the data migrations' rows back, as a fresh migrate would have them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttles and lockouts live in Redis; every test starts with none."""
    cache.clear()
    yield


@pytest.fixture
def regions(db):
    return demo.seed_regions()


@pytest.fixture
def accounts(regions):
    return demo.seed_accounts()


@pytest.fixture
def make_user(regions):
    def make(role=Role.CASEWORKER, region_code="371002001", **kwargs):
        from applicants.models import Region

        region = Region.objects.get(code=region_code) if region_code else None
        return UserFactory(role=role, region=region, **kwargs)

    return make


@pytest.fixture
def household_in(regions):
    """A one-person household in the village of the given code."""

    def make(village_code="371002001002", **person):
        from applicants.models import Region

        household = HouseholdFactory(village=Region.objects.get(code=village_code))
        PersonFactory(household=household, **person)
        return household

    return make
