from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from applicants import masking, selectors, services
from applicants.models import Household

from .serializers import HouseholdInputSerializer, HouseholdSerializer


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="区划代码（县、镇街或村居）"),
            OpenApiParameter(
                "q",
                str,
                description="成员姓名，或身份证号码（全部或末几位）；脱敏查看的角色查询不到任何结果",
            ),
        ]
    ),
    create=extend_schema(request=HouseholdInputSerializer, responses={201: HouseholdSerializer}),
)
class HouseholdViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Households (家庭) in the caller's scope; another region's household is a 404."""

    serializer_class = HouseholdSerializer
    queryset = Household.objects.none()

    def get_queryset(self):
        return selectors.household_list(user=self.request.user, filters=self.request.query_params)

    def get_object(self):
        try:
            return selectors.household_get(user=self.request.user, pk=int(self.kwargs["pk"]))
        except (Household.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["unmasked"] = masking.sees_personal_data(self.request.user)
        return context

    def _log(self, households) -> None:
        masking.record_read(
            user=self.request.user,
            object_type="household",
            object_ids=[h.pk for h in households],
            request=self.request,
            channel="api",
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        self._log(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        household = self.get_object()
        self._log([household])
        return Response(self.get_serializer(household).data)

    def create(self, request, *args, **kwargs):
        payload = HouseholdInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        household = services.household_register(
            village=services.region_get_by_code(data["village"]),
            address=data["address"],
            members=data["members"],
            by=request.user,
        )
        household = selectors.household_get(user=request.user, pk=household.pk)
        self._log([household])
        return Response(self.get_serializer(household).data, status=status.HTTP_201_CREATED)
