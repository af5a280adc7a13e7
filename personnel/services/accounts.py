"""Logins: the username a roster login is offered, and the API token a login issues.

A username says nothing about its holder (governance.platform.validators.username_is_personal): the
roster offers `staff<roster number>`. A user has one API token at most, replaced at each
login; governance.platform.api refuses it once the password changed or API_TOKEN_HOURS passed.
"""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from personnel.models import Staff, User

STAFF_USERNAME_PREFIX = "staff"


def staff_username(*, staff: Staff) -> str:
    """The username offered for the person's login: their roster number, `staff1234`
    (`staff1234-2` if a login already has that name)."""
    base = f"{STAFF_USERNAME_PREFIX}{staff.pk}"
    name, suffix = base, 2
    while User.objects.filter(username__iexact=name).exists():
        name, suffix = f"{base}-{suffix}", suffix + 1
    return name


@transaction.atomic
def token_issue(*, user: User) -> Token:
    """A new token for the user, ending the one they had: every login rotates it."""
    # Two logins of the same user at once: the second waits, then replaces the first's.
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)
