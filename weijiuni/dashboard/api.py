"""/api/v1/dashboard/: the supervisor dashboard's figures (from the summary tables), one chart,
and the drill-down's list of a township's households (masked outside the reader's scope).

Read-only, for the city supervisor (their region) and the administrator (the city); the same
filters and errors as the page (``weijiuni.dashboard.params``).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from applicants import masking
from applicants.models import Region

from ..api.pagination import PageNumberPagination
from . import charts
from .households import category_choices, households_rows, township_households
from .params import DashboardParams, ParamsError, can_read_dashboard, scope_root

FILTERS = [
    OpenApiParameter(
        "region", OpenApiTypes.STR, description="市、县级或镇街代码（默认：本人区划）"
    ),
    OpenApiParameter("from", OpenApiTypes.STR, description="起始月份 YYYY-MM"),
    OpenApiParameter("to", OpenApiTypes.STR, description="截止月份 YYYY-MM"),
    OpenApiParameter("since", OpenApiTypes.DATE, description="新纳入起始日期 YYYY-MM-DD"),
]


class SeriesSerializer(serializers.Serializer):
    name = serializers.CharField()
    data = serializers.ListField(
        child=serializers.CharField(), help_text="数值；金额为两位小数字符串"
    )
    value = serializers.CharField(required=False, help_text="n | people | amount")


class ChartSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=["trend", "regions", "keys", "projects"])
    x = serializers.ListField(
        child=serializers.CharField(), help_text="横轴：月份、区划、分组或项目（资金最多的20个）"
    )
    codes = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="区划图：各下级区划代码"
    )
    levels = serializers.ListField(child=serializers.CharField(), required=False)
    series = SeriesSerializer(many=True)
    columns = serializers.ListField(child=serializers.CharField(), help_text="表格列名")
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()), help_text="表格各行"
    )
    total = serializers.ListField(child=serializers.CharField(), required=False)
    stack = serializers.BooleanField()


class RegionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class DashboardSerializer(serializers.Serializer):
    region = RegionRefSerializer()
    first = serializers.CharField(help_text="YYYY-MM")
    last = serializers.CharField(help_text="YYYY-MM")
    since = serializers.DateField()
    built_at = serializers.DateTimeField(allow_null=True, help_text="汇总表最近重建时间")
    charts = serializers.DictField(child=ChartSerializer())


class DrillHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    applicant_name = serializers.CharField(help_text="脱敏读者：张*明")
    applicant_id_number = serializers.CharField(help_text="脱敏读者：3710**********1234")
    size = serializers.IntegerField()
    township = serializers.CharField()
    village = serializers.CharField(allow_null=True, help_text="脱敏读者：null")


def _reader(request):
    if not can_read_dashboard(request.user):
        raise PermissionDenied("仅市级督导与管理员可查看督导看板。")


def _params(request) -> DashboardParams:
    try:
        return DashboardParams.from_query(request.query_params, user=request.user)
    except ParamsError as exc:
        raise ValidationError(exc.errors) from exc


class DashboardView(APIView):
    """督导看板：全部图表的数据（读汇总表）。"""

    @extend_schema(parameters=FILTERS, responses=DashboardSerializer, operation_id="dashboard")
    def get(self, request):
        _reader(request)
        return Response(charts.dashboard(_params(request)))


class DashboardChartView(APIView):
    """督导看板：一张图表的数据。"""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "code", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(charts.CHART_BY_CODE)
            ),
            *FILTERS,
        ],
        responses=ChartSerializer,
        operation_id="dashboard_chart",
    )
    def get(self, request, code: str):
        _reader(request)
        if code not in charts.CHART_BY_CODE:
            raise Http404
        return Response(charts.dashboard(_params(request), only=code)["charts"][code])


class DashboardHouseholdsView(APIView):
    """下钻的最后一层：一个镇街的家庭名单（按角色脱敏，每次读取记入访问日志）。"""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "region", OpenApiTypes.STR, required=True, description="镇街代码（9位）"
            ),
            OpenApiParameter("category", OpenApiTypes.STR, description="在保类别代码"),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses=inline_serializer(
            "DashboardHouseholdPage",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": DrillHouseholdSerializer(many=True),
            },
        ),
        operation_id="dashboard_households",
    )
    def get(self, request):
        _reader(request)
        user = request.user
        root = scope_root(user)
        code = request.query_params.get("region") or ""
        category = request.query_params.get("category") or ""
        errors = {}
        township = (
            Region.objects.filter(code=code[:12], level=Region.Level.TOWNSHIP).first()
            if code
            else None
        )
        if township is None:
            errors["region"] = ["请选择镇街（9位代码）。"]
        if category and category not in dict(category_choices()):
            errors["category"] = ["未知的保障类别。"]
        if errors:
            raise ValidationError(errors)
        if root is None or not township.path.startswith(root.path):
            raise Http404
        ids = township_households(user=user, township=township, category=category)
        paginator = PageNumberPagination()
        page = households_rows(
            user=user, ids=list(paginator.paginate_queryset(ids, request, view=self))
        )
        unmasked = masking.record_read(
            user=user,
            object_type="household",
            object_ids=[h.pk for h in page],
            request=request,
            channel="api",
            fields="name,id_number",
        )
        name, id_number = (
            ((lambda v: v or ""), (lambda v: v or ""))
            if unmasked
            else (masking.mask_name, masking.mask_id_number)
        )
        rows = [
            {
                "id": h.pk,
                "applicant_name": name(h.applicant_name),
                "applicant_id_number": id_number(h.applicant_id_number),
                "size": h.size,
                "township": h.village.parent.name,
                "village": h.village.name if unmasked else None,
            }
            for h in page
        ]
        return paginator.get_paginated_response(rows)
