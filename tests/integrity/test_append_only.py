"""The audit trail nobody rewrites (issue 14 item 3, issue 11 item 1).

As the owner the triggers refuse UPDATE and DELETE; as the runtime role (the application's own
credentials) TRUNCATE, DISABLE TRIGGER and the trigger ignore switch are refused as well, while
the application's everyday work (INSERT, SELECT, UPDATE of non-trail rows) still goes through.
"""

from decimal import Decimal

import psycopg2
import psycopg2.errors
import pytest
from django.db import connection, transaction
from django.db.utils import InternalError
from psycopg2 import sql

from integrity.runtime_role import grant_runtime_privileges
from tests.integrity.conftest import trail_tables

PROTECTED = psycopg2.errors.RaiseException  # pgtrigger.Protect: RAISE EXCEPTION (P0001)
NOT_ALLOWED = psycopg2.errors.InsufficientPrivilege  # 42501: not the owner, no grant


def _runtime_role_name() -> str:
    # One role per test database, so that suites of several checkouts on one server never share.
    return f"{connection.settings_dict['NAME']}_app"[:63]


@pytest.fixture(scope="session")
def _runtime_role_cleanup(django_db_setup, django_db_blocker):
    """Drop the role at the end of the session (its grants live in the test database only)."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        role = sql.Identifier(_runtime_role_name())
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [_runtime_role_name()])
        if cursor.fetchone():
            cursor.execute(sql.SQL("DROP OWNED BY {}").format(role))
            cursor.execute(sql.SQL("DROP ROLE {}").format(role))


@pytest.fixture
def runtime(_runtime_role_cleanup, transactional_db):
    """A psycopg2 connection as the runtime role, after creating it (idempotent) and granting."""
    name = _runtime_role_name()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(
                sql.SQL(
                    "CREATE ROLE {} LOGIN NOSUPERUSER NOINHERIT NOCREATEDB NOCREATEROLE"
                ).format(sql.Identifier(name))
            )
    grant_runtime_privileges(name)
    cfg = connection.settings_dict
    conn = psycopg2.connect(
        dbname=cfg["NAME"], user=name, host=cfg["HOST"] or None, port=cfg["PORT"] or None
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (name, False)
    yield conn
    conn.close()


def _attempt(conn, statement, params=None):
    """Run one statement in its own transaction; return the error class, or None if it passed."""
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement, params)
    except psycopg2.Error as exc:
        return type(exc)
    return None


def _each(conn, template: str) -> dict[str, type | None]:
    return {
        table: _attempt(conn, sql.SQL(template).format(t=sql.Identifier(table)))
        for table in trail_tables()
    }


def _counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        out = {}
        for table in trail_tables():
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            out[table] = cursor.fetchone()[0]
        return out


def test_every_trail_table_has_rows_to_attack(trail):
    counts = _counts()
    assert "eligibility_reviewevent" in counts and "eligibility_enrollmentevent" in counts
    assert {t: n for t, n in counts.items() if n == 0} == {}


@pytest.mark.django_db(transaction=True)
def test_runtime_role_cannot_update_or_delete_the_trail(trail, runtime):
    before = _counts()
    updates = {
        table: _attempt(
            runtime,
            sql.SQL("UPDATE {t} SET {pk} = {pk}").format(
                t=sql.Identifier(table), pk=sql.Identifier(_pk(table))
            ),
        )
        for table in trail_tables()
    }
    deletes = _each(runtime, "DELETE FROM {t}")
    assert updates == dict.fromkeys(trail_tables(), PROTECTED)
    assert deletes == dict.fromkeys(trail_tables(), PROTECTED)
    assert _counts() == before


@pytest.mark.django_db(transaction=True)
def test_runtime_role_cannot_truncate_or_disable_triggers(trail, runtime):
    before = _counts()
    assert _each(runtime, "TRUNCATE {t}") == dict.fromkeys(trail_tables(), NOT_ALLOWED)
    assert _each(runtime, "TRUNCATE {t} CASCADE") == dict.fromkeys(trail_tables(), NOT_ALLOWED)
    # The parents: truncating them would take every referencing trail table with them.
    for parent in ("applicants_application", "applicants_user", "applicants_household"):
        assert _attempt(runtime, f"TRUNCATE {parent} CASCADE") is NOT_ALLOWED
    assert _each(runtime, "ALTER TABLE {t} DISABLE TRIGGER ALL") == dict.fromkeys(
        trail_tables(), NOT_ALLOWED
    )
    assert _each(runtime, "ALTER TABLE {t} DISABLE TRIGGER USER") == dict.fromkeys(
        trail_tables(), NOT_ALLOWED
    )
    assert _each(runtime, "DROP TABLE {t}") == dict.fromkeys(trail_tables(), NOT_ALLOWED)
    assert _attempt(runtime, "SET session_replication_role = replica") is NOT_ALLOWED
    assert _counts() == before


@pytest.mark.django_db(transaction=True)
def test_runtime_role_cannot_switch_the_triggers_off_with_pgtrigger_ignore(trail, runtime):
    """pgtrigger skips a trigger named in the session variable pgtrigger.ignore; any role may
    set it, so the hardened function honours it only for the table's owner."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = 'integrity_accesslog' AND t.tgname LIKE 'pgtrigger_%%'"
        )
        names = [row[0] for row in cursor.fetchall()]
    assert names
    with runtime.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pgtrigger.ignore', %s, false)", ["{" + ",".join(names) + "}"]
        )
    assert _attempt(runtime, "DELETE FROM integrity_accesslog") is PROTECTED
    assert _attempt(runtime, "UPDATE integrity_accesslog SET fields = 'x'") is PROTECTED


