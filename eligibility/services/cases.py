"""The case from verification to enrollment: verification outcome, home survey, proposal with a
frozen assessment, the 7-day public notice, objections, and the county decision (SPEC §6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import permissions
from applicants.applications import (
    ApplicationError,
    application_step,
    ensure_can,
    notify_household,
    today,
    workday_overrides,
)
from applicants.masking import mask_name
from applicants.models import Application, ApplicationTransition, TimeLimit, User, time_limit
from applicants.workdays import add_workdays
from integrity import services as integrity
from integrity.services import client_ip

from .. import rules
from ..models import (
    Assessment,
    Category,
    Decision,
    Enrollment,
    Survey,
    TemporaryGrant,
    Verification,
)
from ..rules import frozen
from ..rules.frozen import (
    ADD_ONS,
    HOUSEHOLD_SLOT,
    MEMBER_SLOT,
    household_from_inputs,
    parameters_from_json,
    parameters_to_json,
    result_json,
)
from ..selectors import member_facts, standards_in_force
from . import enrollments as ledger
from . import referrals, temporary


def _caseworker(by, application):
    permissions.require(
        permissions.can_work_case(by, application.village), _("只有本镇街经办人可以办理此步骤。")
    )


def _approver(by, application):
    permissions.require(
        permissions.can_decide_case(by, application.village), _("只有本县级审批人可以作出决定。")
    )


@transaction.atomic
def application_verify(*, application: Application, by: User, request=None) -> Application:
    """Ask for household economic verification (发起核对); the data answer is due in 3 days."""
    _caseworker(by, application)
    ensure_can(application, "verify")
    application.due_on = add_workdays(
        today(), time_limit(TimeLimit.Code.DATA_VERIFICATION_DAYS), workday_overrides()
    )
    application.due_for = "verification"
    application_step(application, "verify", by=by, request=request)
    return application


@transaction.atomic
def verification_record(
    *,
    application: Application,
    by: User,
    summary: str,
    financial_assets_found: Decimal = Decimal("0"),
    houses_found: int = 0,
    vehicles_found: int = 0,
    business_found: bool = False,
    income_found: Decimal | None = None,
) -> Verification:
    """Record the verification outcome by hand (until the data-source fan-out exists).

    The outcome stops the data-verification clock (MZ-2021: 3 working days) and starts the
    home survey's: SPEC §6 gives the survey no limit of its own, so it gets the investigation
    limit (调查, of which the survey is part). A corrected outcome keeps a survey clock already
    running, so re-recording cannot extend it.
    """
    _caseworker(by, application)
    if application.state != "verifying":
        msg = _("只有在核对调查阶段才能录入核对结果。")
        raise ApplicationError(msg, {"state": [msg]})
    if not summary.strip():
        msg = _("请填写核对结论。")
        raise ApplicationError(msg, {"summary": [msg]})
    if financial_assets_found < 0 or (income_found is not None and income_found < 0):
        msg = _("金额不能为负数。")
        raise ApplicationError(msg, {"financial_assets_found": [msg]})
    verification = Verification.objects.create(
        application=application,
        recorded_by=by,
        summary=summary.strip(),
        financial_assets_found=financial_assets_found,
        houses_found=houses_found,
        vehicles_found=vehicles_found,
        business_found=business_found,
        income_found=income_found,
    )
    if application.due_for != "survey":
        _survey_clock_start(application)
    return verification


@transaction.atomic
def verification_confirm(
    *,
    application: Application,
    by: User,
    summary: str,
    values: dict[str, str],
    reasons: dict[str, str],
) -> Verification:
    """Confirm or correct each figure of the verification (核对结果确认): the form starts from
    the data-source report (the larger of declared and found) or, without one, from what the
    household declared — never from zero. A figure changed from that start needs a reason."""
    from ..verification.services import figures_proposed, latest_report

    rows = figures_proposed(application)
    errors: dict[str, list[str]] = {}
    figures: dict[str, dict[str, Any]] = {}
    confirmed: dict[str, Any] = {}
    for row in rows:
        key = row["key"]
        raw = str(values.get(key, row["value"])).strip()
        try:
            if key == "business":
                value: Any = raw in ("True", "true", "1", "on", "yes")
            elif key in ("houses", "vehicles"):
                if not (raw.isascii() and raw.isdigit()) or int(raw) > 32767:
                    raise ValueError
                value = int(raw)
            else:
                value = Decimal(raw)
                if not value.is_finite() or value < 0 or value > Decimal("9999999999.99"):
                    raise ValueError
                value = value.quantize(Decimal("0.01"))
        except (ValueError, ArithmeticError):
            errors[key] = [_("%(label)s：请填写有效的数值。") % {"label": row["label"]}]
            continue
        reason = (reasons.get(key) or "").strip()[:500]
        if value != row["value"] and not reason:
            errors[key] = [
                _("%(label)s 与核对结果不同，请填写更正理由。") % {"label": row["label"]}
            ]
            continue
        confirmed[key] = value
        figures[key] = {
            "declared": str(row["declared"]),
            "found": None if row["found"] is None else str(row["found"]),
            "confirmed": str(value) if not isinstance(value, bool) else value,
            "reason": reason if value != row["value"] else "",
        }
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors)
    income = sum((v for k, v in confirmed.items() if k.startswith("income:")), Decimal("0"))
    verification = verification_record(
        application=application,
        by=by,
        summary=summary,
        financial_assets_found=confirmed["financial"],
        houses_found=confirmed["houses"],
        vehicles_found=confirmed["vehicles"],
        business_found=confirmed["business"],
        income_found=income if any(k.startswith("income:") for k in confirmed) else None,
    )
    verification.report = latest_report(application)
    verification.figures = figures
    verification.save(update_fields=["report", "figures"])
    return verification


def _survey_clock_start(application: Application) -> None:
    """The case now waits for a home survey: due within the investigation limit (SPEC §6)."""
    application.due_on = add_workdays(
        today(), time_limit(TimeLimit.Code.INVESTIGATION_DAYS), workday_overrides()
    )
    application.due_for = "survey"
    # Conditional on the state read, like a transition: a case someone else just moved on
    # keeps the clock of its new step.
    moved = Application.objects.filter(pk=application.pk, state=application.state).update(
        due_on=application.due_on, due_for=application.due_for
    )
    if not moved:
        msg = _("该申请刚被他人处理，请刷新后再试。")
        raise ApplicationError(msg, {"state": [msg]})


@transaction.atomic
def application_survey(
    *,
    application: Application,
    by: User,
    visited_on: dt.date,
    staff: list[str],
    findings: str,
    signed: bool,
    income_unstable: bool | None = None,
    request=None,
) -> Survey:
    """Record the home survey (入户调查): ≥ 2 staff, signed, after the verification outcome.

    ``income_unstable`` (收入不稳定) is what the staff found at the home; it sets the household's
    review interval (SPEC §6: every 6 months instead of yearly). None leaves it as it was.
    """
    _caseworker(by, application)
    ensure_can(application, "survey")
    staff = [s.strip() for s in staff if s and s.strip()]
    errors: dict[str, list[str]] = {}
    if len(set(staff)) < time_limit(TimeLimit.Code.SURVEY_MIN_STAFF):
        errors["staff"] = [_("入户调查须由至少两名工作人员进行。")]
    if not signed:
        errors["signed"] = [_("调查人员须签字确认。")]
    if not findings.strip():
        errors["findings"] = [_("请填写调查情况。")]
    if visited_on > today():
        errors["visited_on"] = [_("入户日期不能晚于今天。")]
    if application.state == "verifying" and not application.verifications.exists():
        errors["non_field_errors"] = [_("请先录入家庭经济状况核对结果。")]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors)
    survey = Survey.objects.create(
        application=application,
        visited_on=visited_on,
        staff=staff,
        findings=findings.strip(),
        signed=signed,
        recorded_by=by,
    )
    household = application.household
    if income_unstable is not None and household.income_unstable != income_unstable:
        household.income_unstable = income_unstable
        household.save(update_fields=["income_unstable", "updated_at"])
    application.due_on = None
    application.due_for = ""
    application_step(application, "survey", by=by, request=request)
    return survey


def _figures_now(application: Application) -> dict[str, Any] | None:
    """The figures of the latest verification the caseworker confirmed from a report or, when
    a newer report waits for confirmation, that report's proposed figures; None when neither."""
    from ..verification.services import figures_proposed, latest_report

    verification = application.verifications.order_by("-recorded_at").first()
    report = latest_report(application)
    if report is not None and (
        verification is None or verification.recorded_at < report.created_at
    ):
        return {row["key"]: row["value"] for row in figures_proposed(application)}
    if verification is not None and verification.figures:
        return {k: v["confirmed"] for k, v in verification.figures.items()}
    return None


