"""Payroll batches (SPEC §8): generation, approval, and the lines' one writer.

Generation is set-based and split into chunks of enrollment ids, each one transaction:

1. regular lines: ``INSERT … SELECT`` from the ledger's amount due this month
   (:data:`eligibility.selectors.AMOUNTS_DUE_SQL`), ``ON CONFLICT DO NOTHING`` on the unique
   (enrollment, month) — a second run, or a chunk done again after a killed worker, adds nothing;
2. back-pay (补发) and receivables (追缴) for months already in a batch, where the ledger now says
   something else than what the lines committed (a change dated in the past);
3. offsets: what an open receivable withholds from this month's line.

The batch is finished (reissues of failed lines whose account is now right, approved 临时救助
grants, totals) once every chunk is done. A county generates one batch at a time (checked under
the county's payroll lock, a transaction-level advisory lock, which the finish holds too), so
no two generations compute back-pay from the same committed state; the chunks of that one
batch cover disjoint enrollments and run in parallel, each under its own row lock.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import permissions
from applicants.errors import DomainError
from applicants.models import Region
from applicants.tasks import enqueue_summaries_rebuild
from eligibility.models import Enrollment, TemporaryGrant
from eligibility.rules.frozen import STATUS_ONLY
from eligibility.selectors import AMOUNTS_DUE_SQL, amounts_due, amounts_due_params
from eligibility.services.enrollments import add_months, month_of, this_month

from ..models import OUTSTANDING, Batch, BatchChunk, Line, Receivable, ReceivableItem

#: enrollments per generation chunk (one transaction each)
CHUNK_SIZE = 100_000
#: a ledger row written this long before the previous batch of the county started may still
#: have been committed after it: back-pay looks at enrollments changed since then
CHANGE_MARGIN = dt.timedelta(days=1)
_LOCK_NAMESPACE = 8_100_001  # pg_advisory_xact_lock(namespace, county id)


class PaymentError(DomainError):
    pass


def _refuse(message: str, field: str = "non_field_errors"):
    raise PaymentError(message, {field: [message]})


def county_lock(county_id: int) -> None:
    """Serialize every writer of one county's lines (held to the end of the transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, county_id])


def village_ids(county: Region) -> list[int]:
    return list(
        Region.objects.filter(level=Region.Level.VILLAGE, path__startswith=county.path).values_list(
            "pk", flat=True
        )
    )


# --- the payee and the hold: one SQL fragment for every line generated from an enrollment ---

#: Payee: the enrolled member when they have an account of their own, else the household's
#: applicant (a child's guardian, a household's head). Held: a non-positive amount, a deceased
#: payee, no account — never dropped, never paid.
_PAYEE_JOINS = """
    JOIN applicants_household h ON h.id = src.household_id
    JOIN applicants_region v ON v.id = h.village_id
    LEFT JOIN applicants_person ep ON ep.id = src.person_id
    LEFT JOIN LATERAL (
        SELECT ap.id, ap.name, ap.bank_name, ap.bank_account, ap.status
        FROM applicants_person ap
        WHERE ap.household_id = h.id AND ap.relation = 'applicant' LIMIT 1
    ) ap ON true
    CROSS JOIN LATERAL (
        SELECT CASE WHEN u.own THEN ep.id ELSE ap.id END AS id,
               CASE WHEN u.own THEN ep.name ELSE ap.name END AS name,
               CASE WHEN u.own THEN ep.bank_name ELSE ap.bank_name END AS bank_name,
               CASE WHEN u.own THEN ep.bank_account ELSE ap.bank_account END AS bank_account,
               CASE WHEN u.own THEN ep.status ELSE ap.status END AS status
        FROM (SELECT ep.id IS NOT NULL AND (ep.bank_account <> '' OR ap.id IS NULL) AS own) u
    ) p
"""
#: (LATERAL … LIMIT 1 keeps the applicant an index probe — a hash join would read every person
#: of the city once per chunk — and the payee is read from the rows already there.)
_LINE_COLUMNS = """
    batch_id, kind, enrollment_id, household_id, payee_id, township_id, category, month,
    due_amount, withheld, amount, payee_name, bank_name, bank_account, status, hold_reason,
    failure, failure_note, created_at
"""
#: ``src``: enrollment_id, household_id, person_id, policy_code, month, amount
_LINE_VALUES = """
    %(batch)s, %(kind)s, src.enrollment_id, src.household_id, p.id, v.parent_id,
    src.policy_code, src.month, src.amount, 0, src.amount, COALESCE(p.name, ''),
    COALESCE(p.bank_name, ''), COALESCE(p.bank_account, ''),
    CASE WHEN src.amount <= 0 OR p.id IS NULL OR p.status = 'deceased'
              OR p.bank_account = '' OR p.bank_name = '' THEN 'held' ELSE 'pending' END,
    CASE WHEN src.amount <= 0 THEN 'not_positive'
         WHEN p.status = 'deceased' THEN 'deceased'
         WHEN p.id IS NULL OR p.bank_account = '' OR p.bank_name = '' THEN 'no_account'
         ELSE '' END,
    '', '', now()
"""

