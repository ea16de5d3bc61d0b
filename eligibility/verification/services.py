"""Household economic verification (家庭经济状况核对, SPEC §7): start a request under the
household's signed authorization, send it to every source, record what comes back (or that
nothing came), and build the report.

Every write is here; tasks only call these with ids. Calls to sources (files, HTTP) happen
outside transactions and are queued with ``transaction.on_commit``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import permissions
from applicants.models import Application, Household, Person, User
from integrity.models import Commitment

from ..errors import EligibilityError, StandardsMissing
from ..rules.money import quantize_yuan
from .adapters import SourceUnavailable, adapter_for
from .adapters.base import check_rows
from .adapters.files import inbox_dir, read_result_file
from .models import (
    DataItem,
    DataSource,
    Finding,
    ResultFile,
    SourceQuery,
    VerificationReport,
    VerificationRequest,
)

logger = logging.getLogger(__name__)

#: how long the platform waits for a source's answer after sending, unless the source says
DEFAULT_ANSWER_SECONDS = 10
#: how many times a query is sent (the first time and re-asks after a silent deadline)
MAX_ASKS = 2


class VerificationError(EligibilityError):
    pass


def _adult_on(person: Person, on: dt.date) -> bool:
    b = person.birth_date
    return (on.year - b.year - ((on.month, on.day) < (b.month, b.day))) >= 18


def authorization_missing(*, household: Household, application: Application | None) -> list:
    """Adult living members without a signed verification authorization (核对授权): on the
    given application, or — for a review of an enrolled household — on any of its
    applications (SPEC §6: signed at acceptance by every adult member)."""
    on = timezone.localdate()
    adults = [
        p for p in household.members.filter(status="living").order_by("id") if _adult_on(p, on)
    ]
    signed = Commitment.objects.filter(kind=Commitment.Kind.AUTHORIZATION)
    signed = (
        signed.filter(application=application)
        if application is not None
        else signed.filter(application__household=household)
    )
    who = set(signed.values_list("person_id", flat=True))
    return [p for p in adults if p.pk not in who]


@transaction.atomic
def verification_request_start(
    *,
    household: Household,
    by: User,
    application: Application | None = None,
    purpose: str = VerificationRequest.Purpose.APPLICATION,
    note: str = "",
) -> VerificationRequest:
    """Ask every active data source about every living member (发起核对). Refused without the
    household's signed authorization (SPEC §6, §7)."""
    permissions.require(
        permissions.can_work_case(by, household.village),
        _("只有本镇街经办人可以发起家庭经济状况核对。"),
    )
    if application is not None and application.household_id != household.pk:
        msg = _("申请与家庭不对应。")
        raise VerificationError(msg, {"application": [msg]})
    missing = authorization_missing(household=household, application=application)
    if missing:
        msg = _("以下成年成员尚未签署核对授权，不能发起核对：") + "、".join(p.name for p in missing)
        raise VerificationError(msg, {"authorization": [msg]})
    persons = list(
        household.members.filter(status="living").order_by("id").values_list("id_number", flat=True)
    )
    if not persons:
        msg = _("家庭没有在世成员。")
        raise VerificationError(msg, {"household": [msg]})
    sources = list(DataSource.objects.filter(is_active=True).order_by("pk"))
    if not sources:
        msg = _("没有启用的核对数据来源。")
        raise VerificationError(msg, {"non_field_errors": [msg]})
    request = VerificationRequest.objects.create(
        household=household,
        application=application,
        purpose=purpose,
        persons=persons,
        note=note[:500],
        requested_by=by,
    )
    SourceQuery.objects.bulk_create(SourceQuery(request=request, source=s) for s in sources)
    from . import tasks

    tasks.enqueue_request(request.pk)
    return request


# --- sending ------------------------------------------------------------------------------


