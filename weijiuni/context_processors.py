"""The navigation each role sees (SPEC §1)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from applicants.models import Role

_NAV = {
    Role.CITIZEN: [("my_household", _("我的家庭")), ("selfcheck", _("我能申请什么"))],
    Role.VILLAGE_ASSISTANT: [("households", _("家庭档案")), ("household_register", _("代办登记"))],
    Role.CASEWORKER: [("households", _("家庭档案")), ("household_register", _("家庭登记"))],
    Role.APPROVER: [("households", _("家庭档案"))],
    Role.SUPERVISOR: [("dashboard", _("督导看板")), ("households", _("家庭档案"))],
    Role.DEPARTMENT: [("department_home", _("部门工作台")), ("policies", _("政策目录"))],
    Role.ORGANIZATION: [("organization_home", _("社会组织")), ("policies", _("政策目录"))],
    Role.ADMIN: [
        ("dashboard", _("督导看板")),
        ("households", _("家庭档案")),
        ("household_register", _("家庭登记")),
    ],
}


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    role = Role.ADMIN if user.is_superuser else user.role
    items = []
    for name, label in _NAV.get(role, []):
        try:
            items.append({"url": reverse(name), "label": label, "name": name})
        except NoReverseMatch:  # a page not built yet is left out of the menu
            continue
    return {"nav_items": items, "role_label": Role(role).label}
