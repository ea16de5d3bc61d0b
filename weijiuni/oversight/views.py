"""Pages of integrity and oversight (SPEC §9, issue 11).

Public, without login: the notices (公示) of any region — running and the result list — with
the masked name, household size, category and monthly amount only; the printable noticeboard;
an objection form; a complaint form; looking up an answer by its reference.
Staff: objections to answer, the complaint box, the dishonesty register and its credit export,
and the audit-trail search with its Excel export.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applicants import masking, permissions
from applicants.errors import DomainError
from applicants.models import Region, User
from eligibility.exports import MAX_ROWS, Column, write_xlsx
from eligibility.labels import RESULT_LABELS
from eligibility.services import notices as notice_services
from integrity.models import Complaint
from integrity.services import access_log_record

from . import audit, credit, selectors, services


def _errors(exc: DomainError) -> dict[str, str]:
    out = {}
    for key, msgs in exc.detail.items():
        out[key] = msgs[0] if isinstance(msgs, list) and msgs else str(msgs)
    return out


# --- public: notices ------------------------------------------------------------------------


def _notice_context(request):
    error = None
    try:
        filters = selectors.notice_filters(request.GET)
    except selectors.BadFilter as exc:
        error = exc.message
        filters = selectors.NoticeFilters()
    return filters, error


def notice_list(request):
    """公示查询: by region (city, county, township or village), category and month."""
    filters, error = _notice_context(request)
    qs = selectors.public_notices(filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for notice in page.object_list:
        notice.category_label = selectors.category_label(notice.category)
    query = request.GET.copy()
    query.pop("page", None)
    villages = []
    if filters.region is not None and filters.region.level == Region.Level.TOWNSHIP:
        villages = list(filters.region.children.order_by("code"))
    return render(
        request,
        "weijiuni/oversight/notice_list.html",
        {
            "page": page,
            "filters": filters,
            "error": error,
            "regions": selectors.region_choices(),
            "categories": selectors.public_categories(),
            "query": query.urlencode(),
            "period": request.GET.get("period", "")[:7],
            "villages": villages,
            "today": timezone.localdate(),
        },
    )


def notice_print(request):
    """The village noticeboard (公示栏), A4: the notices running in one region. Masked names;
    full names only for staff of that region when NOTICE_BOARD_FULL_NAME is on."""
    filters, error = _notice_context(request)
    if filters.region is None:
        return redirect("notices")
    notices = list(selectors.public_notices(filters)[:200])
    in_scope = bool(
        request.user.is_authenticated
        and masking.sees_personal_data(request.user)
        and request.user.role != "citizen"
        and (
            request.user.is_admin_role
            or (request.user.region_id and filters.region.path.startswith(request.user.region.path))
        )
    )
    full = {}
    if in_scope:
        from applicants.models import Person

        household_ids = [n.household_id for n in notices if n.household_id]
        applicants = Person.objects.filter(
            household_id__in=household_ids, relation="applicant"
        ).values_list("household_id", "pk", "name")
        full = {h: name for h, _pk, name in applicants}
        masking.record_read(
            user=request.user,
            object_type="person",
            object_ids=[pk for _h, pk, _n in applicants],
            request=request,
            fields="name",
        )
    rows = [
        {
            "notice": n,
            "name": masking.notice_name(
                masked_name=n.masked_name,
                full_name=full.get(n.household_id),
                reader_unmasked=in_scope,
            ),
            "category": selectors.category_label(n.category),
        }
        for n in notices
    ]
    return render(
        request,
        "weijiuni/oversight/notice_print.html",
        {"rows": rows, "region": filters.region, "filters": filters, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
def objection_new(request, reference: str):
    """异议: anyone may object to a running notice, name and phone optional."""
    notice = selectors.notice_get(reference)
    errors, posted = {}, {}
    if request.method == "POST":
        posted = request.POST
        try:
            objection = notice_services.objection_file(
                reference=reference,
                text=posted.get("text", ""),
                objector_name=posted.get("name", ""),
                objector_phone=posted.get("phone", ""),
                by=request.user if request.user.is_authenticated else None,
                request=request,
            )
        except DomainError as exc:
            errors = _errors(exc)
        else:
            return render(
                request, "weijiuni/oversight/objection_filed.html", {"objection": objection}
            )
    closed = None
    if notice is None:
        closed = _("公示编号不存在，请核对公示上的编号。")
    elif not selectors.public_notices(selectors.NoticeFilters()).filter(pk=notice.pk).exists():
        closed = _("该公示已于 %(d)s 结束，不能再提出异议；如有问题请通过投诉举报反映。") % {
            "d": notice.closes_on
        }
    return render(
        request,
        "weijiuni/oversight/objection_new.html",
        {
            "notice": notice,
            "reference": reference[:20],
            "category": selectors.category_label(notice.category) if notice else "",
            "errors": errors,
            "posted": posted,
            "closed": closed,
        },
        status=400 if errors else 404 if notice is None else 200,
    )


def answer_lookup(request):
    """查询答复: the objector or complainant reads the answer by the reference given."""
    reference = (request.GET.get("reference") or "").strip()[:20]
    objection = complaint = None
    missing = False
    if reference:
        if reference.upper().startswith("TS"):
            complaint = selectors.complaint_by_reference(reference)
        else:
            objection = selectors.objection_by_reference(reference)
            if objection is not None:
                services.objection_answer_read(objection=objection, request=request, channel="page")
        missing = objection is None and complaint is None
    return render(
        request,
        "weijiuni/oversight/answer_lookup.html",
        {
            "reference": reference,
            "objection": objection,
            "complaint": complaint,
            "missing": missing,
        },
        status=404 if missing else 200,
    )


@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """投诉举报: by anyone (anonymous allowed) or by staff."""
    errors, posted = {}, {}
    if request.method == "POST":
        posted = request.POST
        try:
            complaint = services.complaint_file(
                kind=posted.get("kind", ""),
                content=posted.get("content", ""),
                anonymous=posted.get("anonymous") == "on",
                subject=posted.get("subject", ""),
                region_code=posted.get("region", ""),
                complainant_name=posted.get("name", ""),
                complainant_phone=posted.get("phone", ""),
                by=request.user if request.user.is_authenticated else None,
                request=request,
            )
        except DomainError as exc:
            errors = _errors(exc)
        else:
            return render(
                request, "weijiuni/oversight/complaint_filed.html", {"complaint": complaint}
            )
    return render(
        request,
        "weijiuni/oversight/complaint_new.html",
        {
            "kinds": Complaint.Kind.choices,
            "regions": selectors.region_choices(),
            "errors": errors,
            "posted": posted,
        },
        status=400 if errors else 200,
    )


# --- staff: objections, complaints, the register --------------------------------------------


def _staff(user) -> None:
    if not permissions.can_read_cases(user):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def objection_inbox(request):
    """Objections to the notices of the reader's region; the township answers in writing."""
    _staff(request.user)
    if request.method == "POST":
        objection = (
            selectors.objection_list(user=request.user)
            .filter(pk=_int(request.POST.get("objection")))
            .first()
        )
        if objection is None:
            raise Http404
        try:
            notice_services.objection_answer(
                objection=objection, answer=request.POST.get("answer", ""), by=request.user
            )
            messages.success(request, _("已书面答复，异议人可凭受理号查看。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("objection_inbox")
    qs = selectors.objection_list(user=request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    unmasked = masking.record_read(
        user=request.user,
        object_type="objection",
        object_ids=[o.pk for o in page.object_list],
        request=request,
        fields="text,objector_name,objector_phone",
    )
    return render(
        request,
        "weijiuni/oversight/objection_inbox.html",
        {
            "page": page,
            "unmasked": unmasked,
            "today": timezone.localdate(),
            "labels": {k: str(v) for k, v in RESULT_LABELS.items()},
        },
    )


def _int(value) -> int:
    text = str(value or "")
    # isascii: str.isdigit() accepts "²", which int() refuses (a 500)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 18 else 0


@login_required
@require_http_methods(["GET", "POST"])
def complaint_inbox(request):
    """The complaint box (投诉举报): the supervisor assigns, the assignee answers."""
    if not permissions.can_read_complaints(request.user):
        raise Http404
    if request.method == "POST":
        complaint = (
            selectors.complaint_list(user=request.user)
            .filter(pk=_int(request.POST.get("complaint")))
            .first()
        )
        if complaint is None:
            raise Http404
        try:
            if request.POST.get("action") == "assign":
                to = User.objects.filter(pk=_int(request.POST.get("assigned_to"))).first()
                services.complaint_assign(complaint=complaint, to=to, by=request.user)
                messages.success(request, _("已交办。"))
            else:
                services.complaint_answer(
                    complaint=complaint, answer=request.POST.get("answer", ""), by=request.user
                )
                messages.success(request, _("已答复，投诉人可凭受理号查看。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("complaint_inbox")
    overdue_only = request.GET.get("overdue") == "1"
    qs = (
        selectors.overdue_complaints(user=request.user)
        if overdue_only
        else selectors.complaint_list(user=request.user)
    )
    page = Paginator(qs.order_by("status", "answer_due_on", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    unmasked = masking.record_read(
        user=request.user,
        object_type="complaint",
        object_ids=[c.pk for c in page.object_list],
        request=request,
        fields="content,complainant_name,complainant_phone",
    )
    return render(
        request,
        "weijiuni/oversight/complaint_inbox.html",
        {
            "page": page,
            "unmasked": unmasked,
            "today": timezone.localdate(),
            "overdue_only": overdue_only,
            "can_assign": permissions.can_assign_complaints(request.user),
            "staff": selectors.staff_for_complaints()
            if permissions.can_assign_complaints(request.user)
            else [],
            "overdue_objections": selectors.overdue_objections(user=request.user).count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dishonesty_list(request):
    """失信记录: the register of the reader's region; the county's approver removes with reasons."""
    if not permissions.can_read_dishonesty(request.user):
        raise Http404
    if request.method == "POST":
        record = (
            selectors.dishonesty_list(user=request.user)
            .filter(pk=_int(request.POST.get("record")))
            .first()
        )
        if record is None:
            raise Http404
        try:
            services.dishonesty_remove(
                record=record,
                reasons=request.POST.get("reasons", ""),
                by=request.user,
                request=request,
            )
            messages.success(request, _("失信记录已移除，理由已记录。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("dishonesty_list")
    page = Paginator(selectors.dishonesty_list(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    records = list(page.object_list)
    unmasked = masking.record_read(
        user=request.user,
        object_type="dishonesty_record",
        object_ids=[r.pk for r in records],
        request=request,
        fields="name,id_number,reason",
    )
    recovered = selectors.recovered_amounts(records)
    rows = [
        {
            "record": r,
            "person": masking.PersonView(r.person, unmasked=unmasked) if r.person else None,
            "reason": masking.free_text(r.reason, unmasked=unmasked),
            "recovered": recovered.get(r.pk),
            "removal": getattr(r, "removal", None) if hasattr(r, "removal") else None,
            "can_remove": permissions.can_remove_dishonesty(request.user, r.household.village),
        }
        for r in records
    ]
    return render(
        request,
        "weijiuni/oversight/dishonesty_list.html",
        {
            "page": page,
            "rows": rows,
            "unmasked": unmasked,
            "can_export": permissions.can_export_credit(request.user),
        },
    )


@login_required
def credit_export(request, fmt: str):
    """The credit-platform export of the register (CSV or JSON, docs/credit-export.md)."""
    if not permissions.can_export_credit(request.user) or fmt not in ("csv", "json"):
        raise Http404
    rows = credit.credit_rows(user=request.user, request=request, channel=fmt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(
            credit.as_csv(rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(credit.as_json(rows), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="credit-export-{stamp}.{fmt}"'
    return response


# --- the audit trail ------------------------------------------------------------------------


def audit_filters(params) -> audit.Filters:
    """Parse the audit search; a value the form does not offer is a field error."""
    user_ids = None
    who = (params.get("user") or "").strip()[:150]
    if who:
        user_ids = tuple(User.objects.filter(username=who).values_list("pk", flat=True))
    kind = (params.get("kind") or "").strip()
    if kind and kind not in audit.KINDS:
        raise selectors.BadFilter("kind", _("没有这种记录类型。"))
    action = (params.get("action") or "").strip()
    if len(action) > 40 or (action and not action.replace("_", "").isalnum()):
        raise selectors.BadFilter("action", _("操作名称只含字母、数字和下划线。"))
    dates = {}
    for key in ("since", "until"):
        text = (params.get(key) or "").strip()
        if text:
            try:
                dates[key] = dt.date.fromisoformat(text)
            except ValueError as exc:
                raise selectors.BadFilter(key, _("日期格式应为 年-月-日。")) from exc
            if not dt.date(2000, 1, 1) <= dates[key] <= dt.date(2100, 1, 1):
                raise selectors.BadFilter(key, _("日期超出范围。"))
    household = None
    text = (params.get("household") or "").strip()
    if text:
        if not (text.isascii() and text.isdigit()) or len(text) > 18:
            raise selectors.BadFilter("household", _("家庭编号应为数字。"))
        household = int(text)
    return audit.Filters(
        user_ids=user_ids,
        kind=kind,
        action=action,
        since=dates.get("since"),
        until=dates.get("until"),
        household=household,
    )


KIND_LABELS = {
    "read": _("查阅"),
    "step": _("办理"),
    "change": _("变更"),
    "refused": _("拒绝"),
}


@login_required
def audit_search(request):
    """审计记录查询 for the supervisor: who, what, when, which household."""
    if not permissions.can_search_audit(request.user):
        raise Http404
    error, entries, more = None, [], False
    page = _int(request.GET.get("page")) or 1
    try:
        filters = audit_filters(request.GET)
        entries, more = audit.audit_page(user=request.user, filters=filters, page=page)
    except selectors.BadFilter as exc:
        error = exc.message
    access_log_record(
        user=request.user,
        object_type="audit_search",
        object_ids=[len(entries)],
        request=request,
        fields=(request.GET.urlencode() or "-")[:200],
        masked=not masking.sees_personal_data(request.user),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "weijiuni/oversight/audit_search.html",
        {
            "entries": entries,
            "more": more,
            "page": page,
            "error": error,
            "params": request.GET,
            "query": query.urlencode(),
            "kinds": [(k, KIND_LABELS[k]) for k in audit.KINDS],
            "kind_labels": KIND_LABELS,
            "retention_months": _retention(),
        },
    )


def _retention() -> int:
    from django.conf import settings

    return settings.AUDIT_RETENTION_MONTHS


@login_required
def audit_export(request):
    """The search's rows as Excel, streamed from a server-side cursor in constant memory."""
    import tempfile

    from django.db import transaction
    from django.http import FileResponse

    if not permissions.can_search_audit(request.user):
        raise Http404
    try:
        filters = audit_filters(request.GET)
    except selectors.BadFilter as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    columns = [
        Column(_("时间"), 20, lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")),
        Column(_("类型"), 8, lambda e: str(KIND_LABELS.get(e.kind, e.kind))),
        Column(_("操作"), 14, lambda e: e.action),
        Column(_("用户"), 14, lambda e: e.username),
        Column(_("对象"), 22, lambda e: e.object_type),
        Column(_("对象编号"), 10, lambda e: e.object_id),
        Column(_("家庭编号"), 10, lambda e: e.household_id),
        Column(_("说明"), 40, lambda e: e.detail),
        Column(_("来源地址"), 16, lambda e: e.ip or ""),
    ]
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    with transaction.atomic():
        count = write_xlsx(
            handle.name,
            sheet=str(_("审计记录")),
            columns=columns,
            rows=audit.audit_rows(
                filters=filters,
                max_rows=MAX_ROWS,
                unmasked=masking.sees_personal_data(request.user),
            ),
        )
        access_log_record(
            user=request.user,
            object_type="export:audit_trail",
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
        filename=f"audit-trail-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
