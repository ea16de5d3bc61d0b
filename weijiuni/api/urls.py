"""The hub's routes in /api/v1/ (SPEC §10)."""

from rest_framework.routers import SimpleRouter

from .hub import (
    BenefitViewSet,
    DeliveryViewSet,
    DepartmentViewSet,
    NeedViewSet,
    OrganizationViewSet,
    PointsViewSet,
    ProjectViewSet,
    ResourceViewSet,
    ServiceKindViewSet,
    ServiceRequestViewSet,
    StaffViewSet,
    TrainingViewSet,
    WindowViewSet,
)

router = SimpleRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("resources", ResourceViewSet, basename="resource")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("projects", ProjectViewSet, basename="project")
router.register("needs", NeedViewSet, basename="need")
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("points", PointsViewSet, basename="points")
router.register("benefits", BenefitViewSet, basename="benefit")
router.register("service-requests", ServiceRequestViewSet, basename="service-request")
router.register("service-windows", WindowViewSet, basename="service-window")
router.register("service-kinds", ServiceKindViewSet, basename="service-kind")
router.register("staff", StaffViewSet, basename="staff")
router.register("trainings", TrainingViewSet, basename="training")

urlpatterns = router.urls
