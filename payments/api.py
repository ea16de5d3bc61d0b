"""/api/v1/payroll-batches/, /payment-lines/, /bank-files/, /receivables/ (issue 9)."""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from applicants import masking
from applicants.models import Household, Region
from eligibility.api.enrollments import HouseholdIdFilter
from eligibility.models import Enrollment
from weijiuni.api.serializers import ModelSerializer

from . import selectors
from .models import BankFile, Batch, Line, Receivable
from .services import bankfiles, batches, receivables

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def _month(value: str) -> dt.date:
    return dt.date.fromisoformat(f"{value}-01")


class SummaryRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField(required=False)
    n = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    held = serializers.IntegerField()
    failed = serializers.IntegerField()


class KindRowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    n = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=16, decimal_places=2)


class SummarySerializer(serializers.Serializer):
    categories = SummaryRowSerializer(many=True)
    townships = SummaryRowSerializer(many=True)
    kinds = KindRowSerializer(many=True)


class BatchSerializer(ModelSerializer):
    county = serializers.CharField(source="county.code")
    county_name = serializers.CharField(source="county.name")
    month = serializers.DateField(format="%Y-%m")
    progress_percent = serializers.IntegerField()

    class Meta:
        model = Batch
        fields = [
            "id",
            "county",
            "county_name",
            "month",
            "kind",
            "state",
            "chunks_total",
            "chunks_done",
            "progress_percent",
            "line_count",
            "total_amount",
            "held_count",
            "encoding",
            "created_by",
            "created_at",
            "generated_at",
            "approved_by",
            "approved_at",
            "exported_at",
            "reconciled_at",
        ]


class BatchDetailSerializer(BatchSerializer):
    summary = serializers.SerializerMethodField()

    class Meta(BatchSerializer.Meta):
        fields = [*BatchSerializer.Meta.fields, "summary"]

    @extend_schema_field(SummarySerializer)
    def get_summary(self, batch) -> dict:
        return SummarySerializer(selectors.batch_summary(batch, self.context["request"].user)).data


class BatchCreateSerializer(serializers.Serializer):
    county = serializers.RegexField(r"^\d{6}$", max_length=6, help_text="县级区划代码，如 371002")
    month = serializers.RegexField(MONTH, max_length=7, help_text="YYYY-MM")
    kind = serializers.ChoiceField(choices=Batch.Kind.choices, default=Batch.Kind.MONTHLY)


class ExportSerializer(serializers.Serializer):
    encoding = serializers.ChoiceField(choices=Batch.Encoding.choices, default="utf-8")


class BatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payroll batches of the counties in the caller's scope, the latest month first."""

    queryset = Batch.objects.none()
    filterset_fields = ["state", "kind"]

    def get_serializer_class(self):
        return BatchDetailSerializer if self.action == "retrieve" else BatchSerializer

    def get_queryset(self):
        return selectors.batch_list(user=self.request.user)

    def get_object(self):
        try:
            return self.get_queryset().get(pk=int(self.kwargs["pk"]))
        except (Batch.DoesNotExist, ValueError, OverflowError) as exc:
            raise Http404 from exc

    @extend_schema(request=BatchCreateSerializer, responses={201: BatchSerializer})
    def create(self, request):
        """Order a county's payroll for a month (generation runs in the background; ordering
        the same month again returns the same batch)."""
        payload = BatchCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        county = Region.objects.filter(code=data["county"], level=Region.Level.COUNTY).first()
        if county is None:
            raise serializers.ValidationError({"county": ["未知的区市代码。"]})
        batch = batches.batch_start(
            county=county, month=_month(data["month"]), user=request.user, kind=data["kind"]
        )
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=BatchSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a draft (a county approver other than the one who ordered it)."""
        batch = batches.batch_approve(batch=self.get_object(), user=request.user)
        return Response(BatchSerializer(batch).data)

    @extend_schema(request=ExportSerializer, responses=BatchSerializer)
    @action(detail=True, methods=["post"])
    def export(self, request, pk=None):
        """Write the bank files of an approved batch (one per bank)."""
        payload = ExportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        batch = bankfiles.batch_export(
            batch=self.get_object(), user=request.user, **payload.validated_data
        )
        return Response(BatchSerializer(batch).data)


class BankFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankFile
        fields = [
            "id",
            "batch",
            "bank_name",
            "line_count",
            "total_amount",
            "sha256",
            "written_at",
            "returned_at",
            "paid_count",
            "failed_count",
        ]


class ReturnFileSerializer(serializers.Serializer):
    file = serializers.FileField(max_length=200, allow_empty_file=True)


class BankFileViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bank files of the batches in scope; download one, or import the bank's return file."""

    serializer_class = BankFileSerializer
    queryset = BankFile.objects.none()
    filterset_fields = ["batch"]

    def get_queryset(self):
        return selectors.bank_file_list(user=self.request.user).order_by("-batch_id", "bank_name")

    def get_object(self):
        try:
            return self.get_queryset().get(pk=int(self.kwargs["pk"]))
        except (BankFile.DoesNotExist, ValueError, OverflowError) as exc:
            raise Http404 from exc

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, "银行文件")})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file for the bank (layout: docs/payments-bank-files.md)."""
        from .views import bank_file_response

        bank_file = selectors.bank_file_exported(user=request.user, pk=self.get_object().pk)
        if bank_file is None:
            raise Http404
        return bank_file_response(request, bank_file, channel="api")

    @extend_schema(
        request={"multipart/form-data": ReturnFileSerializer}, responses=BankFileSerializer
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser], url_path="return")
    def return_file(self, request, pk=None):
        """Import the bank's return file: taken whole, or refused with the reasons."""
        payload = ReturnFileSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        if upload.size > bankfiles.MAX_RETURN_BYTES:
            raise serializers.ValidationError({"file": ["文件过大。"]})
        bank_file = bankfiles.bank_file_reconcile(
            bank_file=self.get_object(), data=upload.read(), user=request.user
        )
        return Response(BankFileSerializer(bank_file).data)


