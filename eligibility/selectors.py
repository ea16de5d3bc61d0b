"""Reads: the standards in force, the policy catalog."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import OPEN_STATES, Application, ApplicationTransition, Region

from .errors import StandardsMissing
from .models import Assessment, Category, Policy, Standard, StandardItem
from .rules import Parameters, ratio2

#: items a region may lack: then the rule does not apply there (not a pilot county, no floor)
OPTIONAL_ITEMS = {
    StandardItem.RELATIVE_POVERTY_MULTIPLE,
    StandardItem.DIBAO_FLOOR,
    StandardItem.WORK_REFUSAL_LIMIT,  # read by reviews, not by the rules engine
    StandardItem.TEMPORARY_TOWNSHIP_LIMIT,  # read by the 临时救助 decision
    StandardItem.FRAUD_FINE_MIN_MULTIPLE,  # read by payments' fraud receivable (SPEC §9)
    StandardItem.FRAUD_FINE_MAX_MULTIPLE,
    # the four categories of issue 8: a region without the number gets "not set" reasons
    StandardItem.ORPHAN_INSTITUTIONAL,
    StandardItem.ORPHAN_DISPERSED,
    StandardItem.CHILD_HARDSHIP_ALLOWANCE,
    StandardItem.DISABILITY_LIVING_ALLOWANCE,
    StandardItem.DISABILITY_CARE_ALLOWANCE,
}


@dataclass(frozen=True)
class StandardsInForce:
    """The policy numbers for one county, area and date, with the rows they came from."""

    county: Region
    area: str
    on: dt.date
    parameters: Parameters
    dibao_urban: Decimal
    dibao_rural: Decimal
    version_ids: tuple[int, ...]

    @property
    def urban_rural_ratio(self) -> Decimal:
        return ratio2(self.dibao_urban, self.dibao_rural)


def county_of(region: Region) -> Region:
    """The county-level region at or above ``region``; a city has none."""
    if region.level == Region.Level.COUNTY:
        return region
    codes = region.ancestor_codes()
    if len(codes) < 2:
        msg = _("请填写县级或以下的区划代码。")
        raise StandardsMissing(msg, {"region": [msg]})
    return Region.objects.get(code=codes[1])


def _pick(rows: list[Standard], item: str, area: str) -> Standard | None:
    """County beats city, a row for this area beats a row for both, the latest date wins."""
    best, best_key = None, None
    for row in rows:
        if row.item != item or row.area not in ("", area):
            continue
        key = (row.region.level == Region.Level.COUNTY, row.area == area, row.effective_from)
        if best_key is None or key > best_key:
            best, best_key = row, key
    return best


def standards_in_force(*, region: Region, area: str, on: dt.date) -> StandardsInForce:
    """Every policy number in force on ``on`` for ``region`` and ``area`` (one query)."""
    county = county_of(region)
    rows = list(
        Standard.objects.filter(
            region__in=[county.pk, county.parent_id], effective_from__lte=on
        ).select_related("region")
    )
    picked: dict[str, Standard | None] = {}
    for item in StandardItem.values:
        picked[item] = _pick(rows, item, area)
    missing = [i for i, row in picked.items() if row is None and i not in OPTIONAL_ITEMS]
    urban, rural = (
        _pick(rows, StandardItem.DIBAO, "urban"),
        _pick(rows, StandardItem.DIBAO, "rural"),
    )
    if missing or urban is None or rural is None:
        msg = _("%(date)s 没有生效的救助标准（%(county)s）。") % {"date": on, "county": county.name}
        raise StandardsMissing(msg, {"date": [msg]})

    def value(item: str) -> Decimal | None:
        row = picked[item]
        return row.value if row is not None else None

    params = Parameters(
        dibao_standard=value(StandardItem.DIBAO),
        dibao_standard_urban=urban.value,
        tekun_basic_multiple=value(StandardItem.TEKUN_BASIC_MULTIPLE),
        care_yearly={
            "full": value(StandardItem.CARE_FULL),
            "partial": value(StandardItem.CARE_PARTIAL),
            "none": value(StandardItem.CARE_NONE),
        },
        edge_multiple=value(StandardItem.EDGE_MULTIPLE),
        relative_poverty_multiple=value(StandardItem.RELATIVE_POVERTY_MULTIPLE),
        temporary_min_multiple=value(StandardItem.TEMPORARY_MIN_MULTIPLE),
        temporary_max_multiple=value(StandardItem.TEMPORARY_MAX_MULTIPLE),
        migrant_max_multiple=value(StandardItem.MIGRANT_MAX_MULTIPLE),
        migrant_min_months=int(value(StandardItem.MIGRANT_MIN_MONTHS)),
        financial_asset_months=value(StandardItem.FINANCIAL_ASSET_MONTHS),
        max_houses=int(value(StandardItem.MAX_HOUSES)),
        max_vehicles=int(value(StandardItem.MAX_VEHICLES)),
        business_allowed=bool(value(StandardItem.BUSINESS_ALLOWED)),
        supporter_exemption_multiple=value(StandardItem.SUPPORTER_EXEMPTION_MULTIPLE),
        single_person_multiple=value(StandardItem.SINGLE_PERSON_MULTIPLE),
        dibao_floor=value(StandardItem.DIBAO_FLOOR),
        adult_age=int(value(StandardItem.ADULT_AGE)),
        elderly_age=int(value(StandardItem.ELDERLY_AGE)),
        orphan_institutional=value(StandardItem.ORPHAN_INSTITUTIONAL),
        orphan_dispersed=value(StandardItem.ORPHAN_DISPERSED),
        child_hardship_allowance=value(StandardItem.CHILD_HARDSHIP_ALLOWANCE),
        disability_living_allowance=value(StandardItem.DISABILITY_LIVING_ALLOWANCE),
        disability_care_allowance=value(StandardItem.DISABILITY_CARE_ALLOWANCE),
    )
    return StandardsInForce(
        county=county,
        area=area,
        on=on,
        parameters=params,
        dibao_urban=urban.value,
        dibao_rural=rural.value,
        version_ids=tuple(sorted(row.pk for row in picked.values() if row is not None)),
    )


def policy_list(*, active_only: bool = True) -> QuerySet[Policy]:
    qs = Policy.objects.select_related("department").prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("order"))
    )
    return qs.filter(is_active=True) if active_only else qs


def policies_for_categories(categories) -> list[Policy]:
    """Every active policy serving any of the categories (政策找人), in catalog order."""
    return list(
        policy_list().filter(categories__code__in=list(categories)).distinct().order_by("code")
    )


def standard_history(*, item: str | None = None) -> QuerySet[Standard]:
    qs = Standard.objects.select_related("region", "created_by")
    return qs.filter(item=item) if item else qs


def next_limit(*, due_on, case_due_on, state) -> dt.date | None:
    """The date an open case's days left count to: its current step's limit, or, between steps
    that have none (a proposal waiting for the notice), the case's closing limit (SPEC §6)."""
    if due_on is not None:
        return due_on
    return case_due_on if state in OPEN_STATES else None