def query_send(*, query_id: int) -> bool:
    """Send one query to its source. Returns False when there is nothing to send (answered,
    given up, or the request is over); raises ``SourceUnavailable`` for the task to retry."""
    with transaction.atomic():
        query = (
            SourceQuery.objects.select_for_update(of=("self",))
            .select_related("source", "request")
            .filter(pk=query_id, status__in=[SourceQuery.Status.PENDING, SourceQuery.Status.SENT])
            .first()
        )
        if query is None or query.request.status != VerificationRequest.Status.RUNNING:
            return False
        query.attempts = F("attempts") + 1
        query.status = SourceQuery.Status.SENT
        query.sent_at = timezone.now()
        query.save(update_fields=["attempts", "status", "sent_at"])
    adapter_for(query.source).send(
        transaction_id=str(query.transaction_id), id_numbers=query.request.persons
    )
    _simulated_files_answer([query])
    return True


def queries_send(*, query_ids: list[int]) -> tuple[list[int], dict[int, str]]:
    """Send many queries of a request at once (one task per batch, not one per source): the
    still-open ones are marked sent in one statement, then every adapter's call runs in a
    thread pool, since a call is a wait on a bank's server or a disk, not work. Returns (ids
    sent, {id: error} of the sources that could not be reached, for the task to retry)."""
    with transaction.atomic():
        queries = list(
            SourceQuery.objects.select_for_update(of=("self",))
            .select_related("source", "request")
            .filter(
                pk__in=query_ids,
                status__in=[SourceQuery.Status.PENDING, SourceQuery.Status.SENT],
                request__status=VerificationRequest.Status.RUNNING,
            )
            .order_by("pk")
        )
        SourceQuery.objects.filter(pk__in=[q.pk for q in queries]).update(
            attempts=F("attempts") + 1, status=SourceQuery.Status.SENT, sent_at=timezone.now()
        )
    if not queries:
        return [], {}

    def send_one(query: SourceQuery) -> None:  # no database here: the thread has none
        adapter_for(query.source).send(
            transaction_id=str(query.transaction_id), id_numbers=query.request.persons
        )

    threads = max(1, min(settings.VERIFICATION_SEND_THREADS, len(queries)))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="verify-send") as pool:
        futures = [(q, pool.submit(send_one, q)) for q in queries]
    sent: list[SourceQuery] = []
    failed: dict[int, str] = {}
    for query, future in futures:
        exc = future.exception()
        if exc is None:
            sent.append(query)
        elif isinstance(exc, SourceUnavailable):
            failed[query.pk] = str(exc)
        else:  # a fault of one source's configuration must not hold up the others
            logger.warning("verification send %s failed", query.source.code, exc_info=exc)
            failed[query.pk] = type(exc).__name__
    _simulated_files_answer(sent)
    return [q.pk for q in sent], failed


def _simulated_files_answer(queries: list[SourceQuery]) -> None:
    """The demo's simulated file sources answer what was just sent to them (one task)."""
    ids = [
        q.pk
        for q in queries
        if q.source.adapter == DataSource.Adapter.FILE and (q.source.config or {}).get("simulated")
    ]
    if ids:
        from . import tasks

        transaction.on_commit(lambda: tasks.simulated_file_answers.delay(ids))


def query_give_up(*, query_id: int, error: str) -> None:
    """A source that could not be reached after the retries is "no answer" (未应答) — never
    "nothing found"."""
    with transaction.atomic():
        moved = SourceQuery.objects.filter(
            pk=query_id, status__in=[SourceQuery.Status.PENDING, SourceQuery.Status.SENT]
        ).update(status=SourceQuery.Status.NO_ANSWER, error=error[:300])
        if moved:
            query = SourceQuery.objects.get(pk=query_id)
            DataSource.objects.filter(pk=query.source_id).update(failed_count=F("failed_count") + 1)
            _complete_when_all_final(query.request_id)


def answer_seconds(request: VerificationRequest) -> int:
    """The longest wait any of the request's sources asks for."""
    waits = [
        int((q.source.config or {}).get("answer_seconds", DEFAULT_ANSWER_SECONDS))
        for q in request.queries.select_related("source")
    ]
    return max(waits or [DEFAULT_ANSWER_SECONDS])


