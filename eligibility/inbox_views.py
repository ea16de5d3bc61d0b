"""The inbox per role (办件箱), its bulk steps and the Excel exports of every list (issue 13)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applicants import masking
from applicants.errors import DomainError
from applicants.models import ApplicationState, Role
from applicants.selectors import sees_personal_data, villages_for_user

from . import exports, selectors
from .labels import RESULT_LABELS
from .models import Category, Enrollment
from .services.bulk import cases_bulk_step
from .services.reviews import due_reviews

STAFF = {Role.CASEWORKER, Role.APPROVER, Role.VILLAGE_ASSISTANT, Role.SUPERVISOR, Role.ADMIN}


def _staff_only(user) -> None:
    if not (user.is_superuser or user.role in STAFF):
        raise Http404


def _policy_labels() -> dict[str, str]:
    return {code: str(label) for code, label in RESULT_LABELS.items()}


def _state_labels() -> dict[str, str]:
    return {code: str(label) for code, label in ApplicationState.choices}


def _case_sheet(unmasked: bool) -> exports.Sheet:
    return exports.case_sheet(
        unmasked=unmasked,
        today=timezone.localdate(),
        state_labels=_state_labels(),
        policy_labels=_policy_labels(),
    )


@login_required
def case_inbox(request):
    """办件箱: the cases of the user's scope with the applicant's name, filters, search, sort,
    50 a page; the county approver's default is the cases awaiting their decision."""
    _staff_only(request.user)
    user = request.user
    params = selectors.InboxParams.from_query(request.GET, user=user)
    page = selectors.case_inbox_page(user=user, params=params, page=request.GET.get("page"))
    unmasked = masking.record_read(
        user=user,
        object_type="application",
        object_ids=[a.pk for a in page.object_list],
        request=request,
        fields="name,id_number",
    )
    today = timezone.localdate()
    flagged = selectors.dishonesty_flagged(a.pk for a in page.object_list)
    # What each row shows is prepared here once (links, numbered labels), not by a template tag
    # per cell: 50 rows of tags were most of the page's time (issue 15)
    for a in page.object_list:
        a.dishonesty = a.pk in flagged
        limit = selectors.next_limit(due_on=a.due_on, case_due_on=a.case_due_on, state=a.state)
        a.days_left = (limit - today).days if limit else None
        a.days_over = -a.days_left if a.days_left is not None else None
        a.notice_ended = bool(a.notice_closes_on and a.notice_closes_on <= today)
        a.detail_url = reverse("case_detail", args=[a.pk])
        a.label = _("申请 %(n)s") % {"n": a.pk}
        a.select_label = _("选择案件 %(n)s") % {"n": a.pk}
    reviews = list(due_reviews(user=user)[:50])
    for r in reviews:
        r.detail_url = reverse("review_detail", args=[r.pk])
        r.label = _("复核 %(n)s") % {"n": r.pk}
    can_bulk = user.is_admin_role or user.role == Role.CASEWORKER
    return render(
        request,
        "eligibility/case_inbox.html",
        {
            "page": page,
            "params": params,
            "states": ApplicationState.choices,
            "categories": Category.objects.order_by("order").values_list("code", "name"),
            "villages": villages_for_user(user=user).order_by("path")[:500],
            "sorts": _sort_labels(),
            "today": today,
            "unmasked": unmasked,
            "can_bulk": can_bulk,
            "reviews": reviews,
            "export_query": request.GET.urlencode(),
            "id_tail_min": selectors.ID_TAIL_MIN,
        },
    )


def _sort_labels() -> list[tuple[str, str]]:
    return [
        ("due", _("按当前时限（超期在前）")),
        ("notice", _("按公示截止（已结束在前）")),
        ("case_due", _("按办结时限")),
        ("newest", _("最新申请在前")),
        ("oldest", _("最早申请在前")),
        ("village", _("按村居")),
        ("name", _("按申请人姓名")),
    ]


@login_required
@require_POST
def case_bulk(request):
    """批量受理 / 批量公示: each case its own transaction; refused cases listed with reasons."""
    _staff_only(request.user)
    if request.user.role == Role.SUPERVISOR:
        raise Http404
    ids = [i for i in request.POST.getlist("ids") if i.isascii() and i.isdigit() and len(i) < 12]
    try:
        outcome = cases_bulk_step(
            action=request.POST.get("action", ""),
            application_ids=ids,
            by=request.user,
            request=request,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if outcome.done:
            messages.success(
                request,
                _("已办理 %(n)d 件：%(ids)s。")
                % {"n": len(outcome.done), "ids": "、".join(f"#{pk}" for pk in outcome.done)},
            )
        for pk, reason in outcome.refused:
            messages.error(request, _("#%(pk)s 未办理：%(reason)s") % {"pk": pk, "reason": reason})
    # only the inbox's own filters come back (never a URL of the caller's choosing)
    params = selectors.InboxParams.from_query(
        QueryDict(request.POST.get("back", "")[:500]), user=request.user
    )
    return redirect(f"{reverse('case_inbox')}?{params.as_query()}")


# --- exports ------------------------------------------------------------------------------


@login_required
def export_cases(request):
    """The inbox as Excel: the same filters, scope and masking as the page."""
    _staff_only(request.user)
    user = request.user
    params = selectors.InboxParams.from_query(request.GET, user=user)
    unmasked = sees_personal_data(user)
    return exports.export_response(
        request=request,
        name="cases",
        sheet=_("办件箱"),
        object_type="application",
        layout=_case_sheet(unmasked),
        queryset=selectors.case_inbox_list(user=user, params=params),
        unmasked=unmasked,
    )


@login_required
def export_overdue(request):
    """The overdue list (慢作为) as Excel, for whoever may see that list."""
    user = request.user
    if not (user.is_admin_role or user.role in (Role.SUPERVISOR, Role.APPROVER)):
        raise Http404
    unmasked = sees_personal_data(user)
    qs = selectors.overdue_applications(user=user).annotate(
        applicant_name=selectors.applicant_field("name"),
        applicant_id_number=selectors.applicant_field("id_number"),
    )
    return exports.export_response(
        request=request,
        name="overdue",
        sheet=_("超期案件"),
        object_type="application",
        layout=_case_sheet(unmasked),
        queryset=qs,
        unmasked=unmasked,
    )


@login_required
def export_households(request):
    """家庭档案 as Excel, with the page's search."""
    user = request.user
    if user.role in (Role.CITIZEN, Role.DEPARTMENT, Role.ORGANIZATION) and not user.is_superuser:
        raise Http404
    unmasked = sees_personal_data(user)
    return exports.export_response(
        request=request,
        name="households",
        sheet=_("家庭档案"),
        object_type="household",
        layout=exports.household_sheet(unmasked=unmasked),
        queryset=selectors.household_export_list(user=user, q=request.GET.get("q", "")[:40]),
        unmasked=unmasked,
    )


@login_required
def export_enrollments(request):
    """在保名册 as Excel: the enrollments in scope (active ones unless ``?all=1``)."""
    _staff_only(request.user)
    user = request.user
    unmasked = sees_personal_data(user)
    return exports.export_response(
        request=request,
        name="enrollments",
        sheet=_("在保名册"),
        object_type="enrollment",
        layout=exports.enrollment_sheet(
            unmasked=unmasked,
            policy_labels=_policy_labels(),
            status_labels={c: str(label) for c, label in Enrollment.Status.choices},
        ),
        queryset=selectors.enrollment_list(user=user, active_only=request.GET.get("all") != "1"),
        unmasked=unmasked,
    )
