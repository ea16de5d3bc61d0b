"""Re-evaluating every active enrollment when a standard changes (SPEC §6: "a standard change
re-evaluates every active enrollment from its effective date").

Set-based: a chunk of enrollments is read in one query with the frozen household facts of each,
the rules engine computes the new amounts in memory, and the changes go back through COPY into a
temporary table and one ``UPDATE … FROM`` plus one ``INSERT … SELECT`` into the amount history.
A chunk is one transaction: a worker killed half-way leaves nothing of it, and the chunk is done
again by whoever claims it next (``FOR UPDATE SKIP LOCKED``, ``status = 'pending'``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from applicants.models import Region
from applicants.tasks import enqueue_summaries_rebuild

from ..models import (
    EnrollmentAmount,
    Reevaluation,
    ReevaluationChunk,
    Standard,
)
from ..rules.frozen import enrollment_amount, parameters_from_json, parameters_to_json
from ..selectors import standards_in_force
from . import enrollments as ledger

REASON = "调整救助标准后重新核定"


def _scope(standard: Standard) -> list[tuple[Region, str]]:
    """The (county, area) pairs a standard row can change."""
    if standard.region.level == Region.Level.COUNTY:
        counties = [standard.region]
    else:
        counties = list(Region.objects.filter(parent=standard.region, level="county"))
    areas = [standard.area] if standard.area else ["urban", "rural"]
    return [(county, area) for county in counties for area in areas]


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def reevaluation_start(
    *, standard: Standard, by=None, chunk_size: int | None = None
) -> Reevaluation:
    """Freeze the numbers in force on the standard's date for every affected county and area,
    split the active enrollments there into chunks, and queue one task per chunk."""
    chunk_size = chunk_size or settings.REEVALUATION_CHUNK_SIZE
    params, ids = {}, {}
    for county, area in _scope(standard):
        standards = standards_in_force(
            region=county, area=area, on=ledger.numbers_on(_month(standard.effective_from))
        )
        key = f"{county.code}:{area}"
        params[key] = parameters_to_json(standards.parameters)
        ids[key] = list(standards.version_ids)
    run = Reevaluation.objects.create(
        standard=standard,
        effective_from=standard.effective_from,
        parameters=params,
        standard_ids=ids,
        created_by=by,
    )
    keys = list(params)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT min(id), max(id), count(*) FROM (
              SELECT e.id, (row_number() OVER (ORDER BY e.id) - 1) / %s AS bucket
              FROM eligibility_enrollment e
              JOIN applicants_household h ON h.id = e.household_id
              JOIN applicants_region v ON v.id = h.village_id
              WHERE (e.status = 'active' OR e.end_month >= %s)
                AND split_part(v.path, '/', 2) || ':' || v.area = ANY(%s)
            ) numbered GROUP BY bucket ORDER BY bucket
            """,  # noqa: S608 - no user input is formatted in
            [chunk_size, _month(standard.effective_from), keys],
        )
        buckets = cursor.fetchall()
    ReevaluationChunk.objects.bulk_create(
        ReevaluationChunk(run=run, index=i, first_id=lo, last_id=hi)
        for i, (lo, hi, _n) in enumerate(buckets)
    )
    Reevaluation.objects.filter(pk=run.pk).update(
        chunks_total=len(buckets), enrollments_total=sum(n for *_r, n in buckets)
    )
    if not buckets:
        _finish(run.pk)
    run.refresh_from_db()
    transaction.on_commit(lambda: reevaluation_enqueue(run_id=run.pk))
    return run


def reevaluation_enqueue(*, run_id: int) -> int:
    """Queue a task for every chunk still pending (safe to call again: claiming is exclusive)."""
    from ..tasks import enqueue_chunks

    pending = list(
        ReevaluationChunk.objects.filter(
            run_id=run_id, status=ReevaluationChunk.Status.PENDING
        ).values_list("pk", flat=True)
    )
    enqueue_chunks(pending)
    return len(pending)


