"""The enrollment amount ledger's one writer (在保待遇台账, issue 8).

Approval, reviews, member changes and re-evaluation all change amounts here, and only here:

- rows are locked in primary-key order (:func:`enrollments_lock`) before anything is read;
- an amount is always :func:`eligibility.rules.frozen.enrollment_amount` of the facts in force,
  the standards in force and the adjustments frozen with the facts — never a copy of an older
  amount;
- a change from month M is written as ledger rows effective from M *and* from every later month
  where the facts or the standards changed, so that a change dated in the past (a standard, a
  death) leaves each month showing what was owed, and a later standard never undoes a review;
- rows are only inserted (the history is a chain: each row's ``previous_amount`` is the amount
  that was due in its month before it was written).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.errors import DomainError
from applicants.models import Region

from ..models import Assessment, Enrollment, EnrollmentAmount, Reevaluation, Review, Standard
from ..rules import Parameters
from ..rules.frozen import enrollment_amount
from ..selectors import county_of, standards_in_force


class LedgerError(DomainError):
    pass


class NoLongerEligible(LedgerError):
    """The rules no longer admit an enrollment on the facts given: a stop or exit decides."""

    def __init__(self, enrollment: Enrollment, month: dt.date):
        self.enrollment, self.month = enrollment, month
        msg = _("按现有情况已不符合保障条件，请选择停保或渐退。")
        super().__init__(msg, {"outcome": [msg]})


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def this_month() -> dt.date:
    return month_of(timezone.localdate())


def numbers_on(month: dt.date) -> dt.date:
    """The day whose standards a month is paid by: its last day — a standard dated the 15th
    applies to its whole month — but never a day still to come, so that a standard dated in
    the future moves nothing before its day (its re-evaluation runs then)."""
    return min(add_months(month, 1) - dt.timedelta(days=1), timezone.localdate())


def enrollments_lock(ids: Iterable[int]) -> list[Enrollment]:
    """Lock enrollments for writing, always in primary-key order (no deadlocks between two
    writers that meet on the same rows), and read them again as committed."""
    return list(
        Enrollment.objects.select_for_update(of=("self",))
        .filter(pk__in=list(ids))
        .select_related("household__village", "assessment")
        .order_by("pk")
    )


def household_enrollments_lock(household_id: int, *, active_only: bool = True) -> list[Enrollment]:
    qs: QuerySet[Enrollment] = Enrollment.objects.filter(household_id=household_id)
    if active_only:
        qs = qs.filter(status=Enrollment.Status.ACTIVE)
    return enrollments_lock(qs.values_list("pk", flat=True))


@dataclass
class _StandardsCache:
    """Parameters per (county, area, month) and the months standards change, per county —
    keyed by the county code in the village's path, so a batch reads each county once."""

    params: dict[tuple[str, str, dt.date], Parameters] = field(default_factory=dict)
    months: dict[str, list[dt.date]] = field(default_factory=dict)
    counties: dict[str, Region] = field(default_factory=dict)

    def _county(self, village: Region) -> Region:
        code = village.county_code or ""
        if code not in self.counties:
            self.counties[code] = county_of(village)
        return self.counties[code]

    def parameters(self, village: Region, area: str, month: dt.date) -> Parameters:
        key = (village.county_code or "", area, month)
        if key not in self.params:
            self.params[key] = standards_in_force(
                region=self._county(village), area=area, on=numbers_on(month)
            ).parameters
        return self.params[key]

    def change_months(self, village: Region) -> list[dt.date]:
        """Months in which a standard of this county (or its city) took effect, up to now:
        a standard dated in the future is applied by its own re-evaluation on its day."""
        code = village.county_code or ""
        if code not in self.months:
            county = self._county(village)
            days = Standard.objects.filter(
                region__in=[county.pk, county.parent_id], effective_from__lte=timezone.localdate()
            ).values_list("effective_from", flat=True)
            self.months[code] = sorted({month_of(d) for d in days})
        return self.months[code]


def _in_force(rows: list[EnrollmentAmount], month: dt.date) -> EnrollmentAmount | None:
    """The row that says what is due in ``month``: the one written last among those effective
    in or before it (rows are in id order)."""
    found = None
    for row in rows:
        if row.effective_month <= month:
            found = row
    return found


def amounts_write(
    *,
    enrollments: list[Enrollment],
    from_month: dt.date,
    reason: str,
    by=None,
    assessment: Assessment | None = None,
    review: Review | None = None,
    reevaluation: Reevaluation | None = None,
    cache: _StandardsCache | None = None,
) -> list[EnrollmentAmount]:
    """Write what the enrollments are due from ``from_month`` on (callers hold the locks of
    :func:`enrollments_lock`).

    With ``assessment``, those facts hold from ``from_month`` on (a review, a member change);
    without, each month keeps the facts it had (a standard change). Raises
    :class:`NoLongerEligible` when the rules refuse an enrollment; the caller's transaction then
    writes nothing.
    """
    cache = cache or _StandardsCache()
    from_month = month_of(from_month)
    written: list[EnrollmentAmount] = []
    for enrollment in enrollments:
        rows = list(enrollment.amounts.select_related("assessment").order_by("id"))
        start = max(from_month, enrollment.start_month)
        if enrollment.end_month is not None and start > enrollment.end_month:
            continue
        village = enrollment.household.village
        breaks = {start}
        breaks.update(r.effective_month for r in rows if r.effective_month > start)
        breaks.update(m for m in cache.change_months(village) if m > start)
        if enrollment.end_month is not None:
            breaks = {b for b in breaks if b <= enrollment.end_month}
        before = list(rows)  # the facts each month had before this write
        for month in sorted(breaks):
            facts = assessment
            if facts is None:
                had = _in_force(before, month)
                facts = had.assessment if had is not None else enrollment.assessment
            params = cache.parameters(village, village.area, month)
            amount = enrollment_amount(
                enrollment.policy_code, enrollment.person_id, facts.inputs, params, month
            )
            if amount is None:
                raise NoLongerEligible(enrollment, month)
            due = _in_force(rows, month)
            if due is not None and due.amount == amount and due.assessment_id == facts.pk:
                continue
            row = EnrollmentAmount(
                enrollment=enrollment,
                amount=amount,
                previous_amount=due.amount if due is not None else None,
                effective_month=month,
                reason=reason[:200],
                assessment=facts,
                review=review,
                reevaluation=reevaluation,
                created_by=by,
            )
            row.save()
            row.assessment = facts
            rows.append(row)
            written.append(row)
        _sync(enrollment, rows)
    return written


