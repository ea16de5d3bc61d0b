"""The caseworker's workbench and the county's decision page (SPEC §6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import applications as intake
from applicants import masking, permissions
from applicants.errors import DomainError
from applicants.idnumber import mask_name, mask_phone
from applicants.models import OPEN_STATES, Application, ApplicationState
from applicants.paging import BoundedPaginator
from integrity.services import access_log_record

from . import letters, selectors
from .models import Reevaluation, Review
from .services import cases, members, temporary
from .services.reevaluation import reevaluation_summary
from .services.reviews import (
    review_close,
    review_confirm,
    review_report_change,
    review_send_back,
    work_refusal_record,
)
from .verification import services as verification_services


def _staff_only(user) -> None:
    if not permissions.can_read_cases(user):
        raise Http404


@login_required
def overdue_list(request):
    """超期案件 (慢作为 oversight) for the city supervisor."""
    if not permissions.can_read_overdue(request.user):
        raise Http404
    qs = selectors.overdue_applications(user=request.user)
    page = BoundedPaginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for a in page.object_list:  # each row's link once here, not a template tag per row
        a.detail_url = reverse("case_detail", args=[a.pk])
    return render(
        request,
        "eligibility/overdue.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "unmasked": masking.sees_personal_data(request.user),
        },
    )


def _decimal(value, default="0"):
    try:
        amount = Decimal(value or default)
        # DECIMAL(12, 2): a larger or non-finite amount would fail in the database instead
        if not amount.is_finite() or abs(amount) > Decimal("9999999999.99"):
            raise InvalidOperation
        return amount
    except InvalidOperation as exc:
        raise DomainError(_("请填写有效的金额。")) from exc


def _count(value, field: str) -> int:
    """A count typed on a page (houses, vehicles): 0 to the column's 32767, else a field error."""
    text = str(value or "0").strip()
    if not (text.isascii() and text.isdigit()) or int(text) > 32767:
        msg = _("请填写0至32767之间的整数。")
        raise DomainError(msg, {field: [msg]})
    return int(text)


def _act(request, application):
    """Run the action the form names; every action is a service call."""
    post, user = request.POST, request.user
    action = post.get("action")
    kw = {"application": application, "by": user, "request": request}
    if action == "accept":
        intake.application_accept(
            **kw,
            close_relative=post.get("close_relative") == "on",
            special=post.get("special") == "on",
            signers=post.getlist("signers"),
        )
        return _("已受理。")
    if action == "return":
        items = [line for line in post.get("missing_items", "").splitlines() if line.strip()]
        intake.application_return(**kw, missing_items=items)
        return _("已退回补正，需补正材料已一次性告知申请人。")
    if action == "verify":
        cases.application_verify(**kw)
        return _("已发起家庭经济状况核对。")
    if action == "verification_request":
        verification_services.verification_request_start(
            household=application.household, application=application, by=user
        )
        return _("已向全部数据来源发起核对，结果返回后生成核对报告。")
    if action == "verification":
        keys = [row["key"] for row in verification_services.figures_proposed(application)]
        values = {k: post.get(f"value_{k}", "") for k in keys}
        values["business"] = "true" if post.get("value_business") == "on" else "false"
        cases.verification_confirm(
            application=application,
            by=user,
            summary=post.get("summary", ""),
            values=values,
            reasons={k: post.get(f"reason_{k}", "") for k in keys},
        )
        return _("核对结果已确认。")
    if action == "survey":
        try:
            visited = dt.date.fromisoformat(post.get("visited_on", ""))
        except ValueError as exc:
            raise DomainError(
                _("请填写入户日期。"), {"visited_on": [_("请填写入户日期。")]}
            ) from exc
        cases.application_survey(
            **kw,
            visited_on=visited,
            staff=[post.get("staff1", ""), post.get("staff2", ""), post.get("staff3", "")],
            findings=post.get("findings", ""),
            signed=post.get("signed") == "on",
            # the form always shows the box (ticked as the household stands), so absent = no
            income_unstable=post.get("income_unstable") == "on",
        )
        return _("入户调查已记录。")
    if action == "propose":
        cases.application_propose(**kw, opinion=post.get("opinion", ""))
        return _("审核意见已提出。")
    if action == "open_notice":
        cases.public_notice_open(**kw)
        return _("已在村（居）公示7天。")
    if action == "object":
        objection = cases.objection_record(
            **kw,
            text=post.get("text", ""),
            objector_name=post.get("objector_name", ""),
            objector_phone=post.get("objector_phone", ""),
        )
        return _("异议已登记（受理号 %(ref)s），案件退回重新调查。") % {"ref": objection.reference}
    if action == "county_visit":
        cases.county_visit_record(**kw)
        return _("县级入户核查已记录。")
    if action == "advance":
        cases.application_advance(
            application=application,
            by=request.user,
            amount=post.get("amount", ""),
            reasons=post.get("reasons", ""),
        )
        return _("已先行救助，请在时限内补齐材料并完成审批。")
    if action == "terminate":
        intake.application_terminate(**kw, reasons=post.get("reasons", ""))
        return _("已终止办理，可打印终止告知书送达申请人。")
    if action == "approve":
        cases.application_approve(
            **kw,
            reasons=post.get("reasons", ""),
            choices=post.getlist("choices") or None,
            temporary_amount=post.get("temporary_amount") or None,
        )
        return _("已批准并纳入保障。")
    if action == "reject":
        cases.application_reject(**kw, reasons=post.get("reasons", ""))
        return _("已作出不予批准决定。")
    raise DomainError(_("未知的操作。"))