def assessment_inputs(application: Application) -> dict[str, Any]:
    """What the rules engine is given for this case: the household file, the application's
    declared assets and expenditure, and what verification found. Figures confirmed from a
    data-source report (or a report not yet confirmed) are used as they stand; a verification
    recorded by hand counts the larger of declared and found."""
    data = application.data or {}
    verification = application.verifications.order_by("-recorded_at").first()
    assets = dict(data.get("assets") or {})
    figures = _figures_now(application)
    members = [
        member_facts(p)
        for p in application.household.members.filter(status="living").order_by("id")
    ]
    if figures is not None:
        assets["financial"] = str(figures["financial"])
        assets["houses"] = int(figures["houses"])
        assets["vehicles"] = int(figures["vehicles"])
        assets["business_registered"] = figures["business"] in (True, "True", "true", "1", 1)
        for m in members:
            found = figures.get(f"income:{m['person_id']}")
            if found is not None:
                m["monthly_income"] = str(found)
        verification = None
    if verification is not None:
        assets["financial"] = str(
            max(Decimal(str(assets.get("financial") or 0)), verification.financial_assets_found)
        )
        assets["houses"] = max(int(assets.get("houses") or 0), verification.houses_found)
        assets["vehicles"] = max(int(assets.get("vehicles") or 0), verification.vehicles_found)
        assets["business_registered"] = bool(
            assets.get("business_registered") or verification.business_found
        )
    return {
        "area": application.village.area,
        "members": members,
        "assets": assets,
        "rigid_expenditure_12m": data.get("rigid_expenditure_12m") or {},
        "supporter": data.get("supporter") or {},
        "hardship": data.get("hardship"),
    }


