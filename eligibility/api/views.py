from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from eligibility.services import assessment_preview

from .serializers import (
    AssessmentRequestDocSerializer,
    AssessmentRequestSerializer,
    AssessmentResponseSerializer,
    assessment_response,
)

EXAMPLE = {
    "region": "371002",
    "area": "urban",
    "date": "2021-01-15",
    "members": [
        {
            "relation": "applicant",
            "birth_date": "1958-03-02",
            "id_number": None,
            "monthly_income": "300.00",
            "disability_grade": None,
            "disability_type": None,
            "serious_illness": False,
            "self_care": "full",
            "in_school": False,
        }
    ],
    "assets": {"financial": "0.00", "vehicles": 0, "houses": 1, "business_registered": False},
    "rigid_expenditure_12m": {"medical": "0.00", "education": "0.00", "rehabilitation": "0.00"},
    "supporter": {"monthly_payment": "0.00", "household_per_capita_income": None, "able": False},
    "hardship": None,
}


class AssessmentView(APIView):
    """我能申请什么: compute what a household may receive. Anonymous, throttled, stores nothing."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "assessment"

    @extend_schema(
        request=AssessmentRequestDocSerializer,
        responses={200: AssessmentResponseSerializer},
        examples=[OpenApiExample("环翠区城市一人户", value=EXAMPLE, request_only=True)],
    )
    def post(self, request):
        payload = AssessmentRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        preview = assessment_preview(
            region=data["region"],
            area=data.get("area"),
            on=data["date"],
            members=data["members"],
            assets=data.get("assets"),
            rigid_expenditure=data.get("rigid_expenditure_12m"),
            supporter=data.get("supporter"),
            hardship=data.get("hardship"),
        )
        return Response(assessment_response(preview, region_code=data["region"].code))
