"""The application workflow up to acceptance (一门受理): drafts, submission, acceptance, returns,
withdrawal. Every step is one transaction with its transition record (SPEC §6, MZ-2021)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from integrity.services import client_ip, commitment_record, unsigned_adults

from . import permissions
from .errors import DomainError
from .facts import facts_errors
from .models import (
    OPEN_STATES,
    Application,
    ApplicationState,
    ApplicationTransition,
    Household,
    Person,
    Region,
    Role,
    TimeLimit,
    User,
    WorkdayOverride,
    time_limit,
)
from .notifications import notify
from .services import _clean_member, region_get_by_code, registered_elsewhere
from .workdays import add_workdays


class ApplicationError(DomainError):
    pass


class SubmissionKeyTaken(ApplicationError):
    """The submission key belongs to another filer's application: to this filer it does not
    exist (the API answers 404, the page a neutral error; its id is never revealed)."""


def workday_overrides() -> dict[dt.date, bool]:
    return dict(WorkdayOverride.objects.values_list("day", "is_workday"))


def today() -> dt.date:
    return timezone.localdate()


def ensure_can(application: Application, action: str) -> None:
    """Refuse early, before any work, an action the current state does not allow."""
    if not can_proceed(getattr(application, action)):
        msg = _("申请当前状态为“%(state)s”，不能执行此操作。") % {
            "state": ApplicationState(application.state).label
        }
        raise ApplicationError(msg, {"state": [msg]})


def application_step(
    application: Application, action: str, *, by: User, request=None, reason: str = ""
) -> ApplicationTransition:
    """Run one transition, refusing it clearly when the state does not allow it, and record it.

    ``ConcurrentTransitionMixin`` makes the save conditional on the state read, so of two
    people acting on the same case at once only one wins; the other gets a clear error.
    """
    source = application.state
    method = getattr(application, action)
    try:
        method()
        application.save()
    except TransitionNotAllowed as exc:
        msg = _("申请当前状态为“%(state)s”，不能执行此操作。") % {
            "state": ApplicationState(source).label
        }
        raise ApplicationError(msg, {"state": [msg]}) from exc
    except ConcurrentTransition as exc:
        msg = _("该申请刚被他人处理，请刷新后再试。")
        raise ApplicationError(msg, {"state": [msg]}) from exc
    return ApplicationTransition.objects.create(
        application=application,
        action=action,
        source=source,
        target=application.state,
        by=by,
        ip_address=client_ip(request),
        reason=reason,
    )


def _applicant_user(application: Application):
    """The citizen account of the household's applicant, if any, for notifications."""
    if not application.household_id:
        return None
    person = application.household.members.filter(user__isnull=False).select_related("user")
    person = person.first()
    return person


def notify_household(application: Application, message: str) -> None:
    person = _applicant_user(application)
    if person is not None:
        notify(user=person.user, message=message, application=application, phone=person.phone)
    elif application.created_by.role == Role.CITIZEN:
        notify(user=application.created_by, message=message, application=application)


def _channel_for(user: User) -> str:
    return {
        Role.CITIZEN: Application.Channel.ONLINE,
        Role.VILLAGE_ASSISTANT: Application.Channel.PROXY,
    }.get(user.role, Application.Channel.WINDOW)