def _run(inputs: dict[str, Any], params: rules.Parameters, on: dt.date) -> rules.Assessment:
    return rules.assess(household_from_inputs(inputs, on), params)


def assessment_freeze(
    *, application: Application, by: User, on: dt.date | None = None
) -> Assessment:
    """Assess the case with the standards in force and freeze inputs, numbers and result."""
    on = on or today()
    return assessment_freeze_inputs(
        household=application.household,
        inputs=assessment_inputs(application),
        on=on,
        numbers_on=on,
        by=by,
        application=application,
    )


def assessment_freeze_inputs(
    *, household, inputs: dict[str, Any], on: dt.date, numbers_on: dt.date, by, application=None
) -> Assessment:
    """Assess ``inputs`` (ages on ``on``) with the standards in force on ``numbers_on`` and
    freeze facts, numbers and the rules' result together, so that it replays."""
    standards = standards_in_force(region=household.village, area=inputs["area"], on=numbers_on)
    return Assessment.objects.create(
        application=application,
        household=household,
        on=on,
        inputs=inputs,
        parameters=parameters_to_json(standards.parameters),
        standard_ids=list(standards.version_ids),
        result=result_json(_run(inputs, standards.parameters, on)),
        created_by=by,
    )


def assessment_replay(assessment: Assessment) -> dict[str, Any]:
    """Run a frozen assessment again from what it stored; equal to ``assessment.result``."""
    params = parameters_from_json(assessment.parameters)
    return result_json(_run(assessment.inputs, params, assessment.on))


