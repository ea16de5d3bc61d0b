"""The hub's pages (SPEC §10): the department officer's referral inbox, the social
organization's work page, the 12349 line (citizen online, staff), the public catalog of
departments' resources, and a household's needs recorded by the township.

Views parse and respond; services decide. Every form answers a bad input with a Chinese
message and keeps nothing half-done; persons are shown masked or not as
``applicants.masking`` decides, and every read of them is logged.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import masking, permissions
from applicants.errors import DomainError
from applicants.models import Household, Person, Region, Role
from eligibility import selectors as eligibility_selectors
from eligibility.models import Department, Enrollment, Referral
from eligibility.services import referrals as referral_service

from . import selectors
from .models import (
    Benefit,
    InformationResource,
    Need,
    Project,
    ServiceKind,
    ServiceRequest,
    ServiceWindow,
    SocialOrganization,
    StaffMember,
)
from .services import hotline, organizations, points

BIG = 2**63


def _int(value) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < BIG else 0


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def _amount(value) -> Decimal | None | bool:
    """A yuan amount from a form: ``None`` when blank, ``False`` when not a number."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return False
    if not amount.is_finite() or abs(amount) >= Decimal("10000000000"):
        return False
    return amount


def _page(request, qs, per_page: int = 20):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


# --- the department officer (部门工作台) ------------------------------------------------


def _referral_rows(request, referrals) -> list[dict]:
    """Each referral with the household as the reader may see it (masked for a department),
    the read logged."""
    unmasked = masking.record_read(
        user=request.user,
        object_type="household",
        object_ids=sorted({r.household_id for r in referrals}),
        request=request,
    )
    ids = {r.household_id for r in referrals}
    applicants = {
        p.household_id: p
        for p in Person.objects.filter(household_id__in=ids, relation="applicant").order_by("-id")
    }
    sizes = dict(
        Household.objects.filter(pk__in=ids)
        .annotate(n=Count("members", filter=Q(members__status="living")))
        .values_list("pk", "n")
    )
    rows = []
    for r in referrals:
        applicant = applicants.get(r.household_id)
        rows.append(
            {
                "referral": r,
                "applicant": masking.person_fields(
                    {"name": applicant.name if applicant else ""}, unmasked=unmasked
                )["name"],
                "person": masking.person_fields({"name": r.person.name}, unmasked=unmasked)["name"]
                if r.person
                else "",
                "place": masking.place(r.household.village, unmasked=unmasked),
                "size": sizes.get(r.household_id, 0),
                "may_answer": permissions.can_answer_referral(request.user, r),
            }
        )
    return rows