@login_required
def case_detail(request, pk: int):
    """The household file of one case with the rules engine's proposal and the next steps."""
    _staff_only(request.user)
    try:
        application = selectors.application_get(user=request.user, pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc
    posted, field_errors = {}, {}
    if request.method == "POST":
        if not permissions.can_act_on_cases(request.user):
            raise Http404
        try:
            messages.success(request, _act(request, application))
            return redirect("case_detail", pk=pk)
        except DomainError as exc:
            # the form comes back with every value typed (staff names, findings, the signed box)
            posted = request.POST
            field_errors = _error_summary(exc)
            application = selectors.application_get(user=request.user, pk=pk)
    unmasked = masking.record_read(
        user=request.user, object_type="application", object_ids=[application.pk], request=request
    )
    verification = _verification_context(application)
    if unmasked and verification.get("report"):  # every read of a verification report is audited
        access_log_record(
            user=request.user,
            object_type="verification_request",
            object_ids=[verification["verification_request"].pk],
            request=request,
            fields="verification_report",
        )
    preview = None
    if application.household_id and application.state in (
        ApplicationState.VERIFYING,
        ApplicationState.SURVEYED,
    ):
        try:
            preview = cases.assessment_preview_for(application)
        except DomainError as exc:
            messages.warning(request, exc.message)
    latest = application.latest_assessments[0] if application.latest_assessments else None
    return render(
        request,
        "eligibility/case_detail.html",
        {
            "application": application,
            "household": application.household,
            "unmasked": unmasked,
            "preview": preview,
            "latest": latest,
            "verification": application.verifications.first(),
            **verification,
            "surveys": application.surveys.all(),
            "notice": application.notices.first(),
            "decisions": application.decisions.select_related("decided_by"),
            "documents": application.documents.all(),
            "can_read_documents": masking.may_read_documents(request.user),
            "transitions": application.transitions.all(),
            "today": timezone.localdate(),
            "can_decide": permissions.can_decide_case(request.user, application.village),
            "can_work": permissions.can_work_case(request.user, application.village),
            "choices": _choices(application, latest),
            "temporary": _temporary(application, latest),
            "posted": posted,
            "open_states": OPEN_STATES,
            "field_errors": field_errors,
            "letters": letters.letter_kinds(application),
            "signed_ids": set(application.commitments.values_list("person_id", flat=True)),
            "commitments": _commitments(application, unmasked=unmasked),
            "dishonesty": selectors.dishonesty_flags(application),
            "can_see_register": permissions.can_read_dishonesty(request.user),
            "declared": _declared(application, unmasked=unmasked),
            "notice_ended": bool(
                application.notice_closes_on
                and application.notice_closes_on <= timezone.localdate()
            ),
            "grant": getattr(application, "temporary_grant", None)
            if hasattr(application, "temporary_grant")
            else None,
        },
    )


def _commitments(application, *, unmasked: bool) -> list[dict]:
    """The truthfulness commitments and verification authorizations signed for this case
    (SPEC §9: signer, time and channel), the signer's name as the reader may see it."""
    rows = application.commitments.select_related("person", "recorded_by").order_by(
        "signed_at", "person_id", "kind"
    )
    return [
        {
            "signer": c.person.name if unmasked else mask_name(c.person.name),
            "kind": c.get_kind_display(),
            "channel": c.get_channel_display(),
            "signed_at": c.signed_at,
            "recorded_by": c.recorded_by.get_full_name() or c.recorded_by.username,
        }
        for c in rows
    ]


def _verification_context(application) -> dict:
    """The latest verification request and report of the case, and the figures to confirm."""
    if not application.household_id:
        return {}
    request = application.verification_requests.select_related("report").first()
    report = getattr(request, "report", None) if request and hasattr(request, "report") else None
    context = {"verification_request": request, "report": report and report.body}
    if application.state == ApplicationState.VERIFYING:
        context["figures"] = verification_services.figures_proposed(application)
    return context


@login_required
def reevaluation_list(request):
    """调标重算: each run after a standard change, with its progress and report."""
    if not permissions.can_read_reevaluations(request.user):
        raise Http404
    runs = Reevaluation.objects.select_related("standard__region")[:50]
    return render(request, "eligibility/reevaluation_list.html", {"runs": runs})


@login_required
def reevaluation_detail(request, pk: int):
    if not permissions.can_read_reevaluations(request.user):
        raise Http404
    try:
        run = Reevaluation.objects.select_related("standard__region").get(pk=pk)
    except Reevaluation.DoesNotExist as exc:
        raise Http404 from exc
    template = (
        "eligibility/partials/reevaluation_progress.html"
        if request.htmx
        else "eligibility/reevaluation_detail.html"
    )
    return render(request, template, {"run": run, "rows": reevaluation_summary(run)})


@login_required
def review_detail(request, pk: int):
    """One review: the household, its enrollments, and the form to close it."""
    _staff_only(request.user)
    try:
        review = (
            Review.objects.filter(pk__in=_scoped_review_ids(request.user))
            .select_related("household__village__parent")
            .get(pk=pk)
        )
    except Review.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        post = request.POST
        try:
            action = post.get("action", "close")
            if action == "confirm":
                review_confirm(review=review, by=request.user, reasons=post.get("reasons", ""))
                messages.success(request, _("已确认，复核意见生效。"))
            elif action == "send_back":
                review_send_back(review=review, by=request.user, reasons=post.get("reasons", ""))
                messages.success(request, _("已退回镇街重新办理。"))
            else:
                month = post.get("effective_month") or None
                month = dt.date.fromisoformat(f"{month}-01") if month else None
                exit_months = int(post["exit_months"]) if post.get("exit_months") else None
                review = review_close(
                    review=review,
                    by=request.user,
                    outcome=post.get("outcome", ""),
                    reasons=post.get("reasons", ""),
                    effective_month=month,
                    exit_months=exit_months,
                )
                messages.success(
                    request,
                    _("复核意见已提出，等待县级审批人确认。")
                    if review.awaiting_confirmation
                    else _("复核已办结。"),
                )
            return redirect("review_detail", pk=pk)
        except (DomainError, ValueError) as exc:
            detail = getattr(exc, "detail", {"non_field_errors": [_("请检查输入。")]})
            for msgs in detail.values():
                for msg in msgs:
                    messages.error(request, msg)
    household = review.household
    unmasked = masking.record_read(
        user=request.user, object_type="household", object_ids=[household.pk], request=request
    )
    return render(
        request,
        "eligibility/review_detail.html",
        {
            "review": review,
            "household": household,
            "enrollments": household.enrollments.select_related("category").prefetch_related(
                "amounts"
            ),
            "outcomes": Review.Outcome.choices,
            "can_close": permissions.can_close_review(request.user, household.village),
            "can_confirm": permissions.can_confirm_review(request.user, household.village),
            "unmasked": unmasked,
            "this_month": timezone.localdate().strftime("%Y-%m"),
        },
    )


def _scoped_review_ids(user):
    from applicants.models import region_scope

    q = region_scope(user, path_field="household__village__path")
    qs = Review.objects.all()
    return (qs if q is None else qs.filter(q)).values("pk")


@login_required
def report_change(request, pk: int):
    """From the household file: a reported change opens a review."""
    _staff_only(request.user)
    from applicants.selectors import household_get

    try:
        household = household_get(user=request.user, pk=pk)
    except Exception as exc:  # noqa: BLE001 - any miss is a 404 (ids must not leak)
        raise Http404 from exc
    if request.method == "POST":
        try:
            review = review_report_change(
                household=household,
                by=request.user,
                kind=request.POST.get("kind", ""),
                description=request.POST.get("description", ""),
            )
            messages.success(request, _("已登记情况变化，复核已列入办件箱。"))
            return redirect("review_detail", pk=review.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("household_detail", pk=pk)


@login_required
def record_work_refusal(request, pk: int):
    """From the household file: a member refused suitable work (无正当理由拒绝就业)."""
    _staff_only(request.user)
    from applicants.selectors import household_get

    try:
        household = household_get(user=request.user, pk=pk)
        person = household.members.get(pk=int(request.POST.get("person", "0")))
    except Exception as exc:  # noqa: BLE001 - any miss is a 404 (ids must not leak)
        raise Http404 from exc
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("refused_on", ""))
            if len(request.POST.get("offer", "")) > 200:  # the column's length
                raise DomainError(_("介绍的工作最多填写200个字符。"))
            work_refusal_record(
                person=person, by=request.user, refused_on=day, offer=request.POST.get("offer", "")
            )
            messages.success(request, _("已登记拒绝就业。"))
        except ValueError:
            messages.error(request, _("请填写日期。"))
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("household_detail", pk=pk)


@login_required
def member_remove(request, pk: int):
    """From the household file: a member died or moved out (with date and reason)."""
    _staff_only(request.user)
    from applicants.selectors import household_get

    try:
        household = household_get(user=request.user, pk=pk)
        person = household.members.get(pk=int(request.POST.get("person", "0")))
    except Exception as exc:  # noqa: BLE001 - any miss is a 404 (ids must not leak)
        raise Http404 from exc
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("on", ""))
            review = members.member_remove(
                person=person,
                by=request.user,
                status=request.POST.get("status", ""),
                on=day,
                reason=request.POST.get("reason", "")[:200],
            )
            messages.success(request, _("成员变更已登记。"))
            if review is not None:
                return redirect("review_detail", pk=review.pk)
        except ValueError:
            messages.error(request, _("请填写日期。"))
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("household_detail", pk=pk)


