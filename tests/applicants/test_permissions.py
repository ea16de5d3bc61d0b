"""Who may do what (SPEC §1, issue 14 item 1): one table over roles × actions, in scope."""

import pytest

from applicants import permissions
from applicants.models import Region, Role

pytestmark = pytest.mark.django_db

VILLAGE = "371002001002"  # 张村镇东村, 环翠区

#: action → the roles (in scope) that may do it; every other role may not
ALLOWED = {
    "can_report_change": {Role.CASEWORKER, Role.VILLAGE_ASSISTANT, Role.ADMIN},
    "can_change_members": {Role.CASEWORKER, Role.ADMIN},
    "can_record_work_refusal": {Role.CASEWORKER, Role.ADMIN},
    "can_close_review": {Role.CASEWORKER, Role.ADMIN},
    "can_confirm_review": {Role.APPROVER, Role.ADMIN},
    "can_work_case": {Role.CASEWORKER, Role.ADMIN},
    "can_decide_case": {Role.APPROVER, Role.ADMIN},
    "can_approve_temporary_locally": {Role.CASEWORKER, Role.ADMIN},
}

SCOPES = {
    Role.CITIZEN: None,
    Role.VILLAGE_ASSISTANT: "371002001002",
    Role.CASEWORKER: "371002001",
    Role.APPROVER: "371002",
    Role.SUPERVISOR: "371000",
    Role.DEPARTMENT: None,
    Role.ORGANIZATION: None,
    Role.ADMIN: None,
}
#: the same roles one region over: nobody acts outside their scope
ELSEWHERE = {
    Role.VILLAGE_ASSISTANT: "371002001001",
    Role.CASEWORKER: "371002002",
    Role.APPROVER: "371003",
}


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_each_role_may_do_exactly_what_spec_section_1_says(action, make_user):
    village = Region.objects.get(code=VILLAGE)
    check = getattr(permissions, action)
    for role, region in SCOPES.items():
        user = make_user(role, region, username=f"{role}-{action}")
        assert check(user, village) is (role in ALLOWED[action]), (role, action)
    for role, region in ELSEWHERE.items():
        user = make_user(role, region, username=f"away-{role}-{action}")
        assert check(user, village) is False, (role, action, "out of scope")


def test_the_supervisor_reads_everything_and_acts_on_nothing(make_user):
    village = Region.objects.get(code=VILLAGE)
    supervisor = make_user(Role.SUPERVISOR, "371000", username="sup-table")
    assert not any(getattr(permissions, a)(supervisor, village) for a in ALLOWED)


def test_documents_and_submission_belong_to_the_household_and_township(make_user, accounts):
    from applicants.models import Application

    village = Region.objects.get(code=VILLAGE)
    app = Application.objects.create(
        village=village, channel="window", created_by=accounts["caseworker"], data={}
    )
    assert permissions.can_act_for_applicant(accounts["caseworker"], app)
    assert permissions.can_act_for_applicant(accounts["village"], app)
    assert not permissions.can_act_for_applicant(accounts["supervisor"], app)
    assert not permissions.can_act_for_applicant(accounts["approver"], app)
    assert not permissions.can_act_for_applicant(accounts["caseworker2"], app)
    assert not permissions.can_act_for_applicant(accounts["citizen"], app)


#: page gates and role-only questions: role → answer (in scope, as in SCOPES)
GATES = {
    "can_read_cases": {
        Role.VILLAGE_ASSISTANT,
        Role.CASEWORKER,
        Role.APPROVER,
        Role.SUPERVISOR,
        Role.ADMIN,
    },
    "can_act_on_cases": {Role.VILLAGE_ASSISTANT, Role.CASEWORKER, Role.APPROVER, Role.ADMIN},
    "can_read_overdue": {Role.APPROVER, Role.SUPERVISOR, Role.ADMIN},
    "can_read_reevaluations": {Role.SUPERVISOR, Role.ADMIN},
    "can_register_households": {Role.VILLAGE_ASSISTANT, Role.CASEWORKER, Role.ADMIN},
    "can_file_for": {Role.CITIZEN, Role.VILLAGE_ASSISTANT, Role.CASEWORKER, Role.ADMIN},
}


@pytest.mark.parametrize("gate", sorted(GATES))
def test_page_gates_follow_spec_section_1(gate, make_user):
    check = getattr(permissions, gate)
    for role, region in SCOPES.items():
        user = make_user(role, region, username=f"{role}-{gate}")
        assert check(user) is (role in GATES[gate]), (role, gate)


def test_registering_and_filing_stay_inside_the_region(make_user):
    village = Region.objects.get(code=VILLAGE)
    for role, region in ELSEWHERE.items():
        user = make_user(role, region, username=f"far-{role}")
        assert not permissions.can_register_households(user, village), role
        assert not permissions.can_file_for(user, village), role
    assert permissions.can_file_for(make_user(Role.CITIZEN, None, username="c-any"), village)
