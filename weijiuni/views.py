"""Start pages per role (the supervisor's dashboard: ``weijiuni.dashboard``)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from applicants.models import Role

START_PAGE = {
    Role.CITIZEN: "my_household",
    # staff land on their work: the inbox (the approver's shows what awaits their decision)
    Role.VILLAGE_ASSISTANT: "case_inbox",
    Role.CASEWORKER: "case_inbox",
    Role.APPROVER: "case_inbox",
    Role.SUPERVISOR: "dashboard",
    Role.DEPARTMENT: "department_home",
    Role.ORGANIZATION: "organization_home",
    Role.ADMIN: "dashboard",
}


@login_required
def home(request):
    role = Role.ADMIN if request.user.is_superuser else request.user.role
    return redirect(START_PAGE[role])
