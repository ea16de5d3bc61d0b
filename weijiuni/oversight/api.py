"""/api/v1/ of integrity and oversight (issue 11 item 7): public notices (anyone, masked),
objections (filed by anyone, answered by the township, read by reference), the dishonesty
register and its credit export, complaints, and the audit trail (read-only: an attempt to
change a row is refused and kept)."""

from __future__ import annotations

import re

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from applicants import masking, permissions
from applicants.models import User
from applicants.validators import refuse_unsafe_text
from eligibility.services import notices as notice_services
from integrity.models import Complaint, DishonestyRecord, Objection, PublicNotice, RefusedAttempt
from integrity.services import access_log_record, refused_attempt_record

from . import audit, credit, selectors, services
from .views import audit_filters

REFERENCE_PARAM = OpenApiParameter(
    "id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="受理号或公示编号（12位）",
    pattern="^[A-Za-z0-9]{12}$",
)
AUDIT_KEY_PARAM = OpenApiParameter(
    "key",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="<表名>.<编号>",
    pattern="^[a-z_]{1,63}[.][0-9]{1,18}$",
)


class ByReference:
    """Objects looked up by a public reference: anything not shaped like one is a 404 before
    the database sees it (a NUL in the path would otherwise reach PostgreSQL)."""

    lookup_field = "reference"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"

    def get_object(self):
        if not re.fullmatch(r"[A-Z0-9]{12}", str(self.kwargs.get("id", "")).upper()):
            raise Http404
        self.kwargs["id"] = self.kwargs["id"].upper()
        return super().get_object()


class PublicWriteThrottle(ScopedRateThrottle):
    scope = "public_write"

    def get_cache_key(self, request, view):  # every public write shares the scope
        self.scope = "public_write"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- notices --------------------------------------------------------------------------------


class PublicNoticeSerializer(serializers.ModelSerializer):
    """What a notice may show (SPEC §9): never an ID number, address, illness or disability."""

    name = serializers.CharField(source="masked_name", help_text="脱敏姓名（张*明）")
    category = serializers.SerializerMethodField(help_text="公示类别（不显示疾病或残疾的类别名）")
    category_label = serializers.SerializerMethodField()
    township = serializers.CharField(source="village.parent.name")
    village = serializers.CharField(source="village.name")
    region_code = serializers.CharField(source="village.code")
    stage = serializers.SerializerMethodField()

    class Meta:
        model = PublicNotice
        fields = [
            "reference",
            "name",
            "household_size",
            "category",
            "category_label",
            "monthly_amount",
            "purpose",
            "township",
            "village",
            "region_code",
            "opened_at",
            "closes_on",
            "closed_early",
            "outcome",
            "decided_on",
            "stage",
        ]

    def get_category(self, obj) -> str:
        return masking.public_category(obj.category)

    def get_category_label(self, obj) -> str:
        return selectors.category_label(obj.category)

    def get_stage(self, obj) -> str:
        return "result" if obj.outcome else "open"


NOTICE_FILTERS = [
    OpenApiParameter("region", OpenApiTypes.STR, description="区划代码（市、县、镇街或村居）"),
    OpenApiParameter("category", OpenApiTypes.STR, description="救助类别代码，如 dibao"),
    OpenApiParameter("period", OpenApiTypes.STR, description="月份 YYYY-MM"),
    OpenApiParameter("stage", OpenApiTypes.STR, enum=["open", "result"]),
]


@extend_schema(tags=["public"])
class PublicNoticeViewSet(ByReference, viewsets.ReadOnlyModelViewSet):
    """公示 (anyone, no login): the running notices or the result list, masked."""

    serializer_class = PublicNoticeSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        if self.action == "retrieve":  # a rejected or withdrawn notice is a 404
            return selectors.published_notices().select_related("village__parent")
        try:
            filters = selectors.notice_filters(self.request.query_params)
        except selectors.BadFilter as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc
        return selectors.public_notices(filters)

    @extend_schema(parameters=NOTICE_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[REFERENCE_PARAM])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


# --- objections -----------------------------------------------------------------------------


class ObjectionCreateSerializer(serializers.Serializer):
    notice = serializers.CharField(
        max_length=20, help_text="公示编号", validators=[refuse_unsafe_text]
    )
    text = serializers.CharField(max_length=2000, validators=[refuse_unsafe_text])
    name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, validators=[refuse_unsafe_text]
    )
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, validators=[refuse_unsafe_text]
    )