def request_deadline(*, request_id: int) -> tuple[list[int], float | None]:
    """The answer time of some queries is up: those asked fewer than ``MAX_ASKS`` times are
    asked again, the others marked "no answer". Returns (ids to send again, seconds until the
    next query's answer time is up, or None)."""
    request = VerificationRequest.objects.get(pk=request_id)
    wait = answer_seconds(request)
    now = timezone.now()
    again: list[int] = []
    later: float | None = None
    with transaction.atomic():
        silent = list(
            SourceQuery.objects.select_for_update()
            .filter(request_id=request_id, status=SourceQuery.Status.SENT)
            .order_by("pk")
        )
        for q in silent:
            age = (now - q.sent_at).total_seconds() if q.sent_at else wait
            if age < wait:
                later = min(later or wait, wait - age)
            elif q.attempts < MAX_ASKS:
                again.append(q.pk)
            else:
                query_give_up(query_id=q.pk, error=_("超时未应答"))
        _complete_when_all_final(request_id)
    return again, later


# --- answers ------------------------------------------------------------------------------


def answer_record(
    *, query: SourceQuery, rows: list[tuple[int, dict, str]]
) -> tuple[int, list[dict]]:
    """Record a source's answer: each row checked, bad rows rejected with line and reason, the
    others stored as findings. Delivered twice, it adds nothing. Returns (accepted, rejected)."""
    # most sources hold nothing on a household: an empty answer costs no lookups
    items = set(query.source.items.values_list("code", flat=True)) if rows else set()
    accepted, rejected = check_rows(rows, items=items, id_numbers=set(query.request.persons))
    with transaction.atomic():
        # Only this query's row is locked: the answers of one request's hundred sources are
        # recorded side by side, not one after the other behind a lock on the request. The
        # request's status is read afresh after the lock (``report_build`` locks every query
        # of the request before it closes it, so a late answer waits and then sees "done").
        query = (
            SourceQuery.objects.select_for_update(of=("self",))
            .select_related("request")
            .get(pk=query.pk)
        )
        status = VerificationRequest.objects.values_list("status", flat=True).get(
            pk=query.request_id
        )
        if status != VerificationRequest.Status.RUNNING:
            return 0, [r.as_json() for r in rejected]  # too late: the report is out
        if accepted:
            persons = dict(
                Person.objects.filter(id_number__in=query.request.persons).values_list(
                    "id_number", "pk"
                )
            )
            item_ids = dict(
                DataItem.objects.filter(code__in={r.item for r in accepted}).values_list(
                    "code", "pk"
                )
            )
            Finding.objects.bulk_create(
                [
                    Finding(
                        request_id=query.request_id,
                        query=query,
                        person_id=persons[r.id_number],
                        item_id=item_ids[r.item],
                        value=r.value,
                        reference=r.reference,
                    )
                    for r in accepted
                    if r.id_number in persons
                ],
                ignore_conflicts=True,
            )
        if query.status != SourceQuery.Status.ANSWERED:
            first = query.status != SourceQuery.Status.NO_ANSWER
            query.status = SourceQuery.Status.ANSWERED
            query.answered_at = timezone.now()
            query.save(update_fields=["status", "answered_at"])
            DataSource.objects.filter(pk=query.source_id).update(
                answered_count=F("answered_count") + 1,
                last_answer_at=query.answered_at,
                **({} if first else {"failed_count": F("failed_count") - 1}),
            )
        _complete_when_all_final(query.request_id)
    return len(accepted), [r.as_json() for r in rejected]


def result_file_load(*, path: Path) -> ResultFile | None:
    """Load one result file from the inbox (once: the file's path is unique). The file is kept
    where it is; its rejected rows are listed on the ``ResultFile``."""
    source_code, name = path.parent.name, path.name
    if ResultFile.objects.filter(path=str(path)).exists():
        return None
    source = DataSource.objects.filter(code=source_code).first()
    if source is None:
        return None
    query = (
        SourceQuery.objects.filter(source=source, transaction_id=_uuid_or_none(name.split(".")[0]))
        .select_related("request", "source")
        .first()
    )
    encoding, rows, error = read_result_file(path)
    rejected: list[dict] = []
    accepted = 0
    if error:
        rejected = [{"line": 0, "reason": error, "row": ""}]
    elif query is None:
        rejected = [{"line": 0, "reason": _("文件名与任何核对请求都不对应。"), "row": ""}]
    else:
        accepted, rejected = answer_record(query=query, rows=rows)
    rejected.sort(key=lambda r: r["line"])
    result, _created = ResultFile.objects.get_or_create(
        path=str(path),
        defaults={
            "source": source,
            "query": query,
            "encoding": encoding or "unknown",
            "rows_total": len(rows),
            "rows_accepted": accepted,
            "rejected": rejected,
        },
    )
    return result