@transaction.atomic
def application_propose(
    *, application: Application, by: User, opinion: str = "", request=None
) -> Assessment:
    """Propose (提出审核意见) with the rules engine's frozen assessment."""
    _caseworker(by, application)
    ensure_can(application, "propose")
    assessment = assessment_freeze(application=application, by=by)
    application.proposed_by = by
    application_step(application, "propose", by=by, request=request, reason=opinion)
    return assessment


def _headline(application: Application, assessment: Assessment) -> tuple[str, Decimal | None]:
    """The category and monthly amount a notice and an enrollment show for this case."""
    results = [r for r in assessment.result["results"] if r["eligible"]]
    requested = application.requested
    for r in results:
        if r["policy"] == requested and r["monthly_amount"] is not None:
            return requested, Decimal(r["monthly_amount"])
    for r in results:
        if r["monthly_amount"] is not None:
            return r["policy"], Decimal(r["monthly_amount"])
    return requested, None


@transaction.atomic
def public_notice_open(*, application: Application, by: User, request=None):
    """Open the 7-day village notice (公示); the county's 10 working days start at its end."""
    _caseworker(by, application)
    ensure_can(application, "open_notice")
    assessment = application.assessments.order_by("-created_at").first()
    category, amount = _headline(application, assessment)
    applicant = application.household.members.get(relation="applicant")
    closes_on = today() + dt.timedelta(days=time_limit(TimeLimit.Code.NOTICE_DAYS))
    notice = integrity.public_notice_open(
        application=application,
        closes_on=closes_on,
        masked_name=mask_name(applicant.name),
        household_size=application.household.members.count(),
        category=category,
        monthly_amount=amount,
        by=by,
    )
    application.notice_closes_on = closes_on
    application.due_on = add_workdays(
        closes_on, time_limit(TimeLimit.Code.DECISION_DAYS), workday_overrides()
    )
    application.due_for = "decision"
    application_step(application, "open_notice", by=by, request=request)
    return notice


def objection_record(
    *,
    application: Application,
    by: User,
    text: str,
    request=None,
    objector_name: str = "",
    objector_phone: str = "",
):
    """An objection brought to the window during the notice, typed in by the township; like
    one filed online it reopens the survey and gets a written answer by its reference."""
    from . import notices

    _caseworker(by, application)
    if not (text or "").strip():
        msg = _("请填写异议内容。")
        raise ApplicationError(msg, {"text": [msg]})
    notice = application.notices.order_by("-opened_at").first()
    if notice is None or application.state != "public_notice":
        msg = _("只有公示期间才能登记异议。")
        raise ApplicationError(msg, {"state": [msg]})
    return notices.objection_file(
        reference=notice.reference,
        text=text,
        objector_name=objector_name,
        objector_phone=objector_phone,
        by=by,
        request=request,
        channel="window",
    )


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _decide_checks(
    application: Application, by: User, reasons: str, *, local_ok: bool = False
) -> None:
    """Who decides (the county; the township too for 临时救助 within its limit), after the
    notice, with reasons, never the proposer."""
    if not (local_ok and permissions.can_approve_temporary_locally(by, application.village)):
        _approver(by, application)
    ensure_can(application, "approve")
    errors: dict[str, list[str]] = {}
    if not reasons.strip():
        errors["reasons"] = [_("请写明决定理由。")]
    if application.proposed_by_id == by.pk:
        errors["non_field_errors"] = [_("提出审核意见的人员不能同时作出审批决定。")]
    if (
        application.state == "public_notice"
        and application.notice_closes_on
        and (today() < application.notice_closes_on)
    ):
        errors.setdefault("non_field_errors", []).append(
            _("公示期至 %(d)s 结束，结束后方可作出决定。") % {"d": application.notice_closes_on}
        )
    if application.close_relative and not application.county_visit_done:
        errors.setdefault("non_field_errors", []).append(_("近亲属备案的申请须先由县级入户核查。"))
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors)


