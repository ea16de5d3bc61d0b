"""/api/v1/enrollments/ (在保) and their amount history, scoped by region and role."""

import datetime as dt

import django_filters
from django import forms
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from eligibility.models import Enrollment, EnrollmentAmount
from eligibility.selectors import amount_due
from weijiuni.api.serializers import ModelSerializer


class AmountSerializer(ModelSerializer):
    class Meta:
        model = EnrollmentAmount
        fields = [
            "amount",
            "previous_amount",
            "effective_month",
            "reason",
            "reevaluation",
            "review",
            "created_at",
        ]


class EnrollmentSerializer(ModelSerializer):
    category = serializers.CharField(source="category.code")
    amounts = AmountSerializer(many=True, read_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "household",
            "person",
            "category",
            "policy_code",
            "monthly_amount",
            "start_month",
            "end_month",
            "status",
            "amounts",
        ]


class EnrollmentListSerializer(EnrollmentSerializer):
    """A row of the list: without the amount history, which the detail gives (issue 15)."""

    class Meta(EnrollmentSerializer.Meta):
        fields = [f for f in EnrollmentSerializer.Meta.fields if f != "amounts"]


class HouseholdIdFilter(django_filters.NumberFilter):
    """``?household=<id>`` as a plain number: an id that does not exist and one outside the
    caller's scope both just match nothing (a choice filter answered 400 for the first and
    200 for the second, telling which households exist)."""

    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "household_id")
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)


class EnrollmentFilter(django_filters.FilterSet):
    household = HouseholdIdFilter()

    class Meta:
        model = Enrollment
        fields = ["status", "policy_code", "household"]


class MonthSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7)

    def validate_month(self, value: str) -> dt.date:
        return dt.date.fromisoformat(f"{value}-01")


class DueSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField()
    month = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class EnrollmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Enrollments in the caller's scope, each with every amount, its month and its reason."""

    serializer_class = EnrollmentSerializer
    queryset = Enrollment.objects.none()
    filterset_class = EnrollmentFilter

    def get_queryset(self):
        qs = Enrollment.objects.for_user(self.request.user).select_related("category")
        if self.action != "list":
            qs = qs.prefetch_related("amounts")
        return qs.order_by("-id")

    def get_serializer_class(self):
        return EnrollmentListSerializer if self.action == "list" else EnrollmentSerializer

    def get_object(self):
        try:
            return self.get_queryset().get(pk=int(self.kwargs["pk"]))
        except (Enrollment.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    # A household's amounts follow from its incomes: every read is logged, masked or not.
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", []) if isinstance(response.data, dict) else []
        self._log([row["id"] for row in rows])
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        self._log([response.data["id"]])
        return response

    def _log(self, ids) -> None:
        from applicants import masking

        masking.record_read(
            user=self.request.user,
            object_type="enrollment",
            object_ids=ids,
            request=self.request,
            channel="api",
            fields="monthly_amount,amounts",
        )

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM", required=True)],
        responses=DueSerializer,
    )
    @action(detail=True, methods=["get"])
    def due(self, request, pk=None):
        """The amount due for this enrollment in a month (null: not in the guarantee then)."""
        query = MonthSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data["month"]
        enrollment = self.get_object()
        amount = amount_due(enrollment_id=enrollment.pk, month=month)
        return Response(
            DueSerializer({"enrollment": enrollment.pk, "month": month, "amount": amount}).data
        )