def reevaluation_resume() -> int:
    """Re-queue the pending chunks of unfinished runs (after a worker died or restarted)."""
    runs = Reevaluation.objects.filter(status=Reevaluation.Status.RUNNING).values_list(
        "pk", flat=True
    )
    return sum(reevaluation_enqueue(run_id=pk) for pk in runs)


class _Cache:
    """Parameters per key, parsed once per chunk."""

    def __init__(self, run: Reevaluation):
        self.params = {k: parameters_from_json(v) for k, v in run.parameters.items()}


CHUNK_SQL = """
    SELECT e.id, e.household_id, e.policy_code, e.person_id, e.monthly_amount, e.category_id,
           split_part(v.path, '/', 2), v.area, a.inputs::text,
           e.start_month > %(month)s OR EXISTS (
             SELECT 1 FROM eligibility_enrollmentamount x
             WHERE x.enrollment_id = e.id AND x.effective_month > %(month)s)
    FROM eligibility_enrollment e
    JOIN eligibility_assessment a ON a.id = e.assessment_id
    JOIN applicants_household h ON h.id = e.household_id
    JOIN applicants_region v ON v.id = h.village_id
    WHERE e.id BETWEEN %(first)s AND %(last)s
      AND (e.status = 'active' OR e.end_month >= %(month)s)
      AND split_part(v.path, '/', 2) || ':' || v.area = ANY(%(keys)s)
    ORDER BY e.id
    FOR UPDATE OF e
"""


def reevaluation_chunk_process(*, chunk_id: int) -> int | None:
    """Do one chunk, exactly once: returns how many amounts changed, or None if the chunk was
    already done or is being done by another worker right now."""
    with transaction.atomic():
        chunk = (
            ReevaluationChunk.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=chunk_id, status=ReevaluationChunk.Status.PENDING)
            .select_related("run")
            .first()
        )
        if chunk is None:
            return None
        run = chunk.run
        cache = _Cache(run)
        on = _month(run.effective_from)
        changes: list[tuple[int, Decimal, Decimal]] = []
        report: dict[str, list] = defaultdict(lambda: [0, Decimal("0"), Decimal("0")])
        ineligible: set[int] = set()
        complex_ids: list[int] = []
        processed = 0
        with connection.cursor() as cursor:
            # The enrollments are locked (in id order) before their facts are read: a review
            # of the same household either finished before (its facts are read here) or waits
            # and then reads the numbers this chunk wrote (issue 8: one writer, one order).
            cursor.execute(
                CHUNK_SQL,
                {
                    "first": chunk.first_id,
                    "last": chunk.last_id,
                    "month": on,
                    "keys": list(run.parameters),
                },
            )
            rows = cursor.fetchall()
            for row in rows:
                eid, household, policy, person_id, amount, category, county, area, inputs, later = (
                    row
                )
                processed += 1
                if later:  # later ledger rows or a later start: each month on its own facts
                    complex_ids.append(eid)
                    continue
                new = enrollment_amount(
                    policy, person_id, json.loads(inputs), cache.params[f"{county}:{area}"], on
                )
                if new is None:
                    ineligible.add(household)
                    report[f"{category}:{county}:ineligible"][0] += 1
                    continue
                if new != amount:
                    changes.append((eid, new, amount))
                    row = report[f"{category}:{county}"]
                    row[0] += 1
                    row[1] += amount
                    row[2] += new
            if changes:
                ledger.amounts_write_set(
                    cursor,
                    changes,
                    month=_month(run.effective_from),
                    reason=REASON,
                    reevaluation_id=run.pk,
                )
            changed = len(changes) + _write_each(run, complex_ids, report, ineligible)
            if ineligible:
                _open_reviews(cursor, sorted(ineligible), run)
        chunk.status = ReevaluationChunk.Status.DONE
        chunk.processed, chunk.changed = processed, changed
        chunk.report = {k: [v[0], str(v[1]), str(v[2])] for k, v in report.items()}
        chunk.finished_at = timezone.now()
        chunk.save()
        Reevaluation.objects.filter(pk=run.pk).update(
            chunks_done=F("chunks_done") + 1,
            processed=F("processed") + processed,
            changed=F("changed") + changed,
        )
        _finish(run.pk)
    return changed


