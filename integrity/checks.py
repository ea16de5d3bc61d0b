"""Fund-anomaly checks (资金异常检查, SPEC §9, issue 11 item 6): set-based SQL over the other
apps' tables, each finding a task for the city supervisor.

``integrity`` imports no other app of the project (ARCHITECTURE.md): the checks read
``applicants``, ``eligibility`` and ``payments`` by their tables, and nothing below imports this
module. Each check is one ``SELECT`` yielding (subject, county, household, amount, evidence);
:func:`check_run` stores its rows with one ``INSERT … SELECT … ON CONFLICT (kind, subject)``:

- a finding is unique per check and subject, so running twice — or twice at once — adds
  nothing (each check also runs under a transaction-level advisory lock of its own);
- a finding found again refreshes ``last_found_at`` (and, while open, its evidence);
- a finding that no longer holds is left as it was: history, never deleted. Its
  ``last_found_at`` is older than the check's last :class:`~integrity.models.AnomalyRun`.

The evidence holds ids, months, dates, amounts, codes and masked account numbers: no name, ID
number, birth date, income or health fact. Pages and the API show the persons behind the ids
through ``applicants.masking`` for each reader.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .models import AnomalyFinding, AnomalyRun

Check = AnomalyFinding.Check

# --- SPEC §5's combinations, as the rules engine's slots (eligibility/rules/frozen.py) -------
# integrity does not import eligibility: the codes are repeated here, and a test pins them to
# eligibility.rules.frozen so that the two cannot drift apart.

#: whole-household results that exclude each other (支出型 is paid as 低保; 边缘 and relative
#: poverty are the statuses of a household that fails 低保)
HOUSEHOLD_SLOT = ("dibao", "expenditure_hardship", "dibao_edge", "relative_poverty")
#: a member's own results that exclude each other (孤儿 is not combined with 特困; 单人保 is
#: the member's own 低保)
MEMBER_SLOT = ("tekun", "dibao_single", "orphan")
#: 单人保 is for a member of a household that fails 低保: not beside the household's 低保
HOUSEHOLD_DIBAO = ("dibao", "expenditure_hardship")


# The county of a household: village → township → county (the region tree of SPEC §2).
_COUNTY_OF_HOUSEHOLD = """
    JOIN applicants_household h ON h.id = {household}
    JOIN applicants_region v ON v.id = h.village_id
    JOIN applicants_region t ON t.id = v.parent_id
"""


def _county_join(household: str) -> str:
    return _COUNTY_OF_HOUSEHOLD.format(household=household)


#: (a) 死亡后仍发放: a line sent to the bank (pending or paid) for a month after the month of a
#: recorded death (payment stops from the month after death, SPEC §6), where the dead person is
#: the payee, the member enrolled alone, or the last member of a household enrolled whole.
PAID_AFTER_DEATH_SQL = f"""
    SELECT 'person:' || d.id AS subject, t.parent_id AS region_id, d.household_id,
           sum(l.amount) AS amount,
           jsonb_build_object(
               'person_id', d.id,
               'died_on', d.status_on,
               'line_count', count(*),
               'lines', jsonb_agg(jsonb_build_object(
                   'line_id', l.id, 'batch_id', l.batch_id, 'month', to_char(l.month, 'YYYY-MM'),
                   'kind', l.kind, 'status', l.status, 'amount', l.amount::text,
                   'enrollment_id', l.enrollment_id, 'payee_id', l.payee_id
               ) ORDER BY l.month, l.id)
           ) AS evidence
    FROM applicants_person d
    JOIN payments_line l
      ON l.household_id = d.household_id
     AND l.month >= (date_trunc('month', d.status_on) + interval '1 month')::date
    LEFT JOIN eligibility_enrollment e ON e.id = l.enrollment_id
    {_county_join("d.household_id")}
    WHERE d.status = 'deceased' AND d.status_on IS NOT NULL
      AND l.status IN ('pending', 'paid')
      AND (
          l.payee_id = d.id
          OR e.person_id = d.id
          OR (e.id IS NOT NULL AND e.person_id IS NULL AND NOT EXISTS (
                SELECT 1 FROM applicants_person o
                WHERE o.household_id = d.household_id AND o.status = 'living'))
      )
    GROUP BY d.id, d.household_id, d.status_on, t.parent_id
