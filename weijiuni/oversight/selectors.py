"""Reads of the integrity tables for the pages and the API: notices as the public sees them,
objections, complaints and the dishonesty register, each scoped by region like everything else
(applicants.models.region_scope) — the hub reads the other apps, integrity imports none."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import masking
from applicants.models import Region, Role, region_scope
from eligibility.labels import RESULT_LABELS
from integrity.models import (
    Complaint,
    DishonestyRecord,
    Objection,
    PublicNotice,
)

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class BadFilter(ValueError):
    """A search parameter that is not one the page offers: a field error, never a 500."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def category_label(code: str) -> str:
    """The label a notice shows: of the published category (applicants.masking)."""
    published = masking.public_category(code)
    label = RESULT_LABELS.get(published) or masking.PUBLIC_CATEGORY_LABELS.get(published)
    return str(label or published)


def public_categories() -> list[tuple[str, str]]:
    """The categories the public search offers: published codes only."""
    codes = sorted({masking.public_category(c) for c in RESULT_LABELS})
    return [(c, category_label(c)) for c in codes]


@dataclass(frozen=True)
class NoticeFilters:
    region: Region | None = None
    category: str = ""
    period: tuple[dt.date, dt.date] | None = None
    stage: str = "open"  # "open": 公示中; "result": 公示结果 (approved)


def notice_filters(params) -> NoticeFilters:
    """Parse the public search (region code, category code, period YYYY-MM, stage)."""
    region = None
    code = (params.get("region") or "").strip()
    if code:
        if not (code.isascii() and code.isdigit()) or len(code) > 12:
            raise BadFilter("region", _("区划代码应为数字。"))
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise BadFilter("region", _("没有这个区划。"))
    category = (params.get("category") or "").strip()
    if category and category not in dict(public_categories()):
        raise BadFilter("category", _("没有这个救助类别。"))
    period = None
    text = (params.get("period") or "").strip()
    if text:
        match = PERIOD.match(text)
        if not match:
            raise BadFilter("period", _("期间格式应为 年-月，例如 2026-12。"))
        start = dt.date(int(match[1]), int(match[2]), 1)
        period = (start, (start + dt.timedelta(days=32)).replace(day=1))
    stage = (params.get("stage") or "open").strip()
    if stage not in ("open", "result"):
        raise BadFilter("stage", _("公示阶段应为 open（公示中）或 result（公示结果）。"))
    return NoticeFilters(region=region, category=category, period=period, stage=stage)


def published_notices(*, on: dt.date | None = None) -> QuerySet[PublicNotice]:
    """Every notice the public may read by its reference (the API's detail route): one the
    search shows — running (undecided, its period not over, not replaced by a newer notice of
    the same case) or an approved result. A rejected notice, one withdrawn (replaced), or one
    whose period ended undecided is no longer published (SPEC §9)."""
    on = on or timezone.localdate()
    newer = PublicNotice.objects.filter(
        application_id=OuterRef("application_id"), opened_at__gt=OuterRef("opened_at")
    )
    running = Q(outcome="", closes_on__gte=on) & ~Exists(newer)
    return PublicNotice.objects.filter(village__isnull=False).filter(
        running | Q(outcome=PublicNotice.Outcome.APPROVED)
    )


def public_notices(filters: NoticeFilters, *, on: dt.date | None = None) -> QuerySet[PublicNotice]:
    """What the public may search (SPEC §9): the notices running now (7 days before the
    decision), or the published result list (approved cases, which stays searchable). Only the
    columns a notice may show are ever selected by the pages and the API."""
    on = on or timezone.localdate()
    qs = PublicNotice.objects.filter(village__isnull=False).select_related(
        "village__parent__parent"
    )
    if filters.stage == "result":
        qs = qs.filter(outcome=PublicNotice.Outcome.APPROVED).order_by("-decided_on", "-pk")
        date_field = "decided_on"
    else:
        newer = PublicNotice.objects.filter(
            application_id=OuterRef("application_id"), opened_at__gt=OuterRef("opened_at")
        )
        qs = (
            qs.filter(outcome="", closes_on__gte=on)
            .exclude(Exists(newer))
            .order_by("closes_on", "pk")
        )
        date_field = "opened_at__date"
    if filters.region is not None:
        qs = qs.filter(village__path__startswith=filters.region.path)
    if filters.category:
        qs = qs.filter(category__in=masking.public_category_codes(filters.category, RESULT_LABELS))
    if filters.period:
        start, end = filters.period
        qs = qs.filter(**{f"{date_field}__gte": start, f"{date_field}__lt": end})
    return qs