@transaction.atomic
def application_draft_save(
    *,
    by: User,
    data: Mapping[str, Any],
    application: Application | None = None,
    submission_key: str | None = None,
) -> Application:
    """Save what has been typed so far (草稿); nothing is checked but the village and scope."""
    village = region_get_by_code(str(data.get("village") or ""))
    if village.level != Region.Level.VILLAGE:
        msg = _("请选择所在村（居）。")
        raise ApplicationError(msg, {"village": [msg]})
    if not permissions.can_file_for(by, village):
        msg = _("该村（居）不在您的管辖范围内。")
        raise ApplicationError(msg, {"village": [msg]})
    if application is not None:
        _require_filer(by, application)
    if application is None:
        if submission_key:
            existing = _application_with_key(submission_key, by)
            if existing is not None:
                return existing
        household = None
        if by.role == Role.CITIZEN and hasattr(by, "person"):
            household = by.person.household
        application = Application(
            created_by=by,
            channel=_channel_for(by),
            household=household,
            submission_key=submission_key or None,
        )
        if submission_key:
            return _create_once(application, data=data, village=village, by=by)
    elif application.state not in (ApplicationState.DRAFT, ApplicationState.RETURNED):
        msg = _("申请已提交，不能再修改草稿。")
        raise ApplicationError(msg, {"state": [msg]})
    _fill_draft(application, data=data, village=village, by=by)
    application.save()
    return application


def _fill_draft(application: Application, *, data: Mapping[str, Any], village, by: User) -> None:
    application.village = village
    application.data = dict(data)
    if application.household_id is None:
        application.household = _registered_household(data, by)
    application.requested = str(data.get("requested") or "dibao")


def _application_with_key(submission_key: str, by: User) -> Application | None:
    existing = Application.objects.filter(submission_key=submission_key).first()
    if existing is not None and existing.created_by_id != by.pk:
        msg = _("提交凭据无效，请刷新页面后重新提交。")
        raise SubmissionKeyTaken(msg, {"submission_key": [msg]})
    return existing


def _create_once(application: Application, *, data, village, by: User) -> Application:
    """Create the draft of a submission key exactly once: the key's unique constraint decides
    between concurrent requests (a double click, a retry), not a read before the write. The
    losers find the winner's application inside a savepoint and get it back."""
    _fill_draft(application, data=data, village=village, by=by)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        existing = _application_with_key(application.submission_key, by)
        if existing is None:  # the constraint that failed was not the key's
            raise
        return existing
    return application


def _registered_household(data: Mapping[str, Any], by: User) -> Household | None:
    """The household file the members already belong to, if any (one person, one record) —
    only one the filer may see: a household of another township is never attached (submitting
    then refuses its members as registered elsewhere)."""
    numbers = [str(m.get("id_number") or "").strip().upper() for m in data.get("members") or []]
    person = (
        Person.objects.for_user(by)
        .filter(id_number__in=[n for n in numbers if n])
        .select_related("household")
        .order_by("id")
        .first()
    )
    return person.household if person else None


def _adult(member: Mapping[str, Any], on: dt.date) -> bool:
    birth = member["birth_date"]
    return (on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))) >= 18


def _validate_members(data: Mapping[str, Any], household: Household | None, by: User) -> list[dict]:
    raw_members = data.get("members") or []
    if not raw_members:
        msg = _("家庭至少需要一名成员。")
        raise ApplicationError(msg, {"members": [msg]})
    on = today()
    cleaned, errors = [], {}
    for i, raw in enumerate(raw_members):
        member, member_errors = _clean_member(raw, on)
        cleaned.append(member)
        if member_errors:
            errors[i] = member_errors
    numbers = [m.get("id_number") for m in cleaned]
    for i, number in enumerate(numbers):
        if number and numbers.index(number) != i:
            errors.setdefault(i, {})["id_number"] = [_("与其他成员的身份证号码重复。")]
    elsewhere = registered_elsewhere(numbers=[n for n in numbers if n], by=by, household=household)
    for number, message in elsewhere.items():
        errors.setdefault(numbers.index(number), {})["id_number"] = [message]
    if errors:
        raise ApplicationError(
            _("家庭成员信息有误，请按提示修改。"),
            {"members": [errors.get(i, {}) for i in range(len(cleaned))]},
        )
    if sum(m.get("relation") == Person.Relation.APPLICANT for m in cleaned) != 1:
        msg = _("每个家庭须有且只有一名申请人。")
        raise ApplicationError(msg, {"members": [msg]})
    return cleaned