def inbox_scan() -> list[int]:
    """Load every result file not loaded yet, in every source's inbox."""
    root = inbox_dir("x").parent
    if not root.exists():
        return []
    done = set(ResultFile.objects.values_list("path", flat=True))
    loaded = []
    for path in sorted(root.glob("*/*")):
        if path.name.startswith(".") or path.suffix not in (".csv", ".json"):
            continue
        if str(path) in done:
            continue
        result = result_file_load(path=path)
        if result is not None:
            loaded.append(result.pk)
    return loaded


def _uuid_or_none(text: str):
    import uuid

    try:
        return uuid.UUID(text)
    except ValueError:
        return None


# --- completion and the report ------------------------------------------------------------


def _complete_when_all_final(request_id: int) -> None:
    """Once this transaction has committed, build the report if no query is open any more.
    Checked after the commit, not inside: of two last answers recorded at the same moment,
    each inside its transaction would see the other still open and neither would build the
    report; after the commit, the later one sees both."""

    def check() -> None:
        open_left = SourceQuery.objects.filter(
            request_id=request_id,
            status__in=[SourceQuery.Status.PENDING, SourceQuery.Status.SENT],
        ).exists()
        if not open_left:
            from . import tasks

            tasks.report_build.delay(request_id)

    transaction.on_commit(check)


@transaction.atomic
def report_build(*, request_id: int) -> VerificationReport | None:
    """Close the request and write its report, once (SPEC §7). Safe to run twice."""
    request = (
        VerificationRequest.objects.select_for_update(of=("self",))
        .select_related("household__village", "application")
        .get(pk=request_id)
    )
    existing = VerificationReport.objects.filter(request=request).first()
    if existing is not None:
        return existing
    # an answer being recorded holds its query's row: wait for it, and later ones wait for us
    list(request.queries.select_for_update().values_list("pk", flat=True))
    if request.queries.filter(
        status__in=[SourceQuery.Status.PENDING, SourceQuery.Status.SENT]
    ).exists():
        return None
    body = report_body(request)
    report = VerificationReport.objects.create(
        request=request, body=body, has_discrepancies=bool(body["discrepancies"])
    )
    request.status = VerificationRequest.Status.DONE
    request.completed_at = timezone.now()
    request.save(update_fields=["status", "completed_at"])
    return report


def _declared(request: VerificationRequest) -> dict[str, Any]:
    data = (request.application.data if request.application else None) or {}
    assets = data.get("assets") or {}
    return {
        "financial": quantize_yuan(Decimal(str(assets.get("financial") or 0))),
        "houses": int(assets.get("houses") or 0),
        "vehicles": int(assets.get("vehicles") or 0),
        "business": bool(assets.get("business_registered")),
    }


def _rules(params, totals: dict, members: int) -> dict[str, Any]:
    """The totals against the asset rules in force (MZ-2021; SPEC §4)."""
    if params is None:
        return {}
    limit = quantize_yuan(params.financial_limit_per_person * members)
    return {
        "financial_limit": str(limit),
        "financial_over_limit": totals["financial"] > limit,
        "max_houses": params.max_houses,
        "houses_over_limit": totals["houses"] > params.max_houses,
        "max_vehicles": params.max_vehicles,
        "vehicles_over_limit": totals["vehicles"] > params.max_vehicles,
        "business_allowed": params.business_allowed,
        "business_not_allowed": totals["business"] and not params.business_allowed,
    }


