"""Bulk steps from the inbox (批量受理, 批量公示): each case is still its own transaction with
its own transition row, so one refused case leaves the others done and nothing half-saved."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from applicants import applications as intake
from applicants.errors import DomainError
from applicants.models import Application, User

from . import cases

#: the steps the inbox may run on many cases at once, each the service of the single step
BULK_ACTIONS = {
    "accept": intake.application_accept,
    "open_notice": cases.public_notice_open,
}
#: at most this many cases in one bulk request (two pages of the inbox)
BULK_LIMIT = 100


@dataclass
class BulkOutcome:
    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def cases_bulk_step(
    *, action: str, application_ids: Iterable[int], by: User, request=None
) -> BulkOutcome:
    """Run one step on each case the user picked; a case outside the user's scope is refused
    as "not found" (its existence is not revealed), a case the rules refuse with their reason.

    Not atomic on purpose: each service call commits or rolls back its own case.
    """
    step = BULK_ACTIONS.get(action)
    if step is None:
        raise DomainError(_("未知的批量操作。"))
    ids = sorted({int(i) for i in application_ids})[:BULK_LIMIT]
    if not ids:
        raise DomainError(_("请先勾选要办理的案件。"))
    found = {
        a.pk: a
        for a in Application.objects.for_user(by)
        .select_related("village", "household")
        .filter(pk__in=ids)
    }
    outcome = BulkOutcome()
    for pk in ids:
        application = found.get(pk)
        if application is None:
            outcome.refused.append((pk, _("案件不存在或不在您的管辖范围内。")))
            continue
        try:
            step(application=application, by=by, request=request)
        except DomainError as exc:
            outcome.refused.append((pk, exc.message))
        else:
            outcome.done.append(pk)
    return outcome
