"""/api/v1/reviews/: reviews (复核) in scope; report a change; close with an outcome."""

import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from applicants import masking
from applicants.models import Household
from eligibility.api.enrollments import HouseholdIdFilter
from eligibility.models import Review
from eligibility.services.reviews import (
    review_close,
    review_confirm,
    review_report_change,
    review_send_back,
)
from weijiuni.api.serializers import ModelSerializer


class ReviewSerializer(ModelSerializer):
    class Meta:
        model = Review
        fields = [
            "id",
            "household",
            "kind",
            "status",
            "due_on",
            "reported_change",
            "outcome",
            "reasons",
            "effective_month",
            "exit_months",
            "assessment",
            "awaiting_confirmation",
            "proposed_at",
            "confirm_reasons",
            "closed_at",
        ]

    def to_representation(self, instance):
        # What staff wrote quotes names, incomes and illnesses: not for a masked reader.
        data = super().to_representation(instance)
        unmasked = bool(self.context.get("unmasked"))
        for field in ("reported_change", "reasons", "confirm_reasons"):
            data[field] = masking.free_text(data[field], unmasked=unmasked)
        return data


class ReportChangeSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    kind = serializers.ChoiceField(choices=[Review.Kind.CHANGE, Review.Kind.DEATH])
    description = serializers.CharField(allow_blank=True, max_length=4000)


class CloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Review.Outcome.choices)
    reasons = serializers.CharField(allow_blank=True, max_length=4000)
    effective_month = serializers.DateField(required=False, allow_null=True)
    exit_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=32767
    )


class ReviewFilter(django_filters.FilterSet):
    household = HouseholdIdFilter()

    class Meta:
        model = Review
        fields = ["status", "kind", "household"]


class ConfirmSerializer(serializers.Serializer):
    reasons = serializers.CharField(allow_blank=True, max_length=2000)


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reviews of enrolled households in the caller's scope, most urgent first."""

    serializer_class = ReviewSerializer
    queryset = Review.objects.none()
    filterset_class = ReviewFilter

    def get_queryset(self):
        from applicants.models import region_scope

        q = region_scope(self.request.user, path_field="village__path")
        qs = Review.objects.order_by("due_on", "id")
        return qs if q is None else qs.filter(q)

    def get_object(self):
        try:
            return self.get_queryset().get(pk=int(self.kwargs["pk"]))
        except (Review.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def get_serializer_context(self):
        return super().get_serializer_context() | {
            "unmasked": masking.sees_personal_data(self.request.user)
        }

    def _log(self, reviews) -> None:
        masking.record_read(
            user=self.request.user,
            object_type="review",
            object_ids=[r.pk for r in reviews],
            request=self.request,
            channel="api",
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self._log(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        review = self.get_object()
        self._log([review])
        return Response(self.get_serializer(review).data)

    @extend_schema(request=ReportChangeSerializer, responses={201: ReviewSerializer})
    def create(self, request):
        payload = ReportChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        household = Household.objects.for_user(request.user).filter(pk=data["household"]).first()
        if household is None:
            raise Http404
        review = review_report_change(
            household=household, by=request.user, kind=data["kind"], description=data["description"]
        )
        return Response(self.get_serializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CloseSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        payload = CloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = review_close(review=self.get_object(), by=request.user, **payload.validated_data)
        return Response(self.get_serializer(review).data)

    @extend_schema(request=ConfirmSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The county approver confirms a proposed stop, reduction or gradual exit."""
        payload = ConfirmSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = review_confirm(review=self.get_object(), by=request.user, **payload.validated_data)
        return Response(self.get_serializer(review).data)

    @extend_schema(request=ConfirmSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def send_back(self, request, pk=None):
        """The county sends the proposal back to the township; nothing changes."""
        payload = ConfirmSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = review_send_back(
            review=self.get_object(), by=request.user, **payload.validated_data
        )
        return Response(self.get_serializer(review).data)
