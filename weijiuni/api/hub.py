"""/api/v1/ for the hub (SPEC §10): departments and their shared resources (public),
organizations and projects, needs and their matching, deliveries, the points ledger and its
benefits, 12349 service requests, staff and training. Thin: parse → service/selector →
respond; persons are shown as ``applicants.masking`` lets the reader see them, and each read
of a person is logged."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from applicants import masking
from applicants.models import Household, Region
from eligibility.models import Department, Enrollment

from .. import selectors
from ..models import (
    Benefit,
    Delivery,
    InformationResource,
    Need,
    PointsEntry,
    Project,
    ServiceKind,
    ServiceRequest,
    ServiceWindow,
    SocialOrganization,
    StaffMember,
    TrainingSession,
)
from ..services import hotline, organizations, points

BIG = 2**63 - 1


def _id_field(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=BIG, **kwargs)


def _get(qs, pk):
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, OverflowError, TypeError) as exc:
        raise Http404 from exc


def _scoped_or_field_error(qs, pk, field: str, message: str):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise serializers.ValidationError({field: [message]})
    return obj


# --- departments and resources (public) ---------------------------------------------------


class ResourceSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    shared_with = serializers.SerializerMethodField()

    class Meta:
        model = InformationResource
        fields = [
            "code",
            "name",
            "department",
            "department_name",
            "items",
            "shared_with",
            "frequency",
            "channel",
            "updated_on",
        ]

    def get_shared_with(self, obj) -> list[str]:
        return [d.code for d in obj.shared_with.all()]


class ResourceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Departments' shared information resources (信息资源目录): what each shares, with
    whom, how often. Open to the public; ``q`` searches in Chinese."""

    serializer_class = ResourceSerializer
    queryset = InformationResource.objects.none()
    permission_classes = [AllowAny]
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        return selectors.resource_list(
            query=params.get("q", "")[:200], department=params.get("department", "")[:40]
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="搜索词"),
            OpenApiParameter("department", str, description="部门代码"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class DepartmentSerializer(serializers.ModelSerializer):
    resources = serializers.IntegerField(source="n_resources")
    policies = serializers.IntegerField(source="n_policies")

    class Meta:
        model = Department
        fields = ["code", "name", "resources", "policies"]


class DepartmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The departments joined at the hub, with how many resources they share and policies
    they run. Public."""

    serializer_class = DepartmentSerializer
    queryset = Department.objects.none()
    permission_classes = [AllowAny]
    filter_backends: list = []

    def get_queryset(self):
        from django.db.models import Count

        return Department.objects.annotate(
            n_resources=Count("resources", distinct=True),
            n_policies=Count("policies", distinct=True),
        ).order_by("code")


# --- organizations and projects -----------------------------------------------------------


class StandingSerializer(serializers.Serializer):
    grade = serializers.IntegerField(allow_null=True)
    projects_open = serializers.IntegerField()
    projects_total = serializers.IntegerField()
    funding = serializers.DecimalField(max_digits=14, decimal_places=2)
    capacity_open = serializers.IntegerField()
    needs_taken = serializers.IntegerField()
    deliveries = serializers.IntegerField()
    people_served = serializers.IntegerField()
    requests_completed = serializers.IntegerField()
    requests_open = serializers.IntegerField()
    rating = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    points = serializers.IntegerField()


class OrganizationSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")

    class Meta:
        model = SocialOrganization
        fields = [
            "id",
            "name",
            "credit_code",
            "kind",
            "region",
            "contact_phone",
            "evaluation_grade",
            "is_active",
        ]


class OrganizationDetailSerializer(OrganizationSerializer):
    standing = serializers.SerializerMethodField()

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "standing"]

    @extend_schema_field(StandingSerializer)
    def get_standing(self, obj) -> dict:
        return StandingSerializer(selectors.organization_standing(obj)).data


class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Social organizations taking part (社会力量); one with its standing."""

    queryset = SocialOrganization.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return selectors.organization_list()

    def get_serializer_class(self):
        return OrganizationDetailSerializer if self.action == "retrieve" else OrganizationSerializer

    def get_object(self):
        return _get(self.get_queryset(), self.kwargs["pk"])


class ProjectSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    area = serializers.CharField(source="area.code")
    area_name = serializers.CharField(source="area.name")
    service_kinds = serializers.SerializerMethodField()
    taken = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Project
        fields = [
            "id",
            "organization",
            "organization_name",
            "name",
            "description",
            "funding",
            "capacity",
            "taken",
            "area",
            "area_name",
            "service_kinds",
            "starts_on",
            "ends_on",
            "status",
        ]

    def get_service_kinds(self, obj) -> list[str]:
        return [k.code for k in obj.service_kinds.all()]


class ProjectInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    funding = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, max_value=9999999999
    )
    capacity = serializers.IntegerField(min_value=1, max_value=100000)
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.exclude(level=Region.Level.VILLAGE)
    )
    service_kinds = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceKind.objects.all(), many=True, allow_empty=False
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    organization = _id_field(required=False, help_text="管理员代社会组织发布时填写")


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Projects of social organizations (救助项目). ``mine=1``: an organization's own."""

    serializer_class = ProjectSerializer
    queryset = Project.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        return selectors.project_list(
            user=self.request.user,
            filters={"mine": params.get("mine"), "status": params.get("status", "")[:20]},
        )

    def get_object(self):
        return _get(self.get_queryset(), self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("mine", bool, description="只看本组织的项目"),
            OpenApiParameter("status", str, enum=Project.Status.values),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ProjectInSerializer, responses={201: ProjectSerializer})
    def create(self, request):
        payload = ProjectInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        org = selectors.organization_of(request.user)
        if request.user.is_admin_role and data.get("organization"):
            org = _scoped_or_field_error(
                SocialOrganization.objects, data["organization"], "organization", "社会组织不存在"
            )
        if org is None:
            raise serializers.ValidationError({"non_field_errors": ["只有社会组织可以发布项目。"]})
        project = organizations.project_publish(
            organization=org,
            by=request.user,
            name=data["name"],
            description=data.get("description", ""),
            funding=data["funding"],
            capacity=data["capacity"],
            area=data["area"],
            service_kinds=data["service_kinds"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
        )
        return Response(
            ProjectSerializer(self.get_queryset().get(pk=project.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The organization marks its project completed (earns the project's 海贝分)."""
        project = organizations.project_complete(project=self.get_object(), by=request.user)
        return Response(ProjectSerializer(self.get_queryset().get(pk=project.pk)).data)


# --- needs and deliveries -----------------------------------------------------------------


class NeedSerializer(serializers.ModelSerializer):
    service_kind = serializers.CharField(source="service_kind.code")
    person_name = serializers.SerializerMethodField()
    place = serializers.SerializerMethodField()
    detail = serializers.SerializerMethodField()
    project_name = serializers.CharField(source="project.name", default=None, allow_null=True)

    class Meta:
        model = Need
        fields = [
            "id",
            "household",
            "person",
            "person_name",
            "place",
            "service_kind",
            "detail",
            "enrollment",
            "consent_at",
            "consent_channel",
            "status",
            "project",
            "project_name",
            "matched_at",
            "closed_at",
            "created_at",
        ]

    def _unmasked(self) -> bool:
        return bool(self.context.get("unmasked"))

    def get_person_name(self, obj) -> str:
        return masking.person_fields({"name": obj.person.name}, unmasked=self._unmasked())["name"]

    def get_place(self, obj) -> str:
        return masking.place(obj.household.village, unmasked=self._unmasked())

    def get_detail(self, obj) -> str:
        org = self.context.get("organization")
        provider = org is not None and obj.project_id and obj.project.organization_id == org.pk
        return masking.for_provider(obj.detail, unmasked=self._unmasked(), provider=bool(provider))


class NeedInSerializer(serializers.Serializer):
    household = _id_field()
    person = _id_field()
    service_kind = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceKind.objects.all()
    )
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True)
    consent = serializers.BooleanField()
    consent_channel = serializers.ChoiceField(choices=Need.ConsentChannel.choices)
    enrollment = _id_field(required=False, allow_null=True)


class TakeSerializer(serializers.Serializer):
    project = _id_field()


def _log_persons(request, person_ids, channel="api") -> bool:
    return masking.record_read(
        user=request.user,
        object_type="person",
        object_ids=sorted(set(person_ids)),
        request=request,
        channel=channel,
    )


class NeedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Needs of households for services (救助需求). An organization sees the needs its
    projects took and the open ones its projects fit (matching by area and service kind)."""

    serializer_class = NeedSerializer
    queryset = Need.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        return selectors.need_list(
            user=self.request.user,
            filters={
                "status": params.get("status", "")[:20],
                "service_kind": params.get("service_kind", "")[:40],
            },
        )

    def get_object(self):
        return _get(self.get_queryset(), self.kwargs["pk"])

    def _data(self, needs, *, many: bool):
        unmasked = _log_persons(self.request, [n.person_id for n in needs])
        context = {
            "unmasked": unmasked,
            "organization": selectors.organization_of(self.request.user),
        }
        return NeedSerializer(needs if many else needs[0], many=many, context=context).data

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Need.Status.values),
            OpenApiParameter("service_kind", str, description="服务类别代码"),
        ]
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._data(list(page), many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._data([self.get_object()], many=False))

    def _fresh(self, need):
        return Response(
            self._data(
                [
                    Need.objects.select_related(
                        "household__village__parent", "person", "service_kind", "project"
                    ).get(pk=need.pk)
                ],
                many=False,
            )
        )

    @extend_schema(request=NeedInSerializer, responses={201: NeedSerializer})
    def create(self, request):
        """The township or village assistant records a need, with the household's consent."""
        payload = NeedInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        household = _scoped_or_field_error(
            Household.objects.for_user(request.user), data["household"], "household", "家庭不存在"
        )
        person = _scoped_or_field_error(
            household.members.all(), data["person"], "person", "服务对象须为本户成员"
        )
        enrollment = None
        if data.get("enrollment"):
            enrollment = _scoped_or_field_error(
                Enrollment.objects.filter(household=household),
                data["enrollment"],
                "enrollment",
                "保障对象不存在",
            )
        need = organizations.need_record(
            household=household,
            person=person,
            service_kind=data["service_kind"],
            by=request.user,
            consent=data["consent"],
            consent_channel=data["consent_channel"],
            detail=data.get("detail", ""),
            enrollment=enrollment,
        )
        response = self._fresh(need)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=TakeSerializer, responses=NeedSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        """The organization takes the need into one of its projects (认领)."""
        payload = TakeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        org = selectors.organization_of(request.user)
        projects = (
            Project.objects.all()
            if request.user.is_admin_role
            else (Project.objects.filter(organization=org) if org else Project.objects.none())
        )
        project = _scoped_or_field_error(
            projects, payload.validated_data["project"], "project", "项目不存在"
        )
        need = organizations.need_take(need=self.get_object(), project=project, by=request.user)
        return self._fresh(need)

    @extend_schema(request=None, responses=NeedSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The organization closes a need it has served (办结)."""
        return self._fresh(organizations.need_close(need=self.get_object(), by=request.user))

    @extend_schema(request=None, responses=NeedSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """The township cancels a need (consent withdrawn, need gone)."""
        return self._fresh(organizations.need_cancel(need=self.get_object(), by=request.user))


class DeliverySerializer(serializers.ModelSerializer):
    service_kind = serializers.CharField(source="service_kind.code")
    person_name = serializers.SerializerMethodField()
    points = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "id",
            "project",
            "organization",
            "need",
            "person",
            "person_name",
            "service_kind",
            "delivered_on",
            "note",
            "points",
            "created_at",
        ]

    def get_person_name(self, obj) -> str:
        unmasked = bool(self.context.get("unmasked"))
        return masking.person_fields({"name": obj.person.name}, unmasked=unmasked)["name"]

    def get_points(self, obj) -> int:
        entry = getattr(obj, "points_entry", None)
        return entry.points if entry is not None else 0


class DeliveryInSerializer(serializers.Serializer):
    need = _id_field()
    delivered_on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    service_kind = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceKind.objects.all(), required=False
    )


class DeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Services given (春风万家 助餐, 助洁, 助医), one row per person, kind and day."""

    serializer_class = DeliverySerializer
    queryset = Delivery.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        return selectors.delivery_list(
            user=self.request.user, filters={"service_kind": params.get("service_kind", "")[:40]}
        ).select_related("points_entry")

    @extend_schema(parameters=[OpenApiParameter("service_kind", str, description="服务类别代码")])
    def list(self, request, *args, **kwargs):
        page = list(self.paginate_queryset(self.get_queryset()))
        unmasked = _log_persons(request, [d.person_id for d in page])
        data = DeliverySerializer(page, many=True, context={"unmasked": unmasked}).data
        return self.get_paginated_response(data)

    @extend_schema(request=DeliveryInSerializer, responses={201: DeliverySerializer})
    def create(self, request):
        """The organization records a service it gave to the person of a need it took; the
        delivery earns its 海贝分."""
        payload = DeliveryInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        need = _scoped_or_field_error(
            selectors.need_list(user=request.user), data["need"], "need", "需求不存在"
        )
        delivery = organizations.delivery_record(
            need=need,
            by=request.user,
            delivered_on=data["delivered_on"],
            note=data.get("note", ""),
            service_kind=data.get("service_kind"),
        )
        unmasked = _log_persons(request, [delivery.person_id])
        delivery = self.get_queryset().get(pk=delivery.pk)
        return Response(
            DeliverySerializer(delivery, context={"unmasked": unmasked}).data,
            status=status.HTTP_201_CREATED,
        )


# --- points (海贝分) -----------------------------------------------------------------------


class PointsEntrySerializer(serializers.ModelSerializer):
    organization = serializers.IntegerField(source="account.organization_id")
    benefit_name = serializers.CharField(source="benefit.name", default=None, allow_null=True)

    class Meta:
        model = PointsEntry
        fields = [
            "id",
            "organization",
            "kind",
            "points",
            "balance_after",
            "delivery",
            "project",
            "benefit",
            "benefit_name",
            "created_at",
        ]


class BenefitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Benefit
        fields = ["id", "name", "description", "points", "stock", "is_active"]


class ExchangeSerializer(serializers.Serializer):
    benefit = _id_field()
    organization = _id_field(required=False, help_text="管理员代社会组织兑换时填写")


class PointsViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The 幸福公益银行 ledger (海贝分): an organization its own lines, newest first."""

    serializer_class = PointsEntrySerializer
    queryset = PointsEntry.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return selectors.points_entry_list(user=self.request.user)

    @extend_schema(request=ExchangeSerializer, responses={201: PointsEntrySerializer})
    @action(detail=False, methods=["post"])
    def exchange(self, request):
        """Exchange points for a listed benefit; refused when the balance cannot cover it."""
        payload = ExchangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        org = selectors.organization_of(request.user)
        if request.user.is_admin_role and data.get("organization"):
            org = _scoped_or_field_error(
                SocialOrganization.objects, data["organization"], "organization", "社会组织不存在"
            )
        if org is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["只有社会组织可以兑换海贝分。"]}
            )
        benefit = _scoped_or_field_error(
            Benefit.objects.all(), data["benefit"], "benefit", "兑换项目不存在"
        )
        entry = points.points_exchange(organization=org, benefit=benefit, by=request.user)
        return Response(PointsEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class BenefitViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Benefits listed for exchange at the 幸福公益银行."""

    serializer_class = BenefitSerializer
    queryset = Benefit.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return Benefit.objects.filter(is_active=True).order_by("points", "name")


# --- 12349 --------------------------------------------------------------------------------


class ServiceRequestSerializer(serializers.ModelSerializer):
    window = serializers.CharField(source="window.code")
    service_kind = serializers.CharField(source="service_kind.code", default=None, allow_null=True)
    region = serializers.SerializerMethodField()
    provider_name = serializers.CharField(source="provider.name", default=None, allow_null=True)
    caller_name = serializers.SerializerMethodField()
    caller_phone = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "channel",
            "window",
            "service_kind",
            "region",
            "caller_name",
            "caller_phone",
            "description",
            "status",
            "due_at",
            "provider",
            "provider_name",
            "assigned_at",
            "completed_at",
            "completion_note",
            "rating",
            "rating_comment",
            "rated_at",
            "created_at",
        ]

    def _unmasked(self) -> bool:
        return bool(self.context.get("unmasked"))

    def get_region(self, obj) -> str:
        return masking.place(obj.region, unmasked=self._unmasked())

    def get_caller_name(self, obj) -> str:
        return masking.person_fields({"name": obj.caller_name}, unmasked=self._unmasked())["name"]

    def get_caller_phone(self, obj) -> str:
        shown = masking.person_fields({"phone": obj.caller_phone}, unmasked=self._unmasked())
        return shown["phone"]

    def get_description(self, obj) -> str:
        org = self.context.get("organization")
        provider = org is not None and obj.provider_id == org.pk
        return masking.for_provider(obj.description, unmasked=self._unmasked(), provider=provider)


class ServiceRequestInSerializer(serializers.Serializer):
    window = serializers.SlugRelatedField(slug_field="code", queryset=ServiceWindow.objects.all())
    service_kind = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceKind.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(max_length=1000)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    # a phone call entered by staff:
    region = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.filter(level=Region.Level.VILLAGE),
        required=False,
        help_text="电话诉求：来电人所在村（社区）代码",
    )
    caller_name = serializers.CharField(max_length=50, required=False)
    household = _id_field(required=False, allow_null=True)


class ServiceRequestAssignSerializer(serializers.Serializer):
    provider = _id_field()


class CompleteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500)


class RateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ServiceRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """12349 service requests: a citizen files online; the line's staff enter calls and
    assign; the provider completes; the one who asked rates."""

    serializer_class = ServiceRequestSerializer
    queryset = ServiceRequest.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        return selectors.service_request_list(
            user=self.request.user,
            filters={
                "status": params.get("status", "")[:20],
                "window": params.get("window", "")[:40],
                "channel": params.get("channel", "")[:20],
            },
        )

    def get_object(self):
        return _get(self.get_queryset(), self.kwargs["pk"])

    def _data(self, requests, *, many: bool):
        unmasked = masking.record_read(
            user=self.request.user,
            object_type="service_request",
            object_ids=[r.pk for r in requests],
            request=self.request,
            channel="api",
        )
        context = {
            "unmasked": unmasked,
            "organization": selectors.organization_of(self.request.user),
        }
        return ServiceRequestSerializer(
            requests if many else requests[0], many=many, context=context
        ).data

    def _fresh(self, obj, code=status.HTTP_200_OK):
        fresh = ServiceRequest.objects.select_related(
            "window", "service_kind", "region__parent", "provider"
        ).get(pk=obj.pk)
        return Response(self._data([fresh], many=False), status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ServiceRequest.Status.values),
            OpenApiParameter("window", str, description="窗口代码"),
            OpenApiParameter("channel", str, enum=ServiceRequest.Channel.values),
        ]
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._data(list(page), many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._data([self.get_object()], many=False))

    @extend_schema(request=ServiceRequestInSerializer, responses={201: ServiceRequestSerializer})
    def create(self, request):
        """A citizen's online request (their household), or a call entered by the line's
        staff (``region`` and ``caller_name`` required)."""
        payload = ServiceRequestInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if request.user.role == "citizen":
            obj = hotline.request_online(
                by=request.user,
                window=data["window"],
                description=data["description"],
                phone=data.get("phone", ""),
                service_kind=data.get("service_kind"),
            )
            return self._fresh(obj, status.HTTP_201_CREATED)
        missing = {
            f: ["电话诉求必须填写此项。"] for f in ("region", "caller_name") if f not in data
        }
        if missing:
            raise serializers.ValidationError(missing)
        household = None
        if data.get("household"):
            household = _scoped_or_field_error(
                Household.objects.for_user(request.user),
                data["household"],
                "household",
                "家庭不存在",
            )
        obj = hotline.request_by_phone(
            by=request.user,
            window=data["window"],
            region=data["region"],
            caller_name=data["caller_name"],
            caller_phone=data.get("phone", ""),
            description=data["description"],
            service_kind=data.get("service_kind"),
            household=household,
        )
        return self._fresh(obj, status.HTTP_201_CREATED)

    @extend_schema(request=ServiceRequestAssignSerializer, responses=ServiceRequestSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign to a provider (派单)."""
        payload = ServiceRequestAssignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        provider = _scoped_or_field_error(
            SocialOrganization.objects.all(),
            payload.validated_data["provider"],
            "provider",
            "服务提供方不存在",
        )
        obj = hotline.request_assign(request=self.get_object(), provider=provider, by=request.user)
        return self._fresh(obj)

    @extend_schema(request=CompleteSerializer, responses=ServiceRequestSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The provider records the request done."""
        payload = CompleteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        obj = hotline.request_complete(
            request=self.get_object(), by=request.user, note=payload.validated_data["note"]
        )
        return self._fresh(obj)

    @extend_schema(request=RateSerializer, responses=ServiceRequestSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        """The satisfaction rating (1–5)."""
        payload = RateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        obj = hotline.request_rate(
            request=self.get_object(),
            by=request.user,
            rating=data["rating"],
            comment=data.get("comment", ""),
        )
        return self._fresh(obj)


class WindowSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceWindow
        fields = ["code", "name", "response_hours"]


class ServiceKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceKind
        fields = ["code", "name", "programme"]


class WindowViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The windows of the 12349 line and their response times (public)."""

    serializer_class = WindowSerializer
    queryset = ServiceWindow.objects.none()
    permission_classes = [AllowAny]
    filter_backends: list = []

    def get_queryset(self):
        return ServiceWindow.objects.order_by("order", "code")


class ServiceKindViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Kinds of service (助餐, 助洁, 助医 …) (public)."""

    serializer_class = ServiceKindSerializer
    queryset = ServiceKind.objects.none()
    permission_classes = [AllowAny]
    filter_backends: list = []

    def get_queryset(self):
        return ServiceKind.objects.order_by("order", "code")


# --- staff and training -------------------------------------------------------------------


class StaffSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    sessions_attended = serializers.IntegerField()
    training_hours = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "region_name",
            "started_on",
            "is_active",
            "sessions_attended",
            "training_hours",
        ]


class TrainingSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")
    attended = serializers.IntegerField()

    class Meta:
        model = TrainingSession
        fields = ["id", "title", "held_on", "hours", "organizer", "region", "attended"]


class StaffViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Grassroots staff with their training (the supervisor, county approvers, admin)."""

    serializer_class = StaffSerializer
    queryset = StaffMember.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        from applicants import permissions

        if not permissions.can_read_staff_records(self.request.user):
            return StaffMember.objects.none()
        return selectors.staff_list(user=self.request.user).order_by("region__path", "name")


class TrainingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Training sessions and how many attended."""

    serializer_class = TrainingSerializer
    queryset = TrainingSession.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        from applicants import permissions

        if not permissions.can_read_staff_records(self.request.user):
            return TrainingSession.objects.none()
        return selectors.training_list(user=self.request.user).order_by("-held_on", "id")
