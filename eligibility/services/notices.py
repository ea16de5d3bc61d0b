"""Objections to a public notice (公示异议, SPEC §6 and §9): filed online by anyone or at the
window, each reopens the household survey of its case and is answered in writing within the
limit (TimeLimit ``objection_answer_days``); the objector reads the answer by the reference."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from applicants import permissions
from applicants.applications import application_step, today, workday_overrides
from applicants.errors import DomainError
from applicants.models import Application, Role, TimeLimit, User, time_limit
from applicants.workdays import add_workdays
from integrity import services as integrity
from integrity.errors import Refused
from integrity.models import Objection, PublicNotice

#: the account a case step is recorded under when the public files online without logging in
PUBLIC_USERNAME = "public-online"


def public_account() -> User:
    """网上公众: an account nobody logs in with (inactive, unusable password), so that a case
    step reopened by an anonymous objection still says where it came from."""
    user, _created = User.objects.get_or_create(
        username=PUBLIC_USERNAME,
        defaults={
            "role": Role.CITIZEN,
            "is_active": False,
            "first_name": "网上公众",
            "password": make_password(None),
        },
    )
    return user


def _domain(exc: Refused) -> DomainError:
    return DomainError(exc.message, exc.detail)


def objection_file(
    *,
    reference,
    text,
    objector_name="",
    objector_phone="",
    by=None,
    request=None,
    channel: str = "online",
) -> Objection:
    """File an objection to the notice ``reference``: refused (and the attempt kept) when the
    notice does not exist or is over; otherwise recorded with its answer deadline and, the
    first time, the case goes back to the survey, due within the investigation limit."""
    api = "api" if request is not None and request.path.startswith("/api/") else "page"
    try:
        # outside the transaction: a refusal is kept even though nothing else is written
        notice = integrity.public_notice_for_objection(
            reference=reference, user=by, request=request, channel=api
        )
    except Refused as exc:
        raise _domain(exc) from exc
    due = add_workdays(
        today(), time_limit(TimeLimit.Code.OBJECTION_ANSWER_DAYS), workday_overrides()
    )
    with transaction.atomic():
        # one objection at a time per notice: the first reopens the case, the next ones join it
        notice = PublicNotice.objects.select_for_update().get(pk=notice.pk)
        reopen = not notice.closed_early
        try:
            objection = integrity.objection_record(
                notice=notice,
                text=text,
                by=by,
                channel=channel,
                objector_name=objector_name,
                objector_phone=objector_phone,
                answer_due_on=due,
            )
        except Refused as exc:
            raise _domain(exc) from exc
        if reopen and notice.application_id:
            application = Application.objects.select_for_update().get(pk=notice.application_id)
            if application.state == "public_notice":
                _reopen(application, objection, by=by, request=request)
    return objection


def _reopen(application: Application, objection: Objection, *, by, request) -> None:
    actor = by if getattr(by, "is_authenticated", False) else public_account()
    application.notice_closes_on = None
    application.due_on = add_workdays(
        today(), time_limit(TimeLimit.Code.INVESTIGATION_DAYS), workday_overrides()
    )
    application.due_for = "survey"
    application_step(
        application,
        "reopen_survey",
        by=actor,
        request=request,
        reason=_("公示异议 %(ref)s：%(text)s")
        % {"ref": objection.reference, "text": objection.text},
    )


def objection_answer(*, objection: Objection, answer, by: User) -> Objection:
    """The township's written answer (书面答复) to an objection to one of its notices."""
    village = objection.notice.village
    permissions.require(
        village is not None and permissions.can_work_case(by, village),
        _("只有公示所在镇街的经办人可以答复异议。"),
    )
    try:
        with transaction.atomic():
            return integrity.objection_answer(objection=objection, answer=answer, by=by)
    except Refused as exc:
        raise _domain(exc) from exc