def report_body(request: VerificationRequest) -> dict[str, Any]:
    """The report as frozen JSON: per member and item, totals against the asset rules,
    declared vs found, discrepancies, and the sources that did not answer."""
    from ..selectors import standards_in_force

    members = {p.pk: p for p in Person.objects.filter(id_number__in=request.persons).order_by("id")}
    found: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    totals = {"financial": Decimal("0"), "houses": 0, "vehicles": 0, "business": False}
    income: dict[int, Decimal] = defaultdict(Decimal)
    for f in (
        Finding.objects.filter(request=request)
        .select_related("item", "query__source")
        .order_by("person_id", "item__order", "query__source__code")
    ):
        found[f.person_id][f.item.code].append(
            {"value": str(f.value), "source": f.query.source.name, "reference": f.reference}
        )
        kind = f.item.counts_as
        if kind == DataItem.CountsAs.FINANCIAL:
            totals["financial"] += f.value
        elif kind == DataItem.CountsAs.HOUSES:
            totals["houses"] += int(f.value)
        elif kind == DataItem.CountsAs.VEHICLES:
            totals["vehicles"] += int(f.value)
        elif kind == DataItem.CountsAs.BUSINESS:
            totals["business"] = totals["business"] or f.value > 0
        elif kind == DataItem.CountsAs.INCOME:
            income[f.person_id] += f.value
    items = {i.code: i for i in DataItem.objects.all()}
    declared = _declared(request)
    try:
        params = standards_in_force(
            region=request.household.village,
            area=request.household.village.area,
            on=timezone.localdate(),
        ).parameters
    except StandardsMissing:  # no standards in force: the report still lists what was found
        params = None
    discrepancies: list[dict] = []
    member_rows = []
    for pk, person in members.items():
        declared_income = person.monthly_income
        found_income = quantize_yuan(income.get(pk, Decimal("0")))
        member_rows.append(
            {
                "person_id": pk,
                "name": person.name,
                "relation": person.relation,
                "declared_income": str(declared_income),
                "found_income": str(found_income),
                "items": [
                    {
                        "item": code,
                        "name": items[code].name,
                        "counts_as": items[code].counts_as,
                        "values": values,
                    }
                    for code, values in found.get(pk, {}).items()
                ],
            }
        )
        if found_income > declared_income:
            discrepancies.append(
                {
                    "figure": f"income:{pk}",
                    "label": _("%(name)s 月收入") % {"name": person.name},
                    "declared": str(declared_income),
                    "found": str(found_income),
                }
            )
    checks = [
        (
            "financial",
            _("金融资产（元）"),
            str(declared["financial"]),
            str(quantize_yuan(totals["financial"])),
            totals["financial"] > declared["financial"],
        ),
        (
            "houses",
            _("住房（套）"),
            declared["houses"],
            totals["houses"],
            totals["houses"] > declared["houses"],
        ),
        (
            "vehicles",
            _("机动车、船舶"),
            declared["vehicles"],
            totals["vehicles"],
            totals["vehicles"] > declared["vehicles"],
        ),
        (
            "business",
            _("经营主体"),
            declared["business"],
            totals["business"],
            totals["business"] and not declared["business"],
        ),
    ]
    for key, label, d, f, differs in checks:
        if differs:
            discrepancies.append(
                {"figure": key, "label": label, "declared": str(d), "found": str(f)}
            )
    no_answer = [
        {"source": q.source.name, "code": q.source.code, "error": q.error}
        for q in request.queries.select_related("source")
        .filter(status=SourceQuery.Status.NO_ANSWER)
        .order_by("source__code")
    ]
    answered = request.queries.filter(status=SourceQuery.Status.ANSWERED).count()
    return {
        "request_id": request.pk,
        "household_id": request.household_id,
        "members": member_rows,
        "totals": {
            "financial": str(quantize_yuan(totals["financial"])),
            "houses": totals["houses"],
            "vehicles": totals["vehicles"],
            "business": totals["business"],
            "income": str(quantize_yuan(sum(income.values(), Decimal("0")))),
        },
        "declared": {
            "financial": str(declared["financial"]),
            "houses": declared["houses"],
            "vehicles": declared["vehicles"],
            "business": declared["business"],
            "income": str(sum((p.monthly_income for p in members.values()), Decimal("0"))),
        },
        "rules": _rules(params, totals, len(members)),
        "discrepancies": discrepancies,
        "no_answer": no_answer,
        "sources_asked": answered + len(no_answer),
        "sources_answered": answered,
    }