"""  # noqa: S608  # nosec B608 - composed of this module's constants only

#: (b) 重复享受: a person covered by two active enrollments SPEC §5 does not combine — two
#: whole-household guarantees (two households, in one county or two, or 低保 beside 边缘), two of
#: a member's own (特困, 单人保, 孤儿), 单人保 beside the household's 低保, or 重点困境儿童 beside
#: 孤儿. A person is one row whatever the region (ID numbers are unique and normalised), and a
#: household enrolled whole covers each of its living members.
ENROLLED_TWICE_SQL = f"""
    WITH cover AS (
        SELECT e.person_id, e.id AS enrollment_id, e.policy_code, e.household_id,
               false AS whole
        FROM eligibility_enrollment e
        WHERE e.status = 'active' AND e.person_id IS NOT NULL
        UNION ALL
        SELECT p.id, e.id, e.policy_code, e.household_id, true
        FROM eligibility_enrollment e
        JOIN applicants_person p ON p.household_id = e.household_id AND p.status = 'living'
        WHERE e.status = 'active' AND e.person_id IS NULL
          AND e.policy_code = ANY(%(household_slot)s)
    ),
    twice AS (
        SELECT person_id
        FROM cover
        GROUP BY person_id
        HAVING count(*) > 1 AND (
            count(*) FILTER (WHERE whole) > 1
            OR count(*) FILTER (WHERE policy_code = ANY(%(member_slot)s)) > 1
            OR (bool_or(policy_code = 'dibao_single')
                AND bool_or(whole AND policy_code = ANY(%(household_dibao)s)))
            OR (bool_or(policy_code = 'orphan') AND bool_or(policy_code = 'child_in_hardship'))
        )
    )
    SELECT 'person:' || c.person_id AS subject,
           min(t.parent_id) AS region_id,
           (array_agg(c.household_id ORDER BY c.enrollment_id))[1] AS household_id,
           -- what is paid each month beyond the one guarantee that pays most
           sum(e.monthly_amount) - max(e.monthly_amount) AS amount,
           jsonb_build_object(
               'person_id', c.person_id,
               'enrollments', jsonb_agg(jsonb_build_object(
                   'enrollment_id', c.enrollment_id, 'policy', c.policy_code,
                   'household_id', c.household_id, 'whole_household', c.whole,
                   'county_id', t.parent_id, 'monthly_amount', e.monthly_amount::text,
                   'start_month', to_char(e.start_month, 'YYYY-MM')
               ) ORDER BY c.enrollment_id)
           ) AS evidence
    FROM cover c
    JOIN twice USING (person_id)
    JOIN eligibility_enrollment e ON e.id = c.enrollment_id
    {_county_join("c.household_id")}
    GROUP BY c.person_id
"""  # noqa: S608  # nosec B608 - composed of this module's constants only

#: (c) 近亲属未经县级入户核查: an active enrollment decided on an application registered as a
#: staff member's close relative (近亲属备案, SPEC §6) without the county's home visit — the
#: flag unset, or set without the visit recorded as a step of the case.
RELATIVE_WITHOUT_VISIT_SQL = f"""
    SELECT 'enrollment:' || e.id AS subject, t.parent_id AS region_id, e.household_id,
           e.monthly_amount AS amount,
           jsonb_build_object(
               'enrollment_id', e.id, 'policy', e.policy_code,
               'start_month', to_char(e.start_month, 'YYYY-MM'),
               'application_id', a.id, 'decision_id', d.id,
               'decided_by_id', d.decided_by_id, 'decided_on', (d.decided_at)::date,
               'county_visit_flag', a.county_visit_done,
               'county_visit_recorded', false
           ) AS evidence
    FROM applicants_application a
    JOIN eligibility_decision d ON d.application_id = a.id
    JOIN eligibility_enrollment e ON e.decision_id = d.id
    {_county_join("e.household_id")}
    WHERE a.close_relative AND e.status = 'active'
      AND NOT EXISTS (
          SELECT 1 FROM applicants_applicationtransition s
          WHERE s.application_id = a.id AND s.action = 'county_visit')
