"""/api/v1/standards/: the versions of every policy number; adding one (administrators) starts
the re-evaluation of every active enrollment it touches. /api/v1/reevaluations/: progress."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from eligibility.models import Reevaluation, Standard, StandardItem
from eligibility.services import region_for_standard, standard_add
from weijiuni.api.serializers import ModelSerializer


class IsAdminRoleForWrites(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if not user.is_authenticated:
            return False
        return request.method in ("GET", "HEAD", "OPTIONS") or user.is_admin_role


class StandardSerializer(ModelSerializer):
    region = serializers.CharField(source="region.code")

    class Meta:
        model = Standard
        fields = ["id", "item", "region", "area", "value", "effective_from", "note", "created_at"]


class StandardInputSerializer(serializers.Serializer):
    item = serializers.ChoiceField(choices=StandardItem.choices)
    region = serializers.CharField(max_length=12)
    area = serializers.ChoiceField(choices=["", "urban", "rural"], required=False, default="")
    value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    effective_from = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class StandardViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Standards (救助标准) as versions: never edited, a change is a new row with a date."""

    serializer_class = StandardSerializer
    permission_classes = [IsAdminRoleForWrites]
    filterset_fields = ["item", "area"]

    def get_queryset(self):
        return Standard.objects.select_related("region").order_by("item", "-effective_from")

    @extend_schema(request=StandardInputSerializer, responses={201: StandardSerializer})
    def create(self, request):
        payload = StandardInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["region"] = region_for_standard(data["region"])
        standard = standard_add(by=request.user, **data)
        return Response(StandardSerializer(standard).data, status=status.HTTP_201_CREATED)


class ReevaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reevaluation
        fields = [
            "id",
            "standard",
            "effective_from",
            "status",
            "chunks_total",
            "chunks_done",
            "enrollments_total",
            "processed",
            "changed",
            "report",
            "created_at",
            "finished_at",
        ]


class ReevaluationViewSet(viewsets.ReadOnlyModelViewSet):
    """Re-evaluations after standard changes, with progress and the report (counts, sums)."""

    serializer_class = ReevaluationSerializer
    queryset = Reevaluation.objects.none()

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated or not (user.is_admin_role or user.role == "supervisor"):
            return Reevaluation.objects.none()
        return Reevaluation.objects.order_by("-id")

    def get_object(self):
        try:
            return self.get_queryset().get(pk=int(self.kwargs["pk"]))
        except (Reevaluation.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
