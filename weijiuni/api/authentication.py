"""The API's token authentication (the default class in ``REST_FRAMEWORK``): a module of its
own, importing nothing of DRF's views, because DRF loads it while importing them."""

from __future__ import annotations

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token check, without its sweep of every other token of the user on each request
    (a query and a loop per API call, issue 15): the token presented is refused and deleted
    once expired, as knox does; the user's other expired tokens are deleted when they next
    obtain one (``TokenView``) and are refused anyway if presented."""

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False