def _choices(application, latest) -> list[dict]:
    """The results the approver may enroll, the default ones ticked, the best-paying marked."""
    if latest is None or application.state != ApplicationState.PUBLIC_NOTICE:
        return []
    rows = cases.enrollable_results(latest)
    default = set(cases.default_choice(application, latest))
    best = max((Decimal(r["monthly_amount"] or 0) for r in rows), default=Decimal(0))
    return [
        {
            "key": cases.result_key(r),
            "policy": r["policy"],
            "member": r["member"],
            "amount": r["monthly_amount"],
            "checked": cases.result_key(r) in default,
            "best": best > 0 and Decimal(r["monthly_amount"] or 0) == best,
        }
        for r in rows
    ]


def _temporary(application, latest) -> dict | None:
    """The 临时救助 range the caseworker sizes within, and whether this case may be paid first."""
    hardship = (application.data or {}).get("hardship") or {}
    if application.requested != "temporary" and not hardship:
        return None
    found = None
    if latest is not None:
        found = next(
            (r for r in latest.result["results"] if r["policy"] == "temporary" and r["eligible"]),
            None,
        )
    return {
        "result": found,
        "limit": temporary.township_limit(application.village),
        "can_advance": hardship.get("type") == "emergency"
        and application.state in temporary.ADVANCE_STATES,
    }


