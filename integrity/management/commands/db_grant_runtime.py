import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from psycopg2 import sql

from integrity.runtime_role import RuntimeRoleError, grant_runtime_privileges, role_exists


class Command(BaseCommand):
    help = (
        "Grant the application's runtime database role row access (SELECT/INSERT/UPDATE/DELETE "
        "on tables, USAGE/SELECT on sequences) and nothing more. Run as the owner, after "
        "migrate (migrate also does it when the role exists). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--role", default=None, help="role name (default: settings.DATABASE_RUNTIME_ROLE)"
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="create the role if it does not exist (needs CREATEROLE)",
        )
        parser.add_argument(
            "--password-env",
            default="",
            help="with --create: the environment variable holding the role's password "
            "(without it the role is created NOLOGIN)",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, role=None, create=False, password_env="", database="default", **kw):
        role = role or settings.DATABASE_RUNTIME_ROLE
        if not role:
            raise CommandError("no runtime role: pass --role or set DATABASE_RUNTIME_ROLE")
        if create and not role_exists(role, database):
            password = os.environ.get(password_env, "") if password_env else ""
            if password_env and not password:
                raise CommandError(f"{password_env} is empty")
            login = (
                sql.SQL("LOGIN PASSWORD {}").format(sql.Literal(password))
                if password
                else sql.SQL("NOLOGIN")
            )
            with connections[database].cursor() as cursor:
                cursor.execute(
                    sql.SQL(
                        "CREATE ROLE {} {} NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT "
                        "NOREPLICATION NOBYPASSRLS"
                    ).format(sql.Identifier(role), login)
                )
            self.stdout.write(f"created role {role}")
        try:
            grant_runtime_privileges(role, database)
        except RuntimeRoleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"runtime role {role}: row access granted"))