def _decision_record(application, assessment, by, reasons: str, action: str, request) -> Decision:
    """The insert-only decision on the frozen assessment, and the step that records it."""
    decision = Decision.objects.create(
        application=application,
        assessment=assessment,
        outcome=Decision.Outcome.APPROVED if action == "approve" else Decision.Outcome.REJECTED,
        reasons=reasons.strip(),
        decided_by=by,
    )
    application.decided_at = timezone.now()
    integrity.public_notice_decided(
        application_id=application.pk,
        outcome="approved" if action == "approve" else "rejected",
        on=today(),
    )
    application.due_on = None
    application.due_for = ""
    application_step(application, action, by=by, request=request, reason=reasons.strip())
    return decision


def result_key(result: dict[str, Any]) -> str:
    """How a result is chosen: its policy code, with the member index for per-member ones."""
    policy, member = result["policy"], result["member"]
    return policy if member is None else f"{policy}:{member}"


def enrollable_results(assessment: Assessment) -> list[dict[str, Any]]:
    """The results an approver may enroll: eligible, with a monthly amount or a status
    (边缘, relative poverty); the one-off 临时救助 is paid once, not enrolled."""
    return [
        r
        for r in assessment.result["results"]
        if r["eligible"]
        and (r["monthly_amount"] is not None or r["policy"] in frozen.STATUS_ONLY)
        and r["policy"] != "temporary"
    ]


def default_choice(application: Application, assessment: Assessment) -> list[str]:
    """What the approver is offered first: the main result (below) and every add-on the
    household is eligible for (重点困境儿童, 困难重度残疾人补贴, paid on top of 低保)."""
    main = _main_choice(application, assessment)
    add_ons = [
        result_key(r)
        for r in enrollable_results(assessment)
        if r["policy"] in ADD_ONS and result_key(r) not in main
    ]
    return main + add_ons


def _main_choice(application: Application, assessment: Assessment) -> list[str]:
    """The requested result if eligible (per-member ones for every eligible member), else the
    household result, else members' own results — one per member, the one paying more first
    (SPEC §5: the platform shows which pays more)."""
    results = [r for r in enrollable_results(assessment) if r["policy"] not in ADD_ONS]
    requested = [r for r in results if r["policy"] == application.requested]
    if requested:
        return [result_key(r) for r in requested]
    household = [r for r in results if r["member"] is None and r["monthly_amount"] is not None]
    if household:
        return [result_key(max(household, key=lambda r: Decimal(r["monthly_amount"])))]
    best: dict[int, dict] = {}
    for r in results:
        if r["member"] is None or r["monthly_amount"] is None:
            continue
        if r["member"] not in best or Decimal(r["monthly_amount"]) > Decimal(
            best[r["member"]]["monthly_amount"]
        ):
            best[r["member"]] = r
    if best:
        return [result_key(r) for r in best.values()]
    return [result_key(r) for r in results[:1]]


def _chosen(assessment: Assessment, choices: list[str]) -> list[dict[str, Any]]:
    by_key = {result_key(r): r for r in enrollable_results(assessment)}
    errors = [c for c in choices if c not in by_key]
    if errors or not choices:
        msg = _("请从符合条件的结果中选择要纳入的保障类别。")
        raise ApplicationError(msg, {"choices": [msg]})
    chosen = [by_key[c] for c in dict.fromkeys(choices)]
    if sum(1 for r in chosen if r["policy"] in HOUSEHOLD_SLOT) > 1:
        msg = _("低保、支出型、低保边缘、相对贫困只能选择其一。")
        raise ApplicationError(msg, {"choices": [msg]})
    members = [r["member"] for r in chosen if r["policy"] in MEMBER_SLOT]
    if len(members) != len(set(members)):
        msg = _("同一成员的特困供养、单人保、孤儿基本生活费只能选择其一。")
        raise ApplicationError(msg, {"choices": [msg]})
    return chosen