#: the case-page fields an error may name, so that the summary can link to them
FIELD_IDS = {
    "visited_on": "visited_on",
    "staff": "staff1",
    "findings": "findings",
    "signed": "signed",
    "summary": "summary",
    "financial_assets_found": "financial_assets_found",
    "houses_found": "houses_found",
    "vehicles_found": "vehicles_found",
    "missing_items": "missing_items",
    "opinion": "opinion",
    "reasons": "reasons",
    "text": "text",
    "temporary_amount": "temporary_amount",
    "signers": "signers",
}


def _error_summary(exc: DomainError) -> list[dict]:
    """Each error of a refused step, with the id of the field it is about (or none)."""
    rows = []
    for key, errors in exc.detail.items():
        for msg in errors if isinstance(errors, list) else [errors]:
            if isinstance(msg, str):
                rows.append({"field": FIELD_IDS.get(key, ""), "message": msg})
    return rows or [{"field": "", "message": exc.message}]


def _declared(application, *, unmasked: bool) -> list[tuple[str, str]]:
    """What the applicant declared (assets, 12 months of rigid costs, supporter, hardship,
    phone), as label → value rows for the case page: the caseworker retypes none of it."""
    data = application.data or {}
    rows: list[tuple[str, str]] = []
    assets = data.get("assets") or {}
    spent = data.get("rigid_expenditure_12m") or {}
    supporter = data.get("supporter") or {}
    hardship = data.get("hardship") or {}
    pairs = [
        (_("家庭金融资产（元）"), assets.get("financial")),
        (_("住房（套）"), assets.get("houses")),
        (_("机动车"), assets.get("vehicles")),
        (_("有登记的经营主体"), _("是") if assets.get("business_registered") else None),
        (_("近12个月自付医疗费用（元）"), spent.get("medical")),
        (_("近12个月教育费用（元）"), spent.get("education")),
        (_("近12个月康复费用（元）"), spent.get("rehabilitation")),
        (_("家庭外赡养人每月给付（元）"), supporter.get("monthly_payment")),
        (_("赡养人家庭人均月收入（元）"), supporter.get("household_per_capita_income")),
        (_("临时困难类型"), hardship.get("type")),
        (_("连续无收入月数"), hardship.get("months_without_income")),
        (_("住址"), data.get("address") if unmasked else None),
    ]
    for member in data.get("members") or []:
        if member.get("phone"):
            name, phone = member.get("name", ""), member["phone"]
            if not unmasked:
                name, phone = mask_name(name), mask_phone(phone)
            pairs.append((_("联系电话（%(name)s）") % {"name": name}, phone))
    for label, value in pairs:
        if value not in (None, "", "0", "0.00", 0):
            rows.append((label, str(value)))
    return rows
