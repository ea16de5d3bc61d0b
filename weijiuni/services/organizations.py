"""Social forces (社会力量参与救助): an organization publishes a project, the township records a
household's need with its consent, the organization takes a need its project fits (by area
and service kind, within its capacity), records each service given (春风万家), and earns
海贝分 for it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import permissions
from applicants.models import Household, Person, Region

from ..models import Delivery, Need, Project, ServiceKind, SocialOrganization
from . import clean_text, fail, points

MAX_FUNDING = Decimal("9999999999.99")


def _org_member(by, organization_id: int) -> None:
    permissions.require(
        permissions.can_work_for_organization(by, organization_id),
        _("只有本组织的账号可以办理此事项。"),
    )


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise fail(field, _("请填写金额（元）。")) from exc
    if not amount.is_finite() or amount < 0 or amount > MAX_FUNDING:
        raise fail(field, _("金额须在 0 至 9999999999.99 元之间。"))
    if amount != amount.quantize(Decimal("0.01")):
        raise fail(field, _("金额最多两位小数。"))
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def project_publish(
    *,
    organization: SocialOrganization,
    by,
    name: str,
    funding,
    capacity: int,
    area: Region,
    service_kinds: list[ServiceKind],
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    description: str = "",
) -> Project:
    """Publish a project (发布救助项目): funding in yuan, how many people it can serve, the
    region it serves and the kinds of service it gives."""
    _org_member(by, organization.pk)
    if not organization.is_active:
        raise fail("non_field_errors", _("本组织已暂停活动，不能发布项目。"))
    name = clean_text(name, field="name", max_length=80)
    description = clean_text(description, field="description", max_length=500, required=False)
    amount = _money(funding, "funding")
    if not isinstance(capacity, int) or not 1 <= capacity <= 100000:
        raise fail("capacity", _("可服务人数须在 1 至 100000 之间。"))
    if not service_kinds:
        raise fail("service_kinds", _("请至少选择一项服务内容。"))
    if ends_on is not None and ends_on < starts_on:
        raise fail("ends_on", _("结束日期不能早于开始日期。"))
    project = Project.objects.create(
        organization=organization,
        name=name,
        description=description,
        funding=amount,
        capacity=capacity,
        area=area,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=by,
    )
    project.service_kinds.set(service_kinds)
    return project


@transaction.atomic
def project_complete(*, project: Project, by) -> Project:
    """Mark a project completed (项目完成): it takes no more needs, and earns the project's
    海贝分 once."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _org_member(by, project.organization_id)
    if project.status != Project.Status.OPEN:
        raise fail("non_field_errors", _("该项目已完成。"))
    project.status = Project.Status.COMPLETED
    project.save(update_fields=["status"])
    points.earn_for_project(project=project, by=by, on=timezone.localdate())
    return project


@transaction.atomic
def need_record(
    *,
    household: Household,
    person: Person,
    service_kind: ServiceKind,
    by,
    consent: bool,
    consent_channel: str,
    detail: str = "",
    enrollment=None,
) -> Need:
    """Record a need for a service (登记救助需求) with the household's consent to pass it to
    a social organization — without consent nothing is recorded. A need on an enrollment is
    the service the enrollment carries (物质+服务)."""
    permissions.require(
        permissions.can_record_need(by, household.village),
        _("只有本村居协理员或本镇街经办人可以登记需求。"),
    )
    if not consent:
        raise fail("consent", _("须经本人（或监护人）同意后方可推送给社会组织。"))
    if consent_channel not in Need.ConsentChannel.values:
        raise fail("consent_channel", _("请选择同意方式。"))
    if person.household_id != household.pk or person.status != Person.Status.LIVING:
        raise fail("person", _("服务对象须为本户在册成员。"))
    if enrollment is not None and (
        enrollment.household_id != household.pk or enrollment.status != "active"
    ):
        raise fail("enrollment", _("只能随本户在保的保障对象提供服务。"))
    detail = clean_text(detail, field="detail", max_length=500, required=False)
    try:
        with transaction.atomic():
            return Need.objects.create(
                household=household,
                person=person,
                service_kind=service_kind,
                detail=detail,
                enrollment=enrollment,
                consent_at=timezone.now(),
                consent_channel=consent_channel,
                created_by=by,
            )
    except IntegrityError as exc:
        raise fail("service_kind", _("该成员已有同类需求在对接中。")) from exc