"""  # noqa: S608  # nosec B608 - composed of this module's constants only

#: (d) 金额与测算不符: an active enrollment whose amount in force (the ledger's row for this
#: month, AMOUNTS_DUE_SQL's rule: the row written last among those effective by then) was
#: written from an assessment — a decision or a review, not a re-evaluation under new
#: standards — and differs from what the rules engine gave in that assessment for the
#: enrollment's result (its policy; its member for a per-member result). Assessments with a
#: work-refusal adjustment (SPEC §6: a share withheld) are left out: their amount is the
#: result less that share.
AMOUNT_OFF_RULES_SQL = f"""
    SELECT 'amount:' || a.id AS subject, t.parent_id AS region_id, e.household_id,
           abs(a.amount - r.engine_amount) AS amount,
           jsonb_build_object(
               'enrollment_id', e.id, 'policy', e.policy_code,
               'ledger_row_id', a.id, 'effective_month', to_char(a.effective_month, 'YYYY-MM'),
               'ledger_amount', a.amount::text, 'engine_amount', r.engine_amount::text,
               'assessment_id', s.id, 'assessed_on', s."on"
           ) AS evidence
    FROM eligibility_enrollment e
    CROSS JOIN LATERAL (
        SELECT x.id, x.amount, x.effective_month, x.assessment_id
        FROM eligibility_enrollmentamount x
        WHERE x.enrollment_id = e.id AND x.effective_month <= %(month)s
          AND x.reevaluation_id IS NULL
          AND NOT EXISTS (
              SELECT 1 FROM eligibility_enrollmentamount y
              WHERE y.enrollment_id = e.id AND y.effective_month <= %(month)s
                AND y.reevaluation_id IS NOT NULL AND y.id > x.id)
        ORDER BY x.id DESC LIMIT 1
    ) a
    JOIN eligibility_assessment s ON s.id = a.assessment_id
    CROSS JOIN LATERAL (
        -- frozen JSON is read defensively: a malformed result is skipped, never a failed job
        SELECT CASE WHEN res ->> 'monthly_amount' ~ '^[0-9]+([.][0-9]+)?$'
                    THEN (res ->> 'monthly_amount')::numeric END AS engine_amount
        FROM jsonb_array_elements(
            CASE WHEN jsonb_typeof(s.result -> 'results') = 'array'
                 THEN s.result -> 'results' ELSE '[]'::jsonb END) res
        WHERE jsonb_typeof(res) = 'object'
          AND res ->> 'policy' = e.policy_code
          AND res -> 'eligible' = 'true'::jsonb
          AND (
              (e.person_id IS NULL AND res -> 'member' = 'null'::jsonb)
              OR (e.person_id IS NOT NULL
                  AND CASE WHEN res ->> 'member' ~ '^[0-9]{{1,4}}$'
                           AND jsonb_typeof(s.inputs -> 'members') = 'array'
                      THEN s.inputs -> 'members' -> (res ->> 'member')::int ->> 'person_id'
                      END = e.person_id::text)
          )
        LIMIT 1
    ) r
    {_county_join("e.household_id")}
    WHERE e.status = 'active'
      AND e.start_month <= %(month)s AND (e.end_month IS NULL OR e.end_month >= %(month)s)
      AND r.engine_amount IS NOT NULL AND a.amount <> r.engine_amount
      AND COALESCE(jsonb_array_length(
            CASE WHEN jsonb_typeof(s.inputs -> 'adjustments' -> 'work_refusal') = 'array'
                 THEN s.inputs -> 'adjustments' -> 'work_refusal' END), 0) = 0
"""  # noqa: S608  # nosec B608 - composed of this module's constants only

#: (e) 多户共用银行账户: one bank account (bank and number) on the members of two or more
#: households that have an active enrollment. The platform knows no kinship across households,
#: so every such account is a finding; one a supervisor dismisses (a guardian's card, with a
#: note) stays dismissed while the same households share it.
SHARED_ACCOUNT_SQL = f"""
    WITH holders AS (
        SELECT p.id AS person_id, p.household_id, p.bank_name,
               regexp_replace(p.bank_account, '\\s', '', 'g') AS account
        FROM applicants_person p
        WHERE p.bank_account <> '' AND p.status = 'living'
          AND EXISTS (SELECT 1 FROM eligibility_enrollment e
                      WHERE e.household_id = p.household_id AND e.status = 'active')
    ),
    shared AS (
        SELECT bank_name, account
        FROM holders
        GROUP BY bank_name, account
        HAVING count(DISTINCT household_id) > 1
    )
    SELECT 'account:' || md5(x.bank_name || '|' || x.account) AS subject,
           (array_agg(t.parent_id ORDER BY x.household_id))[1] AS region_id,
           min(x.household_id) AS household_id,
           NULL::numeric AS amount,
           jsonb_build_object(
               'bank_name', x.bank_name,
               'account_tail', right(x.account, 4),
               'household_count', count(DISTINCT x.household_id),
               'holders', jsonb_agg(jsonb_build_object(
                   'person_id', x.person_id, 'household_id', x.household_id,
                   'county_id', t.parent_id
               ) ORDER BY x.household_id, x.person_id)
           ) AS evidence
    FROM holders x
    JOIN shared USING (bank_name, account)
    {_county_join("x.household_id")}
    GROUP BY x.bank_name, x.account