@transaction.atomic
def application_approve(
    *,
    application: Application,
    by: User,
    reasons: str,
    choices: list[str] | None = None,
    temporary_amount: Decimal | None = None,
    request=None,
) -> list[Enrollment]:
    """Approve (批准): an insert-only decision on the latest frozen assessment, enrolling the
    results the approver chose among those the household is eligible for (SPEC §5), paid from
    the month after approval (SPEC §6)."""
    assessment = application.assessments.order_by("-created_at").first()
    if application.requested == "temporary":
        return _approve_temporary(application, by, reasons, assessment, temporary_amount, request)
    _decide_checks(application, by, reasons)
    if not enrollable_results(assessment):
        msg = _("测算结果不符合任何按月保障条件，不能批准；请作出不予批准决定。")
        raise ApplicationError(msg, {"non_field_errors": [msg]})
    chosen = _chosen(assessment, choices or default_choice(application, assessment))
    decision = _decision_record(application, assessment, by, reasons, "approve", request)
    enrollments = _enroll(application, assessment, decision, chosen, by)
    application_step(application, "enroll", by=by, request=request)
    notify_household(
        application,
        _("您的救助申请已批准，自 %(m)s 起按月发放。")
        % {"m": enrollments[0].start_month.strftime("%Y-%m")}
        if enrollments
        else _("您的救助申请已批准。"),
    )
    return enrollments


def _approve_temporary(application, by, reasons, assessment, amount, request) -> list:
    """临时救助 is paid once (SPEC §5): the amount the caseworker sized within the rules'
    range; the township may approve it up to its limit, the county above. An emergency already
    paid first (先行救助) is completed by this decision, not paid again."""
    result = temporary.temporary_result(assessment)
    grant = TemporaryGrant.objects.filter(application=application).first()
    if grant is not None:
        amount = grant.amount
    amount = temporary.amount_checked(result, amount)
    local_ok = amount <= temporary.township_limit(application.village)
    _decide_checks(application, by, reasons, local_ok=local_ok)
    _decision_record(application, assessment, by, reasons, "approve", request)
    if grant is None:
        temporary.grant_create(
            application=application,
            result=result,
            amount=amount,
            by=by,
            reasons=reasons,
            assessment=assessment,
        )
        referrals.referrals_for_temporary(household=application.household)
    else:
        grant.file_completed_at = timezone.now()
        grant.assessment = assessment
        grant.save(update_fields=["file_completed_at", "assessment"])
    notify_household(
        application, _("您的临时救助申请已批准，救助金 %(a)s 元将一次性发放。") % {"a": amount}
    )
    return []


def _enroll(application, assessment, decision, chosen, by) -> list[Enrollment]:
    """One enrollment per chosen result, refused when the household (or member) is already in
    that category — checked here with a clear message, and by the partial unique constraints
    if two approvals race."""
    members = assessment.inputs["members"]
    categories = {c.code: c for c in Category.objects.all()}
    params = parameters_from_json(assessment.parameters)
    start = _first_of_next_month(today())
    rows = []
    for r in chosen:
        category = categories[frozen.category_of(r["policy"])]
        person_id = members[r["member"]]["person_id"] if r["member"] is not None else None
        active = Enrollment.objects.filter(status=Enrollment.Status.ACTIVE, category=category)
        active = (
            active.filter(person_id=person_id)
            if person_id is not None
            else active.filter(household=application.household, person__isnull=True)
        )
        if active.exists():
            msg = _("该%(who)s已在“%(c)s”保障中，不能重复纳入。") % {
                "who": _("成员") if person_id is not None else _("家庭"),
                "c": category.name,
            }
            raise ApplicationError(msg, {"choices": [msg]})
        # The one amount function, on the decision's frozen facts and numbers: what every
        # later writer (reviews, re-evaluation) will compute for the same facts.
        amount = frozen.enrollment_amount(
            r["policy"], person_id, assessment.inputs, params, assessment.on
        )
        if amount is None:  # the frozen result said eligible: the replay must agree
            msg = _("测算结果无法复核，请重新提出审核意见。")
            raise ApplicationError(msg, {"non_field_errors": [msg]})
        rows.append(
            Enrollment(
                household=application.household,
                person_id=person_id,
                category=category,
                policy_code=r["policy"],
                monthly_amount=amount,
                start_month=start,
                decision=decision,
                assessment=assessment,
            )
        )
    try:
        with transaction.atomic():
            enrollments = Enrollment.objects.bulk_create(rows)
    except IntegrityError as exc:
        msg = _("该家庭已纳入同一保障类别，不能重复纳入。")
        raise ApplicationError(msg, {"choices": [msg]}) from exc
    for e in enrollments:
        ledger.enrollment_open(enrollment=e, by=by)
    # 政策找人 (SPEC §3): each new category refers the household to the policies serving it
    referrals.referrals_for_enrollments(enrollments=enrollments)
    return enrollments


