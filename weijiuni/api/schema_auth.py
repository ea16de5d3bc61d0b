"""The OpenAPI description of the API's token authentication: knox's (``knoxApiToken``), for
the subclass in ``weijiuni.api.authentication`` (drf-spectacular matches the exact class).
Imported by ``WeijiuniConfig.ready``."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class TokenScheme(KnoxTokenScheme):
    target_class = "weijiuni.api.authentication.TokenAuthentication"
