"""临时救助 as a case (issue 8): sized within the range, township or county by the limit,
paid once; an emergency paid first and documented after (先行救助)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from applicants.errors import DomainError
from applicants.models import Role
from eligibility.models import Enrollment, TemporaryGrant
from eligibility.services import cases as workflow
from eligibility.services import temporary
from tests.eligibility.test_workflow import after_notice, draft_data, filed, to_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(accounts, make_user):
    return {
        "caseworker": accounts["caseworker"],
        "approver": accounts["approver"],
        "caseworker_b": make_user(Role.CASEWORKER, "371002001", username="cw-b"),
    }


def temporary_case(staff, kind="expenditure"):
    """张村镇西村 (rural, 588): the rules allow 1764.00–7056.00 (3–12 ×)."""
    data = draft_data(requested="temporary", hardship={"type": kind})
    return filed(staff, data=data)


def test_township_approves_within_its_limit_and_it_is_paid_once(staff, catalog):
    app = to_notice(staff, temporary_case(staff))
    after_notice(app)
    with pytest.raises(DomainError, match="1764.00 至 7056.00"):
        workflow.application_approve(
            application=app, by=staff["caseworker_b"], reasons="急需", temporary_amount="100"
        )
    workflow.application_approve(
        application=app, by=staff["caseworker_b"], reasons="突发大额支出", temporary_amount="2000"
    )
    grant = TemporaryGrant.objects.get(application=app)
    assert grant.amount == Decimal("2000.00") and grant.status == "approved"
    assert not Enrollment.objects.exists()  # paid once, not enrolled
    app.refresh_from_db()
    assert app.state == "approved"
    with pytest.raises(DomainError):
        workflow.application_approve(
            application=app, by=staff["approver"], reasons="再批", temporary_amount="2000"
        )
    assert TemporaryGrant.objects.count() == 1


def test_above_the_township_limit_only_the_county_approves(staff, catalog):
    app = to_notice(staff, temporary_case(staff))
    after_notice(app)
    with pytest.raises(DomainError, match="县级审批人"):
        workflow.application_approve(
            application=app, by=staff["caseworker_b"], reasons="重病", temporary_amount="5000"
        )
    workflow.application_approve(
        application=app, by=staff["approver"], reasons="重病", temporary_amount="5000.00"
    )
    assert TemporaryGrant.objects.get().amount == Decimal("5000.00")


def test_the_proposer_cannot_approve_their_own_case(staff, catalog):
    app = to_notice(staff, temporary_case(staff))
    after_notice(app)
    with pytest.raises(DomainError, match="不能同时"):
        workflow.application_approve(
            application=app, by=staff["caseworker"], reasons="x", temporary_amount="2000"
        )


def test_emergency_is_paid_first_and_the_decision_completes_the_file(staff, catalog):
    app = temporary_case(staff, kind="emergency")
    from applicants import applications as intake

    intake.application_accept(application=app, by=staff["caseworker"])
    with pytest.raises(DomainError, match="只有急难型"):
        workflow.application_advance(
            application=temporary_case_other(staff),
            by=staff["caseworker"],
            amount="2000",
            reasons="火灾",
        )
    grant = workflow.application_advance(
        application=app, by=staff["caseworker"], amount="2000", reasons="火灾"
    )
    assert grant.advance and grant.file_due_on > timezone.localdate()
    assert list(temporary.advances_overdue(user=staff["approver"])) == []
    later = grant.file_due_on + dt.timedelta(days=1)
    assert list(temporary.advances_overdue(user=staff["approver"], today=later)) == [grant]
    app.refresh_from_db()
    app = to_notice(staff, app)
    after_notice(app)
    workflow.application_approve(application=app, by=staff["caseworker_b"], reasons="补齐材料")
    grant.refresh_from_db()
    assert grant.file_completed_at is not None and TemporaryGrant.objects.count() == 1
    assert list(temporary.advances_overdue(user=staff["approver"], today=later)) == []


def temporary_case_other(staff):
    data = draft_data(requested="temporary", hardship={"type": "expenditure"})
    data["members"] = [{**data["members"][0], "id_number": _other_id()}]
    app = filed(staff, data=data)
    from applicants import applications as intake

    intake.application_accept(application=app, by=staff["caseworker"])
    return app


def _other_id():
    from tests.factories import id_number_for

    return id_number_for(77, birth=dt.date(1975, 5, 5), male=True)