class ObjectionStatusSerializer(serializers.ModelSerializer):
    """What the objector reads by the reference: the status and the written answer."""

    notice = serializers.CharField(source="notice.reference")
    answered = serializers.BooleanField(read_only=True)

    class Meta:
        model = Objection
        fields = [
            "reference",
            "notice",
            "channel",
            "received_at",
            "answer_due_on",
            "answered",
            "answer",
            "answered_at",
        ]


class ObjectionStaffSerializer(ObjectionStatusSerializer):
    """Staff in the notice's region: the objection itself, masked for a masked reader."""

    text = serializers.SerializerMethodField()
    objector_name = serializers.SerializerMethodField()
    objector_phone = serializers.SerializerMethodField()
    application = serializers.IntegerField(source="notice.application_id", allow_null=True)
    township = serializers.CharField(source="notice.village.parent.name", allow_null=True)

    class Meta(ObjectionStatusSerializer.Meta):
        fields = [
            *ObjectionStatusSerializer.Meta.fields,
            "text",
            "objector_name",
            "objector_phone",
            "application",
            "township",
        ]

    def _unmasked(self) -> bool:
        return bool(self.context.get("unmasked"))

    def get_text(self, obj) -> str:
        return masking.free_text(obj.text, unmasked=self._unmasked())

    def get_objector_name(self, obj) -> str:
        return obj.objector_name if self._unmasked() else masking.mask_name(obj.objector_name)

    def get_objector_phone(self, obj) -> str:
        return obj.objector_phone if self._unmasked() else masking.mask_phone(obj.objector_phone)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000, validators=[refuse_unsafe_text])


@extend_schema(tags=["public", "integrity"])
class ObjectionViewSet(
    ByReference,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """异议: filed by anyone (no login, name and phone optional); read by its reference; listed
    and answered by the township of the notice."""

    def get_permissions(self):
        if self.action in ("create", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        if self.action == "create":
            return [PublicWriteThrottle()]
        return super().get_throttles()

    def get_serializer_class(self):
        if self.action == "create":
            return ObjectionCreateSerializer
        if self.action == "retrieve":
            return ObjectionStatusSerializer
        if self.action == "answer":
            return AnswerSerializer
        return ObjectionStaffSerializer

    def get_queryset(self):
        if self.action == "retrieve":
            return Objection.objects.select_related("notice")
        if not permissions.can_read_cases(self.request.user):
            return Objection.objects.none()
        return selectors.objection_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        unmasked = masking.record_read(
            user=request.user,
            object_type="objection",
            object_ids=[o.pk for o in page],
            request=request,
            channel="api",
            fields="text,objector_name,objector_phone",
        )
        data = ObjectionStaffSerializer(page, many=True, context={"unmasked": unmasked}).data
        return self.get_paginated_response(data)

    @extend_schema(parameters=[REFERENCE_PARAM])
    def retrieve(self, request, *args, **kwargs):
        objection = self.get_object()
        services.objection_answer_read(objection=objection, request=request, channel="api")
        return Response(self.get_serializer(objection).data)

    @extend_schema(request=ObjectionCreateSerializer, responses={201: ObjectionStatusSerializer})
    def create(self, request, *args, **kwargs):
        body = ObjectionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        objection = notice_services.objection_file(
            reference=d["notice"],
            text=d["text"],
            objector_name=d.get("name", ""),
            objector_phone=d.get("phone", ""),
            by=request.user if request.user.is_authenticated else None,
            request=request,
        )
        return Response(ObjectionStatusSerializer(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AnswerSerializer, responses=ObjectionStaffSerializer, parameters=[REFERENCE_PARAM]
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, id=None):  # noqa: A002 - the route's parameter name
        objection = self.get_object()
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objection = notice_services.objection_answer(
            objection=objection, answer=body.validated_data["answer"], by=request.user
        )
        return Response(ObjectionStaffSerializer(objection, context={"unmasked": True}).data)


# --- complaints -----------------------------------------------------------------------------


class ComplaintCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Complaint.Kind.choices)
    content = serializers.CharField(
        max_length=4000, allow_blank=True, validators=[refuse_unsafe_text]
    )
    anonymous = serializers.BooleanField(default=False)
    subject = serializers.CharField(
        max_length=100, required=False, allow_blank=True, validators=[refuse_unsafe_text]
    )
    region = serializers.CharField(
        max_length=12, required=False, allow_blank=True, validators=[refuse_unsafe_text]
    )
    name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, validators=[refuse_unsafe_text]
    )
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, validators=[refuse_unsafe_text]
    )


class ComplaintStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = Complaint
        fields = [
            "reference",
            "kind",
            "status",
            "filed_at",
            "answer_due_on",
            "answer",
            "answered_at",
        ]


class ComplaintStaffSerializer(ComplaintStatusSerializer):
    complainant_name = serializers.SerializerMethodField()
    complainant_phone = serializers.SerializerMethodField()
    region = serializers.CharField(source="region.code", allow_null=True, default=None)
    assigned_to = serializers.CharField(
        source="assigned_to.username", allow_null=True, default=None
    )

    class Meta(ComplaintStatusSerializer.Meta):
        fields = [
            *ComplaintStatusSerializer.Meta.fields,
            "source",
            "content",
            "subject",
            "region",
            "complainant_name",
            "complainant_phone",
            "assigned_to",
            "assigned_at",
        ]

    def get_complainant_name(self, obj) -> str:
        return (
            obj.complainant_name
            if self.context.get("unmasked")
            else masking.mask_name(obj.complainant_name)
        )

    def get_complainant_phone(self, obj) -> str:
        return (
            obj.complainant_phone
            if self.context.get("unmasked")
            else masking.mask_phone(obj.complainant_phone)
        )


class ComplaintAssignSerializer(serializers.Serializer):
    assigned_to = serializers.CharField(max_length=150, help_text="承办人用户名")


@extend_schema(tags=["public", "integrity"])
class ComplaintViewSet(
    ByReference,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """投诉举报: filed by anyone (anonymous allowed); read by its reference; the supervisor's
    box, assigned and answered within the limit."""

    def get_permissions(self):
        if self.action in ("create", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        if self.action == "create":
            return [PublicWriteThrottle()]
        return super().get_throttles()

    def get_serializer_class(self):
        return {
            "create": ComplaintCreateSerializer,
            "retrieve": ComplaintStatusSerializer,
            "assign": ComplaintAssignSerializer,
            "answer": AnswerSerializer,
        }.get(self.action, ComplaintStaffSerializer)

    def get_queryset(self):
        if self.action == "retrieve":
            return Complaint.objects.all()
        if not permissions.can_read_complaints(self.request.user):
            return Complaint.objects.none()
        return selectors.complaint_list(user=self.request.user).order_by("-filed_at", "-pk")

    def _staff_response(self, request, rows, *, many: bool):
        items = rows if many else [rows]
        unmasked = masking.record_read(
            user=request.user,
            object_type="complaint",
            object_ids=[c.pk for c in items],
            request=request,
            channel="api",
            fields="content,complainant_name,complainant_phone",
        )
        return ComplaintStaffSerializer(rows, many=many, context={"unmasked": unmasked}).data

    @extend_schema(
        parameters=[OpenApiParameter("overdue", OpenApiTypes.BOOL, description="只看超期未答复")]
    )
    def list(self, request, *args, **kwargs):
        qs = self.get_queryset()
        if request.query_params.get("overdue") in ("1", "true"):
            qs = selectors.overdue_complaints(user=request.user).order_by("answer_due_on", "pk")
            if not permissions.can_read_complaints(request.user):
                qs = Complaint.objects.none()
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self._staff_response(request, page, many=True))

    @extend_schema(parameters=[REFERENCE_PARAM])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=ComplaintCreateSerializer, responses={201: ComplaintStatusSerializer})
    def create(self, request, *args, **kwargs):
        body = ComplaintCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        complaint = services.complaint_file(
            kind=d["kind"],
            content=d["content"],
            anonymous=d["anonymous"],
            subject=d.get("subject", ""),
            region_code=d.get("region", ""),
            complainant_name=d.get("name", ""),
            complainant_phone=d.get("phone", ""),
            by=request.user if request.user.is_authenticated else None,
            request=request,
            channel="api",
        )
        return Response(ComplaintStatusSerializer(complaint).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ComplaintAssignSerializer,
        responses=ComplaintStaffSerializer,
        parameters=[REFERENCE_PARAM],
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, id=None):  # noqa: A002
        complaint = self.get_object()
        body = ComplaintAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        to = User.objects.filter(username=body.validated_data["assigned_to"]).first()
        complaint = services.complaint_assign(complaint=complaint, to=to, by=request.user)
        return Response(self._staff_response(request, complaint, many=False))

    @extend_schema(
        request=AnswerSerializer, responses=ComplaintStaffSerializer, parameters=[REFERENCE_PARAM]
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, id=None):  # noqa: A002
        complaint = self.get_object()
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        complaint = services.complaint_answer(
            complaint=complaint, answer=body.validated_data["answer"], by=request.user
        )
        return Response(self._staff_response(request, complaint, many=False))


