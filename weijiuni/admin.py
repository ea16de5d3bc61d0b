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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