def _sync(enrollment: Enrollment, rows: list[EnrollmentAmount]) -> None:
    """Keep the enrollment's going-forward amount and latest facts equal to its ledger."""
    if not rows:
        return
    last = _in_force(rows, max(r.effective_month for r in rows))
    if (enrollment.monthly_amount, enrollment.assessment_id) != (last.amount, last.assessment_id):
        enrollment.monthly_amount, enrollment.assessment_id = last.amount, last.assessment_id
        enrollment.save(update_fields=["monthly_amount", "assessment"])


def amounts_write_set(
    cursor,
    changes: list[tuple[int, Decimal, Decimal]],
    *,
    month: dt.date,
    reason: str,
    reevaluation_id: int,
) -> int:
    """The set-based form of the writer, for a re-evaluation chunk whose rows the caller has
    locked (``FOR UPDATE``, id order): (enrollment, new amount, amount read) through COPY into
    a temporary table, then one statement that moves each amount only if it is still the one
    read and writes a ledger row for exactly the rows it moved. Returns how many moved."""
    cursor.execute(
        "CREATE TEMP TABLE ledger_changes (enrollment_id bigint, amount numeric(12,2), "
        "previous numeric(12,2)) ON COMMIT DROP"
    )
    buffer = io.StringIO("".join(f"{e}\t{new}\t{old}\n" for e, new, old in changes))
    cursor.copy_expert("COPY ledger_changes FROM STDIN", buffer)
    cursor.execute(
        """
        WITH moved AS (
          UPDATE eligibility_enrollment e SET monthly_amount = c.amount
          FROM ledger_changes c
          WHERE e.id = c.enrollment_id AND e.monthly_amount = c.previous
          RETURNING e.id, e.assessment_id, c.amount, c.previous
        )
        INSERT INTO eligibility_enrollmentamount
          (enrollment_id, amount, previous_amount, effective_month, reason, assessment_id,
           reevaluation_id, created_at)
        SELECT id, amount, previous, %s, %s, assessment_id, %s, now() FROM moved
        """,
        [month_of(month), reason[:200], reevaluation_id],
    )
    moved = cursor.rowcount
    cursor.execute("DROP TABLE ledger_changes")
    return moved


def enrollment_open(
    *,
    enrollment: Enrollment,
    by=None,
    reason: str = "审批纳入保障",
) -> EnrollmentAmount:
    """The first ledger row of a new enrollment: what the decision's facts give in its first
    month (approval writes the enrollment, then this)."""
    row = EnrollmentAmount.objects.create(
        enrollment=enrollment,
        amount=enrollment.monthly_amount,
        effective_month=enrollment.start_month,
        reason=reason,
        assessment=enrollment.assessment,
        created_by=by,
    )
    return row


def enrollments_stop(*, enrollments: list[Enrollment], last_month: dt.date) -> list[Enrollment]:
    """Stop payment after ``last_month`` (inclusive). An enrollment stopped before its first
    month ends the month before it (nothing is ever due)."""
    stopped = []
    for e in enrollments:
        if e.status != Enrollment.Status.ACTIVE:
            continue
        e.status = Enrollment.Status.STOPPED
        e.end_month = max(month_of(last_month), add_months(e.start_month, -1))
        e.save(update_fields=["status", "end_month"])
        stopped.append(e)
    return stopped


def enrollments_schedule_end(*, enrollments: list[Enrollment], last_month: dt.date) -> None:
    """A gradual exit (渐退): still paid up to and including ``last_month``, then stopped by
    :func:`enrollments_end_due`."""
    for e in enrollments:
        e.end_month = max(month_of(last_month), e.start_month)
        e.save(update_fields=["end_month"])


def enrollments_end_due(*, today: dt.date | None = None) -> list[int]:
    """Stop every active enrollment whose last month has passed (set-based; safe to run twice:
    a stopped enrollment is not selected again). Returns the households concerned."""
    month = month_of(today or timezone.localdate())
    ids = list(
        Enrollment.objects.filter(status=Enrollment.Status.ACTIVE, end_month__lt=month)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    locked = [
        e
        for e in enrollments_lock(ids)
        if e.status == Enrollment.Status.ACTIVE and e.end_month and e.end_month < month
    ]
    Enrollment.objects.filter(pk__in=[e.pk for e in locked]).update(
        status=Enrollment.Status.STOPPED
    )
    return sorted({e.household_id for e in locked})


def decimal_sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal("0.00"))
