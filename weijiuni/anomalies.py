"""The supervisor's fund-anomaly findings (资金异常线索, issue 11 item 6): reads and pages.

The checks and the resolution live in ``integrity.checks`` (the ground floor, which imports no
other app); the hub puts them in front of people: who reads which findings (scope by county,
``applicants.permissions``) and how the persons behind a finding's ids are shown (the one
masking module, every read logged).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applicants import masking, permissions
from applicants.models import Person, Region, region_scope
from integrity import checks
from integrity.models import AnomalyFinding, AnomalyRun
from payments.models import Line

PAGE_SIZE = 50


@dataclass(frozen=True)
class FindingFilters:
    """What the list was asked for, cleaned: an unknown value means "not given"."""

    kind: str = ""
    status: str = ""
    county: str = ""

    @classmethod
    def from_query(cls, query) -> FindingFilters:
        def pick(name, allowed):
            value = str(query.get(name, "") or "")
            return value if value in allowed else ""

        counties = set(
            Region.objects.filter(level=Region.Level.COUNTY).values_list("code", flat=True)
        )
        return cls(
            kind=pick("kind", AnomalyFinding.Check.values),
            status=pick("status", AnomalyFinding.Status.values),
            county=pick("county", counties),
        )


def finding_list(*, user, filters: FindingFilters | None = None):
    """The findings a user may read (their county or the city), newest found first."""
    if not permissions.can_read_anomalies(user):
        return AnomalyFinding.objects.none()
    qs = AnomalyFinding.objects.select_related("region", "assigned_to", "resolved_by")
    scope = region_scope(user, path_field="region__path")
    if scope is not None:
        qs = qs.filter(scope)
    filters = filters or FindingFilters()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.county:
        qs = qs.filter(region__code=filters.county)
    return qs.order_by("-last_found_at", "-id")


def finding_get(*, user, pk) -> AnomalyFinding:
    try:
        return finding_list(user=user).get(pk=int(pk))
    except (AnomalyFinding.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def last_runs() -> dict[str, AnomalyRun]:
    """Each check's latest run (a finding older than it no longer holds)."""
    runs = {}
    for run in AnomalyRun.objects.order_by("kind", "-finished_at").distinct("kind"):
        runs[run.kind] = run
    return runs


def still_holds(finding: AnomalyFinding, runs: dict[str, AnomalyRun]) -> bool:
    run = runs.get(finding.kind)
    return run is None or finding.last_found_at >= run.started_at


def evidence_person_ids(evidence: dict) -> list[int]:
    """Every person a finding's evidence names (the dead, the enrolled, payees, holders)."""
    ids = []
    if evidence.get("person_id"):
        ids.append(evidence["person_id"])
    for key in ("lines", "holders", "enrollments"):
        for row in evidence.get(key) or []:
            for field in ("person_id", "payee_id"):
                if row.get(field):
                    ids.append(row[field])
    return list(dict.fromkeys(int(i) for i in ids))


def evidence_people(*, user, finding: AnomalyFinding, request=None, channel="page") -> list[dict]:
    """The persons behind a finding's ids as this reader may see them: unmasked only for an
    unmasked role and inside their own scope; every read logged, masked or not."""
    ids = evidence_person_ids(finding.evidence)
    if not ids:
        return []
    people = list(Person.objects.filter(pk__in=ids).select_related("household__village__parent"))
    in_scope = set(Person.objects.for_user(user).filter(pk__in=ids).values_list("pk", flat=True))
    unmasked_role = masking.sees_personal_data(user)
    shown_unmasked = [p.pk for p in people if unmasked_role and p.pk in in_scope]
    shown_masked = [p.pk for p in people if p.pk not in shown_unmasked]
    if shown_unmasked:
        masking.record_read(
            user=user,
            object_type="person",
            object_ids=shown_unmasked,
            request=request,
            channel=channel,
            fields="name,id_number,bank_account",
        )
    if shown_masked:
        # a masked read is logged as such even for an unmasked role out of its scope
        from integrity.services import access_log_record

        access_log_record(
            user=user,
            object_type="person",
            object_ids=shown_masked,
            request=request,
            channel=channel,
            fields="name,id_number,bank_account",
            masked=True,
        )
    out = []
    for p in sorted(people, key=lambda p: ids.index(p.pk)):
        unmasked = p.pk in shown_unmasked
        fields = masking.person_fields(
            {"name": p.name, "id_number": p.id_number, "bank_account": p.bank_account},
            unmasked=unmasked,
        )
        out.append(
            {
                "id": p.pk,
                "household_id": p.household_id,
                "name": fields["name"],
                "id_number": fields["id_number"],
                "bank_name": p.bank_name,
                "bank_account": fields["bank_account"],
                "relation": p.get_relation_display(),
                "status": p.get_status_display(),
                "status_on": p.status_on,
                "place": masking.place(p.household.village, unmasked=unmasked),
                "unmasked": unmasked,
            }
        )
    return out