REGULAR_LINES_SQL = f"""
    WITH due AS ({AMOUNTS_DUE_SQL})
    INSERT INTO payments_line ({_LINE_COLUMNS})
    SELECT {_LINE_VALUES}
    FROM (SELECT due.*, %(month)s::date AS month FROM due) src
    {_PAYEE_JOINS}
    WHERE h.village_id = ANY(%(villages)s) AND src.policy_code <> ALL(%(status_only)s)
    ON CONFLICT (enrollment_id, month) WHERE kind = 'regular' DO NOTHING
"""  # noqa: S608  # nosec B608 - composed of this module's constants; values are parameters

BACKPAY_LINES_SQL = f"""
    INSERT INTO payments_line ({_LINE_COLUMNS})
    SELECT {_LINE_VALUES}
    FROM (
        SELECT u.enrollment_id, u.month, u.amount, e.household_id, e.person_id, e.policy_code
        FROM unnest(%(ids)s::bigint[], %(months)s::date[], %(amounts)s::numeric[])
             AS u(enrollment_id, month, amount)
        JOIN eligibility_enrollment e ON e.id = u.enrollment_id
    ) src
    {_PAYEE_JOINS}
    ON CONFLICT (batch_id, enrollment_id, month) WHERE kind = 'backpay' DO NOTHING
"""  # noqa: S608  # nosec B608 - composed of this module's constants; values are parameters


# --- starting a batch ---------------------------------------------------------------------


def _check_month(month: dt.date) -> dt.date:
    month = month_of(month)
    if month > add_months(this_month(), 1):
        _refuse(_("只能生成本月或下月的发放批次。"), "month")
    return month


def batch_start(
    *, county: Region, month: dt.date, user, kind: str = Batch.Kind.MONTHLY, chunk_size: int = 0
) -> Batch:
    """Order a county's payroll for a month (or a one-off batch of approved 临时救助): the
    county's approver. Ordering the month's payroll twice, or twice at once, returns the one
    batch (unique per county and month); its generation is queued once it has committed."""
    from .. import tasks

    permissions.require(
        county.level == Region.Level.COUNTY and permissions.can_order_payroll(user, county),
        _("只有本区市的审批人可以生成发放批次。"),
    )
    month = _check_month(month)
    with transaction.atomic():
        county_lock(county.pk)
        if kind == Batch.Kind.MONTHLY:
            existing = Batch.objects.filter(county=county, month=month, kind=kind).first()
            if existing is not None:
                return existing
        if Batch.objects.filter(county=county, state=Batch.State.GENERATING).exists():
            _refuse(_("本区市另有发放批次正在生成，请待其生成完毕后再试。"))
        batch = Batch.objects.create(county=county, month=month, kind=kind, created_by=user)
        if kind == Batch.Kind.MONTHLY:
            _plan_chunks(batch, chunk_size or CHUNK_SIZE)
        transaction.on_commit(lambda: tasks.enqueue_generation(batch.pk))
    return batch


def _plan_chunks(batch: Batch, size: int) -> None:
    """Chunk boundaries over the county's enrollment ids (the first from 0, the last
    open-ended, so enrollments made meanwhile are not missed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id FROM (
                SELECT e.id, row_number() OVER (ORDER BY e.id) AS rn
                FROM eligibility_enrollment e
                JOIN applicants_household h ON h.id = e.household_id
                WHERE h.village_id = ANY(%s)
            ) s WHERE (rn - 1) %% %s = 0 ORDER BY id
            """,
            [village_ids(batch.county), size],
        )
        starts = [row[0] for row in cursor.fetchall()]
    starts = [0, *starts[1:]] if starts else [0]
    ends = [*starts[1:], None]
    BatchChunk.objects.bulk_create(
        BatchChunk(batch=batch, first_id=first, end_id=end)
        for first, end in zip(starts, ends, strict=True)
    )
    Batch.objects.filter(pk=batch.pk).update(chunks_total=len(starts))
    batch.chunks_total = len(starts)


