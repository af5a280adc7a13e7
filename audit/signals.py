"""Logins, successful or not, go to the log and to the audit log: the username and the
address, never the password. (django-axes counts the failures and locks the account for a
while; settings AXES_FAILURE_LIMIT and AXES_COOLOFF_TIME.)"""

from __future__ import annotations

import logging

from axes.helpers import get_client_ip_address
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from audit.services import audit_record, scrubbed

logger = logging.getLogger("audit.login")
USERNAME_MAX = 150


def _address(request) -> str:
    return (get_client_ip_address(request) or "") if request is not None else ""


@receiver(user_logged_in, dispatch_uid="audit_login_success")
def login_succeeded(sender, request, user, **kwargs) -> None:
    address = _address(request)
    # A username that is a phone or ID number goes to the log masked.
    logger.info("login succeeded: %s from %s", scrubbed(user.get_username()), address)
    audit_record(action="login.success", actor=user, obj=user, new={"ip": address})


@receiver(user_login_failed, dispatch_uid="audit_login_failure")
def login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django cleanses the password out of `credentials` already; only the username is read.
    username = str(credentials.get("username") or "")[:USERNAME_MAX]
    address = _address(request)
    logger.warning("login failed: %s from %s", scrubbed(username), address)
    # The account tried, when it exists: its area scopes the entry to its county's log.
    account = (
        get_user_model().objects.filter(username=username).values_list("pk", "area_id").first()
        if username
        else None
    )
    audit_record(
        action="login.failure",
        object_type="user",
        object_id=account[0] if account else "",
        area_id=account[1] if account else None,
        new={"username": username, "ip": address},
    )
