"""Public pages: the self-check (我能申请什么) and the policy catalog."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from applicants.errors import DomainError
from applicants.facts import FACT_FIELDS, errors_by_field, facts_from_post
from applicants.models import Person, Region
from applicants.portal import error_summary

from . import selectors
from .api.serializers import AssessmentRequestSerializer
from .labels import RESULT_LABELS
from .models import Category, Department, StandardItem
from .rules.relevance import policy_fits
from .services import assessment_preview

RESULT_CATEGORY = {"dibao_single": "dibao"}
MEMBER_FIELDS = (
    "relation",
    "birth_date",
    "monthly_income",
    "disability_grade",
    "disability_type",
    "serious_illness",
    "self_care",
    "in_school",
)
MAX_MEMBERS = 8


def _payload_from_post(post, size: int) -> dict:
    """The self-check form, in the shape of the assessment API (one validation for both)."""

    def value(name):
        v = post.get(name, "")
        return v if v != "" else None

    members = []
    for i in range(size):
        m = {f: value(f"m{i}-{f}") for f in MEMBER_FIELDS}
        m["serious_illness"] = post.get(f"m{i}-serious_illness") == "on"
        m["in_school"] = post.get(f"m{i}-in_school") == "on"
        m["monthly_income"] = m["monthly_income"] or "0"
        m["self_care"] = m["self_care"] or "full"
        members.append(m)
    return {
        "region": value("region") or "",
        "area": value("area"),
        "members": members,
        **facts_from_post(post),
    }


def _results_for_display(preview) -> list[dict]:
    policies = preview.related_policies
    rows = []
    for result in preview.assessment.results:
        category = RESULT_CATEGORY.get(result.policy, result.policy)
        rows.append(
            {
                "result": result,
                "label": RESULT_LABELS.get(result.policy, result.policy),
                "departments": sorted(
                    {
                        p.department.name
                        for p in policies
                        if category in {c.code for c in p.categories.all()}
                    }
                ),
            }
        )
    rows.sort(key=lambda r: not r["result"].eligible)
    return rows


def selfcheck(request):
    """我能申请什么: a citizen enters the household and sees what they may qualify for."""
    # a new family size chosen on the form posts what was typed, and comes back with it
    resize = request.POST.get("resize", "")
    size = resize or request.POST.get("size") or request.GET.get("n") or "1"
    size = str(size)
    size = min(max(int(size), 1), MAX_MEMBERS) if size.isascii() and size.isdigit() else 1
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("code")
    context = {
        "counties": counties,
        "size": size,
        "sizes": range(1, MAX_MEMBERS + 1),
        "relations": Person.Relation.choices,
        "disability_types": Person.DisabilityType.choices,
        "self_care_levels": Person.SelfCare.choices,
        "post": request.POST,
        "today": timezone.localdate(),
    }
    if request.method == "POST" and resize:
        _bind(context, request.POST, size)
        return render(request, "eligibility/selfcheck.html", context)
    if request.method == "POST":
        payload = _payload_from_post(request.POST, size)
        if request.POST.get("action") == "apply":
            request.session["selfcheck"] = payload
            target = reverse("apply")  # one click: the form, filled in
            if not request.user.is_authenticated:
                target = f"{reverse('login')}?next={target}"
            if request.htmx:
                return HttpResponseClientRedirect(target)
            return redirect(target)
        serializer = AssessmentRequestSerializer(data=payload)
        if not serializer.is_valid():
            context["errors"] = errors_by_field(serializer.errors)
            context["error_rows"] = error_summary(context["errors"], _field_names(size))
        else:
            data = serializer.validated_data
            try:
                preview = assessment_preview(
                    region=data["region"],
                    area=data.get("area"),
                    on=data["date"],
                    members=data["members"],
                    assets=data.get("assets"),
                    rigid_expenditure=data.get("rigid_expenditure_12m"),
                    supporter=data.get("supporter"),
                    hardship=data.get("hardship"),
                )
            except DomainError as exc:
                context["errors"] = errors_by_field(exc.detail)
                context["error_rows"] = error_summary(context["errors"], _field_names(size))
            else:
                context["preview"] = preview
                context["rows"] = _results_for_display(preview)
                context["undeclared"] = _undeclared_assets(request.POST)
                context["related"] = [
                    p
                    for p in preview.related_policies
                    if preview.household is None
                    or policy_fits(p.code, preview.household, preview.standards.parameters)
                ]
        if request.htmx:
            return render(request, "eligibility/partials/selfcheck_results.html", context)
    _bind(context, request.POST, size)
    return render(request, "eligibility/selfcheck.html", context)


HOUSEHOLD_FIELDS = ("region", "area", *FACT_FIELDS)

#: the property fields a person may leave blank on the self-check (counted as none)
ASSET_LABELS = (
    ("financial", _("金融资产")),
    ("houses", _("住房")),
    ("vehicles", _("机动车")),
)


def _undeclared_assets(post) -> list[str]:
    """The property left blank: the estimate counts it as none and says so, rather than
    showing "住房 0 套" as if the person had declared it."""
    return [str(label) for name, label in ASSET_LABELS if not (post.get(name) or "").strip()]


def _field_names(size: int) -> set[str]:
    return {f"m{i}-{f}" for i in range(size) for f in MEMBER_FIELDS} | set(HOUSEHOLD_FIELDS)


def _bind(context: dict, post, size: int) -> None:
    """What the person typed and the error for it, per field (templates cannot index dicts)."""
    errors = context.get("errors", {})

    def field(name):
        return {"name": name, "value": post.get(name, ""), "errors": errors.get(name, [])}

    context["f"] = {name: field(name) for name in HOUSEHOLD_FIELDS}
    context["members"] = [
        {name: field(f"m{i}-{name}") for name in MEMBER_FIELDS} | {"index": i + 1}
        for i in range(size)
    ]
    for i, member in enumerate(context["members"]):
        if not member["relation"]["value"]:
            member["relation"]["value"] = ("applicant", "spouse")[i] if i < 2 else "child"
    context["other_errors"] = [
        msg
        for key, msgs in errors.items()
        if key not in context["f"] and not key.startswith("m")
        for msg in msgs
    ] + errors.get("members", [])


def policy_catalog(request):
    """政策目录: every policy with its department and categories, and the standards in force;
    open to the public, searched in Chinese (``q``: every term must match)."""
    q = request.GET.get("q", "")[:100]
    department = request.GET.get("department", "")[:40]
    category = request.GET.get("category", "")[:40]
    city = Region.objects.filter(level=Region.Level.CITY).first()
    standards = None
    if city is not None:
        county = Region.objects.filter(parent=city, level=Region.Level.COUNTY).order_by("code")
        first = county.first()
        if first is not None:
            try:
                standards = selectors.standards_in_force(
                    region=first, area="urban", on=timezone.localdate()
                )
            except DomainError:
                standards = None
    history = selectors.standard_history(item=StandardItem.DIBAO).filter(region=city)
    return render(
        request,
        "eligibility/policy_catalog.html",
        {
            "policies": selectors.policy_search(query=q, department=department, category=category),
            "q": q,
            "department": department,
            "category": category,
            "departments": Department.objects.order_by("code"),
            "categories": Category.objects.order_by("order"),
            "standards": standards,
            "dibao_history": history.order_by("-effective_from", "area"),
        },
    )
