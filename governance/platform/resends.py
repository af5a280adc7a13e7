"""A form sent twice (a double tap, a resend after the signal dropped) makes one record:
each form carries a client UUID, stored unique on what it makes; the same UUID again
returns what the first sending made.

It returns it only to its maker, and only while the maker may still see it: the lookup goes
through `visible`, the domain's scoped selector for the caller (cases_visible_to…). Anyone
else — the maker too, once moved out of its jurisdiction — is refused exactly as for a UUID
in use, and learns nothing of what it made."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

M = TypeVar("M", bound=models.Model)
R = TypeVar("R")


def uuid_in_use() -> ValidationError:
    return ValidationError({"client_uuid": [_("This client UUID is already in use.")]})


def made_before(
    visible: QuerySet[M], *, client_uuid: uuid.UUID | None, actor, by: str = "created_by"
) -> M | None:
    """What this UUID already made, if `actor` made it and `visible` holds it; None if it
    made nothing; otherwise refused as a UUID in use."""
    if client_uuid is None:
        return None
    # Nearly always nothing: asked of the unique index alone.
    if not visible.model._default_manager.filter(client_uuid=client_uuid).exists():
        return None
    existing = visible.filter(client_uuid=client_uuid, **{by: actor}).first()
    if existing is None:
        raise uuid_in_use()
    return existing


def found_or_made(find: Callable[[], R | None], make: Callable[[], R]) -> R:
    """What `find()` finds (what this UUID made before), else `make()`; when a concurrent
    twin wins the race on the unique UUID (make() then raises IntegrityError), what the twin
    made. The one resend check every form that makes something goes through."""
    if (found := find()) is not None:
        return found
    try:
        return make()
    except IntegrityError:
        if (found := find()) is None:
            raise
        return found


def once(visible: QuerySet[M], *, client_uuid: uuid.UUID | None, actor, make: Callable[[], M]) -> M:
    """`make()` unless this UUID made it already (what `actor` made, in `visible`)."""

    def made() -> M:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a clash
            return make()

    return found_or_made(lambda: made_before(visible, client_uuid=client_uuid, actor=actor), made)


def resent_first(find: Callable[..., R | None]) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """A service that makes something once per client UUID, taking keyword arguments only:
    `find(**the service's arguments)` answers what the UUID made before (or None), and the
    service runs only when it finds nothing (found_or_made)."""

    def decorate(service: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(service)
        def wrapper(**kwargs) -> R:
            return found_or_made(lambda: find(**kwargs), lambda: service(**kwargs))

        return wrapper

    return decorate
