from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import AssessmentView
from .workflow import ApplicationViewSet

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="application")

urlpatterns = [
    path("assessments/", AssessmentView.as_view(), name="api-assessments"),
    *router.urls,
]
