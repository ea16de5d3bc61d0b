"""/api/v1/applications/: the case workflow, one action per SPEC §6 transition."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from applicants import applications as intake
from applicants import masking
from applicants.api.serializers import ApplicationDraftSerializer
from applicants.models import Application
from eligibility.selectors import (
    application_get,
    application_list,
    application_segments,
    dishonesty_flagged,
)
from eligibility.services import cases
from eligibility.verification import services as verification_services
from weijiuni.api.serializers import ModelSerializer


class TransitionSerializer(serializers.Serializer):
    action = serializers.CharField()
    source = serializers.CharField()
    target = serializers.CharField()
    by = serializers.CharField(source="by.username")
    at = serializers.DateTimeField()
    reason = serializers.CharField(help_text="脱敏查看的角色为空")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["reason"] = masking.free_text(data["reason"], unmasked=self.context.get("unmasked"))
        return data


class ApplicationSerializer(ModelSerializer):
    #: null for a masked reader, whose place is the township (applicants.masking)
    village = serializers.CharField(source="village.code", read_only=True, allow_null=True)
    township = serializers.CharField(source="village.parent.code", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)
    latest_assessment = serializers.SerializerMethodField()
    dishonesty_flag = serializers.SerializerMethodField(
        help_text="失信记录提示（一处失信，处处受限）：本申请涉及的人员（申报的成员与家庭成员）"
        "有未移除的失信记录"
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "dishonesty_flag",
            "state",
            "state_label",
            "channel",
            "village",
            "township",
            "household",
            "requested",
            "data",
            "missing_items",
            "close_relative",
            "special",
            "submitted_at",
            "accepted_at",
            "due_on",
            "due_for",
            "case_due_on",
            "notice_closes_on",
            "decided_at",
            "overdue",
            "transitions",
            "latest_assessment",
        ]

    def get_dishonesty_flag(self, obj) -> bool:
        flagged = self.context.get("dishonesty_flagged")
        if flagged is None:  # one case: the list's query for its one row (a yes or no)
            flagged = dishonesty_flagged([obj.pk])
        return obj.pk in flagged

    def get_latest_assessment(self, obj) -> dict | None:
        assessments = getattr(obj, "latest_assessments", None)
        if assessments is None:
            return None
        if not assessments:
            return None
        return masking.assessment_result(
            assessments[0].result, unmasked=bool(self.context.get("unmasked"))
        )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("unmasked"):
            # the draft as typed: every member's ID, birth date, income and health
            data["data"] = None
            data["village"] = None
        return data


HISTORY_FIELDS = ("transitions", "latest_assessment")


class ApplicationListSerializer(ApplicationSerializer):
    """A row of the list: the case without its history (``transitions``,
    ``latest_assessment``), which the detail gives (issue 15)."""

    class Meta(ApplicationSerializer.Meta):
        fields = [f for f in ApplicationSerializer.Meta.fields if f not in HISTORY_FIELDS]


class ApplicationInputSerializer(ApplicationDraftSerializer):
    """A draft as the API takes it (the same checks as the filing page)."""


#: free text kept with a case (opinions, reasons, findings): long enough for any real note
TEXT_MAX = 4000


def Text(**kwargs):  # noqa: N802 - reads like a field class
    return serializers.CharField(max_length=kwargs.pop("max_length", TEXT_MAX), **kwargs)


class SignersSerializer(serializers.Serializer):
    signers = serializers.ListField(
        child=serializers.CharField(max_length=30),
        required=False,
        max_length=50,
        default=list,
        help_text="签署守信承诺和核对授权的成员身份证号码",
    )


class AcceptSerializer(SignersSerializer):
    close_relative = serializers.BooleanField(required=False, default=False)
    special = serializers.BooleanField(required=False, default=False)


class ReturnSerializer(serializers.Serializer):
    missing_items = serializers.ListField(
        child=serializers.CharField(max_length=200), allow_empty=False, max_length=50
    )


#: the figures a caseworker used to type into the verify action (before data sources)
TYPED_FIGURES = (
    "summary",
    "financial_assets_found",
    "houses_found",
    "vehicles_found",
    "business_found",
    "income_found",
)


class VerifySerializer(serializers.Serializer):
    """发起家庭经济状况核对: the case goes to verification. The sources are asked with
    ``POST /api/v1/verification-requests/`` (or ``verification_request`` here); figures are
    never typed in: they are confirmed from the report (``verification_confirm``)."""

    request_sources = serializers.BooleanField(
        required=False,
        default=False,
        help_text="同时向全部数据来源发起核对（须全体成年成员已签署核对授权）",
    )

    def validate(self, attrs):
        typed = [k for k in TYPED_FIGURES if k in self.initial_data]
        if typed:
            msg = _(
                "核对结果不再手工录入：请向数据来源发起核对，再逐项确认核对报告"
                "（verification-confirm）。"
            )
            raise serializers.ValidationError(dict.fromkeys(typed, [msg]))
        return attrs


class VerificationRequestInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="financial, houses, vehicles, business, income:<成员id>")
    label = serializers.CharField()
    declared = serializers.CharField(help_text="家庭申报")
    found = serializers.CharField(allow_null=True, help_text="核对发现；无报告时为空")
    value = serializers.CharField(help_text="确认时的起始值：申报与发现中较大者")
    differs = serializers.BooleanField()


class VerificationViewSerializer(serializers.Serializer):
    request = serializers.IntegerField(allow_null=True, help_text="最近一次核对请求")
    status = serializers.CharField(allow_null=True)
    report = serializers.DictField(allow_null=True, help_text="核对报告；脱敏查看的角色为空")
    figures = FigureSerializer(many=True, help_text="待确认的各项数据；脱敏查看的角色为空")


class VerificationConfirmSerializer(serializers.Serializer):
    summary = Text()
    values = serializers.DictField(
        child=serializers.CharField(max_length=20, allow_blank=True),
        required=False,
        default=dict,
        help_text="更正的数值，按 key；不传的项按报告确认",
    )
    reasons = serializers.DictField(
        child=serializers.CharField(max_length=500, allow_blank=True),
        required=False,
        default=dict,
        help_text="更正理由，按 key；与起始值不同的项必填",
    )

    def validate(self, attrs):
        for name in ("values", "reasons"):
            if len(attrs[name]) > 60:
                raise serializers.ValidationError({name: [_("项目过多。")]})
            for key in attrs[name]:
                if len(key) > 40 or "\x00" in key:
                    raise serializers.ValidationError({name: [_("项目代码无效。")]})
        return attrs


class SurveySerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    staff = serializers.ListField(child=serializers.CharField(max_length=50), max_length=20)
    findings = Text(allow_blank=True)
    signed = serializers.BooleanField()
    income_unstable = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="收入不稳定（需每6个月复核）；不传则保持家庭原有记录",
    )


class ReasonSerializer(serializers.Serializer):
    reasons = Text(allow_blank=True)


class ApproveSerializer(ReasonSerializer):
    choices = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=30,
        help_text="结果代码，按人结果为 policy:member（如 tekun:0）；缺省按申请类别",
    )
    temporary_amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text="临时救助金额（元），在测算范围内",
    )


class AdvanceSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reasons = serializers.CharField(allow_blank=True, max_length=2000)


class OpinionSerializer(serializers.Serializer):
    opinion = Text(required=False, allow_blank=True, default="")


class ObjectionSerializer(serializers.Serializer):
    text = Text(allow_blank=True)


class WithdrawSerializer(serializers.Serializer):
    reason = Text(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("state", str, description="状态代码"),
            OpenApiParameter("overdue", bool, description="只看超期案件"),
        ]
    ),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications (救助申请) in the caller's scope; each step is an action."""

    serializer_class = ApplicationSerializer
    queryset = Application.objects.none()

    def get_queryset(self):
        return application_list(
            user=self.request.user,
            filters=self.request.query_params,
            with_history=self.action != "list",
        )

    def get_serializer_class(self):
        return ApplicationListSerializer if self.action == "list" else ApplicationSerializer

    def keyset_segments(self, request):
        """Overdue first, then by time limit: in parts an index reads in order."""
        return application_segments(timezone.localdate(), request.query_params)

    def get_object(self):
        try:
            return application_get(user=self.request.user, pk=int(self.kwargs["pk"]))
        except (Application.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def get_serializer_context(self):
        return super().get_serializer_context() | {
            "unmasked": masking.sees_personal_data(self.request.user)
        }

    def _log(self, applications) -> None:
        masking.record_read(
            user=self.request.user,
            object_type="application",
            object_ids=[a.pk for a in applications],
            request=self.request,
            channel="api",
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        self._log(page)
        context = self.get_serializer_context() | {
            "dishonesty_flagged": dishonesty_flagged(a.pk for a in page)
        }
        serializer = self.get_serializer_class()(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        application = self.get_object()
        self._log([application])
        return Response(
            ApplicationSerializer(
                application, context=self.get_serializer_context() | {"one": True}
            ).data
        )

    def _done(self, application, code=status.HTTP_200_OK):
        """The application after a write (create, PATCH, a step): a read like any other."""
        fresh = application_get(user=self.request.user, pk=application.pk)
        self._log([fresh])
        return Response(
            ApplicationSerializer(
                fresh, context=self.get_serializer_context() | {"one": True}
            ).data,
            status=code,
        )

    @extend_schema(request=ApplicationInputSerializer, responses={201: ApplicationSerializer})
    def create(self, request):
        payload = ApplicationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.draft_data()
        key = data.pop("submission_key", None) or None
        try:
            application = intake.application_draft_save(
                by=request.user, data=data, submission_key=key
            )
        except intake.SubmissionKeyTaken as exc:
            raise Http404 from exc  # another filer's key: as if it did not exist
        return self._done(application, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationInputSerializer, responses=ApplicationSerializer)
    def partial_update(self, request, pk=None):
        application = self.get_object()
        payload = ApplicationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.draft_data()
        data.pop("submission_key", None)
        intake.application_draft_save(by=request.user, data=data, application=application)
        return self._done(application)

    def _act(self, request, serializer_class, run):
        payload = serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        application = self.get_object()
        run(application, payload.validated_data)
        return self._done(application)

    @extend_schema(request=SignersSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(
            request,
            SignersSerializer,
            lambda a, d: intake.application_submit(
                application=a, by=request.user, signers=d["signers"], request=request
            ),
        )

    @extend_schema(request=AcceptSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(
            request,
            AcceptSerializer,
            lambda a, d: intake.application_accept(
                application=a,
                by=request.user,
                close_relative=d["close_relative"],
                special=d["special"],
                signers=d["signers"],
                request=request,
            ),
        )

    @extend_schema(request=ReturnSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._act(
            request,
            ReturnSerializer,
            lambda a, d: intake.application_return(
                application=a, by=request.user, missing_items=d["missing_items"], request=request
            ),
        )

    @extend_schema(request=VerifySerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """发起家庭经济状况核对: the case goes to verification (and, with
        ``request_sources``, every data source is asked at once)."""

        @transaction.atomic  # both or neither: a refused request leaves the case accepted
        def run(application, d):
            cases.application_verify(application=application, by=request.user, request=request)
            if d["request_sources"]:
                verification_services.verification_request_start(
                    household=application.household, application=application, by=request.user
                )

        return self._act(request, VerifySerializer, run)

    @extend_schema(request=VerificationRequestInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="verification-request")
    def verification_request(self, request, pk=None):
        """Ask every data source about the household (发起数据核对), under its signed
        authorization (refused otherwise); the report follows in ``verification``."""

        def run(application, d):
            if application.household_id is None:  # a draft: no household file yet
                msg = _("申请尚未提交，还没有家庭档案，不能发起核对。")
                raise ValidationError({"state": [msg]})
            verification_services.verification_request_start(
                household=application.household,
                application=application,
                by=request.user,
                note=d["note"],
            )

        return self._act(request, VerificationRequestInputSerializer, run)

    @extend_schema(responses=VerificationViewSerializer)
    @action(detail=True, methods=["get"])
    def verification(self, request, pk=None):
        """The case's latest verification request, its report, and the figures the
        caseworker confirms (declared beside found). Every read is logged."""
        application = self.get_object()
        latest = application.verification_requests.select_related("report").first()
        report = getattr(latest, "report", None) if latest else None
        unmasked = masking.record_read(
            user=request.user,
            object_type="verification_request" if latest else "application",
            object_ids=[latest.pk if latest else application.pk],
            request=request,
            channel="api",
            fields="verification_report",
        )
        figures = []
        if unmasked:
            for row in verification_services.figures_proposed(application):
                figures.append(
                    {
                        **row,
                        "declared": str(row["declared"]),
                        "found": None if row["found"] is None else str(row["found"]),
                        "value": str(row["value"]),
                    }
                )
        return Response(
            {
                "request": latest.pk if latest else None,
                "status": latest.status if latest else None,
                "report": report.body if (report is not None and unmasked) else None,
                "figures": figures,
            }
        )

    @extend_schema(request=VerificationConfirmSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="verification-confirm")
    def verification_confirm(self, request, pk=None):
        """Confirm or correct each figure of the report (核对结果确认): figures not sent are
        confirmed as the report proposes; a changed figure needs its reason."""
        return self._act(
            request,
            VerificationConfirmSerializer,
            lambda a, d: cases.verification_confirm(
                application=a,
                by=request.user,
                summary=d["summary"],
                values=d["values"],
                reasons=d["reasons"],
            ),
        )

    @extend_schema(request=SurveySerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def survey(self, request, pk=None):
        return self._act(
            request,
            SurveySerializer,
            lambda a, d: cases.application_survey(
                application=a, by=request.user, request=request, **d
            ),
        )

    @extend_schema(request=OpinionSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        return self._act(
            request,
            OpinionSerializer,
            lambda a, d: cases.application_propose(
                application=a, by=request.user, opinion=d["opinion"], request=request
            ),
        )

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def open_notice(self, request, pk=None):
        return self._act(
            request,
            serializers.Serializer,
            lambda a, d: cases.public_notice_open(application=a, by=request.user, request=request),
        )

    @extend_schema(request=ObjectionSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def object(self, request, pk=None):
        return self._act(
            request,
            ObjectionSerializer,
            lambda a, d: cases.objection_record(
                application=a, by=request.user, text=d["text"], request=request
            ),
        )

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def county_visit(self, request, pk=None):
        return self._act(
            request,
            serializers.Serializer,
            lambda a, d: cases.county_visit_record(application=a, by=request.user, request=request),
        )

    @extend_schema(request=ApproveSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(
            request,
            ApproveSerializer,
            lambda a, d: cases.application_approve(
                application=a,
                by=request.user,
                reasons=d["reasons"],
                choices=d.get("choices") or None,
                temporary_amount=d.get("temporary_amount"),
                request=request,
            ),
        )

    @extend_schema(request=AdvanceSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """先行救助: pay an emergency first; the case must be completed within the limit."""
        return self._act(
            request,
            AdvanceSerializer,
            lambda a, d: cases.application_advance(
                application=a, by=request.user, amount=d["amount"], reasons=d["reasons"]
            ),
        )

    @extend_schema(request=ReasonSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(
            request,
            ReasonSerializer,
            lambda a, d: cases.application_reject(
                application=a, by=request.user, reasons=d["reasons"], request=request
            ),
        )

    @extend_schema(request=WithdrawSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(
            request,
            WithdrawSerializer,
            lambda a, d: intake.application_withdraw(
                application=a, by=request.user, reason=d["reason"], request=request
            ),
        )