def fits(project: Project, need: Need) -> bool:
    """Whether a project can take a need: its area holds the household's village and it
    gives that kind of service."""
    village_path = need.household.village.path
    return village_path.startswith(project.area.path) and any(
        k.pk == need.service_kind_id for k in project.service_kinds.all()
    )


@transaction.atomic
def need_take(*, need: Need, project: Project, by) -> Need:
    """The organization takes a matched need (认领需求) into a project. The project row is
    locked first, so two needs taken at once never exceed its capacity."""
    project = Project.objects.select_for_update().select_related("area").get(pk=project.pk)
    _org_member(by, project.organization_id)
    need = Need.objects.select_for_update().select_related("household__village").get(pk=need.pk)
    if project.status != Project.Status.OPEN:
        raise fail("project", _("该项目已完成，不能再对接需求。"))
    if need.status != Need.Status.OPEN:
        raise fail("non_field_errors", _("该需求已被对接或已撤销。"))
    if not fits(project, need):
        raise fail("project", _("该项目的服务区域或服务内容与需求不符。"))
    taken = Need.objects.filter(project=project, status__in=["matched", "closed"]).count()
    if taken >= project.capacity:
        raise fail("project", _("该项目已达可服务人数上限（%(n)d 人）。") % {"n": project.capacity})
    need.status, need.project, need.matched_at = Need.Status.MATCHED, project, timezone.now()
    need.save(update_fields=["status", "project", "matched_at"])
    return need


@transaction.atomic
def need_close(*, need: Need, by) -> Need:
    """The organization closes a need it has served (服务办结)."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    _org_member(by, need.project.organization_id if need.project_id else None)
    if need.status != Need.Status.MATCHED:
        raise fail("non_field_errors", _("只有已对接的需求可以办结。"))
    need.status, need.closed_at = Need.Status.CLOSED, timezone.now()
    need.save(update_fields=["status", "closed_at"])
    return need


@transaction.atomic
def need_cancel(*, need: Need, by) -> Need:
    """The household withdraws its consent, or the need is gone: the township cancels it."""
    need = Need.objects.select_for_update().select_related("household__village").get(pk=need.pk)
    permissions.require(
        permissions.can_record_need(by, need.household.village),
        _("只有本村居协理员或本镇街经办人可以撤销需求。"),
    )
    if need.status not in (Need.Status.OPEN, Need.Status.MATCHED):
        raise fail("non_field_errors", _("该需求已办结或已撤销。"))
    need.status, need.closed_at = Need.Status.CANCELLED, timezone.now()
    need.save(update_fields=["status", "closed_at"])
    return need


@transaction.atomic
def delivery_record(
    *, need: Need, by, delivered_on: dt.date, note: str = "", service_kind=None
) -> Delivery:
    """Record a service given to the person of a need the organization took (春风万家助餐、
    助洁、助医): of the need's kind, once per person, kind and day whatever the project (the
    unique constraint decides between two recorded at once); it earns the kind's 海贝分 in
    the same transaction."""
    need = Need.objects.select_related("project__organization", "service_kind").get(pk=need.pk)
    _org_member(by, need.project.organization_id if need.project_id else None)
    if need.status != Need.Status.MATCHED:
        raise fail("need", _("只能为已对接、未办结的需求记录服务。"))
    kind = service_kind or need.service_kind
    if kind.pk != need.service_kind_id:
        raise fail(
            "service_kind",
            _("服务类别须与需求类别（%(kind)s）一致。") % {"kind": need.service_kind.name},
        )
    if not need.project.service_kinds.filter(pk=kind.pk).exists():
        raise fail("service_kind", _("该项目不提供此类服务。"))
    today = timezone.localdate()
    if delivered_on > today:
        raise fail("delivered_on", _("服务日期不能晚于今天。"))
    if delivered_on < need.project.starts_on or delivered_on < timezone.localdate(need.created_at):
        raise fail("delivered_on", _("服务日期不能早于项目开始或需求登记日期。"))
    note = clean_text(note, field="note", max_length=200, required=False)
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                project=need.project,
                organization=need.project.organization,
                need=need,
                person_id=need.person_id,
                service_kind=kind,
                delivered_on=delivered_on,
                note=note,
                recorded_by=by,
            )
    except IntegrityError as exc:
        raise fail("delivered_on", _("该服务对象当日的此项服务已记录。")) from exc
    points.earn_for_delivery(delivery=delivery, by=by)
    return delivery
