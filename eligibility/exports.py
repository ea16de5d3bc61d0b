"""Excel exports of the lists a role can see (issue 13): cases, households, enrollments, overdue.

Rows come from the same selectors as the pages (same scope), masked as the page masks them, and
are read with a server-side cursor and written with XlsxWriter's constant-memory mode to a
temporary file, which is then streamed: memory stays flat whatever the number of rows. Each
export is written to the audit trail: one row for the export itself, and one per record whose
personal data left unmasked.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import xlsxwriter
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.idnumber import mask_id_number, mask_name
from integrity.services import access_log_record, access_log_record_query

from .selectors import next_limit

#: rows read from the database per round trip, and audit rows written per insert
CHUNK = 2000
#: Excel's own limit of rows on one sheet (the header takes one)
MAX_ROWS = 1_048_575


@dataclass(frozen=True)
class Column:
    """One column: its header, width, and the value it shows for a row (a named tuple of
    ``fields``, read with ``values_list`` — no model instance is built per row)."""

    header: str
    width: int
    value: Callable[[object], object]


@dataclass(frozen=True)
class Sheet:
    fields: tuple[str, ...]
    columns: list[Column]


def _masked(unmasked: bool):
    if unmasked:
        return (lambda v: v or ""), (lambda v: v or "")
    return mask_name, mask_id_number


def write_xlsx(path: str, *, sheet: str, columns: list[Column], rows: Iterable) -> int:
    """Write ``rows`` to an .xlsx file in constant memory; returns the number of rows written."""
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    try:
        ws = book.add_worksheet(sheet[:31])
        head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        for c, col in enumerate(columns):
            ws.set_column(c, c, col.width)
            ws.write_string(0, c, col.header, head)
        ws.freeze_panes(1, 0)
        write_string, write_number = ws.write_string, ws.write_number
        getters = [col.value for col in columns]
        n = 0
        for n, row in enumerate(rows, start=1):
            if n > MAX_ROWS:
                break
            for c, get in enumerate(getters):
                value = get(row)
                if value is None or value == "":
                    continue
                if isinstance(value, int | float):
                    write_number(n, c, value)
                else:
                    # strings always as strings: an ID number is not a number, "=…" not a formula
                    write_string(n, c, str(value))
        return min(n, MAX_ROWS)
    finally:
        book.close()


def export_response(
    *,
    request,
    name: str,
    sheet: str,
    object_type: str,
    layout: Sheet,
    queryset,
    unmasked: bool,
) -> FileResponse:
    """The export as a download. The audit trail gets one row per record exported, masked or
    not (set-based, from the same query), and one row for the export itself, with the number
    of rows and the query string that selected them."""
    user = request.user
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    rows = (
        queryset.select_related(None)
        .prefetch_related(None)
        .values_list(*layout.fields, named=True)
        .iterator(chunk_size=CHUNK)
    )
    with transaction.atomic():
        count = write_xlsx(handle.name, sheet=sheet, columns=layout.columns, rows=rows)
        access_log_record_query(
            user=user,
            object_type=object_type,
            ids_queryset=queryset.order_by().values("pk")[:MAX_ROWS],
            request=request,
            channel="xlsx",
            masked=not unmasked,
        )
        access_log_record(
            user=user,
            object_type=f"export:{object_type}",
            object_ids=[count],
            request=request,
            channel="xlsx",
            fields=(request.GET.urlencode() or "-")[:200],
        )
    handle.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{name}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- the columns of each list -------------------------------------------------------------


def _iso(day) -> str:
    return day.isoformat() if day else ""


def _month(day) -> str:
    return day.strftime("%Y-%m") if day else ""


def _place(row) -> str:
    return f"{row.village__parent__name} · {row.village__name}"


def case_sheet(*, unmasked: bool, today, state_labels: dict, policy_labels: dict) -> Sheet:
    name, id_number = _masked(unmasked)

    def days_left(a):
        limit = next_limit(due_on=a.due_on, case_due_on=a.case_due_on, state=a.state)
        return (limit - today).days if limit else None

    return Sheet(
        fields=(
            "pk",
            "applicant_name",
            "applicant_id_number",
            "requested",
            "village__parent__name",
            "village__name",
            "state",
            "due_on",
            "case_due_on",
            "notice_closes_on",
        ),
        columns=[
            Column(_("案件编号"), 10, lambda a: a.pk),
            Column(_("申请人"), 12, lambda a: name(a.applicant_name)),
            Column(_("身份证号码"), 22, lambda a: id_number(a.applicant_id_number)),
            Column(_("申请类别"), 22, lambda a: policy_labels.get(a.requested, a.requested)),
            Column(
                _("镇街 · 村居"), 22, lambda a: f"{a.village__parent__name} · {a.village__name}"
            ),
            Column(_("状态"), 12, lambda a: state_labels.get(a.state, a.state)),
            Column(_("当前时限"), 12, lambda a: _iso(a.due_on)),
            Column(_("剩余天数"), 9, days_left),
            Column(_("办结时限"), 12, lambda a: _iso(a.case_due_on)),
            Column(_("公示截止"), 12, lambda a: _iso(a.notice_closes_on)),
        ],
    )


def household_sheet(*, unmasked: bool) -> Sheet:
    name, id_number = _masked(unmasked)
    areas = {"urban": str(_("城市")), "rural": str(_("农村"))}
    return Sheet(
        fields=(
            "pk",
            "applicant_name",
            "applicant_id_number",
            "size",
            "village__parent__name",
            "village__name",
            "village__area",
        ),
        columns=[
            Column(_("家庭编号"), 10, lambda h: h.pk),
            Column(_("申请人"), 12, lambda h: name(h.applicant_name)),
            Column(_("身份证号码"), 22, lambda h: id_number(h.applicant_id_number)),
            Column(_("人口"), 8, lambda h: h.size),
            Column(_("镇街"), 14, lambda h: h.village__parent__name),
            Column(_("村居"), 14, lambda h: h.village__name),
            Column(_("城乡"), 8, lambda h: areas.get(h.village__area, "")),
        ],
    )


def enrollment_sheet(*, unmasked: bool, policy_labels: dict, status_labels: dict) -> Sheet:
    name, id_number = _masked(unmasked)
    return Sheet(
        fields=(
            "pk",
            "household_id",
            "applicant_name",
            "applicant_id_number",
            "person__name",
            "policy_code",
            "monthly_amount",
            "start_month",
            "end_month",
            "status",
            "household__village__parent__name",
            "household__village__name",
        ),
        columns=[
            Column(_("在保编号"), 10, lambda e: e.pk),
            Column(_("家庭编号"), 10, lambda e: e.household_id),
            Column(_("申请人"), 12, lambda e: name(e.applicant_name)),
            Column(_("身份证号码"), 22, lambda e: id_number(e.applicant_id_number)),
            Column(_("保障对象"), 12, lambda e: name(e.person__name) if e.person__name else ""),
            Column(_("类别"), 22, lambda e: policy_labels.get(e.policy_code, e.policy_code)),
            Column(_("月保障金（元）"), 14, lambda e: float(e.monthly_amount)),
            Column(_("起始月份"), 10, lambda e: _month(e.start_month)),
            Column(
                _("终止月份"), 10, lambda e: e.end_month.strftime("%Y-%m") if e.end_month else ""
            ),
            Column(_("状态"), 10, lambda e: status_labels.get(e.status, e.status)),
            Column(_("镇街"), 14, lambda e: e.household__village__parent__name),
            Column(_("村居"), 14, lambda e: e.household__village__name),
        ],
    )
