"""Bulk re-verification of every active beneficiary (年度复核核对, issue 10 §4), set-based.

One request file of every active beneficiary's ID number goes to each batch-file source; the
result files that come back are loaded with COPY into staging tables (one line per row, so a
malformed line is a rejected row, not a failed load), then one SQL statement parses, checks,
matches the rows to members by ID number and sums them per household, and one more writes the
households whose found assets fail the asset rules as open reviews (情况变化复核).
Sources reached only over HTTP are verified per household (``services``), not in bulk.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import permissions
from applicants.masking import mask_id_number
from applicants.models import Region, TimeLimit, time_limit

from ..errors import StandardsMissing
from ..selectors import standards_in_force
from .adapters.files import inbox_dir, outbox_path
from .models import BulkVerification, DataSource

#: rejected rows listed on the run, with their file and line (all are counted by reason)
SAMPLE = 200
#: COPY reads a whole line into one column: neither character occurs in a result file
ONE_COLUMN = "FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02', HEADER true"
REASONS = {
    "columns": _("格式错误：列数不对"),
    "unknown_id": _("身份证号码不在本次核对范围内"),
    "unknown_item": _("未知的核对项目或该来源不提供此项目"),
    "negative": _("数值不能为负数"),
    "value": _("数值无效"),
    "duplicate": _("重复的记录"),
}


def bulk_name(run_id: int) -> str:
    return f"bulk-{run_id}"


@transaction.atomic
def bulk_verification_start(*, by, note: str = "") -> BulkVerification:
    """Start the yearly re-verification of every active beneficiary (administrators)."""
    permissions.require(by is not None and by.is_admin_role, _("只有管理员可以发起批量复核核对。"))
    run = BulkVerification.objects.create(created_by=by, note=note.strip()[:200])
    from . import tasks

    transaction.on_commit(lambda: tasks.bulk_send.delay(run.pk))
    return run


#: every living member of a household with an active enrollment: who the bulk run asks about
TARGETS = (
    "SELECT p.id_number, p.household_id FROM applicants_person p "
    "WHERE p.status = 'living' AND p.household_id IN "
    "(SELECT household_id FROM eligibility_enrollment WHERE status = 'active')"
)
COUNT_TARGETS = f"SELECT count(*), count(DISTINCT household_id) FROM ({TARGETS}) t"  # noqa: S608  # nosec B608 - constants
COPY_TARGETS = (
    f"COPY (SELECT id_number FROM ({TARGETS}) t ORDER BY 1) "  # noqa: S608  # nosec B608 - constants
    "TO STDOUT WITH (FORMAT csv, HEADER true)"
)


def bulk_send(*, run_id: int) -> int:
    """Write the request file (every active beneficiary's ID number) to each file source."""
    run = BulkVerification.objects.get(pk=run_id)
    sources = list(DataSource.objects.filter(is_active=True, adapter="file").order_by("pk"))
    with connection.cursor() as cursor:
        cursor.execute(COUNT_TARGETS)
        persons, households = cursor.fetchone()
        for source in sources:
            path = outbox_path(source.code, bulk_name(run.pk))
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            with tmp.open("wb") as out:
                cursor.copy_expert(COPY_TARGETS, out)
            tmp.replace(path)
    BulkVerification.objects.filter(pk=run.pk).update(
        stage="sent", persons_total=persons, households_total=households, files_total=len(sources)
    )
    return len(sources)


def _result_files(run_id: int) -> list[tuple[DataSource, Path]]:
    found = []
    for source in DataSource.objects.filter(is_active=True, adapter="file").order_by("pk"):
        for suffix in (".csv", ".json"):
            path = inbox_dir(source.code) / f"{bulk_name(run_id)}{suffix}"
            if path.exists():
                found.append((source, path))
    return found


def _encoding(path: Path) -> str:
    """UTF-8 unless the file does not decode as UTF-8 (then GBK), read in 16 MB pieces."""
    with path.open("rb") as f:
        tail = b""
        while chunk := f.read(16 * 1024 * 1024):
            data = tail + chunk
            try:
                data.decode("utf-8")
                tail = b""
            except UnicodeDecodeError as exc:
                if exc.start >= len(data) - 4:  # a character cut at the piece's end
                    tail = data[exc.start :]
                    continue
                return "GBK"
    return "UTF8"


#: bytes after which only PostgreSQL can tell what a line is (the one-column COPY's delimiter
#: and quote, a carriage return it may take for a line end): such a source is checked in SQL
_UNSURE = (b"\x01", b"\x02", b"\r")


def _may_repeat(paths: list[Path], encodings: list[str]) -> bool:
    """Whether one source's result files may hold the same record (ID number, item,
    reference) twice: False only when no key repeats among the lines of four fields, read
    byte for byte as COPY will read them. The SQL check then runs only for the sources that
    may (few: a duplicate is a sender's mistake), not as a sort of every staged line."""
    if len(set(encodings)) > 1:  # the same text in two encodings: let PostgreSQL compare
        return True
    keys: set[tuple[bytes, bytes, bytes]] = set()
    lines = 0
    for path in paths:
        data = path.read_bytes()
        if any(b in data for b in _UNSURE):
            return True
        for line in data.split(b"\n")[1:]:  # the header is not a record
            f = line.split(b",")
            if len(f) == 4:
                keys.add((f[0], f[1], f[3]))
                lines += 1
        if len(keys) != lines:
            return True
    return False


def bulk_match(*, run_id: int) -> BulkVerification:
    """Load, check, match and summarise the run's result files; open the reviews. One
    transaction: a worker killed half-way leaves nothing, and the run is simply done again."""
    timings: dict[str, float] = {}
    with transaction.atomic():
        run = BulkVerification.objects.select_for_update().get(pk=run_id)
        if run.status == BulkVerification.Status.DONE:
            return run
        files = _result_files(run_id)
        with connection.cursor() as cursor:
            t = time.perf_counter()
            # fresh staging for this run, even inside a longer transaction (the tests')
            cursor.execute(
                "DROP TABLE IF EXISTS pg_temp.verification_stage, pg_temp.verification_agg, "
                "pg_temp.verification_items"
            )
            cursor.execute(
                "CREATE TEMP TABLE verification_stage "
                "(source_id bigint, file_no int, n bigint GENERATED ALWAYS AS IDENTITY, raw text) "
                "ON COMMIT DROP"
            )
            # this session's own sequence (the name is PostgreSQL's, quoted by it)
            cursor.execute("SELECT pg_get_serial_sequence('verification_stage', 'n')")
            sequence = cursor.fetchone()[0]
            firsts: list[tuple[int, int, int]] = []
            first_n = 1
            # JSON result files are read per household; bulk files are CSV
            csv_files = [(no, s, p) for no, (s, p) in enumerate(files) if p.suffix == ".csv"]
            encodings = {p: _encoding(p) for _no, _s, p in csv_files}
            per_source: dict[int, list[Path]] = {}
            for _no, source, path in csv_files:
                per_source.setdefault(source.pk, []).append(path)
            # the duplicate pre-check reads the files in a thread while PostgreSQL loads them
            # (the COPY below sends 16 MB pieces, so the two seldom wait on each other)
            with ThreadPoolExecutor(max_workers=1) as pool:
                repeats = {
                    pk: pool.submit(_may_repeat, paths, [encodings[p] for p in paths])
                    for pk, paths in per_source.items()
                }
                for file_no, source, path in csv_files:
                    cursor.execute(
                        "ALTER TABLE verification_stage ALTER COLUMN source_id SET DEFAULT %s, "
                        "ALTER COLUMN file_no SET DEFAULT %s",
                        [source.pk, file_no],
                    )
                    with path.open("rb") as f:
                        cursor.copy_expert(
                            f"COPY verification_stage (raw) FROM STDIN WITH ({ONE_COLUMN}, "  # nosec B608
                            f"ENCODING '{encodings[path]}')",
                            f,
                            size=16 * 1024 * 1024,
                        )
                    # the identity numbers the lines: a file's first row is line 2 (the header)
                    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608  # nosec B608
                    last, called = cursor.fetchone()
                    last = last if called else 0
                    firsts.append((file_no, first_n, last))
                    first_n = last + 1
                repeating = sorted(pk for pk, future in repeats.items() if future.result())
            cursor.execute("SELECT count(*) FROM verification_stage")
            loaded = cursor.fetchone()[0]
            timings["load"] = time.perf_counter() - t
            t = time.perf_counter()
            # the joins and the per-household groups fit in memory: hashes, not sorts on disk
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")
            # the planner cannot count the (household, reason) groups and would sort every row
            cursor.execute("SET LOCAL enable_sort = off")
            # the per-household groups are counted from a sample and over-estimated: without
            # room the hash aggregate spills every row to disk in a thousand partitions
            cursor.execute("SET LOCAL hash_mem_multiplier = 16")
            cursor.execute("ANALYZE verification_stage")
            # the items each source answers, counted: the planner then hashes these few
            # hundred rows, not the ten million lines it matches against them
            cursor.execute(
                "CREATE TEMP TABLE verification_items ON COMMIT DROP AS "
                "SELECT si.datasource_id AS source_id, i.code, i.counts_as "
                "FROM eligibility_datasource_items si "
                "JOIN eligibility_dataitem i ON i.id = si.dataitem_id"
            )
            cursor.execute("ANALYZE verification_items")
            limits = _limits_values()
            cursor.execute(  # nosec B608 - numbers from the standards table
                _MATCH_SQL.format(
                    limits=limits,
                    sample=SAMPLE,
                    # no source may repeat a record: no duplicates to join, nor a reason
                    duplicates=_DUPLICATES_SQL if repeating else "",
                    duplicate_join="LEFT JOIN duplicates d ON d.n = r.n" if repeating else "",
                    duplicate_reason=("WHEN d.n IS NOT NULL THEN 'duplicate'" if repeating else ""),
                ),
                {"run": run_id, "repeating": repeating},
            )
            cursor.execute(
                "SELECT reason, sum(rows) FROM verification_agg WHERE reason IS NOT NULL "
                "GROUP BY reason"
            )
            by_reason = {REASONS[r]: int(n) for r, n in cursor.fetchall()}
            rejected = sum(by_reason.values())
            sample = _sample(cursor, files, firsts) if rejected else []
            timings["match"] = time.perf_counter() - t
            t = time.perf_counter()
            reviews = _open_reviews(cursor, run_id)
            cursor.execute(
                "SELECT count(*) FROM eligibility_bulkverificationresult "
                "WHERE run_id = %s AND flagged",
                [run_id],
            )
            flagged = cursor.fetchone()[0]
            timings["reviews"] = time.perf_counter() - t
        run.status = BulkVerification.Status.DONE
        run.stage = "done"
        run.files_loaded = len(files)
        run.rows_loaded = loaded
        run.rows_rejected = rejected
        run.rejected_by_reason = by_reason
        run.rejected_sample = sample
        run.households_flagged = flagged
        run.reviews_opened = reviews
        run.seconds = {k: round(v, 3) for k, v in timings.items()}
        run.finished_at = timezone.now()
        run.save()
    return run


def _limits_values() -> str:
    """(county code, area, financial limit per person, max houses, max vehicles, business
    allowed) for every county and area, as a VALUES list of numbers read from the standards."""
    rows = []
    today = timezone.localdate()
    for county in Region.objects.filter(level="county"):
        for area in ("urban", "rural"):
            try:
                p = standards_in_force(region=county, area=area, on=today).parameters
            except StandardsMissing:  # a county without standards: no rule to apply
                continue
            rows.append(
                f"('{county.code}', '{area}', {p.financial_limit_per_person}, "
                f"{int(p.max_houses)}, {int(p.max_vehicles)}, {str(bool(p.business_allowed))})"
            )
    return ", ".join(rows) or "(NULL, NULL, 0, 0, 0, false)"


# The same record (ID number, item, reference) again in a source's files, for the sources
# whose files may repeat one (``_may_repeat``): their lines of four fields are numbered per
# (source, 64-bit hash of the record's key) — a sort of three numbers per line, not of the
# lines' text — and every copy after the first is a candidate
_DUPLICATES_SQL = r""", numbered AS (
    SELECT n, first_value(n) OVER w AS first_n, row_number() OVER w AS k
    FROM (
        SELECT source_id, n, hashtextextended(split_part(raw, ',', 1) || ','
            || split_part(raw, ',', 2) || ',' || split_part(raw, ',', 4), 0) AS h
        FROM verification_stage
        WHERE source_id = ANY(%(repeating)s)
          AND cardinality(string_to_array(raw, ',')) = 4
        OFFSET 0
    ) hashed
    WINDOW w AS (PARTITION BY source_id, h ORDER BY n)
), duplicates AS (
    -- a candidate is a duplicate when its text equals the first line's (no hash collision)
    SELECT c.n FROM (SELECT n, first_n FROM numbered WHERE k > 1) c
    JOIN verification_stage a ON a.n = c.n
    JOIN verification_stage b ON b.n = c.first_n
    WHERE (split_part(a.raw, ',', 1), split_part(a.raw, ',', 2), split_part(a.raw, ',', 4))
        = (split_part(b.raw, ',', 1), split_part(b.raw, ',', 2), split_part(b.raw, ',', 4)))"""

# The one pass over the staged rows: split each line, check it, match its ID number to an
# active beneficiary and its item to the source's items, then sum per household (valid rows)
# and count per reason (rejected rows) in the same GROUP BY.
_MATCH_SQL = r"""
CREATE TEMP TABLE verification_agg ON COMMIT DROP AS
WITH targets AS (
    SELECT p.id_number, p.household_id FROM applicants_person p
    WHERE p.status = 'living' AND p.household_id IN
        (SELECT household_id FROM eligibility_enrollment WHERE status = 'active')
), rows AS (
    -- OFFSET 0 keeps this a subquery of its own: each line is split once, not per use
    SELECT source_id, n, raw, f FROM (
        SELECT s.source_id, s.n, s.raw, string_to_array(s.raw, ',') AS f
        FROM verification_stage s OFFSET 0
    ) split
)
{duplicates}, checked AS (
    SELECT r.n, r.raw, t.household_id, i.counts_as,
        CASE
            WHEN cardinality(r.f) <> 4 THEN 'columns'
            WHEN t.household_id IS NULL THEN 'unknown_id'
            WHEN i.counts_as IS NULL THEN 'unknown_item'
            WHEN r.f[3] LIKE '-%%' THEN 'negative'
            WHEN r.f[3] !~ '^[0-9]{{1,12}}(\.[0-9]{{1,2}})?$' THEN 'value'
            {duplicate_reason}
        END AS reason,
        r.f[3] AS value
    FROM rows r
    LEFT JOIN targets t ON t.id_number = r.f[1]
    LEFT JOIN verification_items i ON i.source_id = r.source_id AND i.code = r.f[2]
    {duplicate_join}
), valued AS (
    SELECT household_id, counts_as, reason, n, raw,
        CASE WHEN reason IS NULL THEN value::numeric END AS v
    FROM checked
)
SELECT household_id, reason, count(*) AS rows,
    sum(v) FILTER (WHERE counts_as = 'financial') AS financial,
    sum(v) FILTER (WHERE counts_as = 'houses') AS houses,
    sum(v) FILTER (WHERE counts_as = 'vehicles') AS vehicles,
    bool_or(v > 0) FILTER (WHERE counts_as = 'business') AS business,
    sum(v) FILTER (WHERE counts_as = 'income') AS income,
    -- the first rejected rows of each group, for the run's list (few: rejected rows only)
    -- (no ORDER BY inside: it would sort every staged row, the list is sorted afterwards)
    (array_agg(n) FILTER (WHERE reason IS NOT NULL))[1:{sample}] AS first_n,
    (array_agg(raw) FILTER (WHERE reason IS NOT NULL))[1:{sample}] AS first_raw
FROM valued
GROUP BY household_id, reason;

INSERT INTO eligibility_bulkverificationresult
    (run_id, household_id, financial, houses, vehicles, business, income, financial_limit,
     flagged)
SELECT %(run)s, a.household_id, coalesce(a.financial, 0), coalesce(a.houses, 0),
    coalesce(a.vehicles, 0), coalesce(a.business, false), coalesce(a.income, 0),
    coalesce(l.per_person * m.members, 0),
    coalesce(a.financial, 0) > coalesce(l.per_person * m.members, 0)
        OR coalesce(a.houses, 0) > l.max_houses
        OR coalesce(a.vehicles, 0) > l.max_vehicles
        OR (coalesce(a.business, false) AND NOT l.business_allowed)
FROM verification_agg a
JOIN applicants_household h ON h.id = a.household_id
JOIN applicants_region v ON v.id = h.village_id
JOIN (SELECT household_id, count(*) AS members FROM applicants_person
      WHERE status = 'living' GROUP BY household_id) m ON m.household_id = a.household_id
LEFT JOIN (VALUES {limits}) AS l (county, area, per_person, max_houses, max_vehicles,
                                  business_allowed)
    ON l.county = split_part(v.path, '/', 2) AND l.area = v.area
WHERE a.reason IS NULL AND a.household_id IS NOT NULL
ON CONFLICT (run_id, household_id) DO NOTHING;
"""


def rejected_row(entry: dict) -> dict:
    """A rejected row as it is kept and shown: source, file, line, reason and the row's ID
    number masked — never the raw line, which carries the ID number and the person's assets
    (a run stored before the raw line was dropped is shown the same way)."""
    number = entry.get("id_number")
    if number is None:
        number = str(entry.get("row") or "").split(",", 1)[0].strip().strip('"\ufeff')[:18]
    return {
        "source": entry.get("source", ""),
        "file": entry.get("file", ""),
        "line": entry.get("line"),
        "reason": entry.get("reason", ""),
        "id_number": mask_id_number(number) if "*" not in number else number,
    }


def _sample(cursor, files, firsts) -> list[dict]:
    """The first rejected rows with their source, file, line, reason and masked ID number."""
    names = {no: (source.name, path.name) for no, (source, path) in enumerate(files)}
    cursor.execute(
        "SELECT reason, n, raw FROM verification_agg, unnest(first_n, first_raw) AS r (n, raw) "
        "WHERE reason IS NOT NULL ORDER BY n LIMIT %s",
        [SAMPLE],
    )
    sample = []
    for reason, n, raw in cursor.fetchall():
        file_no, first, _last = next(f for f in firsts if f[1] <= n <= f[2])
        sample.append(
            rejected_row(
                {
                    "source": names[file_no][0],
                    "file": names[file_no][1],
                    "line": int(n - first + 2),
                    "reason": REASONS[reason],
                    "row": raw[:200],
                }
            )
        )
    return sample


def _open_reviews(cursor, run_id: int) -> int:
    """A household whose found assets fail the rules gets an open change review, once."""
    due = timezone.localdate() + dt.timedelta(days=time_limit(TimeLimit.Code.CHANGE_REVIEW_DAYS))
    text = _("年度复核核对发现家庭财产超过规定（批量复核 #%(run)s）") % {"run": run_id}
    cursor.execute(
        """
        INSERT INTO eligibility_review
            (household_id, kind, status, due_on, reported_change, outcome, reasons,
             confirm_reasons, created_at)
        SELECT household_id, 'change', 'open', %s, %s, '', '', '', now()
        FROM eligibility_bulkverificationresult WHERE run_id = %s AND flagged
        ORDER BY household_id
        ON CONFLICT (household_id, kind) WHERE status = 'open' DO NOTHING
        """,
        [due, text, run_id],
    )
    return cursor.rowcount


COPY_RECORDS = (
    "COPY (SELECT r.id_number, i.code, r.value, r.reference "  # noqa: S608  # nosec B608
    "FROM eligibility_sourcerecord r JOIN eligibility_dataitem i ON i.id = r.item_id "
    "WHERE r.source_id = {source_id} "
    f"AND r.id_number IN (SELECT id_number FROM ({TARGETS}) t) "
    "ORDER BY r.id) TO STDOUT WITH (FORMAT csv, HEADER true)"
)


def simulated_bulk_answers(*, run_id: int) -> int:
    """The demo's file sources answer a bulk request from their records (COPY TO a file)."""
    written = 0
    with connection.cursor() as cursor:
        for source in DataSource.objects.filter(is_active=True, adapter="file").order_by("pk"):
            config = source.config or {}
            if not config.get("simulated") or config.get("stopped"):
                continue
            path = inbox_dir(source.code) / f"{bulk_name(run_id)}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            with tmp.open("wb") as out:
                cursor.copy_expert(COPY_RECORDS.format(source_id=int(source.pk)), out)
            tmp.replace(path)
            written += 1
    return written