def _write_each(run: Reevaluation, ids: list[int], report, ineligible: set[int]) -> int:
    """Enrollments with later ledger rows go through the ledger's writer, month by month
    (already locked by the chunk's query)."""
    if not ids:
        return 0
    changed = 0
    for enrollment in ledger.enrollments_lock(ids):
        county = enrollment.household.village.county_code
        before = enrollment.monthly_amount
        try:
            with transaction.atomic():
                rows = ledger.amounts_write(
                    enrollments=[enrollment],
                    from_month=run.effective_from,
                    reason=REASON,
                    reevaluation=run,
                )
        except ledger.NoLongerEligible:
            ineligible.add(enrollment.household_id)
            report[f"{enrollment.category_id}:{county}:ineligible"][0] += 1
            continue
        if rows:
            changed += 1
            row = report[f"{enrollment.category_id}:{county}"]
            row[0] += 1
            row[1] += before
            row[2] += enrollment.monthly_amount
    return changed


def _open_reviews(cursor, households: list[int], run: Reevaluation) -> None:
    """Households the new numbers no longer admit keep their amount until a review decides;
    open that review (one open review per household and kind, so a rerun adds none)."""
    from applicants.models import TimeLimit, time_limit

    due = timezone.localdate() + dt.timedelta(days=time_limit(TimeLimit.Code.CHANGE_REVIEW_DAYS))
    cursor.execute(
        """
        INSERT INTO eligibility_review (household_id, kind, status, due_on, reported_change,
                                        outcome, reasons, created_at)
        SELECT unnest(%s::bigint[]), 'change', 'open', %s, %s, '', '', now()
        ON CONFLICT (household_id, kind) WHERE status = 'open' DO NOTHING
        """,
        [households, due, f"调整救助标准（重新核定 #{run.pk}）后按规则测算不再符合保障条件"],
    )


def _finish(run_id: int) -> None:
    """Close the run once every chunk is done, with its report (counts and sums)."""
    run = Reevaluation.objects.select_for_update().get(pk=run_id)
    if run.status == Reevaluation.Status.DONE or run.chunks_done < run.chunks_total:
        return
    totals: dict[str, list] = defaultdict(lambda: [0, Decimal("0"), Decimal("0")])
    for report in run.chunks.values_list("report", flat=True):
        for key, (count, old, new) in report.items():
            row = totals[key]
            row[0] += count
            row[1] += Decimal(old)
            row[2] += Decimal(new)
    run.report = {
        key: {
            "count": v[0],
            "old_total": str(v[1]),
            "new_total": str(v[2]),
            "difference": str(v[2] - v[1]),
        }
        for key, v in sorted(totals.items())
    }
    run.status = Reevaluation.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["report", "status", "finished_at"])
    enqueue_summaries_rebuild("reevaluation")


def reevaluation_replay(amount: EnrollmentAmount) -> Decimal | None:
    """Recompute a re-evaluated amount from what was frozen: the facts and the run's numbers."""
    run = amount.reevaluation
    enrollment = amount.enrollment
    village = enrollment.household.village
    key = f"{village.county_code}:{village.area}"
    params = parameters_from_json(run.parameters[key])
    return enrollment_amount(
        enrollment.policy_code,
        enrollment.person_id,
        amount.assessment.inputs,
        params,
        amount.effective_month,
    )


def reevaluation_summary(run: Reevaluation) -> list[dict]:
    """The report as rows a person reads: category, county, count, totals before and after."""
    counties = dict(Region.objects.filter(level="county").values_list("code", "name"))
    from ..models import Category

    categories = dict(Category.objects.values_list("pk", "name"))
    rows = []
    for key, v in run.report.items():
        parts = key.split(":")
        rows.append(
            {
                "category": categories.get(int(parts[0]), parts[0]),
                "county": counties.get(parts[1], parts[1]),
                "ineligible": len(parts) > 2,
                **v,
            }
        )
    return rows
