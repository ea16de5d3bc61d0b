"""Enrolled households made fast for re-evaluation tests: frozen inputs as the workflow makes."""

import datetime as dt
import random
from decimal import Decimal

from applicants.models import Application, Household, Person, Region
from eligibility import rules
from eligibility.models import Assessment, Category, Decision, Enrollment, EnrollmentAmount
from eligibility.selectors import standards_in_force
from eligibility.services import household_from_input
from tests.factories import id_number_for


def make_enrollments(*, count: int, admin, on=dt.date(2020, 12, 1), seed=1) -> dict:
    """``count`` 低保 households alternating over urban and rural villages of two counties."""
    rng = random.Random(seed)
    villages = [
        Region.objects.get(code=c)
        for c in ("371002001001", "371002001002", "371083001001", "371083002002")
    ]
    dibao = Category.objects.get(code="dibao")
    made = {"urban": 0, "rural": 0}
    serial = 5000
    for i in range(count):
        village = villages[i % len(villages)]
        size = rng.randint(1, 3)
        household = Household.objects.create(village=village)
        members = []
        for j in range(size):
            serial += 1
            # id_number_for cycles its serial every 499; the birth year keeps numbers unique.
            birth = dt.date(1950 + serial // 499, 1 + j, 10)
            person = Person.objects.create(
                household=household,
                relation="applicant" if j == 0 else "child" if j > 1 else "spouse",
                name=f"户{i}员{j}",
                id_number=id_number_for(serial, birth=birth),
                birth_date=birth,
                sex="M",
                monthly_income=Decimal(rng.choice([0, 50, 100, 150])),
            )
            members.append(
                {
                    "person_id": person.pk,
                    "relation": person.relation,
                    "birth_date": birth.isoformat(),
                    "monthly_income": str(person.monthly_income),
                    "disability_grade": None,
                    "disability_type": None,
                    "serious_illness": False,
                    "self_care": "full",
                    "in_school": False,
                }
            )
        inputs = {
            "area": village.area,
            "members": members,
            "assets": {},
            "rigid_expenditure_12m": {},
            "supporter": {},
            "hardship": None,
        }
        standards = standards_in_force(region=village, area=village.area, on=on)
        h = household_from_input(
            area=village.area,
            on=on,
            members=[{**m, "birth_date": dt.date.fromisoformat(m["birth_date"])} for m in members],
            assets={},
            rigid_expenditure={},
            supporter={},
            hardship=None,
        )
        amount = rules.dibao(h, standards.parameters).monthly_amount
        app = Application.objects.create(
            household=household, village=village, channel="window", created_by=admin, data={}
        )
        assessment = Assessment.objects.create(
            application=app,
            household=household,
            on=on,
            inputs=inputs,
            parameters={},
            result={},
            created_by=admin,
        )
        decision = Decision.objects.create(
            application=app,
            assessment=assessment,
            outcome="approved",
            reasons="测试",
            decided_by=admin,
        )
        enrollment = Enrollment.objects.create(
            household=household,
            category=dibao,
            policy_code="dibao",
            monthly_amount=amount,
            start_month=dt.date(2021, 1, 1),
            decision=decision,
            assessment=assessment,
        )
        EnrollmentAmount.objects.create(
            enrollment=enrollment,
            amount=amount,
            effective_month=dt.date(2021, 1, 1),
            reason="审批纳入保障",
            assessment=assessment,
        )
        made[village.area] += 1
    return made
