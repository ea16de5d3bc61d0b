import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import PersonFactory


@pytest.fixture
def trail(accounts):
    """At least one row in every table of the audit trail, made as the workflow would leave them.

    Built from the models directly (not the case services, which are being rewritten): what is
    tested here is the tables' protection, not how rows get there.
    """
    from applicants.models import Application, ApplicationTransition
    from eligibility import demo
    from eligibility.models import (
        Assessment,
        Category,
        Decision,
        Enrollment,
        EnrollmentAmount,
        Review,
    )
    from integrity import services
    from integrity.models import TrailArchive

    demo.seed()  # categories and standards (StandardEvent rows)
    admin = accounts["admin"]
    person = PersonFactory()  # HouseholdEvent, PersonEvent
    household = person.household
    app = Application.objects.create(
        household=household, village=household.village, channel="window", created_by=admin, data={}
    )
    ApplicationTransition.objects.create(
        application=app, action="submit", source="draft", target="submitted", by=admin
    )
    assessment = Assessment.objects.create(
        application=app,
        household=household,
        on=timezone.localdate(),
        inputs={},
        parameters={},
        result={},
        created_by=admin,
    )
    decision = Decision.objects.create(
        application=app, assessment=assessment, outcome="approved", reasons="测试", decided_by=admin
    )
    enrollment = Enrollment.objects.create(
        household=household,
        category=Category.objects.get(code="dibao"),
        policy_code="dibao",
        monthly_amount=Decimal("288.00"),
        start_month=dt.date(2026, 1, 1),
        decision=decision,
        assessment=assessment,
    )
    EnrollmentAmount.objects.create(
        enrollment=enrollment,
        amount=Decimal("288.00"),
        effective_month=dt.date(2026, 1, 1),
        reason="审批纳入保障",
        assessment=assessment,
    )
    Review.objects.create(household=household, kind="periodic", due_on=timezone.localdate())
    _referral(household, enrollment)
    services.access_log_record(user=admin, object_type="person", object_ids=[person.pk])
    services.commitment_record(application=app, persons=[person], channel="window", by=admin)
    _payments(admin, household, enrollment)
    _finding(admin, household, person)
    _integrity(admin, app, household, person)
    TrailArchive.objects.create(
        table="integrity_accesslog",
        until=timezone.now(),
        rows=0,
        path="/dev/null",
        sha256="0" * 64,
        size=0,
    )
    return {"admin": admin, "person": person, "application": app, "enrollment": enrollment}


def _referral(household, enrollment) -> None:
    """A referral to a department (政策找人, issue 12): its ReferralEvent row."""
    from eligibility.models import Policy, Referral

    policy = Policy.objects.get(code="medical_assistance")
    Referral.objects.create(
        household=household,
        policy=policy,
        department=policy.department,
        category=enrollment.category,
        enrollment=enrollment,
    )


def _integrity(admin, app, household, person) -> None:
    """A notice with an objection answered, a complaint, a dishonesty record removed, and a
    refused attempt: rows (and history events) in every table of issue 11."""
    from integrity import services
    from integrity.models import RefusedAttempt

    notice = services.public_notice_open(
        application=app,
        closes_on=timezone.localdate(),
        masked_name="张*",
        household_size=1,
        category="dibao",
        monthly_amount=Decimal("288.00"),
        by=admin,
    )
    objection = services.objection_record(notice=notice, text="收入不实", by=admin)
    services.objection_answer(objection=objection, answer="经复查属实", by=admin)
    complaint = services.complaint_file(
        kind="slowness", content="审批超期", source="citizen", answer_due_on=timezone.localdate()
    )
    services.complaint_answer(complaint=complaint, answer="已督办", by=admin)
    record = services.dishonesty_record(
        household=household,
        person=person,
        reason="隐瞒收入",
        amount_obtained=Decimal("100.00"),
        fine_multiple=Decimal("1.0"),
        fine_amount=Decimal("100.00"),
        source="test:1",
        by=admin,
    )
    services.dishonesty_remove(record=record, reasons="复议撤销", by=admin)
    services.refused_attempt_record(kind=RefusedAttempt.Kind.AUDIT_EDIT, user=admin)


def _payments(admin, household, enrollment) -> None:
    """A batch, a line changed by reconciliation, a receivable and a repayment (their events)."""
    from applicants.models import Region
    from payments.models import Batch, Line, Receivable, Repayment

    county = Region.objects.get(code=household.village.path.split("/")[1])
    batch = Batch.objects.create(
        county=county, month=dt.date(2026, 1, 1), created_by=admin, state="draft"
    )
    line = Line.objects.create(
        batch=batch,
        kind="regular",
        enrollment=enrollment,
        household=household,
        township=household.village.parent,
        category="dibao",
        month=dt.date(2026, 1, 1),
        due_amount=Decimal("288.00"),
        amount=Decimal("288.00"),
        status="pending",
    )
    Line.objects.filter(pk=line.pk).update(bank_account="6217000000000001")  # a hand edit
    receivable = Receivable.objects.create(
        household=household,
        reason="review",
        schedule="repay",
        total=Decimal("288.00"),
        balance=Decimal("288.00"),
    )
    Repayment.objects.create(
        receivable=receivable,
        amount=Decimal("1.00"),
        paid_on=dt.date(2026, 2, 1),
        recorded_by=admin,
    )


def _finding(admin, household, person) -> None:
    """An anomaly finding the supervisor concluded (its history event)."""
    from applicants.models import Region
    from integrity.models import AnomalyFinding

    county = Region.objects.get(code=household.village.path.split("/")[1])
    finding = AnomalyFinding.objects.create(
        kind="paid_after_death", subject=f"person:{person.pk}", region=county, household=household
    )
    AnomalyFinding.objects.filter(pk=finding.pk).update(
        status="confirmed", note="已查实", resolved_by=admin
    )


def trail_tables() -> list[str]:
    """Every append-only table: the trail registry, every pghistory event table, the manifest."""
    from integrity.models import TrailArchive
    from integrity.trail import trail_models

    return [model._meta.db_table for model, _ in trail_models()] + [TrailArchive._meta.db_table]


@pytest.fixture
def staff(accounts):
    """The demo accounts with the catalog and standards a case needs."""
    from eligibility import demo as eligibility_demo

    eligibility_demo.seed()
    return accounts
