"""Simulated data sources for the demo and the tests: the platform answers for a source from
its ``SourceRecord`` rows, as the source itself would — a result file in the inbox, or a DCI
on-search callback after acknowledging a search on loopback.

A source's ``config`` may say ``"stopped": true`` (the simulated source is down: the HTTP
search gets 503, no result file is written), ``"encoding": "gbk"`` and ``"format": "json"``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from django.db import connections
from django.utils import timezone

from applicants.idnumber import with_check_digit

from .adapters.dci import callback_token, callback_url
from .adapters.files import inbox_dir, outbox_path, write_atomically
from .models import DataSource, SourceQuery, SourceRecord

logger = logging.getLogger(__name__)

#: a well-formed ID number no request asks about (the demo's "unknown ID number" row)
STRANGER = with_check_digit("11010119900101123")


def _records(source: DataSource, id_numbers: list[str]) -> list[dict]:
    return [
        {"id_number": n, "item": code, "value": str(v), "reference": ref}
        for n, code, v, ref in SourceRecord.objects.filter(source=source, id_number__in=id_numbers)
        .order_by("id")
        .values_list("id_number", "item__code", "value", "reference")
    ]


def file_answer(query_id: int) -> str | None:
    """Read the request file in the outbox and write the result file into the inbox."""
    query = SourceQuery.objects.select_related("source").get(pk=query_id)
    source, config = query.source, query.source.config or {}
    if config.get("stopped"):
        return None
    request_file = outbox_path(source.code, str(query.transaction_id))
    if not request_file.exists():
        return None
    lines = request_file.read_text().splitlines()[1:]
    records = _records(source, [n.strip() for n in lines if n.strip()])
    bad = config.get("bad_rows") and lines
    if bad:  # the demo's source that sends bad rows on purpose: rejected and listed
        first = lines[0].strip()
        records += [
            {"id_number": STRANGER, "item": "deposit_demand", "value": "5"},
            {"id_number": first, "item": "deposit_demand", "value": "-300.00"},
            {"id_number": first, "item": "no_such_item", "value": "1"},
        ]
        records.append(dict(records[0]))  # a duplicate row
    if config.get("format") == "json":
        name = f"{query.transaction_id}.json"
        text = json.dumps(
            {"transaction_id": str(query.transaction_id), "records": records}, ensure_ascii=False
        )
    else:
        name = f"{query.transaction_id}.csv"
        text = "id_number,item,value,reference\n" + "".join(
            f"{r['id_number']},{r['item']},{r['value']},{r.get('reference', '')}\n" for r in records
        )
        if bad:
            text += f"{lines[0].strip()},deposit_demand\n"  # a malformed row
    path = inbox_dir(source.code) / name
    write_atomically(path, text.encode(config.get("encoding", "utf-8")))
    return str(path)


def dci_reply(source_code: str, transaction_id: str, id_numbers: list[str]) -> int:
    """POST the on-search callback for a search the simulated source acknowledged."""
    source = DataSource.objects.get(code=source_code)
    records = _records(source, id_numbers)
    body = {
        "signature": "",
        "header": {
            "version": "1.0.0",
            "message_id": str(uuid.uuid4()),
            "message_ts": timezone.now().isoformat(),
            "action": "on-search",
            "status": "succ",
            "sender_id": source_code,
            "receiver_id": "weijiuni",
            "total_count": len(records),
        },
        "message": {
            "transaction_id": transaction_id,
            "correlation_id": str(uuid.uuid4()),
            "search_response": [
                {"reference_id": transaction_id, "status": "succ", "data": {"reg_records": records}}
            ],
        },
    }
    response = requests.post(
        callback_url(),
        json=body,
        headers={"Authorization": f"Bearer {callback_token(source_code)}"},
        timeout=10,
    )
    response.raise_for_status()  # a refused callback is delivered again by the task
    return response.status_code


#: the simulated sources' own "servers": a few threads of the web process that post the
#: on-search callbacks (a real source answers from its own machine, not from our worker)
_replies: ThreadPoolExecutor | None = None
_replies_lock = threading.Lock()
REPLY_TRIES = 4


def _reply_with_retries(source_code: str, transaction_id: str, id_numbers: list[str]) -> None:
    try:
        for attempt in range(REPLY_TRIES):
            try:
                dci_reply(source_code, transaction_id, id_numbers)
                return
            except Exception:  # the callback was refused or unreachable: try again, backing off
                if attempt == REPLY_TRIES - 1:
                    logger.warning("simulated %s: on-search not delivered", source_code)
                    return
                time.sleep(0.25 * 2**attempt)
    finally:
        connections.close_all()  # this thread's own database connection


def reply_soon(source_code: str, transaction_id: str, id_numbers: list[str]) -> None:
    """Answer an acknowledged search right away, on the simulated source's own thread."""
    global _replies
    with _replies_lock:
        if _replies is None:
            _replies = ThreadPoolExecutor(max_workers=8, thread_name_prefix="sim-dci")
    _replies.submit(_reply_with_retries, source_code, transaction_id, id_numbers)
