from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from personnel.models import User
from personnel.services.accounts import token_issue


class TokenInput(AuthTokenSerializer):
    # A username no account can have is refused before the login is tried (and counted).
    username = serializers.CharField(
        max_length=User._meta.get_field("username").max_length, write_only=True
    )


class TokenLogin(APIView):
    """Exchange a username and password for an API token (failures are rate-limited); each
    login issues a new token and ends the previous one."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        description="Each login issues a new token and ends the previous one; a token ends "
        "when the password changes and after API_TOKEN_HOURS (401: log in again).",
        request=TokenInput,
        responses={200: inline_serializer("TokenOutput", {"token": serializers.CharField()})},
    )
    def post(self, request):
        serializer = TokenInput(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        # django-axes marks the request when it refused a locked-out username/address.
        if getattr(request, "axes_locked_out", False):
            return Response(
                {
                    "detail": _(
                        "Too many failed logins: this account is locked for a while. "
                        "Try again later or ask your administrator."
                    )
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if not valid:
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        token = token_issue(user=serializer.validated_data["user"])
        return Response({"token": token.key})