@pytest.mark.django_db(transaction=True)
def test_runtime_role_does_the_applications_work(trail, runtime):
    """INSERT and SELECT on the trail, UPDATE of a household (its history row is written by the
    tracking trigger as the same role), a temporary table for the re-evaluation; nothing more."""
    admin, person = trail["admin"], trail["person"]
    with runtime.cursor() as cursor:
        cursor.execute(
            "INSERT INTO integrity_accesslog (user_id, object_type, object_id, fields, channel, at)"
            " VALUES (%s, 'person', %s, 'name', 'api', now()) RETURNING id",
            [admin.pk, person.pk],
        )
        assert cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM integrity_accesslog")
        assert cursor.fetchone()[0] == 2
        cursor.execute("SELECT count(*) FROM applicants_householdevent")
        events = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE applicants_household SET address = '新地址' WHERE id = %s",
            [person.household_id],
        )
        cursor.execute("SELECT count(*) FROM applicants_householdevent")
        assert cursor.fetchone()[0] == events + 1
        cursor.execute("CREATE TEMP TABLE staging (id bigint)")
    assert _attempt(runtime, "CREATE TABLE public.mine (id bigint)") is NOT_ALLOWED
    assert _attempt(runtime, "CREATE SCHEMA mine") is NOT_ALLOWED
    assert _attempt(runtime, "SELECT setval('integrity_accesslog_id_seq', 1)") is NOT_ALLOWED


def test_granting_refuses_a_role_that_could_disable_triggers(db):
    from integrity.runtime_role import RuntimeRoleError

    with pytest.raises(RuntimeRoleError, match="owns nothing"):
        grant_runtime_privileges(connection.settings_dict["USER"] or "postgres")


