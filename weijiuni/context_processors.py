"""The navigation each role sees (SPEC §1)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from applicants.models import Role

_PUBLIC = [
    ("selfcheck", _("我能申请什么")),
    ("policies", _("政策目录")),
    ("resources", _("信息资源目录")),
    ("notices", _("救助公示")),
    ("complaint_new", _("投诉举报")),
    ("login", _("登录")),
]

_NAV = {
    Role.CITIZEN: [
        ("my_household", _("我的家庭")),
        ("apply", _("申请救助")),
        ("my_payments", _("我的发放")),
        ("selfcheck", _("我能申请什么")),
        ("notices", _("救助公示")),
    ],
    Role.VILLAGE_ASSISTANT: [
        ("households", _("家庭档案")),
        ("apply", _("代办申请")),
        ("case_inbox", _("申请进度")),
    ],
    Role.CASEWORKER: [
        ("case_inbox", _("办件箱")),
        ("households", _("家庭档案")),
        ("apply", _("窗口受理")),
        ("household_register", _("家庭登记")),
        ("payroll_outstanding", _("发放异常")),
        ("hotline", _("12349")),
        ("objection_inbox", _("公示异议")),
        ("dishonesty_list", _("失信记录")),
    ],
    Role.APPROVER: [
        ("case_inbox", _("审批")),
        ("payroll_batches", _("待遇发放")),
        ("households", _("家庭档案")),
        ("overdue", _("超期案件")),
        ("anomalies", _("资金异常")),
        ("hotline", _("12349")),
        ("dishonesty_list", _("失信记录")),
        ("staff_records", _("基层人员与培训")),
    ],
    Role.SUPERVISOR: [
        ("dashboard", _("督导看板")),
        ("overdue", _("超期案件")),
        ("anomalies", _("资金异常")),
        ("complaint_inbox", _("投诉举报")),
        ("audit_search", _("审计记录")),
        ("dishonesty_list", _("失信记录")),
        ("reevaluations", _("调标重算")),
        ("payroll_batches", _("待遇发放")),
        ("households", _("家庭档案")),
        ("verification_sources", _("核对数据来源")),
        ("hotline", _("12349")),
        ("staff_records", _("基层人员与培训")),
    ],
    Role.DEPARTMENT: [
        ("department_home", _("部门工作台")),
        ("policies", _("政策目录")),
        ("resources", _("信息资源目录")),
        ("verification_sources", _("核对数据来源")),
    ],
    Role.ORGANIZATION: [("organization_home", _("社会组织")), ("policies", _("政策目录"))],
    Role.ADMIN: [
        ("dashboard", _("督导看板")),
        ("case_inbox", _("办件箱")),
        ("overdue", _("超期案件")),
        ("anomalies", _("资金异常")),
        ("complaint_inbox", _("投诉举报")),
        ("audit_search", _("审计记录")),
        ("dishonesty_list", _("失信记录")),
        ("reevaluations", _("调标重算")),
        ("payroll_batches", _("待遇发放")),
        ("households", _("家庭档案")),
        ("verification_sources", _("核对数据来源")),
        ("staff_records", _("基层人员与培训")),
    ],
}


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": _items(_PUBLIC), "role_label": ""}
    role = Role.ADMIN if user.is_superuser else user.role
    return {"nav_items": _items(_NAV.get(role, [])), "role_label": Role(role).label}


def _items(entries):
    items = []
    for name, label in entries:
        try:
            items.append({"url": reverse(name), "label": label, "name": name})
        except NoReverseMatch:  # a page not built yet is left out of the menu
            continue
    return items