# --- the caseworker's confirmation, and the citizen's dispute -------------------------------


def latest_report(application: Application) -> VerificationReport | None:
    return (
        VerificationReport.objects.filter(request__application=application)
        .order_by("-created_at", "-pk")
        .first()
    )


def figures_proposed(application: Application) -> list[dict[str, Any]]:
    """The figures the caseworker confirms (declared, found, and the value the form starts
    from): the larger of the two, so nothing found is lost and nothing declared is zeroed."""
    report = latest_report(application)
    data = application.data or {}
    assets = data.get("assets") or {}
    declared = {
        "financial": quantize_yuan(Decimal(str(assets.get("financial") or 0))),
        "houses": int(assets.get("houses") or 0),
        "vehicles": int(assets.get("vehicles") or 0),
        "business": bool(assets.get("business_registered")),
    }
    body = report.body if report else {}
    totals = body.get("totals") or {}
    rows = []
    for key, label in (
        ("financial", _("金融资产（元）")),
        ("houses", _("住房（套）")),
        ("vehicles", _("机动车、船舶（辆）")),
        ("business", _("经营主体")),
    ):
        d = declared[key]
        f = totals.get(key)
        if key == "financial":
            f = Decimal(f) if f is not None else None
            start = max(d, f) if f is not None else d
        elif key == "business":
            start = bool(d or f)
        else:
            start = max(d, int(f)) if f is not None else d
        rows.append(
            {
                "key": key,
                "label": label,
                "declared": d,
                "found": f,
                "value": start,
                "differs": f is not None and f != d and not (key == "business" and not f),
            }
        )
    for m in body.get("members", []):
        d, f = Decimal(m["declared_income"]), Decimal(m["found_income"])
        rows.append(
            {
                "key": f"income:{m['person_id']}",
                "label": _("%(name)s 月收入（元）") % {"name": m["name"]},
                "declared": d,
                "found": f,
                "value": max(d, f),
                "differs": f != d,
            }
        )
    return rows


@transaction.atomic
def report_dispute(*, report: VerificationReport, by: User, text: str) -> VerificationRequest:
    """The citizen disputes the summary (申请复查): recorded on the report, and the household
    is verified again with every source."""
    if not text.strip():
        msg = _("请说明异议内容。")
        raise VerificationError(msg, {"text": [msg]})
    request = report.request
    if not Person.objects.filter(user=by, household_id=request.household_id).exists():
        permissions.require(False, _("只能对本家庭的核对结果提出异议。"))
    # one dispute at a time: the household's row lock queues a second one sent at once, which
    # then finds the first still verifying (each would ask every source again)
    Household.objects.select_for_update().filter(pk=request.household_id).first()
    if VerificationRequest.objects.filter(
        household_id=request.household_id,
        purpose=VerificationRequest.Purpose.DISPUTE,
        status=VerificationRequest.Status.RUNNING,
    ).exists():
        msg = _("已有一项异议正在重新核对，请待新的核对报告出具后再提出。")
        raise VerificationError(msg, {"non_field_errors": [msg]})
    VerificationReport.objects.filter(pk=report.pk).update(
        disputed_at=timezone.now(), dispute_text=text.strip()[:2000]
    )
    again = VerificationRequest.objects.create(
        household=request.household,
        application=request.application,
        purpose=VerificationRequest.Purpose.DISPUTE,
        persons=request.persons,
        note=text.strip()[:500],
        requested_by=by,
    )
    SourceQuery.objects.bulk_create(
        SourceQuery(request=again, source=s)
        for s in DataSource.objects.filter(is_active=True).order_by("pk")
    )
    from . import tasks

    tasks.enqueue_request(again.pk)
    return again
