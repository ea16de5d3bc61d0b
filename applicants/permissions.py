"""Who may do what (SPEC §1): one function per capability, used by pages, API and services.

Scope (which rows a user sees) is ``region_scope`` in models; this module answers whether a
user may *act*. The city supervisor reads everything and acts on nothing; the administrator
may do everything. Each function takes the user and the object acted on, and returns a bool;
services call :func:`require` to turn a refusal into a domain error with a Chinese message.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .errors import DomainError
from .models import Region, Role, User


class PermissionDenied(DomainError):
    pass


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _in_region(user: User, region: Region) -> bool:
    return bool(user.region_id) and region.path.startswith(user.region.path)


def _is(user: User, role: str, region: Region) -> bool:
    """An administrator, or ``role`` with ``region`` inside the user's own."""
    if not _active(user):
        return False
    if user.is_admin_role:
        return True
    return user.role == role and _in_region(user, region)


# --- households and their members --------------------------------------------------------


def can_register_households(user: User, village: Region | None = None) -> bool:
    """Register a household (家庭登记): the township caseworker and the village assistant, in
    their region (``village`` given) — never a read-only role."""
    if village is None:
        return _active(user) and (
            user.is_admin_role or user.role in (Role.CASEWORKER, Role.VILLAGE_ASSISTANT)
        )
    return _is(user, Role.CASEWORKER, village) or _is(user, Role.VILLAGE_ASSISTANT, village)


def can_file_for(user: User, village: Region | None = None) -> bool:
    """Start or save an application draft for a household of ``village`` (any village: may
    this user file at all): a citizen (their own; a draft attaches only a household they
    belong to), the village assistant (代办) and the township caseworker (窗口) of that
    village — never a read-only role."""
    if not _active(user):
        return False
    if user.is_admin_role or user.role == Role.CITIZEN:
        return True
    if village is None:
        return user.role in (Role.CASEWORKER, Role.VILLAGE_ASSISTANT)
    return _is(user, Role.CASEWORKER, village) or _is(user, Role.VILLAGE_ASSISTANT, village)


def can_report_change(user: User, village: Region) -> bool:
    """Report a change of circumstances, a death or a move (opens a review): the township and
    the village assistant of the household's village — never a read-only role."""
    return _is(user, Role.CASEWORKER, village) or _is(user, Role.VILLAGE_ASSISTANT, village)


def can_change_members(user: User, village: Region) -> bool:
    """Add or remove a household member (with reason and date): the township caseworker."""
    return _is(user, Role.CASEWORKER, village)


def can_record_work_refusal(user: User, village: Region) -> bool:
    return _is(user, Role.CASEWORKER, village)


def can_act_for_applicant(user: User, application) -> bool:
    """Submit, withdraw or add documents to an application: its household (the citizen
    account of a member, or whoever filed it) and the township's staff — never a read-only
    role (SPEC §1)."""
    if not _active(user):
        return False
    if user.is_admin_role or user.pk == application.created_by_id:
        return True
    if user.role == Role.CITIZEN:
        return bool(
            application.household_id and application.household.members.filter(user=user).exists()
        )
    return _is(user, Role.CASEWORKER, application.village) or _is(
        user, Role.VILLAGE_ASSISTANT, application.village
    )


# --- reviews (复核) -------------------------------------------------------------------------


def can_close_review(user: User, village: Region) -> bool:
    """Close a review, or propose a stop, reduction or gradual exit: the township."""
    return _is(user, Role.CASEWORKER, village)


def can_confirm_review(user: User, village: Region) -> bool:
    """Confirm or send back a proposed stop, reduction or exit: the county (SPEC §1)."""
    return _is(user, Role.APPROVER, village)


# --- cases --------------------------------------------------------------------------------


def can_work_case(user: User, village: Region) -> bool:
    """The township steps of a case: accept, verify, survey, propose, notice, objections."""
    return _is(user, Role.CASEWORKER, village)


def can_decide_case(user: User, village: Region) -> bool:
    """The county decision, and the county's own home visit."""
    return _is(user, Role.APPROVER, village)