@pytest.mark.parametrize("operation", ["UPDATE", "DELETE"])
def test_owner_too_is_refused_by_the_triggers(trail, operation):
    for table in trail_tables():
        statement = (
            sql.SQL("UPDATE {t} SET {pk} = {pk}").format(
                t=sql.Identifier(table), pk=sql.Identifier(_pk(table))
            )
            if operation == "UPDATE"
            else sql.SQL("DELETE FROM {t}").format(t=sql.Identifier(table))
        )
        with (
            pytest.raises(InternalError, match="pgtrigger: Cannot"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


def test_orm_edits_of_amounts_access_log_and_history_are_refused(trail):
    from eligibility.models import EnrollmentAmount
    from integrity.models import AccessLog, Commitment

    amount = EnrollmentAmount.objects.get()
    amount.amount = 1
    with pytest.raises(InternalError), transaction.atomic():
        amount.save()
    with pytest.raises(InternalError), transaction.atomic():
        AccessLog.objects.all().delete()
    with pytest.raises(InternalError), transaction.atomic():
        Commitment.objects.update(channel="online")
    enrollment = trail["enrollment"]
    with pytest.raises(InternalError), transaction.atomic():
        enrollment.events.update(monthly_amount=0)


def test_reviews_and_enrollments_have_history(trail):
    from eligibility.models import Review

    enrollment = trail["enrollment"]
    enrollment.status = "stopped"
    enrollment.save()
    assert list(enrollment.events.values_list("pgh_label", "status")) == [
        ("insert", "active"),
        ("update", "stopped"),
    ]
    review = Review.objects.get()
    review.reported_change = "家庭成员外出务工"
    review.save()
    assert list(review.events.values_list("pgh_label", "reported_change")) == [
        ("insert", ""),
        ("update", "家庭成员外出务工"),
    ]


def test_a_change_of_amount_alone_is_traced_by_the_amount_history_only(trail):
    """A re-evaluation changes a million amounts: their trail is the insert-only amount history,
    not a second million event rows (bench.reevaluate)."""
    from eligibility.models import Enrollment

    enrollment = trail["enrollment"]
    Enrollment.objects.filter(pk=enrollment.pk).update(monthly_amount="300.00")
    assert enrollment.events.count() == 1
    Enrollment.objects.filter(pk=enrollment.pk).update(monthly_amount="310.00", status="stopped")
    assert enrollment.events.latest("pgh_id").monthly_amount == Decimal("310.00")


def test_owner_may_still_use_pgtrigger_ignore_in_tests(trail):
    """The fixture escape hatch stays for the owner (tests only, never application code)."""
    import pgtrigger

    from integrity.models import AccessLog

    with pgtrigger.ignore("integrity.AccessLog:access_log_append_only"):
        assert AccessLog.objects.update(channel="page") == 1


def _pk(table: str) -> str:
    with connection.cursor() as cursor:
        return connection.introspection.get_primary_key_column(cursor, table)


def test_tables_a_later_migration_creates_are_granted_row_access_only(db, settings):
    """ALTER DEFAULT PRIVILEGES: a new table is covered before anyone re-runs the grants."""
    from integrity.runtime_role import after_migrate

    name = _runtime_role_name()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
    settings.DATABASE_RUNTIME_ROLE = name
    after_migrate(using="default")  # what every migrate ends with
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE audit_later (id bigserial PRIMARY KEY)")
        cursor.execute(
            "SELECT has_table_privilege(%(r)s, 'audit_later', 'SELECT, INSERT, UPDATE, DELETE'),"
            " has_table_privilege(%(r)s, 'audit_later', 'TRUNCATE'),"
            " has_table_privilege(%(r)s, 'audit_later', 'TRIGGER'),"
            " has_sequence_privilege(%(r)s, 'audit_later_id_seq', 'USAGE'),"
            " has_schema_privilege(%(r)s, 'public', 'CREATE')",
            {"r": name},
        )
        assert cursor.fetchone() == (True, False, False, True, False)


def test_grant_command_creates_the_role_and_runs_twice(db):
    """CREATE ROLE is transactional: the test's rollback takes the role away again."""
    from io import StringIO

    from django.core.management import call_command

    name = f"{connection.settings_dict['NAME']}_cmd"[:63]
    out = StringIO()
    for _ in range(2):
        call_command("db_grant_runtime", role=name, create=True, stdout=out)
    assert out.getvalue().count(f"created role {name}") == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolcanlogin, rolsuper, has_table_privilege(%(r)s, 'integrity_accesslog',"
            " 'INSERT'), has_table_privilege(%(r)s, 'integrity_accesslog', 'TRUNCATE') "
            "FROM pg_roles WHERE rolname = %(r)s",
            {"r": name},
        )
        assert cursor.fetchone() == (False, False, True, False)


def test_grant_command_refuses_the_owner(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="owns nothing"):
        call_command("db_grant_runtime", role=connection.settings_dict["USER"] or "postgres")


@pytest.fixture
def as_runtime_role(runtime):
    """Django's own connection logs in as the runtime role for the test body (then back to the
    owner, who flushes the database afterwards)."""
    owner = connection.settings_dict["USER"]
    connection.close()
    connection.settings_dict["USER"] = _runtime_role_name()
    yield
    connection.close()
    connection.settings_dict["USER"] = owner


@pytest.mark.django_db(transaction=True)
def test_the_platform_works_as_the_runtime_role(trail, as_runtime_role, settings, tmp_path):
    """Tests run as the owner; this one runs a case step, the trail services, history and the
    archive job with the production role's privileges, so a missing grant shows up here."""
    import pghistory

    from applicants.applications import application_step
    from applicants.models import Application
    from eligibility.models import Review
    from integrity import services
    from integrity import trail as audit_trail

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == _runtime_role_name()
    admin, person = trail["admin"], trail["person"]
    Application.objects.filter(pk=trail["application"].pk).update(state="submitted")
    application = Application.objects.get(pk=trail["application"].pk)
    with transaction.atomic(), pghistory.context(user=admin.pk, url="/cases/1/accept"):
        application_step(application, "accept", by=admin)
        review = Review.objects.get()
        review.reported_change = "收入增加"
        review.save()
    assert application.transitions.count() == 2
    assert review.events.count() == 2
    services.access_log_record(user=admin, object_type="person", object_ids=[person.pk])
    settings.AUDIT_ARCHIVE_DIR = tmp_path
    assert audit_trail.trail_archive()  # manifest rows, advisory locks, server-side cursors


def test_history_context_is_attached_as_pghistory_attaches_it(trail):
    """The installed context function (no subtransaction without a context) answers as
    pghistory's: a row written in ``pghistory.context`` carries it, a row written outside
    one, or with a malformed context, carries none."""
    import pghistory
    from django.utils import timezone

    from eligibility.models import Review

    review = Review.objects.create(
        household=trail["person"].household, kind="change", due_on=timezone.localdate()
    )
    assert review.events.get().pgh_context_id is None
    with transaction.atomic(), pghistory.context(user=trail["admin"].pk, url="/x"):
        review.reported_change = "收入增加"
        review.save()
    attached = review.events.get(pgh_label="update").pgh_context
    assert attached is not None and attached.metadata["url"] == "/x"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pghistory.context_id', 'not-a-uuid', true)")
        cursor.execute("SELECT set_config('pghistory.context_metadata', '{}', true)")
        review.reported_change = "又有变化"
        review.save()
    assert review.events.order_by("-pgh_id").first().pgh_context_id is None


def _refusals_counted() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value, is_called FROM public.integrity_sql_edit_refusals")
        last, called = cursor.fetchone()
        return last if called else 0


@pytest.mark.django_db(transaction=True)
def test_an_edit_of_the_trail_in_sql_is_refused_and_the_attempt_recorded(trail, runtime):
    """Issue 11: "an attempt to edit an audit row (platform or SQL): refused, and the attempt
    itself audited". The refusal rolls back whatever its transaction wrote; the count of
    refusals does not, and the sweep turns it into a RefusedAttempt, once."""
    from integrity.models import RefusedAttempt
    from integrity.services import sql_edit_refusals_record
    from integrity.tasks import sql_edit_refusals

    sql_edit_refusals_record()  # earlier tests' refusals: recorded before this one counts
    before, rows = _refusals_counted(), _counts()
    # as the application's own role, then as the owner, straight SQL
    assert _attempt(runtime, "DELETE FROM integrity_accesslog") is PROTECTED
    assert _attempt(runtime, "UPDATE eligibility_reviewevent SET reasons = 'x'") is PROTECTED
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE integrity_commitment SET channel = 'x'")
    assert _counts() == rows
    assert _refusals_counted() == before + 3
    # the runtime role may count, not take the count back
    assert _attempt(runtime, "SELECT setval('integrity_sql_edit_refusals', 1)") is NOT_ALLOWED

    record = sql_edit_refusals_record()
    assert record.kind == "sql_edit" and record.counter == before + 3 and record.channel == "sql"
    assert "3 次" in record.detail
    assert sql_edit_refusals_record() is None  # nothing new: not twice
    assert sql_edit_refusals.apply().get() == 0
    assert RefusedAttempt.objects.filter(kind="sql_edit", counter=before + 3).count() == 1
    # the record itself is append-only like the rest
    assert _attempt(runtime, "DELETE FROM integrity_refusedattempt") is PROTECTED
    assert sql_edit_refusals_record().counter == before + 4  # and that attempt is counted too


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_record_the_refusals_once(trail, runtime):
    import threading

    from integrity.models import RefusedAttempt
    from integrity.services import sql_edit_refusals_record

    assert _attempt(runtime, "DELETE FROM integrity_accesslog") is PROTECTED
    barrier, made = threading.Barrier(2), []

    def sweep():
        barrier.wait()
        try:
            made.append(sql_edit_refusals_record())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r is None for r in made) == [False, True]
    assert RefusedAttempt.objects.filter(kind="sql_edit", counter=_refusals_counted()).count() == 1
