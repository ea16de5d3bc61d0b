"""Demo households for every category (SPEC §5, issue 8: "each of the nine categories
proposed, decided and enrolled, or paid once, from the demo"). Driven through the same
services a caseworker and an approver use; idempotent by submission key."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from applicants import applications as intake
from applicants.idnumber import with_check_digit
from applicants.models import Application, Region, User

from .services import cases


def _id(county: str, birth: dt.date, serial: int, male: bool = True) -> str:
    sequence = serial * 2 + (1 if male else 0)
    return with_check_digit(f"{county}{birth:%Y%m%d}{sequence % 1000:03d}")


def _member(relation, name, birth, serial, county, income="0", male=True, **extra):
    member = {
        "relation": relation,
        "name": name,
        "id_number": _id(county, birth, serial, male),
        "monthly_income": income,
    }
    if relation == "applicant":  # the household's social-security card, which payroll pays
        member |= {"bank_name": "威海市商业银行", "bank_account": f"621700{serial:010d}"}
    return member | extra


def _showcase() -> list[tuple[str, str, str, dict, list[str]]]:
    """key, township code, area, application data, the results the approver enrolls
    ("policy" or "policy:member name")."""
    hc, wd = "371002", "371003"
    return [
        (
            "tekun",
            "371002001",
            "urban",
            {
                "requested": "tekun",
                "members": [
                    _member(
                        "applicant", "孙德福", dt.date(1948, 3, 2), 901, hc, self_care="partial"
                    )
                ],
            },
            ["tekun:孙德福"],
        ),
        (
            "orphan",
            "371002001",
            "rural",
            {
                "requested": "orphan",
                "members": [
                    _member("applicant", "郑桂兰", dt.date(1952, 6, 9), 902, hc, male=False),
                    _member(
                        "grandchild",
                        "郑小雨",
                        dt.date(2015, 4, 1),
                        903,
                        hc,
                        male=False,
                        in_school=True,
                        parent_situations=["dead", "imprisoned"],
                        care_arrangement="dispersed",
                    ),
                ],
            },
            ["tekun:郑桂兰", "orphan:郑小雨"],
        ),
        (
            "disability",
            "371002001",
            "urban",
            {
                "requested": "dibao",
                "members": [
                    _member(
                        "applicant",
                        "冯建国",
                        dt.date(1978, 8, 8),
                        904,
                        hc,
                        disability_grade=1,
                        disability_type="physical",
                        self_care="none",
                    ),
                    _member("spouse", "冯丽", dt.date(1980, 2, 2), 905, hc, "600", male=False),
                    _member("child", "冯乐", dt.date(2014, 9, 9), 906, hc, in_school=True),
                ],
            },
            ["dibao", "severe_disability:冯建国", "child_in_hardship:冯乐"],
        ),
        (
            "expenditure",
            "371002001",
            "urban",
            {
                "requested": "expenditure_hardship",
                "members": [
                    _member("applicant", "韩志强", dt.date(1975, 1, 5), 907, hc, "900"),
                    _member("spouse", "韩秀霞", dt.date(1977, 5, 1), 908, hc, "700", male=False),
                ],
                "rigid_expenditure_12m": {"medical": "9600", "education": "0"},
            },
            ["expenditure_hardship"],
        ),
        (
            "edge",
            "371002001",
            "urban",
            {
                "requested": "dibao_edge",
                "members": [_member("applicant", "蒋文", dt.date(1981, 7, 7), 909, hc, "900")],
            },
            ["dibao_edge"],
        ),
        (
            "relative",
            "371003002",
            "rural",
            {
                "requested": "relative_poverty",
                "members": [_member("applicant", "曹海", dt.date(1979, 3, 3), 910, wd, "650")],
            },
            ["relative_poverty"],
        ),
    ]


def _key(assessment, wanted: str) -> str:
    """ "policy:name" → the result key "policy:index" of that member in the frozen inputs."""
    from applicants.models import Person

    policy, _sep, name = wanted.partition(":")
    if not name:
        return policy
    ids = [m["person_id"] for m in assessment.inputs["members"]]
    names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name"))
    index = next((i for i, pk in enumerate(ids) if names.get(pk) == name), None)
    return f"{policy}:{index}"


def seed_categories(staff: dict[str, User]) -> int:
    """Enroll one demo household per category not yet shown; returns how many were made."""
    made = 0
    for key, township_code, area, data, wanted in _showcase():
        submission_key = f"demo-category-{key}"
        if Application.objects.filter(submission_key=submission_key).exists():
            continue
        township = Region.objects.get(code=township_code)
        village = (
            Region.objects.filter(parent=township, area=area).order_by("code").first()
            or Region.objects.filter(parent=township).order_by("code").first()
        )
        cw = staff.get(township.code) or staff["admin"]
        approver = staff.get(township.parent.code) or staff["admin2"]
        payload = {
            "village": village.code,
            "address": f"{village.name}{key}号",
            "assets": {"financial": "0", "houses": "1", "vehicles": "0"},
            **data,
        }
        with transaction.atomic():
            app = intake.application_draft_save(by=cw, data=payload, submission_key=submission_key)
            signers = [m["id_number"] for m in app.data["members"]]
            intake.application_submit(application=app, by=cw, signers=signers)
            intake.application_accept(application=app, by=cw)
            cases.application_verify(application=app, by=cw)
            cases.verification_confirm(
                application=app, by=cw, summary="核对无异常", values={}, reasons={}
            )
            cases.application_survey(
                application=app,
                by=cw,
                visited_on=timezone.localdate(),
                staff=["王强", "赵敏"],
                findings="家庭情况与申报一致",
                signed=True,
            )
            cases.application_propose(application=app, by=cw, opinion="建议按测算结果纳入")
            cases.public_notice_open(application=app, by=cw)
            Application.objects.filter(pk=app.pk).update(
                notice_closes_on=timezone.localdate() - dt.timedelta(days=1)
            )
            app.refresh_from_db()
            assessment = app.assessments.order_by("-created_at").first()
            eligible = {cases.result_key(r) for r in cases.enrollable_results(assessment)}
            choices = [c for c in (_key(assessment, w) for w in wanted) if c in eligible] or None
            cases.application_approve(
                application=app,
                by=approver,
                reasons="经调查核实、公示无异议，符合条件",
                choices=choices,
            )
        made += 1
    return made
