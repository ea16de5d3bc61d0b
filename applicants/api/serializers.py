"""Shapes of households and members in the API; masking is decided by the view's context."""

from __future__ import annotations

from rest_framework import serializers

from applicants.idnumber import mask_id_number, mask_name, mask_phone
from applicants.models import Household, Person


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "relation",
            "name",
            "id_number",
            "birth_date",
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

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("unmasked"):
            data["name"] = mask_name(instance.name)
            data["id_number"] = mask_id_number(instance.id_number)
            data["phone"] = mask_phone(instance.phone)
            data["bank_account"] = mask_id_number(instance.bank_account)
            for field in ("monthly_income", "disability_grade", "disability_type"):
                data[field] = None
            data["serious_illness"] = None
        return data


class MemberInputSerializer(serializers.Serializer):
    """Shape only; the service validates ID numbers, duplicates and the household as a whole."""

    relation = serializers.ChoiceField(choices=Person.Relation.choices)
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
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


class HouseholdSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    township_name = serializers.CharField(source="village.parent.name", read_only=True)
    area = serializers.CharField(source="village.area", read_only=True)
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "village",
            "village_name",
            "township_name",
            "area",
            "address",
            "members",
            "created_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("unmasked"):
            data["address"] = ""
        return data


class HouseholdInputSerializer(serializers.Serializer):
    village = serializers.CharField(max_length=12, help_text="村（居）12位统计代码")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    members = MemberInputSerializer(many=True, allow_empty=False)
