"""Reads of payments, scoped as SPEC §1 says: the county's approvers and the city supervisor
see its batches; a township caseworker sees its own township's lines; a citizen their own
household's payments. Payees' names and accounts are masked for roles outside personal data."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from applicants.masking import mask_account, mask_name
from applicants.models import Person, Region, Role, User
from eligibility.labels import RESULT_LABELS

from .models import OUTSTANDING, Batch, Line, Receivable


def batch_scope(user: User) -> Q:
    """Which batches a user sees (by their county)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_admin_role:
        return Q()
    if user.role in (Role.APPROVER, Role.SUPERVISOR) and user.region_id:
        return Q(county__path__startswith=user.region.path)
    if user.role == Role.CASEWORKER and user.region_id:
        return Q(county__code=user.region.county_code)
    return Q(pk__in=[])


def line_scope(user: User) -> Q:
    """Which lines a user sees: the batch's, narrowed to the township for a caseworker, the
    household for a citizen."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_admin_role:
        return Q()
    if user.role == Role.CITIZEN:
        return Q(household_id__in=Person.objects.filter(user=user).values("household_id"))
    if user.role == Role.CASEWORKER and user.region_id:
        return Q(township_id=user.region_id)
    if user.role in (Role.APPROVER, Role.SUPERVISOR) and user.region_id:
        return Q(batch__county__path__startswith=user.region.path)
    return Q(pk__in=[])


def batch_list(*, user: User) -> QuerySet[Batch]:
    return Batch.objects.filter(batch_scope(user)).select_related(
        "county", "created_by", "approved_by"
    )


def batch_get(*, user: User, pk: int) -> Batch:
    return batch_list(user=user).get(pk=pk)


def line_list(*, user: User, filters=None) -> QuerySet[Line]:
    filters = filters or {}
    qs = Line.objects.filter(line_scope(user)).select_related("township", "batch")
    if batch := filters.get("batch"):
        qs = qs.filter(batch_id=batch)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if kind := filters.get("kind"):
        qs = qs.filter(kind=kind)
    if household := filters.get("household"):
        qs = qs.filter(household_id=household)
    return qs.order_by("-month", "-id")


def batch_summary(batch: Batch, user: User) -> dict:
    """Totals per category and per township (a caseworker: their township only), by status."""
    lines = Line.objects.filter(batch=batch).filter(line_scope(user))

    def rows(field):
        out = {}
        for row in lines.values(field, "status").annotate(n=Count("pk"), total=Sum("amount")):
            key = row[field]
            entry = out.setdefault(key, {"key": key, "n": 0, "total": 0, "held": 0, "failed": 0})
            entry["n"] += row["n"]
            if row["status"] in (Line.Status.PENDING, Line.Status.PAID, Line.Status.FAILED):
                entry["total"] += row["total"] or 0
            if row["status"] == Line.Status.HELD:
                entry["held"] += row["n"]
            if row["status"] == Line.Status.FAILED:
                entry["failed"] += row["n"]
        return sorted(out.values(), key=lambda r: str(r["key"]))

    townships = dict(
        Region.objects.filter(pk__in=lines.values("township_id")).values_list("pk", "name")
    )
    by_township = rows("township_id")
    for row in by_township:
        row["name"] = townships.get(row["key"], "")
    by_category = rows("category")
    for row in by_category:
        row["name"] = str(RESULT_LABELS.get(row["key"], row["key"]))
    by_kind = lines.values("kind").annotate(n=Count("pk"), total=Sum("amount")).order_by("kind")
    return {"categories": by_category, "townships": by_township, "kinds": list(by_kind)}


def line_view(line: Line, unmasked: bool) -> dict:
    """A line as shown: the payee's name and account masked outside personal data."""
    return {
        "line": line,
        "category": RESULT_LABELS.get(line.category, line.category),
        "payee_name": line.payee_name if unmasked else mask_name(line.payee_name),
        "bank_account": line.bank_account if unmasked else mask_account(line.bank_account),
    }


def bank_file_list(*, user: User):
    """Bank files: a county's whole payroll, so its approvers, the city supervisor and the
    administrator — not a township, which sees its own lines."""
    from .models import BankFile

    if not (user.is_admin_role or user.role in (Role.APPROVER, Role.SUPERVISOR)):
        return BankFile.objects.none()
    return BankFile.objects.filter(batch__in=batch_list(user=user).values("pk")).select_related(
        "batch__county"
    )


def bank_file_exported(*, user: User, pk: int):
    """One bank file the user may download (its batch exported), or None."""
    from .models import Batch

    return (
        bank_file_list(user=user)
        .filter(pk=pk, batch__state__in=[Batch.State.EXPORTED, Batch.State.RECONCILED])
        .first()
    )


def outstanding_lines(*, user: User) -> QuerySet[Line]:
    """Failed and held lines not yet reissued (the township corrects accounts from here)."""
    return (
        line_list(user=user)
        .filter(OUTSTANDING, reissues__isnull=True)
        .select_related("payee", "household__village")
    )


def receivable_list(*, user: User) -> QuerySet[Receivable]:
    from applicants.models import region_scope

    q = region_scope(user, path_field="household__village__path")
    qs = Receivable.objects.select_related("household__village", "enrollment").order_by(
        "-created_at"
    )
    return qs if q is None else qs.filter(q)
