"""The database role the application runs as: it reads and writes rows and owns nothing.

Migrations run as the owner of the tables. The application connects as a second role with
SELECT/INSERT/UPDATE/DELETE on tables and USAGE/SELECT on sequences, and nothing else: no
TRUNCATE, no TRIGGER, no CREATE, no ownership. Since only an owner may ``ALTER TABLE … DISABLE
TRIGGER`` or ``TRUNCATE`` (and the role has no TRUNCATE grant), the append-only triggers on the
audit trail hold against the application's own credentials (issues 11, 14).

``grant_runtime_privileges`` is idempotent; ``migrate`` calls it after every run (post_migrate)
when the role exists, and ``ALTER DEFAULT PRIVILEGES`` covers tables a later migration creates.
"""

from __future__ import annotations

from django.db import connections
from psycopg2 import sql

# pgtrigger's triggers skip themselves when the session variable ``pgtrigger.ignore`` names them,
# and any role may SET a custom variable: as shipped, the runtime role could switch off the
# append-only triggers (and the pghistory tracking triggers) for its own session. This version
# of pgtrigger's function honours the list only for a role that owns the trigger's table, i.e.
# one that could disable the trigger anyway. pgtrigger re-creates the function whenever a
# migration installs a trigger, so it is put back after every migrate (see apps.py).
# Every tracked or protected row calls it: an unset variable is read with ``missing_ok``, not
# caught as an error, since each EXCEPTION block is a subtransaction (3.4 s of the 3.5 s the
# bulk verification spent opening 2,397 reviews went to them; issue 10).
# A refused edit of a protected row (pgtrigger's Protect: the audit trail, the history tables,
# the frozen assessments…) rolls back with its transaction, any audit row written beside it
# too. So the function counts it on a sequence (nextval is not undone by a rollback, and the
# runtime role, with no UPDATE on sequences, cannot set it back) and says who in the server's
# log; ``integrity.services.sql_edit_refusals_record`` turns the count into RefusedAttempt rows.
# ``{protect}`` is the list of Protect trigger names, read from pgtrigger's registry.
HARDENED_IGNORE_FUNCTION = """
CREATE OR REPLACE FUNCTION "public"._pgtrigger_should_ignore(trigger_name NAME)
RETURNS BOOLEAN AS $$
    DECLARE
        _raw TEXT := NULLIF(CURRENT_SETTING('pgtrigger.ignore', true), '');
        _pgtrigger_ignore TEXT[];
        _ignored BOOLEAN := FALSE;
    BEGIN
        IF _raw IS NOT NULL THEN
            BEGIN
                _pgtrigger_ignore := _raw::TEXT[];
                EXCEPTION WHEN OTHERS THEN  -- not a list: nothing is ignored, as pgtrigger's
            END;
            IF _pgtrigger_ignore IS NOT NULL AND trigger_name = ANY(_pgtrigger_ignore) THEN
                _ignored := EXISTS (
                    SELECT 1 FROM pg_catalog.pg_trigger t
                    JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
                    WHERE t.tgname = trigger_name AND pg_catalog.pg_has_role(c.relowner, 'USAGE')
                );
            END IF;
        END IF;
        IF NOT _ignored AND trigger_name = ANY({protect}::NAME[]) THEN
            PERFORM nextval('public.integrity_sql_edit_refusals');
            RAISE WARNING 'weijiuni: refused an edit of a protected row (trigger %) by % (%)',
                trigger_name, current_user, session_user;
        END IF;
        RETURN _ignored;
    END;
$$ LANGUAGE plpgsql;
"""


