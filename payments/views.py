"""Payroll pages: the county's batches, one batch (progress, totals, approve, export, return
files), the township's failed and held payments, and a citizen's own payments."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applicants import masking, permissions
from applicants.errors import DomainError
from applicants.models import Person, Region, Role
from applicants.paging import BoundedPaginator
from applicants.services import member_account_set
from eligibility.services.enrollments import add_months, this_month

from . import selectors
from .models import BankFile, Batch, Line
from .services import bankfiles, batches

PAYROLL_ROLES = {Role.APPROVER, Role.SUPERVISOR, Role.CASEWORKER}


def _payroll_reader(user) -> None:
    if not (user.is_admin_role or user.role in PAYROLL_ROLES):
        raise Http404


def _counties_ordered_by(user) -> list[Region]:
    """Counties whose payroll the user may order (an approver: their own)."""
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("code")
    return [c for c in counties if permissions.can_order_payroll(user, c)]


def _month_choices() -> list[dt.date]:
    month = this_month()
    return [add_months(month, 1), month]


@login_required
@require_http_methods(["GET", "POST"])
def batch_list(request):
    """发放批次: the county's batches; its approver orders the month's payroll here."""
    _payroll_reader(request.user)
    counties = _counties_ordered_by(request.user)
    if request.method == "POST":
        county = next((c for c in counties if c.code == request.POST.get("county")), None)
        months = {f"{m:%Y-%m}": m for m in _month_choices()}
        month = months.get(request.POST.get("month", ""))
        kind = request.POST.get("kind", Batch.Kind.MONTHLY)
        if county is None or month is None or kind not in Batch.Kind.values:
            messages.error(request, _("请选择区市、月份和批次类型。"))
        else:
            try:
                batch = batches.batch_start(
                    county=county, month=month, user=request.user, kind=kind
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("payroll_batch", pk=batch.pk)
    qs = selectors.batch_list(user=request.user)
    page = BoundedPaginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/batch_list.html",
        {
            "page": page,
            "counties": counties,
            "months": _month_choices(),
            "kinds": Batch.Kind.choices,
        },
    )


def _batch_or_404(user, pk: int) -> Batch:
    try:
        return selectors.batch_get(user=user, pk=pk)
    except Batch.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_http_methods(["GET", "POST"])
def batch_detail(request, pk: int):
    """One batch: progress while it generates, totals by category and township, the held and
    failed lines, and the next step for whoever may take it."""
    _payroll_reader(request.user)
    batch = _batch_or_404(request.user, pk)
    if request.method == "POST":
        _batch_action(request, batch)
        return redirect("payroll_batch", pk=batch.pk)
    if request.htmx:  # the progress bar polling: the bar, or the whole page once generated
        if batch.state == Batch.State.GENERATING:
            return render(request, "payments/partials/progress.html", {"batch": batch})
        return HttpResponse(headers={"HX-Refresh": "true"})
    lines = selectors.line_list(user=request.user, filters={"batch": batch.pk})
    attention = list(
        lines.filter(
            Q(status__in=[Line.Status.HELD, Line.Status.FAILED, Line.Status.OFFSET])
            | Q(kind__in=[Line.Kind.BACKPAY, Line.Kind.REISSUE, Line.Kind.TEMPORARY])
            | Q(withheld__gt=0)
        ).order_by("-id")[:100]
    )
    unmasked = masking.record_read(
        user=request.user,
        object_type="payment_line",
        object_ids=[line.pk for line in attention],
        request=request,
        fields="payee_name,bank_account",
    )
    may_order = permissions.can_order_payroll(request.user, batch.county)
    return render(
        request,
        "payments/batch_detail.html",
        {
            "batch": batch,
            "summary": selectors.batch_summary(batch, request.user),
            "attention": [selectors.line_view(line, unmasked) for line in attention],
            "receivable_items": batch.receivable_items.select_related("receivable")[:100],
            "bank_files": selectors.bank_file_list(user=request.user).filter(batch=batch),
            "may_order": may_order,
            "may_approve": may_order and request.user.pk != batch.created_by_id,
            "encodings": Batch.Encoding.choices,
        },
    )


def _batch_action(request, batch: Batch) -> None:
    action = request.POST.get("action")
    try:
        if action == "approve":
            batches.batch_approve(batch=batch, user=request.user)
            messages.success(request, _("批次已审批。"))
        elif action == "export":
            bankfiles.batch_export(
                batch=batch, user=request.user, encoding=request.POST.get("encoding", "utf-8")
            )
            messages.success(request, _("已生成银行文件。"))
        elif action == "return":
            bank_file = batch.bank_files.filter(pk=_int(request.POST.get("bank_file"))).first()
            upload = request.FILES.get("file")
            if bank_file is None or upload is None:
                messages.error(request, _("请选择银行文件和回盘文件。"))
                return
            if upload.size > bankfiles.MAX_RETURN_BYTES:
                messages.error(request, _("文件过大。"))
                return
            done = bankfiles.bank_file_reconcile(
                bank_file=bank_file, data=upload.read(), user=request.user
            )
            messages.success(
                request,
                _("回盘已导入：成功 %(p)d 笔，失败 %(f)d 笔。")
                % {"p": done.paid_count, "f": done.failed_count},
            )
        else:
            messages.error(request, _("未知的操作。"))
    except DomainError as exc:
        messages.error(request, exc.message)


def _int(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


@login_required
def bank_file_download(request, pk: int):
    bank_file = selectors.bank_file_exported(user=request.user, pk=pk)
    if bank_file is None:
        raise Http404
    return bank_file_response(request, bank_file, channel="page")


def bank_file_response(request, bank_file: BankFile, *, channel: str) -> FileResponse:
    """The bank file as a download (page and API), its read in the audit trail."""
    masking.record_read(
        user=request.user,
        object_type="bank_file",
        object_ids=[bank_file.pk],
        request=request,
        channel=channel,
        fields="payee_name,bank_account,amount",
    )
    response = FileResponse(
        open(bankfiles.bank_file_path(bank_file), "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=bankfiles.bank_file_name(bank_file),
        content_type=f"text/csv; charset={bank_file.batch.encoding}",
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def outstanding(request):
    """发放异常: the township's failed and held payments; correct the payee's account here and
    the next payroll pays them again."""
    _payroll_reader(request.user)
    if request.method == "POST":
        line = (
            selectors.outstanding_lines(user=request.user)
            .filter(pk=_int(request.POST.get("line")), payee__isnull=False)
            .first()
        )
        if line is None:
            raise Http404
        person = line.payee
        try:
            member_account_set(
                person=person,
                bank_name=request.POST.get("bank_name", ""),
                bank_account=request.POST.get("bank_account", ""),
                by=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("账户已更正，下月发放时将重新发放。"))
        return redirect("payroll_outstanding")
    qs = selectors.outstanding_lines(user=request.user)
    page = BoundedPaginator(qs, 50).get_page(request.GET.get("page"))
    unmasked = masking.record_read(
        user=request.user,
        object_type="payment_line",
        object_ids=[line.pk for line in page.object_list],
        request=request,
        fields="payee_name,bank_account",
    )
    return render(
        request,
        "payments/outstanding.html",
        {
            "page": page,
            "rows": [selectors.line_view(line, unmasked) for line in page.object_list],
            "may_correct": request.user.role == Role.CASEWORKER or request.user.is_admin_role,
        },
    )


@login_required
def my_payments(request):
    """我的待遇发放: the citizen's household's payments, month by month (account masked)."""
    if request.user.role != Role.CITIZEN and not request.user.is_admin_role:
        raise Http404
    lines = selectors.line_list(user=request.user).filter(
        status__in=[
            Line.Status.PAID,
            Line.Status.PENDING,
            Line.Status.FAILED,
            Line.Status.HELD,
            Line.Status.OFFSET,
        ]
    )
    page = BoundedPaginator(lines, 24).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/my_payments.html",
        {
            "page": page,
            "rows": [selectors.line_view(line, unmasked=False) for line in page.object_list],
            "receivables": selectors.receivable_list(user=request.user)
            if request.user.is_admin_role
            else _own_receivables(request.user),
        },
    )


def _own_receivables(user):
    from .models import Receivable

    return Receivable.objects.filter(
        household_id__in=Person.objects.filter(user=user).values("household_id")
    ).prefetch_related("items")


# --- 追缴: recording what a household was paid without entitlement (issue 11) -------------


def _month_key(value: str) -> dt.date | None:
    try:
        year, month = value.split("-")
        return dt.date(int(year), int(month), 1) if len(year) == 4 and len(month) == 2 else None
    except (AttributeError, TypeError, ValueError):
        return None


def _recoverable_months(enrollment) -> list[dict]:
    """The enrollment's paid months, newest first, with what is left to recover of each (what
    was paid less what earlier receivables itemised): the form's rows, pre-filled."""
    from django.db.models import F, Sum

    from .models import ReceivableItem

    paid = (
        Line.objects.filter(enrollment=enrollment, status=Line.Status.PAID)
        .values("month")
        .annotate(paid=Sum(F("amount") + F("withheld")))
        .order_by("-month")[:36]
    )
    recorded = dict(
        ReceivableItem.objects.filter(enrollment=enrollment)
        .values("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    )
    rows = []
    for row in paid:
        left = row["paid"] - recorded.get(row["month"], 0)
        if left > 0:
            rows.append({"month": row["month"], "key": f"{row['month']:%Y-%m}", "left": left})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def household_recovery(request, pk: int):
    """追缴与骗取认定: what a household was paid without entitlement, month by month from its
    paid payroll lines (nothing retyped), recorded by the township after a review or by the
    county approver as fraud with its fine (the dishonesty register follows), and the money
    the household returns."""
    from applicants import selectors as household_selectors
    from applicants.models import Household
    from eligibility.models import Enrollment

    from .models import Receivable
    from .services import receivables

    _payroll_reader(request.user)
    try:
        household = household_selectors.household_get(user=request.user, pk=pk)
    except Household.DoesNotExist as exc:
        raise Http404 from exc
    village = household.village
    may_fraud = permissions.can_decide_case(request.user, village)
    may_record = may_fraud or permissions.can_close_review(request.user, village)
    enrollments = list(
        Enrollment.objects.filter(household=household)
        .select_related("category", "person")
        .order_by("-id")
    )
    chosen = next(
        (e for e in enrollments if str(e.pk) == request.GET.get("enrollment", "")),
        enrollments[0] if enrollments else None,
    )
    if request.method == "POST" and request.POST.get("action") == "record":
        # the enrollment the form was for, of this household, or nothing (a 404 below)
        chosen = next(
            (e for e in enrollments if str(e.pk) == request.POST.get("enrollment", "")), None
        )
    typed: dict = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "record" and may_record and chosen is not None:
                typed = request.POST
                items = []
                for key in request.POST.getlist("month")[:240]:
                    month = _month_key(key)
                    if month is None:
                        raise DomainError(_("月份格式不正确。"), {"items": [_("月份格式不正确。")]})
                    items.append((month, request.POST.get(f"amount-{key}", "").strip()))
                reason = request.POST.get("reason", "")
                receivable = receivables.receivable_record(
                    household=household,
                    user=request.user,
                    reason=reason,
                    items=items,
                    enrollment=chosen,
                    schedule=request.POST.get("schedule", Receivable.Schedule.REPAY),
                    installment=request.POST.get("installment") or None,
                    fine_multiple=request.POST.get("fine_multiple") or None,
                    note=request.POST.get("note", "").strip(),
                )
                done = _("已登记追缴 %(t)s 元。") % {"t": receivable.total}
                if receivable.reason == Receivable.Reason.FRAUD:
                    done += " " + _("罚款 %(f)s 元，已记入失信记录。") % {
                        "f": receivable.fine_amount
                    }
                messages.success(request, done)
                return redirect("household_recovery", pk=household.pk)
            if action == "repay" and may_record:
                receivable = household.receivables.filter(
                    pk=_int(request.POST.get("receivable"))
                ).first()
                if receivable is None:
                    raise Http404
                typed = request.POST
                paid_on = _date(request.POST.get("paid_on", ""))
                receivables.repayment_record(
                    receivable=receivable,
                    amount=request.POST.get("amount", "").strip(),
                    paid_on=paid_on,
                    user=request.user,
                    note=request.POST.get("repay_note", "").strip(),
                )
                messages.success(request, _("已登记退回。"))
                return redirect("household_recovery", pk=household.pk)
            raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
    unmasked = masking.record_read(
        user=request.user,
        object_type="household",
        object_ids=[household.pk],
        request=request,
        fields="receivables,payments",
    )
    low = high = None
    if may_fraud:
        try:
            low, high = receivables.fine_range(village)
        except DomainError:
            low = high = None
    return render(
        request,
        "payments/household_recovery.html",
        {
            "household": household,
            "unmasked": unmasked,
            "applicant": next(
                (m for m in household.members.all() if m.relation == "applicant"), None
            ),
            "receivables": household.receivables.select_related("enrollment__category")
            .prefetch_related("items", "repayments")
            .order_by("-created_at", "-id"),
            "enrollments": enrollments,
            "chosen": chosen,
            "months": _recoverable_months(chosen) if chosen is not None and may_record else [],
            "may_record": may_record,
            "may_fraud": may_fraud,
            "fine_low": low,
            "fine_high": high,
            "typed": typed,
            "typed_months": set(typed.getlist("month")) if typed else set(),
            "schedules": Receivable.Schedule.choices,
            "today": timezone.localdate(),
        },
    )


def _date(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        message = _("请填写退回日期。")
        raise DomainError(message, {"paid_on": [message]}) from exc
    if day > timezone.localdate():
        message = _("退回日期不能晚于今天。")
        raise DomainError(message, {"paid_on": [message]})
    return day