def _overdue_q(today: dt.date) -> Q:
    """Past its next time limit or its case time limit (慢作为)."""
    return Q(due_on__lt=today) | Q(case_due_on__lt=today)


def open_overdue_q(today: dt.date) -> Q:
    """An open case past a time limit: the one definition the inbox, the overdue list and the
    supervisor dashboard's summary share."""
    return Q(state__in=OPEN_STATES) & _overdue_q(today)


def application_list(*, user, filters=None, with_history: bool = True):
    """Applications in scope; overdue first, then by their next time limit (the inbox order).

    ``with_history`` adds each case's household, author, transitions and frozen assessments
    (one case's page and API detail show them); a list shows its rows' place alone (the
    household's and the author's joins made the API list's SQL longer to build than to run).
    """
    filters = filters or {}
    today = timezone.localdate()
    qs = Application.objects.for_user(user).select_related("village__parent")
    if with_history:
        qs = qs.select_related("household", "created_by").prefetch_related(
            Prefetch("transitions", queryset=ApplicationTransition.objects.select_related("by")),
            Prefetch(
                "assessments",
                queryset=Assessment.objects.order_by("-created_at"),
                to_attr="latest_assessments",
            ),
        )
    qs = qs.annotate(
        is_overdue=Case(
            When(_overdue_q(today) & Q(state__in=OPEN_STATES), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    if state := filters.get("state"):
        qs = qs.filter(state=state)
    if filters.get("open") in ("1", "true", True):
        qs = qs.filter(state__in=OPEN_STATES)
    if filters.get("overdue") in ("1", "true", True):
        qs = qs.filter(state__in=OPEN_STATES).filter(_overdue_q(today))
    return qs.order_by("-is_overdue", "due_on", "-id")


def application_segments(today: dt.date, filters=None) -> list[tuple[Q, tuple[str, ...]]]:
    """The list order "overdue first, then by the next time limit (none last), the newest
    first among equals" as disjoint parts read one after the other, each in an order an index
    gives (issue 15: the CASE of ``is_overdue`` sorted every row in scope on each page):

    1. overdue cases, by time limit;
    2. the rest with a time limit before today (closed cases only: an open one would be
       overdue), by time limit;
    3. the rest with a time limit from today on, by time limit;
    4. the rest without a time limit (drafts, decided cases), the newest first.

    A part the list's own filters leave empty is not read at all (``?overdue=true`` is part 1
    alone; an open state has no part 2): reading it to find nothing walked its whole index.
    """
    not_overdue = (
        ~Q(state__in=OPEN_STATES) | Q(case_due_on__gte=today) | Q(case_due_on__isnull=True)
    )
    parts = [
        (Q(state__in=OPEN_STATES) & _overdue_q(today), ("due_on", "-id")),
        (Q(due_on__lt=today) & ~Q(state__in=OPEN_STATES), ("due_on", "-id")),
        (Q(due_on__gte=today) & not_overdue, ("due_on", "-id")),
        (Q(due_on__isnull=True) & not_overdue, ("-id",)),
    ]
    filters = filters or {}
    # A part never repeats a condition the list's own filter already states: the planner
    # multiplies the two selectivities, expects a few dozen rows where there are 40,000, and
    # sorts them all instead of reading the index in order (70 ms for a city's overdue page).
    if filters.get("overdue") in ("1", "true", True):
        return [(Q(), ("due_on", "-id"))]  # the filter is part 1 itself
    state = filters.get("state")
    if filters.get("open") in ("1", "true", True) or state in OPEN_STATES:
        current = Q(case_due_on__gte=today) | Q(case_due_on__isnull=True)
        return [
            (_overdue_q(today), ("due_on", "-id")),
            (Q(due_on__gte=today) & current, ("due_on", "-id")),
            (Q(due_on__isnull=True) & current, ("-id",)),
        ]
    if state:
        return [  # a closed state is never overdue
            (Q(due_on__lt=today), ("due_on", "-id")),
            (Q(due_on__gte=today), ("due_on", "-id")),
            (Q(due_on__isnull=True), ("-id",)),
        ]
    return parts


def application_get(*, user, pk: int):
    return application_list(user=user).get(pk=pk)


def overdue_applications(*, user):
    """Cases past a time limit (慢作为 oversight) for the supervisor's list."""
    # every row is overdue: the time limit alone orders them, as an index reads them
    qs = application_list(user=user, filters={"overdue": True}, with_history=False)
    return qs.order_by("due_on", "-id")


def standard_value(*, item: str, region: Region, area: str, on: dt.date) -> Decimal | None:
    """One policy number in force (county beats city, the area beats both), or None."""
    county = county_of(region)
    rows = list(
        Standard.objects.filter(
            item=item, region__in=[county.pk, county.parent_id], effective_from__lte=on
        ).select_related("region")
    )
    row = _pick(rows, item, area)
    return row.value if row is not None else None


#: The amount due for every enrollment in a month, set-based (payroll and back-pay read this):
#: within the enrollment's months, the ledger row written last among those effective by then.
#: One index probe per enrollment (``amount_ledger``), so a caller that narrows the enrollments
#: (payroll: one county, one chunk of ids) reads only their rows of the ledger.
AMOUNTS_DUE_SQL = """
    SELECT e.id AS enrollment_id, a.amount, e.household_id, e.person_id, e.policy_code
    FROM eligibility_enrollment e
    CROSS JOIN LATERAL (
        SELECT a.amount FROM eligibility_enrollmentamount a
        WHERE a.enrollment_id = e.id AND a.effective_month <= %(month)s
        ORDER BY a.id DESC LIMIT 1
    ) a
    WHERE e.start_month <= %(month)s
      AND (e.end_month IS NULL OR e.end_month >= %(month)s)
      AND (%(ids)s::bigint[] IS NULL OR e.id = ANY(%(ids)s::bigint[]))
      AND e.id >= %(first_id)s AND (%(end_id)s::bigint IS NULL OR e.id < %(end_id)s::bigint)
"""


def amounts_due_params(
    *,
    month: dt.date,
    enrollment_ids: list[int] | None = None,
    first_id: int = 0,
    end_id: int | None = None,
) -> dict:
    """Parameters of :data:`AMOUNTS_DUE_SQL`: a month, and optionally ids or an id range
    ``[first_id, end_id)`` (payroll embeds the query to generate its lines set-based)."""
    return {
        "month": month.replace(day=1),
        "ids": enrollment_ids,
        "first_id": first_id,
        "end_id": end_id,
    }


def amounts_due(*, month: dt.date, enrollment_ids: list[int] | None = None) -> dict[int, Decimal]:
    """Enrollment id → amount due in ``month`` (enrollments not due that month are absent)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            AMOUNTS_DUE_SQL, amounts_due_params(month=month, enrollment_ids=enrollment_ids)
        )
        return {row[0]: row[1] for row in cursor.fetchall()}


def amount_due(*, enrollment_id: int, month: dt.date) -> Decimal | None:
    """The amount due for enrollment E in month M (None: not in the guarantee that month)."""
    return amounts_due(month=month, enrollment_ids=[enrollment_id]).get(enrollment_id)


def member_facts(person) -> dict:
    """One member as the rules engine is given them, frozen (JSON)."""
    return {
        "person_id": person.pk,
        "relation": person.relation,
        "birth_date": person.birth_date.isoformat(),
        "monthly_income": str(person.monthly_income),
        "disability_grade": person.disability_grade,
        "disability_type": person.disability_type or None,
        "serious_illness": person.serious_illness,
        "self_care": person.self_care,
        "in_school": person.in_school,
        "parent_situations": list(person.parent_situations or []),
        "care_arrangement": person.care_arrangement or None,
    }


# --- the inbox (办件箱, issue 13) -----------------------------------------------------------

#: the inbox's sort orders: a key from the page → the ORDER BY it means (nothing else is used)
INBOX_SORTS = {
    "due": ("-is_overdue", "due_on", "-id"),
    "case_due": ("case_due_on", "-id"),
    "notice": ("notice_closes_on", "id"),
    "newest": ("-id",),
    "oldest": ("id",),
    "village": ("village__path", "-id"),
    "name": ("applicant_name", "-id"),
}
INBOX_PAGE_SIZE = 50
#: the shortest ID tail the inbox searches by (fewer digits would match a township's every case)
ID_TAIL_MIN = 4


@dataclass(frozen=True)
class InboxParams:
    """What the inbox page was asked for, cleaned: unknown values become "not given"."""

    state: str = ""
    category: str = ""
    village: str = ""
    overdue: bool = False
    q: str = ""
    sort: str = "due"
    awaiting_decision: bool = False

    @classmethod
    def from_query(cls, query, *, user) -> InboxParams:
        from applicants.masking import sees_personal_data
        from applicants.models import ApplicationState, Role

        # A masked reader searches by neither name nor ID, and neither filters nor sorts by
        # village: each would tell them which case is whose, or where (issue 14).
        unmasked = sees_personal_data(user)
        state = query.get("state", "")
        state = state if state in ApplicationState.values else ""
        awaiting = getattr(user, "role", "") == Role.APPROVER and not state
        sort = query.get("sort", "")
        if sort not in INBOX_SORTS or (sort == "village" and not unmasked):
            sort = "notice" if awaiting else "due"
        village = query.get("village", "") if unmasked else ""
        return cls(
            state=state,
            category=query.get("category", "")[:40],
            village=village if village.isascii() and village.isdigit() else "",
            overdue=query.get("overdue") in ("1", "on", "true"),
            q=" ".join(query.get("q", "").split())[:40] if unmasked else "",
            sort=sort,
            awaiting_decision=awaiting,
        )

    def as_query(self) -> str:
        """The filters as a query string (the page's links and the bulk form's way back)."""
        from django.utils.http import urlencode

        query = {
            "state": self.state,
            "category": self.category,
            "village": self.village,
            "overdue": "1" if self.overdue else "",
            "q": self.q,
            "sort": self.sort,
        }
        return urlencode({k: v for k, v in query.items() if v})


def applicant_field(field: str, *, household: str = "household_id"):
    """The household applicant's ``field`` as a subquery, for a list of cases or households."""
    from django.db.models import OuterRef, Subquery

    from applicants.models import Person

    return Subquery(
        Person.objects.filter(household_id=OuterRef(household), relation="applicant").values(field)[
            :1
        ]
    )


def person_search_q(q: str, *, household_field: str = "household_id") -> Q | None:
    """A search box's text as a filter on households' members: an ID number (18 characters),
    its last digits (≥ 4, ``X`` allowed at the end), or the start of a name (姓 or 姓名).

    Each form uses an index: the ID number's unique index, an index on the reversed ID number
    (a tail is a prefix of the reverse), and the name's pattern index. ``None``: not searchable
    (too short a tail): the caller shows nothing rather than a whole township.
    """
    from django.db.models.functions import Reverse

    from applicants.models import Person

    text = q.strip().upper()
    if not text:
        return None
    digits = text[:-1] if text.endswith("X") else text
    if digits.isascii() and digits.isdigit():
        if len(text) == 18:
            people = Person.objects.filter(id_number=text)
        elif len(text) >= ID_TAIL_MIN:
            people = Person.objects.annotate(id_tail=Reverse("id_number")).filter(
                id_tail__startswith=text[::-1]
            )
        else:
            return None
    else:
        people = Person.objects.filter(name__startswith=q.strip())
    return Q(**{f"{household_field}__in": people.values("household_id")})


#: what an inbox row shows (the case's declaration and history stay on the case page)
INBOX_FIELDS = (
    "id",
    "household_id",
    "village_id",
    "requested",
    "state",
    "channel",
    "due_on",
    "due_for",
    "case_due_on",
    "notice_closes_on",
    "submitted_at",
    "village__name",
    "village__code",
    "village__parent__name",
)


def case_inbox_page(*, user, params: InboxParams, page: str | int | None):
    """One page of the inbox in two steps: the page's ids in inbox order (a narrow sort over
    the township), then the 50 rows with their applicant — never the applicant subqueries for
    the rows an offset skips."""
    from applicants.paging import BoundedPaginator, SegmentedList

    ordered = case_inbox_list(user=user, params=params)
    ids = ordered.values_list("pk", flat=True)
    if params.sort == "due":
        # "overdue first" as the API reads it: disjoint parts, each in an index's order (the
        # CASE sorted a city's 300,000 open cases on every page: 70 ms of the database's)
        filters = {"state": params.state} if params.state else {"open": True}
        if params.overdue:
            filters = {"overdue": True}
        ids = SegmentedList(ids, application_segments(timezone.localdate(), filters))
    result = BoundedPaginator(ids, INBOX_PAGE_SIZE).get_page(page)
    wanted = list(result.object_list)
    rows = {a.pk: a for a in ordered.order_by().filter(pk__in=wanted).only(*INBOX_FIELDS)}
    result.object_list = [rows[pk] for pk in wanted if pk in rows]
    return result


def case_inbox_list(*, user, params: InboxParams):
    """The inbox of ``user``: cases in scope with the applicant's name, filtered and sorted.

    The county approver's default is the cases awaiting their decision (公示中), those whose
    notice has ended first; everyone else's is every open case, overdue first.
    """
    qs = application_list(
        user=user,
        filters={"state": params.state} if params.state else {"open": True},
        with_history=False,
    ).annotate(
        applicant_name=applicant_field("name"),
        applicant_id_number=applicant_field("id_number"),
    )
    if params.awaiting_decision:
        qs = qs.filter(state="public_notice")
    if params.category:
        qs = qs.filter(requested=params.category)
    if params.village:
        qs = qs.filter(village__code=params.village)
    if params.overdue:
        qs = qs.filter(state__in=OPEN_STATES).filter(_overdue_q(timezone.localdate()))
    if params.q:
        q = person_search_q(params.q)
        qs = qs.filter(q) if q is not None else qs.none()
    return qs.order_by(*INBOX_SORTS[params.sort])


def household_export_list(*, user, q: str = ""):
    """Households in scope with their applicant and size, for the Excel export; searched by
    name or ID number only for a reader who sees personal data (``masking.may_search_people``)."""
    from django.db.models import Count

    from applicants.models import Household

    qs = (
        Household.objects.for_user(user)
        .select_related("village__parent")
        .annotate(
            applicant_name=applicant_field("name", household="pk"),
            applicant_id_number=applicant_field("id_number", household="pk"),
            size=Count("members"),
        )
        .order_by("-id")
    )
    if q.strip():
        from applicants.masking import may_search_people

        if not may_search_people(user):
            # as on the households page: a masked reader's search matches nothing, or the
            # sheet's row count answers "does an ID ending in … live here?" digit by digit
            return qs.none()
        found = person_search_q(q, household_field="pk")
        qs = qs.filter(found) if found is not None else qs.none()
    return qs


def enrollment_list(*, user, active_only: bool = True):
    """Enrollments in scope (在保名册) with their household's applicant."""
    from .models import Enrollment

    qs = (
        Enrollment.objects.for_user(user)
        .select_related("household__village__parent", "person")
        .annotate(
            applicant_name=applicant_field("name"),
            applicant_id_number=applicant_field("id_number"),
        )
        .order_by("household_id", "id")
    )
    return qs.filter(status="active") if active_only else qs


# --- the hub: the policy catalog and referrals (SPEC §3, §10) -----------------------------


def policy_search(*, query: str = "", department: str = "", category: str = "") -> QuerySet[Policy]:
    """The public policy catalog, searched in Chinese: every whitespace-separated term must
    appear in the policy's name, code, description, department or one of its categories.

    Plain case-insensitive ``LIKE '%词%'`` (Django escapes the wildcards) and no index, on
    purpose: Chinese has no spaces for a full-text parser to split words at (PostgreSQL's
    ``simple`` configuration would index whole sentences as one token); pg_trgm builds its
    trigrams only from characters the database locale calls alphanumeric (not every CJK
    character under the ``C.UTF-8`` locale this project's databases use) and needs an
    extension created by a superuser; and the catalog is the N policies — tens of rows, read
    in well under a millisecond by a sequential scan (tests pin one query)."""
    qs = policy_list()
    for term in query.split()[:8]:
        term = term[:40]
        matches = Policy.objects.filter(
            Q(name__icontains=term)
            | Q(code__icontains=term)
            | Q(description__icontains=term)
            | Q(department__name__icontains=term)
            | Q(categories__name__icontains=term)
        ).values("pk")
        qs = qs.filter(pk__in=matches)
    if department:
        qs = qs.filter(department__code=department)
    if category:
        qs = qs.filter(pk__in=Policy.objects.filter(categories__code=category).values("pk"))
    return qs.order_by("department__code", "code")


def referral_list(*, user, filters=None) -> QuerySet:
    """Referrals the user may see: a department officer their department's; the township,
    county and village staff those of households in their region; a citizen their own; the
    supervisor and the administrator all."""
    from applicants.models import Role

    from .models import Referral

    filters = filters or {}
    qs = Referral.objects.select_related(
        "household__village__parent", "person", "policy", "department", "category", "answered_by"
    ).prefetch_related("benefits")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_admin_role or user.role == Role.SUPERVISOR:
        pass
    elif user.role == Role.DEPARTMENT:
        qs = qs.filter(department__code=user.department_code) if user.department_code else qs.none()
    else:
        q = region_scope_household(user)
        qs = qs if q is None else qs.filter(q)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if household := filters.get("household"):
        qs = qs.filter(household_id=household)
    if policy := filters.get("policy"):
        qs = qs.filter(policy__code=policy)
    return qs.order_by("-created_at", "-id")


def region_scope_household(user):
    from applicants.models import own_household_ids, region_scope

    return region_scope(
        user,
        path_field="household__village__path",
        citizen_q=lambda u: Q(household_id__in=own_household_ids(u)),
    )


def household_policies(*, household) -> list[dict]:
    """Every policy a household receives, across departments (一户一档): its enrollments
    (民政's cash, by category) and its referrals with each benefit the owning department
    recorded. Rows ordered by department."""
    from .models import Enrollment, Referral

    rows = []
    for e in (
        Enrollment.objects.filter(household=household)
        .select_related("category", "person")
        .order_by("-status", "start_month", "id")
    ):
        rows.append(
            {
                "kind": "enrollment",
                "department": None,
                "policy": e.category.name,
                "status": e.get_status_display(),
                "active": e.status == Enrollment.Status.ACTIVE,
                "person": e.person,
                "amount": e.monthly_amount,
                "since": e.start_month,
                "benefits": [],
            }
        )
    for r in (
        Referral.objects.filter(household=household)
        .select_related("policy", "department", "person")
        .prefetch_related("benefits")
        .order_by("department__code", "policy__code", "-created_at")
    ):
        rows.append(
            {
                "kind": "referral",
                "department": r.department.name,
                "policy": r.policy.name,
                "status": r.get_status_display(),
                "active": r.status == Referral.Status.ACCEPTED,
                "person": r.person,
                "amount": None,
                "since": r.created_at.date(),
                "decline_reason": r.decline_reason,
                "benefits": list(r.benefits.all()),
            }
        )
    return rows


#: the applications among ``ids`` with anyone on the dishonesty register: the same rule as
#: :func:`dishonesty_flags` (declared ID numbers and the household's members; a record on a
#: person, or on a household with no person named), one statement for a page of a list
_DISHONESTY_FLAGGED_SQL = """
    WITH numbers AS (
        SELECT a.id AS application_id, upper(m->>'id_number') AS id_number
        FROM applicants_application a
        CROSS JOIN LATERAL jsonb_array_elements(
            CASE WHEN jsonb_typeof(a.data->'members') = 'array' THEN a.data->'members'
                 ELSE '[]'::jsonb END
        ) m
        WHERE a.id = ANY(%(ids)s) AND jsonb_typeof(m) = 'object'
          AND coalesce(m->>'id_number', '') <> ''
        UNION
        SELECT a.id, p.id_number
        FROM applicants_application a
        JOIN applicants_person p ON p.household_id = a.household_id
        WHERE a.id = ANY(%(ids)s)
    )
    SELECT DISTINCT n.application_id
    FROM numbers n
    JOIN applicants_person p ON p.id_number = n.id_number
    JOIN integrity_dishonestyrecord r
      ON r.person_id = p.id OR (r.person_id IS NULL AND r.household_id = p.household_id)
    WHERE NOT EXISTS (SELECT 1 FROM integrity_dishonestyremoval x WHERE x.record_id = r.id)
"""


def dishonesty_flagged(application_ids) -> set[int]:
    """Which of these applications carry the 失信 flag (一处失信，处处受限): for the rows of a
    list, in one query whatever the page size."""
    from django.db import connection

    ids = [int(pk) for pk in application_ids]
    if not ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(_DISHONESTY_FLAGGED_SQL, {"ids": ids})
        return {row[0] for row in cursor.fetchall()}


def dishonesty_flags(application: Application) -> list:
    """Records of the dishonesty register (失信记录, not removed) of anyone in this application
    — its household's members and the ID numbers it declares — wherever the record was made
    (一处失信，处处受限, SPEC §9): the caseworker and the approver see them on the case."""
    from applicants.models import Person
    from integrity.models import DishonestyRecord

    numbers = {
        str(m.get("id_number") or "").upper()
        for m in (application.data or {}).get("members") or []
        if isinstance(m, dict)
    } - {""}
    if application.household_id:
        numbers |= set(application.household.members.values_list("id_number", flat=True))
    if not numbers:
        return []
    people = Person.objects.filter(id_number__in=numbers).values("pk")
    return list(
        DishonestyRecord.objects.filter(removal__isnull=True)
        .filter(
            Q(person_id__in=people)
            | Q(person__isnull=True, household__members__id_number__in=numbers)
        )
        .distinct()
        .order_by("-recorded_at")
    )