@transaction.atomic
def application_reject(
    *, application: Application, by: User, reasons: str, request=None
) -> Decision:
    """Reject (不予批准) with written reasons, sent to the household (SPEC §6)."""
    _decide_checks(application, by, reasons)
    assessment = application.assessments.order_by("-created_at").first()
    decision = _decision_record(application, assessment, by, reasons, "reject", request)
    notify_household(application, _("您的救助申请不予批准，理由：%(r)s") % {"r": reasons.strip()})
    return decision


@transaction.atomic
def county_visit_record(*, application: Application, by: User, request=None) -> Application:
    """The county's own home visit, required for a close relative of staff (近亲属备案)."""
    _approver(by, application)
    if application.county_visit_done:
        msg = _("县级入户核查已登记。")
        raise ApplicationError(msg, {"non_field_errors": [msg]})
    application.county_visit_done = True
    application.save(update_fields=["county_visit_done"])
    ApplicationTransition.objects.create(
        application=application,
        action="county_visit",
        source=application.state,
        target=application.state,
        by=by,
        ip_address=client_ip(request) if request is not None else None,
        reason=_("县级入户核查（近亲属备案）"),
    )
    return application


def assessment_preview_for(application: Application) -> dict[str, Any]:
    """What the rules engine would propose now (not frozen): shown on the case page."""
    on = today()
    inputs = assessment_inputs(application)
    standards = standards_in_force(region=application.village, area=inputs["area"], on=on)
    return result_json(_run(inputs, standards.parameters, on))


@transaction.atomic
def application_advance(
    *, application: Application, by: User, amount, reasons: str
) -> TemporaryGrant:
    """先行救助: an emergency (急难) is paid first, on the rules' range as assessed now, and the
    case must be completed (decided) within the set working days."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    emergency = (application.data.get("hardship") or {}).get("type") == "emergency"
    errors: dict[str, list[str]] = {}
    if application.state not in temporary.ADVANCE_STATES:
        errors["state"] = [_("受理后、审批前方可先行救助。")]
    if not emergency:
        errors["hardship"] = [_("只有急难型临时救助可以先行救助。")]
    if not reasons.strip():
        errors["reasons"] = [_("请写明先行救助的理由。")]
    if errors:
        raise temporary.TemporaryError(next(iter(errors.values()))[0], errors)
    result = temporary.temporary_result(assessment_preview_for(application))
    value = temporary.amount_checked(result, amount)
    local_ok = value <= temporary.township_limit(application.village) and (
        permissions.can_approve_temporary_locally(by, application.village)
    )
    permissions.require(
        local_ok or permissions.can_decide_case(by, application.village),
        _("超过镇街审批限额的先行救助须由县级审批人批准。"),
    )
    grant = temporary.grant_create(
        application=application, result=result, amount=value, by=by, reasons=reasons, advance=True
    )
    referrals.referrals_for_temporary(household=application.household)
    return grant
