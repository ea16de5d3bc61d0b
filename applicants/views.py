"""Pages: household list, household file, household registration, the citizen's own file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import masking, permissions, selectors, services
from .errors import HouseholdError
from .forms import HouseholdForm, MemberFormSet
from .models import Application, Household, Role
from .paging import BoundedPaginator


def _log_read(request, households) -> bool:
    """Log the read of these households (masked or not); True if the reader sees them unmasked."""
    return masking.record_read(
        user=request.user,
        object_type="household",
        object_ids=[h.pk for h in households],
        request=request,
    )


@login_required
def household_list(request):
    qs = selectors.household_list(user=request.user, filters=request.GET)
    page = BoundedPaginator(qs, 25).get_page(request.GET.get("page"))
    unmasked = _log_read(request, page.object_list)
    return render(
        request,
        "applicants/household_list.html",
        {
            "page": page,
            "unmasked": unmasked,
            "q": request.GET.get("q", ""),
            "can_register": permissions.can_register_households(request.user),
        },
    )


@login_required
def household_detail(request, pk: int):
    try:
        household = selectors.household_get(user=request.user, pk=pk)
    except Household.DoesNotExist as exc:
        raise Http404 from exc
    unmasked = _log_read(request, [household])
    if unmasked:  # the verification summaries shown below are reads of their reports (issue 10)
        shown = list(
            household.verification_requests.filter(report__isnull=False)
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)[:3]
        )
        if shown:
            masking.record_read(
                user=request.user,
                object_type="verification_request",
                object_ids=shown,
                request=request,
                fields="verification_report",
            )
    # Enrollment history (issue 5): every amount with its period and reason.
    enrollments = household.enrollments.select_related("category", "person").prefetch_related(
        "amounts"
    )
    return render(
        request,
        "applicants/household_detail.html",
        {
            "household": household,
            "unmasked": unmasked,
            "enrollments": enrollments,
            "applications": household.applications.order_by("-id"),
            # 政策找人 (issue 12): every policy the household was referred to, in every
            # department, with what each gave; and the services it needs (物质+服务)
            "referrals": household.referrals.select_related(
                "policy", "department", "person", "category"
            )
            .prefetch_related("benefits")
            .order_by("department__code", "policy__code", "-created_at"),
            "needs": household.needs.select_related(
                "person", "service_kind", "project__organization"
            ).order_by("-created_at"),
            "can_record_need": permissions.can_record_need(request.user, household.village),
            "can_report_change": permissions.can_report_change(request.user, household.village),
            "can_change_members": permissions.can_change_members(request.user, household.village),
            "can_record_work_refusal": permissions.can_record_work_refusal(
                request.user, household.village
            ),
            # 追缴与骗取认定 (payments' page): the township after a review, the county for fraud
            "can_recover": permissions.can_close_review(request.user, household.village)
            or permissions.can_decide_case(request.user, household.village),
        },
    )


@login_required
def my_household(request):
    if request.user.role != Role.CITIZEN or request.user.is_superuser:
        # the applicant's own page: staff have no household of their own here, and their scope's
        # "first household" and every application of their scope are not theirs (an
        # administrator's /my/ rendered every application of the city)
        return redirect("home")
    household = selectors.household_list(user=request.user).first()
    unmasked = _log_read(request, [household]) if household else False
    return render(
        request,
        "applicants/my_household.html",
        {
            "household": household,
            "unmasked": unmasked,
            "applications": Application.objects.for_user(request.user).order_by("-id"),
            "notifications": request.user.notifications.all()[:10],
            "has_selfcheck": bool(request.session.get("selfcheck")),
        },
    )


@login_required
def household_register(request):
    if not permissions.can_register_households(request.user):
        raise Http404
    villages = selectors.villages_for_user(user=request.user)
    form = HouseholdForm(request.POST or None, villages=villages)
    size = request.GET.get("n", "1")
    size = min(max(int(size), 1), 12) if size.isascii() and size.isdigit() else 1
    formset = MemberFormSet(request.POST or None, prefix="m", initial=[{}] * size)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        members = [f.cleaned_data for f in formset.forms if f.cleaned_data]
        try:
            household = services.household_register(
                village=form.cleaned_data["village"],
                address=form.cleaned_data["address"],
                members=members,
                by=request.user,
            )
        except HouseholdError as exc:
            _attach_errors(form, formset, exc)
        else:
            messages.success(request, _("家庭已登记。"))
            return redirect("household_detail", pk=household.pk)
    return render(
        request,
        "applicants/household_register.html",
        {"form": form, "formset": formset, "sizes": range(1, 9)},
    )


def _attach_errors(form, formset, exc: HouseholdError) -> None:
    """Show a service's field errors next to the fields the person typed them into."""
    detail = exc.detail
    for key, value in detail.items():
        if key == "members" and value and isinstance(value[0], dict):
            forms = [f for f in formset.forms if f.cleaned_data]
            for member_form, errors in zip(forms, value, strict=False):
                for field, field_errors in errors.items():
                    for error in field_errors:
                        member_form.add_error(field, error)
        elif key == "village":
            for error in value:
                form.add_error("village", error)
        else:
            for error in value if isinstance(value, list) else [value]:
                form.add_error(None, error)