def _sync_household(application: Application, members: list[dict], by: User) -> Household:
    """Write the members of the application into the household file (one person, one record)."""
    household = application.household
    if household is None:
        household = Household.objects.create(
            village=application.village,
            address=str(application.data.get("address", "")),
            created_by=by,
        )
        application.household = household
    existing = {p.id_number: p for p in household.members.all()}
    # The applicant last: when the applicant changes, the old one is no longer "applicant" by
    # the time the new one is saved (one applicant per household is a database constraint).
    for member in sorted(members, key=lambda m: m.get("relation") == "applicant"):
        person = existing.get(member["id_number"])
        if person is None:
            Person.objects.create(household=household, **member)
        else:
            for field, value in member.items():
                setattr(person, field, value)
            person.save()
    return household


@transaction.atomic
def application_submit(
    *, application: Application, by: User, signers: Iterable[str] = (), request=None
) -> Application:
    """Submit (提交): the household as filed becomes the household file; signers sign both the
    truthfulness commitment and the verification authorization (SPEC §6, §9)."""
    _require_filer(by, application)
    # One submission at a time per application (the same form sent twice, two tabs): the row
    # lock makes the second wait, then see that the first has submitted it.
    Application.objects.select_for_update().filter(pk=application.pk).first()
    application.refresh_from_db()
    application._update_initial_state()  # the state just read is the one the save compares
    if application.state not in (ApplicationState.DRAFT, ApplicationState.RETURNED):
        msg = _("该申请已提交，无需重复提交。")
        raise ApplicationError(msg, {"state": [msg]})
    members = _validate_members(application.data, application.household, by)
    _refuse_second_open(application)
    if facts := facts_errors(application.data):
        raise ApplicationError(_("财产、支出或赡养信息有误，请按提示修改。"), facts)
    filed_household = application.household
    try:
        # A member registered by someone else meanwhile: the unique ID number refuses it here,
        # and the filer gets the same field errors as if the check above had seen it.
        with transaction.atomic():
            household = _sync_household(application, members, by)
    except IntegrityError:
        application.household = filed_household
        _validate_members(application.data, filed_household, by)
        raise
    signed_numbers = set(signers)
    persons = [p for p in household.members.all() if p.id_number in signed_numbers]
    commitment_record(application=application, persons=persons, channel=application.channel, by=by)
    application.submitted_at = timezone.now()
    application.missing_items = []
    # the township's clock starts at submission: accept (or return for materials) in time
    application.due_on = add_workdays(
        today(), time_limit(TimeLimit.Code.ACCEPTANCE_DAYS), workday_overrides()
    )
    application.due_for = "accept"
    application_step(application, "submit", by=by, request=request)
    return application


def open_application_of(household: Household | None, requested: str, *, exclude=None):
    """The household's other application for the same category still in progress, or its
    enrollment in that category still active — either makes a new one a duplicate."""
    if household is None:
        return None
    others = Application.objects.filter(
        household=household, requested=requested, state__in=OPEN_STATES
    )
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    found = others.order_by("pk").first()
    if found is not None:
        return found
    # the enrollment lives in eligibility; the reverse relation keeps this module free of it
    return household.enrollments.filter(status="active", category__code=requested).first()


def _refuse_second_open(application: Application) -> None:
    """One open application per household and category (a second 低保 while one is in
    progress or enrolled is refused). The household row lock orders two submissions at once."""
    household = application.household
    if household is None:
        return
    Household.objects.select_for_update().filter(pk=household.pk).first()
    if open_application_of(household, application.requested, exclude=application) is not None:
        msg = _("该家庭已有同一类别的申请正在办理或已在保，不能重复申请。")
        raise ApplicationError(msg, {"requested": [msg]})


def household_adults(household: Household) -> list[Person]:
    on = today()
    return [p for p in household.members.all() if _adult({"birth_date": p.birth_date}, on)]