# --- one chunk ----------------------------------------------------------------------------


def chunk_process(*, chunk_id: int) -> int:
    """Generate one chunk's lines in one transaction; a chunk already done is left alone.
    Returns the number of regular lines written."""
    with transaction.atomic():
        chunk = (
            BatchChunk.objects.select_for_update().select_related("batch__county").get(pk=chunk_id)
        )
        batch = chunk.batch
        if chunk.done or batch.state != Batch.State.GENERATING:
            return 0
        villages = village_ids(batch.county)
        params = {
            **amounts_due_params(month=batch.month, first_id=chunk.first_id, end_id=chunk.end_id),
            "batch": batch.pk,
            "kind": Line.Kind.REGULAR,
            "villages": villages,
            "status_only": sorted(STATUS_ONLY),
        }
        with connection.cursor() as cursor:
            # Compiling this plan (JIT) costs more than running it for a chunk.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(REGULAR_LINES_SQL, params)
            written = cursor.rowcount
        _retroactive(batch, chunk, villages)
        _offsets(batch, chunk)
        chunk.done, chunk.lines = True, written
        chunk.save(update_fields=["done", "lines"])
        Batch.objects.filter(pk=batch.pk).update(chunks_done=F("chunks_done") + 1)
    return written


def _in_chunk(chunk: BatchChunk) -> Q:
    q = Q(pk__gte=chunk.first_id)
    return q & Q(pk__lt=chunk.end_id) if chunk.end_id is not None else q


def _retroactive(batch: Batch, chunk: BatchChunk, villages: list[int]) -> None:
    """Back-pay and receivables for the months already in a batch of this county: for each
    enrollment changed since the county's previous payroll (or paid beyond its end), the ledger's
    amount due in that month against what the lines committed (regular + back-pay, less what
    receivables already took back). Itemised per month; a second run finds nothing left."""
    months = list(
        Batch.objects.filter(
            county_id=batch.county_id, kind=Batch.Kind.MONTHLY, month__lt=batch.month
        )
        .order_by("month")
        .values_list("month", flat=True)
    )
    if not months:
        return
    previous = (
        Batch.objects.filter(county_id=batch.county_id, kind=Batch.Kind.MONTHLY)
        .exclude(pk=batch.pk)
        .filter(month__lt=batch.month)
        .order_by("-month")
        .values_list("created_at", flat=True)
        .first()
    )
    since = previous - CHANGE_MARGIN
    enrollments = Enrollment.objects.filter(_in_chunk(chunk), household__village_id__in=villages)
    changed = set(
        enrollments.filter(amounts__created_at__gte=since).values_list("pk", flat=True)
    ) | set(
        enrollments.filter(
            end_month__isnull=False,
            end_month__lt=batch.month,
            payment_lines__kind__in=[Line.Kind.REGULAR, Line.Kind.BACKPAY],
            payment_lines__month__gt=F("end_month"),
        ).values_list("pk", flat=True)
    )
    changed -= set(
        Enrollment.objects.filter(pk__in=changed, policy_code__in=STATUS_ONLY).values_list(
            "pk", flat=True
        )
    )
    if not changed:
        return
    ids = sorted(changed)
    committed = _committed(ids, months)
    backpay: list[tuple[int, dt.date, Decimal]] = []
    overpaid: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for month in months:
        due = amounts_due(month=month, enrollment_ids=ids)
        for eid in ids:
            difference = due.get(eid, Decimal("0.00")) - committed.get((eid, month), Decimal(0))
            if difference > 0:
                backpay.append((eid, month, difference))
            elif difference < 0:
                overpaid[eid].append((month, -difference))
    if backpay:
        with connection.cursor() as cursor:
            cursor.execute(
                BACKPAY_LINES_SQL,
                {
                    "batch": batch.pk,
                    "kind": Line.Kind.BACKPAY,
                    "ids": [b[0] for b in backpay],
                    "months": [b[1] for b in backpay],
                    "amounts": [b[2] for b in backpay],
                },
            )
    households = dict(
        Enrollment.objects.filter(pk__in=list(overpaid)).values_list("pk", "household_id")
    )
    for eid, items in sorted(overpaid.items()):
        total = sum((amount for _m, amount in items), Decimal("0.00"))
        receivable = Receivable.objects.create(
            household_id=households[eid],
            enrollment_id=eid,
            reason=Receivable.Reason.RETROACTIVE,
            schedule=Receivable.Schedule.OFFSET,
            total=total,
            balance=total,
            batch=batch,
            note=_("追溯调整：已发月份应发金额减少"),
        )
        ReceivableItem.objects.bulk_create(
            ReceivableItem(
                receivable=receivable, enrollment_id=eid, month=m, amount=amount, batch=batch
            )
            for m, amount in items
        )


