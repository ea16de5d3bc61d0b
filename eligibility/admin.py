from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import Category, Department, Enrollment, Policy, Reevaluation, Standard


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("order", "code", "name")
    list_display_links = ("code",)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "benefit_kind", "is_active")
    list_filter = ("department", "benefit_kind", "is_active", "categories")
    filter_horizontal = ("categories",)
    search_fields = ("code", "name")


class StandardForm(forms.ModelForm):
    class Meta:
        model = Standard
        fields = ["item", "region", "area", "value", "effective_from", "note"]

    def clean(self):
        from applicants.errors import DomainError

        from .services import standard_validate

        data = super().clean()
        if not self.errors:
            try:
                standard_validate(
                    item=data["item"],
                    region=data["region"],
                    area=data.get("area", ""),
                    value=data["value"],
                    effective_from=data["effective_from"],
                )
            except DomainError as exc:
                for field, messages in exc.detail.items():
                    for message in messages:
                        self.add_error(None if field == "non_field_errors" else field, message)
        return data


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    """Standards are versions: add a row with a new date; a saved row is never edited."""

    form = StandardForm

    list_display = ("item", "region", "area", "value", "effective_from", "created_by", "created_at")
    list_filter = ("item", "region", "area")
    date_hierarchy = "effective_from"
    autocomplete_fields = ("region",)  # picked by name, not by id
    readonly_fields = ("created_by", "created_at")
    ordering = ("item", "region__code", "area", "-effective_from")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from .services import standard_add

        standard_add(
            item=obj.item,
            region=obj.region,
            area=obj.area,
            value=obj.value,
            effective_from=obj.effective_from,
            note=obj.note,
            by=request.user,
            instance=obj,
        )
        # say what happens next: every active enrollment is re-assessed (now or on the date)
        if obj.reevaluation_pending:
            msg = _("已保存。%(d)s 生效当天将自动对全部在保对象按新标准重算。") % {
                "d": obj.effective_from
            }
        else:
            msg = _("已保存，并已排队对全部在保对象按新标准重算，进度见“调标重算”。")
        messages.info(request, msg)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("note", _("新标准"))
        return initial


@admin.register(Reevaluation)
class ReevaluationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "standard",
        "status",
        "chunks_done",
        "chunks_total",
        "changed",
        "created_at",
        "finished_at",
    )
    readonly_fields = [f.name for f in Reevaluation._meta.fields]
    actions = ["run_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("按同一标准再次重新核定（已核定的不会再变）"))
    def run_again(self, request, queryset):
        from .services.reevaluation import reevaluation_start

        for run in queryset.select_related("standard"):
            reevaluation_start(standard=run.standard, by=request.user)
        self.message_user(request, _("已开始再次核定。"))


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "household",
        "category",
        "policy_code",
        "monthly_amount",
        "start_month",
        "status",
    )
    list_filter = ("category", "status")
    raw_id_fields = ("household", "person", "decision", "assessment")

    def has_change_permission(self, request, obj=None):
        return False


# --- household economic verification: sources and items are configuration -----------------

from .verification.models import DataItem, DataSource, ResultFile  # noqa: E402


@admin.register(DataItem)
class DataItemAdmin(admin.ModelAdmin):
    list_display = ("order", "code", "name", "counts_as")
    list_display_links = ("code",)
    list_filter = ("counts_as",)
    search_fields = ("code", "name")


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    """A source is a row: its kind, the items it answers, its adapter and configuration."""

    list_display = (
        "code",
        "name",
        "kind",
        "adapter",
        "is_active",
        "last_answer_at",
        "answered_count",
        "failed_count",
    )
    list_filter = ("kind", "adapter", "is_active")
    search_fields = ("code", "name")
    filter_horizontal = ("items",)
    readonly_fields = ("last_answer_at", "answered_count", "failed_count")


@admin.register(ResultFile)
class ResultFileAdmin(admin.ModelAdmin):
    list_display = ("path", "source", "encoding", "rows_total", "rows_accepted", "loaded_at")
    list_filter = ("source__kind",)
    readonly_fields = [f.name for f in ResultFile._meta.fields]

    def has_add_permission(self, request):
        return False