# --- the dishonesty register ----------------------------------------------------------------


class DishonestyRecordSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    township = serializers.CharField(source="household.village.parent.name")
    reason = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()
    removed_at = serializers.SerializerMethodField()
    removal_reasons = serializers.SerializerMethodField()

    class Meta:
        model = DishonestyRecord
        fields = [
            "id",
            "household",
            "name",
            "id_number",
            "township",
            "reason",
            "amount_obtained",
            "fine_multiple",
            "fine_amount",
            "source",
            "recorded_at",
            "active",
            "removed_at",
            "removal_reasons",
        ]

    def _shown(self, obj) -> dict:
        person = obj.person
        return masking.person_fields(
            {
                "name": person.name if person else "",
                "id_number": person.id_number if person else "",
            },
            unmasked=bool(self.context.get("unmasked")),
        )

    def get_name(self, obj) -> str:
        return self._shown(obj)["name"]

    def get_id_number(self, obj) -> str:
        return self._shown(obj)["id_number"]

    def get_reason(self, obj) -> str:
        return masking.free_text(obj.reason, unmasked=bool(self.context.get("unmasked")))

    def _removal(self, obj):
        return getattr(obj, "removal", None) if hasattr(obj, "removal") else None

    def get_active(self, obj) -> bool:
        return self._removal(obj) is None

    def get_removed_at(self, obj) -> str | None:
        removal = self._removal(obj)
        return removal.removed_at.isoformat() if removal else None

    def get_removal_reasons(self, obj) -> str:
        removal = self._removal(obj)
        if removal is None:
            return ""
        return masking.free_text(removal.reasons, unmasked=bool(self.context.get("unmasked")))


class RemoveSerializer(serializers.Serializer):
    reasons = serializers.CharField(max_length=1000, validators=[refuse_unsafe_text])


@extend_schema(tags=["integrity"])
class DishonestyRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """失信记录: the register of the reader's region; removal by the county's approver."""

    serializer_class = DishonestyRecordSerializer

    def get_queryset(self):
        if not permissions.can_read_dishonesty(self.request.user):
            return DishonestyRecord.objects.none()
        return selectors.dishonesty_list(user=self.request.user)

    def _data(self, request, rows, *, many: bool):
        items = rows if many else [rows]
        unmasked = masking.record_read(
            user=request.user,
            object_type="dishonesty_record",
            object_ids=[r.pk for r in items],
            request=request,
            channel="api",
            fields="name,id_number,reason",
        )
        return DishonestyRecordSerializer(rows, many=many, context={"unmasked": unmasked}).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._data(request, page, many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._data(request, self.get_object(), many=False))

    @extend_schema(request=RemoveSerializer, responses=DishonestyRecordSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        record = self.get_object()
        body = RemoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.dishonesty_remove(
            record=record,
            reasons=body.validated_data["reasons"],
            by=request.user,
            request=request,
            channel="api",
        )
        record = self.get_queryset().get(pk=record.pk)
        return Response(self._data(request, record, many=False))

    @extend_schema(
        parameters=[
            OpenApiParameter("file", OpenApiTypes.STR, enum=["csv", "json"], description="格式")
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV"),
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="docs/credit-export.md"
            ),
        },
    )
    @action(detail=False, methods=["get"], url_path="credit-export")
    def credit_export(self, request):
        """The export for the credit platform (docs/credit-export.md)."""
        fmt = request.query_params.get("file", "json")
        if fmt not in ("csv", "json"):
            raise ValidationError({"file": ["格式应为 csv 或 json。"]})
        if not permissions.can_export_credit(request.user):
            raise Http404
        rows = credit.credit_rows(user=request.user, request=request, channel=fmt)
        if fmt == "csv":
            response = StreamingHttpResponse(
                credit.as_csv(rows), content_type="text/csv; charset=utf-8"
            )
        else:
            response = HttpResponse(credit.as_json(rows), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="credit-export.{fmt}"'
        return response


# --- the audit trail ------------------------------------------------------------------------


class AuditEntrySerializer(serializers.Serializer):
    key = serializers.CharField(help_text="<表名>.<编号>")
    kind = serializers.ChoiceField(choices=list(audit.KINDS))
    at = serializers.DateTimeField()
    user = serializers.CharField(source="username", allow_blank=True)
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.IntegerField(allow_null=True)
    household = serializers.IntegerField(source="household_id", allow_null=True)
    detail = serializers.CharField(allow_blank=True)
    ip = serializers.CharField(allow_null=True)
    changes = serializers.SerializerMethodField()

    def get_changes(self, obj) -> list[dict]:
        return [
            {
                "field": k,
                "before": None if b is None else str(b),
                "after": None if a is None else str(a),
            }
            for k, b, a in obj.changes
        ]


class AuditPageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    next = serializers.BooleanField(help_text="是否还有下一页")
    results = AuditEntrySerializer(many=True)


AUDIT_FILTERS = [
    OpenApiParameter("user", OpenApiTypes.STR, description="用户名"),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=list(audit.KINDS)),
    OpenApiParameter("action", OpenApiTypes.STR),
    OpenApiParameter("since", OpenApiTypes.DATE),
    OpenApiParameter("until", OpenApiTypes.DATE),
    OpenApiParameter("household", OpenApiTypes.INT),
    OpenApiParameter("page", OpenApiTypes.INT),
]


