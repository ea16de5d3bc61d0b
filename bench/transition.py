"""What the audit trail costs a case transition (issue 11: "adds under 10 %", measured).

    python -m bench.transition [--transitions 2000] [--rounds 4]

Two kinds of step, each committed in its own transaction inside a pghistory context (as the
request middleware opens one), timed with the trail's triggers on and with every trigger of the
schema disabled (``ALTER TABLE … DISABLE TRIGGER USER``: the append-only guards and the
pghistory tracking triggers alike), in alternating rounds so that drift of the machine falls on
both sides equally:

- ``accept``: ``application_step(application, "accept")`` — the conditional state UPDATE and the
  insert-only transition row (who, when, from where);
- ``amount``: a new monthly amount of an enrollment with its end month set or withdrawn — the
  UPDATE of the enrollment (its pghistory event row) and the insert-only amount-history row.

The closing line reports the accept step: ``seconds`` with the triggers, ``bound_seconds``
without them, so ``ratio`` is the trail's overhead (target ≤ 1.10).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from decimal import Decimal

from bench import common

DATABASE = "weijiuni_bench_transition"


def setup() -> None:
    """common.setup(), in a database of this benchmark's own: it disables triggers, and other
    benchmarks may be running on the same server at the same time."""
    import os
    from urllib.parse import unquote, urlsplit, urlunsplit

    import environ
    import psycopg2

    url = urlunsplit(urlsplit(common._bench_url())._replace(path=f"/{DATABASE}"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weijiuni.settings")
    cfg = environ.Env.db_url_config(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    conn = psycopg2.connect(
        dbname=cfg["NAME"],
        user=cfg["USER"],
        host=unquote(cfg["HOST"]) or None,
        port=cfg["PORT"] or None,
        password=cfg["PASSWORD"] or None,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
    conn.close()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(applications: int, enrollments: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from applicants import demo
    from applicants.models import Application, Household, Region, User
    from eligibility import demo as eligibility_demo
    from eligibility.models import Assessment, Category, Decision, Enrollment

    demo.seed_regions()
    demo.seed_accounts()
    eligibility_demo.seed()
    villages = list(Region.objects.filter(parent__code="371002001", level="village"))
    creator = User.objects.get(username="caseworker")
    today = timezone.localdate()
    homes = Household.objects.bulk_create(
        Household(village=villages[i % len(villages)], address=f"bench {i}")
        for i in range(applications + enrollments)
    )
    apps = Application.objects.bulk_create(
        Application(
            household=h,
            village=h.village,
            channel="window",
            created_by=creator,
            state="submitted",
            data={},
            due_on=today + dt.timedelta(days=3),
            case_due_on=today + dt.timedelta(days=40),
        )
        for h in homes
    )
    approver = User.objects.get(username="approver")
    enrolled = apps[applications:]
    assessments = Assessment.objects.bulk_create(
        Assessment(
            application=a,
            household=a.household,
            on=today,
            inputs={},
            parameters={},
            result={},
            created_by=approver,
        )
        for a in enrolled
    )
    decisions = Decision.objects.bulk_create(
        Decision(
            application=a, assessment=s, outcome="approved", reasons="bench", decided_by=approver
        )
        for a, s in zip(enrolled, assessments, strict=True)
    )
    dibao = Category.objects.get(code="dibao")
    Enrollment.objects.bulk_create(
        Enrollment(
            household=d.application.household,
            category=dibao,
            policy_code="dibao",
            monthly_amount=Decimal("300.00"),
            start_month=today.replace(day=1),
            decision=d,
            assessment=s,
        )
        for d, s in zip(decisions, assessments, strict=True)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _triggered_tables() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = 'public' ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


def set_triggers(enabled: bool) -> None:
    from django.db import connection
    from psycopg2 import sql

    verb = sql.SQL("ENABLE" if enabled else "DISABLE")
    with connection.cursor() as cursor:
        for table in _triggered_tables():
            cursor.execute(
                sql.SQL("ALTER TABLE {} {} TRIGGER USER").format(sql.Identifier(table), verb)
            )


def accept_steps(ids: list[int], *, trail_row: bool = True) -> float:
    """``trail_row=False``: the same state change without its transition row — no trail at
    all, the floor the whole trail (row and triggers) is compared with."""
    import pghistory
    from django.db import transaction

    from applicants.applications import application_step
    from applicants.models import Application, User

    by = User.objects.get(username="caseworker")
    start = time.perf_counter()
    for pk in ids:
        with transaction.atomic(), pghistory.context(user=by.pk, url="/bench/accept"):
            application = Application.objects.get(pk=pk)
            if trail_row:
                application_step(application, "accept", by=by)
            else:
                application.accept()
                application.save()
    return time.perf_counter() - start


def amount_changes(ids: list[int], round_no: int) -> float:
    import pghistory
    from django.db import transaction
    from django.utils import timezone

    from eligibility.models import Enrollment, EnrollmentAmount

    month = timezone.localdate().replace(day=1)
    start = time.perf_counter()
    for i, pk in enumerate(ids):
        with transaction.atomic(), pghistory.context(url="/bench/amount"):
            enrollment = Enrollment.objects.select_for_update(of=("self",)).get(pk=pk)
            previous = enrollment.monthly_amount
            enrollment.monthly_amount = Decimal("300.00") + round_no + (i % 7)
            # A gradual exit scheduled or withdrawn: a tracked change (a change of amount alone
            # leaves its trail in the amount history only).
            enrollment.end_month = None if enrollment.end_month else month
            enrollment.save(update_fields=["monthly_amount", "end_month"])
            EnrollmentAmount.objects.create(
                enrollment=enrollment,
                amount=enrollment.monthly_amount,
                previous_amount=previous,
                effective_month=month,
                reason="bench",
                assessment_id=enrollment.assessment_id,
            )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transitions", type=int, default=2000, help="each way")
    # Many short rounds: the machine is shared, and a burst of someone else's work then lands
    # inside one round of one side only; the median of the rounds' ratios discounts it.
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    setup()
    per_round = args.transitions // args.rounds
    enrollments = 200
    generate(3 * per_round * args.rounds + 20, enrollments)

    from applicants.models import Application
    from eligibility.models import Enrollment

    app_ids = list(Application.objects.order_by("pk").values_list("pk", flat=True))
    app_ids = app_ids[: 3 * per_round * args.rounds + 20]  # the rest belong to enrollments
    enrollment_ids = list(Enrollment.objects.order_by("pk").values_list("pk", flat=True))
    accept_steps(app_ids[:20])  # warm up caches and connections
    app_ids = app_ids[20:]
    timings = {(kind, on): [] for kind in ("accept", "amount") for on in (True, False)}
    bare = []
    for r in range(args.rounds):
        # Alternate which side goes first, so neither always runs on a warmer machine.
        for on in (True, False) if r % 2 == 0 else (False, True):
            set_triggers(on)
            batch, app_ids = app_ids[:per_round], app_ids[per_round:]
            timings[("accept", on)].append(accept_steps(batch))
            changes = [enrollment_ids[(r * per_round + i) % enrollments] for i in range(per_round)]
            timings[("amount", on)].append(amount_changes(changes, r * 2 + int(on)))
            if not on:
                batch, app_ids = app_ids[:per_round], app_ids[per_round:]
                bare.append(accept_steps(batch, trail_row=False))
    set_triggers(True)
    n = per_round * args.rounds
    for kind in ("accept", "amount"):
        with_t, without = sum(timings[(kind, True)]), sum(timings[(kind, False)])
        ratios = [a / b for a, b in zip(timings[(kind, True)], timings[(kind, False)], strict=True)]
        print(
            f"transition kind={kind} each_way={n} with_triggers_s={with_t:.3f} "
            f"without_triggers_s={without:.3f} per_step_ms={with_t / n * 1000:.2f}/"
            f"{without / n * 1000:.2f} overhead_pct={(with_t / without - 1) * 100:.1f} "
            f"median_round_overhead_pct={(statistics.median(ratios) - 1) * 100:.1f}"
        )
    whole = [a / b for a, b in zip(timings[("accept", True)], bare, strict=True)]
    print(
        f"transition kind=accept_without_trail each_way={n} seconds={sum(bare):.3f} "
        f"per_step_ms={sum(bare) / n * 1000:.2f} whole_trail_overhead_pct="
        f"{(sum(timings[('accept', True)]) / sum(bare) - 1) * 100:.1f} "
        f"median_round_overhead_pct={(statistics.median(whole) - 1) * 100:.1f}"
    )
    # Proof that the "with" side really wrote the trail and the "without" side did not.
    from eligibility.models import EnrollmentEvent

    print(
        f"transition trail_rows enrollment_events={EnrollmentEvent.objects.count()} "
        f"(expected {enrollments} inserts + {n} updates)"
    )
    print(
        common.closing_line(
            "transition", n, sum(timings[("accept", True)]), sum(timings[("accept", False)])
        )
    )


if __name__ == "__main__":
    main()
