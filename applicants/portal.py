"""Pages for filing an application: the citizen portal (网上申请), the village assistant's
代办 and the township window's paper intake share one form."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import applications as intake
from . import masking, permissions
from .api.serializers import ApplicationDraftSerializer
from .applications import SubmissionKeyTaken
from .documents import document_attach
from .errors import DomainError
from .facts import FACT_FIELDS, errors_by_field, facts_from_post
from .models import Application, ApplicationState, Document, Household, Person, Region, Role

MEMBER_FIELDS = (
    "relation",
    "name",
    "id_number",
    "phone",
    "monthly_income",
    "disability_grade",
    "disability_type",
    "serious_illness",
    "self_care",
    "in_school",
    "father_situation",
    "mother_situation",
    "care_arrangement",
    "bank_account",
)
#: the form's two selects stand for the member's ``parent_situations`` (father, mother)
PARENT_FIELDS = ("father_situation", "mother_situation")
CHECKBOXES = {"serious_illness", "in_school"}
HOUSEHOLD_FIELDS = ("village", "address", "requested", *FACT_FIELDS)


def _data_from_post(post, size: int) -> dict:
    def v(name):
        return post.get(name, "").strip()

    members = []
    for i in range(size):
        m = {f: v(f"m{i}-{f}") for f in MEMBER_FIELDS if f not in CHECKBOXES}
        for f in CHECKBOXES:
            m[f] = post.get(f"m{i}-{f}") == "on"
        m["monthly_income"] = m["monthly_income"] or "0"
        m["disability_grade"] = m["disability_grade"] or None
        m["parent_situations"] = [c for c in (m.pop(f) for f in PARENT_FIELDS) if c]
        members.append(m)
    return {
        "village": v("village"),
        "address": v("address"),
        "requested": v("requested") or "dibao",
        "members": members,
        **facts_from_post(post),
    }


def _post_from_data(data: dict) -> dict:
    """The reverse: a saved draft (or the self-check's answers) as form values."""
    values = {
        "village": data.get("village", ""),
        "address": data.get("address", ""),
        "requested": data.get("requested", "dibao"),
    }
    assets = data.get("assets") or {}
    values |= {
        "financial": assets.get("financial", ""),
        "houses": assets.get("houses", ""),
        "vehicles": assets.get("vehicles", ""),
        "business_registered": assets.get("business_registered", False),
    }
    rigid = data.get("rigid_expenditure_12m") or {}
    values |= {k: rigid.get(k, "") for k in ("medical", "education", "rehabilitation")}
    supporter = data.get("supporter") or {}
    values |= {
        "supporter_payment": supporter.get("monthly_payment", ""),
        "supporter_income": supporter.get("household_per_capita_income") or "",
        "supporter_able": supporter.get("able", False),
    }
    hardship = data.get("hardship") or {}
    values |= {
        "hardship_type": hardship.get("type", ""),
        "months_without_income": hardship.get("months_without_income", ""),
        "unemployment_insured": hardship.get("unemployment_insured", False),
    }
    for i, m in enumerate(data.get("members") or []):
        for f in MEMBER_FIELDS:
            value = m.get(f)
            values[f"m{i}-{f}"] = "" if value is None else value
        situations = list(m.get("parent_situations") or []) + ["", ""]
        for f, code in zip(PARENT_FIELDS, situations, strict=False):
            values[f"m{i}-{f}"] = code
    return values


def _villages(user):
    qs = Region.objects.filter(level=Region.Level.VILLAGE).select_related("parent__parent")
    if user.role in (Role.VILLAGE_ASSISTANT, Role.CASEWORKER) and user.region_id:
        qs = qs.filter(path__startswith=user.region.path)
    return qs.order_by("path")


def _form_context(request, values: dict, errors: dict, size: int, application=None) -> dict:
    def field(name):
        return {"name": name, "value": values.get(name, ""), "errors": errors.get(name, [])}

    members = []
    for i in range(size):
        member = {f: field(f"m{i}-{f}") for f in MEMBER_FIELDS} | {"index": i + 1}
        if not member["relation"]["value"]:
            member["relation"]["value"] = ("applicant", "spouse")[i] if i < 2 else "child"
        members.append(member)
    known = {f"m{i}-{f}" for i in range(size) for f in MEMBER_FIELDS} | set(HOUSEHOLD_FIELDS)
    villages = list(_villages(request.user))
    townships = {v.parent.code: v.parent for v in villages}
    chosen = next((v.parent.code for v in villages if v.code == values.get("village")), "")
    return {
        "townships": sorted(townships.values(), key=lambda t: t.code),
        "chosen_township": chosen,
        "error_summary": error_summary(errors, known),
        "application": application,
        "f": {name: field(name) for name in HOUSEHOLD_FIELDS},
        "members": members,
        "size": size,
        "sizes": range(1, 9),
        "villages": villages,
        "relations": Person.Relation.choices,
        "disability_types": Person.DisabilityType.choices,
        "self_care_levels": Person.SelfCare.choices,
        "parent_situations": Person.ParentSituation.choices,
        "care_arrangements": Person.CareArrangement.choices,
        "other_errors": [m for k, msgs in errors.items() if k not in known for m in msgs],
        "submission_key": values.get("submission_key") or uuid.uuid4().hex,
        "document_kinds": Document.Kind.choices,
    }


#: the form's fields as the error summary names them (issue 13: "which field?")
FIELD_LABELS = {
    "village": _lazy("户籍所在村（居）"),
    "region": _lazy("所在区市"),
    "area": _lazy("城市或农村"),
    "birth_date": _lazy("出生日期"),
    "self_care": _lazy("生活自理能力"),
    "address": _lazy("居住地址"),
    "requested": _lazy("申请类别"),
    "relation": _lazy("与申请人关系"),
    "name": _lazy("姓名"),
    "id_number": _lazy("身份证号码"),
    "phone": _lazy("手机号"),
    "monthly_income": _lazy("月收入"),
    "bank_account": _lazy("社保卡银行账号"),
    "disability_grade": _lazy("残疾等级"),
    "disability_type": _lazy("残疾类别"),
    "financial": _lazy("家庭金融资产"),
    "houses": _lazy("住房套数"),
    "vehicles": _lazy("机动车数量"),
    "medical": _lazy("医疗费用"),
    "education": _lazy("教育费用"),
    "rehabilitation": _lazy("康复费用"),
    "supporter_payment": _lazy("赡养人每月给付"),
    "supporter_income": _lazy("赡养人家庭人均月收入"),
    "months_without_income": _lazy("连续无收入月数"),
    "hardship_type": _lazy("临时困难"),
}


def error_summary(errors: dict, known: set[str]) -> list[dict]:
    """Every error at the top of the form, each naming its field and linking to it."""
    rows = []
    for key, messages_ in errors.items():
        label, anchor = "", ""
        if key in known:
            anchor = key
            member, _sep, name = key.partition("-")
            if name:
                label = _("家庭成员%(n)d·%(field)s") % {
                    "n": int(member[1:]) + 1,
                    "field": FIELD_LABELS.get(name, name),
                }
            else:
                label = str(FIELD_LABELS.get(key, key))
        for message in messages_:
            rows.append({"field": anchor, "label": label, "message": message})
    return rows


def _household_values(household) -> dict:
    """The household on file as application data: members, village, address (no retyping)."""
    members = []
    for p in sorted(household.members.all(), key=lambda p: (p.relation != "applicant", p.pk)):
        if p.status != Person.Status.LIVING:
            continue
        members.append(
            {
                "relation": p.relation,
                "name": p.name,
                "id_number": p.id_number,
                "phone": p.phone,
                "monthly_income": str(p.monthly_income),
                "disability_grade": p.disability_grade,
                "disability_type": p.disability_type,
                "serious_illness": p.serious_illness,
                "self_care": p.self_care,
                "in_school": p.in_school,
                "parent_situations": list(p.parent_situations or []),
                "care_arrangement": p.care_arrangement,
                "bank_account": p.bank_account,
            }
        )
    return {"village": household.village.code, "address": household.address, "members": members}


def _prefill(request, saved: dict) -> dict:
    """A new application starts from the household on file: the citizen's own, or the one the
    township picked (``?household=`` from its file); the self-check's answers fill the rest."""
    from .selectors import household_get

    household = None
    household_id = request.GET.get("household", "")
    if (
        household_id.isascii()
        and household_id.isdigit()
        and len(household_id) < 19
        and request.user.role != Role.CITIZEN
    ):
        try:
            household = household_get(user=request.user, pk=int(request.GET["household"]))
        except Household.DoesNotExist as exc:
            raise Http404 from exc
    elif hasattr(request.user, "person"):
        household = request.user.person.household
    if household is None:
        return saved
    on_file = _household_values(household)
    if not saved.get("members"):
        return {**saved, **on_file}
    return {
        **saved,
        "village": saved.get("village") or on_file["village"],
        "address": saved.get("address") or on_file["address"],
    }


def _size(request, default: int) -> int:
    raw = request.POST.get("size") or request.GET.get("n") or str(default)
    return min(max(int(raw), 1), 8) if raw.isascii() and raw.isdigit() else default


def _own_application(request, pk: int) -> Application:
    try:
        return Application.objects.for_user(request.user).select_related("village").get(pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def apply(request, pk: int | None = None):
    """File or continue an application: save a draft, or sign and submit."""
    if not permissions.can_file_for(request.user):
        raise Http404
    application = _own_application(request, pk) if pk else None
    if application and application.state not in (ApplicationState.DRAFT, ApplicationState.RETURNED):
        return redirect("application_status", pk=application.pk)
    saved = application.data if application else request.session.get("selfcheck") or {}
    if not application:
        saved = _prefill(request, saved)
    size = _size(request, max(len(saved.get("members") or []), 1))
    values, errors = _post_from_data(saved), {}
    if request.method == "POST":
        data = _data_from_post(request.POST, size)
        values = _post_from_data(data) | {"submission_key": request.POST.get("submission_key")}
        draft = ApplicationDraftSerializer(
            data=data | {"submission_key": request.POST.get("submission_key", "")}
        )
        try:
            if not draft.is_valid():
                raise DomainError(_("申请信息有误，请按提示修改。"), draft.errors)
            data = draft.draft_data()
            key = data.pop("submission_key", None) or None
            application = intake.application_draft_save(
                by=request.user, data=data, application=application, submission_key=key
            )
            if application.state not in (ApplicationState.DRAFT, ApplicationState.RETURNED):
                # The same form sent twice (a double click, a retry): it was filed the first time.
                return redirect("application_status", pk=application.pk)
            if request.POST.get("action") == "submit":
                signers = [
                    data["members"][i]["id_number"].upper()
                    for i in range(size)
                    if request.POST.get(f"m{i}-signed") == "on"
                ]
                intake.application_submit(
                    application=application, by=request.user, signers=signers, request=request
                )
                request.session.pop("selfcheck", None)
                messages.success(request, _("申请已提交。"))
                return redirect("application_status", pk=application.pk)
            messages.success(request, _("草稿已保存，可以随时回来继续填写。"))
            return redirect("apply_continue", pk=application.pk)
        except SubmissionKeyTaken as exc:
            # Another filer's key: a fresh key and a neutral message, never their application.
            values["submission_key"] = uuid.uuid4().hex
            errors = errors_by_field(exc.detail)
        except DomainError as exc:
            if application is not None and _filed_meanwhile(application):
                return redirect("application_status", pk=application.pk)
            errors = errors_by_field(exc.detail)
    context = _form_context(request, values, errors, size, application)
    if application is not None:
        # The form shows the draft as typed: every member's ID number, phone and account.
        masking.record_read(
            user=request.user,
            object_type="application",
            object_ids=[application.pk],
            request=request,
        )
    return render(request, "applicants/apply.html", context)


def _filed_meanwhile(application: Application) -> bool:
    """The same form was sent twice at once and the other request submitted it."""
    state = Application.objects.filter(pk=application.pk).values_list("state", flat=True).first()
    return state not in (None, ApplicationState.DRAFT, ApplicationState.RETURNED)


@login_required
def application_status(request, pk: int):
    """The applicant's view of a case: where it is, its time limit, what is missing."""
    application = _own_application(request, pk)
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        try:
            intake.application_withdraw(
                application=application,
                by=request.user,
                reason=request.POST.get("reason", ""),
                request=request,
            )
            messages.success(request, _("申请已撤回。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("application_status", pk=pk)
    if request.method == "POST" and request.FILES.get("file"):
        try:
            document_attach(
                application=application,
                kind=request.POST.get("kind", ""),
                upload=request.FILES["file"],
                by=request.user,
            )
            messages.success(request, _("材料已上传。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("application_status", pk=pk)
    unmasked = masking.record_read(
        user=request.user, object_type="application", object_ids=[application.pk], request=request
    )
    return render(
        request,
        "applicants/application_status.html",
        {
            "application": application,
            "transitions": application.transitions.select_related("by"),
            "documents": application.documents.all(),
            "can_read_documents": masking.may_read_documents(request.user),
            "unmasked": unmasked,
            "document_kinds": Document.Kind.choices,
            "enrollments": application.household.enrollments.all() if application.household else [],
        },
    )


@login_required
def document_download(request, pk: int):
    """Serve a document only to users who read its application unmasked; log the read. A
    masked reader gets a 404 like a document outside their scope (a scan is never masked)."""
    if not masking.may_read_documents(request.user):
        raise Http404
    try:
        document = Document.objects.select_related("application").get(
            pk=pk, application__in=Application.objects.for_user(request.user)
        )
    except Document.DoesNotExist as exc:
        raise Http404 from exc
    masking.record_read(
        user=request.user,
        object_type="document",
        object_ids=[document.pk],
        request=request,
        fields="document",
    )
    return FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        filename=f"{document.kind}-{document.pk}",
    )
