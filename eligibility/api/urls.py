from django.urls import path
from rest_framework.routers import SimpleRouter

from .enrollments import EnrollmentViewSet
from .members import MemberChangeViewSet
from .referrals import PolicyViewSet, ReferralViewSet
from .reviews import ReviewViewSet
from .standards import ReevaluationViewSet, StandardViewSet
from .verification import (
    BulkVerificationViewSet,
    DataSourceViewSet,
    OnSearchView,
    VerificationRequestViewSet,
)
from .views import AssessmentView
from .workflow import ApplicationViewSet

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="application")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")
router.register("reviews", ReviewViewSet, basename="review")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("policies", PolicyViewSet, basename="policy")
router.register("standards", StandardViewSet, basename="standard")
router.register("reevaluations", ReevaluationViewSet, basename="reevaluation")
router.register(
    "verification-requests", VerificationRequestViewSet, basename="verification-request"
)
router.register("data-sources", DataSourceViewSet, basename="data-source")
router.register("bulk-verifications", BulkVerificationViewSet, basename="bulk-verification")

urlpatterns = [
    path("assessments/", AssessmentView.as_view(), name="api-assessments"),
    path(
        "member-changes/",
        MemberChangeViewSet.as_view({"post": "create"}),
        name="api-member-changes",
    ),
    path(
        "member-changes/join/",
        MemberChangeViewSet.as_view({"post": "join"}),
        name="api-member-changes-join",
    ),
    path("verification/on-search/", OnSearchView.as_view(), name="api-dci-on-search"),
    *router.urls,
]