"""  # noqa: S608  # nosec B608 - composed of this module's constants only

CHECK_SQL = {
    Check.PAID_AFTER_DEATH: PAID_AFTER_DEATH_SQL,
    Check.ENROLLED_TWICE: ENROLLED_TWICE_SQL,
    Check.RELATIVE_WITHOUT_VISIT: RELATIVE_WITHOUT_VISIT_SQL,
    Check.AMOUNT_OFF_RULES: AMOUNT_OFF_RULES_SQL,
    Check.SHARED_ACCOUNT: SHARED_ACCOUNT_SQL,
}

#: what :func:`check_run` wraps around a check's SELECT: store, never duplicate, keep history
_STORE_SQL = """
    WITH found AS ({select})
    INSERT INTO integrity_anomalyfinding AS f
        (kind, subject, region_id, household_id, amount, evidence, status, note,
         first_found_at, last_found_at)
    SELECT %(kind)s, subject, region_id, household_id, amount, evidence, 'open', '',
           now(), now()
    FROM found
    ORDER BY subject
    ON CONFLICT (kind, subject) DO UPDATE
       SET last_found_at = EXCLUDED.last_found_at,
           evidence = CASE WHEN f.status = 'open' THEN EXCLUDED.evidence ELSE f.evidence END,
           amount = CASE WHEN f.status = 'open' THEN EXCLUDED.amount ELSE f.amount END
    RETURNING (xmax = 0) AS inserted
"""


def check_params(*, today=None) -> dict:
    today = today or timezone.localdate()
    return {
        "month": today.replace(day=1),
        "household_slot": list(HOUSEHOLD_SLOT),
        "member_slot": list(MEMBER_SLOT),
        "household_dibao": list(HOUSEHOLD_DIBAO),
    }


def check_select(kind: str) -> str:
    """The bare SELECT of one check (the benchmark times it alone as the bound)."""
    return CHECK_SQL[Check(kind)]


@dataclass(frozen=True)
class RunResult:
    kind: str
    found: int
    new: int
    seconds: float


def check_run(kind: str, *, today=None) -> RunResult:
    """Run one check and store its findings (see the module docstring): one transaction, under
    the check's own advisory lock, so a second run at the same time waits, then adds nothing."""
    kind = Check(kind)
    started = timezone.now()
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext('integrity.anomaly'), %s)",
            [list(Check).index(kind)],
        )
        cursor.execute(
            _STORE_SQL.format(select=CHECK_SQL[kind]),  # nosec B608 - module constants
            {**check_params(today=today), "kind": kind.value},
        )
        rows = cursor.fetchall()
        new = sum(1 for (inserted,) in rows if inserted)
        AnomalyRun.objects.create(kind=kind, started_at=started, found=len(rows), new=new)
    return RunResult(kind=kind.value, found=len(rows), new=new, seconds=time.perf_counter() - t0)


def checks_run_all(*, today=None) -> list[RunResult]:
    """Every check, one after the other, each in its own transaction."""
    return [check_run(kind, today=today) for kind in Check]


class FindingError(Exception):
    """A resolution refused: ``errors`` maps fields to Chinese messages (400 at the edge)."""

    def __init__(self, message: str, errors: dict[str, list[str]]):
        super().__init__(message)
        self.errors = errors


NOTE_MAX = 2000


@transaction.atomic
def finding_resolve(*, finding: AnomalyFinding, status: str, note: str, by) -> AnomalyFinding:
    """The supervisor's conclusion on a finding (查实 or 排除), with the note that says why.
    Who may resolve is the caller's question (``applicants.permissions``); this decides what a
    resolution is: an open finding, a conclusion, a note. The change is kept (pghistory)."""
    from django.utils.translation import gettext as _

    finding = AnomalyFinding.objects.select_for_update().get(pk=finding.pk)
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if status not in (AnomalyFinding.Status.CONFIRMED, AnomalyFinding.Status.DISMISSED):
        errors["status"] = [_("请选择“已查实”或“已排除”。")]
    if not note:
        errors["note"] = [_("请写明核查情况。")]
    elif len(note) > NOTE_MAX or "\x00" in note:
        errors["note"] = [_("核查情况不能超过 %(n)d 个字，且不能含有空字符。") % {"n": NOTE_MAX}]
    if finding.status != AnomalyFinding.Status.OPEN:
        errors["non_field_errors"] = [_("该线索已处理。")]
    if errors:
        raise FindingError(next(iter(errors.values()))[0], errors)
    finding.status, finding.note = status, note
    finding.resolved_by, finding.resolved_at = by, timezone.now()
    if finding.assigned_to_id is None:
        finding.assigned_to = by
    finding.save(update_fields=["status", "note", "resolved_by", "resolved_at", "assigned_to"])
    return finding


@transaction.atomic
def finding_assign(*, finding: AnomalyFinding, to, by) -> AnomalyFinding:
    """Take a finding on (or give it to a colleague): it shows as theirs. A concluded finding
    keeps who concluded it."""
    from django.utils.translation import gettext as _

    finding = AnomalyFinding.objects.select_for_update().get(pk=finding.pk)
    if finding.status != AnomalyFinding.Status.OPEN:
        msg = _("该线索已处理。")
        raise FindingError(msg, {"non_field_errors": [msg]})
    finding.assigned_to = to
    finding.save(update_fields=["assigned_to"])
    return finding
