"""``POST /api/v1/auth/token/``: a contract for outside tools (issue 2); knox tokens (issue 14).

Tokens are stored only as a SHA-512 digest, expire after ``REST_KNOX["TOKEN_TTL"]`` and are
revoked by ``auth/logout/`` (this token) or ``auth/logout-all/`` (all of the user's tokens).
"""

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from weijiuni import twofactor
from weijiuni.api.authentication import TokenAuthentication


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, style={"input_type": "password"}, trim_whitespace=False
    )
    otp = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        help_text="动态口令（6位数字）：管理员、审批人、督导等需双因素认证的账号必填。",
        error_messages={"invalid": gettext_lazy("动态口令是6位数字。")},
    )


class TokenView(APIView):
    """Exchange a username and password (and the TOTP code, where needed) for an API token.

    The login lockout (django-axes) applies: the password is checked through ``authenticate``.
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse",
                {"token": serializers.CharField(), "expiry": serializers.DateTimeField()},
            ),
            400: inline_serializer(
                "TokenError",
                {
                    "non_field_errors": serializers.ListField(
                        child=serializers.CharField(), required=False
                    ),
                    "otp": serializers.ListField(child=serializers.CharField(), required=False),
                },
            ),
            429: inline_serializer("TokenLockedOut", {"detail": serializers.CharField()}),
        },
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            return Response(
                {"detail": _("登录失败次数过多，账号已暂时锁定，请稍后再试。")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": [_("用户名或密码不正确。")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if twofactor.second_step_needed(user):
            error = self._second_factor_error(user, serializer.validated_data.get("otp", ""))
            if error:
                return Response({"otp": [error]}, status=status.HTTP_400_BAD_REQUEST)
        instance, token = _token_issue(user)
        return Response({"token": token, "expiry": instance.expiry})

    @staticmethod
    def _second_factor_error(user, code: str) -> str | None:
        device = twofactor.confirmed_device(user)
        if device is None:
            return _("该账号需要双因素认证：请先在网页登录并设置动态口令。")
        if not code:
            return _("该账号需要动态口令：请提供验证器上显示的6位数字（otp）。")
        if not twofactor.verify_code(device, code):
            return _("动态口令不正确或已过期。")
        return None


def _token_issue(user):
    """A new token; the user's expired ones go, and the oldest beyond the per-user limit too."""
    with transaction.atomic():
        tokens = AuthToken.objects.filter(user=user)
        tokens.filter(expiry__lt=timezone.now()).delete()
        limit = knox_settings.TOKEN_LIMIT_PER_USER
        if limit:
            surplus = tokens.order_by("-created").values_list("pk", flat=True)[limit - 1 :]
            AuthToken.objects.filter(pk__in=list(surplus)).delete()
        return AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)


class LogoutView(APIView):
    """Revoke the token this request was made with."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """Revoke every token of the user this request was made by (a lost laptop, a leaked key)."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        AuthToken.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