# --- pages ---------------------------------------------------------------------------------


def _label(choices, code) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code or "")


def anomaly_list(request):
    """资金异常线索: the supervisor's task list, filtered by check, county and status."""
    if not permissions.can_read_anomalies(request.user):
        raise Http404
    filters = FindingFilters.from_query(request.GET)
    if "status" not in request.GET:
        filters = FindingFilters(kind=filters.kind, status="open", county=filters.county)
    page = Paginator(finding_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    runs = last_runs()
    rows = [{"finding": f, "holds": still_holds(f, runs)} for f in page.object_list]
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("code")
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "kinds": AnomalyFinding.Check.choices,
        "statuses": AnomalyFinding.Status.choices,
        "counties": counties,
        "runs": [runs[k] for k in AnomalyFinding.Check.values if k in runs],
        "query": "&".join(
            f"{k}={v}"
            for k, v in (
                ("kind", filters.kind),
                ("status", filters.status),
                ("county", filters.county),
            )
        ),
    }
    template = (
        "weijiuni/partials/anomaly_rows.html"
        if request.headers.get("HX-Request")
        else "weijiuni/anomaly_list.html"
    )
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def anomaly_detail(request, pk: int):
    finding = finding_get(user=request.user, pk=pk)
    may_resolve = permissions.can_resolve_anomaly(request.user, finding.region)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not may_resolve:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "take":
                checks.finding_assign(finding=finding, to=request.user, by=request.user)
                messages.success(request, _("已由您承办。"))
            else:
                checks.finding_resolve(
                    finding=finding,
                    status=str(request.POST.get("status", "")),
                    note=str(request.POST.get("note", "")),
                    by=request.user,
                )
                messages.success(request, _("核查结论已保存。"))
            return redirect("anomaly_detail", pk=finding.pk)
        except checks.FindingError as exc:
            errors = exc.errors
        finding.refresh_from_db()
    people = evidence_people(user=request.user, finding=finding, request=request)
    runs = last_runs()
    evidence = dict(finding.evidence)
    evidence["lines"] = [
        {
            **line,
            "kind_label": _label(Line.Kind, line.get("kind")),
            "status_label": _label(Line.Status, line.get("status")),
        }
        for line in evidence.get("lines") or []
    ]
    return render(
        request,
        "weijiuni/anomaly_detail.html",
        {
            "finding": finding,
            "people": people,
            "evidence": evidence,
            "holds": still_holds(finding, runs),
            "may_resolve": may_resolve and finding.status == AnomalyFinding.Status.OPEN,
            "may_take": may_resolve
            and finding.status == AnomalyFinding.Status.OPEN
            and finding.assigned_to_id != request.user.pk,
            "errors": errors,
            "posted": request.POST if errors else {},
            "statuses": [
                (AnomalyFinding.Status.CONFIRMED, AnomalyFinding.Status.CONFIRMED.label),
                (AnomalyFinding.Status.DISMISSED, AnomalyFinding.Status.DISMISSED.label),
            ],
        },
        status=400 if errors else 200,
    )
