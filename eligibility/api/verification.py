"""/api/v1/verification-requests/, /api/v1/data-sources/ and the DCI on-search callback
(SPEC §7). Every read of a request or report is written to the audit trail."""

from __future__ import annotations

import hmac
import uuid

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from applicants import masking
from applicants.models import Application, Household, Role
from eligibility.verification import bulk, selectors, services
from eligibility.verification.adapters.dci import callback_token, on_search_rows
from eligibility.verification.models import (
    BulkVerification,
    DataSource,
    SourceQuery,
    VerificationRequest,
)
from weijiuni.api.serializers import ModelSerializer


class DataSourceSerializer(serializers.ModelSerializer):
    items = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    failure_rate = serializers.FloatField(allow_null=True, read_only=True)
    pending = serializers.IntegerField(read_only=True)

    class Meta:
        model = DataSource
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "adapter",
            "is_active",
            "items",
            "last_answer_at",
            "answered_count",
            "failed_count",
            "failure_rate",
            "pending",
        ]


class SourceQuerySerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = SourceQuery
        fields = ["source", "status", "attempts", "error", "sent_at", "answered_at"]


class VerificationRequestSerializer(ModelSerializer):
    """A request with its report. The report names each member with their incomes and assets,
    and the note is free text staff wrote: a masked reader (``context["unmasked"]`` false, the
    supervisor) gets neither (SPEC §1), as on the case's ``verification`` route."""

    queries = SourceQuerySerializer(many=True, read_only=True)
    report = serializers.SerializerMethodField(help_text="核对报告；脱敏查看的角色为空")
    note = serializers.SerializerMethodField(help_text="经办说明；脱敏查看的角色为空")

    class Meta:
        model = VerificationRequest
        fields = [
            "id",
            "household",
            "application",
            "purpose",
            "status",
            "note",
            "created_at",
            "completed_at",
            "queries",
            "report",
        ]

    def _unmasked(self) -> bool:
        return bool(self.context.get("unmasked", False))

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_report(self, obj) -> dict | None:
        report = getattr(obj, "report", None) if hasattr(obj, "report") else None
        return None if report is None or not self._unmasked() else report.body

    def get_note(self, obj) -> str:
        return masking.free_text(obj.note, unmasked=self._unmasked())


class RequestCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    application = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True
    )
    purpose = serializers.ChoiceField(
        choices=[VerificationRequest.Purpose.APPLICATION, VerificationRequest.Purpose.REVIEW],
        default=VerificationRequest.Purpose.APPLICATION,
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DisputeSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000, allow_blank=True)


class VerificationRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Verification requests (核对请求) of households in the caller's scope, with their report."""

    serializer_class = VerificationRequestSerializer
    queryset = VerificationRequest.objects.none()
    filterset_fields = ["status", "purpose"]

    def get_queryset(self):
        return selectors.request_list(user=self.request.user)

    def get_object(self):
        try:
            return self.get_queryset().get(pk=int(self.kwargs["pk"]))
        except (VerificationRequest.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def get_serializer_context(self):
        # what the reader may see is asked once per request, in the one masking module
        return {
            **super().get_serializer_context(),
            "unmasked": masking.sees_personal_data(self.request.user),
        }

    def _audit(self, ids):
        if self.request.user.role != Role.CITIZEN:
            masking.record_read(
                user=self.request.user,
                object_type="verification_request",
                object_ids=ids,
                request=self.request,
                channel="api",
                fields="verification_report",
            )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self._audit([r["id"] for r in response.data.get("results", [])])
        return response

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        self._audit([obj.pk])
        return Response(self.get_serializer(obj).data)

    @extend_schema(request=RequestCreateSerializer, responses={201: VerificationRequestSerializer})
    def create(self, request):
        payload = RequestCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        household = Household.objects.for_user(request.user).filter(pk=data["household"]).first()
        if household is None:
            raise Http404
        application = None
        if data.get("application"):
            application = (
                Application.objects.for_user(request.user)
                .filter(pk=data["application"], household=household)
                .first()
            )
            if application is None:
                raise Http404
        created = services.verification_request_start(
            household=household,
            application=application,
            by=request.user,
            purpose=data["purpose"],
            note=data["note"],
        )
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DisputeSerializer, responses={201: VerificationRequestSerializer})
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        """The citizen disputes the report (申请复查): the household is verified again."""
        payload = DisputeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        obj = self.get_object()
        report = getattr(obj, "report", None) if hasattr(obj, "report") else None
        if report is None:
            raise Http404
        again = services.report_dispute(
            report=report, by=request.user, text=payload.validated_data["text"]
        )
        return Response(self.get_serializer(again).data, status=status.HTTP_201_CREATED)


class DataSourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Data sources (核对数据来源) with their health: last answer, failure rate, pending."""

    serializer_class = DataSourceSerializer
    queryset = DataSource.objects.none()
    filterset_fields = ["kind", "adapter", "is_active"]

    def get_queryset(self):
        if not selectors.can_see_sources(self.request.user):
            return DataSource.objects.none()
        return selectors.source_health()

    def get_object(self):
        try:
            return self.get_queryset().get(pk=int(self.kwargs["pk"]))
        except (DataSource.DoesNotExist, ValueError) as exc:
            raise Http404 from exc


class BulkVerificationSerializer(serializers.ModelSerializer):
    rejected_sample = serializers.SerializerMethodField(
        help_text="被拒绝的前若干行：来源、文件、行号、原因、脱敏身份证号（不含原始行）"
    )

    @extend_schema_field(
        inline_serializer(
            "RejectedRow",
            {
                "source": serializers.CharField(),
                "file": serializers.CharField(),
                "line": serializers.IntegerField(),
                "reason": serializers.CharField(),
                "id_number": serializers.CharField(),
            },
            many=True,
        )
    )
    def get_rejected_sample(self, obj) -> list[dict]:
        return [bulk.rejected_row(entry) for entry in obj.rejected_sample or []]

    class Meta:
        model = BulkVerification
        fields = [
            "id",
            "status",
            "stage",
            "note",
            "households_total",
            "persons_total",
            "files_total",
            "files_loaded",
            "rows_loaded",
            "rows_rejected",
            "rejected_by_reason",
            "rejected_sample",
            "households_flagged",
            "reviews_opened",
            "seconds",
            "created_at",
            "finished_at",
        ]


class BulkStartSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class BulkVerificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Bulk re-verifications of every active beneficiary (年度复核核对), with their progress."""

    serializer_class = BulkVerificationSerializer
    queryset = BulkVerification.objects.none()

    def get_queryset(self):
        user = self.request.user
        if not (user.is_admin_role or user.role == Role.SUPERVISOR):
            return BulkVerification.objects.none()
        return BulkVerification.objects.order_by("-created_at", "-id")

    def get_object(self):
        try:
            return self.get_queryset().get(pk=int(self.kwargs["pk"]))
        except (BulkVerification.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    @extend_schema(request=BulkStartSerializer, responses={201: BulkVerificationSerializer})
    def create(self, request):
        payload = BulkStartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = bulk.bulk_verification_start(by=request.user, note=payload.validated_data["note"])
        return Response(BulkVerificationSerializer(run).data, status=status.HTTP_201_CREATED)


class OnSearchView(APIView):
    """DCI ``on-search`` callback: a source delivers the records of a search it acknowledged.
    The source authenticates with its callback token; rows are checked one by one."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    # sources are machines answering many searches at once, not anonymous visitors
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "dci_callback"

    @extend_schema(
        request=inline_serializer(
            "OnSearch",
            {
                "header": serializers.DictField(),
                "message": serializers.DictField(),
            },
        ),
        responses={
            200: inline_serializer(
                "OnSearchAck",
                {
                    "ack_status": serializers.CharField(),
                    "accepted": serializers.IntegerField(),
                    "rejected": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def post(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        message = data.get("message")
        header = data.get("header")
        if not isinstance(message, dict) or not isinstance(header, dict):
            return Response({"message": ["缺少 header 或 message。"]}, status=400)
        try:
            transaction_id = uuid.UUID(str(message.get("transaction_id")))
        except ValueError:
            return Response({"transaction_id": ["transaction_id 无效。"]}, status=400)
        query = (
            SourceQuery.objects.select_related("source", "request")
            .filter(transaction_id=transaction_id)
            .first()
        )
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        # bytes: a header may carry any Latin-1 character, compare_digest takes ASCII str only
        expected = callback_token(query.source.code).encode() if query is not None else b""
        if query is None or not hmac.compare_digest(given.encode("utf-8", "replace"), expected):
            return Response({"detail": "未授权的数据来源。"}, status=401)
        accepted, rejected = services.answer_record(query=query, rows=on_search_rows(message))
        return Response({"ack_status": "ACK", "accepted": accepted, "rejected": rejected})