def _refuse_edit(request, key: str):
    """An attempt to change or delete the trail through the API: refused, and kept."""
    refused_attempt_record(
        kind=RefusedAttempt.Kind.AUDIT_EDIT,
        user=request.user,
        request=request,
        channel="api",
        target=key[:120],
        detail=request.method,
    )
    raise MethodNotAllowed(request.method, detail="审计记录只能追加，不能修改或删除。")


@extend_schema(tags=["integrity"])
class AuditTrailView(APIView):
    """审计记录: the supervisor's search (who, what, when, which household), newest first."""

    @extend_schema(
        operation_id="v1_audit_trail_list", parameters=AUDIT_FILTERS, responses=AuditPageSerializer
    )
    def get(self, request):
        if not permissions.can_search_audit(request.user):
            raise Http404
        try:
            filters = audit_filters(request.query_params)
        except selectors.BadFilter as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc
        page = request.query_params.get("page", "") or "1"
        if not (page.isascii() and page.isdigit()) or len(page) > 5 or int(page) < 1:
            # "²" and "١" are digits to str.isdigit(); int() refuses the first (was a 500)
            raise ValidationError({"page": [_("页码应为 1 到 99999 的整数。")]})
        page = int(page)
        entries, more = audit.audit_page(user=request.user, filters=filters, page=page)
        access_log_record(
            user=request.user,
            object_type="audit_search",
            object_ids=[len(entries)],
            request=request,
            channel="api",
            fields=(request.query_params.urlencode() or "-")[:200],
            masked=not masking.sees_personal_data(request.user),
        )
        return Response(
            {
                "page": page,
                "next": more,
                "results": AuditEntrySerializer(entries, many=True).data,
            }
        )

    def http_method_not_allowed(self, request, *args, **kwargs):
        _refuse_edit(request, "audit-trail")


@extend_schema(tags=["integrity"])
class AuditEntryView(APIView):
    """One entry of the trail by its key; PUT, PATCH and DELETE are refused and kept."""

    @extend_schema(responses=AuditEntrySerializer, parameters=[AUDIT_KEY_PARAM])
    def get(self, request, key: str):
        if not permissions.can_search_audit(request.user):
            raise Http404
        entry = audit.audit_get(key=key[:100], user=request.user)
        if entry is None:
            raise Http404
        return Response(AuditEntrySerializer(entry).data)

    def http_method_not_allowed(self, request, *args, **kwargs):
        _refuse_edit(request, kwargs.get("key", ""))


router = SimpleRouter()
router.register("public-notices", PublicNoticeViewSet, basename="public-notice")
router.register("objections", ObjectionViewSet, basename="objection")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("dishonesty-records", DishonestyRecordViewSet, basename="dishonesty-record")

urlpatterns = [
    path("audit-trail/", AuditTrailView.as_view(), name="api-audit-trail"),
    path("audit-trail/<str:key>/", AuditEntryView.as_view(), name="api-audit-entry"),
    *router.urls,
]
