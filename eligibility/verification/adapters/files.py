"""Batch file exchange (批量文件交换): the platform writes a request file of ID numbers per
source into its outbox; the source answers with a result file in the inbox, CSV or JSON, read
as UTF-8 or GBK and validated row by row.

Layout under ``settings.VERIFICATION_EXCHANGE_DIR``::

    outbox/<source>/<transaction id>.csv     id_number (one per line, with a header)
    inbox/<source>/<transaction id>.csv      id_number,item,value,reference
    inbox/<source>/<transaction id>.json     {"transaction_id": "…", "records": [{…}, …]}
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .base import Adapter, SourceUnavailable

CSV_HEADER = ["id_number", "item", "value", "reference"]
#: GB 18030 reads every GBK file and more
ENCODINGS = ("utf-8-sig", "gb18030")
MAX_FILE_BYTES = 50 * 1024 * 1024


def exchange_dir() -> Path:
    return Path(settings.VERIFICATION_EXCHANGE_DIR)


def outbox_path(source_code: str, transaction_id: str) -> Path:
    return exchange_dir() / "outbox" / source_code / f"{transaction_id}.csv"


def inbox_dir(source_code: str) -> Path:
    return exchange_dir() / "inbox" / source_code


def write_atomically(path: Path, data: bytes) -> None:
    """A reader never sees half a file: write beside it, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class FileExchangeAdapter(Adapter):
    def send(self, *, transaction_id: str, id_numbers: list[str]) -> None:
        body = "id_number\n" + "".join(f"{n}\n" for n in id_numbers)
        try:
            write_atomically(outbox_path(self.source.code, transaction_id), body.encode())
        except OSError as exc:
            raise SourceUnavailable(str(exc)) from exc


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first, then GBK/GB 18030; returns (text, encoding)."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), ("gbk" if encoding == "gb18030" else "utf-8")
        except UnicodeDecodeError:
            continue
    raise ValueError(_("文件编码无法识别（应为 UTF-8 或 GBK）。"))


def read_result_file(path: Path) -> tuple[str, list[tuple[int, dict, str]], str | None]:
    """Read a result file into (encoding, [(line, fields, text)], file-level error).

    A file-level error (unreadable, wrong header, not JSON) leaves no rows; row errors are the
    row check's business.
    """
    data = path.read_bytes()[: MAX_FILE_BYTES + 1]
    if len(data) > MAX_FILE_BYTES:
        return "", [], _("文件过大。")
    try:
        text, encoding = decode(data)
    except ValueError as exc:
        return "", [], str(exc)
    if path.suffix == ".json":
        try:
            doc = json.loads(text)
        except ValueError:
            return encoding, [], _("JSON 格式错误。")
        records = doc.get("records") if isinstance(doc, dict) else None
        if not isinstance(records, list):
            return encoding, [], _("JSON 文件缺少 records 列表。")
        return (
            encoding,
            [(n, r, json.dumps(r, ensure_ascii=False)) for n, r in enumerate(records, start=1)],
            None,
        )
    lines = text.splitlines()
    if not lines or [h.strip() for h in next(csv.reader([lines[0]]))] != CSV_HEADER:
        return encoding, [], _("CSV 表头应为 id_number,item,value,reference。")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = next(csv.reader(io.StringIO(line)), [])
        if len(cells) != len(CSV_HEADER):
            rows.append((number, None, line))
            continue
        rows.append((number, dict(zip(CSV_HEADER, cells, strict=True)), line))
    return encoding, rows, None
