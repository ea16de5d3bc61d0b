"""Excel exports of the lists a role can see (issue 13): cases, households, enrollments, overdue.

Rows come from the same selectors as the pages (same scope), masked as the page masks them, and
are read with a server-side cursor and written with XlsxWriter's constant-memory mode to a
temporary file, which is then streamed: memory stays flat whatever the number of rows. Each
export is written to the audit trail: one row for the export itself, and one per record whose
personal data left unmasked.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.idnumber import mask_id_number, mask_name
from integrity.services import access_log_record

#: rows read from the database per round trip, and audit rows written per insert
CHUNK = 2000
#: Excel's own limit of rows on one sheet (the header takes one)
MAX_ROWS = 1_048_575


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    value: Callable[[object], object]


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
        n = 0
        for n, row in enumerate(rows, start=1):
            if n > MAX_ROWS:
                break
            for c, col in enumerate(columns):
                value = col.value(row)
                if value is None or value == "":
                    continue
                if isinstance(value, int | float):
                    ws.write_number(n, c, value)
                else:
                    # strings always as strings: an ID number is not a number, "=…" not a formula
                    ws.write_string(n, c, str(value))
        ws.freeze_panes(1, 0)
        return min(n, MAX_ROWS)
    finally:
        book.close()


def _audited(rows: Iterator, *, user, object_type: str, unmasked: bool, request) -> Iterator:
    """Pass rows through, writing one audit row per record read unmasked, a chunk at a time."""
    pending: list[int] = []
    for row in rows:
        if unmasked:
            pending.append(row.pk)
            if len(pending) >= CHUNK:
                access_log_record(
                    user=user,
                    object_type=object_type,
                    object_ids=pending,
                    request=request,
                    channel="xlsx",
                )
                pending = []
        yield row
    if pending:
        access_log_record(
            user=user, object_type=object_type, object_ids=pending, request=request, channel="xlsx"
        )


def export_response(
    *,
    request,
    name: str,
    sheet: str,
    object_type: str,
    columns: list[Column],
    queryset,
    unmasked: bool,
) -> FileResponse:
    """The export as a download; the export itself is recorded in the audit trail with the
    number of rows and the query that selected them."""
    user = request.user
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    rows = _audited(
        queryset.iterator(chunk_size=CHUNK),
        user=user,
        object_type=object_type,
        unmasked=unmasked,
        request=request,
    )
    count = write_xlsx(handle.name, sheet=sheet, columns=columns, rows=rows)
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


def case_columns(*, unmasked: bool, today, state_label, policy_label) -> list[Column]:
    name, id_number = _masked(unmasked)

    def days_left(a):
        return (a.due_on - today).days if a.due_on else None

    return [
        Column(_("案件编号"), 10, lambda a: a.pk),
        Column(_("申请人"), 12, lambda a: name(a.applicant_name)),
        Column(_("身份证号码"), 22, lambda a: id_number(a.applicant_id_number)),
        Column(_("申请类别"), 22, lambda a: policy_label(a.requested)),
        Column(_("镇街"), 14, lambda a: a.village.parent.name),
        Column(_("村居"), 14, lambda a: a.village.name),
        Column(_("状态"), 14, lambda a: state_label(a.state)),
        Column(_("当前时限"), 12, lambda a: _iso(a.due_on)),
        Column(_("剩余天数"), 10, days_left),
        Column(_("办结时限"), 12, lambda a: _iso(a.case_due_on)),
        Column(
            _("公示截止"),
            12,
            lambda a: a.notice_closes_on.isoformat() if a.notice_closes_on else "",
        ),
    ]


def household_columns(*, unmasked: bool) -> list[Column]:
    name, id_number = _masked(unmasked)
    return [
        Column(_("家庭编号"), 10, lambda h: h.pk),
        Column(_("申请人"), 12, lambda h: name(h.applicant_name)),
        Column(_("身份证号码"), 22, lambda h: id_number(h.applicant_id_number)),
        Column(_("人口"), 8, lambda h: h.size),
        Column(_("镇街"), 14, lambda h: h.village.parent.name),
        Column(_("村居"), 14, lambda h: h.village.name),
        Column(_("城乡"), 8, lambda h: h.village.get_area_display()),
    ]


def enrollment_columns(*, unmasked: bool, policy_label) -> list[Column]:
    name, id_number = _masked(unmasked)
    return [
        Column(_("在保编号"), 10, lambda e: e.pk),
        Column(_("家庭编号"), 10, lambda e: e.household_id),
        Column(_("申请人"), 12, lambda e: name(e.applicant_name)),
        Column(_("身份证号码"), 22, lambda e: id_number(e.applicant_id_number)),
        Column(_("保障对象"), 12, lambda e: name(e.person.name) if e.person_id else ""),
        Column(_("类别"), 22, lambda e: policy_label(e.policy_code)),
        Column(_("月保障金（元）"), 14, lambda e: float(e.monthly_amount)),
        Column(_("起始月份"), 10, lambda e: e.start_month.strftime("%Y-%m")),
        Column(_("终止月份"), 10, lambda e: e.end_month.strftime("%Y-%m") if e.end_month else ""),
        Column(_("状态"), 10, lambda e: e.get_status_display()),
        Column(_("镇街"), 14, lambda e: e.household.village.parent.name),
        Column(_("村居"), 14, lambda e: e.household.village.name),
    ]
