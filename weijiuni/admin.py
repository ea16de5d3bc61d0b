"""Admin adjustments for the packages this project adds."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from applicants.admin import ChinesePermissionsMixin

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


# --- Chinese everywhere in the admin (issue 13) -------------------------------------------------

admin.site.site_header = _("威救你 管理后台")
admin.site.site_title = _("威救你 管理后台")
admin.site.index_title = _("站点管理")

if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class ChineseGroupAdmin(ChinesePermissionsMixin, GroupAdmin):
    """Groups with their permissions named in Chinese."""


#: django-otp writes its labels, help texts and section titles as plain English strings (not
#: translatable): the TOTP device admin is re-registered with Chinese ones. The form carries the
#: field labels, so the model (and its migrations) stays the package's own.
TOTP_LABELS = {
    "user": (_("用户"), _("该设备所属的用户。")),
    "name": (_("设备名称"), _("便于识别的设备名称。")),
    "confirmed": (_("已启用"), _("该设备是否已可以使用。")),
    "key": (_("密钥"), _("十六进制编码的密钥，最多 40 字节。")),
    "step": (_("时间步长（秒）"), _("每个动态口令有效的秒数。")),
    "t0": (_("起始时间"), _("开始计数的 Unix 时间。")),
    "digits": (_("口令位数"), _("动态口令的位数。")),
    "tolerance": (_("容差"), _("允许前后偏差的时间步数。")),
    "drift": (_("时钟偏移"), _("验证器时钟与服务器相差的时间步数。")),
    "throttling_failure_timestamp": (
        _("最近失败时间"),
        _("最近一次验证失败的时间；上次验证成功则为空。"),
    ),
    "throttling_failure_count": (_("连续失败次数"), _("连续验证失败的次数。")),
}


class TOTPDeviceForm(forms.ModelForm):
    class Meta:
        model = TOTPDevice
        fields = list(TOTP_LABELS)
        labels = {name: label for name, (label, _help) in TOTP_LABELS.items()}
        help_texts = {name: help_text for name, (_label, help_text) in TOTP_LABELS.items()}


def _date_filter(title):
    class TitledDateFilter(admin.DateFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledDateFilter


def _boolean_filter(title):
    class TitledBooleanFilter(admin.BooleanFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledBooleanFilter


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class ChineseTOTPDeviceAdmin(TOTPDeviceAdmin):
    form = TOTPDeviceForm
    list_display = ["device_user", "device_name", "created", "last_used", "is_confirmed"]
    list_filter = [
        ("created_at", _date_filter(_("创建时间"))),
        ("last_used_at", _date_filter(_("最近使用"))),
        ("confirmed", _boolean_filter(_("已启用"))),
    ]
    search_help_text = _("按用户名搜索")
    readonly_fields = ["created", "last_used", "qrcode_link"]

    @admin.display(description=_("用户"), ordering="user__username")
    def device_user(self, device):
        return device.user

    @admin.display(description=_("设备名称"), ordering="name")
    def device_name(self, device):
        return device.name

    @admin.display(description=_("创建时间"), ordering="created_at")
    def created(self, device):
        return device.created_at or self.get_empty_value_display()

    @admin.display(description=_("最近使用"), ordering="last_used_at")
    def last_used(self, device):
        return device.last_used_at or self.get_empty_value_display()

    @admin.display(description=_("已启用"), boolean=True, ordering="confirmed")
    def is_confirmed(self, device):
        return device.confirmed

    @admin.display(description=_("二维码"))
    def qrcode_link(self, device):
        return super().qrcode_link(device)

    def get_list_display(self, request):
        return self.list_display  # the key's QR code is not a column of the list

    def get_fieldsets(self, request, obj=None):
        titles = {
            "Identity": _("身份"),
            "Timestamps": _("时间"),
            "Configuration": _("配置"),
            "State": _("状态"),
            "Throttling": _("失败限制"),
        }
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [
                {"created_at": "created", "last_used_at": "last_used"}.get(f, f)
                for f in options["fields"]
            ]
            fieldsets.append((titles.get(title, title), {**options, "fields": fields}))
        return fieldsets


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class ChineseAccessAttemptAdmin(AccessAttemptAdmin):
    """django-axes' failed sign-ins, its undescribed columns named in Chinese."""

    @admin.display(description=_("状态"))
    def status(self, obj):
        return super().status(obj)

    @admin.display(description=_("锁定到期"))
    def expiration(self, obj):
        return super().expiration(obj)
