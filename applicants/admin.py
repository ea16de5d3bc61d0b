from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .masking import record_read
from .models import HolidayCalendarYear, Household, Person, Region, TimeLimit, User, WorkdayOverride
from .workdays import calendar_gap, calendar_gap_message


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "area", "parent")
    list_filter = ("level", "area")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)  # picked by name, not by id

    def save_model(self, request, obj, form, change):
        from .services import region_set_path

        region_set_path(region=obj)
        super().save_model(request, obj, form, change)


#: Django stores a permission's name in English when it migrates ("Can add household event"):
#: the admin shows it from the model's Chinese name and the action instead (issue 13)
PERMISSION_ACTIONS = {"add": _("添加"), "change": _("修改"), "delete": _("删除"), "view": _("查看")}


def permission_label(permission) -> str:
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    tracked = getattr(model, "pgh_tracked_model", None)  # a pghistory event table
    if tracked is not None:
        subject = f"{tracked._meta.verbose_name}·{_('变更历史')}"
    else:
        subject = str(model._meta.verbose_name)
    action, _sep, _rest = permission.codename.partition("_")
    verb = PERMISSION_ACTIONS.get(action)
    app = model._meta.app_config.verbose_name
    if verb is None:
        return f"{app} | {subject} | {permission.name}"
    return f"{app} | {subject} | {_('可以')}{verb}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return permission_label(obj)


class ChinesePermissionsMixin:
    """The permissions picker of a user or a group, labelled in Chinese."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(ChinesePermissionsMixin, BaseUserAdmin):
    list_display = ("username", "first_name", "role", "region", "department_code", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("角色与范围"), {"fields": ("role", "region", "department_code", "phone")}),
    )
    autocomplete_fields = ("region",)  # picked by name, not by id


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = (
        "relation",
        "name",
        "id_number",
        "birth_date",
        "sex",
        "monthly_income",
        "disability_grade",
        "disability_type",
        "self_care",
    )


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    """The household with its members' ID numbers and incomes: every opening of one is an
    unmasked read and written to the access log like any page or API read (SPEC §1)."""

    list_display = ("id", "village", "created_at")
    autocomplete_fields = ("village",)  # picked by name, not by id
    inlines = [PersonInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and str(object_id).isdigit():
            household_id = int(object_id)
            record_read(
                user=request.user,
                object_type="household",
                object_ids=[household_id],
                request=request,
                channel="admin",
            )
            record_read(
                user=request.user,
                object_type="person",
                object_ids=Person.objects.filter(household_id=household_id).values_list(
                    "pk", flat=True
                ),
                request=request,
                channel="admin",
            )
        return response


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    """Corrections to the holiday calendar (调休); chinese-calendar knows years up to 2026, later
    years come from ``load_holidays`` (docs/operations.md), and the page warns when the next 60
    days reach a year nobody loaded."""

    list_display = ("day", "is_workday", "note")
    date_hierarchy = "day"

    def changelist_view(self, request, extra_context=None):
        gap = calendar_gap(timezone.localdate())
        if gap is not None:
            messages.warning(request, calendar_gap_message(gap))
        return super().changelist_view(request, extra_context)


@admin.register(HolidayCalendarYear)
class HolidayCalendarYearAdmin(admin.ModelAdmin):
    """Years loaded with ``manage.py load_holidays``; read-only here (the file is the record)."""

    list_display = ("year", "source", "loaded_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TimeLimit)
class TimeLimitAdmin(admin.ModelAdmin):
    """Procedural numbers as versions: add a row with a new date; a saved row is not edited."""

    list_display = ("code", "value", "effective_from", "note")
    list_filter = ("code",)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
