"""The case from verification to enrollment: verification outcome, home survey, proposal with a
frozen assessment, the 7-day public notice, objections, and the county decision (SPEC §6)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.applications import (
    ApplicationError,
    application_step,
    ensure_can,
    notify_household,
    today,
    workday_overrides,
)
from applicants.idnumber import mask_name
from applicants.models import Application, Role, TimeLimit, User, time_limit
from applicants.workdays import add_workdays
from integrity import services as integrity

from . import rules
from .models import (
    Assessment,
    Category,
    Decision,
    Enrollment,
    EnrollmentAmount,
    Survey,
    Verification,
)
from .selectors import standards_in_force
from .services import household_from_inputs


def _require(by: User, application: Application, role: str, message: str) -> None:
    if by.is_admin_role:
        return
    if by.role != role or not application.village.path.startswith(by.region.path):
        raise ApplicationError(message, {"non_field_errors": [message]})


def _caseworker(by, application):
    _require(by, application, Role.CASEWORKER, _("只有本镇街经办人可以办理此步骤。"))


def _approver(by, application):
    _require(by, application, Role.APPROVER, _("只有本县级审批人可以作出决定。"))


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
    """Record the verification outcome by hand (until the data-source fan-out exists)."""
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
    return Verification.objects.create(
        application=application,
        recorded_by=by,
        summary=summary.strip(),
        financial_assets_found=financial_assets_found,
        houses_found=houses_found,
        vehicles_found=vehicles_found,
        business_found=business_found,
        income_found=income_found,
    )


@transaction.atomic
def application_survey(
    *,
    application: Application,
    by: User,
    visited_on: dt.date,
    staff: list[str],
    findings: str,
    signed: bool,
    request=None,
) -> Survey:
    """Record the home survey (入户调查): ≥ 2 staff, signed, after the verification outcome."""
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
    application.due_on = None
    application.due_for = ""
    application_step(application, "survey", by=by, request=request)
    return survey


def assessment_inputs(application: Application) -> dict[str, Any]:
    """What the rules engine is given for this case: the household file, the application's
    declared assets and expenditure, and what verification found (the larger counts)."""
    data = application.data or {}
    verification = application.verifications.order_by("-recorded_at").first()
    assets = dict(data.get("assets") or {})
    if verification is not None:
        assets["financial"] = str(
            max(Decimal(str(assets.get("financial") or 0)), verification.financial_assets_found)
        )
        assets["houses"] = max(int(assets.get("houses") or 0), verification.houses_found)
        assets["vehicles"] = max(int(assets.get("vehicles") or 0), verification.vehicles_found)
        assets["business_registered"] = bool(
            assets.get("business_registered") or verification.business_found
        )
    members = [
        {
            "person_id": p.pk,
            "relation": p.relation,
            "birth_date": p.birth_date.isoformat(),
            "monthly_income": str(p.monthly_income),
            "disability_grade": p.disability_grade,
            "disability_type": p.disability_type or None,
            "serious_illness": p.serious_illness,
            "self_care": p.self_care,
            "in_school": p.in_school,
        }
        for p in application.household.members.order_by("id")
    ]
    return {
        "area": application.village.area,
        "members": members,
        "assets": assets,
        "rigid_expenditure_12m": data.get("rigid_expenditure_12m") or {},
        "supporter": data.get("supporter") or {},
        "hardship": data.get("hardship"),
    }


def parameters_to_json(params: rules.Parameters) -> dict[str, Any]:
    return {
        k: (
            str(v)
            if isinstance(v, Decimal)
            else {kk: str(vv) for kk, vv in v.items()}
            if isinstance(v, dict)
            else v
        )
        for k, v in dataclasses.asdict(params).items()
    }


def parameters_from_json(data: dict[str, Any]) -> rules.Parameters:
    values = {}
    for field in dataclasses.fields(rules.Parameters):
        if field.name not in data:
            # frozen before the field existed (the issue-8 category amounts): its default
            # applies, None = "not set", so the old assessment replays as it was decided
            continue
        v = data[field.name]
        if field.name == "care_yearly":
            values[field.name] = {k: Decimal(x) for k, x in v.items()}
        elif isinstance(v, str):
            values[field.name] = Decimal(v)
        else:
            values[field.name] = v
    return rules.Parameters(**values)


def _result_json(assessment: rules.Assessment) -> dict[str, Any]:
    def money(v):
        return None if v is None else str(v)

    return {
        "household_size": assessment.household_size,
        "counted_income": money(assessment.counted_income),
        "per_capita_income": money(assessment.per_capita_income),
        "categories": sorted(assessment.categories),
        "results": [
            {
                "policy": r.policy,
                "eligible": r.eligible,
                "member": r.member,
                "monthly_amount": money(r.monthly_amount),
                "min_amount": money(r.min_amount),
                "max_amount": money(r.max_amount),
                "line": money(r.line),
                "reasons": list(r.reasons),
            }
            for r in assessment.results
        ],
    }


def _run(inputs: dict[str, Any], params: rules.Parameters, on: dt.date) -> rules.Assessment:
    return rules.assess(household_from_inputs(inputs, on), params)


def assessment_freeze(
    *, application: Application, by: User, on: dt.date | None = None
) -> Assessment:
    """Assess the case with the standards in force and freeze inputs, numbers and result."""
    on = on or today()
    inputs = assessment_inputs(application)
    standards = standards_in_force(region=application.village, area=inputs["area"], on=on)
    result = _run(inputs, standards.parameters, on)
    return Assessment.objects.create(
        application=application,
        household=application.household,
        on=on,
        inputs=inputs,
        parameters=parameters_to_json(standards.parameters),
        standard_ids=list(standards.version_ids),
        result=_result_json(result),
        created_by=by,
    )


def assessment_replay(assessment: Assessment) -> dict[str, Any]:
    """Run a frozen assessment again from what it stored; equal to ``assessment.result``."""
    params = parameters_from_json(assessment.parameters)
    return _result_json(_run(assessment.inputs, params, assessment.on))


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


@transaction.atomic
def objection_record(*, application: Application, by: User, text: str, request=None):
    """An objection during the notice reopens the home survey (SPEC §6)."""
    _caseworker(by, application)
    if not text.strip():
        msg = _("请填写异议内容。")
        raise ApplicationError(msg, {"text": [msg]})
    notice = application.notices.order_by("-opened_at").first()
    if notice is None or application.state != "public_notice":
        msg = _("只有公示期间才能登记异议。")
        raise ApplicationError(msg, {"state": [msg]})
    objection = integrity.objection_record(notice=notice, text=text.strip(), by=by)
    application.notice_closes_on = None
    application.due_on = None
    application_step(application, "reopen_survey", by=by, request=request, reason=text.strip())
    return objection


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _decide_checks(application: Application, by: User, reasons: str) -> None:
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


@transaction.atomic
def application_approve(
    *, application: Application, by: User, reasons: str, request=None
) -> list[Enrollment]:
    """Approve (批准): an insert-only decision on the latest frozen assessment, and the
    enrollments it creates, paid from the month after approval (SPEC §6)."""
    _decide_checks(application, by, reasons)
    assessment = application.assessments.order_by("-created_at").first()
    eligible = [
        r for r in assessment.result["results"] if r["eligible"] and r["monthly_amount"] is not None
    ]
    if not eligible:
        msg = _("测算结果不符合任何按月保障条件，不能批准；请作出不予批准决定。")
        raise ApplicationError(msg, {"non_field_errors": [msg]})
    decision = Decision.objects.create(
        application=application,
        assessment=assessment,
        outcome=Decision.Outcome.APPROVED,
        reasons=reasons.strip(),
        decided_by=by,
    )
    application.decided_at = timezone.now()
    application.due_on = None
    application.due_for = ""
    application_step(application, "approve", by=by, request=request, reason=reasons.strip())
    enrollments = _enroll(application, assessment, decision)
    application_step(application, "enroll", by=by, request=request)
    notify_household(
        application,
        _("您的救助申请已批准，自 %(m)s 起按月发放。")
        % {"m": enrollments[0].start_month.strftime("%Y-%m")}
        if enrollments
        else _("您的救助申请已批准。"),
    )
    return enrollments


def _enroll(application, assessment, decision) -> list[Enrollment]:
    """The household result (低保) if eligible, else members' own (单人保, 特困)."""
    results = [
        r for r in assessment.result["results"] if r["eligible"] and r["monthly_amount"] is not None
    ]
    household_level = [r for r in results if r["member"] is None]
    chosen = household_level[:1] if household_level and application.requested != "tekun" else []
    if not chosen:
        chosen = [r for r in results if r["member"] is not None]
        # One enrollment per member: 特困 beats 单人保 for the same person.
        by_member: dict[int, dict] = {}
        for r in chosen:
            if r["member"] not in by_member or r["policy"] == "tekun":
                by_member[r["member"]] = r
        chosen = list(by_member.values()) or household_level[:1]
    members = assessment.inputs["members"]
    categories = {c.code: c for c in Category.objects.all()}
    start = _first_of_next_month(today())
    rows = []
    for r in chosen:
        category_code = "dibao" if r["policy"] in ("dibao", "dibao_single") else r["policy"]
        person_id = members[r["member"]]["person_id"] if r["member"] is not None else None
        rows.append(
            Enrollment(
                household=application.household,
                person_id=person_id,
                category=categories[category_code],
                policy_code=r["policy"],
                monthly_amount=Decimal(r["monthly_amount"]),
                start_month=start,
                decision=decision,
                assessment=assessment,
            )
        )
    enrollments = Enrollment.objects.bulk_create(rows)
    EnrollmentAmount.objects.bulk_create(
        EnrollmentAmount(
            enrollment=e,
            amount=e.monthly_amount,
            effective_month=start,
            reason="审批纳入保障",
            assessment=assessment,
        )
        for e in enrollments
    )
    return enrollments


