"""Admin adjustments for the packages this project adds."""

from django.contrib import admin
from knox.models import AuthToken

# API tokens are credentials: the admin neither lists their digests nor mints new ones (a token
# shown in an admin message is a token in someone's browser history). Users revoke theirs with
# `POST /api/v1/auth/logout-all/`; an administrator deactivates the account.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)