@transaction.atomic
def application_accept(
    *,
    application: Application,
    by: User,
    close_relative: bool = False,
    special: bool = False,
    signers: Iterable[str] = (),
    request=None,
) -> Application:
    """Accept (一门受理): every adult member must have signed both documents; starts the clock."""
    _require_caseworker(by, application)
    # Only a submitted application (which has its household file) can be accepted; a draft
    # is refused here, before its missing household is looked at.
    ensure_can(application, "accept")
    if signers:
        persons = [p for p in application.household.members.all() if p.id_number in set(signers)]
        commitment_record(application=application, persons=persons, channel="window", by=by)
    missing = unsigned_adults(
        application=application, adults=household_adults(application.household)
    )
    if missing:
        names = "、".join(p.name for p in missing)
        msg = _("以下成年成员尚未签署守信承诺和核对授权：%(names)s。") % {"names": names}
        raise ApplicationError(msg, {"signers": [msg]})
    application.close_relative = close_relative
    application.special = special
    application.accepted_at = timezone.now()
    overrides = workday_overrides()
    investigation_days = time_limit(TimeLimit.Code.INVESTIGATION_DAYS)
    application.due_on = add_workdays(today(), investigation_days, overrides)
    application.due_for = "verify"
    case_days = TimeLimit.Code.CASE_DAYS_SPECIAL if special else TimeLimit.Code.CASE_DAYS
    application.case_due_on = add_workdays(today(), time_limit(case_days), overrides)
    application_step(application, "accept", by=by, request=request)
    notify_household(
        application,
        _("您的救助申请已受理，我们将在%(n)s个工作日内开始调查核实。") % {"n": investigation_days},
    )
    return application


@transaction.atomic
def application_return(
    *, application: Application, by: User, missing_items: list[str], request=None
) -> Application:
    """Return for missing materials (退回补正): every missing item is listed at once."""
    _require_caseworker(by, application)
    items = [i.strip() for i in missing_items if i and i.strip()]
    if not items:
        msg = _("请列出需要补正的全部材料。")
        raise ApplicationError(msg, {"missing_items": [msg]})
    application.missing_items = items
    application.due_on = None
    application.due_for = ""
    application_step(
        application, "return_for_materials", by=by, request=request, reason="；".join(items)
    )
    notify_household(
        application, _("请补正以下材料后重新提交：%(items)s。") % {"items": "；".join(items)}
    )
    return application


@transaction.atomic
def application_withdraw(
    *, application: Application, by: User, reason: str = "", request=None
) -> Application:
    """Withdraw (撤回) by the citizen or the staff who filed it."""
    _require_filer(by, application)
    application.due_on = None
    application.due_for = ""
    application_step(application, "withdraw", by=by, request=request, reason=reason)
    return application


@transaction.atomic
def application_terminate(
    *, application: Application, by: User, reasons: str, request=None
) -> Application:
    """Terminate (终止办理) an open case, e.g. the household refuses the survey or the
    verification (SPEC §6 ``terminated``): the township, with written reasons the household
    receives in the 终止告知书."""
    _require_caseworker(by, application)
    if not reasons.strip():
        msg = _("请写明终止办理的理由。")
        raise ApplicationError(msg, {"reasons": [msg]})
    ensure_can(application, "terminate")
    application.due_on = None
    application.due_for = ""
    application_step(application, "terminate", by=by, request=request, reason=reasons.strip())
    notify_household(
        application, _("您的救助申请已终止办理，理由：%(r)s") % {"r": reasons.strip()[:200]}
    )
    return application


def _require_filer(by: User, application: Application) -> None:
    """Submitting and withdrawing belong to the household and the township (SPEC §1)."""
    permissions.require(
        permissions.can_act_for_applicant(by, application), _("您不能提交或撤回这份申请。")
    )


def _require_caseworker(by: User, application: Application) -> None:
    permissions.require(
        permissions.can_work_case(by, application.village), _("只有本镇街经办人可以办理此步骤。")
    )