# pghistory's context function, with the same answers, reads its two variables the same way:
# the subtransaction is left for a set context (a request's), not paid by every row of a
# job that runs without one. Installed after every migrate, as above.
CONTEXT_FUNCTION = """
CREATE OR REPLACE FUNCTION _pgh_attach_context()
RETURNS pghistory_context.id%TYPE AS $$
    DECLARE
        _id_raw TEXT := NULLIF(CURRENT_SETTING('pghistory.context_id', true), '');
        _metadata_raw TEXT := NULLIF(CURRENT_SETTING('pghistory.context_metadata', true), '');
        _pgh_context_id UUID;
        _pgh_context_metadata JSONB;
    BEGIN
        IF _id_raw IS NULL OR _metadata_raw IS NULL THEN
            RETURN NULL;
        END IF;
        BEGIN
            _pgh_context_id := _id_raw::UUID;
            _pgh_context_metadata := _metadata_raw::JSONB;
            EXCEPTION WHEN OTHERS THEN  -- a malformed context is no context, as pghistory's
                RETURN NULL;
        END;
        INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
            VALUES (_pgh_context_id, _pgh_context_metadata, NOW(), NOW())
            ON CONFLICT (id) DO UPDATE
                SET metadata = EXCLUDED.metadata,
                    updated_at = EXCLUDED.updated_at
                WHERE pghistory_context.metadata != EXCLUDED.metadata;
        RETURN _pgh_context_id;
    END;
$$ LANGUAGE plpgsql;
"""


class RuntimeRoleError(Exception):
    pass


def harden_trigger_ignore(using: str = "default") -> None:
    """Replace pgtrigger's ignore function by the owner-only version above, and pghistory's
    context function by the one that costs no subtransaction without a context."""
    import pgtrigger

    protect = sorted(
        trigger.get_pgid(model)
        for model, trigger in pgtrigger.registered()
        if isinstance(trigger, pgtrigger.Protect)
    )
    with connections[using].cursor() as cursor:
        cursor.execute("CREATE SEQUENCE IF NOT EXISTS public.integrity_sql_edit_refusals")
        names = sql.Literal("{" + ",".join(protect) + "}").as_string(cursor.cursor)
        cursor.execute(HARDENED_IGNORE_FUNCTION.replace("{protect}", names))
        cursor.execute(CONTEXT_FUNCTION)


def role_exists(role: str, using: str = "default") -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


def grant_runtime_privileges(role: str, using: str = "default") -> None:
    """Give ``role`` row access to every table and sequence of the schema, and nothing more.

    Run as the owner of the tables (the role migrations run as). Refuses a role that is a
    superuser or a member of the owner: such a role could disable the triggers.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, pg_has_role(oid, current_user, 'MEMBER'), current_user = rolname "
            "FROM pg_roles WHERE rolname = %s",
            [role],
        )
        found = cursor.fetchone()
        if found is None:
            raise RuntimeRoleError(f"database role {role!r} does not exist")
        superuser, member_of_owner, is_owner = found
        if superuser or member_of_owner or is_owner:
            raise RuntimeRoleError(
                f"database role {role!r} is a superuser or the owner (or a member of it): "
                "the application must connect as a role that owns nothing"
            )
        ident = sql.Identifier(role)
        database = sql.Identifier(connection.settings_dict["NAME"])
        statements = [
            # CONNECT and TEMPORARY (the re-evaluation stages its changes in a temp table).
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(database, ident),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident),
            sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}").format(ident),
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
            ).format(ident),
            # Whatever an earlier hand-made grant gave: TRUNCATE bypasses row triggers.
            sql.SQL(
                "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {}"
            ).format(ident),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident),
            sql.SQL("REVOKE UPDATE ON ALL SEQUENCES IN SCHEMA public FROM {}").format(ident),
            # Tables and sequences that later migrations create (as this same owner).
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
                "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
            ).format(ident),
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}"
            ).format(ident),
        ]
        for statement in statements:
            cursor.execute(statement)
        # Before PostgreSQL 15 every role may CREATE in the public schema through PUBLIC; take
        # that away when we own the schema (a shared server's admin may have done it already).
        cursor.execute(
            "SELECT pg_has_role(nspowner, 'USAGE') FROM pg_namespace WHERE nspname = 'public'"
        )
        if cursor.fetchone()[0]:
            cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    harden_trigger_ignore(using)


def after_migrate(*, using: str = "default", **kwargs) -> None:
    """post_migrate: put the hardened ignore function back, refresh the runtime role's grants."""
    from django.conf import settings

    if connections[using].vendor != "postgresql":
        return
    harden_trigger_ignore(using)
    role = getattr(settings, "DATABASE_RUNTIME_ROLE", "")
    if role and role_exists(role, using):
        grant_runtime_privileges(role, using)