def _committed(ids: list[int], months: list[dt.date]) -> dict[tuple[int, dt.date], Decimal]:
    """(enrollment, month) → what the lines committed to pay (regular and back-pay lines, held
    and failed ones included: those are owed and reissued) less what receivables took back."""
    committed: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    for eid, month, total in (
        Line.objects.filter(
            enrollment_id__in=ids,
            month__in=months,
            kind__in=[Line.Kind.REGULAR, Line.Kind.BACKPAY],
        )
        .values_list("enrollment_id", "month")
        .annotate(total=Sum("due_amount"))
    ):
        committed[(eid, month)] += total
    for eid, month, total in (
        ReceivableItem.objects.filter(enrollment_id__in=ids, month__in=months)
        .values_list("enrollment_id", "month")
        .annotate(total=Sum("amount"))
    ):
        committed[(eid, month)] -= total
    return committed


def _offsets(batch: Batch, chunk: BatchChunk) -> None:
    """Withhold from this month's regular lines what open receivables schedule to offset (in
    primary-key order; a line carries one receivable, a receivable never goes below zero)."""
    receivables = list(
        Receivable.objects.select_for_update()
        .filter(
            status=Receivable.Status.OPEN,
            schedule=Receivable.Schedule.OFFSET,
            enrollment__isnull=False,
            enrollment_id__gte=chunk.first_id,
            **({"enrollment_id__lt": chunk.end_id} if chunk.end_id is not None else {}),
        )
        .order_by("pk")
    )
    for receivable in receivables:
        line = (
            Line.objects.select_for_update()
            .filter(
                batch=batch,
                kind=Line.Kind.REGULAR,
                enrollment_id=receivable.enrollment_id,
                status=Line.Status.PENDING,
                receivable__isnull=True,
            )
            .first()
        )
        if line is None:
            continue
        cap = receivable.installment or receivable.balance
        withheld = min(receivable.balance, cap, line.due_amount)
        if withheld <= 0:
            continue
        line.withheld = withheld
        line.amount = line.due_amount - withheld
        line.receivable = receivable
        if line.amount == 0:
            line.status = Line.Status.OFFSET
        line.save(update_fields=["withheld", "amount", "receivable", "status"])
        receivable.balance -= withheld
        if receivable.balance == 0:
            receivable.status = Receivable.Status.SETTLED
        receivable.save(update_fields=["balance", "status"])


# --- finishing ----------------------------------------------------------------------------


def batch_finish(*, batch_id: int) -> bool:
    """Once every chunk is done: reissues, 临时救助 grants, totals; the batch becomes a draft.
    Safe to call any number of times (False: not yet, or already finished)."""
    with transaction.atomic():
        batch = Batch.objects.select_related("county").get(pk=batch_id)
        county_lock(batch.county_id)
        batch = Batch.objects.select_for_update().get(pk=batch_id)
        if batch.state != Batch.State.GENERATING:
            return False
        if batch.chunks.filter(done=False).exists():
            return False
        villages = village_ids(batch.county)
        if batch.kind == Batch.Kind.MONTHLY:
            _reissues(batch, villages)
        _grants(batch, villages)
        _totals(batch)
        batch.state = Batch.State.DRAFT
        batch.generated_at = timezone.now()
        batch.save()
        enqueue_summaries_rebuild("payroll")
    return True


#: Reissues (补发 of a failed or account-less line): the payee by today's accounts (the same
#: fragment as generation), only when usable, and for a failed line only to another account
REISSUE_LINES_SQL = f"""
    INSERT INTO payments_line ({_LINE_COLUMNS}, grant_id, reissue_of_id)
    SELECT {_LINE_VALUES}, src.grant_id, src.line_id
    FROM (
        SELECT l.id AS line_id, l.enrollment_id, l.household_id, e.person_id,
               l.category AS policy_code, l.month, l.amount, l.grant_id,
               l.status AS old_status, l.bank_account AS old_account
        FROM payments_line l
        LEFT JOIN eligibility_enrollment e ON e.id = l.enrollment_id
        WHERE l.id = ANY(%(ids)s)
    ) src
    {_PAYEE_JOINS}
    WHERE p.id IS NOT NULL AND p.status <> 'deceased' AND p.bank_account <> ''
      AND p.bank_name <> '' AND NOT (src.old_status = 'failed' AND p.bank_account = src.old_account)
    ON CONFLICT (reissue_of_id) WHERE reissue_of_id IS NOT NULL DO NOTHING
"""  # noqa: S608  # nosec B608 - composed of this module's constants; values are parameters

