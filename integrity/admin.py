"""The trail in the admin: readable, never editable. Every table here is append-only in the
database (triggers); the admin offers no add, change or delete, and an attempt to change or
delete a row through it (a crafted POST, the delete page) is refused and kept as a
RefusedAttempt (issue 11)."""

from django.contrib import admin

from .models import (
    AccessLog,
    AnomalyFinding,
    Commitment,
    Complaint,
    DishonestyRecord,
    DishonestyRemoval,
    Objection,
    PublicNotice,
    RefusedAttempt,
    TrailArchive,
)
from .services import refused_attempt_record


class AppendOnlyAdmin(admin.ModelAdmin):
    """Read-only, and an attempt to write is recorded before Django answers 403."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _attempt(self, request, object_id, what: str) -> None:
        refused_attempt_record(
            kind=RefusedAttempt.Kind.AUDIT_EDIT,
            user=request.user,
            request=request,
            channel="admin",
            target=f"{self.model._meta.label}:{str(object_id or '')[:40]}",
            detail=what,
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            self._attempt(request, object_id, "change" if object_id else "add")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._attempt(request, object_id, f"delete ({request.method})")
        return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and request.POST.get("action"):
            self._attempt(request, "", f"action {request.POST.get('action', '')[:40]}")
        return super().changelist_view(request, extra_context)


@admin.register(AccessLog)
class AccessLogAdmin(AppendOnlyAdmin):
    list_display = ("at", "user", "object_type", "object_id", "channel", "masked", "ip_address")
    list_filter = ("object_type", "channel", "masked")
    date_hierarchy = "at"


@admin.register(TrailArchive)
class TrailArchiveAdmin(AppendOnlyAdmin):
    """The archive manifest: read-only, like the trail it describes."""

    list_display = ("table", "since", "until", "rows", "sha256", "created_at")
    list_filter = ("table",)


@admin.register(DishonestyRecord)
class DishonestyRecordAdmin(AppendOnlyAdmin):
    """失信记录: read-only here; fraud is recorded where it is established (a fraud receivable),
    removed by the county's approver on the register's page, with reasons."""

    list_display = ("recorded_at", "household", "amount_obtained", "fine_multiple", "source")
    raw_id_fields = ("household", "person")


@admin.register(DishonestyRemoval)
class DishonestyRemovalAdmin(AppendOnlyAdmin):
    list_display = ("removed_at", "record", "removed_by")


@admin.register(RefusedAttempt)
class RefusedAttemptAdmin(AppendOnlyAdmin):
    list_display = ("at", "kind", "user", "channel", "target", "ip_address")
    list_filter = ("kind", "channel")
    date_hierarchy = "at"


@admin.register(Commitment)
class CommitmentAdmin(AppendOnlyAdmin):
    list_display = ("signed_at", "application", "person", "kind", "channel", "recorded_by")
    raw_id_fields = ("application", "person")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Notices, objections and complaints change only through their services (with history)."""

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


@admin.register(PublicNotice)
class PublicNoticeAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "masked_name",
        "category",
        "monthly_amount",
        "closes_on",
        "outcome",
    )
    list_filter = ("outcome", "purpose")
    raw_id_fields = ("application", "household", "village")


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("reference", "notice", "channel", "received_at", "answer_due_on", "answered_at")
    list_filter = ("channel",)


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ("reference", "kind", "source", "status", "filed_at", "answer_due_on")
    list_filter = ("kind", "source", "status")
