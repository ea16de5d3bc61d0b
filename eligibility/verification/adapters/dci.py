"""HTTP JSON in the DCI social-registry pattern (Digital Convergence Initiative, "SR" API):
the platform POSTs a ``search`` to the source, the source acknowledges at once (``ACK``), and
later POSTs an ``on-search`` with the records to the platform's callback.

Configuration: ``{"url": "https://bank.example/registry/search", "timeout": 5}``; a path
(``/sim/dci/<code>/search``) is on the platform itself (the demo's simulated sources). The source
proves its callback with ``Authorization: Bearer <callback token>`` (``callback_token``), a
key derived from the platform's secret and the source code and handed over at onboarding.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

import requests
from django.conf import settings
from django.utils import timezone

from .base import Adapter, SourceUnavailable

VERSION = "1.0.0"


def callback_token(source_code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"dci-callback:{source_code}".encode(), hashlib.sha256).hexdigest()


def callback_url() -> str:
    return settings.VERIFICATION_CALLBACK_BASE_URL.rstrip("/") + "/api/v1/verification/on-search/"


def search_message(*, source_code: str, transaction_id: str, id_numbers: list[str]) -> dict:
    now = timezone.now().isoformat()
    return {
        "signature": "",
        "header": {
            "version": VERSION,
            "message_id": str(uuid.uuid4()),
            "message_ts": now,
            "action": "search",
            "sender_id": "weijiuni",
            "sender_uri": callback_url(),
            "receiver_id": source_code,
            "total_count": len(id_numbers),
        },
        "message": {
            "transaction_id": transaction_id,
            "search_request": [
                {
                    "reference_id": f"{transaction_id}-{i}",
                    "timestamp": now,
                    "search_criteria": {
                        "reg_type": "household_economic_verification",
                        "query_type": "idtype-value",
                        "query": {"type": "CN_RIC", "value": number},
                    },
                }
                for i, number in enumerate(id_numbers)
            ],
        },
    }


class DciHttpAdapter(Adapter):
    def send(self, *, transaction_id: str, id_numbers: list[str]) -> None:
        url = self.config.get("url", "")
        if url.startswith("/"):  # a simulated source served by the platform itself (demo)
            url = settings.VERIFICATION_CALLBACK_BASE_URL.rstrip("/") + url
        if not url.startswith(("http://", "https://")):
            raise SourceUnavailable("no url configured")
        body = search_message(
            source_code=self.source.code, transaction_id=transaction_id, id_numbers=id_numbers
        )
        try:
            timeout = min(float(self.config.get("timeout", 5)), 30.0)
        except (TypeError, ValueError) as exc:
            raise SourceUnavailable("bad timeout in config") from exc
        try:
            response = requests.post(url, json=body, timeout=timeout)
        except requests.RequestException as exc:
            raise SourceUnavailable(f"{type(exc).__name__}") from exc
        if response.status_code >= 300:
            raise SourceUnavailable(f"HTTP {response.status_code}")
        try:
            ack = response.json()["message"]["ack_status"]
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceUnavailable("no acknowledgement") from exc
        if ack != "ACK":
            raise SourceUnavailable(f"ack_status {ack}")


def on_search_rows(message: dict) -> list[tuple[int, dict, str]]:
    """The records of an on-search message as (number, fields, text) for the row check."""
    rows: list[tuple[int, dict, str]] = []
    n = 0
    for response in message.get("search_response") or []:
        data = response.get("data") if isinstance(response, dict) else None
        records = data.get("reg_records") if isinstance(data, dict) else None
        for record in records if isinstance(records, list) else []:
            n += 1
            rows.append((n, record, str(record)[:300]))
    return rows