def notice_get(reference: str) -> PublicNotice | None:
    reference = (reference or "").strip().upper()
    if not re.match(r"^[A-Z0-9]{12}$", reference):
        return None
    return (
        PublicNotice.objects.filter(reference=reference, village__isnull=False)
        .select_related("village__parent__parent")
        .first()
    )


def region_choices() -> list[tuple[str, str]]:
    """The city, its counties and their townships, indented, for the public search."""
    rows = Region.objects.exclude(level=Region.Level.VILLAGE).order_by("path")
    indent = {"city": "", "county": "　", "township": "　　"}
    return [(r.code, f"{indent.get(r.level, '')}{r.name}") for r in rows]


def objection_list(*, user) -> QuerySet[Objection]:
    """Objections to the notices of the reader's region (the township's to answer)."""
    q = region_scope(user, path_field="notice__village__path")
    qs = Objection.objects.select_related("notice__village__parent", "answered_by")
    return (qs if q is None else qs.filter(q)).order_by("answered_at", "answer_due_on", "-pk")


def objection_by_reference(reference: str) -> Objection | None:
    reference = (reference or "").strip().upper()
    if not re.match(r"^[A-Z0-9]{12}$", reference):
        return None
    return Objection.objects.select_related("notice").filter(reference=reference).first()


def complaint_list(*, user) -> QuerySet[Complaint]:
    """The complaint box: all of it for the supervisor and the administrator; for anyone
    else, what was assigned to them."""
    qs = Complaint.objects.select_related("region", "assigned_to", "answered_by")
    if user.is_admin_role or user.role == Role.SUPERVISOR:
        return qs
    return qs.filter(assigned_to=user)


def complaint_by_reference(reference: str) -> Complaint | None:
    reference = (reference or "").strip().upper()
    if not re.match(r"^[A-Z0-9]{12}$", reference):
        return None
    return Complaint.objects.filter(reference=reference).first()


def overdue_complaints(*, user, on: dt.date | None = None) -> QuerySet[Complaint]:
    on = on or timezone.localdate()
    return (
        complaint_list(user=user)
        .exclude(status=Complaint.Status.ANSWERED)
        .filter(answer_due_on__lt=on)
    )


def overdue_objections(*, user, on: dt.date | None = None) -> QuerySet[Objection]:
    on = on or timezone.localdate()
    return objection_list(user=user).filter(answered_at__isnull=True, answer_due_on__lt=on)


def dishonesty_list(*, user, active_only: bool = False) -> QuerySet[DishonestyRecord]:
    """The register in the reader's region (by the household's village)."""
    q = region_scope(user, path_field="household__village__path")
    qs = DishonestyRecord.objects.select_related(
        "household__village__parent", "person", "removal__removed_by", "recorded_by"
    )
    if active_only:
        qs = qs.filter(removal__isnull=True)
    return (qs if q is None else qs.filter(q)).order_by("-recorded_at", "-pk")


def recovered_amounts(records) -> dict[int, object]:
    """What has been recovered of each record's amount: the repayments of the fraud
    receivable it came from (``payments.Receivable:<id>``), read here in the hub."""
    from decimal import Decimal

    from payments.models import Receivable

    ids = {}
    for record in records:
        label, _sep, pk = record.source.partition(":")
        if label == "payments.Receivable" and pk.isascii() and pk.isdigit():
            ids[int(pk)] = record.pk
    found = {
        ids[pk]: total - balance
        for pk, total, balance in Receivable.objects.filter(pk__in=ids).values_list(
            "pk", "total", "balance"
        )
    }
    return {r.pk: found.get(r.pk, Decimal("0.00")) for r in records}


def staff_for_complaints() -> QuerySet:
    from applicants.models import User

    return User.objects.filter(
        is_active=True, role__in=(Role.SUPERVISOR, Role.APPROVER, Role.CASEWORKER)
    ).order_by("role", "username")
