"""Demo cases (SPEC §12): applications in every state of the workflow, driven through the same
services a caseworker uses, so the demo data obeys every rule. Idempotent: a household's demo
case is keyed by its submission key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from applicants import applications as intake
from applicants.errors import DomainError
from applicants.models import Application, Household, TimeLimit, User, time_limit
from applicants.workdays import add_workdays

from .services import cases, temporary

#: how far each demo case goes, in order; cycled over the demo households
STAGES = [
    "draft",
    "submitted",
    "accepted",
    "verifying",
    "surveyed",
    "proposed",
    "public_notice",
    "enrolled",
    "enrolled",
    "enrolled",
    "rejected",
    "returned",
    "withdrawn",
    "temporary",
    "advance",
    # issue 13: the approver has decisions to make, and every ending has a case to look at
    "notice_ended",
    "notice_ended",
    "terminated",
    "stopped",
    "exited",
]


def _data(household: Household) -> dict:
    return {
        "village": household.village.code,
        "address": household.address,
        "requested": "dibao",
        "members": [
            {
                "relation": p.relation,
                "name": p.name,
                "id_number": p.id_number,
                "monthly_income": str(p.monthly_income),
                "phone": p.phone,
                "disability_grade": p.disability_grade,
                "disability_type": p.disability_type,
                "serious_illness": p.serious_illness,
                "self_care": p.self_care,
                "in_school": p.in_school,
                "bank_account": p.bank_account,
            }
            for p in household.members.order_by("id")
        ],
        "assets": {"financial": "0", "houses": "1", "vehicles": "0"},
    }


def _advance(household: Household, stage: str, staff: dict[str, User]) -> None:
    cw = staff.get(household.village.parent.code) or staff["admin"]
    approver = staff.get(household.village.parent.parent.code) or staff["admin2"]
    data = _data(household)
    if stage in ("temporary", "advance"):
        kind = "emergency" if stage == "advance" else "expenditure"
        data.update(requested="temporary", hardship={"type": kind})
    app = intake.application_draft_save(by=cw, data=data, submission_key=f"demo-{household.pk}")
    if stage == "draft":
        return
    signers = [m["id_number"] for m in app.data["members"]]
    intake.application_submit(application=app, by=cw, signers=signers)
    if stage == "submitted":
        return
    if stage == "returned":
        intake.application_return(
            application=app, by=cw, missing_items=["户口簿复印件", "近6个月收入证明"]
        )
        return
    if stage == "withdrawn":
        intake.application_withdraw(application=app, by=cw, reason="家庭情况好转")
        return
    intake.application_accept(application=app, by=cw)
    if stage == "terminated":
        intake.application_terminate(
            application=app, by=cw, reasons="申请人拒绝配合入户调查，经两次告知仍不配合"
        )
        return
    if stage == "accepted":
        return
    if stage == "advance":  # 先行救助: paid first, the file still to complete
        grant_range = temporary.temporary_result(cases.assessment_preview_for(app))
        amount = grant_range["min_amount"]
        local = Decimal(amount) <= temporary.township_limit(app.village)
        cases.application_advance(
            application=app, by=cw if local else approver, amount=amount, reasons="火灾后无住处"
        )
        return
    cases.application_verify(application=app, by=cw)
    # confirmed as declared (no data-source report yet for these seeded cases): never zeros
    cases.verification_confirm(
        application=app, by=cw, summary="银行、不动产、车辆、工商核对无异常", values={}, reasons={}
    )
    if stage == "verifying":
        return
    cases.application_survey(
        application=app,
        by=cw,
        visited_on=timezone.localdate(),
        staff=["王强", "赵敏"],
        findings="家庭情况与申报一致",
        signed=True,
    )
    if stage == "surveyed":
        return
    cases.application_propose(application=app, by=cw, opinion="建议按规则测算结果办理")
    if stage == "proposed":
        return
    cases.public_notice_open(application=app, by=cw)
    if stage == "public_notice":
        return
    if stage == "notice_ended":  # the 7 days are over: waiting for the county's decision
        Application.objects.filter(pk=app.pk).update(
            notice_closes_on=timezone.localdate() - dt.timedelta(days=1)
        )
        return
    # Decided cases had their notice some days ago.
    Application.objects.filter(pk=app.pk).update(
        notice_closes_on=timezone.localdate() - dt.timedelta(days=1)
    )
    app.refresh_from_db()
    if stage == "temporary":
        result = temporary.temporary_result(app.assessments.order_by("-created_at").first())
        cases.application_approve(
            application=app,
            by=approver,
            reasons="突发大额医疗支出，经调查属实",
            temporary_amount=result["min_amount"],
        )
        return
    if stage in ("stopped", "exited"):
        try:
            cases.application_approve(
                application=app, by=approver, reasons="经调查核实、公示无异议，符合条件"
            )
        except DomainError:
            return
        _end_enrollment(app, stage, cw, approver)
        return
    if stage == "enrolled":
        try:
            cases.application_approve(
                application=app, by=approver, reasons="经调查核实、公示无异议，符合条件"
            )
            return
        except DomainError:
            app.refresh_from_db()  # the rules say no: the county rejects with its reasons
    cases.application_reject(
        application=app, by=approver, reasons="家庭人均收入高于当地低保标准，不符合条件"
    )


def _end_enrollment(app: Application, stage: str, cw: User, approver: User) -> None:
    """A review found work (渐退, 3 months) or a change that ends the guarantee (停保),
    proposed by the township and confirmed by the county, as in a real case."""
    from .services import reviews

    household = app.household
    review = reviews.review_report_change(
        household=household,
        by=cw,
        kind="change",
        description="家庭成员稳定就业" if stage == "exited" else "家庭收入明显增加",
    )
    start = household.enrollments.order_by("start_month").first().start_month
    reviews.review_close(
        review=review,
        by=cw,
        outcome="gradual_exit" if stage == "exited" else "stop",
        reasons="已稳定就业，按规定渐退" if stage == "exited" else "家庭人均收入已高于低保标准",
        effective_month=max(timezone.localdate().replace(day=1), start),
        exit_months=3 if stage == "exited" else None,
    )
    reviews.review_confirm(review=review, by=approver, reasons="经核实，同意")


def _staff() -> dict[str, User]:
    """A caseworker per township and an approver per county (made on demand, demo only)."""
    from applicants.demo import DEMO_PASSWORD
    from applicants.models import Region, Role

    staff = {"admin": User.objects.get(username="admin")}
    admin2, created = User.objects.get_or_create(
        username="admin-demo-decider", defaults={"role": Role.ADMIN, "first_name": "演示审批"}
    )
    if created:
        admin2.set_unusable_password()
        admin2.save()
    staff["admin2"] = admin2
    for region in Region.objects.filter(level__in=["township", "county"]):
        role = Role.CASEWORKER if region.level == "township" else Role.APPROVER
        user = User.objects.filter(role=role, region=region).order_by("id").first()
        if user is None:
            user = User.objects.create(
                username=f"{role}-{region.code}",
                role=role,
                region=region,
                first_name=f"{region.name}{Role(role).label}",
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        staff[region.code] = user
    return staff


def seed_cases(limit: int = 260) -> int:
    """Give up to ``limit`` demo households a case at some stage; returns how many were made."""
    done = set(
        Application.objects.filter(submission_key__startswith="demo-").values_list(
            "household_id", flat=True
        )
    )
    staff = _staff()
    households = (
        Household.objects.exclude(members__user__isnull=False)
        .select_related("village__parent__parent")
        .order_by("id")[:limit]
    )
    made = 0
    for i, household in enumerate(households):
        if household.pk in done:
            continue
        with transaction.atomic():
            _advance(household, STAGES[i % len(STAGES)], staff)
        made += 1
    _make_some_overdue()
    _demo_reviews(staff)
    from .demo_categories import seed_categories

    return made + seed_categories(staff)


def _demo_reviews(staff: dict[str, User]) -> None:
    """In the demo caseworker's township: a reported change waiting for its review, and a
    gradual exit the township proposed, waiting for the demo approver to confirm."""
    from applicants.models import Region

    from .models import Enrollment, Review
    from .services import reviews

    township = Region.objects.get(code="371002001")  # 张村镇
    # idempotent: the open ones below (the ended enrollments' reviews are closed)
    if Review.objects.filter(
        household__village__parent=township, kind="change", status="open"
    ).exists():
        return
    cw = staff.get(township.code) or staff["admin"]
    households = (
        Enrollment.objects.filter(status="active", household__village__parent=township)
        .exclude(household__reviews__status="closed")
        .values_list("household_id", flat=True)
        .distinct()
        .order_by("household_id")[:2]
    )
    for n, household_id in enumerate(households):
        household = Household.objects.get(pk=household_id)
        review = reviews.review_report_change(
            household=household,
            by=cw,
            kind="change",
            description="申请人在镇上找到保洁工作" if n else "家庭成员外出务工有收入",
        )
        if n == 0:
            reviews.review_close(
                review=review,
                by=cw,
                outcome="gradual_exit",
                reasons="已稳定就业，按规定渐退",
                effective_month=max(
                    timezone.localdate().replace(day=1),
                    household.enrollments.order_by("start_month").first().start_month,
                ),
                exit_months=3,
            )


def _make_some_overdue() -> None:
    """A few open cases whose time limit passed, so the supervisor's list is not empty."""
    # Submitted and accepted 45 days ago, so that their dates, their letters (受理通知书: "应于…前
    # 办结") and their time limits tell one story.
    accepted = timezone.now() - dt.timedelta(days=45)
    on = timezone.localdate(accepted)
    late = Application.objects.filter(state="accepted", submission_key__startswith="demo-")
    for app in late.order_by("id")[:3]:
        Application.objects.filter(pk=app.pk).update(
            submitted_at=accepted - dt.timedelta(days=1),
            accepted_at=accepted,
            due_on=add_workdays(on, time_limit(TimeLimit.Code.INVESTIGATION_DAYS, on)),
            case_due_on=add_workdays(on, time_limit(TimeLimit.Code.CASE_DAYS, on)),
        )
