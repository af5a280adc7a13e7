from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, ParseError
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser

from governance.platform.validators import mask_id_number, mask_phone


class TokenWithAreaAuthentication(TokenAuthentication):
    """DRF's token authentication, loading the user's area in the same query: nearly every
    API request scopes by it (grids.jurisdiction). A token lives as a session does:
    until the next login replaces it (personnel.api.accounts), the password changes, or it is
    API_TOKEN_HOURS old."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = (
                model.objects.select_related("user", "user__area")
                .defer("user__area__boundary")  # a polygon nothing here reads
                .get(key=key)
            )
        except model.DoesNotExist as error:
            raise AuthenticationFailed(
                _("This token is not valid (each login replaces the previous one): log in again.")
            ) from error
        user = token.user
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if user.password_changed_at is not None and token.created < user.password_changed_at:
            raise AuthenticationFailed(
                _("The password was changed after this token was issued: log in again.")
            )
        if token.created <= timezone.now() - timedelta(hours=settings.API_TOKEN_HOURS):
            raise AuthenticationFailed(_("This token has expired: log in again."))
        return (user, token)


# Deeper than any body the API takes (a case's parties: an object in a list in an object).
JSON_MAX_DEPTH = 32


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing (400) a body nested deeper than JSON_MAX_DEPTH arrays and
    objects. Python's json module recurses once per level: a thousand nested arrays raise a
    RecursionError (a 500) in the parser, and fewer may raise it in whatever walks the data
    next (validation, rendering the errors). The API's default parser (settings.py)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_too_deep()) from None  # not the thousand frames of the error
        if json_deeper_than(data, JSON_MAX_DEPTH):
            raise ParseError(_too_deep())
        return data


def _too_deep() -> str:
    return _(
        "The JSON body is nested too deeply: at most %(limit)s levels of arrays and objects."
    ) % {"limit": JSON_MAX_DEPTH}


def json_deeper_than(data: Any, limit: int) -> bool:
    """Whether parsed JSON nests more than `limit` arrays and objects; walked without
    recursion, so that the walk itself never meets Python's recursion limit."""
    pending = [(data, 1)] if isinstance(data, dict | list) else []
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def once_field() -> serializers.UUIDField:
    """The optional client UUID of a create: the same one again makes nothing new."""
    return serializers.UUIDField(
        required=False, default=None, help_text="sending the same one again makes nothing new"
    )


def api_errors(error: DjangoValidationError) -> ApiValidationError:
    """A service's ValidationError as the API's 400: messages per field."""
    if hasattr(error, "error_dict"):
        return ApiValidationError(error.message_dict)
    return ApiValidationError({"non_field_errors": error.messages})


class MaskedPersonFields(serializers.Serializer):
    """A person's ID number and phone as every response gives them: masked
    (430521********1234, 138****8000); the full values only through a logged reveal."""

    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    def get_id_number(self, person) -> str:
        return mask_id_number(person.id_number)

    def get_phone(self, person) -> str:
        return mask_phone(person.phone)
