"""The assessment contract of SPEC §11: shapes only; the service decides."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from applicants.api.serializers import MembersField
from applicants.idnumber import IDNumberError, parse_id_number
from applicants.models import Person, Region

MONEY_ERRORS = {
    "min_value": _("金额不能为负数。"),
    "invalid": _("请填写有效的金额。"),
    "max_decimal_places": _("金额最多保留两位小数。"),
}


def Money(**kwargs):  # noqa: N802 - reads like a field class
    return serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, error_messages=MONEY_ERRORS, **kwargs
    )


#: a parent's situation, for 孤儿 and 事实无人抚养儿童 (codes: eligibility.rules PARENT_SITUATIONS)
PARENT_SITUATIONS = [
    ("dead", _("死亡")),
    ("missing", _("宣告失踪")),
    ("severe_disability", _("重度残疾（一、二级）")),
    ("serious_illness", _("重病")),
    ("imprisoned", _("服刑在押")),
    ("drug_rehabilitation", _("强制隔离戒毒")),
    ("deprived_of_liberty", _("被执行其他限制人身自由的措施")),
    ("lost_contact", _("失联满 6 个月")),
]
#: where an orphan is cared for (codes: eligibility.rules CARE_ARRANGEMENTS)
CARE_ARRANGEMENTS = [("institutional", _("机构集中养育")), ("dispersed", _("社会散居"))]


class MemberSerializer(serializers.Serializer):
    relation = serializers.ChoiceField(choices=Person.Relation.choices)
    birth_date = serializers.DateField(required=False, allow_null=True)
    id_number = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    monthly_income = Money(required=False, default="0.00")
    disability_grade = serializers.IntegerField(
        min_value=1, max_value=4, required=False, allow_null=True
    )
    disability_type = serializers.ChoiceField(
        choices=Person.DisabilityType.choices, required=False, allow_null=True, allow_blank=True
    )
    serious_illness = serializers.BooleanField(required=False, default=False)
    self_care = serializers.ChoiceField(
        choices=Person.SelfCare.choices, required=False, default="full"
    )
    in_school = serializers.BooleanField(required=False, default=False)
    parent_situations = serializers.ListField(
        child=serializers.ChoiceField(
            choices=PARENT_SITUATIONS,
            error_messages={"invalid_choice": _("“{input}”不是有效的父母情况。")},
        ),
        required=False,
        default=list,
        max_length=2,
        error_messages={"max_length": _("父母情况最多填写两项（父亲、母亲各一项）。")},
        help_text="孤儿、事实无人抚养儿童：父母双方的情况，每人一项",
    )
    care_arrangement = serializers.ChoiceField(
        choices=CARE_ARRANGEMENTS,
        required=False,
        allow_null=True,
        allow_blank=True,
        error_messages={"invalid_choice": _("“{input}”不是有效的供养方式。")},
        help_text="孤儿的供养方式：机构集中养育或社会散居",
    )

    def validate(self, attrs):
        number = attrs.get("id_number")
        on = self.context.get("on") or timezone.localdate()
        if number:
            try:
                rid = parse_id_number(number)
            except IDNumberError as exc:
                raise serializers.ValidationError({"id_number": [str(exc)]}) from exc
            if attrs.get("birth_date") and attrs["birth_date"] != rid.birth_date:
                raise serializers.ValidationError(
                    {"birth_date": [_("出生日期与身份证号码不一致。")]}
                )
            attrs["birth_date"] = rid.birth_date
            attrs["id_number"] = rid.number
        if not attrs.get("birth_date"):
            raise serializers.ValidationError(
                {"birth_date": [_("请填写出生日期，或填写身份证号码。")]}
            )
        if attrs["birth_date"] > on:
            raise serializers.ValidationError({"birth_date": [_("出生日期晚于测算日期。")]})
        if attrs.get("disability_grade") and not attrs.get("disability_type"):
            raise serializers.ValidationError({"disability_type": [_("请选择残疾类别。")]})
        return attrs


class AssetsSerializer(serializers.Serializer):
    financial = Money(required=False, default="0.00")
    vehicles = serializers.IntegerField(min_value=0, required=False, default=0)
    houses = serializers.IntegerField(min_value=0, required=False, default=0)
    business_registered = serializers.BooleanField(required=False, default=False)


class RigidExpenditureSerializer(serializers.Serializer):
    medical = Money(required=False, default="0.00")
    education = Money(required=False, default="0.00")
    rehabilitation = Money(required=False, default="0.00")


class SupporterSerializer(serializers.Serializer):
    monthly_payment = Money(required=False, default="0.00")
    household_per_capita_income = Money(required=False, allow_null=True, default=None)
    able = serializers.BooleanField(required=False, default=False)


class HardshipSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["emergency", "expenditure", "migrant_no_income"])
    months_without_income = serializers.IntegerField(min_value=0, required=False, default=0)
    unemployment_insured = serializers.BooleanField(required=False, default=False)
    on_dibao = serializers.BooleanField(
        required=False, default=False, help_text="家庭目前已纳入低保（SPEC §5）"
    )


class AssessmentRequestSerializer(serializers.Serializer):
    region = serializers.CharField(max_length=12)
    area = serializers.ChoiceField(choices=["urban", "rural"], required=False, allow_null=True)
    date = serializers.DateField(required=False, allow_null=True)
    members = MembersField(
        child=serializers.DictField(),
        allow_empty=False,
        error_messages={"empty": _("至少填写一名家庭成员。")},
    )
    assets = AssetsSerializer(required=False, allow_null=True)
    rigid_expenditure_12m = RigidExpenditureSerializer(required=False, allow_null=True)
    supporter = SupporterSerializer(required=False, allow_null=True)
    hardship = HardshipSerializer(required=False, allow_null=True)

    def validate_region(self, value):
        try:
            region = Region.objects.get(code=value)
        except Region.DoesNotExist as exc:
            raise serializers.ValidationError(_("未知的行政区划代码。")) from exc
        if region.level == Region.Level.CITY:
            raise serializers.ValidationError(_("请填写县级或以下的区划代码。"))
        return region

    def validate(self, attrs):
        attrs["date"] = attrs.get("date") or timezone.localdate()
        # Members are validated with the date known, and their errors keep their positions.
        members, errors, failed = [], [], False
        for raw in attrs["members"]:
            member = MemberSerializer(data=raw, context={"on": attrs["date"]})
            if member.is_valid():
                members.append(member.validated_data)
                errors.append({})
            else:
                errors.append(member.errors)
                failed = True
        if failed:
            raise serializers.ValidationError({"members": errors})
        attrs["members"] = members
        return attrs


class AssessmentRequestDocSerializer(AssessmentRequestSerializer):
    """The same request, with the member fields spelled out for the OpenAPI schema."""

    members = MemberSerializer(many=True, max_length=settings.HOUSEHOLD_MAX_MEMBERS)

    class Meta:
        ref_name = "AssessmentRequest"


class _Money(serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, **kwargs)


class ResultSerializer(serializers.Serializer):
    policy = serializers.CharField()
    member = serializers.IntegerField(required=False)
    eligible = serializers.BooleanField()
    monthly_amount = _Money(required=False, allow_null=True)
    min_amount = _Money(required=False)
    max_amount = _Money(required=False)
    line = _Money(required=False, help_text="比较所用的线（标准 × 倍数 × 人数）")
    reasons = serializers.ListField(child=serializers.CharField())

    #: policies that pay a monthly amount carry it, null when not eligible (SPEC §11)
    MONTHLY = {
        "dibao",
        "dibao_single",
        "tekun",
        "expenditure_hardship",
        "orphan",
        "child_in_hardship",
        "severe_disability",
    }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for key in ("member", "min_amount", "max_amount", "line"):
            if data.get(key) is None:
                data.pop(key, None)
        if instance.policy not in self.MONTHLY:
            data.pop("monthly_amount", None)
        return data


class CareYearlySerializer(serializers.Serializer):
    full = _Money()
    partial = _Money()
    none = _Money()


class StandardsSerializer(serializers.Serializer):
    dibao = _Money()
    tekun_basic = _Money()
    care_yearly = CareYearlySerializer()


class AssessmentResponseSerializer(serializers.Serializer):
    date = serializers.DateField()
    region = serializers.CharField()
    area = serializers.CharField()
    household_size = serializers.IntegerField()
    standards = StandardsSerializer()
    counted_income = _Money()
    per_capita_income = _Money()
    results = ResultSerializer(many=True)
    related_policies = serializers.ListField(child=serializers.CharField())


def assessment_response(preview, *, region_code: str) -> dict:
    """The §11 response body for an assessment preview."""
    params = preview.standards.parameters
    body = {
        "date": preview.standards.on,
        "region": region_code,
        "area": preview.standards.area,
        "household_size": preview.assessment.household_size,
        "standards": {
            "dibao": params.dibao_standard,
            "tekun_basic": params.tekun_basic,
            "care_yearly": dict(params.care_yearly),
        },
        "counted_income": preview.assessment.counted_income,
        "per_capita_income": preview.assessment.per_capita_income,
        "results": list(preview.assessment.results),
        "related_policies": [p.code for p in preview.related_policies],
    }
    return AssessmentResponseSerializer(body).data