@transaction.atomic
def application_reject(
    *, application: Application, by: User, reasons: str, request=None
) -> Decision:
    """Reject (不予批准) with written reasons, sent to the household (SPEC §6)."""
    _decide_checks(application, by, reasons)
    assessment = application.assessments.order_by("-created_at").first()
    decision = Decision.objects.create(
        application=application,
        assessment=assessment,
        outcome=Decision.Outcome.REJECTED,
        reasons=reasons.strip(),
        decided_by=by,
    )
    application.decided_at = timezone.now()
    application.due_on = None
    application.due_for = ""
    application_step(application, "reject", by=by, request=request, reason=reasons.strip())
    notify_household(application, _("您的救助申请不予批准，理由：%(r)s") % {"r": reasons.strip()})
    return decision


@transaction.atomic
def county_visit_record(*, application: Application, by: User, request=None) -> Application:
    """The county's own home visit, required for a close relative of staff (近亲属备案)."""
    _approver(by, application)
    application.county_visit_done = True
    application.save(update_fields=["county_visit_done"])
    return application


def assessment_preview_for(application: Application) -> dict[str, Any]:
    """What the rules engine would propose now (not frozen): shown on the case page."""
    on = today()
    inputs = assessment_inputs(application)
    standards = standards_in_force(region=application.village, area=inputs["area"], on=on)
    return _result_json(_run(inputs, standards.parameters, on))