def can_approve_temporary_locally(user: User, village: Region) -> bool:
    """临时救助 at or below the township limit may be approved by the township."""
    return _is(user, Role.CASEWORKER, village)


# --- payments ------------------------------------------------------------------------------


def can_order_payroll(user: User, county: Region) -> bool:
    """Generate, approve (not one's own), export and reconcile a county's payroll: the
    county's approvers (SPEC §1: "orders payroll")."""
    return _is(user, Role.APPROVER, county)


def can_read_payroll(user: User, county: Region) -> bool:
    """See a county's batches: its approvers, the city supervisor (read-only) and, for their
    own township's lines, the caseworkers (who correct accounts)."""
    if not _active(user):
        return False
    if user.is_admin_role:
        return True
    if user.role in (Role.APPROVER, Role.SUPERVISOR):
        return _in_region(user, county)
    return user.role == Role.CASEWORKER and _in_region_or_below(user, county)


def _in_region_or_below(user: User, region: Region) -> bool:
    return bool(user.region_id) and user.region.path.startswith(region.path)


def can_correct_account(user: User, village: Region) -> bool:
    """Correct a payee's bank account (social-security card) after a failed payment."""
    return _is(user, Role.CASEWORKER, village)


# --- pages: who opens them (what they show is scoped and masked elsewhere) -----------------

#: the case pages (inbox, case, review, household forms): the staff of a region, and the
#: administrator; the city supervisor reads them and acts on nothing
CASE_READERS = {
    Role.VILLAGE_ASSISTANT,
    Role.CASEWORKER,
    Role.APPROVER,
    Role.SUPERVISOR,
    Role.ADMIN,
}


def can_read_cases(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.role in CASE_READERS)


def can_act_on_cases(user: User) -> bool:
    """Whether a case page may take a form at all: every case reader but the read-only
    supervisor (each action then asks its own function above)."""
    return can_read_cases(user) and user.role != Role.SUPERVISOR


def can_read_overdue(user: User) -> bool:
    """超期案件 (慢作为 oversight): the city supervisor and the county approver."""
    return _active(user) and (user.is_admin_role or user.role in (Role.SUPERVISOR, Role.APPROVER))


def can_read_reevaluations(user: User) -> bool:
    return _active(user) and (user.is_admin_role or user.role == Role.SUPERVISOR)


def can_read_anomalies(user: User) -> bool:
    """资金异常线索 (SPEC §9 supervision): the city supervisor, whose task they are; the county
    approver reads its own county's (read-only); the administrator."""
    return _active(user) and (user.is_admin_role or user.role in (Role.SUPERVISOR, Role.APPROVER))


def can_resolve_anomaly(user: User, county: Region) -> bool:
    """Conclude a finding (查实 / 排除) or take it on: the supervisor, in whose city it is, and
    the administrator. The county whose payments are checked does not close its own findings."""
    return _is(user, Role.SUPERVISOR, county)


# --- integrity and oversight (SPEC §9, issue 11) ------------------------------------------


def can_search_audit(user) -> bool:
    """Search and export the audit trail (审计记录): the city supervisor and the administrator."""
    return _active(user) and (user.is_admin_role or user.role == Role.SUPERVISOR)


def can_answer_objection(user: User, village: Region) -> bool:
    """Answer an objection to a notice in writing: the township of the notice's village."""
    return _is(user, Role.CASEWORKER, village)


#: who reads the dishonesty register, each in their own region (the supervisor masked)
DISHONESTY_READERS = {Role.CASEWORKER, Role.APPROVER, Role.SUPERVISOR, Role.ADMIN}


def can_read_dishonesty(user) -> bool:
    return _active(user) and (user.is_superuser or user.role in DISHONESTY_READERS)


def can_remove_dishonesty(user: User, village: Region) -> bool:
    """Remove a record from the dishonesty register, with reasons: the county's approver."""
    return _is(user, Role.APPROVER, village)


