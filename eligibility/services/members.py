"""Household members who die, move out or join (issue 8: member changes), with reason and date.

The person record is kept (history by pghistory) with its status; a death stops the deceased's
own enrollments from the month after death without waiting, and stops the household's when
nobody is left; otherwise the change opens the household's review, whose "reduce" then works.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import permissions
from applicants.errors import DomainError
from applicants.masking import mask_name
from applicants.models import Household, Person, User

from ..models import Enrollment, Review
from . import enrollments as ledger
from .reviews import review_open


class MemberError(DomainError):
    pass


def _living(household: Household):
    return household.members.filter(status=Person.Status.LIVING)


@transaction.atomic
def member_remove(
    *, person: Person, by: User, status: str, on: dt.date, reason: str
) -> Review | None:
    """Record that a member died or moved out on ``on``. Returns the review it opened."""
    person = (
        Person.objects.select_for_update().select_related("household__village").get(pk=person.pk)
    )
    household = person.household
    permissions.require(
        permissions.can_change_members(by, household.village),
        _("只有本镇街经办人可以变更家庭成员。"),
    )
    errors: dict[str, list[str]] = {}
    if status not in (Person.Status.DECEASED, Person.Status.MOVED_OUT):
        errors["status"] = [_("请选择死亡或迁出。")]
    if person.status != Person.Status.LIVING:
        errors["status"] = [_("该成员已不在家庭中。")]
    if on > timezone.localdate():
        errors["on"] = [_("日期不能晚于今天。")]
    if not reason.strip():
        errors["reason"] = [_("请写明变更原因。")]
    others = _living(household).exclude(pk=person.pk).count()
    if status == Person.Status.MOVED_OUT and others == 0:
        errors["status"] = [_("不能迁出家庭的最后一名成员。")]
    if errors:
        raise MemberError(next(iter(errors.values()))[0], errors)
    person.status, person.status_on, person.status_reason = status, on, reason.strip()
    person.save(update_fields=["status", "status_on", "status_reason"])
    active = ledger.household_enrollments_lock(household.pk)
    if status == Person.Status.DECEASED:
        # Payment stops from the month after death, at once (SPEC §6; issue 8).
        own = [e for e in active if e.person_id == person.pk]
        if others == 0:
            own = active
        ledger.enrollments_stop(enrollments=own, last_month=ledger.month_of(on))
        if others == 0 or len(own) == len(active):
            return None
    elif not active:
        return None
    kind = Review.Kind.DEATH if status == Person.Status.DECEASED else Review.Kind.CHANGE
    what = _("死亡") if status == Person.Status.DECEASED else _("迁出")
    return review_open(
        household=household,
        by=by,
        kind=kind,
        description=_("成员 %(name)s 于 %(d)s %(what)s：%(why)s")
        % {"name": mask_name(person.name), "d": on.isoformat(), "what": what, "why": reason},
    )


@transaction.atomic
def member_add(
    *, household: Household, by: User, data: Mapping[str, Any], on: dt.date, reason: str
) -> Person:
    """A new member joins the household (birth, marriage, moving in) from ``on``."""
    from applicants.services import _clean_member

    permissions.require(
        permissions.can_change_members(by, household.village),
        _("只有本镇街经办人可以变更家庭成员。"),
    )
    clean, errors = _clean_member(data, timezone.localdate())
    if on > timezone.localdate():
        errors["on"] = [_("日期不能晚于今天。")]
    if not reason.strip():
        errors["reason"] = [_("请写明变更原因。")]
    if clean.get("relation") == Person.Relation.APPLICANT:
        errors["relation"] = [_("家庭已有申请人。")]
    if not errors and Person.objects.filter(id_number=clean["id_number"]).exists():
        errors["id_number"] = [_("该身份证号码无法登记为本家庭成员，请核实。")]
    if errors:
        raise MemberError(next(iter(errors.values()))[0], errors)
    person = Person.objects.create(household=household, status_on=on, **clean)
    if household.enrollments.filter(status=Enrollment.Status.ACTIVE).exists():
        review_open(
            household=household,
            by=by,
            kind=Review.Kind.CHANGE,
            description=_("新增成员 %(name)s（%(d)s）：%(why)s")
            % {"name": mask_name(person.name), "d": on.isoformat(), "why": reason.strip()},
        )
    return person
