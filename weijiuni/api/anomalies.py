"""/api/v1/anomaly-findings/: the fund-anomaly findings (issue 11 item 6), read in scope, and
the supervisor's conclusion on one (``resolve``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from applicants import permissions
from integrity import checks
from integrity.models import AnomalyFinding

from .. import anomalies


class PersonShownSerializer(serializers.Serializer):
    """A person a finding names, as the reader may see them (masked outside their scope or
    role)."""

    id = serializers.IntegerField()
    household_id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField()
    relation = serializers.CharField()
    status = serializers.CharField()
    status_on = serializers.DateField(allow_null=True)
    place = serializers.CharField()
    bank_name = serializers.CharField()
    bank_account = serializers.CharField()
    unmasked = serializers.BooleanField()


class FindingSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="region.code")
    county_name = serializers.CharField(source="region.name")
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    still_holds = serializers.SerializerMethodField()
    evidence = serializers.JSONField(
        help_text="检查所见：编号、月份、日期、金额与脱敏账号，不含姓名与身份证号"
    )

    class Meta:
        model = AnomalyFinding
        fields = [
            "id",
            "kind",
            "kind_label",
            "subject",
            "county",
            "county_name",
            "household",
            "amount",
            "evidence",
            "status",
            "status_label",
            "still_holds",
            "first_found_at",
            "last_found_at",
            "assigned_to",
            "resolved_by",
            "resolved_at",
            "note",
        ]

    def get_still_holds(self, finding) -> bool:
        runs = self.context.get("runs")
        if runs is None:
            runs = self.context["runs"] = anomalies.last_runs()
        return anomalies.still_holds(finding, runs)


class FindingDetailSerializer(FindingSerializer):
    people = serializers.SerializerMethodField()

    class Meta(FindingSerializer.Meta):
        fields = [*FindingSerializer.Meta.fields, "people"]

    @extend_schema_field(PersonShownSerializer(many=True))
    def get_people(self, finding) -> list[dict]:
        request = self.context["request"]
        return PersonShownSerializer(
            anomalies.evidence_people(
                user=request.user, finding=finding, request=request, channel="api"
            ),
            many=True,
        ).data


class ResolveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[AnomalyFinding.Status.CONFIRMED, AnomalyFinding.Status.DISMISSED],
        help_text="confirmed 已查实 / dismissed 已排除",
    )
    note = serializers.CharField(max_length=checks.NOTE_MAX, help_text="核查情况（必填）")


class FindingFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AnomalyFinding.Check.choices, required=False)
    status = serializers.ChoiceField(choices=AnomalyFinding.Status.choices, required=False)
    county = serializers.RegexField(r"^\d{6}$", max_length=6, required=False)


class AnomalyFindingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Findings of the fund-anomaly checks in the caller's scope (the city supervisor: all; a
    county approver: their county), the latest found first. Filters: ``kind``, ``status``,
    ``county``; an unknown value is a 400 field error."""

    queryset = AnomalyFinding.objects.none()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return FindingDetailSerializer
        if self.action == "resolve":
            return ResolveSerializer
        return FindingSerializer

    def get_queryset(self):
        if self.action != "list":
            return anomalies.finding_list(user=self.request.user)
        params = FindingFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return anomalies.finding_list(
            user=self.request.user, filters=anomalies.FindingFilters(**params.validated_data)
        )

    def get_object(self):
        return anomalies.finding_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[FindingFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ResolveSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """The supervisor's conclusion: ``confirmed`` (查实) or ``dismissed`` (排除), with the
        note that says why. Once resolved, a finding is not resolved again."""
        finding = self.get_object()
        permissions.require(
            permissions.can_resolve_anomaly(request.user, finding.region),
            "只有市级督导可以处理资金异常线索。",
        )
        payload = ResolveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            finding = checks.finding_resolve(
                finding=finding, by=request.user, **payload.validated_data
            )
        except checks.FindingError as exc:
            raise serializers.ValidationError(exc.errors) from exc
        return Response(FindingSerializer(finding, context={"request": request}).data)
