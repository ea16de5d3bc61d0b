"""Demo data for the fund-anomaly checks (issue 11 item 6): one case of each check among the
demo's households and payroll, then the nightly job once, so the supervisor's list has work.

- A death recorded late, through the township's own service: 张村镇 learns from the cremation
  records that a payee died three months ago; the two months already paid after the death are
  on the supervisor's list (死亡后仍发放).
- A 单人保 enrollment beside the household's own 低保 (an import from the old system).
- A close relative of staff (近亲属备案) found after the approval, never visited by the county.
- A ledger amount typed by hand, off the rules engine's result.
- Two households of 环翠区 paid to one account.

Idempotent: nothing is planted twice (the checks' findings are unique anyway).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from applicants.models import Application, Person, User
from eligibility.models import Category, Enrollment, EnrollmentAmount
from eligibility.services.enrollments import add_months, this_month
from eligibility.services.members import member_remove
from integrity import checks
from integrity.models import AnomalyFinding
from payments.models import Line

ZHANGCUN = "371002001"
COUNTY = "371002"


def _single_payee_paid_lately() -> Person | None:
    """An applicant of 张村镇 living alone, paid in each of the last two months."""
    month = this_month()
    recent = [add_months(month, -2), add_months(month, -1)]
    candidates = (
        Person.objects.filter(
            relation="applicant",
            status="living",
            household__village__parent__code=ZHANGCUN,
            payment_lines__status=Line.Status.PAID,
            payment_lines__month=recent[0],
        )
        .filter(payment_lines__status=Line.Status.PAID, payment_lines__month=recent[1])
        .distinct()
        .order_by("pk")
    )
    for person in candidates[:50]:
        if person.household.members.filter(status="living").count() == 1:
            return person
    return candidates.first()


@transaction.atomic
def seed_anomalies() -> int:
    """Plant one case of each check and run them; returns the findings made (0: already)."""
    if AnomalyFinding.objects.exists():
        return 0
    caseworker = User.objects.get(username="caseworker")
    admin = User.objects.get(username="admin")
    month = this_month()

    payee = _single_payee_paid_lately()
    if payee is not None:
        member_remove(
            person=payee,
            by=caseworker,
            status=Person.Status.DECEASED,
            on=add_months(month, -3).replace(day=10),
            reason="演示数据：火化信息比对发现，死亡登记滞后",
        )

    household_dibao = (
        Enrollment.objects.filter(
            status="active",
            person__isnull=True,
            policy_code="dibao",
            household__village__path__contains=f"/{COUNTY}/",
        )
        .exclude(household__members=payee)
        .select_related("household")
        .order_by("pk")
    )
    whole = list(household_dibao[:3])
    if whole:
        member = whole[0].household.members.filter(status="living").order_by("pk").first()
        if (
            member is not None
            and not Enrollment.objects.filter(
                person=member, status="active", category__code="dibao"
            ).exists()
        ):
            Enrollment.objects.create(
                household=whole[0].household,
                person=member,
                category=Category.objects.get(code="dibao"),
                policy_code="dibao_single",
                monthly_amount=Decimal("300.00"),
                start_month=whole[0].start_month,
                decision=whole[0].decision,
                assessment=whole[0].assessment,
            )

    used = [e.household_id for e in whole] + ([payee.household_id] if payee else [])
    relative = (
        Application.objects.filter(
            state="enrolled",
            close_relative=False,
            household__enrollments__status="active",
            household__enrollments__monthly_amount__gt=0,
        )
        .exclude(household_id__in=used)
        .order_by("-pk")
        .first()
    )
    if relative is not None:
        Application.objects.filter(pk=relative.pk).update(close_relative=True)

    if len(whole) > 1:
        enrollment = whole[1]
        EnrollmentAmount.objects.create(
            enrollment=enrollment,
            amount=enrollment.monthly_amount + Decimal("120.00"),
            previous_amount=enrollment.monthly_amount,
            effective_month=month,
            reason="演示数据：手工调整，未经测算",
            assessment=enrollment.assessment,
            created_by=admin,
        )

    if len(whole) > 2:
        holders = [
            e.household.members.filter(relation="applicant", status="living").first()
            for e in whole[1:3]
        ]
        if all(h is not None and h.bank_account for h in holders):
            Person.objects.filter(pk=holders[1].pk).update(
                bank_name=holders[0].bank_name, bank_account=holders[0].bank_account
            )

    return sum(r.found for r in checks.checks_run_all())
