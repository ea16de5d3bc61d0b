"""The export of the dishonesty register for the credit platform (信用平台, SPEC §9), as CSV
and JSON; the format is documented in docs/credit-export.md.

Personal data goes through the one masking module: the county's approver and the
administrator (who report to the platform) get the name and ID number as recorded; a masked
reader (the city supervisor) gets them masked and no reason text. Every record exported is a
read in the access log, with whether it was masked.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal

from django.utils import timezone

from applicants import masking
from integrity.services import access_log_record

from . import selectors

#: the columns, in order (docs/credit-export.md describes each)
FIELDS = (
    "record_id",
    "status",
    "name",
    "id_number",
    "county_code",
    "township",
    "reason",
    "amount_obtained",
    "fine_multiple",
    "fine_amount",
    "amount_recovered",
    "recorded_on",
    "removed_on",
    "removal_reasons",
    "source",
)
FORMAT_VERSION = "1.0"


def _money(value) -> str:
    return f"{Decimal(value):.2f}" if value is not None else ""


def credit_rows(*, user, request=None, channel: str) -> list[dict]:
    """The register in the reader's region as export rows, logged as read."""
    records = list(selectors.dishonesty_list(user=user))
    unmasked = masking.record_read(
        user=user,
        object_type="dishonesty_record",
        object_ids=[r.pk for r in records],
        request=request,
        channel=channel,
        fields="name,id_number,reason,amounts",
    )
    recovered = selectors.recovered_amounts(records)
    rows = []
    for r in records:
        person = r.person
        shown = masking.person_fields(
            {
                "name": person.name if person else "",
                "id_number": person.id_number if person else "",
            },
            unmasked=unmasked,
        )
        removal = getattr(r, "removal", None) if hasattr(r, "removal") else None
        village = r.household.village
        rows.append(
            {
                "record_id": r.pk,
                "status": "removed" if removal else "active",
                "name": shown["name"],
                "id_number": shown["id_number"],
                "county_code": village.county_code or "",
                "township": village.parent.name if village.parent_id else "",
                "reason": masking.free_text(r.reason, unmasked=unmasked),
                "amount_obtained": _money(r.amount_obtained),
                "fine_multiple": f"{r.fine_multiple:.1f}",
                "fine_amount": _money(r.fine_amount),
                "amount_recovered": _money(recovered.get(r.pk)),
                "recorded_on": timezone.localtime(r.recorded_at).date().isoformat(),
                "removed_on": timezone.localtime(removal.removed_at).date().isoformat()
                if removal
                else "",
                "removal_reasons": masking.free_text(removal.reasons, unmasked=unmasked)
                if removal
                else "",
                "source": r.source,
            }
        )
    access_log_record(
        user=user,
        object_type=f"export:credit:{channel}",
        object_ids=[len(rows)],
        request=request,
        channel=channel,
        fields="-",
        masked=not unmasked,
    )
    return rows


def as_csv(rows: list[dict]) -> Iterator[str]:
    """UTF-8 CSV with a BOM (Excel opens it as UTF-8), a header row, one line per record;
    every value quoted so that an ID number stays text and ``=…`` is not a formula."""
    yield "\ufeff"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for row in rows:
        safe = {
            k: ("'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v)
            for k, v in row.items()
        }
        writer.writerow(safe)
        yield out.getvalue()
        out.seek(0)
        out.truncate(0)
    if out.getvalue():
        yield out.getvalue()


def as_json(rows: list[dict]) -> str:
    return json.dumps(
        {
            "format": "weijiuni.credit-export",
            "version": FORMAT_VERSION,
            "generated_at": timezone.localtime().isoformat(timespec="seconds"),
            "count": len(rows),
            "records": rows,
        },
        ensure_ascii=False,
    )
