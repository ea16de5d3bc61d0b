"""The 幸福公益银行 points ledger (海贝分): the one writer of ``PointsAccount.balance``.

Every change takes the account's row lock first, writes one insert-only ``PointsEntry`` with
the balance after it, and updates the balance — so concurrent exchanges queue on the lock and
the second sees the first's balance. The CHECK (balance ≥ 0) on both tables is the last line:
whatever a caller does, the database never holds a negative balance.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from applicants import permissions

from ..models import (
    Benefit,
    Delivery,
    PointsAccount,
    PointsEntry,
    PointsRate,
    Project,
    ServiceKind,
    SocialOrganization,
)
from . import fail


def rate_in_force(*, event: str, on: dt.date, service_kind: ServiceKind | None = None) -> int:
    """Points per delivery of a kind (or per completed project) on a date: the latest rate
    effective on or before it; 0 when none is set."""
    rate = (
        PointsRate.objects.filter(event=event, service_kind=service_kind, effective_from__lte=on)
        .order_by("-effective_from")
        .values_list("points", flat=True)
        .first()
    )
    return rate or 0


def account_lock(organization: SocialOrganization) -> PointsAccount:
    """The organization's account, created on first use, locked for this transaction."""
    PointsAccount.objects.get_or_create(organization=organization)
    return PointsAccount.objects.select_for_update().get(organization=organization)


def _post(account: PointsAccount, *, points: int, by, **source) -> PointsEntry:
    account.balance += points
    if account.balance < 0:
        raise fail("benefit", _("海贝分余额不足。"))
    account.save(update_fields=["balance"])
    return PointsEntry.objects.create(
        account=account, points=points, balance_after=account.balance, created_by=by, **source
    )


def earn_for_delivery(*, delivery: Delivery, by) -> PointsEntry | None:
    """A delivery earns the rate of its kind on its day, once (the entry is unique per
    delivery). Called by ``delivery_record`` in its transaction."""
    points = rate_in_force(
        event=PointsRate.Event.DELIVERY,
        on=delivery.delivered_on,
        service_kind=delivery.service_kind,
    )
    if points <= 0:
        return None
    account = account_lock(delivery.organization)
    return _post(account, points=points, by=by, kind=PointsEntry.Kind.DELIVERY, delivery=delivery)


def earn_for_project(*, project: Project, by, on: dt.date) -> PointsEntry | None:
    """A completed project earns the project rate once (unique per project)."""
    points = rate_in_force(event=PointsRate.Event.PROJECT, on=on)
    if points <= 0 or PointsEntry.objects.filter(project=project, kind="project").exists():
        return None
    account = account_lock(project.organization)
    return _post(account, points=points, by=by, kind=PointsEntry.Kind.PROJECT, project=project)


@transaction.atomic
def points_exchange(*, organization: SocialOrganization, benefit: Benefit, by) -> PointsEntry:
    """Exchange 海贝分 for a listed benefit (兑换). Locks the account, then the benefit (always
    in that order), and refuses an exchange the balance or the stock cannot cover."""
    permissions.require(
        permissions.can_work_for_organization(by, organization.pk),
        _("只有本组织的账号可以兑换海贝分。"),
    )
    account = account_lock(organization)
    benefit = Benefit.objects.select_for_update().get(pk=benefit.pk)
    if not benefit.is_active:
        raise fail("benefit", _("该项目已停止兑换。"))
    if benefit.stock is not None and benefit.stock < 1:
        raise fail("benefit", _("该项目已兑完。"))
    if account.balance < benefit.points:
        raise fail(
            "benefit",
            _("海贝分余额不足：需要 %(need)d 分，现有 %(have)d 分。")
            % {"need": benefit.points, "have": account.balance},
        )
    if benefit.stock is not None:
        benefit.stock -= 1
        benefit.save(update_fields=["stock"])
    return _post(
        account, points=-benefit.points, by=by, kind=PointsEntry.Kind.EXCHANGE, benefit=benefit
    )
