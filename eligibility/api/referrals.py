"""/api/v1/referrals/ (政策找人) and the public policy catalog /api/v1/policies/.

A department officer sees the referrals to its own department's policies and answers them;
staff see those of households in their region, a citizen their own; everyone who reads one
reads the household as ``applicants.masking`` lets them (a department: masked)."""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from applicants import masking
from eligibility import selectors
from eligibility.api.enrollments import HouseholdIdFilter
from eligibility.models import Policy, Referral, ReferralBenefit
from eligibility.services import referrals as service


class ReferralBenefitSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferralBenefit
        fields = ["id", "given_on", "description", "amount", "recorded_at"]


class ReferralSerializer(serializers.ModelSerializer):
    policy = serializers.CharField(source="policy.code")
    policy_name = serializers.CharField(source="policy.name")
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    category = serializers.CharField(source="category.code")
    applicant = serializers.SerializerMethodField()
    person = serializers.SerializerMethodField()
    place = serializers.SerializerMethodField()
    household_size = serializers.SerializerMethodField()
    benefits = ReferralBenefitSerializer(many=True, read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "household",
            "household_size",
            "applicant",
            "person",
            "place",
            "policy",
            "policy_name",
            "department",
            "department_name",
            "category",
            "status",
            "decline_reason",
            "created_at",
            "answered_at",
            "benefits",
        ]

    def _unmasked(self) -> bool:
        return bool(self.context.get("unmasked"))

    def _name(self, person) -> str | None:
        if person is None:
            return None
        shown = masking.person_fields({"name": person.name}, unmasked=self._unmasked())
        return shown["name"]

    def get_applicant(self, obj) -> str | None:
        return self._name(self.context.get("applicants", {}).get(obj.household_id))

    def get_person(self, obj) -> str | None:
        return self._name(obj.person)

    def get_place(self, obj) -> str:
        return masking.place(obj.household.village, unmasked=self._unmasked())

    def get_household_size(self, obj) -> int:
        return self.context.get("sizes", {}).get(obj.household_id, 0)


class ReferralFilter(django_filters.FilterSet):
    household = HouseholdIdFilter()
    policy = django_filters.CharFilter(field_name="policy__code", max_length=40)

    class Meta:
        model = Referral
        fields = ["status", "household", "policy"]


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ReferralBenefitInSerializer(serializers.Serializer):
    given_on = serializers.DateField()
    description = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )


def household_context(referrals) -> dict:
    """The applicant and the size of each household, for a page of referrals (two queries)."""
    from django.db.models import Count, Q

    from applicants.models import Household, Person

    ids = {r.household_id for r in referrals}
    applicants = {
        p.household_id: p
        for p in Person.objects.filter(household_id__in=ids, relation="applicant").order_by("id")
    }
    sizes = dict(
        Household.objects.filter(pk__in=ids)
        .annotate(n=Count("members", filter=Q(members__status="living")))
        .values_list("pk", "n")
    )
    return {"applicants": applicants, "sizes": sizes}


class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Referrals to departments (政策找人), newest first, scoped to the caller."""

    serializer_class = ReferralSerializer
    queryset = Referral.objects.none()
    filterset_class = ReferralFilter

    def get_queryset(self):
        return selectors.referral_list(user=self.request.user)

    def get_object(self):
        try:
            return self.get_queryset().get(pk=int(self.kwargs["pk"]))
        except (Referral.DoesNotExist, ValueError, OverflowError) as exc:
            raise Http404 from exc

    def _respond(self, referrals, *, many: bool):
        unmasked = masking.record_read(
            user=self.request.user,
            object_type="household",
            object_ids=sorted({r.household_id for r in referrals}),
            request=self.request,
            channel="api",
        )
        context = self.get_serializer_context() | household_context(referrals)
        context["unmasked"] = unmasked
        data = ReferralSerializer(referrals if many else referrals[0], many=many, context=context)
        return data.data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._respond(list(page), many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._respond([self.get_object()], many=False))

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The owning department accepts the household for its policy."""
        referral = service.referral_accept(referral=self.get_object(), by=request.user)
        return Response(self._respond([self.get_queryset().get(pk=referral.pk)], many=False))

    @extend_schema(request=DeclineSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The owning department declines, with the reason."""
        payload = DeclineSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        referral = service.referral_decline(
            referral=self.get_object(), by=request.user, reason=payload.validated_data["reason"]
        )
        return Response(self._respond([self.get_queryset().get(pk=referral.pk)], many=False))

    @extend_schema(request=ReferralBenefitInSerializer, responses={201: ReferralBenefitSerializer})
    @action(detail=True, methods=["post"])
    def benefits(self, request, pk=None):
        """Record a benefit given on the referral (accepts a pending one)."""
        payload = ReferralBenefitInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        benefit = service.referral_benefit_record(
            referral=self.get_object(),
            by=request.user,
            given_on=data["given_on"],
            description=data["description"],
            amount=data.get("amount"),
        )
        return Response(ReferralBenefitSerializer(benefit).data, status=status.HTTP_201_CREATED)


# --- the public policy catalog ------------------------------------------------------------


class PolicySerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Policy
        fields = [
            "code",
            "name",
            "department",
            "department_name",
            "categories",
            "benefit_kind",
            "description",
            "is_social_force",
        ]

    def get_categories(self, obj) -> list[str]:
        return [c.code for c in obj.categories.all()]


class PolicyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The policy catalog (政策目录), open to every department and to the public: ``q``
    searches names, descriptions, departments and categories (Chinese terms, space-separated,
    all must match)."""

    serializer_class = PolicySerializer
    queryset = Policy.objects.none()
    permission_classes = [AllowAny]
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        return selectors.policy_search(
            query=params.get("q", "")[:200],
            department=params.get("department", "")[:40],
            category=params.get("category", "")[:40],
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="搜索词（中文，空格分隔）"),
            OpenApiParameter("department", str, description="部门代码"),
            OpenApiParameter("category", str, description="保障类别代码"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
