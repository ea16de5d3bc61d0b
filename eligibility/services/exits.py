"""Exits that end (issue 8): a gradual exit (渐退) stops after its last month, and the
household is told."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from applicants.models import Person
from applicants.notifications import notify

from . import enrollments as ledger


def household_notify(*, household_id: int, message: str) -> int:
    """An in-app message (and SMS after commit) to every member with an online account."""
    people = Person.objects.filter(household_id=household_id, user__isnull=False).select_related(
        "user"
    )
    for person in people:
        notify(user=person.user, message=message, phone=person.phone)
    return len(people)


@transaction.atomic
def exits_due(*, today: dt.date | None = None) -> int:
    """Stop the enrollments whose last month has passed and tell their households (beat;
    safe to run twice: a stopped enrollment is not selected again)."""
    households = ledger.enrollments_end_due(today=today)
    for household_id in households:
        household_notify(
            household_id=household_id,
            message=_("您家的救助待遇渐退期已结束，自本月起停止发放。如有疑问请联系镇街经办人。"),
        )
    return len(households)
