"""Admin adjustments for the packages this project adds."""

from django.contrib import admin
from knox.models import AuthToken

from .models import SummaryBuild

# API tokens are credentials: the admin neither lists their digests nor mints new ones (a token
# shown in an admin message is a token in someone's browser history). Users revoke theirs with
# `POST /api/v1/auth/logout-all/`; an administrator deactivates the account.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(SummaryBuild)
class SummaryBuildAdmin(admin.ModelAdmin):
    """When the dashboard's summaries were last rebuilt, why and how long it took (read-only:
    only the rebuild writes them)."""

    list_display = ("finished_at", "reason", "seconds", "rows", "as_of")
    date_hierarchy = "finished_at"


# --- the hub (SPEC §10, issue 12): configuration is edited here; the work (needs, deliveries,
# points, 12349) goes through the services, so those are read-only in the admin -----------

from . import models as hub  # noqa: E402


@admin.register(hub.InformationResource)
class InformationResourceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "frequency", "channel", "is_public")
    list_filter = ("department", "frequency", "channel", "is_public")
    search_fields = ("code", "name", "items")
    filter_horizontal = ("shared_with",)


@admin.register(hub.ServiceKind)
class ServiceKindAdmin(admin.ModelAdmin):
    list_display = ("order", "code", "name", "programme")
    list_display_links = ("code",)


@admin.register(hub.PointsRate)
class PointsRateAdmin(admin.ModelAdmin):
    list_display = ("event", "service_kind", "points", "effective_from")
    list_filter = ("event", "service_kind")


@admin.register(hub.Benefit)
class BenefitAdmin(admin.ModelAdmin):
    list_display = ("name", "points", "stock", "is_active")


@admin.register(hub.ServiceWindow)
class ServiceWindowAdmin(admin.ModelAdmin):
    list_display = ("order", "code", "name", "response_hours")
    list_display_links = ("code",)


class OrganizationAccountInline(admin.TabularInline):
    model = hub.OrganizationAccount
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(hub.SocialOrganization)
class SocialOrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "kind", "region", "evaluation_grade", "is_active")
    list_filter = ("kind", "evaluation_grade", "is_active")
    search_fields = ("name", "credit_code")
    inlines = [OrganizationAccountInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(hub.Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("name", "organization", "area", "funding", "capacity", "status")
    list_filter = ("status",)


@admin.register(hub.PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = ("account", "kind", "points", "balance_after", "created_at")
    list_filter = ("kind",)


@admin.register(hub.ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ("pk", "channel", "window", "status", "provider", "rating", "created_at")
    list_filter = ("channel", "window", "status")
    # caller names and phones are personal data: not listed or searched here


class AttendanceInline(admin.TabularInline):
    model = hub.Attendance
    extra = 0


@admin.register(hub.StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "started_on", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


@admin.register(hub.TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ("held_on", "title", "hours", "organizer", "region")
    inlines = [AttendanceInline]
