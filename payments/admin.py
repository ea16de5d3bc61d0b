"""Payments in the admin: read-only. Money moves only through the services (the pages and the
API), which check who may act, lock, and keep the totals; the admin is for looking."""

from django.contrib import admin

from .models import BankFile, Batch, Line, Receivable


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Batch)
class BatchAdmin(ReadOnly):
    list_display = ("id", "county", "month", "kind", "state", "line_count", "total_amount")
    list_filter = ("state", "kind", "county")
    date_hierarchy = "month"


@admin.register(BankFile)
class BankFileAdmin(ReadOnly):
    list_display = ("batch", "bank_name", "line_count", "total_amount", "returned_at")
    list_select_related = ("batch__county",)


@admin.register(Line)
class LineAdmin(ReadOnly):
    list_display = ("id", "batch", "kind", "category", "month", "amount", "status")
    list_filter = ("kind", "status")
    list_select_related = ("batch__county",)
    show_full_result_count = False  # a million lines: no COUNT(*) on every page
    raw_id_fields = ("enrollment", "grant", "reissue_of", "receivable")


@admin.register(Receivable)
class ReceivableAdmin(ReadOnly):
    list_display = ("id", "household", "reason", "schedule", "total", "balance", "status")
    list_filter = ("reason", "status")
    raw_id_fields = ("household", "enrollment", "batch")
