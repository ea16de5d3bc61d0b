from django.urls import path
from rest_framework.routers import SimpleRouter

from .enrollments import EnrollmentViewSet
from .reviews import ReviewViewSet
from .standards import ReevaluationViewSet, StandardViewSet
from .views import AssessmentView
from .workflow import ApplicationViewSet

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="application")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")
router.register("reviews", ReviewViewSet, basename="review")
router.register("standards", StandardViewSet, basename="standard")
router.register("reevaluations", ReevaluationViewSet, basename="reevaluation")

urlpatterns = [
    path("assessments/", AssessmentView.as_view(), name="api-assessments"),
    *router.urls,
]