#: Approved 临时救助 grants: paid to the household's applicant, held with the reason when unusable;
#: the month is the grant's approval month in the city's time zone
GRANT_LINES_SQL = f"""
    INSERT INTO payments_line ({_LINE_COLUMNS}, grant_id)
    SELECT {_LINE_VALUES}, src.grant_id
    FROM (
        SELECT g.id AS grant_id, NULL::bigint AS enrollment_id, g.household_id,
               NULL::bigint AS person_id, 'temporary' AS policy_code,
               date_trunc('month', g.approved_at AT TIME ZONE %(tz)s)::date AS month, g.amount
        FROM eligibility_temporarygrant g
        WHERE g.id = ANY(%(ids)s)
    ) src
    {_PAYEE_JOINS}
    ON CONFLICT (grant_id) WHERE kind = 'temporary' DO NOTHING
"""  # noqa: S608  # nosec B608 - composed of this module's constants; values are parameters


def _reissues(batch: Batch, villages: list[int]) -> None:
    """Failed lines, and lines held for want of an account, are paid again in the next
    payroll once the payee's account is right (one reissue per line, by constraint)."""
    outstanding = list(
        Line.objects.select_for_update(of=("self",))
        .filter(
            OUTSTANDING,
            Q(status=Line.Status.FAILED) | Q(hold_reason=Line.Hold.NO_ACCOUNT),
            household__village_id__in=villages,
            reissues__isnull=True,
            amount__gt=0,
        )
        .exclude(batch=batch)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if outstanding:
        with connection.cursor() as cursor:
            cursor.execute(
                REISSUE_LINES_SQL,
                {"batch": batch.pk, "kind": Line.Kind.REISSUE, "ids": outstanding},
            )


def _grants(batch: Batch, villages: list[int]) -> None:
    """Approved 临时救助 grants of the county not yet in a batch, paid once (unique per grant)."""
    grants = list(
        TemporaryGrant.objects.select_for_update(of=("self",))
        .filter(
            status=TemporaryGrant.Status.APPROVED,
            household__village_id__in=villages,
            payment_lines__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if grants:
        with connection.cursor() as cursor:
            cursor.execute(
                GRANT_LINES_SQL,
                {
                    "batch": batch.pk,
                    "kind": Line.Kind.TEMPORARY,
                    "ids": grants,
                    "tz": settings.TIME_ZONE,
                },
            )


def _totals(batch: Batch) -> None:
    pending = batch.lines.filter(status=Line.Status.PENDING).aggregate(
        n=Count("pk"), total=Sum("amount")
    )
    batch.line_count = pending["n"]
    batch.total_amount = pending["total"] or Decimal("0.00")
    batch.held_count = batch.lines.filter(status=Line.Status.HELD).count()


# --- approval -----------------------------------------------------------------------------


def batch_approve(*, batch: Batch, user) -> Batch:
    """County approval of a draft, by someone other than whoever generated it (four eyes).
    Approving twice, or at once from two sessions: one approval."""
    with transaction.atomic():
        batch = Batch.objects.select_for_update().select_related("county").get(pk=batch.pk)
        permissions.require(
            permissions.can_order_payroll(user, batch.county),
            _("只有本区市的审批人可以审批发放批次。"),
        )
        if batch.state == Batch.State.APPROVED and batch.approved_by_id == user.pk:
            return batch
        if batch.state != Batch.State.DRAFT:
            _refuse(
                _("只有待审批的批次可以审批（当前：%(state)s）。")
                % {"state": batch.get_state_display()}
            )
        if batch.created_by_id == user.pk:
            _refuse(_("生成批次的人不能审批同一批次，请由另一位审批人审批。"))
        _check_totals(batch)
        batch.state = Batch.State.APPROVED
        batch.approved_by = user
        batch.approved_at = timezone.now()
        batch.save(update_fields=["state", "approved_by", "approved_at"])
    return batch


def _check_totals(batch: Batch) -> None:
    """The batch's totals are the sum of its lines (nothing changed a line since)."""
    pending = batch.lines.filter(status=Line.Status.PENDING).aggregate(
        n=Count("pk"), total=Sum("amount")
    )
    if pending["n"] != batch.line_count or (pending["total"] or 0) != batch.total_amount:
        _refuse(_("批次合计与明细不符，请重新核对。"))