@login_required
def department_home(request):
    """部门工作台: the referral inbox (政策找人) — accept, decline with a reason, record the
    benefit given — then the department's policies and the resources it shares."""
    user = request.user
    if not permissions.can_read_referrals(user):
        raise Http404
    department = Department.objects.filter(code=user.department_code).first()
    if request.method == "POST":
        _referral_action(request)
        return redirect(request.get_full_path())
    status = request.GET.get("status", "pending")
    if status not in Referral.Status.values and status != "all":
        status = "pending"
    referrals = eligibility_selectors.referral_list(
        user=user, filters={"status": "" if status == "all" else status}
    )
    counts = dict(
        eligibility_selectors.referral_list(user=user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    page = _page(request, referrals)
    policies = eligibility_selectors.policy_list(active_only=False)
    resources = InformationResource.objects.select_related("department").prefetch_related(
        "shared_with"
    )
    if not user.is_admin_role:
        policies = policies.filter(department=department)
        resources = resources.filter(department=department)
    received = (
        InformationResource.objects.filter(shared_with=department).select_related("department")
        if department
        else InformationResource.objects.none()
    )
    return render(
        request,
        "weijiuni/department_home.html",
        {
            "department": department,
            "rows": _referral_rows(request, list(page)),
            "page": page,
            "status": status,
            "statuses": Referral.Status.choices,
            "counts": counts,
            "policies": policies,
            "resources": resources,
            "received": received.order_by("department__code", "code")[:50],
            "today": timezone.localdate(),
        },
    )


def _referral_action(request) -> None:
    referral = (
        eligibility_selectors.referral_list(user=request.user)
        .filter(pk=_int(request.POST.get("referral")))
        .first()
    )
    if referral is None:
        messages.error(request, _("转介不存在或不在您的办理范围内。"))
        return
    action = request.POST.get("action")
    try:
        if action == "accept":
            referral_service.referral_accept(referral=referral, by=request.user)
            messages.success(request, _("已接收转介，请在落实后登记待遇。"))
        elif action == "decline":
            referral_service.referral_decline(
                referral=referral, by=request.user, reason=request.POST.get("reason", "")[:2000]
            )
            messages.success(request, _("已不予受理，理由已告知镇街。"))
        elif action == "benefit":
            given_on = _date(request.POST.get("given_on"))
            amount = _amount(request.POST.get("amount"))
            if given_on is None:
                messages.error(request, _("请填写正确的落实日期。"))
                return
            if amount is False:
                messages.error(request, _("金额请填写数字（元），可留空。"))
                return
            referral_service.referral_benefit_record(
                referral=referral,
                by=request.user,
                given_on=given_on,
                description=request.POST.get("description", "")[:2000],
                amount=amount,
            )
            messages.success(request, _("已登记落实的待遇。"))
        else:
            messages.error(request, _("未知的操作。"))
    except DomainError as exc:
        messages.error(request, exc.message)


# --- the social organization (社会组织工作台) ---------------------------------------------


@login_required
def organization_home(request):
    """社会组织工作台: the needs its projects took (record each service given), open needs
    its projects fit (take one), its projects (publish one), the 12349 requests assigned to
    it, and its 海贝分 ledger (exchange for a listed benefit)."""
    user = request.user
    if not (user.is_admin_role or user.role == Role.ORGANIZATION):
        raise Http404
    org = selectors.organization_of(user)
    if user.is_admin_role:
        org = SocialOrganization.objects.filter(pk=_int(request.GET.get("org"))).first() or (
            SocialOrganization.objects.order_by("name").first()
        )
    if org is None:
        return render(request, "weijiuni/organization_home.html", {"org": None})
    if request.method == "POST":
        _organization_action(request, org)
        return redirect(request.get_full_path())
    needs = list(
        Need.objects.filter(project__organization=org, status=Need.Status.MATCHED)
        .select_related("household__village__parent", "person", "service_kind", "project")
        .order_by("-matched_at")
    )
    open_needs = list(
        Need.objects.filter(pk__in=selectors.matching_need_ids(org))
        .select_related("household__village__parent", "person", "service_kind")
        .order_by("created_at")[:50]
    )
    deliveries = list(
        selectors.delivery_list(user=user)
        .filter(organization=org)
        .select_related("points_entry")[:30]
    )
    person_ids = [n.person_id for n in needs + open_needs] + [d.person_id for d in deliveries]
    unmasked = masking.record_read(
        user=user, object_type="person", object_ids=sorted(set(person_ids)), request=request
    )

    def shown(person):
        return masking.person_fields({"name": person.name}, unmasked=unmasked)["name"]

    requests = list(
        ServiceRequest.objects.filter(provider=org)
        .select_related("window", "service_kind", "region__parent")
        .order_by("status", "-created_at")[:30]
    )
    masking.record_read(
        user=user,
        object_type="service_request",
        object_ids=[r.pk for r in requests],
        request=request,
    )
    projects = list(
        Project.objects.filter(organization=org)
        .select_related("area")
        .prefetch_related("service_kinds")
        .annotate(taken=Count("needs", filter=Q(needs__status__in=["matched", "closed"])))
        .order_by("status", "-created_at")
    )
    return render(
        request,
        "weijiuni/organization_home.html",
        {
            "org": org,
            "standing": selectors.organization_standing(org),
            "needs": [
                {
                    "need": n,
                    "name": shown(n.person),
                    "place": masking.place(n.household.village, unmasked=unmasked),
                    "detail": masking.for_provider(n.detail, unmasked=unmasked, provider=True),
                }
                for n in needs
            ],
            "open_needs": [
                {
                    "need": n,
                    "name": shown(n.person),
                    "place": masking.place(n.household.village, unmasked=unmasked),
                    "projects": selectors.projects_fitting(n, org, among=projects),
                }
                for n in open_needs
            ],
            "deliveries": [{"d": d, "name": shown(d.person)} for d in deliveries],
            "requests": [
                {
                    "r": r,
                    "name": masking.person_fields({"name": r.caller_name}, unmasked=unmasked)[
                        "name"
                    ],
                    "phone": masking.person_fields({"phone": r.caller_phone}, unmasked=unmasked)[
                        "phone"
                    ],
                    "place": masking.place(r.region, unmasked=unmasked),
                    "text": masking.for_provider(r.description, unmasked=unmasked, provider=True),
                }
                for r in requests
            ],
            "projects": projects,
            "ledger": selectors.points_entry_list(user=user).filter(account__organization=org)[:30],
            "benefits": Benefit.objects.filter(is_active=True).order_by("points"),
            "kinds": ServiceKind.objects.order_by("order"),
            "areas": Region.objects.exclude(level=Region.Level.VILLAGE).order_by("path"),
            "today": timezone.localdate(),
            "admin_org_query": f"?org={org.pk}" if user.is_admin_role else "",
        },
    )


def _organization_action(request, org: SocialOrganization) -> None:
    action = request.POST.get("action")
    post = request.POST
    try:
        if action == "take":
            need = Need.objects.filter(pk=_int(post.get("need"))).first()
            project = Project.objects.filter(organization=org, pk=_int(post.get("project"))).first()
            if need is None or project is None:
                messages.error(request, _("请选择需求和承接的项目。"))
                return
            organizations.need_take(need=need, project=project, by=request.user)
            messages.success(request, _("已认领需求，请按约定上门服务并记录。"))
        elif action == "deliver":
            need = Need.objects.filter(pk=_int(post.get("need")), project__organization=org).first()
            delivered_on = _date(post.get("delivered_on"))
            if need is None:
                messages.error(request, _("需求不存在。"))
                return
            if delivered_on is None:
                messages.error(request, _("请填写正确的服务日期。"))
                return
            delivery = organizations.delivery_record(
                need=need,
                by=request.user,
                delivered_on=delivered_on,
                note=post.get("note", "")[:2000],
            )
            entry = getattr(delivery, "points_entry", None)
            messages.success(
                request,
                _("已记录服务，获得海贝分 %(n)d 分。") % {"n": entry.points if entry else 0},
            )
        elif action == "close":
            need = Need.objects.filter(pk=_int(post.get("need")), project__organization=org).first()
            if need is None:
                messages.error(request, _("需求不存在。"))
                return
            organizations.need_close(need=need, by=request.user)
            messages.success(request, _("需求已办结。"))
        elif action == "publish":
            _publish(request, org)
        elif action == "complete_project":
            project = Project.objects.filter(organization=org, pk=_int(post.get("project"))).first()
            if project is None:
                messages.error(request, _("项目不存在。"))
                return
            organizations.project_complete(project=project, by=request.user)
            messages.success(request, _("项目已完成，项目积分已入账。"))
        elif action == "exchange":
            benefit = Benefit.objects.filter(pk=_int(post.get("benefit"))).first()
            if benefit is None:
                messages.error(request, _("请选择兑换项目。"))
                return
            entry = points.points_exchange(organization=org, benefit=benefit, by=request.user)
            messages.success(
                request,
                _("已兑换“%(b)s”，余额 %(n)d 分。") % {"b": benefit.name, "n": entry.balance_after},
            )
        elif action == "complete_request":
            req = ServiceRequest.objects.filter(provider=org, pk=_int(post.get("request"))).first()
            if req is None:
                messages.error(request, _("诉求不存在。"))
                return
            hotline.request_complete(request=req, by=request.user, note=post.get("note", "")[:2000])
            messages.success(request, _("诉求已办结。"))
        else:
            messages.error(request, _("未知的操作。"))
    except DomainError as exc:
        messages.error(request, exc.message)


def _publish(request, org: SocialOrganization) -> None:
    post = request.POST
    errors = []
    area = Region.objects.filter(code=post.get("area", "")[:12]).exclude(level="village").first()
    kinds = list(ServiceKind.objects.filter(code__in=[k[:40] for k in post.getlist("kinds")[:20]]))
    starts_on = _date(post.get("starts_on"))
    ends_on = _date(post.get("ends_on")) if post.get("ends_on") else None
    funding = _amount(post.get("funding"))
    capacity = _int(post.get("capacity"))
    if area is None:
        errors.append(_("请选择服务区域。"))
    if starts_on is None:
        errors.append(_("请填写正确的开始日期。"))
    if post.get("ends_on") and ends_on is None:
        errors.append(_("请填写正确的结束日期。"))
    if funding is None or funding is False:
        errors.append(_("请填写项目资金（元）。"))
    if not capacity:
        errors.append(_("请填写可服务人数（正整数）。"))
    if errors:
        for e in errors:
            messages.error(request, e)
        return
    organizations.project_publish(
        organization=org,
        by=request.user,
        name=post.get("name", "")[:2000],
        description=post.get("description", "")[:2000],
        funding=funding,
        capacity=capacity,
        area=area,
        service_kinds=kinds,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    messages.success(request, _("项目已发布，符合区域和服务内容的需求会出现在“可认领的需求”中。"))


# --- 12349 ----------------------------------------------------------------------------------


@login_required
def hotline_page(request):
    """12349: a citizen files a request online and rates it when done; the line's staff
    enter calls, assign them to a provider, record completion and the callback rating; the
    supervisor reads. An organization sees its assigned requests on its own page."""
    user = request.user
    is_citizen = user.role == Role.CITIZEN and not user.is_admin_role
    is_staff = permissions.can_take_hotline_calls(user)
    if not (is_citizen or is_staff or user.role in (Role.SUPERVISOR, Role.VILLAGE_ASSISTANT)):
        raise Http404
    if request.method == "POST":
        _hotline_action(request, is_citizen=is_citizen)
        return redirect(request.get_full_path())
    status = request.GET.get("status", "")
    if status not in ServiceRequest.Status.values:
        status = ""
    qs = selectors.service_request_list(user=user, filters={"status": status})
    page = _page(request, qs)
    unmasked = masking.record_read(
        user=user, object_type="service_request", object_ids=[r.pk for r in page], request=request
    )
    rows = [
        {
            "r": r,
            "name": masking.person_fields({"name": r.caller_name}, unmasked=unmasked)["name"],
            "phone": masking.person_fields({"phone": r.caller_phone}, unmasked=unmasked)["phone"],
            "place": masking.place(r.region, unmasked=unmasked),
            "text": masking.for_provider(r.description, unmasked=unmasked, provider=False),
            "may_rate": r.status == "completed"
            and r.rating is None
            and (
                r.requested_by_id == user.pk
                or (r.channel == "phone" and permissions.can_take_hotline_calls(user, r.region))
            ),
            "may_work": permissions.can_take_hotline_calls(user, r.region),
        }
        for r in page
    ]
    villages = Region.objects.none()
    if is_staff:
        villages = Region.objects.filter(level=Region.Level.VILLAGE).select_related("parent")
        if not user.is_admin_role:
            villages = villages.filter(path__startswith=user.region.path)
    return render(
        request,
        "weijiuni/hotline.html",
        {
            "rows": rows,
            "page": page,
            "status": status,
            "statuses": ServiceRequest.Status.choices,
            "is_citizen": is_citizen,
            "is_staff": is_staff,
            "windows": ServiceWindow.objects.order_by("order"),
            "kinds": ServiceKind.objects.order_by("order"),
            "villages": villages.order_by("path"),
            "providers": SocialOrganization.objects.filter(is_active=True).order_by("name"),
            "has_household": Person.objects.filter(user=user).exists() if is_citizen else False,
        },
    )


def _hotline_action(request, *, is_citizen: bool) -> None:
    post = request.POST
    action = post.get("action")
    window = ServiceWindow.objects.filter(code=post.get("window", "")[:40]).first()
    kind = ServiceKind.objects.filter(code=post.get("service_kind", "")[:40]).first()
    try:
        if action == "online":
            if window is None:
                messages.error(request, _("请选择服务窗口。"))
                return
            hotline.request_online(
                by=request.user,
                window=window,
                description=post.get("description", "")[:5000],
                phone=post.get("phone", "")[:100],
                service_kind=kind,
            )
            messages.success(request, _("诉求已提交，12349将在时限内派单并与您联系。"))
            return
        if action == "phone":
            region = Region.objects.filter(
                code=post.get("region", "")[:12], level=Region.Level.VILLAGE
            ).first()
            if window is None or region is None:
                messages.error(request, _("请选择服务窗口和来电人所在村（社区）。"))
                return
            hotline.request_by_phone(
                by=request.user,
                window=window,
                region=region,
                caller_name=post.get("caller_name", "")[:500],
                caller_phone=post.get("caller_phone", "")[:100],
                description=post.get("description", "")[:5000],
                service_kind=kind,
            )
            messages.success(request, _("来电已登记。"))
            return
        req = (
            selectors.service_request_list(user=request.user)
            .filter(pk=_int(post.get("request")))
            .first()
        )
        if req is None:
            messages.error(request, _("诉求不存在或不在您的办理范围内。"))
            return
        if action == "assign":
            provider = SocialOrganization.objects.filter(pk=_int(post.get("provider"))).first()
            if provider is None:
                messages.error(request, _("请选择服务提供方。"))
                return
            hotline.request_assign(request=req, provider=provider, by=request.user)
            messages.success(request, _("已派单。"))
        elif action == "complete":
            hotline.request_complete(request=req, by=request.user, note=post.get("note", "")[:5000])
            messages.success(request, _("诉求已办结。"))
        elif action == "rate":
            rating = _int(post.get("rating"))
            if not 1 <= rating <= 5:
                messages.error(request, _("请选择 1 至 5 分。"))
                return
            hotline.request_rate(
                request=req, by=request.user, rating=rating, comment=post.get("comment", "")[:2000]
            )
            messages.success(request, _("感谢评价。"))
        else:
            messages.error(request, _("未知的操作。"))
    except DomainError as exc:
        messages.error(request, exc.message)


# --- the public catalog of departments' resources --------------------------------------------


def resource_catalog(request):
    """信息资源目录: the 17 departments and the resources each shares, with whom, how often
    (public, no login); searchable in Chinese."""
    q = request.GET.get("q", "")[:100]
    department = request.GET.get("department", "")[:40]
    resources = selectors.resource_list(query=q, department=department)
    departments = Department.objects.annotate(
        n=Count("resources", filter=Q(resources__is_public=True))
    ).order_by("code")
    return render(
        request,
        "weijiuni/resource_catalog.html",
        {
            "resources": resources,
            "departments": departments,
            "q": q,
            "department": department,
            "total": InformationResource.objects.filter(is_public=True).count(),
        },
    )


# --- a household's needs (the township records them, with consent) ---------------------------


@login_required
def household_needs(request, pk: int):
    """Record a need of a household member, with the household's consent (or cancel one):
    the township caseworker and the village assistant. A need may ride on an active
    enrollment — the service it carries (物质+服务)."""
    household = Household.objects.for_user(request.user).filter(pk=pk).first()
    if household is None or not permissions.can_record_need(request.user, household.village):
        raise Http404
    if request.method == "POST":
        _need_action(request, household)
        return redirect("household_needs", pk=household.pk)
    unmasked = masking.record_read(
        user=request.user, object_type="household", object_ids=[household.pk], request=request
    )
    members = household.members.filter(status="living").order_by("id")
    return render(
        request,
        "weijiuni/household_needs.html",
        {
            "household": household,
            "unmasked": unmasked,
            "members": members,
            "kinds": ServiceKind.objects.order_by("order"),
            "enrollments": household.enrollments.filter(status="active").select_related(
                "category", "person"
            ),
            "needs": household.needs.select_related(
                "person", "service_kind", "project__organization"
            ).order_by("-created_at"),
            "channels": Need.ConsentChannel.choices,
        },
    )


def _need_action(request, household: Household) -> None:
    post = request.POST
    try:
        if post.get("action") == "cancel":
            need = Need.objects.filter(household=household, pk=_int(post.get("need"))).first()
            if need is None:
                messages.error(request, _("需求不存在。"))
                return
            organizations.need_cancel(need=need, by=request.user)
            messages.success(request, _("需求已撤销。"))
            return
        person = household.members.filter(pk=_int(post.get("person"))).first()
        kind = ServiceKind.objects.filter(code=post.get("service_kind", "")[:40]).first()
        enrollment = None
        if post.get("enrollment"):
            enrollment = Enrollment.objects.filter(
                household=household, pk=_int(post.get("enrollment"))
            ).first()
            if enrollment is None:
                messages.error(request, _("保障对象不存在。"))
                return
        if person is None or kind is None:
            messages.error(request, _("请选择服务对象和需求类别。"))
            return
        organizations.need_record(
            household=household,
            person=person,
            service_kind=kind,
            by=request.user,
            consent=post.get("consent") == "1",
            consent_channel=post.get("consent_channel", "")[:20],
            detail=post.get("detail", "")[:2000],
            enrollment=enrollment,
        )
        messages.success(request, _("需求已登记，将推送给服务区域内的社会组织。"))
    except DomainError as exc:
        messages.error(request, exc.message)


# --- grassroots staff and training (基层经办人员与培训) -------------------------------------

STAFF_PAGE = 30
REGION_CODE = re.compile(r"^\d{6,12}$", re.ASCII)


@login_required
def staff_records(request):
    """基层经办人员与培训记录: township staff and village assistants in the reader's region,
    each with the training sessions attended and their hours; filter by region and post. The
    supervisor, county approvers and the administrator (``can_read_staff_records``); others
    are refused. A bad filter or page number is a message and a 400, never a 500."""
    user = request.user
    if not permissions.can_read_staff_records(user):
        raise PermissionDenied
    scope = (
        Region.objects.filter(parent__isnull=True).order_by("path").first()
        if user.is_admin_role
        else user.region
    )
    if scope is None:
        raise PermissionDenied
    errors: list[str] = []
    region = None
    code = (request.GET.get("region") or "").strip()
    if code:
        region = Region.objects.filter(code=code).first() if REGION_CODE.match(code) else None
        if region is None:
            errors.append(_("未知的区划代码：%(code)s。") % {"code": code[:40]})
        elif not region.path.startswith(scope.path):
            errors.append(_("该区划不在您的查看范围内。"))
            region = None
    kind = (request.GET.get("kind") or "").strip()
    if kind and kind not in StaffMember.Kind.values:
        errors.append(_("未知的岗位。"))
        kind = ""
    number = (request.GET.get("page") or "1").strip()
    if not (number.isascii() and number.isdigit() and 0 < int(number) < BIG):
        errors.append(_("页码须为正整数。"))
        number = "1"
    page, rows = None, []
    if not errors:
        qs = selectors.staff_list(user=user, region=region, kind=kind, with_sessions=True)
        page = Paginator(qs, STAFF_PAGE).get_page(number)
        rows = [
            {
                "staff": s,
                "phone": masking.mask_phone(s.user.phone) if s.user and s.user.phone else "",
                "sessions": s.session_list or [],
            }
            for s in page
        ]
    regions = (
        Region.objects.filter(path__startswith=scope.path)
        .exclude(level=Region.Level.VILLAGE)
        .order_by("path")
    )
    query = {k: v for k, v in (("region", region.code if region else ""), ("kind", kind)) if v}
    return render(
        request,
        "weijiuni/staff_records.html",
        {
            "rows": rows,
            "page": page,
            "errors": errors,
            "regions": regions,
            "region": region,
            "kind": kind,
            "kinds": StaffMember.Kind.choices,
            "query": urlencode(query),
        },
        status=400 if errors else 200,
    )