class LineSerializer(ModelSerializer):
    township = serializers.CharField(source="township.code")
    month = serializers.DateField(format="%Y-%m")

    class Meta:
        model = Line
        fields = [
            "id",
            "batch",
            "kind",
            "enrollment",
            "grant",
            "household",
            "township",
            "category",
            "month",
            "due_amount",
            "withheld",
            "amount",
            "payee_name",
            "bank_name",
            "bank_account",
            "status",
            "hold_reason",
            "failure",
            "failure_note",
            "reissue_of",
            "paid_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("unmasked"):
            shown = selectors.line_view(instance, unmasked=False)
            data["payee_name"], data["bank_account"] = shown["payee_name"], shown["bank_account"]
        return data


class LineFilter(django_filters.FilterSet):
    household = HouseholdIdFilter()
    batch = django_filters.NumberFilter(field_name="batch_id", min_value=1, max_value=2**63 - 1)
    month = django_filters.CharFilter(method="filter_month", max_length=7)

    class Meta:
        model = Line
        fields = ["status", "kind", "batch", "household"]

    def filter_month(self, qs, name, value):
        if not re.match(MONTH, value or ""):
            return qs.none()
        return qs.filter(month=_month(value))


class LineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payment lines in scope (a citizen: their household's payments)."""

    serializer_class = LineSerializer
    queryset = Line.objects.none()
    filterset_class = LineFilter

    def get_queryset(self):
        return selectors.line_list(user=self.request.user)

    def get_object(self):
        try:
            return self.get_queryset().get(pk=int(self.kwargs["pk"]))
        except (Line.DoesNotExist, ValueError, OverflowError) as exc:
            raise Http404 from exc

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["unmasked"] = masking.sees_personal_data(self.request.user)
        return context

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self._log([row["id"] for row in response.data.get("results", [])])
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        self._log([response.data["id"]])
        return response

    def _log(self, ids):
        masking.record_read(
            user=self.request.user,
            object_type="payment_line",
            object_ids=ids,
            request=self.request,
            channel="api",
            fields="payee_name,bank_account",
        )


class ReceivableItemInput(serializers.Serializer):
    month = serializers.RegexField(MONTH, max_length=7)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class ReceivableItemSerializer(serializers.Serializer):
    month = serializers.DateField(format="%Y-%m")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class ReceivableSerializer(ModelSerializer):
    items = ReceivableItemSerializer(many=True, read_only=True)

    class Meta:
        model = Receivable
        fields = [
            "id",
            "household",
            "enrollment",
            "reason",
            "schedule",
            "installment",
            "total",
            "balance",
            "status",
            "fine_multiple",
            "fine_amount",
            "note",
            "items",
            "created_at",
        ]


class ReceivableCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    enrollment = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True
    )
    reason = serializers.ChoiceField(choices=[Receivable.Reason.REVIEW, Receivable.Reason.FRAUD])
    schedule = serializers.ChoiceField(
        choices=Receivable.Schedule.choices, default=Receivable.Schedule.REPAY
    )
    installment = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    fine_multiple = serializers.DecimalField(
        max_digits=3, decimal_places=1, required=False, allow_null=True
    )
    items = ReceivableItemInput(many=True, allow_empty=False, max_length=240)
    note = serializers.CharField(max_length=500, allow_blank=True, default="")


class RepaymentSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    paid_on = serializers.DateField()
    note = serializers.CharField(max_length=200, allow_blank=True, default="")


class ReceivableViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Money to recover (追缴) from households in scope, with its months and balance."""

    serializer_class = ReceivableSerializer
    queryset = Receivable.objects.none()
    filterset_fields = ["status", "reason"]

    def get_queryset(self):
        return selectors.receivable_list(user=self.request.user).prefetch_related("items")

    def get_object(self):
        try:
            return self.get_queryset().get(pk=int(self.kwargs["pk"]))
        except (Receivable.DoesNotExist, ValueError, OverflowError) as exc:
            raise Http404 from exc

    @extend_schema(request=ReceivableCreateSerializer, responses={201: ReceivableSerializer})
    def create(self, request):
        """Record what a review or a fraud finding shows was paid without entitlement."""
        payload = ReceivableCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        household = Household.objects.for_user(request.user).filter(pk=data["household"]).first()
        if household is None:
            raise Http404
        enrollment = None
        if data.get("enrollment"):
            enrollment = Enrollment.objects.filter(
                pk=data["enrollment"], household=household
            ).first()
            if enrollment is None:
                raise serializers.ValidationError({"enrollment": ["该家庭没有这个保障对象。"]})
        receivable = receivables.receivable_record(
            household=household,
            user=request.user,
            reason=data["reason"],
            enrollment=enrollment,
            schedule=data["schedule"],
            installment=data.get("installment"),
            fine_multiple=data.get("fine_multiple"),
            items=[(_month(i["month"]), i["amount"]) for i in data["items"]],
            note=data["note"],
        )
        return Response(ReceivableSerializer(receivable).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RepaymentSerializer, responses=ReceivableSerializer)
    @action(detail=True, methods=["post"])
    def repayments(self, request, pk=None):
        """Record money the household returned."""
        payload = RepaymentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        receivable = self.get_object()
        receivables.repayment_record(
            receivable=receivable, user=request.user, **payload.validated_data
        )
        receivable.refresh_from_db()
        return Response(ReceivableSerializer(receivable).data)


router = SimpleRouter()
router.register("payroll-batches", BatchViewSet, basename="payroll-batch")
router.register("bank-files", BankFileViewSet, basename="bank-file")
router.register("payment-lines", LineViewSet, basename="payment-line")
router.register("receivables", ReceivableViewSet, basename="receivable")
urlpatterns = router.urls