def can_export_credit(user) -> bool:
    """The export for the credit platform (信用平台): the county approvers (their county) and
    the administrator; the supervisor reads it masked."""
    return _active(user) and (user.is_admin_role or user.role in (Role.APPROVER, Role.SUPERVISOR))


def can_read_complaints(user) -> bool:
    """The complaint box (投诉举报): the city supervisor, the administrator, and the approvers
    and caseworkers a complaint has been assigned to (they see those only)."""
    return _active(user) and (
        user.is_admin_role or user.role in (Role.SUPERVISOR, Role.APPROVER, Role.CASEWORKER)
    )


def can_assign_complaints(user) -> bool:
    """Hand a complaint to someone (交办): the city supervisor (supervision of staff is their
    work, not a case write) and the administrator."""
    return _active(user) and (user.is_admin_role or user.role == Role.SUPERVISOR)


def can_handle_complaint(user, complaint) -> bool:
    """Answer a complaint: whoever it is assigned to, the supervisor, the administrator."""
    if not _active(user):
        return False
    if user.is_admin_role or user.role == Role.SUPERVISOR:
        return True
    return complaint.assigned_to_id == user.pk


def may_take_complaint(user) -> bool:
    """Whom a complaint may be assigned to: the supervisors, the county approvers and the
    township caseworkers (never the staff complained about — the assigner's judgement)."""
    return _active(user) and user.role in (Role.SUPERVISOR, Role.APPROVER, Role.CASEWORKER)


def require(allowed: bool, message: str | None = None) -> None:
    """Raise a domain error (HTTP 400 with ``non_field_errors`` at the edge) unless allowed."""
    if not allowed:
        msg = message or _("您没有办理此事项的权限。")
        raise PermissionDenied(msg, {"non_field_errors": [msg]})


# --- the hub (SPEC §10, issue 12) -----------------------------------------------------------
# Duck-typed on the objects of eligibility and weijiuni (this module imports neither): a
# referral has ``department.code``; a project, need or delivery has ``organization_id``.


def can_answer_referral(user: User, referral) -> bool:
    """Accept, decline or record the benefit of a referral (政策找人): the officer of the
    department that owns the policy, and the administrator."""
    if not _active(user):
        return False
    if user.is_admin_role:
        return True
    return (
        user.role == Role.DEPARTMENT
        and bool(user.department_code)
        and referral.department.code == user.department_code
    )


def can_read_referrals(user: User) -> bool:
    """The referral inbox: department officers (their department's), the administrator."""
    return _active(user) and (user.is_admin_role or user.role == Role.DEPARTMENT)


def can_record_need(user: User, village: Region) -> bool:
    """Record a household's need for a service, with its consent (社会力量对接): the township
    caseworker and the village assistant of the household's village."""
    return _is(user, Role.CASEWORKER, village) or _is(user, Role.VILLAGE_ASSISTANT, village)


def can_work_for_organization(user: User, organization_id: int | None) -> bool:
    """Publish projects, take matched needs, record deliveries, exchange points: the accounts
    of that social organization, and the administrator."""
    if not _active(user):
        return False
    if user.is_admin_role:
        return True
    if user.role != Role.ORGANIZATION or organization_id is None:
        return False
    account = getattr(user, "organization_account", None)
    return account is not None and account.organization_id == organization_id


def can_take_hotline_calls(user: User, region: Region | None = None) -> bool:
    """12349: enter a phone request, assign it to a provider, record the caller's rating: the
    township caseworker and the county approver of the region (the line is answered by the
    civil-affairs staff), and the administrator."""
    if region is None:
        return _active(user) and (
            user.is_admin_role or user.role in (Role.CASEWORKER, Role.APPROVER)
        )
    return _is(user, Role.CASEWORKER, region) or _is(user, Role.APPROVER, region)


def can_read_staff_records(user: User) -> bool:
    """Grassroots staff and training records: the city supervisor (oversight of staff, SPEC
    §1), the administrator, and county approvers for their county."""
    return _active(user) and (user.is_admin_role or user.role in (Role.SUPERVISOR, Role.APPROVER))
