import datetime as dt

import pytest

from applicants.models import Person, Region, Role
from payments.models import Batch, BatchChunk
from payments.services import batches
from tests.eligibility.enrollments import make_enrollments

HUANCUI = "371002"


@pytest.fixture
def catalog(regions):
    from eligibility import demo

    demo.seed()


@pytest.fixture
def approvers(accounts, make_user):
    """Two approvers of 环翠区: one orders the payroll, the other approves it (four eyes)."""
    return accounts["approver"], make_user(role=Role.APPROVER, region_code=HUANCUI)


def with_accounts(bank="威海市商业银行"):
    """Give every applicant a social-security card account."""
    for person in Person.objects.filter(relation="applicant", bank_account=""):
        person.bank_name = bank
        person.bank_account = f"6217{person.pk:012d}"
        person.save(update_fields=["bank_name", "bank_account"])


@pytest.fixture
def enrolled(catalog, accounts):
    """Twelve 低保 households in two counties (six in 环翠区), each with an account."""
    made = make_enrollments(count=12, admin=accounts["admin"])
    with_accounts()
    return made


def county(code=HUANCUI) -> Region:
    return Region.objects.get(code=code)


def generate(batch: Batch) -> Batch:
    """What the worker does: every chunk, then the finish."""
    for chunk in BatchChunk.objects.filter(batch=batch).order_by("first_id"):
        batches.chunk_process(chunk_id=chunk.pk)
    batches.batch_finish(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def payroll(user, month: dt.date, code=HUANCUI, chunk_size=0) -> Batch:
    batch = batches.batch_start(county=county(code), month=month, user=user, chunk_size=chunk_size)
    return generate(batch)


def ledger_row(enrollment, amount, month, reason="测试：台账变更"):
    """A ledger row as the one writer of amounts leaves it (a change from ``month``)."""
    from eligibility.models import EnrollmentAmount

    return EnrollmentAmount.objects.create(
        enrollment=enrollment,
        amount=amount,
        effective_month=month,
        reason=reason,
        assessment_id=enrollment.assessment_id,
    )


@pytest.fixture
def grant(catalog, accounts, make_user):
    """An approved 临时救助 grant of 2000.00 for a household of 张村镇 (through the workflow)."""
    from eligibility.models import TemporaryGrant
    from eligibility.services import cases as workflow
    from tests.eligibility.test_temporary import temporary_case
    from tests.eligibility.test_workflow import after_notice, to_notice

    staff = {
        "caseworker": accounts["caseworker"],
        "approver": accounts["approver"],
        "caseworker_b": make_user(Role.CASEWORKER, "371002001", username="cw-b"),
    }
    app = to_notice(staff, temporary_case(staff))
    after_notice(app)
    workflow.application_approve(
        application=app, by=staff["caseworker_b"], reasons="突发大额支出", temporary_amount="2000"
    )
    return TemporaryGrant.objects.get(application=app)
