from django.contrib import admin

from .models import AccessLog, AnomalyFinding, DishonestyRecord, TrailArchive


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "object_type", "object_id", "channel", "masked", "ip_address")
    list_filter = ("object_type", "channel", "masked")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrailArchive)
class TrailArchiveAdmin(admin.ModelAdmin):
    """The archive manifest: read-only, like the trail it describes."""

    list_display = ("table", "since", "until", "rows", "sha256", "created_at")
    list_filter = ("table",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DishonestyRecord)
class DishonestyRecordAdmin(admin.ModelAdmin):
    """失信记录: read-only here; fraud is recorded where it is established (a fraud receivable)."""

    list_display = ("recorded_at", "household", "amount_obtained", "fine_multiple", "source")
    raw_id_fields = ("household", "person")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AnomalyFinding)
class AnomalyFindingAdmin(admin.ModelAdmin):
    """资金异常线索: read-only here; written by the nightly checks, concluded by the supervisor on
    /oversight/anomalies/ (the one place that checks who may, and masks what is shown)."""

    list_display = ("id", "kind", "region", "amount", "status", "last_found_at", "assigned_to")
    list_filter = ("kind", "status", "region")
    raw_id_fields = ("household", "assigned_to", "resolved_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
