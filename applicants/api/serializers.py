"""Shapes of households and members in the API; what a reader sees is applicants.masking's
(the view puts ``unmasked`` in the context)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from applicants import masking
from applicants.models import Household, Person
from applicants.validators import refuse_unsafe_json, validate_phone
from weijiuni.api.serializers import ModelSerializer


class MemberSerializer(ModelSerializer):
    birth_decade = serializers.SerializerMethodField(help_text="出生年代（如 1950），脱敏时也提供")

    class Meta:
        model = Person
        fields = [
            "id",
            "relation",
            "name",
            "id_number",
            "birth_date",
            "birth_decade",
            "sex",
            "phone",
            "disability_grade",
            "disability_type",
            "serious_illness",
            "self_care",
            "labour_capacity",
            "in_school",
            "monthly_income",
            "bank_name",
            "bank_account",
        ]
        read_only_fields = ["id", "birth_date", "sex"]
        # Hidden from masked readers (applicants.masking): then they are null.
        extra_kwargs = {
            field: {"allow_null": True}
            for field in masking.HIDDEN_PERSON_FIELDS
            if field not in ("parent_situations", "care_arrangement", "status_reason")
        }

    def get_birth_decade(self, instance) -> int | None:
        return masking.birth_decade(instance.birth_date)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return masking.person_fields(data, unmasked=bool(self.context.get("unmasked")))


class MemberInputSerializer(serializers.Serializer):
    """Shape only; the service validates ID numbers, duplicates and the household as a whole."""

    relation = serializers.ChoiceField(choices=Person.Relation.choices)
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30)
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, validators=[validate_phone]
    )
    disability_grade = serializers.IntegerField(
        min_value=1, max_value=4, required=False, allow_null=True
    )
    disability_type = serializers.ChoiceField(
        choices=Person.DisabilityType.choices, required=False, allow_blank=True
    )
    serious_illness = serializers.BooleanField(required=False, default=False)
    self_care = serializers.ChoiceField(choices=Person.SelfCare.choices, required=False)
    labour_capacity = serializers.ChoiceField(choices=Person.LabourCapacity.choices, required=False)
    in_school = serializers.BooleanField(required=False, default=False)
    monthly_income = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False
    )
    bank_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    bank_account = serializers.CharField(max_length=40, required=False, allow_blank=True)


class HouseholdSerializer(ModelSerializer):
    #: null for a masked reader, whose place is the township (applicants.masking)
    village = serializers.CharField(source="village.code", read_only=True, allow_null=True)
    village_name = serializers.CharField(source="village.name", read_only=True, allow_null=True)
    township = serializers.CharField(source="village.parent.code", read_only=True)
    township_name = serializers.CharField(source="village.parent.name", read_only=True)
    area = serializers.CharField(source="village.area", read_only=True)
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "village",
            "village_name",
            "township",
            "township_name",
            "area",
            "address",
            "members",
            "created_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return masking.household_fields(data, unmasked=bool(self.context.get("unmasked")))


def cap_members(fields: dict) -> dict:
    """Cap the ``members`` list at ``HOUSEHOLD_MAX_MEMBERS``, checked before any member is
    looked at, so an oversized household costs nothing but the refusal."""
    fields["members"].max_length = settings.HOUSEHOLD_MAX_MEMBERS
    fields["members"].error_messages["max_length"] = _("一户最多填写 {max_length} 名家庭成员。")
    return fields


class MembersField(serializers.ListField):
    """A list of members, refused whole past ``HOUSEHOLD_MAX_MEMBERS`` before any member is
    read (a ListField's own max_length is checked only after every child)."""

    def to_internal_value(self, data):
        limit = settings.HOUSEHOLD_MAX_MEMBERS
        if isinstance(data, list | tuple) and len(data) > limit:
            raise serializers.ValidationError(
                _("一户最多填写 %(n)d 名家庭成员。") % {"n": limit}, code="max_length"
            )
        return super().to_internal_value(data)


class HouseholdInputSerializer(serializers.Serializer):
    village = serializers.CharField(max_length=12, help_text="村（居）12位统计代码")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    members = MemberInputSerializer(many=True, allow_empty=False)

    def get_fields(self):
        return cap_members(super().get_fields())


#: the largest value a PositiveSmallIntegerField column holds (houses, vehicles, months …)
SMALL_INT_MAX = 32767


class DraftMemberSerializer(serializers.Serializer):
    """A member as typed into an application draft: every field may still be empty, but what is
    there fits the household file's columns (lengths, choices, booleans, money) — so that
    submitting the draft later can never fail on the database instead of with a field error."""

    relation = serializers.ChoiceField(
        choices=Person.Relation.choices, required=False, allow_blank=True
    )
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, validators=[validate_phone]
    )
    disability_grade = serializers.IntegerField(
        min_value=1, max_value=4, required=False, allow_null=True
    )
    disability_type = serializers.ChoiceField(
        choices=Person.DisabilityType.choices, required=False, allow_blank=True, allow_null=True
    )
    serious_illness = serializers.BooleanField(required=False)
    self_care = serializers.ChoiceField(
        choices=Person.SelfCare.choices, required=False, allow_blank=True
    )
    labour_capacity = serializers.ChoiceField(
        choices=Person.LabourCapacity.choices, required=False, allow_blank=True
    )
    in_school = serializers.BooleanField(required=False)
    parent_situations = serializers.ListField(
        child=serializers.ChoiceField(choices=Person.ParentSituation.choices),
        required=False,
        max_length=2,
    )
    care_arrangement = serializers.ChoiceField(
        choices=Person.CareArrangement.choices, required=False, allow_blank=True
    )
    monthly_income = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    bank_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    bank_account = serializers.CharField(max_length=40, required=False, allow_blank=True)


class FactsField(serializers.DictField):
    """One section of declared facts (assets, expenditure, supporter, hardship): kept as typed
    in the draft (submission checks it, applicants.facts), but only text a database can hold."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", []).append(refuse_unsafe_json)
        super().__init__(**kwargs)


class ApplicationDraftSerializer(serializers.Serializer):
    """An application draft (申请草稿) at the edge, for the API and the filing page alike."""

    village = serializers.CharField(max_length=12)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    requested = serializers.ChoiceField(
        choices=[
            "dibao",
            "tekun",
            "dibao_edge",
            "expenditure_hardship",
            "temporary",
            "orphan",
            "child_in_hardship",
            "severe_disability",
            "relative_poverty",
        ],
        required=False,
        default="dibao",
    )
    members = DraftMemberSerializer(many=True, allow_empty=False)
    assets = FactsField(required=False, default=dict)
    rigid_expenditure_12m = FactsField(required=False, default=dict)
    supporter = FactsField(required=False, default=dict)
    hardship = FactsField(required=False, allow_null=True, default=None)
    submission_key = serializers.CharField(required=False, max_length=64, allow_blank=True)

    def get_fields(self):
        return cap_members(super().get_fields())

    def draft_data(self) -> dict:
        """The validated draft as JSON values (money as strings), as it is stored."""
        return dict(self.to_representation(self.validated_data))
