"""The 12349 line (SPEC §10): a request by phone (entered by the civil-affairs staff who
answer the line) or online (the citizen), in a window; assigned to a provider within the
window's response time; completed by the provider; rated by the person who asked."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import permissions
from applicants.models import Household, Person, Region, Role

from ..models import ServiceKind, ServiceRequest, ServiceWindow, SocialOrganization
from . import clean_phone, clean_text, fail


def _due(window: ServiceWindow) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=window.response_hours)


@transaction.atomic
def request_by_phone(
    *,
    by,
    window: ServiceWindow,
    region: Region,
    caller_name: str,
    caller_phone: str,
    description: str,
    service_kind: ServiceKind | None = None,
    household: Household | None = None,
) -> ServiceRequest:
    """A call to 12349 entered by the staff who answered it."""
    if region.level != Region.Level.VILLAGE:
        raise fail("region", _("请选择来电人所在的村（社区）。"))
    permissions.require(
        permissions.can_take_hotline_calls(by, region), _("只有本辖区的接线人员可以登记来电。")
    )
    if household is not None and household.village_id != region.pk:
        raise fail("household", _("所选家庭不在该村（社区）。"))
    return ServiceRequest.objects.create(
        channel=ServiceRequest.Channel.PHONE,
        window=window,
        service_kind=service_kind,
        region=region,
        household=household,
        caller_name=clean_text(caller_name, field="caller_name", max_length=50),
        caller_phone=clean_phone(caller_phone),
        description=clean_text(description, field="description", max_length=1000),
        entered_by=by,
        due_at=_due(window),
    )


@transaction.atomic
def request_online(
    *,
    by,
    window: ServiceWindow,
    description: str,
    phone: str = "",
    service_kind: ServiceKind | None = None,
) -> ServiceRequest:
    """A citizen's own request, online: for their household, in its village."""
    if not (getattr(by, "is_authenticated", False) and by.role == Role.CITIZEN):
        permissions.require(False, _("网上诉求由申请人本人提交。"))
    person = Person.objects.filter(user=by).select_related("household__village").first()
    if person is None:
        raise fail("non_field_errors", _("您的账号尚未关联家庭，请拨打12349或到镇街窗口办理。"))
    return ServiceRequest.objects.create(
        channel=ServiceRequest.Channel.ONLINE,
        window=window,
        service_kind=service_kind,
        region=person.household.village,
        household=person.household,
        caller_name=person.name,
        caller_phone=clean_phone(phone or person.phone, field="phone"),
        description=clean_text(description, field="description", max_length=1000),
        requested_by=by,
        due_at=_due(window),
    )


def _locked(request: ServiceRequest) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("region")
        .get(pk=request.pk)
    )


@transaction.atomic
def request_assign(*, request: ServiceRequest, provider: SocialOrganization, by) -> ServiceRequest:
    """Assign (派单) a request to a provider; a request not yet completed may be reassigned."""
    request = _locked(request)
    permissions.require(
        permissions.can_take_hotline_calls(by, request.region), _("只有本辖区的接线人员可以派单。")
    )
    if request.status not in (ServiceRequest.Status.RECEIVED, ServiceRequest.Status.ASSIGNED):
        raise fail("non_field_errors", _("该诉求已办结或已撤销，不能派单。"))
    if not provider.is_active:
        raise fail("provider", _("该服务提供方已暂停活动。"))
    request.status = ServiceRequest.Status.ASSIGNED
    request.provider, request.assigned_by, request.assigned_at = provider, by, timezone.now()
    request.save(update_fields=["status", "provider", "assigned_by", "assigned_at"])
    return request


@transaction.atomic
def request_complete(*, request: ServiceRequest, by, note: str) -> ServiceRequest:
    """The provider (or the line's staff on its report) records the request done (办结)."""
    request = _locked(request)
    permissions.require(
        permissions.can_work_for_organization(by, request.provider_id)
        or permissions.can_take_hotline_calls(by, request.region),
        _("只有承办的服务提供方或接线人员可以办结。"),
    )
    if request.status != ServiceRequest.Status.ASSIGNED:
        raise fail("non_field_errors", _("只有已派单的诉求可以办结。"))
    request.completion_note = clean_text(note, field="note", max_length=500)
    request.status, request.completed_at = ServiceRequest.Status.COMPLETED, timezone.now()
    request.save(update_fields=["status", "completed_at", "completion_note"])
    return request


@transaction.atomic
def request_rate(*, request: ServiceRequest, by, rating: int, comment: str = "") -> ServiceRequest:
    """The satisfaction rating (满意度评价): the citizen for their online request, the line's
    staff for a phone request (the return call). Once."""
    request = _locked(request)
    own = request.requested_by_id is not None and request.requested_by_id == getattr(by, "pk", 0)
    permissions.require(
        own
        or (
            request.channel == ServiceRequest.Channel.PHONE
            and permissions.can_take_hotline_calls(by, request.region)
        ),
        _("只有诉求人本人（电话诉求由回访人员）可以评价。"),
    )
    if request.status != ServiceRequest.Status.COMPLETED:
        raise fail("non_field_errors", _("办结后方可评价。"))
    if request.rating is not None:
        raise fail("non_field_errors", _("该诉求已评价。"))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise fail("rating", _("满意度须为 1 至 5 分。"))
    request.rating = rating
    request.rating_comment = clean_text(comment, field="comment", max_length=300, required=False)
    request.rated_at = timezone.now()
    request.save(update_fields=["rating", "rating_comment", "rated_at"])
    return request
